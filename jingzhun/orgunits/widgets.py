"""Form widgets every app's pages share (orgunits is the bottom layer, so every app may import it)."""

from __future__ import annotations

from django import forms

#: The value format of <input type="date">: the HTML standard's "valid date string", whatever the language.
ISO_DATE = "%Y-%m-%d"


class IsoDateInput(forms.DateInput):
    """<input type="date"> whose value is always YYYY-MM-DD.

    Django's DateInput writes a date in the active language's first DATE_INPUT_FORMATS, which for 简体中文 is
    "%Y/%m/%d": a date input cannot show "2026/12/02" and arrives empty, so a required date blocks the form.
    """

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)
