"""The `jingzhun` command: init, demo, serve, synth, risk, …. It parses arguments and calls services."""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from jingzhun.ops.cli import (add_audit_parser, add_backup_parser, add_mirror_parser, add_restore_parser,
                              add_token_parser, add_unlock_parser)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


@contextmanager
def _progress(description: str, total: int | None):
    """A rich progress bar on a terminal; silent otherwise. Yields an advance(n, description=None) callable."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  disable=not sys.stderr.isatty(), transient=False) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n=0, description=None: progress.update(
            task, advance=n, **({"description": description} if description else {}))


class _Parser(argparse.ArgumentParser):
    """argparse that says what went wrong in Chinese (exit status 2, as argparse)."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        if message.startswith("the following arguments are required: "):
            message = "缺少参数 " + message.split(": ", 1)[1]
        elif message.startswith("argument ") and ": " in message:  # "argument --from: 应为 …"
            flag, detail = message[len("argument "):].split(": ", 1)
            message = f"{flag} {detail}"
        self.exit(2, f"错误：{message}\n")


def _iso_date(text: str) -> datetime.date:
    """An argparse type: YYYY-MM-DD, or a Chinese message naming what was typed."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为 YYYY-MM-DD 格式的日期，收到“{text}”") from None


def _unit(code: str):
    """The org unit `code`, or None after telling the user on stderr (Django must be set up)."""
    from jingzhun.orgunits.models import OrgUnit

    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        print(f"错误：没有区划代码为“{code}”的单位，请检查 --org。", file=sys.stderr)
    return unit


def cmd_init(args) -> int:
    _setup_django()
    from django.core.management import call_command

    from jingzhun.orgunits.divisions import DIVISIONS_CSV, read_divisions
    from jingzhun.orgunits.services import divisions_load

    call_command("migrate", interactive=False, verbosity=0)
    with _progress("载入行政区划", len(read_divisions(DIVISIONS_CSV))) as advance:
        count = divisions_load(progress=advance)
    from django.conf import settings

    print(f"数据库已就绪：{settings.DATABASES['default']['NAME']}；行政区划 {count} 个。")
    return 0


def cmd_demo(args) -> int:
    code = cmd_init(args)
    if code:
        return code
    from jingzhun.synth.demo import DEMO_COUNTY, demo_as_of, demo_data_year, demo_registry_load, demo_users_reset
    from jingzhun.synth.demo_work import demo_work_load

    as_of, income_year = demo_as_of()
    with _progress(f"生成并导入演示县（绛县，{as_of} 的情况，{income_year} 年收入）", None):
        loaded = demo_registry_load(households=args.households, seed=args.seed, as_of=as_of)
    planted = []
    if loaded is None:
        print(f"演示县 {DEMO_COUNTY} 已有数据，跳过生成。")
    else:
        summary, planted = loaded
        print(f"演示县 {DEMO_COUNTY}：村 {summary.villages.created} 个，户 {summary.households.created} 户，"
              f"人 {summary.members.created} 人，帮扶责任人 {summary.cadres_created} 名；"
              f"下高池村预置待整改问题 {len(planted)} 处。")
    credentials = demo_users_reset(cadre_households=[case.household for case in planted])
    from jingzhun.synth.demo_assistance import demo_assistance_load

    with _progress("生成帮扶措施、走访、小额信贷、驻村工作队和项目资金", None):
        assistance = demo_assistance_load(day=as_of, seed=args.seed)
    if assistance is not None:
        print(f"帮扶：措施 {assistance.measures} 项，走访 {assistance.visits} 次，小额信贷 {assistance.loans} 笔，"
              f"驻村工作队 {assistance.teams} 支（队员 {assistance.team_members} 名），项目 {assistance.projects} 个。")
    from jingzhun.indicators.services import indicators_refresh

    with _progress("计算决策看板指标", None):
        indicators_refresh(reason="演示数据")
    data_year = demo_data_year()
    if data_year is not None and data_year < income_year:
        from django.conf import settings

        print(f"注意：演示县是旧版演示数据（{data_year} 年收入）。删除数据库 {settings.DATABASES['default']['NAME']} "
              f"后重新运行 jingzhun demo，可生成 {as_of} 的演示县。")
    else:
        with _progress("核查数据并准备各角色的待办事项", None):
            work = demo_work_load(as_of=as_of)
        if work is not None:
            print(f"待办：问题 {work.problems} 条，办理中的程序 {work.procedures} 件，公示 {work.batches} 批，"
                  f"待处理异议 {work.objections} 条。")
        from jingzhun.synth.demo_monitoring import demo_monitoring_load

        with _progress("准备防止返贫监测的线索、部门预警和监测程序", None):
            monitoring = demo_monitoring_load(day=as_of)
        if monitoring is not None:
            print(f"防止返贫监测：待核实线索 {monitoring.leads} 条，办理中的监测程序 {monitoring.procedures} 件，"
                  f"医保预警 {monitoring.alert_hits} 条。")
        from jingzhun.synth.demo_assessment import demo_assessment_load

        with _progress("制定巩固成果后评估方案、抽样并准备调查问卷", None):
            assessment = demo_assessment_load(day=as_of, seed=args.seed)
        if assessment is not None:
            print(f"考核评估：样本户 {assessment.cases} 户，已完成问卷 {assessment.answered} 份，"
                  f"评估组已审核 {assessment.approved} 份（/assessment/{assessment.assessment.pk}/estimates/）。")
        from jingzhun.synth.demo_ledger import demo_ledger_load

        with _progress("导入督导组反馈问题清单、批量交办、办理和复核，发布绩效考评", None):
            ledger = demo_ledger_load(day=as_of)
        if ledger is not None:
            print(f"督查督办：交办批次“{ledger.batch.name}”{ledger.items} 个问题，已交办 {ledger.assigned} 个，"
                  f"已销号 {ledger.closed} 个，待复核 {ledger.reported} 个（/supervision/batches/{ledger.batch.pk}/）；"
                  f"绩效考评见 /supervision/appraisal/。")
    print("\n演示账号（每次运行 jingzhun demo 都会重设密码）：")
    for username, password, role, unit in credentials:
        print(f"  {role:<10}\t{unit:<10}\t用户名 {username:<10}\t密码 {password}")
    from jingzhun.synth.demo import demo_api_token

    account, token = demo_api_token()
    print(f"\n接口 /api/v1/（文档 /api/v1/docs/）：服务账号 {account}（县级管理员，绛县），演示令牌（30 天，"
          f"重新运行 jingzhun demo 即吊销）：\n  curl -H 'Authorization: Bearer {token}' "
          f"http://{args.host}:{args.port}/api/v1/units/")
    if args.no_serve:
        return 0
    return cmd_serve(args)


def cmd_serve(args) -> int:
    _setup_django()
    from waitress import serve

    from config.wsgi import application
    from jingzhun.runs.reaper import reap_safely
    from jingzhun.runs.supervisor import exit_on_sigterm, run_child, supervised, worker_command

    reap_safely()  # runs left "running" when the server last stopped
    # Background tasks (imports, checks, refreshes, comparisons) run in a supervised worker process:
    # restarted when it dies, stopped with the server (Ctrl+C or SIGTERM).
    with exit_on_sigterm(), supervised(None if args.no_worker else worker_command()):
        print(f"精准 已启动：http://{args.host}:{args.port}/  （Ctrl+C 停止）", flush=True)
        if args.processes > 1:
            # One Python process runs one request at a time on one core (the GIL); a busy server runs
            # several (gunicorn, Unix only), each with its threads.
            run_child([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers",
                       str(args.processes), "--worker-class", "gthread", "--threads", str(args.threads),
                       "--bind", f"{args.host}:{args.port}", "--log-level", "warning",
                       # each process its own listening socket: the kernel spreads connections evenly
                       "--reuse-port"])
        else:
            serve(application, host=args.host, port=args.port, threads=args.threads)
    return 0


def cmd_synth(args) -> int:
    _setup_django()
    from jingzhun.synth import generate, write

    try:
        # --as-of: the registry as it stands on that day, with the incomes of the last full year before it
        year = args.year or (args.as_of.year - 1 if args.as_of else 2020)
        registry = generate(county=args.county, households=args.households, seed=args.seed, errors=args.errors,
                            year=year, as_of=args.as_of, ordinary=args.ordinary)
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    write(registry, args.out, fmt=args.format)
    print(f"已生成 {registry.households.num_rows} 户、{registry.members.num_rows} 人，"
          f"{registry.villages.num_rows} 个村，写入 {args.out}"
          + (f"；注入错误 {len(registry.manifest)} 处（见 errors-manifest.csv）" if registry.manifest else ""))
    if args.alerts:
        from jingzhun.synth.alert_files import alert_files, write_alert_files

        day = args.as_of or datetime.date(year, 12, 31)
        files = alert_files(registry, seed=args.seed, as_of=day)
        paths = write_alert_files(files, args.out / "部门预警")
        print("部门预警文件：" + "，".join(f"{p.name} {len(files[p.stem])} 行" for p in paths)
              + f"，写入 {args.out / '部门预警'}（可用 jingzhun alerts 导入）")
    return 0


def cmd_export(args) -> int:
    _setup_django()
    from django.http import Http404

    from jingzhun.exchange.export import ExportTooLarge, registry_export
    from jingzhun.registry import vocab

    for value, vocabulary, label in ((args.status, vocab.PovertyStatus, "脱贫状态"),
                                     (args.attribute, vocab.HouseholdAttribute, "贫困户属性"),
                                     (args.cause, vocab.PovertyCause, "主要致贫原因")):
        if value and value not in vocabulary.values:
            print(f"错误：{label}“{value}”不在可选值中（可选：{' / '.join(vocabulary.values)}）", file=sys.stderr)
            return 2
    try:
        result = registry_export(acting_user=None, out=args.out, org=args.org, status=args.status or "",
                                 attribute=args.attribute or "", main_cause=args.cause or "", source="cli")
    except Http404:
        print(f"错误：没有区划代码为“{args.org}”的单位，请检查 --org。", file=sys.stderr)
        return 2
    except ExportTooLarge as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(f"已导出 户 {result.households} 户、人 {result.members} 人、村 {result.villages} 个 → {args.out}")
    return 0


def _print_issues(console, issues, what: str) -> None:
    """An import's errors as one table: nothing of `what` was imported (all or nothing)."""
    from rich.table import Table

    table = Table(title=f"发现 {len(issues)} 处错误，未导入任何{what}（请改正后重新导入）")
    for column in ("文件", "表", "行号", "列（表头）", "内容", "错误说明"):
        table.add_column(column)
    for i in issues:
        table.add_row(i.source, i.sheet, "" if i.row is None else str(i.row), i.header, i.value, i.message)
    console.print(table)


def cmd_import(args) -> int:
    _setup_django()
    import json

    from jingzhun.exchange.importer import registry_import

    # JSON is for scripts: their stderr stays clean. A person watching sees where a long import is.
    shown = _StageLine(None if args.format == "json" else sys.stderr)
    try:
        report = registry_import(paths=args.paths, dry_run=args.dry_run, via="命令行", progress=shown)
    finally:
        shown.close()
    if args.format == "json":
        print(json.dumps({"ok": report.ok, "dry_run": report.dry_run, "sources": report.sources,
                          "issues": [i.as_dict() for i in report.issues],
                          "summary": _summary_rows(report.summary) if report.summary else None},
                         ensure_ascii=False, indent=2))
        return 0 if report.ok else 1
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    if not report.ok:
        _print_issues(console, report.issues, "数据")
        return 1
    table = Table(title=("试导入（未写入）：" if report.dry_run else "导入完成：") + "、".join(report.sources))
    for column in ("", "新增", "更新", "未变"):
        table.add_column(column, justify="right")
    for label, counts in _summary_rows(report.summary).items():
        table.add_row(label, str(counts["created"]), str(counts["updated"]), str(counts["unchanged"]))
    console.print(table)
    return 0


class _StageLine:
    """A progress callback (stage, percent) that writes to `stream` (None: nowhere): on a terminal one
    line redrawn in place, elsewhere (a log, a pipe) one line per stage."""

    def __init__(self, stream) -> None:
        self.stream, self.tty, self.drawn = stream, stream is not None and stream.isatty(), False

    def __call__(self, stage: str, percent: int) -> None:
        if self.stream is None:
            return
        line = f"{stage} {percent}%"
        if self.tty:
            self.stream.write("\r\x1b[K" + line)
            self.drawn = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _summary_rows(summary) -> dict:
    return {"村": vars(summary.villages), "户": vars(summary.households), "人": vars(summary.members)}


def cmd_check(args) -> int:
    _setup_django()
    import json

    from django.core.exceptions import ValidationError

    from jingzhun.checks.services import catalog, check_run_execute, findings_compute, select_rules

    as_of = args.as_of
    if args.org and _unit(args.org) is None:
        return 2
    codes = [c.strip() for c in args.rules.split(",") if c.strip()] if args.rules else None
    try:
        rules = select_rules(codes)
    except ValidationError as exc:
        print(f"错误：{exc.messages[0]}", file=sys.stderr)
        return 2
    where = {"engine": args.engine, "snapshot_dir": args.snapshot}
    try:
        if args.no_store:
            import django.utils.timezone

            findings, _s, _r = findings_compute(org=args.org or "", rules=rules, **where,
                                                as_of=as_of or django.utils.timezone.localdate())
        else:
            run, findings = check_run_execute(org=args.org or "", as_of=as_of, rule_codes=[r.code for r in rules],
                                              **where)
    except (ImportError, FileNotFoundError) as exc:  # no PySpark; a snapshot directory that is not one
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    from jingzhun.checks.messages import MessageRenderer

    # The CLI is the system (every unit, numbers in full): messages are filled in, the detail kept.
    full = MessageRenderer.full()
    rows = [dict(r, detail=json.loads(r["detail"]) if r["detail"] else {},
                 message=full.render(r["message"], json.loads(r["detail"]) if r["detail"] else {}))
            for r in findings.to_pylist()]
    if args.format == "json":
        text = json.dumps(rows, ensure_ascii=False, indent=1)
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
            _audit_file_written(args.out, what="problems", count=len(rows), org=args.org or "", format="json")
        else:
            print(text)
        return 0
    from rich.console import Console
    from rich.table import Table

    names = {code: rule.name for code, rule in catalog().items()}
    table = Table(title=f"发现问题 {len(rows)} 条" + ("" if args.no_store else
                                                      f"（新增 {run.opened}，自动销号 {run.closed}）"))
    for column in ("规则", "问题", "户编号", "身份证号", "村代码", "说明"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["rule"], names.get(r["rule"], ""), r["household"], r["person"] or "", r["org"], r["message"])
    console = Console(highlight=False, file=open(args.out, "w", encoding="utf-8") if args.out else None,
                      width=200 if args.out else None)
    console.print(table)
    if args.out:
        console.file.close()
        _audit_file_written(args.out, what="problems", count=len(rows), org=args.org or "", format="table")
    return 0


def _audit_file_written(path, *, what: str, count: int, **detail) -> None:
    """A file written from the command line leaves an EXPORT audit row like a download does."""
    import getpass

    from jingzhun.accounts.audit import audit_record
    from jingzhun.accounts.models import AuditEvent

    audit_record(action=AuditEvent.Action.EXPORT, username=f"cli:{getpass.getuser()}", target=str(path),
                 detail={"what": what, "count": count, "source": "cli", **detail})


def cmd_indicators(args) -> int:
    _setup_django()
    import json

    from django.utils import timezone

    from jingzhun.indicators.catalog import indicator_catalog
    from jingzhun.indicators.services import indicators_compute

    unit = _unit(args.org)
    if unit is None:
        return 2
    as_of = args.as_of or timezone.localdate()
    values = indicators_compute(org=args.org, as_of=as_of)
    if args.bulletin:
        from jingzhun.indicators.bulletin import bulletin_docx, bulletin_paragraphs

        paragraphs = bulletin_paragraphs(unit_name=unit.name, code=unit.code, as_of=as_of, values=values)
        bulletin_docx(paragraphs, title=f"{unit.name}脱贫攻坚工作简报", path=args.bulletin)
        _audit_file_written(args.bulletin, what="bulletin", count=1, org=unit.code)
        print("\n".join(paragraphs))
        print(f"简报已写入 {args.bulletin}")
        return 0
    if args.format == "json":
        print(json.dumps(values, ensure_ascii=False, indent=1))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{unit.name}（{unit.code}）主要指标，基准日 {as_of}")
    for column in ("代码", "指标", "数值", "单位"):
        table.add_column(column)
    for code, indicator in indicator_catalog().items():
        value = values.get(code)
        table.add_row(code, indicator.name, "—" if value is None else str(value), indicator.unit)
    Console(highlight=False).print(table)
    if values.get("MEASURES") or values.get("FUNDS"):
        from jingzhun.assistance.vocab import FundSource, measure_types

        types = measure_types()
        breakdown = Table(title="帮扶措施覆盖（按类型）与衔接资金（按来源）")
        for column in ("项目", "户数 / 计划（元）", "覆盖率 / 支出（元）", "执行率"):
            breakdown.add_column(column)
        for code, figures in (values.get("MEASURES") or {}).items():
            name = types[code].name if code in types else code
            breakdown.add_row(name, str(figures["households"]), f"{figures['rate']}%", "")
        for source, figures in (values.get("FUNDS") or {}).items():
            label = FundSource(source).label if source in FundSource.values else source
            breakdown.add_row(str(label), f"{figures['planned']:.2f}", f"{figures['spent']:.2f}",
                              "—" if figures["rate"] is None else f"{figures['rate']}%")
        Console(highlight=False).print(breakdown)
    return 0


def cmd_alerts(args) -> int:
    _setup_django()
    import json

    from jingzhun.alerts.kinds import ALERT_KINDS, alert_kind_by_name
    from jingzhun.alerts.rules import figures_text, rule_names
    from jingzhun.alerts.services import alert_batch_load

    kind = alert_kind_by_name(args.kind)
    if kind is None:
        choices = "、".join(f"{k.code}（{k.label}）" for k in ALERT_KINDS.values())
        print(f"错误：没有“{args.kind}”这类预警数据（可选：{choices}）。", file=sys.stderr)
        return 2
    if args.org and _unit(args.org) is None:
        return 2
    report = alert_batch_load(kind=kind, paths=args.paths, org=args.org or "", source=args.source or "",
                              data_date=args.date, via="命令行")
    if not report.ok:
        return _refused_files(kind, report.issues, args.format)
    batch = report.batch
    names = rule_names()
    hits = [{"village": h.village, "household": h.household, "person": h.person, "name": h.person_name,
             "group": h.group, "rule": h.rule, "rule_name": names.get(h.rule, h.rule), "risk_type": h.risk_type,
             "figures": h.figures, "record_row": h.record.row, "method": h.record.method, "lead": h.lead_id}
            for h in batch.hits.select_related("record").order_by("village", "household", "rule", "pk")]
    if args.format == "json":
        print(json.dumps({"ok": True, "kind": kind.code, "batch": batch.pk, "rows": batch.rows, "counts": batch.counts,
                          "policy": {"unit": batch.policy["unit"], "year": batch.policy["year"],
                                     "titles": batch.policy["titles"]},
                          "hits": hits}, ensure_ascii=False, indent=1))
        return 0
    from rich.console import Console
    from rich.table import Table

    c = batch.counts
    table = Table(title=f"{kind.label}：{batch.rows} 条记录，匹配到建档立卡人员 {c['exact'] + c['fuzzy']} 人"
                        f"（身份证号一致 {c['exact']}，相似 {c['fuzzy']}）；预警 {c['hits']} 条"
                        f"（政策依据：{'、'.join(batch.policy['titles'])}）")
    for column in ("村代码", "户编号", "姓名", "身份证号", "规则", "风险类型", "预警依据", "记录行号"):
        table.add_column(column)
    for h in hits:
        table.add_row(h["village"], h["household"], h["name"], h["person"], f"{h['rule']} {h['rule_name']}",
                      h["risk_type"], figures_text(h["figures"]), str(h["record_row"]))
    Console(highlight=False).print(table)
    return 0


def _refused_files(kind, issues, fmt: str) -> int:
    """A department file set refused (comparison data or alert files): every issue, as JSON or a table."""
    if fmt == "json":
        import json

        print(json.dumps({"ok": False, "kind": kind.code, "issues": [i.as_dict() for i in issues]},
                         ensure_ascii=False, indent=1))
        return 1
    from rich.console import Console

    _print_issues(Console(highlight=False), issues, "数据")
    return 1


def cmd_compare(args) -> int:
    _setup_django()
    import json

    from jingzhun.compare.kinds import KINDS, kind_by_name
    from jingzhun.compare.services import compare_run_execute, dataset_load

    kind = kind_by_name(args.kind)
    if kind is None:
        choices = "、".join(f"{k.code}（{k.label}）" for k in KINDS.values())
        print(f"错误：没有“{args.kind}”这类比对数据（可选：{choices}）。", file=sys.stderr)
        return 2
    data_date = args.date
    if args.org and _unit(args.org) is None:
        return 2
    report = dataset_load(kind=kind, paths=args.paths, source=args.source or "", data_date=data_date, via="命令行")
    if not report.ok:
        return _refused_files(kind, report.issues, args.format)
    try:
        run = compare_run_execute(kind=kind, org=args.org or "", engine=args.engine, batch=report.batch,
                                  retrain=args.retrain)
    except ImportError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    matches = [{"village": m.village, "household": m.household, "person": m.person, "member_name": m.member_name,
                "record_row": m.record.row, "record_name": m.record.name, "method": m.method,
                "match_weight": m.match_weight, "status": m.status, "agreements": m.agreement_labels}
               for m in run.matches.select_related("record").order_by("village", "household", "pk")]
    if args.format == "json":
        print(json.dumps({"ok": True, "kind": kind.code, "run": run.pk, "batch": report.batch.pk,
                          "counts": run.counts, "matches": matches}, ensure_ascii=False, indent=1))
        return 0
    from rich.console import Console
    from rich.table import Table

    c = run.counts
    table = Table(title=f"{kind.label}：{c['records']} 条记录对比建档立卡 {c['registry']} 人；身份证号一致 {c['exact']}，"
                        f"相似 {c['fuzzy']}（自动确认 {c['auto']}，待人工核对 {c['pending']}）；问题 {c['problems']} 条")
    for column in ("村代码", "户编号", "成员", "外部记录（行）", "方式", "权重", "状态", "一致的字段"):
        table.add_column(column)
    labels = {"exact": "身份证号", "fuzzy": "相似", "auto": "自动确认", "pending": "待核对", "accepted": "已确认",
              "rejected": "已否定"}
    for m in matches:
        table.add_row(m["village"], m["household"], m["member_name"], f"{m['record_name']}（{m['record_row']}）",
                      labels[m["method"]], "" if m["match_weight"] is None else f"{m['match_weight']:.1f}",
                      labels[m["status"]], "，".join(f"{k}{v}" for k, v in m["agreements"].items()))
    Console(highlight=False).print(table)
    return 0


def cmd_refresh(args) -> int:
    """Refresh the stored indicators of every unit now (what imports queue for the background worker)."""
    _setup_django()

    from jingzhun.indicators.services import indicators_refresh

    as_of = args.as_of
    if args.engine != "duckdb":  # before a refresh is recorded: a missing engine is a usage error, not a failed run
        from jingzhun.analytics.spark import require_pyspark

        try:
            require_pyspark()
        except ImportError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
    with _progress("更新各级指标", None) as advance:
        refresh = indicators_refresh(as_of=as_of, reason="命令行更新", engine=args.engine,
                                     progress=lambda step: advance(description=step))
    print(f"指标已更新：{refresh.units} 个单位，{refresh.members} 人，基准日 {refresh.as_of}；"
          f"读取 {refresh.snapshot_seconds:.1f} 秒，计算 {refresh.compute_seconds:.1f} 秒，"
          f"保存 {refresh.store_seconds:.1f} 秒。")
    return 0


def cmd_snapshot(args) -> int:
    """Write the registry (under --org) as a Parquet snapshot: what a Spark cluster checks (docs/spark.md)."""
    _setup_django()
    from jingzhun.analytics import registry_snapshot

    if args.org and _unit(args.org) is None:
        return 2
    snapshot = registry_snapshot(args.org)
    snapshot.to_parquet(args.out)
    members = snapshot.tables["members"].num_rows
    print(f"快照已写入 {args.out}：{snapshot.tables['households'].num_rows} 户，{members} 人。")
    _audit_file_written(args.out, what="snapshot", count=members, org=args.org)
    return 0


def add_engine_option(parser) -> None:
    """--engine: the analytics engine a command computes on."""
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb",
                        help="计算引擎（默认 duckdb；spark 需安装 jingzhun[spark]）")


def cmd_changes(args) -> int:
    _setup_django()
    import json

    from jingzhun.workflows.ledger import ledger_breakdown, ledger_text
    from jingzhun.workflows.models import LedgerEvent

    unit = _unit(args.org)
    if unit is None:
        return 2
    dates = {"from_": args.from_, "to": args.to}
    if dates["from_"] > dates["to"]:
        print("错误：--from 不能晚于 --to。", file=sys.stderr)
        return 2
    total, units = ledger_breakdown(LedgerEvent.objects.all(), org=unit.code, start=dates["from_"], end=dates["to"])
    if args.format == "json":
        print(json.dumps({"org": unit.code, "name": unit.name, "from": args.from_.isoformat(), "to": args.to.isoformat(),
                          "total": total.as_dict(), "units": [u.as_dict() for u in units]},
                         ensure_ascii=False, indent=1))
        return 0
    from rich.console import Console
    from rich.table import Table

    print(f"{unit.name}（{unit.code}）{args.from_} 至 {args.to}：{ledger_text(total)}", flush=True)
    # Wide enough off a terminal (a file, a pipe) that no code or name is wrapped.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    table = Table()
    for column in ("代码", "单位", "新识别 户/人", "清退 户/人", "返贫 户/人", "脱贫 户/人", "人口自然变更 人次",
                   "纳入监测 户/人", "风险消除 户/人"):
        table.add_column(column)
    for u in units:
        table.add_row(u.code, u.name, *[f"{u.households(t)}/{u.persons(t)}" for t in ("new", "removal", "return", "exit")],
                      str(u.persons("natural")),
                      *[f"{u.households(t)}/{u.persons(t)}" for t in ("monitored", "eliminated")])
    console.print(table)
    return 0


def cmd_leads(args) -> int:
    _setup_django()
    import json

    from django.utils import timezone

    from jingzhun.monitoring.selectors import unit_queue

    unit = _unit(args.org)
    if unit is None:
        return 2
    today = timezone.localdate()
    leads = unit_queue(unit.code, status=args.status, overdue=args.overdue, source=args.source)
    rows = [{"id": lead.pk, "created_at": timezone.localtime(lead.created_at).isoformat(timespec="seconds"),
             "channel": lead.get_channel_display(), "village": lead.village_id, "village_name": lead.village.short_name,
             "household": lead.household_id or "", "name": lead.name, "id_number": lead.id_number,
             "risk_type": lead.get_risk_type_display(), "reports": lead.reports, "unit": lead.unit_id,
             "status": lead.get_status_display(), "verify_due": lead.verify_due.isoformat(),
             "decide_due": lead.decide_due.isoformat(), "overdue": lead.status == "pending" and lead.verify_due < today,
             "result": lead.get_result_display(), "reason": lead.result_reason,
             "sources": [r.source_ref for r in lead.report_rows.all() if r.source_ref]}
            for lead in leads.iterator(2000)]
    if args.format == "json":
        print(json.dumps({"org": unit.code, "name": unit.name, "leads": rows}, ensure_ascii=False, indent=1))
        return 0
    from rich.console import Console
    from rich.table import Table

    print(f"{unit.name}（{unit.code}）监测线索 {len(rows)} 条，"
          f"其中逾期未核实 {sum(r['overdue'] for r in rows)} 条", flush=True)
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
    table = Table()
    for column in ("编号", "渠道", "村", "户主", "风险类型", "报告", "所在单位", "状态", "核实期限", "结果"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["id"]), r["channel"], r["village_name"], r["name"], r["risk_type"], str(r["reports"]),
                      r["unit"], r["status"], r["verify_due"] + ("（逾期）" if r["overdue"] else ""), r["result"])
    console.print(table)
    return 0


def cmd_assess_estimate(args) -> int:
    """三率一度 of an assessment from its headquarters-approved questionnaires, with SE and 95% interval."""
    _setup_django()
    import json

    from jingzhun.assessment.models import Assessment
    from jingzhun.assessment.services import estimates as services
    from jingzhun.policy import PolicyPackError

    assessment = Assessment.objects.filter(pk=args.assessment).first()
    if assessment is None:
        print(f"没有编号为 {args.assessment} 的考核评估", file=sys.stderr)
        return 2
    try:
        result = services.assessment_estimates(assessment)
    except PolicyPackError as exc:
        print(f"政策包有误，无法计算：{exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
        return 0
    from rich.console import Console
    from rich.table import Table

    print(f"{assessment.title}（编号 {assessment.pk}，{assessment.get_state_display()}）："
          f"抽取 {result.drawn} 户，评估组已审核 {result.approved} 户进入估计", flush=True)
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
    table = Table()
    for column in ("指标", "估计值", "标准误", "95% 区间", "标准", "结论", "把握", "样本户", "方法"):
        table.add_column(column)
    for r in services.rate_rows(result):
        table.add_row(r["label"], r["point"], r["se"], r["interval"], r["threshold"], r["verdict_words"],
                      r["confidence"], str(r["households"]), r["method"])
    console.print(table)
    print("调查进度：" + "，".join(f"{assessment.cases.model.State(s).label} {n} 户"
                                for s, n in result.states.items() if n))
    return 0


def cmd_loans_overdue(args) -> int:
    """小额信贷: refresh the loans' 逾期/不良 state, then bring overdue installments in as 防止返贫监测 leads."""
    _setup_django()
    from jingzhun.assistance.services.loans import loans_overdue_to_leads, loans_refresh_status

    changed = loans_refresh_status(as_of=args.as_of)
    made = loans_overdue_to_leads(as_of=args.as_of)
    print(f"贷款状态更新：转为正常 {changed['normal']} 笔，逾期 {changed['overdue']} 笔，不良 {changed['npl']} 笔")
    print(f"逾期还款线索：新建 {made.created} 条，并入已有线索 {made.merged} 条，此前已报告 {made.already} 期")
    for problem in made.refused or ():
        print(f"未能登记：{problem}", file=sys.stderr)
    return 1 if made.refused else 0


def cmd_measures_import(args) -> int:
    """帮扶措施 files: all or nothing; --user scopes the import to that user's households."""
    _setup_django()
    import json

    from django.core.exceptions import PermissionDenied

    from jingzhun.accounts.models import User
    from jingzhun.assistance.services.measures_exchange import measures_import

    user = None
    if args.user:
        user = User.objects.filter(username=args.user, is_active=True).first()
        if user is None:
            print(f"错误：没有启用的用户“{args.user}”，请检查 --user。", file=sys.stderr)
            return 2
    try:
        report = measures_import(paths=args.paths, acting_user=user, via="命令行")
    except PermissionDenied:
        print(f"错误：用户“{args.user}”不能导入帮扶措施（帮扶措施由村、乡镇、县的信息员导入）。", file=sys.stderr)
        return 2
    if not report.ok and args.errors:
        from jingzhun.exchange.errorbook import error_workbook

        error_workbook(report.issues, report.sheets, args.errors)
    if args.format == "json":
        print(json.dumps({"ok": report.ok, "sources": report.sources, "issues": [i.as_dict() for i in report.issues],
                          "created": report.created, "updated": report.updated, "unchanged": report.unchanged},
                         ensure_ascii=False, indent=2))
        return 0 if report.ok else 1
    from rich.console import Console

    console = Console(highlight=False)
    if not report.ok:
        _print_issues(console, report.issues, "措施")
        if args.errors:
            console.print(f"错误清单已写入 {args.errors}")
        return 1
    console.print(f"导入完成（{'、'.join(report.sources)}）：新增 {report.created} 项，更新 {report.updated} 项，"
                  f"未变 {report.unchanged} 项")
    return 0


def cmd_measures_export(args) -> int:
    _setup_django()
    import getpass

    from django.http import Http404

    from jingzhun.assistance.services.measures_exchange import measures_export

    try:
        result = measures_export(acting_user=None, org=args.org, out=args.out, source="cli",
                                 username=f"cli:{getpass.getuser()}")
    except Http404:
        print(f"错误：没有区划代码为“{args.org}”的单位，请检查 --org。", file=sys.stderr)
        return 2
    print(f"已导出帮扶措施 {result.count} 项 → {args.out}")
    return 0


def _per_village(text: str) -> dict[str, int]:
    """An argparse type: households per village and frame, as exited=10,not_exited=3,monitored=5."""
    out = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        frame, _eq, number = part.partition("=")
        if frame.strip() not in ("exited", "not_exited", "monitored") or not number.strip().isdigit():
            raise argparse.ArgumentTypeError(
                f"应为“抽样框=户数”，用逗号分隔，抽样框为 exited、not_exited、monitored，收到“{text}”")
        out[frame.strip()] = int(number)
    return out


def _assess_design(args, base: dict) -> dict:
    design = dict(base)
    if args.strata is not None:
        design["strata"] = args.strata
    if args.villages_per_stratum is not None:
        design["villages_per_stratum"] = args.villages_per_stratum
    if args.per_village is not None:
        design["per_village"] = {f: args.per_village.get(f, 0) for f in ("exited", "not_exited", "monitored")}
    if args.no_screen:
        design["screen"] = False
    return design


def cmd_assess_plan(args) -> int:
    """考核评估方案: create and draw a plan (or, with --frame, redraw a saved frame without writing)."""
    _setup_django()
    import hashlib
    import json

    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from jingzhun.assessment.services import plans

    if args.frame is not None:
        try:
            content = args.frame.read_bytes()
        except OSError as exc:
            print(f"错误：读不了抽样框文件“{args.frame}”：{exc.strerror}", file=sys.stderr)
            return 2
        meta = plans.frame_metadata(content)
        if args.seed is None:
            print("错误：重抽须用 --seed 给出评估方案的随机种子。", file=sys.stderr)
            return 2
        try:
            design = plans.design_clean(_assess_design(args, meta.get("design") or plans.DEFAULT_DESIGN))
            sample = plans.sample_redraw(content, design=design, seed=args.seed)
        except plans.PlanError as exc:
            print(f"错误：{exc.message}", file=sys.stderr)
            return 2
        except Exception as exc:  # not a frame file: pyarrow's error says which part is wrong
            print(f"错误：“{args.frame}”不是抽样框文件（{type(exc).__name__}）。", file=sys.stderr)
            return 2
        rows = [{"order": h["order"], "village": h["village"], "frame": h["frame"], "household": h["household"],
                 "weight": h["weight"]} for h in sample.households.iter_rows(named=True)]
        rows += [{"order": s["order"], "village": s["village"], "frame": "screen", "household": "",
                  "head_name": s["head_name"], "source": s["source"], "weight": None}
                 for s in sample.screen.iter_rows(named=True)]
        result = {"county": meta.get("county", ""), "as_of": meta.get("as_of", ""), "seed": args.seed,
                  "frame_sha256": hashlib.sha256(content).hexdigest(), "design": design,
                  "villages": sample.villages.height, "counts": sample.counts(), "sample": rows}
        if args.format == "json":
            print(json.dumps(result, ensure_ascii=False, indent=2))
            return 0
        print(f"抽样框 {args.frame}（{result['county']}，{result['as_of']}），SHA-256 {result['frame_sha256']}")
        print(f"随机种子 {args.seed}：样本村 {sample.villages.height} 个；" + "，".join(
            f"{k} {v} 户" for k, v in result["counts"].items()))
        for row in rows:
            print(f"{row['order']:>5}  {row['village']}  {row['frame']:<10}  {row['household'] or row.get('head_name', '')}")
        return 0

    if not args.org or args.year is None:
        print("错误：制定方案须给出 --org（县级代码）和 --year。", file=sys.stderr)
        return 2
    user = get_user_model().objects.filter(username=args.user or "", is_active=True).first()
    if user is None:
        print("错误：请用 --user 给出制定方案的县级管理员或系统管理员账号（方案记录制定人）。" if not args.user
              else f"错误：没有启用的用户“{args.user}”，请检查 --user。", file=sys.stderr)
        return 2
    try:
        assessment = plans.assessment_create(
            county=args.org, year=args.year, kind=args.kind, title=args.title or "",
            design=_assess_design(args, plans.DEFAULT_DESIGN), seed=args.seed, acting_user=user)
        assessment = plans.assessment_draw(assessment_id=assessment.pk, acting_user=user)
    except plans.PlanError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2
    except Http404:
        print(f"错误：县“{args.org}”不在用户“{args.user}”的管辖范围内。", file=sys.stderr)
        return 2
    except PermissionDenied:
        print(f"错误：用户“{args.user}”不能制定考核评估方案（只有县级管理员和系统管理员可以）。", file=sys.stderr)
        return 2
    counts = dict.fromkeys(("exited", "not_exited", "monitored", "screen"), 0)
    for frame in assessment.cases.values_list("frame", flat=True):
        counts[frame] += 1
    result = {"assessment": assessment.pk, "title": assessment.title, "county": assessment.county,
              "year": assessment.year, "kind": assessment.kind, "seed": assessment.seed,
              "frame_sha256": assessment.frame_sha256, "frame_as_of": assessment.frame_as_of.isoformat(),
              "villages": assessment.villages.count(), "counts": counts}
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"已制定并抽样：{assessment.title}（编号 {assessment.pk}）")
    print(f"随机种子 {assessment.seed}；抽样框 SHA-256 {assessment.frame_sha256}（{result['frame_as_of']}）")
    print(f"样本村 {result['villages']} 个；已脱贫户 {counts['exited']}，未脱贫户 {counts['not_exited']}，"
          f"监测对象 {counts['monitored']}，高风险未建档户（立意筛查，不作推断）{counts['screen']}")
    return 0


def cmd_worker(args) -> int:
    _setup_django()
    from jingzhun.runs.worker import worker_main

    return worker_main(interval=args.interval)


def _years(text: str) -> list[int]:
    """An argparse type: years separated by commas (2023,2024), or a Chinese message."""
    try:
        years = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为逗号分隔的年份，如 2023,2024，收到“{text}”") from None
    if not years or not all(1980 <= y <= 2100 for y in years):
        raise argparse.ArgumentTypeError(f"应为 1980–2100 之间的年份，收到“{text}”")
    return years


def cmd_risk(args) -> int:
    _setup_django()
    import json

    from django.conf import settings

    from jingzhun.analytics import get_engine
    from jingzhun.analytics.risk import load, rank_registry, save, train_on_history

    if args.threads < 1:
        print("错误：--threads 应为正整数。", file=sys.stderr)
        return 2
    unit = _unit(args.org)
    if unit is None:
        return 2
    directory = Path(settings.JINGZHUN_HOME) / "risk"
    if args.action == "train":
        today = datetime.date.today()
        # year t needs the registry at the start of t+2 (its outcome): the last such year is today.year − 2
        years = args.years or [today.year - 3, today.year - 2]
        if max(years) + 2 > today.year:
            print(f"错误：{max(years)} 年的结果（次年年底的状态）还没有，最晚可用 {today.year - 2} 年。", file=sys.stderr)
            return 2
        with get_engine("duckdb", threads=args.threads) as engine:
            try:
                model = train_on_history(engine, unit.code, years, seed=args.seed, threads=args.threads)
            except ValueError as exc:
                print(f"错误：{exc}。该单位的历史记录不足（需要各年度的导入或修改记录）。", file=sys.stderr)
                return 2
        model_path, _meta_path = save(model, directory, unit.code)
        _audit_file_written(model_path, what="risk model", count=model.metadata["households"], org=unit.code,
                            seed=args.seed, years=years)
        if args.format == "json":
            print(json.dumps(model.metadata, ensure_ascii=False, indent=1))
            return 0
        metrics = model.metadata["metrics"]
        print(f"已训练 {unit.name}（{unit.code}）的返贫风险模型：{model.metadata['households']} 户，"
              f"其中次年返贫 {model.metadata['positives']} 户；模型写入 {model_path}")
        if metrics:
            print(f"留出村的检验：AUC {metrics['auc']:.3f}（仅按收入排序 {metrics['baseline_auc']:.3f}），"
                  f"前 5% 命中率 {metrics['precision_top_5pct']:.1%}（仅按收入 {metrics['baseline_precision_top_5pct']:.1%}）")
        else:
            print("留出村中没有返贫户，未能检验模型（数据太少）。")
        return 0
    if args.top is not None and args.top < 1:
        print("错误：--top 应为正整数。", file=sys.stderr)
        return 2
    model = load(directory, unit.code)
    if model is None:
        print(f"错误：{unit.name}（{unit.code}）及其上级还没有风险模型，请先运行 jingzhun risk train --org {unit.code}。",
              file=sys.stderr)
        return 2
    with get_engine("duckdb", threads=args.threads) as engine:
        ranking = rank_registry(engine, unit.code, model, top=args.top)
    rows = ranking.to_pylist()
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{unit.name}（{unit.code}）返贫风险排序：{len(rows)} 户（模型训练于 {model.metadata['trained_at']}）")
    for column in ("排名", "户编号", "村代码", "风险分", "主要原因"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["rank"]), r["code"], r["village_id"], f"{r['score']:.3f}", "；".join(r["reasons"]))
    Console(highlight=False).print(table)
    return 0


def _importer(args):
    """The active user `--user` names, when the FILE argument is a file; None (the reason printed) otherwise."""
    from jingzhun.accounts.models import User

    user = User.objects.filter(username=args.user, is_active=True).first()
    if user is None:
        print(f"错误：没有启用的用户“{args.user}”，请检查 --user。", file=sys.stderr)
        return None
    if not args.file.is_file():
        print(f"错误：找不到文件“{args.file}”，请检查路径。", file=sys.stderr)
        return None
    return user


def cmd_assess_import(args) -> int:
    """考核评估: survey results from a spreadsheet into an assessment, as one of its staff; all or nothing."""
    _setup_django()
    import json

    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from jingzhun.assessment.services.imports import results_import

    user = _importer(args)
    if user is None:
        return 2
    try:
        report = results_import(assessment_id=args.assessment, file=args.file, acting_user=user, via="命令行")
    except Http404:  # none, or out of the user's reach (OutOfReach): the same words
        print(f"错误：没有编号为 {args.assessment} 的评估，或用户“{args.user}”看不到它，请检查 --assessment。",
              file=sys.stderr)
        return 2
    except PermissionDenied:
        print(f"错误：用户“{args.user}”不能导入该评估的调查结果（只有本次评估的评估组或督导员可以导入）。", file=sys.stderr)
        return 2
    if not report.ok and args.errors:
        from jingzhun.exchange.errorbook import error_workbook

        error_workbook(report.issues, report.sheets, args.errors)
    if args.format == "json":
        print(json.dumps({"ok": report.ok, "assessment": args.assessment, "sources": report.sources,
                          "issues": [i.as_dict() for i in report.issues], "imported": report.imported,
                          "skipped": report.skipped, "wrong_exit": report.wrong_exit, "missed": report.missed,
                          "disapproving": report.disapproving}, ensure_ascii=False, indent=2))
        return 0 if report.ok else 1
    from rich.console import Console

    console = Console(highlight=False)
    if not report.ok:
        _print_issues(console, report.issues, "问卷")
        if args.errors:
            console.print(f"错误清单已写入 {args.errors}")
        return 1
    console.print(f"导入完成（{'、'.join(report.sources)}）：{report.imported} 户问卷已完成（其中判定错退 "
                  f"{report.wrong_exit} 户、漏评 {report.missed} 户、不认可 {report.disapproving} 户），"
                  f"{report.skipped} 行未填写已跳过")
    return 0


def cmd_appraise(args) -> int:
    """考评: a county's live scores for a year (the scheme in force), the ranking, optionally the 通报 (.docx)."""
    _setup_django()
    import json

    from jingzhun.supervision.services.appraisal import AppraisalError, appraisal_docx, appraisal_scores

    if _unit(args.org) is None:
        return 2
    try:
        scores = appraisal_scores(county=args.org, year=args.year)
    except AppraisalError as error:
        print(f"错误：{error.message}", file=sys.stderr)
        return 2
    results = scores.results()
    if args.docx:
        appraisal_docx(results=results, path=Path(args.docx))
        _audit_file_written(args.docx, what="appraisal_report", count=sum(len(g["rows"]) for g in results["groups"]),
                            org=args.org, year=args.year)
    if args.format == "json":
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return 0
    from rich.console import Console
    from rich.table import Table

    from jingzhun.supervision.services.appraisal import group_sentences

    console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
    print(f"{scores.county.name}（{scores.county.code}）{args.year} 年度考评：按《{scores.scheme.name}》，"
          f"数据截至 {scores.as_of}" + ("（本县未制定本年度考评办法，按系统默认办法）" if scores.scheme_origin == "default" else ""))
    for group in results["groups"]:
        table = Table(title=f"{group['name']}考评得分排名")
        for column in ("名次", "单位", *(i["name"] for i in group["items"]), "扣分", "总分", "备注"):
            table.add_column(column)
        for row in group["rows"]:
            table.add_row(str(row["rank"]), row["name"], *(i["points"] for i in row["items"]), row["deducted"],
                          row["total"], "；".join(f"一票否决：{v['reason']}" for v in row["vetoes"]))
        console.print(table)
        for sentence in group_sentences(group):
            print(sentence)
    if args.docx:
        print(f"考评情况通报已写入 {args.docx}")
    return 0


def cmd_ledger_import(args) -> int:
    """督查督办: a 督导组's 问题清单 as a new batch of the county's ledger, as a county admin; all or nothing."""
    _setup_django()
    import json

    from django.core.exceptions import PermissionDenied

    from jingzhun.supervision.services.batches import batch_import

    user = _importer(args)
    if user is None:
        return 2
    try:
        report = batch_import(acting_user=user, county=args.county, file=args.file, name=args.name or args.file.stem,
                              source=args.source, issued_by=args.issued_by, received_on=args.received_on,
                              deadline=args.deadline, create_missing=args.create_missing, via="命令行")
    except PermissionDenied:
        print(f"错误：用户“{args.user}”不能导入 {args.county} 的交办批次（只有该县的县级管理员可以导入）。", file=sys.stderr)
        return 2
    if not report.ok and args.errors:
        from jingzhun.exchange.errorbook import error_workbook

        error_workbook(report.issues, report.sheets, args.errors)
    if args.format == "json":
        print(json.dumps({"ok": report.ok, "batch": report.batch.pk if report.batch else None,
                          "sources": report.sources, "issues": [i.as_dict() for i in report.issues],
                          "items": report.items, "aspects": report.aspects,
                          "created_agencies": report.created_agencies}, ensure_ascii=False, indent=2))
        return 0 if report.ok else 1
    from rich.console import Console

    console = Console(highlight=False)
    if not report.ok:
        _print_issues(console, report.issues, "问题")
        if args.errors:
            console.print(f"错误清单已写入 {args.errors}")
        return 1
    console.print(f"导入完成：批次 {report.batch.pk}“{report.batch.name}”，{report.aspects} 方面 {report.items} 个问题，均为待交办")
    if report.created_agencies:
        console.print(f"已添加县直部门：{'、'.join(report.created_agencies)}")
    return 0


def cmd_ledger_progress(args) -> int:
    """督查督办: the progress of a batch — the sentence and its counts, by 方面 and by 责任单位."""
    _setup_django()
    import json

    from django.utils import timezone

    from jingzhun.supervision.models import Batch
    from jingzhun.supervision.selectors.progress import batch_progress

    batch = Batch.objects.filter(pk=args.batch).first()
    if batch is None:
        print(f"错误：没有编号为 {args.batch} 的交办批次，请检查 --batch。", file=sys.stderr)
        return 2
    from jingzhun.orgunits.access import Access
    from jingzhun.orgunits.roles import Role

    # the command runs as the system and counts the whole batch: a system administrator's reach, no user
    system = Access(user_id=None, role=Role.SYSADMIN, prefix="", active=True)
    progress = batch_progress(system, batch, today=args.as_of or timezone.localdate())

    def numbers(counts):
        return {"items": counts.items, "closed": counts.closed, "remaining": counts.remaining,
                "overdue": counts.overdue}

    if args.format == "json":
        print(json.dumps({"batch": batch.pk, "name": batch.name, "county": batch.county_id,
                          "as_of": progress.today.isoformat(), "sentence": progress.sentence,
                          "aspects": len([g for g in progress.aspects if g.name]), **numbers(progress.counts),
                          "by_aspect": [{"aspect": g.name, **numbers(g.counts)} for g in progress.aspects],
                          "by_agency": [{"agency": g.name, **numbers(g.counts),
                                         "open": [{"number": i.number, "deadline": i.deadline.isoformat()
                                                   if i.deadline else None, "days_left": i.days}
                                                  for i in g.open_items]} for g in progress.agencies]},
                         ensure_ascii=False, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    print(f"{batch.name}（截至 {progress.today.isoformat()}）：{progress.sentence}")
    for title, groups in (("方面", progress.aspects), ("责任单位", progress.agencies)):
        table = Table(title=f"分{title}")
        for column in (title, "事项", "已销号", "剩余", "逾期"):
            table.add_column(column)
        for g in groups:
            table.add_row(g.name or "—", str(g.counts.items), str(g.counts.closed), str(g.counts.remaining),
                          str(g.counts.overdue))
        console.print(table)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="jingzhun", description="精准：精准扶贫与防返贫监测平台")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("init", help="创建/升级数据库并载入行政区划").set_defaults(func=cmd_init)

    def add_serve_options(p):
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--threads", type=int, default=8)
        p.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")
        p.add_argument("--processes", type=int, default=1,
                       help="网站进程数（大于 1 时用 gunicorn，仅限 Linux；一般取 CPU 核数）")

    demo = sub.add_parser("demo", help="初始化并生成演示县（绛县 140826），然后启动网站")
    demo.add_argument("--no-serve", action="store_true", help="只准备数据，不启动网站")
    demo.add_argument("--households", type=int, default=3000)
    demo.add_argument("--seed", type=int, default=2020)
    add_serve_options(demo)
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="启动网站")
    add_serve_options(serve)
    serve.set_defaults(func=cmd_serve)

    imp = sub.add_parser("import", help="导入交换模板文件（.xlsx、CSV 或文件夹）：有一处格式错误即全部不导入")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    imp.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入")
    imp.add_argument("--format", choices=["table", "json"], default="table")
    imp.set_defaults(func=cmd_import)

    check = sub.add_parser("check", help="运行数据核查规则，更新问题数据台账（退出码 0；参数错误为 2）")
    check.add_argument("--org", default="", help="区划代码（默认全部）")
    check.add_argument("--rules", help="只运行这些规则，逗号分隔，如 Q01,Q05")
    check.add_argument("--as-of", type=_iso_date, help="核查基准日 YYYY-MM-DD（默认今天）：年龄、年度按此日计算")
    check.add_argument("--format", choices=["table", "json"], default="table")
    check.add_argument("--out", type=Path, help="把结果写入文件")
    check.add_argument("--no-store", action="store_true", help="只输出结果，不写入问题台账")
    add_engine_option(check)
    check.add_argument("--snapshot", metavar="DIR", help="核查这份 Parquet 快照（jingzhun snapshot 所写；本地目录或 "
                       "hdfs://、s3a:// 等 Spark 能读的地址）而不是数据库")
    check.set_defaults(func=cmd_check)

    ind = sub.add_parser("indicators", help="计算某单位的主要指标（贫困发生率、参保率等）")
    ind.add_argument("--org", required=True, help="区划代码，如 140826")
    ind.add_argument("--as-of", type=_iso_date, help="基准日 YYYY-MM-DD（默认今天）：年龄按此日计算")
    ind.add_argument("--format", choices=["table", "json"], default="table")
    ind.add_argument("--bulletin", type=Path, metavar="FILE.docx", help="另写一份简报（Word 文档）")
    ind.set_defaults(func=cmd_indicators)

    compare = sub.add_parser("compare", help="导入其他部门数据并与建档立卡比对（一比对），结果写入问题数据台账")
    compare.add_argument("kind", metavar="KIND", help="数据类别：death 死亡人口、staff 财政供养人员、cadre 村干部、"
                         "vehicle 机动车登记、company 工商登记、property 不动产登记、medical 医保参保、"
                         "pension 养老保险参保、assistance 低保特困（代码或中文名均可）")
    compare.add_argument("paths", nargs="+", type=Path, metavar="FILE", help=".xlsx 或 .csv 文件")
    compare.add_argument("--org", default="", help="只与该单位的建档立卡数据比对（区划代码，默认全部）")
    compare.add_argument("--source", help="数据来源（默认为该类数据通常的提供部门）")
    compare.add_argument("--date", type=_iso_date, help="数据日期 YYYY-MM-DD（默认今天）")
    add_engine_option(compare)
    compare.add_argument("--retrain", action="store_true", help="重新训练该类数据的比对模型")
    compare.add_argument("--format", choices=["table", "json"], default="table")
    compare.set_defaults(func=cmd_compare)

    alerts = sub.add_parser("alerts", help="导入部门预警数据（医保、民政、教育、应急、公安、残联、住建、人社），"
                            "与建档立卡人员匹配并按政策包的预警标准判断，列出产生的预警")
    alerts.add_argument("kind", metavar="KIND", help="数据类别：medical 医保费用、civil 民政救助、education 教育预警、"
                        "emergency 灾害损失、police 意外伤亡、disability 新增残疾、housing 住房安全鉴定、"
                        "employment 失业登记（代码或中文名均可）")
    alerts.add_argument("paths", nargs="+", type=Path, metavar="FILE", help=".xlsx 或 .csv 文件")
    alerts.add_argument("--org", default="", help="所属单位（区划代码）：只与该单位的建档立卡人员匹配，按其政策包判断"
                        "（默认全部；政策包按文件中多数村代码所在的县）")
    alerts.add_argument("--source", help="数据来源（默认为该类数据通常的提供部门）")
    alerts.add_argument("--date", type=_iso_date, help="数据日期 YYYY-MM-DD（默认今天）：决定适用哪一年度的预警标准")
    alerts.add_argument("--format", choices=["table", "json"], default="table")
    alerts.set_defaults(func=cmd_alerts)

    refresh = sub.add_parser("refresh", help="立即更新决策看板的各级指标（导入后也会在后台自动更新）")
    refresh.add_argument("--as-of", type=_iso_date, help="基准日 YYYY-MM-DD（默认今天）")
    add_engine_option(refresh)
    refresh.set_defaults(func=cmd_refresh)

    snap = sub.add_parser("snapshot", help="把建档立卡数据写成 Parquet 快照（每表一个文件），供 Spark 集群核查")
    snap.add_argument("--out", required=True, metavar="DIR", help="输出目录（或 pyarrow 能写的 s3://、hdfs:// 地址）")
    snap.add_argument("--org", default="", help="区划代码（默认全部）")
    snap.set_defaults(func=cmd_snapshot)

    changes = sub.add_parser("changes", help="动态调整台账：某单位某时期的新识别、清退、返贫、脱贫、人口自然变更、纳入监测和风险消除")
    changes.add_argument("--org", required=True, help="区划代码（县、乡镇或村），如 140826")
    changes.add_argument("--from", dest="from_", required=True, type=_iso_date, metavar="DATE", help="起始日期 YYYY-MM-DD（含）")
    changes.add_argument("--to", required=True, type=_iso_date, metavar="DATE", help="截止日期 YYYY-MM-DD（含）")
    changes.add_argument("--format", choices=["table", "json"], default="table")
    changes.set_defaults(func=cmd_changes)

    leads = sub.add_parser("leads", help="防止返贫监测线索：某单位的线索队列（待核实的按核实期限排在前）")
    leads.add_argument("--org", required=True, help="区划代码（县、乡镇或村），如 140826")
    leads.add_argument("--status", choices=["pending", "verified"], default="",
                       help="pending 待核实，verified 已核实（默认全部）")
    leads.add_argument("--overdue", action="store_true", help="只列逾期未核实的线索")
    leads.add_argument("--source", default="", help="只列来源记录以此开头的线索（如部门预警的批次），看其去向")
    leads.add_argument("--format", choices=["table", "json"], default="table")
    leads.set_defaults(func=cmd_leads)

    loans = sub.add_parser("loans", help="小额信贷").add_subparsers(dest="loans_command", required=True)
    overdue = loans.add_parser("overdue", help="更新贷款逾期、不良状态，并把逾期未还的一期登记为防止返贫监测线索（部门预警，重复运行不重复登记）")
    overdue.add_argument("--as-of", type=_iso_date, default=None, help="按哪一天的还款情况（YYYY-MM-DD，默认今天）")
    overdue.set_defaults(func=cmd_loans_overdue)

    worker = sub.add_parser("worker", help="运行后台任务（导入等）；jingzhun serve 会自动启动一个")
    worker.add_argument("--interval", type=float, default=1.0)
    worker.set_defaults(func=cmd_worker)

    synth = sub.add_parser("synth", help="按模板生成某县的模拟建档立卡数据")
    synth.add_argument("--county", required=True, help="6 位县级区划代码，如 141130")
    synth.add_argument("--households", type=int, required=True)
    synth.add_argument("--seed", type=int, default=1)
    synth.add_argument("--errors", type=float, default=0.0, help="注入内容错误的比例（0–1）")
    synth.add_argument("--alerts", action="store_true",
                       help="另生成部门预警文件（医保费用、民政救助、灾害损失，含常见错漏）到 OUT/部门预警/")
    synth.add_argument("--ordinary", type=float, default=0.0,
                       help="一般农户（非建档立卡）占户数的比例（0–1，默认 0）；2020 年起另有少量监测户")
    synth.add_argument("--as-of", type=_iso_date, help="基准日 YYYY-MM-DD：年龄、在校情况按此日（默认收入年度年底）")
    synth.add_argument("--year", type=int, help="收入年度（默认基准日的上一年；都不给则为 2020）")
    synth.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    synth.add_argument("--out", type=Path, required=True)
    synth.set_defaults(func=cmd_synth)

    export = sub.add_parser("export", help="按交换模板导出某单位的建档立卡数据（Excel 或 CSV 文件夹）")
    export.add_argument("--org", required=True, help="区划代码（省、市、县、乡镇或村），如 140826")
    export.add_argument("--status", help="脱贫状态：未脱贫 / 已脱贫 / 返贫 / 清退")
    export.add_argument("--attribute", help="贫困户属性：一般贫困户 / 低保贫困户 / 特困供养贫困户")
    export.add_argument("--cause", help="主要致贫原因，如 因病")
    export.add_argument("--out", type=Path, required=True, help="以 .xlsx 结尾则写一个工作簿，否则写入该文件夹（CSV）")
    export.set_defaults(func=cmd_export)

    risk = sub.add_parser("risk", help="防止返贫监测的风险排序：用本单位的历史数据训练模型（train），给未纳入监测的户排序（score）")
    risk.add_argument("action", choices=["train", "score"], help="train 训练模型；score 输出排序及主要原因")
    risk.add_argument("--org", required=True, help="区划代码（省、市、县、乡镇或村），如 140826")
    risk.add_argument("--years", type=_years, help="train：用哪些年度训练，逗号分隔（默认前年和大前年）")
    risk.add_argument("--seed", type=int, default=1, help="train：随机种子（同样的数据和种子得到同样的模型）")
    risk.add_argument("--top", type=int, help="score：只输出风险最高的 N 户")
    risk.add_argument("--threads", type=int, default=2, help="计算线程数")
    risk.add_argument("--format", choices=["table", "json"], default="table")
    risk.set_defaults(func=cmd_risk)

    measures = sub.add_parser("measures", help="帮扶措施：按格式导入（有一处错误即全部不导入）或导出 Excel（docs/measures-format.md）")
    measures_sub = measures.add_subparsers(dest="action", required=True, parser_class=_Parser)
    m_import = measures_sub.add_parser("import", help="导入帮扶措施文件（.xlsx 或 CSV）；同一文件再导入不会重复")
    m_import.add_argument("paths", nargs="+", type=Path, metavar="FILE")
    m_import.add_argument("--user", help="以该用户的身份导入：只能导入其管辖范围内的户（默认不限范围）")
    m_import.add_argument("--errors", type=Path, help="有错误时把错误清单写入这个 .xlsx 文件")
    m_import.add_argument("--format", choices=["table", "json"], default="table")
    m_import.set_defaults(func=cmd_measures_import)
    m_export = measures_sub.add_parser("export", help="导出某单位各户的帮扶措施（Excel，可再导入）")
    m_export.add_argument("--org", required=True, help="区划代码（省、市、县、乡镇或村），如 140826")
    m_export.add_argument("--out", type=Path, required=True, help="输出文件，如 措施.xlsx")
    m_export.set_defaults(func=cmd_measures_export)

    # 考核评估 (assessment): plan (and redraw), import survey results, estimate
    assess = sub.add_parser("assess", help="考核评估：方案与抽样（可复现）、导入调查结果、估计（三率一度）")
    assess_sub = assess.add_subparsers(dest="action", required=True, parser_class=_Parser)
    a_import = assess_sub.add_parser("import", help="导入调查结果文件（.xlsx 或 CSV，docs/assessment-format.md）："
                                     "有一处错误即全部不导入")
    a_import.add_argument("file", type=Path, metavar="FILE")
    a_import.add_argument("--assessment", type=int, required=True, help="评估编号")
    a_import.add_argument("--user", required=True, help="以该用户的身份导入：须是本次评估的评估组或督导员")
    a_import.add_argument("--errors", type=Path, help="有错误时把错误清单写入这个 .xlsx 文件")
    a_import.add_argument("--format", choices=["table", "json"], default="table")
    a_import.set_defaults(func=cmd_assess_import)
    a_plan = assess_sub.add_parser("plan", help="制定评估方案并抽样；用 --frame 从保存的抽样框重抽（不写入）")
    a_plan.add_argument("--org", help="被评估县的区划代码，如 140826")
    a_plan.add_argument("--year", type=int, help="评估年度")
    a_plan.add_argument("--kind", choices=["exit", "post"], default="post", help="exit 退出评估，post 巩固成果后评估")
    a_plan.add_argument("--title", help="评估名称（默认：县名 + 年度 + 评估类型）")
    a_plan.add_argument("--seed", type=int, help="随机种子（制定时不填则随机生成；重抽时必填）")
    a_plan.add_argument("--strata", choices=["poor_village", "township"], help="分层依据（默认 poor_village）")
    a_plan.add_argument("--villages-per-stratum", type=int, help="每层抽取村数（默认 5）")
    a_plan.add_argument("--per-village", type=_per_village, metavar="exited=10,not_exited=3,monitored=5",
                        help="每村各抽样框抽取户数")
    a_plan.add_argument("--no-screen", action="store_true", help="不筛查高风险未建档户")
    a_plan.add_argument("--user", help="制定人（县级管理员或系统管理员）的用户名；制定方案时必填")
    a_plan.add_argument("--frame", type=Path, help="保存的抽样框文件（.parquet）：按其中的设计和 --seed 重抽并输出样本")
    a_plan.add_argument("--format", choices=["table", "json"], default="table")
    a_plan.set_defaults(func=cmd_assess_plan)
    a_estimate = assess_sub.add_parser("estimate", help="某次评估的三率一度（评估组已审核的样本户），含标准误和 95% 置信区间")
    a_estimate.add_argument("--assessment", type=int, required=True, metavar="N", help="考核评估编号")
    a_estimate.add_argument("--format", choices=["table", "json"], default="table")
    a_estimate.set_defaults(func=cmd_assess_estimate)

    appraise = sub.add_parser("appraise", help="绩效考评：某县某年度各乡镇、县直部门的得分与排名（按本年度考评办法），"
                                                "可写出考评情况通报（Word）")
    appraise.add_argument("--year", type=int, required=True, metavar="YYYY", help="考评年度")
    appraise.add_argument("--org", required=True, metavar="CODE", help="县的区划代码（6 位）")
    appraise.add_argument("--docx", metavar="FILE", help="把考评情况通报写入这个 .docx 文件")
    appraise.add_argument("--format", choices=["table", "json"], default="table")
    appraise.set_defaults(func=cmd_appraise)
    # 督查督办 (supervision): a 督导组's 问题清单 imported as a batch; a batch's progress
    ledger = sub.add_parser("ledger", help="督查督办：导入督导组反馈问题清单（docs/ledger-format.md），查看批次整改进度")
    ledger_sub = ledger.add_subparsers(dest="action", required=True, parser_class=_Parser)
    l_import = ledger_sub.add_parser("import", help="导入问题清单（.xlsx 或 CSV）为一个交办批次：有一处错误即全部不导入，"
                                     "同一文件不能重复导入")
    l_import.add_argument("file", type=Path, metavar="FILE")
    l_import.add_argument("--county", required=True, help="6 位县级区划代码，如 140826")
    l_import.add_argument("--user", required=True, help="以该用户（本县县级管理员）的身份导入")
    l_import.add_argument("--name", help="批次名称（默认文件名），如 省督导组反馈问题（2020年第1批）")
    l_import.add_argument("--source", default="inspection",
                          choices=["inspection", "patrol", "assessment", "audit", "data_check", "comparison",
                                   "monitoring", "meeting", "petition", "other"],
                          help="问题来源（默认 inspection 督导组反馈）")
    l_import.add_argument("--issued-by", default="", help="交办单位，如 省脱贫攻坚第三督导组")
    l_import.add_argument("--received-on", type=_iso_date, default=datetime.date.today(),
                          help="交办日期 YYYY-MM-DD（默认今天）")
    l_import.add_argument("--deadline", type=_iso_date, help="总时限 YYYY-MM-DD：没有单独时限的问题按此整改")
    l_import.add_argument("--create-missing", action="store_true", help="自动添加表中缺少的县直部门")
    l_import.add_argument("--errors", type=Path, help="有错误时把错误清单写入这个 .xlsx 文件")
    l_import.add_argument("--format", choices=["table", "json"], default="table")
    l_import.set_defaults(func=cmd_ledger_import)
    l_progress = ledger_sub.add_parser("progress", help="某批次的整改进度：“4 方面 21 个问题，已销号 17 个，剩余 4 个（逾期 1 个）”")
    l_progress.add_argument("--batch", type=int, required=True, metavar="N", help="交办批次编号")
    l_progress.add_argument("--as-of", type=_iso_date, help="按哪一天计算逾期（YYYY-MM-DD，默认今天）")
    l_progress.add_argument("--format", choices=["table", "json"], default="table")
    l_progress.set_defaults(func=cmd_ledger_progress)

    add_unlock_parser(sub, _setup_django)
    add_audit_parser(sub, _setup_django)
    add_backup_parser(sub, _setup_django)
    add_restore_parser(sub, _setup_django)
    add_mirror_parser(sub, _setup_django)
    add_token_parser(sub, _setup_django)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as stop:  # a bad argument (already explained) or --help: its status, not an exception
        return stop.code if isinstance(stop.code, int) else 0
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
