"""The county and year every 考评 input page is about, chosen in the query string (?county=…&year=…)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from jingzhun.orgunits.models import OrgUnit

from ..selectors.appraisal import appraisal_counties
from ..services.letters import YEAR_MAX, YEAR_MIN


class PeriodForm(forms.Form):
    county = forms.ChoiceField(label=gettext_lazy("县"), required=False)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=YEAR_MIN, max_value=YEAR_MAX, required=False)

    def __init__(self, data, *, counties: list[OrgUnit]):
        super().__init__(data)
        self.fields["county"].choices = [(c.code, c.name) for c in counties]


@dataclass
class Period:
    form: PeriodForm
    counties: list[OrgUnit]
    county: OrgUnit | None = None
    year: int = 0

    @property
    def ok(self) -> bool:
        return self.form.is_valid()

    @property
    def query(self) -> str:
        return f"county={self.county.code}&year={self.year}" if self.county else f"year={self.year}"


def period_of(request, data=None) -> Period:
    """The county (default: the first in reach) and year (default: this year) asked for; `ok` is False
    when either is not one of the choices (the page shows the form's errors, status 400)."""
    counties = appraisal_counties(request.user)
    source = request.GET if data is None else data
    form = PeriodForm({"county": source.get("county", ""), "year": source.get("year", "")}, counties=counties)
    period = Period(form=form, counties=counties)
    if form.is_valid():
        code = form.cleaned_data["county"]
        period.county = next((c for c in counties if c.code == code), counties[0] if counties else None)
        period.year = form.cleaned_data["year"] or timezone.localdate().year
        form.data = {"county": period.county.code if period.county else "", "year": period.year}
    return period
