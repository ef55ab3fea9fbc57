"""Full-text search over cases, parties, legal understanders and consultations.

One search box, any fragment: a one- or two-character name (王, 张三), pinyin initials
(zs → 张三, 张三丰), part of an ID number or phone, a case number or part of it, words of a
summary.  Pure functions over a DB-API connection (sqlcipher3 or sqlite3); no Qt.  Nothing
here commits: the caller owns the transaction.

Layout (:data:`SEARCH_DDL`):

* ``search_docs`` — one row per searchable document (a case with its parties, an
  understander, a consultation): a stable rowid, what a result list shows (``title``,
  ``subtitle``; ID numbers and phones are masked before they are stored), and the indexed
  ``names`` and case numbers (``codes``), so a hit can say which party matched and
  multi-term results can be ranked without going back to FTS5.
* ``search_fts`` — one contentless FTS5 table (``contentless_delete=1``) over text that we
  pre-tokenise in Python, so the FTS5 ``ascii`` tokenizer only splits on spaces.  Every
  column's tokens but the body's carry a marker character, so each column has its own
  terms and doclists ("王" in a name and "王" in a summary are different terms; a column
  filter would have to walk the long shared doclist instead):

  - ``names``: each Han character alone, each run of other letters/digits as one token,
    then the whole name as one more token: ``§张 §三 §张三 §李 §四 §李四``.  A 1- or
    2-character query becomes a phrase ("§张 §三") — no trigram needed, which cannot match
    fewer than 3 characters; the whole-name token is the exact-name tier and keeps a phrase
    from spanning two names;
  - ``py``: pinyin initials of each name and every prefix of them (``¤z ¤zs ¤zsf``), so
    ``zs`` finds 张三丰 with a plain term lookup (an FTS5 ``prefix=`` index would also
    duplicate every Han-character token of every column);
  - ``code``: case numbers tokenised like names (``¶2025 ¶津 ¶河 … ¶第 ¶123 ¶号``): the
    phrase "人调字第123", the year or the bare sequence number 123 match;
  - ``num``: trigrams of ID numbers and phones, made here (``¦110 ¦101 ¦010 …``): a
    fragment of 3+ digits is the phrase of its trigrams.  That is what the ``trigram``
    tokenizer does, but inside the same table: no second FTS table, no second rowid
    b-tree per document, and a query mixing a name and digits is one MATCH;
  - ``body``: summary, question and other free text, tokenised like names, unmarked.

Ranking: tiers (``TIER_*``: exact name > name contains > pinyin initials > case number >
ID/phone fragment > summary text), newest (highest rowid) first within a tier.  A one-term
query runs one FTS5 query per tier ``ORDER BY rowid DESC LIMIT n``: FTS5 walks its doclists
backwards and stops after ``n`` rows, so the first page stays fast even when 王 matches
100,000 documents.  A query of several terms (ANDed) first looks for every match at once;
if there are few it ranks them in Python from ``names``/``codes``, otherwise it goes tier by
tier like a single term (many matches: each tier stops early).

User input only ever reaches MATCH as letters, digits and Han characters inside double
quotes, so FTS5 syntax in a query (quotes, ``*``, ``-``, ``:``, parentheses, AND/OR/NOT,
NEAR) is plain text and can never raise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import Any, Final, Protocol

from justice_desktop.store import pinyin_initials

__all__ = [
    "KINDS",
    "KIND_CASE",
    "KIND_CONSULTATION",
    "KIND_UNDERSTANDER",
    "SEARCH_DDL",
    "TIER_CASE_NUMBER",
    "TIER_EXACT_NAME",
    "TIER_LABELS",
    "TIER_NAME",
    "TIER_NUMBER",
    "TIER_PINYIN",
    "TIER_TEXT",
    "DocRows",
    "SearchDoc",
    "SearchHit",
    "document_rows",
    "index_document",
    "index_document_rows",
    "index_documents_bulk",
    "mask_id_number",
    "mask_personal_numbers",
    "mask_phone",
    "name_initials",
    "remove_document",
    "search",
    "search_hint",
]


class Connection(Protocol):
    """The part of a DB-API connection (sqlcipher3 / sqlite3) used here."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Any: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Any: ...


KIND_CASE: Final = "case"
KIND_UNDERSTANDER: Final = "understander"
KIND_CONSULTATION: Final = "consultation"
KINDS: Final = frozenset({KIND_CASE, KIND_UNDERSTANDER, KIND_CONSULTATION})

TIER_EXACT_NAME: Final = 1
TIER_NAME: Final = 2
TIER_PINYIN: Final = 3
TIER_CASE_NUMBER: Final = 4
TIER_NUMBER: Final = 5
TIER_TEXT: Final = 6
TIER_LABELS: Final[dict[int, str]] = {
    TIER_EXACT_NAME: "姓名",
    TIER_NAME: "姓名包含",
    TIER_PINYIN: "姓名拼音首字母",
    TIER_CASE_NUMBER: "案号",
    TIER_NUMBER: "证件号码/电话",
    TIER_TEXT: "内容",
}

SEARCH_DDL: Final[list[str]] = [
    """CREATE TABLE IF NOT EXISTS search_docs(
    rowid INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    title TEXT NOT NULL,
    subtitle TEXT NOT NULL,
    names TEXT NOT NULL DEFAULT '',
    codes TEXT NOT NULL DEFAULT '',
    UNIQUE(kind, ref_id)
)""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    names, py, code, num, body,
    content='', contentless_delete=1,
    tokenize='ascii'
)""",
    # Bulk loads (1M demo cases, committed every 20,000) spend most of their FTS5 time
    # merging segments.  Flushing the in-memory term hash at 32 MB instead of 1 MB makes
    # fewer, larger segments within a big transaction, and merging 8 segments of a level
    # at a time instead of 4 cut the SQLite time of a 1M load committed every 20,000 from
    # 57 s to 41 s (measured), at no visible cost to queries.  Both live in the config.
    "INSERT INTO search_fts(search_fts, rank) VALUES('hashsize', 33554432)",
    "INSERT INTO search_fts(search_fts, rank) VALUES('automerge', 8)",
]

_MIN_TRIGRAM: Final = 3  # digits needed for an ID/phone fragment search
_MAX_INITIALS_QUERY: Final = 8  # longer letter strings are words, not initials of a name
_MAX_TERMS: Final = 16  # further whitespace-separated terms are ignored
# Multi-term queries rank up to this many matches in one go; with more, tier by tier is
# cheaper (measured at 1M documents: 250 gave p95 16 ms where 1000 gave 31 ms).
_CANDIDATE_CAP: Final = 250
_SEP: Final = "\t"  # between names / codes in search_docs
# Column markers (see the module docstring).  Not letters or digits: no query produces them.
_MARK_NAME: Final = "\u00a7"  # §
_MARK_PY: Final = "\u00a4"  # ¤
_MARK_CODE: Final = "\u00b6"  # ¶
_MARK_NUM: Final = "\u00a6"  # ¦


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """One document for :func:`index_documents_bulk`; fields as in :func:`index_document`."""

    kind: str
    ref_id: str
    title: str
    subtitle: str
    names: Sequence[str] = ()
    numbers: Sequence[str] = ()
    text: Sequence[str] = ()
    codes: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result.  ``tier`` is one of the ``TIER_*`` constants (lower ranks first).
    ``matched`` says what matched: the party's name (name and pinyin tiers), the case
    number (case-number tier), otherwise the normalised query fragment — never an ID
    number or phone taken from the index."""

    kind: str
    ref_id: str
    title: str
    subtitle: str
    tier: int
    matched: str


# --------------------------------------------------------------------------- tokenising

_HAN_CLASS: Final = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# One Han character, or a run of other letters/digits (``[^\W_]`` is str.isalnum()).
_TOKEN_RE: Final = re.compile(f"[{_HAN_CLASS}]|[^\\W_{_HAN_CLASS}]+")
_HAN_RE: Final = re.compile(f"[{_HAN_CLASS}]")
_NOT_DIGIT_LETTER_RE: Final = re.compile(r"[^0-9A-Z]+")


def _is_han_token(token: str) -> bool:
    return len(token) == 1 and _HAN_RE.match(token) is not None


def _token_text(text: str) -> str:
    """Our tokens of ``text``, space-separated: each Han character alone, each run of other
    letters/digits as one token, NFKC-normalised (full-width digits and letters become
    ASCII) and lower case; punctuation and spaces only separate.  Indexed text and queries
    both go through this."""
    joined = " ".join(_TOKEN_RE.findall(text))
    # Tokens only, so the quick check passes for ordinary Chinese text (full-width
    # punctuation, the usual reason NFKC has work to do, is gone already).
    if not joined.isascii() and not unicodedata.is_normalized("NFKC", joined):
        joined = " ".join(_TOKEN_RE.findall(unicodedata.normalize("NFKC", joined)))
    return joined.lower()


_SHORT: Final = 12  # texts this short (a village, a place) come again and again: cached


@lru_cache(maxsize=8192)
def _short_token_text(text: str) -> str:
    return _token_text(text)


def _tokens(text: str) -> list[str]:
    return _token_text(text).split()


@lru_cache(maxsize=65536)
def _stored_tokens(text: str) -> tuple[str, ...]:
    """Tokens of a stored name or case number (ranking re-reads the same ones often)."""
    return tuple(_tokens(text))


def _digits_letters(text: str) -> str:
    """Only the ASCII letters and digits of ``text``, upper case (phones, ID numbers)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.upper()
    return text if text.isalnum() and text.isascii() else _NOT_DIGIT_LETTER_RE.sub("", text)


def _trigrams(digits: str) -> list[str]:
    return [digits[i : i + 3] for i in range(len(digits) - 2)]


_NUM_JOIN: Final = " " + _MARK_NUM
_CODE_JOIN: Final = " " + _MARK_CODE


# ------------------------------------------------------------------------------- pinyin

# Polyphonic characters read differently as a surname (the first character of a name),
# where the initial differs from pypinyin's default reading.
_SURNAME_INITIALS: Final[dict[str, str]] = {
    "单": "s",  # Shàn
    "曾": "z",  # Zēng
    "解": "x",  # Xiè
    "仇": "q",  # Qiú
    "区": "o",  # Ōu
    "查": "z",  # Zhā
    "乐": "y",  # Yuè
    "翟": "z",  # Zhái
    "覃": "q",  # Qín
    "种": "c",  # Chóng
    "繁": "p",  # Pó
    "召": "s",  # Shào
    "秘": "b",  # Bì
    "折": "s",  # Shé
    "句": "g",  # Gōu
    "宓": "f",  # Fú
    "隗": "w",  # Wěi
    "藏": "z",  # Zāng
    "阚": "k",  # Kàn
}
_COMPOUND_SURNAME_INITIALS: Final[dict[str, str]] = {
    "万俟": "mq",
    "单于": "cy",
    "尉迟": "yc",
    "长孙": "zs",
    "澹台": "tt",
}


_INITIALS: dict[str, str] = {}  # Han character → initial; bounded by the character set


def _char_initial(ch: str) -> str:
    letter = _INITIALS.get(ch)
    if letter is None:
        letter = pinyin_initials.initial(ch)  # the shipped table: no pypinyin import
        if letter is not None:
            _INITIALS[ch] = letter
            return letter
        # A rare character outside the table: pypinyin (imported only now, see
        # pinyin_initials for why).
        from pypinyin import Style, lazy_pinyin

        first = lazy_pinyin(ch, style=Style.FIRST_LETTER)
        letter = first[0][:1].lower() if first else ""
        if not (letter.isascii() and letter.isalpha()):
            letter = ""
        _INITIALS[ch] = letter
    return letter


def _initials_of(han: Sequence[str]) -> tuple[str, ...]:
    """Initials of a name's Han characters: surname reading first, then the common one."""
    default = "".join([_char_initial(ch) for ch in han])
    if not default:
        return ()
    two = "".join(han[:2])
    if two in _COMPOUND_SURNAME_INITIALS:
        surname = _COMPOUND_SURNAME_INITIALS[two] + default[2:]
    elif han[0] in _SURNAME_INITIALS:
        surname = _SURNAME_INITIALS[han[0]] + default[1:]
    else:
        return (default,)
    return (surname,) if surname == default else (surname, default)


@lru_cache(maxsize=65536)
def name_initials(name: str) -> tuple[str, ...]:
    """Pinyin initials of a Chinese name, the surname reading first: 单雄信 → ``("sxx",
    "dxx")`` (the common reading too when it differs).  Characters other than Han are
    skipped; a name without Han characters has none.  Looked up per character (whole-name
    ``lazy_pinyin`` costs ~40 µs, far too much for a million names)."""
    return _initials_of([t for t in _tokens(name) if _is_han_token(t)])


# ------------------------------------------------------------------------------ masking


def mask_id_number(value: str) -> str:
    """110105199001010020 → 110105********0020 (first 6 and last 4 kept)."""
    v = value.strip()
    if len(v) <= 10:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_phone(value: str) -> str:
    """13812341234 → 138****1234; other numbers keep only their last 4 characters."""
    v = value.strip()
    if len(v) == 11 and v.isdigit() and v.startswith("1"):
        return v[:3] + "****" + v[-4:]
    keep_from = len(v) - 4
    return "".join(ch if i >= keep_from or not ch.isdigit() else "*" for i, ch in enumerate(v))


_LONG_DIGITS_RE: Final = re.compile(r"\d{11}")
# An 18/15-digit ID number, or an 11-digit mobile number, not part of a longer number.
_PERSONAL_NUMBER_RE: Final = re.compile(
    r"(?<![0-9])(?:(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])|(1[3-9]\d{9})(?![0-9]))"
)


def mask_personal_numbers(text: str, numbers: Sequence[str] = ()) -> str:
    """Mask ID numbers (15/18 digits), mobile phones and each of ``numbers`` found in
    ``text``: a result list must not show them in clear."""
    if not text:
        return text
    for n in numbers:
        n = n.strip()
        if len(n) >= 5 and n in text:
            text = text.replace(n, mask_phone(n) if len(n) <= 12 else mask_id_number(n))
    if _LONG_DIGITS_RE.search(text) is None:
        return text
    return _PERSONAL_NUMBER_RE.sub(_mask_match, text)


def _mask_match(m: re.Match[str]) -> str:
    id_number = m.group(1)
    return mask_id_number(id_number) if id_number else mask_phone(m.group(2))


# ----------------------------------------------------------------------------- indexing


# A name of common Han characters only (the usual case): its tokens are its characters.
_PLAIN_HAN_NAME_RE: Final = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]+")


@lru_cache(maxsize=131072)
def _name_entry(name: str) -> tuple[str, str, str]:
    """(names-column text, py-column text, the name as stored in ``search_docs.names``) of
    one name; the first is empty without letters/digits."""
    if _PLAIN_HAN_NAME_RE.fullmatch(name):
        toks = list(name)
        readings = _initials_of(toks)
    else:
        toks = _tokens(name)
        readings = name_initials(name)
    if not toks:
        return "", "", ""
    toks.append("".join(toks))  # whole name: exact tier + separator between names
    prefixes: dict[str, None] = {}
    for initials in readings:
        for i in range(1, len(initials) + 1):
            prefixes[_MARK_PY + initials[:i]] = None
    return " ".join([_MARK_NAME + t for t in toks]), " ".join(prefixes), _clean(name)


def _clean(value: str) -> str:
    return " ".join(value.split())  # no tabs/newlines: _SEP joins the stored lists


_DocRows = tuple[tuple[str, str, str, str, str, str], tuple[str, str, str, str, str]]


def _doc_rows(doc: SearchDoc) -> _DocRows:
    """(search_docs values, search_fts values) of one document."""
    names_col: list[str] = []
    py_col: list[str] = []
    kept: list[str] = []
    for name in doc.names:
        name_toks, name_py, stored = _name_entry(name)
        if name_toks:
            kept.append(stored)
            names_col.append(name_toks)
            if name_py:
                py_col.append(name_py)
    # A "number" with Han characters is a case number like （2025）津河人调字第123号.
    numbers: list[str] = []
    codes = [c for c in doc.codes if c.strip()]
    for n in doc.numbers:
        (codes if _HAN_RE.search(n) else numbers).append(n)
    num_col: list[str] = []
    for n in numbers:
        d = _digits_letters(n)
        if len(d) >= _MIN_TRIGRAM:  # _trigrams(d), inline: millions of numbers in a bulk load
            num_col.append(_MARK_NUM + _NUM_JOIN.join([d[i : i + 3] for i in range(len(d) - 2)]))
    code_col = [_MARK_CODE + t.replace(" ", _CODE_JOIN) for c in codes if (t := _token_text(c))]
    return (
        (
            doc.kind,
            doc.ref_id,
            mask_personal_numbers(doc.title, numbers),
            mask_personal_numbers(doc.subtitle, numbers),
            _SEP.join(kept),
            _SEP.join(_clean(c) for c in codes),
        ),
        (
            " ".join(names_col),
            " ".join(py_col),
            " ".join(code_col),
            " ".join(num_col),
            " ".join(
                [_token_text(t) if len(t) > _SHORT else _short_token_text(t) for t in doc.text if t]
            ),
        ),
    )


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown search document kind: {kind!r}")


_INSERT_FTS: Final = (
    "INSERT INTO search_fts(rowid, names, py, code, num, body) VALUES (?, ?, ?, ?, ?, ?)"
)


def index_document(
    conn: Connection,
    kind: str,
    ref_id: str,
    *,
    title: str,
    subtitle: str,
    names: Sequence[str] = (),
    numbers: Sequence[str] = (),
    text: Sequence[str] = (),
    codes: Sequence[str] = (),
) -> None:
    """Insert or replace the document ``(kind, ref_id)``; on replace its rowid, and so
    its place in "newest first", stays.

    ``names``: people (the parties, the understander, the person asking);
    ``numbers``: ID numbers and phones, found by any fragment of 3+ characters (a value
    with Han characters, such as a case number, is treated as one of ``codes``);
    ``codes``: case numbers like （2025）津河人调字第123号;
    ``text``: summary, question, answer, notes, place.
    ID numbers and phones in ``title``/``subtitle`` are masked before they are stored.
    """
    _check_kind(kind)
    doc_row, fts_row = _doc_rows(
        SearchDoc(kind, ref_id, title, subtitle, names, numbers, text, codes)
    )
    found = conn.execute(
        "SELECT rowid FROM search_docs WHERE kind = ? AND ref_id = ?", (kind, ref_id)
    ).fetchone()
    if found is not None:
        rowid = int(found[0])
        conn.execute(
            "UPDATE search_docs SET title = ?, subtitle = ?, names = ?, codes = ? WHERE rowid = ?",
            (*doc_row[2:], rowid),
        )
        conn.execute("DELETE FROM search_fts WHERE rowid = ?", (rowid,))
    else:
        cur = conn.execute(
            "INSERT INTO search_docs(kind, ref_id, title, subtitle, names, codes)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            doc_row,
        )
        rowid = int(cur.lastrowid)
    conn.execute(_INSERT_FTS, (rowid, *fts_row))


def remove_document(conn: Connection, kind: str, ref_id: str) -> bool:
    """Remove the document; return whether it was indexed."""
    found = conn.execute(
        "SELECT rowid FROM search_docs WHERE kind = ? AND ref_id = ?", (kind, ref_id)
    ).fetchone()
    if found is None:
        return False
    conn.execute("DELETE FROM search_fts WHERE rowid = ?", (found[0],))
    conn.execute("DELETE FROM search_docs WHERE rowid = ?", (found[0],))
    return True


_INSERT_DOCS: Final = (
    "INSERT INTO search_docs(rowid, kind, ref_id, title, subtitle, names, codes)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def index_documents_bulk(
    conn: Connection, docs: Iterable[SearchDoc], *, batch_size: int = 5000
) -> int:
    """Index many *new* documents fast (loading demo data, rebuilding the index); the
    caller holds the transaction.  Returns the number indexed.

    Rowids follow the current maximum in iteration order, so feed documents oldest first.
    A ``(kind, ref_id)`` already indexed raises the driver's ``IntegrityError``; an unknown
    kind raises ValueError before its chunk is written.
    """
    total = 0
    it: Iterator[SearchDoc] = iter(docs)
    while chunk := list(islice(it, max(1, batch_size))):
        total += index_document_rows(conn, document_rows(chunk), batch_size=batch_size)
    return total


@dataclass(frozen=True, slots=True)
class DocRows:
    """What :func:`index_documents_bulk` writes for some documents, made by
    :func:`document_rows` (pure Python: a bulk load makes them in another process) and
    written by :func:`index_document_rows`.  Each row starts with the document's number,
    1, 2, …: the rowid is that plus the highest rowid when they are written."""

    docs: list[tuple[int, str, str, str, str, str, str]]
    fts: list[tuple[int, str, str, str, str, str]]

    def __len__(self) -> int:
        return len(self.docs)


def document_rows(docs: Iterable[SearchDoc]) -> DocRows:
    """The rows of ``docs`` for :func:`index_document_rows`; an unknown kind raises
    ValueError."""
    out = DocRows([], [])
    add_doc, add_fts = out.docs.append, out.fts.append
    for n, doc in enumerate(docs, 1):
        _check_kind(doc.kind)
        d, f = _doc_rows(doc)
        add_doc((n, *d))
        add_fts((n, *f))
    return out


def index_document_rows(conn: Connection, rows: DocRows, *, batch_size: int = 5000) -> int:
    """Index documents made into rows by :func:`document_rows`, numbered from the current
    highest rowid on (see :func:`index_documents_bulk`); the caller holds the transaction.
    Returns the number indexed."""
    row = conn.execute("SELECT coalesce(max(rowid), 0) FROM search_docs").fetchone()
    base = int(row[0])
    # The rowid is the row's number plus ``base``, a constant in the SQL text: no Python
    # work per row here.
    docs_sql = _INSERT_DOCS.replace("VALUES (?", f"VALUES (? + {base}", 1)
    fts_sql = _INSERT_FTS.replace("VALUES (?", f"VALUES (? + {base}", 1)
    step = max(1, batch_size)
    for i in range(0, len(rows.docs), step):
        conn.executemany(docs_sql, rows.docs[i : i + step])
        conn.executemany(fts_sql, rows.fts[i : i + step])
    return len(rows.docs)


# ------------------------------------------------------------------------------- search


@dataclass(slots=True)
class _Term:
    text: str  # normalised, as typed: shown in SearchHit.matched
    tokens: list[str]
    alts: dict[int, str] = field(default_factory=dict)  # tier → FTS5 expression


def _phrase(tokens: Sequence[str], mark: str = "") -> str:
    # Tokens hold only letters, digits and Han characters (see _token_text), so nothing
    # inside the quotes can end the string or be read as FTS5 syntax.
    return '"' + " ".join([mark + t for t in tokens]) + '"'


def _analyse(raw: str) -> _Term | None:
    toks = _tokens(raw)
    if not toks:
        return None
    compact = "".join(toks)
    term = _Term(text=compact, tokens=toks)
    han_only = all(_is_han_token(t) for t in toks)
    has_han = han_only or any(_is_han_token(t) for t in toks)
    has_digit = any(ch.isdigit() for ch in compact)
    if han_only and len(toks) >= 2:
        term.alts[TIER_EXACT_NAME] = _phrase([compact], _MARK_NAME)
    if has_han or not has_digit:
        term.alts[TIER_NAME] = _phrase(toks, _MARK_NAME)
    if not has_han and not has_digit and compact.isascii() and len(compact) <= _MAX_INITIALS_QUERY:
        term.alts[TIER_PINYIN] = _phrase([compact], _MARK_PY)
    if has_han or has_digit:
        term.alts[TIER_CASE_NUMBER] = _phrase(toks, _MARK_CODE)
    if has_digit and not has_han:
        digits = _digits_letters(compact)
        if len(digits) >= _MIN_TRIGRAM:
            term.alts[TIER_NUMBER] = _phrase(_trigrams(digits), _MARK_NUM)
    term.alts[TIER_TEXT] = _phrase(toks)
    return term


def _parse(query: str) -> list[_Term]:
    terms: list[_Term] = []
    for raw in query.split():
        term = _analyse(raw)
        if term is not None and all(term.text != t.text for t in terms):
            terms.append(term)
            if len(terms) == _MAX_TERMS:  # a pasted paragraph: the first terms are plenty
                break
    return terms


def _any_of(exprs: Iterable[str]) -> str:
    parts = list(dict.fromkeys(exprs))
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def _all_of(exprs: Iterable[str]) -> str:
    parts = list(dict.fromkeys(exprs))
    return parts[0] if len(parts) == 1 else " AND ".join(parts)


_Row = tuple[int, str, str, str, str, str, str]


def _run(conn: Connection, expr: str, kinds: Sequence[str] | None, limit: int) -> list[_Row]:
    """Matching documents, newest first.  FTS5 drives the join and walks its doclists
    from the highest rowid, stopping after ``limit`` rows."""
    kind_sql = ""
    params: list[Any] = [expr]
    if kinds is not None:
        kind_sql = f" AND d.kind IN ({', '.join('?' * len(kinds))})"
        params.extend(kinds)
    params.append(limit)
    sql = (
        "SELECT d.rowid, d.kind, d.ref_id, d.title, d.subtitle, d.names, d.codes"
        " FROM search_fts f JOIN search_docs d ON d.rowid = f.rowid"
        f" WHERE search_fts MATCH ?{kind_sql} ORDER BY f.rowid DESC LIMIT ?"
    )
    rows: list[_Row] = conn.execute(sql, params).fetchall()
    return rows


def _contains(seq: Sequence[str], part: Sequence[str]) -> bool:
    n = len(part)
    if n == 1:
        return part[0] in seq
    want = tuple(part)
    return n > 0 and any(tuple(seq[i : i + n]) == want for i in range(len(seq) - n + 1))


def _name_match(tier: int, term: _Term, name: str) -> bool:
    """Whether ``term`` matches the stored ``name`` at a name tier, as the FTS index would."""
    if tier not in term.alts:
        return False
    toks = _stored_tokens(name)
    if not toks:
        return False
    if tier == TIER_EXACT_NAME:
        return "".join(toks) == term.text
    if tier == TIER_NAME:
        return _contains([*toks, "".join(toks)], term.tokens)
    return tier == TIER_PINYIN and any(i.startswith(term.text) for i in name_initials(name))


def _explain(tier: int, terms: Sequence[_Term], names: str, codes: str) -> str | None:
    """What matched at ``tier`` (a name, a case number, the fragment), or None when the
    stored names/codes show that nothing does.  Tiers 5 and 6 cannot be checked here."""
    active = [t for t in terms if tier in t.alts]
    if tier in (TIER_EXACT_NAME, TIER_NAME, TIER_PINYIN):
        for name in names.split(_SEP) if names else ():
            if any(_name_match(tier, t, name) for t in active):
                return name
        return None
    if tier == TIER_CASE_NUMBER:
        for code in codes.split(_SEP) if codes else ():
            if any(_contains(_stored_tokens(code), t.tokens) for t in active):
                return code
        return None
    return " ".join(t.text for t in active)


def _hit(row: _Row, tier: int, terms: Sequence[_Term]) -> SearchHit:
    rowid, kind, ref_id, title, subtitle, names, codes = row
    matched = _explain(tier, terms, names, codes)
    if matched is None:  # e.g. a phrase across two stored names; still a match
        matched = " ".join(t.text for t in terms if tier in t.alts)
    return SearchHit(kind, ref_id, title, subtitle, tier, matched)


def search(
    conn: Connection,
    query: str,
    *,
    kinds: Collection[str] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[SearchHit]:
    """Documents matching every whitespace-separated term of ``query``, best first.

    A document's tier is the best way any term matched it (``TIER_*``); newest first
    within a tier.  Odd input never raises (FTS5 syntax is plain text); an empty query,
    or one of punctuation only, gives [].  ``kinds`` limits the kinds of documents.
    """
    if limit <= 0 or offset < 0:
        return []
    terms = _parse(query)
    kind_list = None if kinds is None else sorted(set(kinds))
    if not terms or (kind_list is not None and not kind_list):
        return []
    need = offset + limit
    if len(terms) > 1:
        ranked = _rank_candidates(conn, terms, kind_list)
        if ranked is not None:
            return ranked[offset:need]
    return _search_by_tier(conn, terms, kind_list, need)[offset:need]


def _search_by_tier(
    conn: Connection, terms: Sequence[_Term], kinds: Sequence[str] | None, need: int
) -> list[SearchHit]:
    """One query per tier until ``need`` hits.  Cheap when matches are many: each query
    stops after ``need`` rows."""
    anys = [_any_of(t.alts.values()) for t in terms]
    hits: list[SearchHit] = []
    seen: set[int] = set()
    for tier in sorted({k for t in terms for k in t.alts}):
        with_tier = [i for i, t in enumerate(terms) if tier in t.alts]
        if len(with_tier) == 1:  # that term's "any" is implied by its tier alternative
            parts = [a for i, a in enumerate(anys) if i != with_tier[0]]
            parts.append(terms[with_tier[0]].alts[tier])
        else:
            parts = [*anys, _any_of(terms[i].alts[tier] for i in with_tier)]
        # Earlier tiers' documents come back here too; fetching `need` rows still leaves
        # at least need - len(hits) new ones, since at most len(hits) were seen.
        for row in _run(conn, _all_of(parts), kinds, need):
            if row[0] not in seen:
                seen.add(row[0])
                hits.append(_hit(row, tier, terms))
        if len(hits) >= need:
            return hits[:need]
    return hits


def _rank_candidates(
    conn: Connection, terms: Sequence[_Term], kinds: Sequence[str] | None
) -> list[SearchHit] | None:
    """Several terms: fetch every match at once (each term any way), rank in Python.

    Tier by tier, each query would repeat the expensive part — walking the long doclists
    of every term — to find a handful of documents.  Here it happens once; tiers 1–4 come
    from the stored names and case numbers, and only a digit term needs one more query
    to tell ID/phone matches from text matches.  None when there are more than
    _CANDIDATE_CAP matches: then tier by tier is cheap, each tier stopping early."""
    every = _all_of(_any_of(t.alts.values()) for t in terms)
    rows = _run(conn, every, kinds, _CANDIDATE_CAP + 1)
    if len(rows) > _CANDIDATE_CAP:
        return None
    tier_of: dict[int, tuple[int, str]] = {}
    for row in rows:
        for tier in (TIER_EXACT_NAME, TIER_NAME, TIER_PINYIN, TIER_CASE_NUMBER):
            matched = _explain(tier, terms, row[5], row[6])
            if matched is not None:
                tier_of[row[0]] = (tier, matched)
                break
    number_terms = [t for t in terms if TIER_NUMBER in t.alts]
    if number_terms and len(tier_of) < len(rows):
        if len(number_terms) == 1:  # its ID/phone alternative stands in for its "any"
            parts = [_any_of(t.alts.values()) for t in terms if t is not number_terms[0]]
            expr = _all_of([*parts, number_terms[0].alts[TIER_NUMBER]])
        else:
            expr = _all_of([every, _any_of(t.alts[TIER_NUMBER] for t in number_terms)])
        text = " ".join(t.text for t in number_terms)
        for row in _run(conn, expr, kinds, _CANDIDATE_CAP + 1):
            tier_of.setdefault(row[0], (TIER_NUMBER, text))
    fallback = (TIER_TEXT, " ".join(t.text for t in terms if TIER_TEXT in t.alts))
    ranked = sorted(rows, key=lambda r: (tier_of.get(r[0], fallback)[0], -r[0]))
    hits = []
    for rowid, kind, ref_id, title, subtitle, _names, _codes in ranked:
        tier, matched = tier_of.get(rowid, fallback)
        hits.append(SearchHit(kind, ref_id, title, subtitle, tier, matched))
    return hits


def search_hint(query: str) -> str | None:
    """A hint for the search box, or None: one- and two-digit terms only match a case
    sequence number or a number in the text, not part of an ID number or phone."""
    for term in _parse(query):
        digits_only = not any(_is_han_token(t) for t in term.tokens)
        if digits_only and TIER_NUMBER not in term.alts and TIER_CASE_NUMBER in term.alts:
            return "证件号码或电话请至少输入3位；1–2位数字只匹配案号序号"
    return None
