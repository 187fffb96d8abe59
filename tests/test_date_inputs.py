"""Every date input carries YYYY-MM-DD, whatever the language (issue 13, defect 2).

In 简体中文 Django writes a date as "2026/12/02" (the locale's first DATE_INPUT_FORMATS); an
<input type="date"> cannot show that, so 公示开始日期 arrived empty and the browser blocked 发布公示.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from jingzhun.compare.views import CompareForm
from jingzhun.dashboard.forms import AtDateForm
from jingzhun.orgunits.widgets import IsoDateInput
from jingzhun.workflows import publicity, services
from jingzhun.workflows.definitions import Kind
from jingzhun.workflows.forms import BatchForm, LedgerFilterForm, ObjectionForm
from jingzhun.workflows.models import PublicityBatch

from .people import XIAGAOCHI
from .workflow_helpers import candidate


def _value(page: str, name: str) -> str:
    field = re.search(rf'<input type="date" name="{name}"[^>]*>', page)
    assert field, f"no date input {name}"
    return re.search(r'value="([^"]*)"', field.group(0)).group(1)


def _at_village_publicity(world):
    household, members = candidate()
    p = services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                            members=members, year=2018)
    for step in ("group_review", "village_review"):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step=step, approve=True)
    return p


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_widget_writes_iso_dates_in_every_language(language):
    day = timezone.localdate()
    with translation.override(language):
        html = IsoDateInput().render("d", day)
    assert f'value="{day.isoformat()}"' in html and 'type="date"' in html


def test_every_date_field_of_our_forms_uses_the_iso_widget():
    fields = [BatchForm.base_fields["start"], ObjectionForm.base_fields["received_on"],
              LedgerFilterForm.base_fields["start"], LedgerFilterForm.base_fields["end"],
              CompareForm.base_fields["data_date"], AtDateForm.base_fields["at"]]
    assert all(isinstance(f.widget, IsoDateInput) for f in fields)


@pytest.mark.django_db
def test_the_publish_form_is_prefilled_with_today_as_iso_and_submits_as_rendered(world, client, settings):
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False
    p = _at_village_publicity(world)
    client.force_login(world.village_clerk)
    page = client.get(reverse("workflows:batch_list")).content.decode()
    start = _value(page, "start")
    assert start == timezone.localdate().isoformat()
    # the browser sends back what the input shows
    client.post(reverse("workflows:batch_list"), {"kind": "entry", "step": "village_publicity",
                                                  "procedures": [p.pk], "start": start, "title": ""})
    assert PublicityBatch.objects.get().start == timezone.localdate()


@pytest.mark.django_db
def test_the_objection_date_is_prefilled_as_iso(world, client, settings):
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False
    p = _at_village_publicity(world)
    batch = publicity.batch_open(acting_user=world.village_clerk, kind=Kind.ENTRY, step="village_publicity",
                                 procedure_ids=[p.pk], start=timezone.localdate())
    client.force_login(world.village_clerk)
    page = client.get(reverse("workflows:batch_detail", args=[batch.pk])).content.decode()
    assert _value(page, "received_on") == timezone.localdate().isoformat()


@pytest.mark.django_db
def test_the_comparison_data_date_is_prefilled_as_iso(world, client):
    client.force_login(world.county_admin)
    page = client.get(reverse("compare:home")).content.decode()
    assert _value(page, "data_date") == timezone.localdate().isoformat()
