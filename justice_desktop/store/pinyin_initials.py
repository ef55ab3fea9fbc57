"""The pinyin initial of each common Han character, from a table shipped in ``resources/``.

Search indexes names by their pinyin initials (张三 → ``zs``). pypinyin knows the readings, but
importing it loads ~10 MB of dictionaries, and one of its JSON loads holds the interpreter
lock for ~0.1 s: on the database worker that freezes the window (the first search or save of
a session stalled typing by 70–160 ms). The initials of the 27,648 characters U+3400–U+9FFF
(CJK Extension A and the Unified Ideographs, which hold every character of the 通用规范汉字表)
are therefore taken from pypinyin once, when the table is made, and stored as one line of
text: character ``U+3400 + i`` has the initial at position ``i`` (``-``: no reading). Rarer
characters still go to pypinyin (see ``search._char_initial``).

``python -m justice_desktop.store.pinyin_initials`` rewrites the table from the installed
pypinyin; ``tests/core/test_pinyin_initials.py`` checks it still matches.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from justice_desktop.paths import resources_dir

__all__ = ["FIRST", "LAST", "build_table", "initial", "table_path"]

FIRST = 0x3400
LAST = 0x9FFF
NONE = "-"


def table_path() -> Path:
    return resources_dir() / "pinyin" / "initials.txt"


@cache
def _table() -> str:
    text = table_path().read_text(encoding="ascii").strip()
    if len(text) != LAST - FIRST + 1:
        raise ValueError(f"{table_path()} is damaged: {len(text)} entries")
    return text


def initial(ch: str) -> str | None:
    """The lower-case initial of ``ch``; "" if it has no reading; None outside the table."""
    code = ord(ch)
    if not FIRST <= code <= LAST:
        return None
    letter = _table()[code - FIRST]
    return "" if letter == NONE else letter


def build_table() -> str:
    """The table as pypinyin gives it (used to make and to check the file)."""
    from pypinyin import Style, lazy_pinyin

    out = []
    for code in range(FIRST, LAST + 1):
        first = lazy_pinyin(chr(code), style=Style.FIRST_LETTER)
        letter = first[0][:1].lower() if first else ""
        out.append(letter if letter.isascii() and letter.isalpha() else NONE)
    return "".join(out)


def main() -> int:
    path = table_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build_table() + "\n", encoding="ascii")
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
