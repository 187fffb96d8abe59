"""What the household page offers (registry.signals.household_actions): the procedures this user may open
on the household now, by the same precondition the service enforces (services.start_refusal), and the
procedure under way."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jingzhun.registry import vocab

from .definitions import Kind
from .models import Procedure
from .selectors import procedures_for
from .services import start_refusal

#: The opening form of each procedure on a registered household, in the order the page offers them.
OPEN_URLS = {Kind.EXIT: "workflows:exit_new", Kind.RETURN: "workflows:return_new",
             Kind.REMOVAL: "workflows:removal_new", Kind.MEMBER_CHANGE: "workflows:member_change_new",
             Kind.MONITORING_ENTRY: "workflows:monitoring_entry_new",
             Kind.RISK_ELIMINATION: "workflows:risk_elimination_new"}


def household_actions(sender, *, household, user, **kwargs) -> list[dict]:
    actions = []
    current = procedures_for(user).filter(household=household, state=Procedure.State.OPEN).first()
    if current is not None:
        step = current.current_step
        actions.append({"label": _("办理中：%(kind)s（%(step)s）") % {"kind": current.get_kind_display(),
                                                                  "step": step.label if step else ""},
                        "url": reverse("workflows:procedure_detail", args=[current.pk])})
    for kind, url in OPEN_URLS.items():
        if start_refusal(user, household, kind) is None:
            actions.append({"label": _("发起%(kind)s") % {"kind": Kind(kind).label},
                            "url": reverse(url, args=[household.code])})
    if household.category == vocab.HouseholdCategory.MONITORED or household.income_12m_verified_on:
        # the series 风险消除 is judged on (a read for whoever sees the household; the clerk adds to it)
        actions.append({"label": _("收入核实记录"), "url": reverse("workflows:income_verifications",
                                                              args=[household.code])})
    return actions
