"""The command line: ``justice-desktop <command>``; with no command the window opens (ui)."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from justice_desktop.paths import default_data_dir
from justice_desktop.store import backup as backups
from justice_desktop.store.database import Store, configured_backup_folder
from justice_desktop.store.errors import StoreError
from justice_desktop.store.office import OfficeSetup
from justice_desktop.store.session import create_office, database_exists, open_existing
from justice_desktop.validation import ValidationError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="justice-desktop", description="司法所人民调解与法律服务离线工作台"
    )
    _add_location(parser, after_command=False)
    sub = parser.add_subparsers(dest="command", metavar="命令")

    p = sub.add_parser("init", help="创建本所的加密数据库")
    p.add_argument("--office", required=True, help="司法所名称，如：河东区城关街司法所")
    p.add_argument("--committee", required=True, help="调委会名称，如：城关街道人民调解委员会")
    p.add_argument(
        "--prefix",
        required=True,
        help="案号中的简称，如：津东城（生成“（2025）津东城人调字第1号”）",
    )
    p.add_argument("--user", default="管理员", help="第一位用户的姓名")
    p.add_argument("--role", default="head", choices=["clerk", "lawyer", "adviser", "head"])
    p.add_argument("--body-type", default="subdistrict", help="调委会类型代码")
    p.add_argument(
        "--demo",
        action="store_true",
        help="演示库：密钥存放在文件夹中的 demo.key（仅用于虚构数据）",
    )

    p = sub.add_parser("demo-data", help="生成演示数据")
    p.add_argument("--cases", type=int, default=1000, help="案件数量")
    p.add_argument("--seed", type=int, default=1, help="随机种子（相同种子生成相同数据）")

    p = sub.add_parser("search", help="搜索案件、当事人、法律明白人和咨询记录")
    p.add_argument("query", help="姓名、拼音首字母、身份证或电话号码片段、案号或关键词")
    p.add_argument("--limit", type=int, default=20)

    p = sub.add_parser("backup", help="立即备份数据库")
    p.add_argument("--keep", type=int, default=10, help="保留最近几份备份")

    p = sub.add_parser("restore", help="从备份恢复数据库")
    p.add_argument("backup", nargs="?", help="备份文件；省略时列出可用的备份")

    p = sub.add_parser("check", help="检查数据库完整性")
    p.add_argument("--full", action="store_true", help="完整检查（较慢）")

    p = sub.add_parser("blocks", help="本机的案件编号段")
    bsub = p.add_subparsers(dest="blocks_command", metavar="操作")
    b = bsub.add_parser("list", help="列出编号段")
    b = bsub.add_parser("add", help="登记上级分配给本机的编号段")
    b.add_argument("--committee", required=True, help="调委会名称")
    b.add_argument("--year", type=int, required=True)
    b.add_argument("--first", type=int, required=True)
    b.add_argument("--last", type=int, required=True)
    p = sub.add_parser("pdf", help="打印案件文书或整卷卷宗为PDF")
    p.add_argument("case_number", help="案件编号，如：（2025）津东城人调字第1号")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--form", help="文书名称，如：人民调解协议书（或 agreement）")
    what.add_argument(
        "--file", action="store_true", help="整卷卷宗（按装订顺序，含附件和卷内目录）"
    )
    p.add_argument("--blank", action="store_true", help="空白文书（供手工填写）")
    p.add_argument("-o", "--output", type=Path, required=True, help="输出的PDF文件")

    p = sub.add_parser("export", help="把列表导出为Excel（.xlsx）文件")
    p.add_argument(
        "list",
        choices=["cases", "roster", "trainings", "consultations", "adviser-logs"],
        help="cases 案件 / roster 法律明白人名册 / trainings 培训台账 / "
        "consultations 咨询登记 / adviser-logs 顾问工作日志",
    )
    p.add_argument("-o", "--output", type=Path, required=True, help="输出的.xlsx文件")
    p.add_argument(
        "--full", action="store_true", help="完整导出，不脱敏（仅司法所所长；记入审计日志）"
    )
    p.add_argument("--year", type=int, default=None, help="年份（名册的培训学时、培训台账、日志）")
    p.add_argument("--user", default=None, help="操作人姓名（默认：第一位用户）")

    p = sub.add_parser("import", help="从Excel（.xlsx）导入法律明白人名册或培训签到")
    p.add_argument("list", choices=["roster", "attendance"], help="roster 名册 / attendance 签到")
    p.add_argument("file", type=Path, help="要导入的.xlsx文件")
    p.add_argument("--dry-run", action="store_true", help="只检查并列出问题，不写入")
    p.add_argument("--training", default=None, help="签到对应的培训：培训编号或完整的培训主题")
    p.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="表头=字段",
        help="指定某列的内容，如 --column 人员=name（字段为空表示不导入该列）；会被记住",
    )
    p.add_argument("--skip-errors", action="store_true", help="跳过有问题的行，导入其余各行")
    p.add_argument("--user", default=None, help="操作人姓名（默认：第一位用户）")
    for command in [*sub.choices.values(), *bsub.choices.values()]:
        _add_location(command, after_command=True)
    return parser


def _add_location(parser: argparse.ArgumentParser, *, after_command: bool) -> None:
    """``--data-dir`` and ``--recovery-key``, taken before the command or after it
    (``justice-desktop --data-dir D search 张三`` and ``justice-desktop search --data-dir D
    张三``): after it they leave the value given before alone unless they are given."""
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS if after_command else None,
        help="数据库所在文件夹（默认：用户数据文件夹）",
    )
    parser.add_argument(
        "--recovery-key",
        action="store_true",
        default=argparse.SUPPRESS if after_command else False,
        help="用恢复密钥打开数据库（系统密钥环中的密钥丢失时）",
    )


def _read_recovery_key() -> str:
    try:
        return getpass.getpass("请输入恢复密钥（14组，每组4个字符）：")
    except EOFError:  # no terminal and nothing on standard input (a script, a scheduled task)
        raise StoreError(
            "没有读到恢复密钥：请在命令行窗口中运行，并在提示时输入恢复密钥。"
        ) from None


def _open(args: argparse.Namespace) -> Store:
    return open_existing(args.data_dir, _read_recovery_key() if args.recovery_key else None)


def _acting_user(store: Store) -> str:
    from justice_desktop.store.office import users

    found = users(store)
    return found[0]["id"] if found else "cli"


def cmd_init(args: argparse.Namespace) -> int:
    setup = OfficeSetup(
        office_name=args.office,
        committee_name=args.committee,
        number_prefix=args.prefix,
        body_type=args.body_type,
        user_name=args.user,
        user_role=args.role,
    )
    store, recovery = create_office(args.data_dir, setup, demo=args.demo)
    store.close()
    print(f"已创建加密数据库：{args.data_dir / 'justice.db'}")
    print("恢复密钥（只显示这一次，请抄写或打印后妥善保管；系统密钥环丢失时凭它打开数据库）：")
    print(f"    {recovery}")
    return 0


def cmd_demo_data(args: argparse.Namespace) -> int:
    from justice_desktop.demo.loader import load_demo_data

    if not database_exists(args.data_dir):
        store, _ = create_office(args.data_dir, _demo_setup(), demo=True)
    else:
        store = _open(args)
    try:
        report = load_demo_data(store, cases=args.cases, seed=args.seed, progress=_progress)
    finally:
        store.close()
    print(f"\n已生成演示数据：{report}")
    return 0


def _demo_setup() -> OfficeSetup:
    from justice_desktop.store.session import DEMO_SETUP

    return DEMO_SETUP


def _progress(done: int, total: int) -> bool:
    if total:
        print(f"\r  {done}/{total}", end="", file=sys.stderr, flush=True)
    return True


def cmd_search(args: argparse.Namespace) -> int:
    from justice_desktop.store.search import search, search_hint

    store = _open(args)
    try:
        hits = search(store.conn, args.query, limit=args.limit)
        kinds = {"case": "案件", "understander": "法律明白人", "consultation": "咨询"}
        for hit in hits:
            print(f"[{kinds.get(hit.kind, hit.kind)}] {hit.title}  {hit.subtitle}")
        if not hits:
            hint = search_hint(args.query)
            print(hint or "没有找到匹配的记录。")
    finally:
        store.close()
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        path = store.backup(keep=args.keep)
    finally:
        store.close()
    print(f"已备份到：{path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    folder = configured_backup_folder(args.data_dir)
    found = backups.list_backups(args.data_dir, folder)
    if not args.backup:
        if not found:
            print("没有可用的备份。")
            return 1
        print("可用的备份（最新的在前）：")
        for path in found:
            print(f"  {path.name}")
        print("恢复：justice-desktop restore <备份文件名>")
        return 0
    target = Path(args.backup)
    if not target.is_absolute() and not target.exists():
        target = folder / args.backup
    key = _key_for_restore(args)
    kept = backups.restore_backup(args.data_dir / "justice.db", target, key, datetime.now())
    print(f"已从 {target.name} 恢复数据库。")
    if kept:
        print(f"原数据库文件已保留为：{kept}")
    return 0


def _key_for_restore(args: argparse.Namespace) -> bytes:
    from justice_desktop.store.database import _identity
    from justice_desktop.store.errors import MissingKeyError
    from justice_desktop.store.keys import decode_recovery_key
    from justice_desktop.store.session import vault_for

    if args.recovery_key:
        return decode_recovery_key(_read_recovery_key())
    db_id = str(_identity(args.data_dir).get("db_id") or "")
    key = vault_for(args.data_dir).load(db_id) if db_id else None
    if key is None:
        raise MissingKeyError()
    return key


def cmd_check(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        problems = store.integrity_problems(full=args.full)
        from justice_desktop.store.outbox import pending_count

        pending = pending_count(store)
    finally:
        store.close()
    if problems:
        print("数据库完整性检查发现问题：")
        for line in problems[:20]:
            print(f"  {line}")
        print("请运行 justice-desktop restore 查看可用备份。")
        return 1
    print(f"数据库完整性检查通过。待同步的修改：{pending} 条。")
    return 0


def cmd_blocks(args: argparse.Namespace) -> int:
    from justice_desktop.domain.numbering import NumberBlock
    from justice_desktop.store import numbers
    from justice_desktop.store.office import committees

    store = _open(args)
    try:
        by_name = {c["name"]: c for c in committees(store)}
        if args.blocks_command == "add":
            committee = by_name.get(args.committee)
            if committee is None:
                raise ValidationError(
                    "committee", f"没有名为“{args.committee}”的调委会。可选：{'、'.join(by_name)}"
                )
            if args.first < 1 or args.last < args.first:
                raise ValidationError(
                    "first", "编号段的起止号不正确：起始号应不小于1且不大于终止号。"
                )
            numbers.grant_block(
                store.conn,
                committee["id"],
                args.year,
                NumberBlock(args.first, args.last),
                "manual",
                store.clock(),
            )
            print(f"已登记编号段：{args.committee} {args.year}年 第{args.first}号至第{args.last}号")
        for c in by_name.values():
            for year in numbers.years_with_blocks(store.conn, c["id"]):
                for block, nxt, by in numbers.blocks(store.conn, c["id"], year):
                    print(
                        f"{c['name']} {year}年 {block.first}–{block.last} 下一个：{nxt} 来源：{by}"
                    )
    finally:
        store.close()
    return 0


def cmd_pdf(args: argparse.Namespace) -> int:
    from justice_desktop import pdf
    from justice_desktop.store.case_lookup import case_id_by_number

    form = pdf.form_key(args.form) if args.form else None
    store = _open(args)
    try:
        case_id = case_id_by_number(store, args.case_number)
        if case_id is None:
            raise ValidationError("case_number", f"没有找到案件编号为“{args.case_number}”的案件。")
        if form is None:
            data = pdf.render_case_file(store, case_id)
            title = "调解卷宗"
        else:
            data = pdf.render_form(store, case_id, form, blank=args.blank)
            title = pdf.FORMS[form]
    finally:
        store.close()
    try:
        args.output.write_bytes(data)
    except OSError as exc:
        raise ValidationError(
            "output", f"无法写入文件“{args.output}”：{exc.strerror or exc}"
        ) from exc
    print(f"已生成《{title}》：{args.output}")
    return 0


def _user_named(store: Store, name: str | None) -> str:
    from justice_desktop.store.office import users

    if not name:
        return _acting_user(store)
    found = [u for u in users(store) if u["name"] == name]
    if not found:
        names = "、".join(u["name"] for u in users(store))
        raise ValidationError("user", f"没有名为“{name}”的用户。可选：{names}")
    return found[0]["id"]


def cmd_export(args: argparse.Namespace) -> int:
    from justice_desktop.excel.exports import ExportRequest, export_list

    store = _open(args)
    try:
        user = _user_named(store, args.user)
        result = export_list(
            store, user, ExportRequest(args.list, full=args.full, year=args.year), args.output
        )
    finally:
        store.close()
    mode = "完整导出（未脱敏，已记入审计日志）" if result.full else "身份证号码、电话已脱敏"
    print(f"已导出《{result.title}》{result.rows}行到：{result.path}（{mode}）")
    return 0


def _column_mapping(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        header, sep, key = pair.partition("=")
        if not sep or not header.strip():
            raise ValidationError("column", f"列对应“{pair}”的格式应为“表头=字段”，如“人员=name”。")
        mapping[header.strip()] = key.strip()
    return mapping


def cmd_import(args: argparse.Namespace) -> int:
    from justice_desktop.excel.importer import (
        apply_import,
        field_choices,
        plan_attendance_import,
        plan_roster_import,
    )

    mapping = _column_mapping(args.column)
    known = {key for key, _ in field_choices(args.list)}
    for key in mapping.values():
        if key and key not in known:
            options = "、".join(f"{k}（{label}）" for k, label in field_choices(args.list))
            raise ValidationError("column", f"没有字段“{key}”。可用的字段：{options}")
    store = _open(args)
    try:
        user = _user_named(store, args.user)
        if args.list == "attendance":
            if not args.training:
                raise ValidationError("training", "导入签到需要用 --training 指明是哪一次培训。")
            plan = plan_attendance_import(store, user, args.file, args.training, mapping=mapping)
        else:
            plan = plan_roster_import(store, user, args.file, mapping=mapping)
        for line in plan.report_lines():
            print(line)
        if args.dry_run:
            print("（试运行：没有写入任何记录）")
            return 0 if plan.ok else 1
        if plan.problems and not args.skip_errors:
            print("未导入。请修改表格后重新导入，或加 --skip-errors 跳过有问题的行。")
            return 1
        outcome = apply_import(store, user, plan, skip_invalid=args.skip_errors)
    finally:
        store.close()
    print(outcome.text())
    return 0


HANDLERS = {
    "init": cmd_init,
    "demo-data": cmd_demo_data,
    "search": cmd_search,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "check": cmd_check,
    "blocks": cmd_blocks,
    "pdf": cmd_pdf,
    "export": cmd_export,
    "import": cmd_import,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.data_dir is None:
        args.data_dir = default_data_dir()
    if args.command is None:
        print("请指定命令，或运行 justice-desktop（不带命令）打开程序窗口。", file=sys.stderr)
        return 2
    try:
        return HANDLERS[args.command](args)
    except (StoreError, ValidationError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n已取消。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
