"""The kinds of findings people make (not SQL rules): 考核评估 verdicts and 随机抽查 discrepancies.

A rule run finds its problems in the registry; these are found in a house or against the paper 台账
and recorded through `services.problems_record` with a deadline. Each kind has a code, a name, a
category and 整改建议 like a rule, so the problem pages, the export and the to-do page name them the
same way (`services.problem_kinds`). Their words are msgids translated when shown, as a rule's are;
`strings_i18n` does not list them because they are gettext_noop literals here, which makemessages reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop, pgettext

#: A finding is an error to correct, in the words of a rule's severity.
_SEVERITY = "错误"


@dataclass(frozen=True)
class FindingKind:
    """One kind of finding: what the problem pages show where a rule's name, category and fix would be."""

    code: str
    name: str
    category: str
    fix: str
    severity: str = _SEVERITY

    @property
    def name_shown(self) -> str:
        return gettext(self.name)

    @property
    def category_shown(self) -> str:
        return gettext(self.category)

    @property
    def severity_shown(self) -> str:
        return pgettext("severity", self.severity)

    @property
    def fix_shown(self) -> str:
        return gettext(self.fix)


_ASSESSMENT = gettext_noop("考核评估")
_SPOT_CHECK = gettext_noop("随机抽查")

#: Every kind by code. PG: 考核评估 (the assessment's confirmed verdicts); CC: 随机抽查.
FINDING_KINDS: dict[str, FindingKind] = {kind.code: kind for kind in (
    FindingKind("PG01", gettext_noop("考核评估：错退"), _ASSESSMENT,
                gettext_noop("核实该户收入和“两不愁三保障”及饮水安全情况：确未稳定达标的，按程序纳入监测或恢复帮扶，"
                             "落实针对性帮扶措施，并如实更正登记信息。")),
    FindingKind("PG02", gettext_noop("考核评估：漏评"), _ASSESSMENT,
                gettext_noop("入户核实该户收入和“两不愁三保障”情况：符合条件的按程序识别纳入（或纳入监测），"
                             "落实帮扶措施；不符合的写明依据，申报情况属实。")),
    FindingKind("PG03", gettext_noop("考核评估：群众不认可"), _ASSESSMENT,
                gettext_noop("入户了解不认可的原因，向群众讲清政策和退出（认定）依据，解决合理诉求，"
                             "并记录走访和解决情况。")),
    FindingKind("CC01", gettext_noop("随机抽查：登记信息与核实不符"), _SPOT_CHECK,
                gettext_noop("按户口簿和入户核实的情况更正登记信息；登记无误的写明依据，申报情况属实。")),
)}
