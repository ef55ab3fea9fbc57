"""``justice-desktop pdf``: a form and the bound case file from the command line."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.e2e.test_cli import env, run

__all__ = ["env"]


def test_pdf_form_and_bound_file(tmp_path: Path, env: dict[str, str]) -> None:
    data = tmp_path / "office"
    d = ["--data-dir", str(data)]
    r = run(env, *d, "demo-data", "--cases", "40", "--seed", "3")
    assert r.returncode == 0, r.stderr
    r = run(env, *d, "search", "人调字第1号")
    m = re.search(r"（\d{4}）\S+人调字第1号", r.stdout)
    assert m, r.stdout
    number = m.group(0)

    out = tmp_path / "registration.pdf"
    r = run(env, *d, "pdf", number, "--form", "人民调解受理登记表", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "已生成《人民调解受理登记表》" in r.stdout
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "人民调解受理登记表" in text and number in re.sub(r"\s", "", text)

    half = number.replace("（", "(").replace("）", ")")
    bound = tmp_path / "file.pdf"
    r = run(env, *d, "pdf", half, "--file", "-o", str(bound))
    assert r.returncode == 0, r.stderr
    info = subprocess.run(["pdfinfo", str(bound)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert pages >= 5
    text = subprocess.run(["pdftotext", str(bound), "-"], capture_output=True, text=True).stdout
    assert "卷内目录" in text and "人民调解卷宗" in text

    r = run(env, *d, "pdf", "（2099）无此人调字第9号", "--form", "agreement", "-o", str(out))
    assert r.returncode == 1
    assert "没有找到案件编号为“（2099）无此人调字第9号”的案件" in r.stderr
    r = run(env, *d, "pdf", number, "--form", "离婚协议书", "-o", str(out))
    assert r.returncode == 1
    assert "没有名为“离婚协议书”的文书" in r.stderr
