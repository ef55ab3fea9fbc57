"""``justice-desktop export`` and ``import`` as a user runs them: separate processes, a real
encrypted database folder, files made and re-read with openpyxl."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from justice_desktop.validation.id_number import resident_id_check_char
from tests.e2e.test_cli import env, run  # noqa: F401 - the env fixture

ID_A = "12010119800101001" + resident_id_check_char("12010119800101001")


def init(environ: dict[str, str], data: Path, role: str = "head") -> None:
    r = run(
        environ,
        "--data-dir",
        str(data),
        "init",
        "--office",
        "城关司法所",
        "--committee",
        "城关街道人民调解委员会",
        "--prefix",
        "津东城",
        "--user",
        "王所长" if role == "head" else "小李",
        "--role",
        role,
    )
    assert r.returncode == 0, r.stderr


def test_import_roster_then_export_it(tmp_path: Path, env: dict[str, str]) -> None:  # noqa: F811
    data = tmp_path / "office"
    init(env, data)
    d = ["--data-dir", str(data)]
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["法律明白人名册"])
    ws.append(["姓名", "身份证号码", "手机", "村（居）"])
    ws.append(["张明", ID_A, "13812345678", "东村"])
    ws.append(["李芳", "", "1381234", "西村"])
    sheet = tmp_path / "名册.xlsx"
    wb.save(sheet)

    r = run(env, *d, "import", "roster", str(sheet), "--dry-run")
    assert r.returncode == 1, r.stderr
    assert "第4行“手机”列" in r.stdout and "试运行" in r.stdout
    r = run(env, *d, "import", "roster", str(sheet))
    assert r.returncode == 1 and "未导入" in r.stdout
    r = run(env, *d, "import", "roster", str(sheet), "--skip-errors")
    assert r.returncode == 0, r.stderr
    assert "新增1人" in r.stdout and "跳过有问题的1行" in r.stdout
    r = run(env, *d, "import", "roster", str(sheet), "--skip-errors")
    assert "新增0人" in r.stdout and "无变化1人" in r.stdout

    out = tmp_path / "roster.xlsx"
    r = run(env, *d, "export", "roster", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "已导出《法律明白人名册》1行" in r.stdout
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert rows[2][:6] == ("姓名", "性别", "民族", "出生日期", "身份证号码", "联系电话")
    assert rows[3][4] == ID_A[:6] + "********" + ID_A[-4:] and rows[3][5] == "138****5678"
    r = run(env, *d, "export", "roster", "-o", str(out), "--full")
    assert r.returncode == 0, r.stderr
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert rows[3][4] == ID_A

    r = run(env, *d, "import", "roster", str(tmp_path / "nothing.xlsx"))
    assert r.returncode == 1 and "找不到文件" in r.stderr


def test_full_export_refused_for_a_clerk(tmp_path: Path, env: dict[str, str]) -> None:  # noqa: F811
    data = tmp_path / "office"
    init(env, data, role="clerk")
    out = tmp_path / "cases.xlsx"
    r = run(env, "--data-dir", str(data), "export", "cases", "-o", str(out), "--full")
    assert r.returncode == 1
    assert "司法所所长" in r.stderr
    assert not out.exists()
    r = run(env, "--data-dir", str(data), "export", "cases", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "已导出《人民调解案件列表》0行" in r.stdout
