"""Fonts for printed documents: shipped TrueType CJK fonts, per-character fallback, glyph checks.

Two roles, each an ordered chain of shipped fonts (``resources/fonts/``, licences beside them):

* ``BODY``  — WenQuanYi Micro Hei (sans), then AR PL UMing, then the Hanazono fallbacks;
* ``TITLE`` — AR PL UMing CN (serif, 宋体/明体 style), then Micro Hei, then Hanazono.

HanaMinA-cjk.ttf (a subset of HanaMinA: CJK Extension A and the ideographs the two main fonts lack)
and HanaMinB.ttf (Extensions B–F) make rare name characters such as 𠮷 (U+20BB7) and 䶮 print.
Text is split into runs by font (``runs``/``markup``) so one line can mix fonts. A character that
no shipped font has raises :class:`MissingGlyphError` before anything is drawn: it is never printed
as an empty box.

Fonts are registered with reportlab once per process (reportlab's own registry is
process-wide); the big fallback fonts are opened only when a character needs them.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics, ttfonts  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]

from justice_desktop.paths import resources_dir
from justice_desktop.validation import ValidationError


@dataclass(frozen=True)
class FontFile:
    name: str  # the name registered with reportlab
    file: str  # inside resources/fonts
    subfont: int = 0


SANS = FontFile("JDSans", "wqy-microhei.ttc", 0)
SERIF = FontFile("JDSerif", "uming.ttc", 0)  # AR PL UMing CN
EXT_A = FontFile("JDHanaA", "HanaMinA-cjk.ttf")
EXT_B = FontFile("JDHanaB", "HanaMinB.ttf")

BODY: tuple[FontFile, ...] = (SANS, SERIF, EXT_A, EXT_B)
TITLE: tuple[FontFile, ...] = (SERIF, SANS, EXT_A, EXT_B)
ALL_FONTS: tuple[FontFile, ...] = (SANS, SERIF, EXT_A, EXT_B)

# Characters that are layout, not glyphs: never looked up.
_NO_GLYPH = frozenset("\n\r\t\u00a0\u200b\ufeff")

_lock = threading.Lock()


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


class MissingGlyphError(ValidationError):
    """Characters that no shipped font can print (named, with the field they are in)."""

    def __init__(self, field: str, label: str, chars: Iterable[str]) -> None:
        self.chars = sorted(set(chars))
        shown = "、".join(f"“{c}”（U+{ord(c):04X}）" for c in self.chars)
        super().__init__(
            field,
            f"{label}中的字符{shown}在本程序的字库中没有，打印会成为空白方框。"
            "请改用常用字或同音字，并在备注中说明原字后再打印。",
        )
        self.label = label


def _utf16_hex(code: int) -> str:
    return str(chr(code).encode("utf-16-be").hex().upper())


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, with characters beyond U+FFFF written as UTF-16 surrogate
    pairs (reportlab writes ``%04X`` of the code point: 𠮷 U+20BB7 came back as U+20BB "₻")."""
    head = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
    ]
    body = [f"<{i:02X}> <{_utf16_hex(v)}>" for i, v in enumerate(subset)]
    tail = ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(head + body + tail)


# The one change to reportlab: its module-level CMap writer, replaced once (same output for the
# Basic Multilingual Plane, correct text extraction for CJK Extension B and beyond).
ttfonts.makeToUnicodeCMap = _to_unicode_cmap


@functools.cache
def _registered(font: FontFile) -> frozenset[int]:
    """Register ``font`` with reportlab (once per process) and return its character map."""
    with _lock:
        path = fonts_dir() / font.file
        try:
            tt = TTFont(font.name, str(path), subfontIndex=font.subfont)
        except OSError as exc:  # pragma: no cover - a broken installation
            raise ValidationError(
                "font", f"找不到打印用字库文件：{path}。请重新安装本程序。"
            ) from exc
        pdfmetrics.registerFont(tt)
        return frozenset(tt.face.charToGlyph)


def register(font: FontFile) -> str:
    """The reportlab font name of ``font``, registered if it was not yet."""
    _registered(font)
    return font.name


def has_glyph(font: FontFile, ch: str) -> bool:
    return ord(ch) in _registered(font)


def font_for(ch: str, chain: tuple[FontFile, ...] = BODY) -> FontFile | None:
    """The first font of ``chain`` that has ``ch``; ``None`` if none does."""
    if ch in _NO_GLYPH:
        return chain[0]
    for font in chain:
        if ord(ch) in _registered(font):
            return font
    return None


def missing_chars(text: str, chain: tuple[FontFile, ...] = BODY) -> list[str]:
    """Characters of ``text`` that no font of ``chain`` has, in order of first appearance."""
    primary = _registered(chain[0])
    out: list[str] = []
    for ch in text:
        if ord(ch) in primary or ch in _NO_GLYPH or ch in out:
            continue
        if font_for(ch, chain) is None:
            out.append(ch)
    return out


def check_text(text: str, field: str, label: str, chain: tuple[FontFile, ...] = BODY) -> None:
    """Raise :class:`MissingGlyphError` if ``text`` has a character no shipped font prints."""
    missing = missing_chars(text, chain)
    if missing:
        raise MissingGlyphError(field, label, missing)


def runs(text: str, chain: tuple[FontFile, ...] = BODY) -> list[tuple[str, str]]:
    """Split ``text`` into (font name, fragment) runs, each fragment printable in its font.

    A character no font has is dropped into the primary font's run (callers check first with
    ``check_text``; this function itself never raises so that layouts stay total).
    """
    primary = _registered(chain[0])
    if all(ord(ch) in primary or ch in _NO_GLYPH for ch in text):
        return [(register(chain[0]), text)] if text else []
    out: list[tuple[str, str]] = []
    for ch in text:
        font = font_for(ch, chain) or chain[0]
        name = register(font)
        if out and out[-1][0] == name:
            out[-1] = (name, out[-1][1] + ch)
        else:
            out.append((name, ch))
    return out


IDEOGRAPHIC_SPACE = "\u3000"
NO_BREAK_SPACE = "\u00a0"


def markup(text: str, chain: tuple[FontFile, ...] = BODY) -> str:
    """``text`` escaped for a reportlab Paragraph, with ``<font>`` tags around fallback runs.

    The paragraph's own style must use ``chain[0]``; line breaks become ``<br/>``.
    """
    primary = register(chain[0])
    # A Paragraph collapses runs of white space, U+3000 included, which closed up the blanks
    # of "    年  月  日" to be filled by hand; no-break spaces keep their width (4 ≈ 1 em).
    text = text.replace(IDEOGRAPHIC_SPACE, NO_BREAK_SPACE * 4)
    parts: list[str] = []
    for name, fragment in runs(text, chain):
        body = escape(fragment).replace("\n", "<br/>")
        parts.append(body if name == primary else f'<font face="{name}">{body}</font>')
    return "".join(parts)


def string_width(text: str, size: float, chain: tuple[FontFile, ...] = BODY) -> float:
    return float(sum(pdfmetrics.stringWidth(frag, name, size) for name, frag in runs(text, chain)))
