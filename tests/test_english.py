"""English mode (issue 13, defect 13): every page in English shows no Chinese but the data.

A county office switches to English with the language choice (Django's set_language view, which sets
the django_language cookie). Every GET page of the scope matrix, for every role, and the Django admin
for the system administrator are then rendered and their visible text (text nodes, the attributes a
person reads, the charts' data, the cells of downloaded workbooks) is searched for Chinese characters
and full-width punctuation — after taking out the data: what the registry and the records hold (names,
villages, notes, messages of problems found by the rules' SQL) and the 简报, which is the county's
document and stays Chinese.

Rule names, categories and 整改建议, indicator names and units, and the kinds of comparison data are
translatable data: the files keep the Chinese (the msgid) and the catalog must have English for each.
"""

from __future__ import annotations

import gettext as gnu_gettext
import html.parser
import importlib.util
import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext, pgettext

from jingzhun.checks.catalog import RULES_DIR, parse_rule
from jingzhun.checks.messages import MessageRenderer
from jingzhun.checks.models import Problem
from jingzhun.alerts.kinds import ALERT_KINDS
from jingzhun.alerts.rules import load_rules as load_alert_rules
from jingzhun.compare.kinds import KINDS
from jingzhun.exchange.blank import EXPLANATIONS_SHEET
from jingzhun.exchange.template import SHEETS
from jingzhun.indicators.catalog import UNIT_CONTEXT, indicator_catalog
from jingzhun.indicators.services import indicators_refresh
from jingzhun.orgunits.models import OrgUnit
from jingzhun.registry.models import VillageProfile

from .people import CHENGNEI, HENGDONG, XIAGAOCHI
from .test_scope_matrix import MATRIX, _people, matrix_world  # noqa: F401  (a fixture)

# The figures of the dashboard come from an ADBC snapshot of the committed database.
pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "jingzhun" / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
#: Han characters, CJK punctuation (。、「」…) and full-width forms (：；，（）！？).
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
#: The language choice names Chinese in Chinese, as every language switcher does.
ALLOWED = {"简体中文"}
#: Pages whose content is a document in the county's own format, not the site's words: the exchange
#: template and its error workbook (Chinese headers and values are the contract with the counties), the
#: 简报 in Word (the county's document, in Chinese; its page shows the same paragraphs and is checked),
#: the 公示 PDF (its text is not searchable; the print view shows the same words and is checked), an
#: uploaded evidence file, and the JSON API, whose keys are the stored values (致贫原因, income sources).
DOCUMENTS = {"exchange:household_export", "exchange:import_errors", "dashboard:bulletin_download", "workflows:batch_pdf",
             "workflows:evidence", "dashboard:overview_json",
             # the empty templates are contracts with counties and departments: their headers stay Chinese
             "exchange:template_download", "compare:format_download", "alerts:format_download",
             # 走访: the phone's JSON carries stored values (在校生状况 …) beside their labels, as the API does
             "assistance:field_data",
             # 考核评估's report is a 公文 in Word: its font table names Chinese fonts (仿宋_GB2312, 宋体 …) in
             # any language; its words are gettext's and the estimates page shows the same figures and is checked
             "assessment:report",
             # 入户调查: the questionnaire's choices are sent back as their stored values (认可 …) beside their labels
             "assessment:field_data",
             # 考评's 通报 is a 公文 in Word like the assessment report (Chinese font names); the published
             # appraisal's page shows the same figures and is checked
             "supervision:appraisal_report",
             # 督查督办: the 问题清单 template is the contract with the 督导组 (Chinese headers and the example rows),
             # and the 整改情况通报 a 公文 in Word (Chinese font names); the batch page shows the same figures
             "supervision:batch_template", "supervision:batch_report"}
#: The API's bodies are data in the exchange's vocabulary (户属性 一般贫困户, 脱贫状态 已脱贫, a questionnaire's
#: answers such as 认可: docs/TEMPLATE values, the same in any language), as the phone pages' JSON; its own
#: words — the error messages — are checked in English by tests/test_api_errors.py.
API = "api:"
ROLES = ("village_clerk", "township_officer", "county_admin", "evaluator", "cadre", "sysadmin")


# --- what a person sees -----------------------------------------------------------------------------

class _Visible(html.parser.HTMLParser):
    """Text nodes, the attributes people read, and the words inside the charts' JSON."""

    READ = ("title", "placeholder", "aria-label", "alt", "data-confirm")
    CHARTS = ("data-chart", "data-dashboard-chart")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        attributes = dict(attrs)
        self.parts += [attributes[a] for a in self.READ if attributes.get(a)]
        for name in self.CHARTS:
            if attributes.get(name):
                self.parts += _strings(json.loads(attributes[name]))
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.parts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def visible_text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if kind.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml"):
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join([ws.title for ws in book] + [str(v) for ws in book for row in ws.iter_rows(values_only=True)
                                                      for v in row if v is not None])
    if kind.startswith("application/vnd.openxmlformats"):
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "\n".join(z.read(n).decode(errors="replace") for n in z.namelist() if n.endswith(".xml"))
    text = body.decode("utf-8", errors="replace")
    if "html" not in kind:
        return text
    parser = _Visible()
    parser.feed(text)
    return "\n".join(parser.parts)


# --- the data ----------------------------------------------------------------------------------------

def data_strings() -> set[str]:
    """Every free text the database holds (fields without choices: names, notes, titles, addresses, the
    messages the rules' SQL wrote), the short names of units, and the names Django stored for
    permissions. Choice fields are left out: their labels are the site's words and must be English."""
    found: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("jingzhun."):
            continue
        fields = [f.attname for f in model._meta.concrete_fields
                  if isinstance(f, (models.CharField, models.TextField)) and not f.choices]
        if fields:
            for row in model._default_manager.values_list(*fields):
                found.update(v for v in row if isinstance(v, str) and CHINESE.search(v))
    found.update(unit.short_name for unit in OrgUnit.objects.all())
    found.update(SHEETS)  # 村表, 户表, 人员表: the names the template's files and sheets must have
    # the headers of the comparison formats (shown on 部门比对) are the files' contract, in Chinese
    found.add(EXPLANATIONS_SHEET)  # the template's sheet 填写说明, named in the texts that point to it
    found.update(column.header for kind in KINDS.values() for column in kind.columns)
    # likewise the department alert formats' headers (shown on 部门预警)
    found.update(column.header for kind in ALERT_KINDS.values() for column in kind.columns)
    # 帮扶措施 (assistance: measures): the text a person typed into a measure's details (JSON, so not a
    # CharField above); the details' labels and choices are the site's words and must be English
    from jingzhun.assistance.models import Measure
    from jingzhun.assistance.services.measures_exchange import SHEET as MEASURES_SHEET
    from jingzhun.assistance.vocab import measure_types

    found.add(MEASURES_SHEET)  # the sheet name a measures file must have, named on the import page

    texts = {(code, d.key) for code, t in measure_types().items() for d in t.details if d.kind == "text"}
    for code, details in Measure.objects.values_list("type", "details"):
        found.update(v for k, v in details.items() if (code, k) in texts and isinstance(v, str) and CHINESE.search(v))
    # 考核评估: a case's reasons for its verdict, written when it was judged (JSON, so not a CharField above)
    from jingzhun.assessment.models import Case

    for reasons in Case.objects.values_list("reasons", flat=True):
        found.update(r["text"] for r in reasons or [] if isinstance(r, dict) and CHINESE.search(r.get("text") or ""))
    # 考评 (area "scoring"): the scheme's names (the county's TOML, or the shipped one) and what a published
    # appraisal froze (unit names, veto reasons, the data behind each item), JSON so not a CharField above
    import tomllib

    from jingzhun.supervision.models import Appraisal, Scheme
    from jingzhun.supervision.services.schemes import DEFAULT_SCHEME

    def scheme_names(doc) -> set[str]:
        return {doc.get("name", "")} | {t.get("name", "") for g in doc.get("group", [])
                                        for t in [g] + g.get("item", []) + g.get("deduction", []) + g.get("veto", [])}

    texts = [DEFAULT_SCHEME.read_text(encoding="utf-8"), *Scheme.objects.values_list("text", flat=True)]
    for text in texts:
        try:
            found.update(n for n in scheme_names(tomllib.loads(text)) if CHINESE.search(n))
        except tomllib.TOMLDecodeError:
            pass
    # a scheme's text is shown whole on the scheme page: its comments and names are the county's words
    for text in texts:
        found.update(CHINESE.findall(text))
    # 督查督办: the 问题清单's sheet and headers (named on the import page) are the format's contract
    from jingzhun.supervision import ledger_format

    found.add(ledger_format.SHEET)
    found.update(ledger_format.HEADERS)
    for results in Appraisal.objects.values_list("results", flat=True):
        found.update(s for s in _strings(results) if CHINESE.search(s))
    return found


def _without(text: str, data: list[str]) -> str:
    for value in data:  # longest first, so a name inside a longer text goes with it
        text = text.replace(value, " ")
    return text


def _chinese_left(text: str) -> set[str]:
    return {run for run in CHINESE.findall(text) if run not in ALLOWED}


def _in_english(client, user):
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302 and client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def _english_world(world):
    for village, population in ((XIAGAOCHI, 1000), (CHENGNEI, 500), (HENGDONG, 500)):
        VillageProfile.objects.create(village_id=village, registered_population=population, registered_households=300,
                                      is_poor_village=True, paved_road=True)
    indicators_refresh(reason="test")


def test_every_page_in_english_shows_no_chinese_but_the_data(matrix_world, client):  # noqa: F811
    world, records = matrix_world
    _english_world(world)
    data = sorted(data_strings(), key=len, reverse=True)
    people = dict(_people(world))
    left: dict[str, set[str]] = {}
    pages = 0
    for role in ROLES:
        user = people[role]
        _in_english(client, user)
        # problem messages are written by the rules' SQL in Chinese: data, as this viewer sees them
        shown = MessageRenderer.for_user(user)
        problems = list(Problem.objects.values_list("message", "detail"))
        shown.prepare(problems)
        mine = sorted({shown.render(m, d) for m, d in problems} | set(data), key=len, reverse=True)
        for name, entry in MATRIX.items():
            if name in DOCUMENTS or name.startswith(API) or entry.public:
                continue
            for kwargs, _target in entry.fill(world, records):
                response = client.get(reverse(name, kwargs=kwargs))
                if response.status_code != 200:
                    continue
                pages += 1
                text = visible_text(response)
                if response.context and response.context.get("paragraphs"):  # the 简报 is a Chinese document
                    mine_here = sorted(set(mine) | set(response.context["paragraphs"]) | {response.context["title"]},
                                       key=len, reverse=True)
                else:
                    mine_here = mine
                for run in _chinese_left(_without(text, mine_here)):
                    left.setdefault(run, set()).add(f"{role} {name}")
                break  # one record per page and role: the words are the same for every record
    assert pages > 150
    assert not left, "\n".join(f"{run}  ← {', '.join(sorted(where)[:3])}" for run, where in sorted(left.items()))


def _admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:%s_%s_changelist" % info))
        urls.append(reverse("admin:%s_%s_add" % info))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:%s_%s_change" % info, args=[first.pk]))
    return urls


def test_the_admin_and_its_task_pages_in_english(matrix_world, client):  # noqa: F811
    from django_tasks_db.models import DBTaskResult

    world, _records = matrix_world
    now = timezone.now()
    DBTaskResult.objects.create(task_path="jingzhun.checks.tasks.check_run_task", args_kwargs={"args": [1], "kwargs": {}},
                                backend_name="default", run_after=now, status="FAILED", started_at=now,
                                finished_at=now, exception_class_path="ValueError", traceback="ValueError: boom")
    data = sorted(data_strings() | set(Permission.objects.values_list("name", flat=True)), key=len, reverse=True)
    _in_english(client, world.sysadmin)
    left: dict[str, set[str]] = {}
    urls = _admin_urls()
    assert any("django_tasks_database" in url for url in urls)
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403), url
        if response.status_code == 200:
            for run in _chinese_left(_without(visible_text(response), data)):
                left.setdefault(run, set()).add(url)
    assert not left, "\n".join(f"{run}  ← {', '.join(sorted(where)[:3])}" for run, where in sorted(left.items()))
    # the task result's pages speak of tasks, and the permissions are named in English
    tasks = client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist")).content.decode()
    assert "Task Results" in tasks and "check_run_task" in tasks
    user_page = client.get(reverse("admin:accounts_user_change", args=[world.county_admin.pk])).content.decode()
    assert "Can view Audit log" in user_page and "Can view 审计日志" not in user_page


# --- plural forms ----------------------------------------------------------------------------------

def test_counts_read_right_for_one_and_for_many(matrix_world, client):  # noqa: F811
    world, _records = matrix_world
    _english_world(world)
    _in_english(client, world.county_admin)
    # 古绛镇 has one household not yet out of poverty (钱有粮), the county two
    township = client.get(reverse("dashboard:overview", args=[XIAGAOCHI[:9]])).content.decode()
    county = client.get(reverse("dashboard:overview", args=["140826"])).content.decode()
    assert re.search(r"Not exited 1 household(?!s)", township)
    assert "Not exited 2 households" in county
    assert "Returned to poverty 0 households" in county
    with translation.override("en"):
        hidden = MessageRenderer(access=None, reach=lambda codes: set())
        assert hidden.render("{households:h}", {"h": ["1408261002330001"]}) == "1 more household outside your scope"
        assert hidden.render("{households:h}", {"h": ["1", "2"]}) == "2 more households outside your scope"
        assert ngettext("共 %(n)s 户", "共 %(n)s 户", 1) % {"n": 1} == "1 household in total"
        assert ngettext("共 %(n)s 户", "共 %(n)s 户", 82) % {"n": 82} == "82 households in total"


def _po_entries() -> list[dict]:
    """The entries of django.po: msgctxt, msgid, msgid_plural, msgstr (a list: one per plural form), flags."""
    entries, entry, field = [], None, None
    for line in PO.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"flags": set(), "msgstr": []}
        if line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = json.loads(line)
            if field == "msgstr":
                entry["msgstr"][-1] += value
            else:
                entry[field] += value
        else:
            key, _sep, rest = line.partition(" ")
            value = json.loads(rest)
            if key.startswith("msgstr"):
                field = "msgstr"
                entry["msgstr"].append(value)
            else:
                field = key
                entry[key] = value
    return entries


def _not_english(entry: dict, translation: str) -> bool:
    """Chinese left in a translation: Han characters may only be the literal names and values of the data
    contract that the msgid quotes (村表.csv, 男 or 女), full-width punctuation only a quoted literal (“、”)."""
    for match in CHINESE.finditer(translation):
        run = match.group(0)
        if re.search(r"[\u3400-\u9fff]", run):
            if run not in entry["msgid"]:
                return True
        elif translation[match.start() - 1:match.start()] != "“" or translation[match.end():match.end() + 1] != "”":
            return True
    return False


def test_the_english_catalog_is_complete_and_in_english_punctuation():
    entries = [e for e in _po_entries() if e["msgid"]]
    assert len(entries) > 1000
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not fuzzy, f"fuzzy entries: {fuzzy[:10]}"
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"])]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    chinese = [(e["msgid"], s) for e in entries for s in e["msgstr"] if e["msgid"] not in ALLOWED and _not_english(e, s)]
    assert not chinese, f"Chinese characters or full-width punctuation in English: {chinese[:10]}"
    same_plural = [e["msgid"] for e in entries if "msgid_plural" in e and len(set(e["msgstr"])) < 2]
    assert not same_plural, f"plural forms that do not differ in English: {same_plural}"


def test_the_compiled_catalog_is_the_po():
    """The .mo the site loads holds exactly the .po's translations (recompile with msgfmt after editing)."""
    with MO.open("rb") as f:
        compiled = gnu_gettext.GNUTranslations(f)._catalog
    expected = {}
    for e in _po_entries():
        key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            expected.update({(key, n): s for n, s in enumerate(e["msgstr"])})
        else:
            expected[key] = e["msgstr"][0]
    compiled.pop("", None)
    expected.pop("", None)
    assert compiled == expected


# --- translatable data -------------------------------------------------------------------------------

def _script():
    spec = importlib.util.spec_from_file_location("data_strings", ROOT / "scripts" / "data_strings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_lists_of_data_words_for_makemessages_are_up_to_date():
    stale = _script().stale()
    assert not stale, f"run python scripts/data_strings.py: {stale}"


def _english(text: str, translated: str) -> None:
    assert translated and translated != text and not CHINESE.search(translated), (text, translated)


def test_rule_words_indicators_and_comparison_kinds_have_english():
    rules = [parse_rule(path) for path in sorted(RULES_DIR.glob("*.sql"))]
    assert len(rules) == 38  # Q36–Q38: the monitoring fields of template v2 (issue 14); Q39–Q43: 小额信贷 (issue 15)
    with translation.override("en"):
        for rule in rules:
            for chinese, shown in ((rule.name, rule.name_shown), (rule.category, rule.category_shown),
                                   (rule.severity, rule.severity_shown), (rule.fix, rule.fix_shown)):
                _english(chinese, shown)
        for indicator in indicator_catalog().values():
            _english(indicator.name, indicator.name_shown)
            _english(indicator.words, indicator.words_shown)
            if indicator.unit != "%":
                _english(indicator.unit, pgettext(UNIT_CONTEXT, indicator.unit))
            assert not CHINESE.search(indicator.heading)
        for kind in (*KINDS.values(), *ALERT_KINDS.values()):
            _english(kind.label, kind.label_shown)
            _english(kind.source, kind.source_shown)
        for alert_rule in load_alert_rules():
            _english(alert_rule.name, alert_rule.name_shown)
        assert parse_rule(RULES_DIR / "Q04.sql").name_shown == "Sex does not match the ID number"
        assert indicator_catalog()["HH_REG"].heading == "Registered poor households (households)"
    # and Chinese stays Chinese
    with translation.override("zh-hans"):
        assert parse_rule(RULES_DIR / "Q04.sql").name_shown == "性别与身份证号不符"
        assert indicator_catalog()["HH_REG"].heading == "建档立卡户数（户）"
        assert KINDS["death"].label_shown == "死亡人口" and gettext("：") == "："
