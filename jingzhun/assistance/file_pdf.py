"""一户一档 and 明白卡 as PDF, drawn through jingzhun.pdfdoc (the CID font, escaped text, page numbers).

The file prints the same sections, masked the same way, as its page (selectors/file.py decides both);
the card prints what `Card` holds and nothing else — no ID number, no health detail.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jingzhun import pdfdoc

from .selectors.file import Card, HouseholdFile

CHINESE_NUMERALS = "一二三四五六七八九十"


def _day(value) -> str:
    return date_format(value, "Y-m-d") if value else "—"


def _money(value) -> str:
    return "—" if value is None else f"{Decimal(value):,.2f}"


def _yn(value) -> str:
    return "—" if value is None else (_("是") if value else _("否"))


def _dash(value) -> str:
    return "—" if value in (None, "") else str(value)


# --- 一户一档 -------------------------------------------------------------------------------------------

def household_file_pdf(hf: HouseholdFile) -> bytes:
    """The household's file as one A4 document: title, then 一、二、… sections, page numbers at the foot."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    st = pdfdoc.styles()
    h = hf.household
    p = pdfdoc.paragraph
    story = [p(_("一户一档"), st.title),
             p(_("%(name)s户（户编号 %(code)s）　%(village)s") % {"name": h.head_name, "code": h.code,
                                                              "village": h.village.name}, st.subtitle),
             p(_("打印时间：%(at)s") % {"at": date_format(hf.printed_at, "Y-m-d H:i")}, st.right)]
    numbers = iter(CHINESE_NUMERALS)

    def heading(text):
        story.append(p(_("%(n)s、%(text)s") % {"n": next(numbers), "text": text}, st.heading))

    def facts(pairs):
        rows = [[pairs[i][0], pairs[i][1], *(pairs[i + 1] if i + 1 < len(pairs) else ("", ""))]
                for i in range(0, len(pairs), 2)]
        story.append(pdfdoc.table(rows, st, header=False, widths=[28 * mm, 54 * mm, 28 * mm, 54 * mm]))

    def grid(header, rows, empty, widths=None):
        if rows:
            story.append(pdfdoc.table([header, *rows], st, widths=widths))
        else:
            story.append(p(empty, st.body))

    heading(_("家庭基本情况"))
    facts([(_("户主姓名"), h.head_name), (_("户主身份证号"), hf.head_id_shown),
           (_("所在村"), h.village.name), (_("户类别"), h.get_category_display()),
           (_("贫困户属性"), _dash(h.get_attribute_display())), (_("脱贫状态"), _dash(h.get_status_display())),
           (_("识别年度"), _dash(h.identified_year)), (_("脱贫年度"), _dash(h.exit_year)),
           (_("主要致贫原因"), _dash(h.get_main_cause_display())), (_("联系电话"), _dash(hf.phone_shown)),
           (_("监测对象类别"), _dash(h.get_monitoring_class_display())),
           (_("风险是否消除"), _yn(h.risk_eliminated) if h.monitoring_class else "—"),
           (_("住房面积（㎡）"), _dash(h.housing_area)), (_("危房等级"), _dash(h.get_housing_grade_display())),
           (_("饮水安全"), _yn(h.safe_water)), (_("易地扶贫搬迁"), _yn(h.relocated))])
    story.append(p(_("收入情况（%(year)s 年，元）") % {"year": h.income_year}, st.subheading))
    facts([(_("工资性收入"), _money(h.wage_income)), (_("生产经营性收入"), _money(h.business_income)),
           (_("财产性收入"), _money(h.property_income)), (_("转移性收入"), _money(h.transfer_income)),
           (_("生产经营性支出"), _money(h.business_expense)), (_("家庭纯收入"), _money(h.net_income)),
           (_("家庭人口（正常）"), hf.member_count), (_("年人均纯收入"), _money(hf.per_capita))])
    if hf.income_verifications:
        story.append(p(_("收入核实记录"), st.subheading))
        grid([_("核实日期"), _("近 12 个月家庭纯收入"), _("家庭人口"), _("年人均纯收入"), _("说明")],
             [[_day(v.verified_on), _money(v.income_12m), v.persons, _money(v.per_capita), v.note]
              for v in hf.income_verifications], "")
    story.append(p(_("家庭成员"), st.subheading))
    grid([_("姓名"), _("与户主关系"), _("性别"), _("身份证号"), _("健康状况"), _("劳动技能"), _("状态")],
         [[m.name, m.get_relation_display(), m.get_sex_display(), m.id_shown, m.get_health_display(),
           m.get_labour_display(), m.get_status_display()] for m in hf.members], _("无家庭成员。"),
         widths=[20 * mm, 20 * mm, 12 * mm, 42 * mm, 22 * mm, 26 * mm, 18 * mm])

    heading(_("办理程序"))
    if not hf.procedures:
        story.append(p(_("无办理程序。"), st.body))
    for procedure in hf.procedures:
        story.append(p(_("%(kind)s（%(year)s 年度，%(state)s，发起于 %(day)s）")
                       % {"kind": procedure.get_kind_display(), "year": procedure.year,
                          "state": procedure.get_state_display(), "day": _day(procedure.opened_at)}, st.subheading))
        grid([_("步骤"), _("结论"), _("办理人"), _("办理时间"), _("意见")],
             [[r.step_label, r.get_decision_display(), r.actor.get_full_name() or r.actor.get_username(),
               date_format(r.at, "Y-m-d H:i"), r.note] for r in procedure.steps_shown], _("尚无办理记录。"),
             widths=[30 * mm, 20 * mm, 24 * mm, 30 * mm, 70 * mm])

    heading(_("监测线索"))
    grid([_("登记时间"), _("来源渠道"), _("风险类型"), _("状态"), _("核实结果"), _("困难描述")],
         [[_day(lead.created_at), lead.get_channel_display(), lead.get_risk_type_display(), lead.get_status_display(),
           _dash(lead.get_result_display()), lead.description_shown] for lead in hf.leads], _("无监测线索。"))

    heading(_("帮扶措施"))
    if not hf.measure_years:
        story.append(p(_("无帮扶措施。"), st.body))
    for year in hf.measure_years:
        story.append(p(_("%(year)s 年度（合计 %(total)s 元）") % {"year": year["year"], "total": _money(year["total"])},
                       st.subheading))
        grid([_("措施类型"), _("措施名称"), _("受益人员"), _("金额（元）"), _("起止日期"), _("责任单位"), _("明细")],
             [[t["name"], m.name, m.member.name if m.member else _("全户"), _money(m.amount),
               f"{_day(m.start)} ~ {_day(m.end)}", m.responsible_unit, m.details_shown]
              for t in year["types"] for m in t["measures"]], "",
             widths=[20 * mm, 26 * mm, 16 * mm, 20 * mm, 30 * mm, 24 * mm, 38 * mm])

    heading(_("走访记录"))
    grid([_("走访日期"), _("走访人"), _("见到的人"), _("家庭情况"), _("困难和诉求"), _("帮扶举措")],
         [[_day(v.visited_on), v.visitor.get_full_name() or v.visitor.get_username(), v.met, v.situation, v.needs,
           v.done] for v in hf.visits], _("无走访记录。"))

    heading(_("小额信贷"))
    if not hf.loans:
        story.append(p(_("无小额信贷。"), st.body))
    for loan in hf.loans:
        story.append(p(_("%(bank)s　合同 %(contract)s　借款人 %(borrower)s") % {
            "bank": loan.bank, "contract": loan.contract_no, "borrower": loan.borrower.name}, st.subheading))
        facts([(_("贷款金额（元）"), _money(loan.amount)), (_("贷款期限（月）"), loan.term_months),
               (_("放款日期"), _day(loan.disbursed_on)), (_("到期日期"), _day(loan.due_on)),
               (_("贴息比例（%）"), loan.subsidy_percent), (_("贷款余额（元）"), _money(loan.balance)),
               (_("贷款状态"), loan.get_status_display()), (_("贷款用途"), _dash(loan.purpose))])
        installments = list(loan.installments.all())
        if installments:
            grid([_("应还日期"), _("应还本金（元）"), _("应还利息（元）"), _("实还日期"), _("实还金额（元）")],
                 [[_day(i.due_on), _money(i.principal), _money(i.interest), _day(i.paid_on), _money(i.paid_amount)]
                  for i in installments], "")

    heading(_("受益项目"))
    grid([_("项目编号"), _("项目名称"), _("年度"), _("项目状态"), _("项目主管单位"), _("带贫减贫机制")],
         [[pr.code, pr.name, pr.year, pr.get_state_display(), pr.responsible_unit, pr.mechanism]
          for pr in hf.projects], _("无受益项目。"))

    heading(_("帮扶责任人"))
    cadre = h.cadre
    if cadre:
        facts([(_("帮扶责任人"), cadre.name), (_("帮扶单位"), _dash(cadre.work_unit)),
               (_("帮扶责任人电话"), _dash(hf.cadre_phone_shown)), ("", "")])
    else:
        story.append(p(_("尚未确定帮扶责任人。"), st.body))
    story.append(p(_("结对记录"), st.subheading))
    grid([_("帮扶责任人"), _("帮扶单位"), _("结对日期"), _("解除日期"), _("调整原因")],
         [[a.cadre.name, a.cadre.work_unit, _day(a.start), _day(a.end), a.reason] for a in hf.assignments],
         _("无结对记录。"))

    heading(_("佐证材料"))
    for group in hf.evidence:
        story.append(p(group.kind, st.subheading))
        grid([_("文件名"), _("日期"), _("所属")], [[item.name, _day(item.at), item.of] for item in group.items],
             _("无。"), widths=[70 * mm, 28 * mm, 76 * mm])
    story.append(Spacer(1, 6 * mm))
    return pdfdoc.build(story, title=_("一户一档：%(name)s") % {"name": h.head_name}, author=h.village.name)


# --- 明白卡 -----------------------------------------------------------------------------------------------

def _card_story(card: Card, st, width: float) -> list:
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    p = pdfdoc.paragraph
    story = [p(_("帮扶明白卡"), st.title),
             p(_("（%(year)s 年度）") % {"year": card.year}, st.subtitle)]
    facts = [[_("户主"), card.head_name, _("家庭人口"), _("%(n)s 人") % {"n": card.member_count}],
             [_("所在村"), _("%(township)s%(village)s") % {"township": card.township, "village": card.village},
              _("户编号"), card.code],
             [_("帮扶责任人"), card.cadre_name or "—", _("联系电话"), card.cadre_phone or "—"]]
    story.append(pdfdoc.table(facts, st, header=False, label_column=False,
                              widths=[width * 0.18, width * 0.32, width * 0.18, width * 0.32]))
    story.append(p(_("一、本年度享受的帮扶措施和政策"), st.heading))
    if card.lines:
        rows = [[_("类型"), _("内容"), _("受益人员"), _("金额（元）")]]
        rows += [[line.kind, line.name or "—", line.who or "—", _money(line.amount)] for line in card.lines]
        rows.append([_("合计"), "", "", _money(card.total)])
        story.append(pdfdoc.table(rows, st, widths=[width * 0.22, width * 0.38, width * 0.18, width * 0.22]))
    else:
        story.append(p(_("本年度暂无登记的帮扶措施。"), st.body))
    for loan in card.loans:
        story.append(p(_("小额信贷：%(bank)s，%(amount)s 元，期限 %(months)s 个月，贴息 %(subsidy)s%%（%(start)s 至 %(end)s）")
                       % {"bank": loan["bank"], "amount": _money(loan["amount"]), "months": loan["term_months"],
                          "subsidy": loan["subsidy_percent"], "start": _day(loan["disbursed_on"]),
                          "end": _day(loan["due_on"])}, st.body))
    story.append(p(_("二、家庭收入（%(year)s 年度，元）") % {"year": card.income_year}, st.heading))
    rows = [[label, _money(value)] for label, value in card.income_items]
    rows += [[_("家庭纯收入"), _money(card.net_income)], [_("年人均纯收入"), _money(card.per_capita)]]
    story.append(pdfdoc.table(rows, st, header=False, label_column=True, widths=[width * 0.5, width * 0.5]))
    if card.verified:
        story.append(p(_("收入核实（%(day)s）：近 12 个月人均纯收入 %(amount)s 元") % {
            "day": _day(card.verified.verified_on), "amount": _money(card.verified.per_capita)}, st.body))
    story.append(p(_("三、帮扶单位"), st.heading))
    for unit in card.help_units or ["—"]:
        story.append(p(unit, st.body))
    story.append(Spacer(1, 4 * mm))
    story.append(p(_("如对帮扶政策和措施有疑问或意见，请向%(township)s人民政府反映，电话：________________；"
                     "也可拨打全国防止返贫监测和乡村振兴咨询服务平台电话 12317。") % {"township": card.township},
                   st.small))
    return story


def cards_pdf(cards: list[Card], *, size: str = "a4", title: str = "") -> bytes:
    """明白卡 on A4 or A5, one card a page (a long card shrinks to fit its page)."""
    from reportlab.platypus import KeepInFrame, PageBreak

    st = pdfdoc.styles(0.78 if size == "a5" else 1.0)
    margin = 12 if size == "a5" else 18
    width, height = pdfdoc.frame_size(size, margin_mm=margin)
    story: list = []
    for i, card in enumerate(cards):
        if i:
            story.append(PageBreak())
        story.append(KeepInFrame(width, height, _card_story(card, st, width), mode="shrink"))
    if not cards:
        story.append(pdfdoc.paragraph(_("没有可打印的明白卡。"), st.body))
    return pdfdoc.build(story, size=size, title=title or _("帮扶明白卡"), numbered=False,
                        margin_mm=margin)
