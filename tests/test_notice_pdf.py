"""The 公示 PDF shows every user text literally: ReportLab markup in a title is not obeyed (issue 12 item 6)."""

from __future__ import annotations

import base64
import re
import zlib

import pytest
from django.utils import timezone

from jingzhun.workflows import publicity, services
from jingzhun.workflows.notice import notice_pdf

from .people import XIAGAOCHI
from .workflow_helpers import candidate

pytestmark = pytest.mark.django_db

HOSTILE_TITLES = [
    '<img src="/etc/passwd" width="100" height="100"/>公示',
    '<a href="https://evil.example/">点此查看</a>公示',
    '<link href="https://evil.example/">公示</link>',
    "<b>未闭合的标签 & 公示",
    "公示</para>",
]


def _batch(world, title: str):
    household, members = candidate()
    p = services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                            members=members, year=2018)
    for step in ("group_review", "village_review"):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step=step, approve=True)
    return publicity.batch_open(acting_user=world.village_clerk, kind="entry", step="village_publicity",
                                procedure_ids=[p.pk], start=timezone.localdate(), title=title)


def _page_text(pdf: bytes) -> str:
    """The text drawn on the pages: the CID font writes UCS-2 code units, as hex or escaped strings."""
    shown = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:  # ReportLab writes page streams as /ASCII85Decode /FlateDecode
            content = zlib.decompress(base64.a85decode(stream.strip(), adobe=True))
        except (ValueError, zlib.error):
            continue
        # a literal string ends at the first unescaped ")" (a code unit 0x29 inside it is written "\)")
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content, re.S):
            # one pass: an escaped backslash followed by digits is a backslash, not an octal escape
            raw = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m.group(1), 8)]) if m.group(1)[:1] in b"01234567"
                         else m.group(1), literal, flags=re.S)
            shown.append(raw.decode("utf-16-be", errors="replace"))
        for hexed in re.findall(rb"<([0-9A-Fa-f\s]+)>\s*Tj", content):
            shown.append(bytes.fromhex(hexed.decode()).decode("utf-16-be", errors="replace"))
    return "".join(shown)


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_title_makes_a_valid_pdf_with_the_literal_text(world, title):
    batch = _batch(world, title)
    pdf = notice_pdf(batch)
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/Subtype /Image" not in pdf, "a server file was embedded"
    assert b"/URI" not in pdf and b"/Link" not in pdf, "a link was added"
    assert title.replace(" ", "") in _page_text(pdf).replace(" ", "")
