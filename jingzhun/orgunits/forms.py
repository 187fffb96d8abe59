"""The township / village filter shared by every list page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Level, OrgUnit

_NOT_OFFERED = _("“%(value)s”不在您的范围内，或不属于所选乡镇；请从列表中选择。")


class UnitFilterForm(forms.Form):
    """A 乡镇 and a 村 select whose choices are the units in the user's reach (see selectors.filter_units)."""

    township = forms.ChoiceField(label=_("乡镇"), required=False, error_messages={"invalid_choice": _NOT_OFFERED})
    village = forms.ChoiceField(label=_("村"), required=False, error_messages={"invalid_choice": _NOT_OFFERED})

    def __init__(self, *args, units: list[OrgUnit], **kwargs):
        super().__init__(*args, **kwargs)
        townships = [u for u in units if u.level == Level.TOWNSHIP]
        villages = [u for u in units if u.level == Level.VILLAGE]
        self.fields["township"].choices = [("", _("全部"))] + [(u.code, u.name) for u in townships]
        selected = self.data.get("township") or ""
        self.fields["village"].choices = [("", _("全部"))] + [
            (u.code, u.short_name) for u in villages if u.code.startswith(selected)]

    @property
    def unit(self) -> str:
        """The narrowest unit chosen ("" for none, or when the form is invalid)."""
        if not self.is_valid():
            return ""
        return self.cleaned_data.get("village") or self.cleaned_data.get("township") or ""
