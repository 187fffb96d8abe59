"""Hostile uploads through the real import job (issue 12): each job is refused with a Chinese message,
nothing is written, the attempt is audited, and the next import job succeeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile

from jingzhun.accounts.models import AuditEvent
from jingzhun.exchange.importer import registry_import
from jingzhun.exchange.services import import_job_create
from jingzhun.exchange.models import ImportJob

from . import hostile_files as hostile
from .exchange_files import database_rows, synth_folder
from .test_exchange_import_views import _only_township

CHINESE = re.compile(r"[\u4e00-\u9fff]")
OLE = bytes.fromhex("D0CF11E0A1B11AE1")


def _job(user, files, capture) -> ImportJob:
    with capture(execute=True):
        job = import_job_create(acting_user=user, files=files)
    job.refresh_from_db()
    return job


def _good_files(tmp_path: Path) -> list[SimpleUploadedFile]:
    folder = synth_folder(tmp_path / "good", households=30)
    _only_township(folder)
    return [SimpleUploadedFile(n, (folder / n).read_bytes()) for n in ("村表.csv", "户表.csv", "人员表.csv")]


def _assert_refused_then_next_runs(world, tmp_path, files, capture, expect: str) -> None:
    user = world.township_officer
    before = database_rows()
    job = _job(user, files, capture)
    assert job.status == ImportJob.Status.REFUSED, job.stage
    messages = [i["message"] for i in job.issues]
    assert messages and all(CHINESE.search(m) for m in messages)
    assert any(expect in m for m in messages), messages
    assert database_rows(except_tables=("accounts_auditevent", "exchange_importjob")) == {
        t: rows for t, rows in before.items() if t != "exchange_importjob"}
    audit = AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).latest("id")
    assert audit.detail["outcome"] == "refused" and audit.actor == user and audit.detail["issue_count"] >= 1
    assert not any(p.suffix in (".xlsx", ".csv") and p.stem.isdigit() for p in Path(job.folder).iterdir())
    following = _job(user, _good_files(tmp_path), capture)
    assert following.status == ImportJob.Status.DONE, following.issues[:3]


def _file(path: Path, name: str) -> UploadedFile:
    return UploadedFile(open(path, "rb"), name=name, size=path.stat().st_size)


CASES = {
    "png-as-xlsx": ("户表.xlsx", lambda p: p.write_bytes(hostile.png_bytes()), "不是有效的 Excel 工作簿"),
    "png-as-csv": ("户表.csv", lambda p: p.write_bytes(hostile.png_bytes()), "不是文本格式的 CSV"),
    "zip-as-csv": ("户表.csv", lambda p: hostile.zip_with_member(p, "a.txt"), "扩展名却是 .csv"),
    "xls-as-xlsx": ("户表.xlsx", lambda p: p.write_bytes(OLE + "Workbook".encode("utf-16-le") + b"\0" * 600),
                    "旧版 Excel 文件"),
    "encrypted": ("户表.xlsx", lambda p: p.write_bytes(OLE + "EncryptedPackage".encode("utf-16-le") + b"\0" * 600),
                  "文件已加密"),
    "dotdot-member": ("户表.xlsx", lambda p: hostile.zip_with_member(p, "../../etc/passwd"), "可疑的文件路径"),
    "absolute-member": ("户表.xlsx", lambda p: hostile.zip_with_member(p, "/etc/passwd"), "可疑的文件路径"),
    "dimension-bomb": ("户表.xlsx", hostile.dimension_bomb, "超过 40000000 个单元格"),
    "lying-sizes": ("户表.xlsx", hostile.lying_sizes, "可能是压缩炸弹"),
    "long-line-csv": ("户表.csv", hostile.long_line_csv, "超过上限 1,048,576 字节"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_hostile_file_is_refused_and_the_next_import_runs(world, tmp_path, case, django_capture_on_commit_callbacks):
    name, make, expect = CASES[case]
    path = tmp_path / ("hostile" + Path(name).suffix)
    make(path)
    _assert_refused_then_next_runs(world, tmp_path, [_file(path, name)], django_capture_on_commit_callbacks, expect)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize(("make", "on_disk"), [(hostile.cell_bomb, 8 << 20), (hostile.shared_strings_bomb, 2 << 20)],
                         ids=["cells-2GB", "shared-strings-584MB"])
def test_bomb_is_refused(world, tmp_path, make, on_disk, django_capture_on_commit_callbacks):
    path = make(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < on_disk
    _assert_refused_then_next_runs(world, tmp_path, [_file(path, "户表.xlsx")], django_capture_on_commit_callbacks,
                                   "可能是压缩炸弹")


@pytest.mark.slow
@pytest.mark.django_db
def test_two_hundred_megabyte_csv_is_refused_in_bounded_memory(world, tmp_path, django_capture_on_commit_callbacks):
    import resource

    path = hostile.big_csv(tmp_path / "big.csv", mb=200)
    _assert_refused_then_next_runs(world, tmp_path, [_file(path, "户表.csv")], django_capture_on_commit_callbacks,
                                   "超过上限 1048576 行")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 4 << 20  # KiB: under 4 GB for a 200 MB file


@pytest.mark.django_db
def test_limits_with_declared_sizes_lifted_still_count_the_cells(settings, world, tmp_path):
    """The central directory can lie: the cells are counted while inflating, whatever it declares."""
    settings.JINGZHUN_IMPORT_MAX_RATIO = 10**6
    settings.JINGZHUN_IMPORT_MAX_CELLS = 1_000_000
    report = registry_import(paths=[hostile.lying_sizes(tmp_path / "户表.xlsx")], acting_user=world.county_admin)
    assert [i.message for i in report.issues] == [
        "工作簿的单元格超过 1000000 个，可能是压缩炸弹，已拒绝导入；请拆分为多个文件或改用 CSV"]


@pytest.mark.django_db
def test_huge_shared_string_is_refused_even_below_the_ratio(settings, world, tmp_path):
    settings.JINGZHUN_IMPORT_MAX_RATIO = 10**6
    path = hostile.shared_strings_bomb(tmp_path / "户表.xlsx", megabytes=16, strings=2)
    report = registry_import(paths=[path], acting_user=world.county_admin)
    assert "超过 Excel 允许的 32767 个字符" in report.issues[0].message


@pytest.mark.django_db
def test_many_cells_copying_one_long_shared_string_are_refused(settings, world, tmp_path):
    settings.JINGZHUN_IMPORT_MAX_UNCOMPRESSED_MB = 1  # also the budget for text copied into cells
    settings.JINGZHUN_IMPORT_MAX_RATIO = 10**6
    path = hostile._workbook(tmp_path / "户表.xlsx", [(b'<row r="2">', 1), (b'<c r="A2" t="s"><v>0</v></c>', 20_000),
                                                      (b"</row>", 1)],
                             [((hostile.SST_HEAD % (1, 1)).encode() + b"<si><t>" + b"x" * 30_000 + b"</t></si></sst>", 1)])
    report = registry_import(paths=[path], acting_user=world.county_admin)
    assert "同一段长文字被大量单元格重复引用" in report.issues[0].message


@pytest.mark.django_db
def test_folder_import_does_not_follow_symlinks(world, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "户表.csv").symlink_to("/etc/passwd")
    report = registry_import(paths=[folder], acting_user=world.county_admin)
    assert any("是符号链接，出于安全考虑不读取" in i.message for i in report.issues)
    assert not any("root" in i.value for i in report.issues)


@pytest.mark.django_db
def test_one_long_string_among_many_short_cells_is_read(settings, world, tmp_path):
    """The quick bound (every cell × the longest string) is only a first look: the exact sum decides."""
    settings.JINGZHUN_IMPORT_MAX_UNCOMPRESSED_MB = 1
    shared = (hostile.SST_HEAD % (2, 2)).encode() + b"<si><t>" + b"x" * 30_000 + b"</t></si><si><t>y</t></si></sst>"
    path = hostile._workbook(tmp_path / "户表.xlsx", [(b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>', 1)]
                             + [(b'<row r="%d"><c r="A%d" t="s"><v>1</v></c></row>' % (r, r), 1) for r in range(3, 10_000)],
                             [(shared, 1)])
    report = registry_import(paths=[path], acting_user=world.county_admin)
    assert report.issues and not any("压缩炸弹" in i.message for i in report.issues), report.issues[:2]


def test_prefixed_shared_strings_are_measured_string_by_string(tmp_path):
    """Some writers prefix every element (`<x:sst><x:si>`): the strings are still told apart."""
    import zipfile

    from jingzhun.exchange.readers.limits import Limits, inspect_workbook

    body = b"".join(b"<x:si><x:t>" + b"y" * 20_000 + b"</x:t></x:si>" for _ in range(30))
    shared = (b'<?xml version="1.0"?><x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              + body + b"</x:sst>")
    path = hostile._workbook(tmp_path / "户表.xlsx", [(b"", 1)], [(shared, 1)])
    limits = Limits(max_uncompressed=64 << 20, max_ratio=10**6, max_cells=10**6, max_shared_strings=64 << 20,
                    max_text=64 << 20)
    with zipfile.ZipFile(path) as zf:
        inspect_workbook(path, zf, limits)  # 30 strings of 20,000 characters: none longer than Excel allows
