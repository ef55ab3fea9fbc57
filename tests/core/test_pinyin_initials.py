"""The shipped table of pinyin initials matches pypinyin, and search uses it."""

from __future__ import annotations

import subprocess
import sys

from justice_desktop.store import pinyin_initials
from justice_desktop.store.search import name_initials


def test_the_shipped_table_matches_the_installed_pypinyin() -> None:
    shipped = pinyin_initials.table_path().read_text(encoding="ascii").strip()
    assert shipped == pinyin_initials.build_table()


def test_initials_of_common_and_rare_characters() -> None:
    assert [pinyin_initials.initial(c) for c in "张三欧阳"] == ["z", "s", "o", "y"]
    assert pinyin_initials.initial("A") is None  # outside the table
    assert pinyin_initials.initial("\U00020000") is None  # Extension B: pypinyin's job
    assert "zs" in name_initials("张三")
    assert "dy" in name_initials("單于") or "cy" in name_initials("單于")


def test_searching_names_does_not_import_pypinyin() -> None:
    code = (
        "import sys\n"
        "from justice_desktop.store.search import name_initials\n"
        "assert 'zsf' in name_initials('张三丰')\n"
        "print('pypinyin' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
