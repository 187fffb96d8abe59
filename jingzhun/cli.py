"""The `jingzhun` command: init, demo, serve, synth. It parses arguments and calls services."""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


@contextmanager
def _progress(description: str, total: int | None):
    """A rich progress bar on a terminal; silent otherwise. Yields an advance(n) callable."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  disable=not sys.stderr.isatty(), transient=False) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


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
    from jingzhun.synth.demo import DEMO_COUNTY, demo_registry_load, demo_users_reset

    with _progress("生成并载入演示县（绛县）", None) as advance:
        summary = demo_registry_load(households=args.households, seed=args.seed, progress=advance)
    if summary is None:
        print(f"演示县 {DEMO_COUNTY} 已有数据，跳过生成。")
    else:
        print(f"演示县 {DEMO_COUNTY}：村 {summary.villages} 个，户 {summary.households} 户，"
              f"人 {summary.members} 人，帮扶责任人 {summary.cadres} 名。")
    credentials = demo_users_reset()
    print("\n演示账号（每次运行 jingzhun demo 都会重设密码）：")
    for username, password, role, unit in credentials:
        print(f"  {role:<10}\t{unit:<10}\t用户名 {username:<10}\t密码 {password}")
    if args.no_serve:
        return 0
    return cmd_serve(args)


def cmd_serve(args) -> int:
    _setup_django()
    from waitress import serve

    from config.wsgi import application

    print(f"精准 已启动：http://{args.host}:{args.port}/  （Ctrl+C 停止）", flush=True)
    serve(application, host=args.host, port=args.port, threads=args.threads)
    return 0


def cmd_synth(args) -> int:
    _setup_django()
    from jingzhun.synth import generate, write

    try:
        registry = generate(county=args.county, households=args.households, seed=args.seed, errors=args.errors)
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    write(registry, args.out, fmt=args.format)
    print(f"已生成 {registry.households.num_rows} 户、{registry.members.num_rows} 人，"
          f"{registry.villages.num_rows} 个村，写入 {args.out}"
          + (f"；注入错误 {len(registry.manifest)} 处（见 errors-manifest.csv）" if registry.manifest else ""))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jingzhun", description="精准：精准扶贫与防返贫监测平台")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("init", help="创建/升级数据库并载入行政区划").set_defaults(func=cmd_init)

    def add_serve_options(p):
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--threads", type=int, default=8)

    demo = sub.add_parser("demo", help="初始化并生成演示县（绛县 140826），然后启动网站")
    demo.add_argument("--no-serve", action="store_true", help="只准备数据，不启动网站")
    demo.add_argument("--households", type=int, default=3000)
    demo.add_argument("--seed", type=int, default=2020)
    add_serve_options(demo)
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="启动网站")
    add_serve_options(serve)
    serve.set_defaults(func=cmd_serve)

    synth = sub.add_parser("synth", help="按模板生成某县的模拟建档立卡数据")
    synth.add_argument("--county", required=True, help="6 位县级区划代码，如 141130")
    synth.add_argument("--households", type=int, required=True)
    synth.add_argument("--seed", type=int, default=1)
    synth.add_argument("--errors", type=float, default=0.0, help="注入内容错误的比例（0–1）")
    synth.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    synth.add_argument("--out", type=Path, required=True)
    synth.set_defaults(func=cmd_synth)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
