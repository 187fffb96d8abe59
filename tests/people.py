"""Named people and a tiny registry shared by the tests (after healthchecks' hc/test.py).

下高池村 (140826100233) and 城内村 (140826100201) are villages of 古绛镇 (140826100), 绛县; 横东村
(140826101201) is in 横水镇 (140826101); 张郭村 (140829102210) is in 平陆县, another county.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from stdnum.cn import ric

from jingzhun.accounts.models import Role
from jingzhun.accounts.services import user_create
from jingzhun.orgunits.models import OrgUnit
from jingzhun.registry.models import AssistanceCadre, Household, Member

PASSWORD = "correct-horse-battery-1"

XIAGAOCHI = "140826100233"
CHENGNEI = "140826100201"
HENGDONG = "140826101201"
ZHANGGUO = "140829102210"


def id_number(region: str, birth: str, seq: int) -> str:
    """A valid resident ID: region (6) + birth YYYYMMDD + 3-digit sequence + GB 11643 check character."""
    body = f"{region}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum reads all but the last character


_sequence = itertools.count(1)


def make_household(village: str, serial: int, head: str, *, cadre: AssistanceCadre | None = None,
                   status: str = "已脱贫") -> Household:
    code = f"{village}{serial:04d}"
    n = next(_sequence) % 250
    head_id = id_number(village[:6], "19650304", n * 2 + 1)
    household = Household.objects.create(
        code=code, village_id=village, head_name=head, head_id_number=head_id, standard="国家标准",
        attribute="一般贫困户", status=status, identified_year=2014, exit_year=2018 if status == "已脱贫" else None,
        main_cause="缺技术", income_year=2020, wage_income=Decimal("12000"), business_income=Decimal("3000"),
        property_income=Decimal("0"), transfer_income=Decimal("1500"), business_expense=Decimal("500"),
        housing_area=Decimal("80"), housing_grade="B", safe_water=True, cadre=cadre)
    Member.objects.create(household=household, name=head, id_number=head_id, relation="户主", sex="男",
                          ethnicity="汉族", education="初中", schooling="非在校生", health="健康", labour="普通劳动力",
                          medical_insurance=True)
    Member.objects.create(household=household, name=head[0] + "小红", id_number=id_number(village[:6], "19920611", n * 2 + 2),
                          relation="之女", sex="女", ethnicity="汉族", education="高中", schooling="非在校生",
                          health="健康", labour="普通劳动力", medical_insurance=True)
    return household


class World:
    """The units, people and households every scope test uses."""

    def __init__(self):
        from jingzhun.orgunits.services import divisions_load

        divisions_load(prefix="1408")  # 运城市: enough for every unit below, fast
        unit = OrgUnit.objects.get
        self.cadre_record = AssistanceCadre.objects.create(county_id="140826", name="李帮扶", work_unit="绛县农业农村局",
                                                           phone="13912345678")
        self.home = make_household(XIAGAOCHI, 1, "王建国", cadre=self.cadre_record)
        self.neighbour = make_household(CHENGNEI, 1, "赵德福")
        self.other_township = make_household(HENGDONG, 1, "刘长顺", status="未脱贫")
        self.other_county = make_household(ZHANGGUO, 1, "张守业")
        self.households = [self.home, self.neighbour, self.other_township, self.other_county]

        def person(name, role, code):
            return user_create(username=name, password=PASSWORD, role=role, org_unit=unit(code=code) if code else None,
                               full_name=name, check_password=False)

        self.village_clerk = person("village_clerk", Role.VILLAGE_CLERK, XIAGAOCHI)
        self.township_officer = person("township_officer", Role.TOWNSHIP_OFFICER, "140826100")
        self.county_admin = person("county_admin", Role.COUNTY_ADMIN, "140826")
        self.analyst = person("analyst", Role.ANALYST, "1408")
        self.evaluator = person("evaluator", Role.EVALUATOR, "140826")
        self.cadre = person("cadre", Role.CADRE, "140826")
        self.cadre_record.user = self.cadre
        self.cadre_record.save()
        self.sysadmin = person("sysadmin", Role.SYSADMIN, None)
        #: a member of 下高池村's 驻村工作队: reads the village's households, records visits there
        self.work_team = person("work_team", Role.WORK_TEAM, XIAGAOCHI)
        self.outsider = person("outsider", Role.COUNTY_ADMIN, "140829")
        #: staff of a 县直部门 of 绛县 (the scope world makes it 县民政局 and lists them as its staff): reads the
        #: county like an evaluator, acts on the department's ledger items
        self.department = person("department", Role.DEPARTMENT, "140826")

    @property
    def users(self):
        return [self.village_clerk, self.township_officer, self.county_admin, self.analyst, self.evaluator,
                self.cadre, self.sysadmin, self.outsider, self.work_team, self.department]

    def visible_to(self, user) -> set[str]:
        """The household codes a user must see — written out by hand, not computed by the code under test."""
        every = {h.code for h in self.households}
        return {
            "village_clerk": {self.home.code},
            "township_officer": {self.home.code, self.neighbour.code},
            "county_admin": {self.home.code, self.neighbour.code, self.other_township.code},
            "analyst": every,
            "evaluator": {self.home.code, self.neighbour.code, self.other_township.code},
            "cadre": {self.home.code},
            "sysadmin": every,
            "outsider": {self.other_county.code},
            "work_team": {self.home.code},
            "department": {self.home.code, self.neighbour.code, self.other_township.code},
        }[user.username]
