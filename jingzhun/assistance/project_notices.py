"""The 项目库's public notices: 项目公示 (when a project is publicised) and 竣工公告 (when it is completed).

Drawn as the workflows' 公示 notices are (`jingzhun.pdfdoc`: STSong-Light, escaped paragraphs, a 公文 title), with
the workflows' way of writing a notice's dates (`workflows.notice.notice_day`). A notice is posted on a
village wall: it gives the number of households that benefit, never their names or ID numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhun import pdfdoc
from jingzhun.workflows.notice import notice_day

from .models import Project
from .selectors.projects import fund_rows
from .vocab import ProjectState

#: kind → (the state whose event dates it, its title's word, the states in which it exists)
KINDS = {
    "publicity": (ProjectState.PUBLICISED, gettext_lazy("项目公示"),
                  frozenset({ProjectState.PUBLICISED, ProjectState.UNDERWAY, ProjectState.COMPLETED,
                             ProjectState.ACCEPTED})),
    "completion": (ProjectState.COMPLETED, gettext_lazy("竣工公告"),
                   frozenset({ProjectState.COMPLETED, ProjectState.ACCEPTED})),
}


@dataclass
class ProjectNotice:
    kind: str
    title: str
    day: object
    words: list[str]
    facts: list[tuple[str, str]]
    after: list[str]
    signature: list[str]


def notices_of(project: Project) -> list[tuple[str, str]]:
    """(kind, label) of the notices a project has by its state, for its page."""
    return [(kind, str(label)) for kind, (_state, label, states) in KINDS.items() if project.state in states]


def _money(value) -> str:
    return _("%(n)s 元") % {"n": f"{value:,.2f}"}


def project_notice(project: Project, kind: str) -> ProjectNotice:
    """The words and facts of a project's notice of `kind` (a key of KINDS, which the project's state allows)."""
    state, label, _states = KINDS[kind]
    event = project.events.filter(state=state).order_by("-at", "-pk").first()
    day = timezone.localdate(event.at) if event else timezone.localdate()
    county = project.county.name
    title = _("%(county)s%(year)s年度%(name)s%(kind)s") % {"county": county, "year": project.year,
                                                          "name": project.name, "kind": label}
    funds = fund_rows(project)
    planned = sum((row["planned"] for row in funds), 0)
    villages = "、".join(v.short_name for v in project.villages.order_by("code")) or "—"
    schedule = "—"
    if project.planned_start or project.planned_end:
        schedule = _("%(start)s 至 %(end)s") % {
            "start": notice_day(project.planned_start) if project.planned_start else "—",
            "end": notice_day(project.planned_end) if project.planned_end else "—"}
    count = project.beneficiaries.count()
    facts = [(_("项目编号"), project.code), (_("项目名称"), project.name), (_("项目类别"), project.get_category_display()),
             (_("实施村"), villages), (_("建设期限"), schedule), (_("项目主管单位"), project.responsible_unit)]
    facts += [(str(row["label"]), _money(row["planned"])) for row in funds]
    facts += [(_("资金合计"), _money(planned))]
    if kind == "completion":
        spent = sum((row["spent"] for row in funds), 0)
        facts += [(_("已支出资金"), _money(spent))]
    facts += [(_("产出指标"), project.output_target or "—"), (_("效益指标"), project.benefit_target or "—"),
              (_("受益户数"), _("%(n)d 户") % {"n": count}), (_("带贫减贫机制"), project.mechanism or "—")]
    phone = project.contact_phone or _("（未填写）")
    if kind == "publicity":
        words = [_("根据巩固拓展脱贫攻坚成果和乡村振兴项目库管理要求，现将%(name)s有关情况公示如下。")
                 % {"name": project.name}]
        after = [_("公示期间，如有异议，请向%(unit)s反映，监督电话：%(phone)s。")
                 % {"unit": project.responsible_unit, "phone": phone}]
    else:
        words = [_("%(name)s已于 %(day)s 竣工，现将项目建设和资金使用情况公告如下。")
                 % {"name": project.name, "day": notice_day(day)}]
        after = [_("如对项目建设和资金使用有异议，请向%(unit)s反映，监督电话：%(phone)s。")
                 % {"unit": project.responsible_unit, "phone": phone}]
    return ProjectNotice(kind, title, day, words, facts, after, [project.responsible_unit, notice_day(day)])


def project_notice_pdf(project: Project, kind: str) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    notice = project_notice(project, kind)
    st = pdfdoc.styles()
    width, _height = pdfdoc.frame_size()
    facts = pdfdoc.table([list(row) for row in notice.facts], st, widths=[0.24 * width, 0.76 * width], header=False,
                         label_column=True)
    story = [pdfdoc.paragraph(notice.title, st.title), Spacer(1, 6 * mm)]
    story += [pdfdoc.paragraph(text, st.indented) for text in notice.words]
    story += [Spacer(1, 4 * mm), facts, Spacer(1, 4 * mm)]
    story += [pdfdoc.paragraph(text, st.indented) for text in notice.after]
    story += [Spacer(1, 10 * mm)] + [pdfdoc.paragraph(text, st.right) for text in notice.signature]
    return pdfdoc.build(story, title=notice.title, author=project.responsible_unit, numbered=False)
