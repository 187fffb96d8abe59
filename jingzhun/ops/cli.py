"""`jingzhun unlock`, `audit …`, `backup`, `restore`, `mirror`: parsers and thin commands.

jingzhun/cli.py registers each with one line (``add_backup_parser(sub, setup)``); `setup` is its
Django set-up function, called before a command touches the database.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _err(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return 2


def add_unlock_parser(sub, setup) -> None:
    def run(args) -> int:
        setup()
        from jingzhun.accounts.models import User
        from jingzhun.accounts.services import lockout_reset

        if not args.username and not args.ip:
            return _err("请给出用户名或 --ip 地址。")
        if args.username and not User.objects.filter(username=args.username).exists():
            return _err(f"没有用户名为“{args.username}”的用户。")
        cleared = lockout_reset(username=args.username or "", ip=args.ip or "", source="cli")
        what = "、".join(x for x in (args.username and f"用户 {args.username}", args.ip and f"地址 {args.ip}") if x)
        print(f"已解除 {what} 的登录锁定（清除失败记录 {cleared} 条）。" if cleared
              else f"{what} 没有被锁定，也没有失败记录。")
        return 0

    p = sub.add_parser("unlock", help="解除某用户（或某地址）的登录锁定（连续输错密码后被锁定）")
    p.add_argument("username", nargs="?", metavar="USERNAME")
    p.add_argument("--ip", help="解除该网络地址的锁定")
    p.set_defaults(func=run)


def add_audit_parser(sub, setup) -> None:
    def verify(args) -> int:
        setup()
        from jingzhun.accounts.audit import chain_verify

        report = chain_verify()
        if report.ok:
            print(f"审计日志完整：{report.rows} 条记录的校验链没有断开。")
            return 0
        print(f"审计日志校验失败：{report.broken}", file=sys.stderr)
        return 1

    def archive(args) -> int:
        setup()
        from django.conf import settings

        from jingzhun.accounts.audit import ArchiveError, chain_archive, retention_days

        out_dir = args.out_dir or Path(settings.JINGZHUN_HOME) / "audit-archive"
        try:
            result = chain_archive(out_dir=out_dir)
        except (ArchiveError, OSError) as exc:
            return _err(str(exc))
        if not result.rows:
            print(f"没有超过保存期限（{retention_days()} 天）的审计记录，无需归档。")
        else:
            print(f"已归档第 {result.first_id}–{result.last_id} 条共 {result.rows} 条审计记录（超过 {retention_days()} 天）"
                  f" → {result.path}；已签名，表中已删除这些记录。")
        return 0

    def verify_archive(args) -> int:
        setup()
        from jingzhun.accounts.audit import ArchiveError, archive_verify

        try:
            header = archive_verify(args.file)
        except ArchiveError as exc:
            print(f"归档文件未通过校验：{exc}", file=sys.stderr)
            return 1
        print(f"归档文件完整，签名有效：第 {header['first_id']}–{header['last_id']} 条，共 {header['rows']} 条记录。")
        return 0

    p = sub.add_parser("audit", help="审计日志：校验（verify）、归档超过保存期限的记录（archive）、校验归档文件（verify-archive）")
    actions = p.add_subparsers(dest="audit_command", required=True)
    actions.add_parser("verify", help="校验审计日志的哈希链：完整则退出码 0，否则指出断开之处（退出码 1）"
                       ).set_defaults(func=verify)
    a = actions.add_parser("archive", help="把超过保存期限（JINGZHUN_AUDIT_RETENTION_DAYS，至少 183 天）的记录写入签名文件后从表中删除")
    a.add_argument("--out-dir", type=Path, help="归档文件目录（默认 $JINGZHUN_HOME/audit-archive）")
    a.set_defaults(func=archive)
    v = actions.add_parser("verify-archive", help="校验归档文件的签名和其中记录的哈希链")
    v.add_argument("file", type=Path, metavar="FILE")
    v.set_defaults(func=verify_archive)


def add_backup_parser(sub, setup) -> None:
    def run(args) -> int:
        setup()
        import datetime

        from django.conf import settings

        from jingzhun.ops.backup import BackupError, database_backup

        out = args.out or Path(settings.JINGZHUN_HOME) / "backups" / (
            f"jingzhun-{datetime.datetime.now():%Y%m%d-%H%M%S}.backup")
        try:
            summary = database_backup(out=out)
        except (BackupError, OSError) as exc:
            return _err(str(exc))
        print(f"备份完成。{summary}")
        print("请妥善保管备份文件（含个人信息），并同时保管审计密钥（JINGZHUN_AUDIT_KEY 或 $JINGZHUN_HOME/audit_key）。")
        return 0

    p = sub.add_parser("backup", help="备份整个数据库到一个文件（SQLite 在线备份；PostgreSQL 用 pg_dump）")
    p.add_argument("--out", type=Path, metavar="FILE", help="备份文件（默认 $JINGZHUN_HOME/backups/jingzhun-日期.backup）")
    p.set_defaults(func=run)


def add_mirror_parser(sub, setup) -> None:
    def run(args) -> int:
        setup()
        from jingzhun.analytics import mirror_reset, mirror_verify

        if args.org and not args.org.isdigit():
            return _err(f"区划代码只能是数字，而不是“{args.org}”。")
        if not (args.verify or args.rebuild):
            return _err("请给出 --verify（核对）或 --rebuild（重建）。")
        if args.rebuild:
            if not mirror_reset():
                return _err("数据库不是内置数据库（SQLite），或尚未初始化：没有镜像。")
            print("已标记全部数据为已更改：下次读取时重建镜像文件。")
        if args.verify:
            differ = mirror_verify(args.org or "")
            if differ:
                print(f"镜像与数据库不一致：{'、'.join(differ)}。请运行 jingzhun mirror --rebuild。", file=sys.stderr)
                return 1
            print(f"镜像与数据库一致（{args.org or '全部'}）。")
        return 0

    p = sub.add_parser("mirror", help="建档立卡数据的列式镜像（内置数据库读取加速）：核对（--verify）或重建（--rebuild）")
    p.add_argument("--verify", action="store_true", help="用镜像读取一次、直接读数据库一次，逐表比较")
    p.add_argument("--rebuild", action="store_true", help="标记全部数据为已更改，下次读取时重写镜像文件")
    p.add_argument("--org", help="只核对该单位（区划代码），默认全部")
    p.set_defaults(func=run)


def add_restore_parser(sub, setup) -> None:
    def run(args) -> int:
        setup()
        from jingzhun.ops.backup import BackupError, backup_check, database_restore

        try:
            backup_check(args.file)
            if not args.yes:
                return _err(f"恢复会用 {args.file} 覆盖当前数据库的全部数据。请先停止 jingzhun serve，"
                            "确认无误后加 --yes 再运行。")
            summary = database_restore(path=args.file)
        except (BackupError, OSError) as exc:
            return _err(str(exc))
        print(f"恢复完成。{summary}")
        return 0

    p = sub.add_parser("restore", help="用备份文件恢复整个数据库（覆盖现有数据，须加 --yes；请先停止网站）")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--yes", action="store_true", help="确认覆盖当前数据库")
    p.set_defaults(func=run)


def add_token_parser(sub, setup) -> None:
    """`jingzhun token create|revoke|list|account`: API tokens and service accounts (docs/api.md)."""

    def create(args) -> int:
        setup()
        from jingzhun.accounts.models import User
        from jingzhun.accounts.tokens import TokenError, token_create

        user = User.objects.filter(username=args.username).first()
        if user is None:
            return _err(f"没有用户名为“{args.username}”的用户（服务账号用 jingzhun token account 创建）。")
        try:
            token, raw = token_create(user=user, days=args.days, name=args.name or "")
        except TokenError as exc:
            return _err(str(exc))
        print(raw)
        print(f"令牌 {token.prefix} 已签发给 {user.get_username()}，有效至 "
              f"{token.expires_at.astimezone().strftime('%Y-%m-%d %H:%M')}。它只显示这一次：请现在保存；"
              f"遗失请吊销（jingzhun token revoke {token.prefix}）后重新签发。", file=sys.stderr)
        return 0

    def revoke(args) -> int:
        setup()
        from jingzhun.accounts.tokens import TokenError, token_revoke

        try:
            token = token_revoke(prefix=args.prefix)
        except TokenError as exc:
            return _err(str(exc))
        print(f"已吊销令牌 {token.prefix}（{token.user.get_username()}）：此后用它的调用一律被拒绝。")
        return 0

    def listing(args) -> int:
        setup()
        from django.utils import timezone

        from jingzhun.accounts.models import ApiToken

        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if args.username:
            tokens = tokens.filter(user__username=args.username)
        now = timezone.now()
        for t in tokens:
            state = ("已吊销" if t.revoked_at else "已过期" if t.expires_at <= now else "有效")
            used = timezone.localtime(t.last_used_at).strftime("%Y-%m-%d %H:%M") if t.last_used_at else "未使用"
            print(f"{t.prefix}\t{t.user.get_username()}\t{state}\t到期 {timezone.localtime(t.expires_at):%Y-%m-%d}"
                  f"\t最近使用 {used}\t{t.name}")
        if not tokens:
            print("没有令牌。")
        return 0

    def account(args) -> int:
        setup()
        from django.core.exceptions import ValidationError

        from jingzhun.accounts.tokens import TokenError, service_account_create
        from jingzhun.orgunits.models import OrgUnit
        from jingzhun.orgunits.roles import Role

        if args.role not in Role.values:
            return _err(f"没有角色“{args.role}”；可用：{'、'.join(Role.values)}。")
        unit = OrgUnit.objects.filter(code=args.unit).first() if args.unit else None
        if args.unit and unit is None:
            return _err(f"没有区划代码为“{args.unit}”的单位，请检查 --unit。")
        try:
            user = service_account_create(username=args.username, role=args.role, org_unit=unit,
                                          full_name=args.full_name or "")
        except TokenError as exc:
            return _err(str(exc))
        except ValidationError as exc:
            return _err("；".join(m for ms in exc.message_dict.values() for m in ms))
        print(f"已创建服务账号 {user.get_username()}（{Role(user.role).label}，{unit.name if unit else '全国'}），"
              f"它不能登录页面；用 jingzhun token create {user.get_username()} 签发令牌。")
        return 0

    p = sub.add_parser("token", help="接口令牌与服务账号：签发（只显示一次）、吊销、列出（docs/api.md）")
    tokens = p.add_subparsers(dest="token_command", required=True)
    c = tokens.add_parser("create", help="给某账号签发一个接口令牌，打印一次")
    c.add_argument("username", metavar="USERNAME")
    c.add_argument("--days", type=int, default=90, metavar="N", help="有效天数（1–366，默认 90）")
    c.add_argument("--name", help="用途说明，如“省平台每日拉取”")
    c.set_defaults(func=create)
    r = tokens.add_parser("revoke", help="吊销一个令牌（用令牌前缀，或整个令牌）")
    r.add_argument("prefix", metavar="PREFIX")
    r.set_defaults(func=revoke)
    ls = tokens.add_parser("list", help="列出令牌（前缀、账号、状态、到期、最近使用）")
    ls.add_argument("username", nargs="?", metavar="USERNAME")
    ls.set_defaults(func=listing)
    a = tokens.add_parser("account", help="创建服务账号：像一个人一样绑定单位和角色，只能用令牌调用接口")
    a.add_argument("username", metavar="USERNAME")
    a.add_argument("--role", required=True, help="角色，如 county_admin、analyst、department")
    a.add_argument("--unit", help="绑定的区划代码（系统管理员可不填）")
    a.add_argument("--full-name", help="名称，如“县医保局接口”")
    a.set_defaults(func=account)
