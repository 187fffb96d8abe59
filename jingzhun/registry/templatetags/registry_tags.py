from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def yn(value) -> str:
    """True/False/None → 是/否/—."""
    if value is None or value == "":
        return "—"
    return _("是") if value else _("否")


@register.filter
def dash(value) -> str:
    return "—" if value in (None, "") else value


@register.filter
def yn_or(value):
    """Booleans as 是/否, blanks as —, everything else unchanged (for history diffs)."""
    if isinstance(value, bool) or value is None or value == "":
        return yn(value)
    return value


@register.filter
def opens(access, code: str) -> bool:
    """Whether the user (their `access`) may open the unit `code`: the reach `selectors.unit_get` checks."""
    return bool(access) and access.reaches_code(code)
