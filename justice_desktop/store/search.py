"""Full-text search over cases, parties, legal understanders and consultations.

One search box, any fragment: a one- or two-character name (王, 张三), pinyin initials
(zs → 张三, 张三丰), part of an ID number or phone, a case number or part of it, words of a
summary.  Pure functions over a DB-API connection (sqlcipher3 or sqlite3); no Qt.

Layout (see :data:`SEARCH_DDL`):

* ``search_docs`` maps one searchable document (a case with its parties, an understander, a
  consultation) to a stable rowid and holds what a result list shows (``title``,
  ``subtitle`` — ID numbers and phones are masked before they are stored) plus the indexed
  names, so a hit can say which party matched.
* ``search_fts`` — contentless FTS5 (``contentless_delete=1``) over text that *we*
  pre-tokenise: each Han character is its own token, runs of letters/digits are one token.
  A 1- or 2-character query therefore becomes a phrase query ("张 三"), which works on any
  SQLite, unlike the trigram tokenizer.  Columns:

  - ``names``: per character, each name followed by the whole name as one extra token
    (``张 三 张三 李 四 李四``) — the whole-name token gives the exact-name tier and also
    separates names so a phrase never spans two of them;
  - ``py``: pinyin initials of each name and every prefix of them (``z zs zsf``), so
    ``zs`` finds 张三丰 without an FTS5 prefix index (a prefix index would duplicate every
    Han-character token of every column);
  - ``code``: case numbers, tokenised the same way (``2025 津 河 人 调 字 第 123 号``), so
    "人调字第123", "2025" or the bare sequence number "123" match as phrase/token;
  - ``body``: summary, question and other free text, per character.

* ``search_num`` — contentless FTS5 with the ``trigram`` tokenizer over digits only (ID
  numbers, phones, the digit runs of case numbers): any fragment of three or more
  characters matches anywhere.  One- and two-digit terms cannot use it; they match a case
  sequence number or a number in the text exactly (see :func:`search_hint`).

Ranking: tiers (exact name > name contains > pinyin initials > case number > ID/phone
fragment > summary text), newest (highest rowid) first inside a tier.  Each tier is one FTS5
query ``ORDER BY rowid DESC LIMIT n``; FTS5 walks its doclists backwards and stops after
``n`` hits, so a first page stays fast even when 王 matches 100,000 documents.

Functions do not commit: the caller owns the transaction.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import Any, Final, Literal, Protocol

from pypinyin import Style, lazy_pinyin

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
    "SearchDoc",
    "SearchHit",
    "index_document",
    "index_documents_bulk",
    "mask_id_number",
    "mask_personal_numbers",
    "mask_phone",
    "name_initials",
    "remove_document",
    "search",
    "search_hint",
]


class Cursor(Protocol):
    """The part of a DB-API cursor used here."""

    @property
    def lastrowid(self) -> int | None: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


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
    UNIQUE(kind, ref_id)
)""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    names, py, code, body,
    content='', contentless_delete=1,
    tokenize='unicode61 remove_diacritics 0'
)""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_num USING fts5(
    num,
    content='', contentless_delete=1,
    tokenize='trigram'
)""",
    # Flush FTS5's in-memory term hash every 8 MB instead of every 1 MB: fewer, larger
    # level-0 segments, so a bulk load does less merge work.  Stored in the tables' config.
    "INSERT INTO search_fts(search_fts, rank) VALUES('hashsize', 8388608)",
    "INSERT INTO search_num(search_num, rank) VALUES('hashsize', 8388608)",
]

_MIN_TRIGRAM = 3  # the trigram tokenizer needs at least this many characters
_MAX_INITIALS_QUERY = 8  # longer letter strings are words, not pinyin initials of a name
_NAME_SEP = "\t"


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """One document for :func:`index_documents_bulk` (same fields as :func:`index_document`)."""

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
    """One result.  ``tier`` is one of the ``TIER_*`` constants (lower ranks first);
    ``matched`` says what matched: the party name for the name and pinyin tiers, otherwise
    the normalised query fragment (never stored personal data)."""

    kind: str
    ref_id: str
    title: str
    subtitle: str
    tier: int
    matched: str


# --------------------------------------------------------------------------- text handling


_HAN_CLASS: Final = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# One Han character, or a run of other letters/digits (``[^\W_]`` is str.isalnum()).
_TOKEN_RE: Final = re.compile(f"[{_HAN_CLASS}]|[^\\W_{_HAN_CLASS}]+")
_HAN_RE: Final = re.compile(f"[{_HAN_CLASS}]")
_NOT_DIGIT_LETTER_RE: Final = re.compile(r"[^0-9A-Z]+")
_DIGIT_RUN_RE: Final = re.compile(r"[0-9]{3,}")


def _is_han(ch: str) -> bool:
    return _HAN_RE.fullmatch(ch) is not None


def _is_han_token(token: str) -> bool:
    return len(token) == 1 and _is_han(token)


def _normalise(text: str) -> str:
    """NFKC (full-width digits, letters and brackets become ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _tokens(text: str) -> list[str]:
    """Split normalised text into our tokens: each Han character alone; each run of other
    letters/digits as one token; everything else separates."""
    return _TOKEN_RE.findall(text)


def _digits_letters(text: str) -> str:
    """Only the ASCII letters and digits of ``text``, upper case (phones, ID numbers)."""
    return _NOT_DIGIT_LETTER_RE.sub("", unicodedata.normalize("NFKC", text).upper())


# Readings of polyphonic characters used as surnames (the first character of a name).
_SURNAME_INITIALS: Final[dict[str, str]] = {
    "单": "s",  # Shàn
    "曾": "z",  # Zēng
    "解": "x",  # Xiè
    "仇": "q",  # Qiú
    "区": "o",  # Ōu
    "朴": "p",  # Piáo
    "查": "z",  # Zhā
    "乐": "y",  # Yuè
    "翟": "z",  # Zhái
    "覃": "q",  # Qín
    "盖": "g",  # Gě
    "缪": "m",  # Miào
    "种": "c",  # Chóng
    "繁": "p",  # Pó
    "召": "s",  # Shào
    "秘": "b",  # Bì
    "折": "s",  # Shé
    "尉": "y",  # 尉迟 Yùchí (尉 alone is Wèi, same initial as the default)
    "万": "w",
    "长": "z",  # Zhǎng
    "华": "h",
    "任": "r",  # Rén
    "员": "y",  # Yùn
    "句": "g",  # Gōu
    "宓": "f",  # Fú
    "隗": "w",  # Wěi
    "柏": "b",  # Bǎi
    "薄": "b",  # Bó
    "都": "d",  # Dū
    "阚": "k",
    "殷": "y",
    "藏": "z",  # Zāng
    "沈": "s",
}
_COMPOUND_SURNAME_INITIALS: Final[dict[str, str]] = {
    "万俟": "mq",
    "单于": "cy",
    "尉迟": "yc",
    "长孙": "zs",
    "澹台": "tt",
    "令狐": "lh",
}


@lru_cache(maxsize=65536)
def _char_initial(ch: str) -> str:
    if not _is_han(ch):
        return ""
    first = lazy_pinyin(ch, style=Style.FIRST_LETTER)
    letter = first[0][:1].lower() if first else ""
    return letter if letter.isascii() and letter.isalpha() else ""


@lru_cache(maxsize=262144)
def name_initials(name: str) -> tuple[str, ...]:
    """Pinyin initials of a Chinese name, surname reading first (单雄信 → ``("sxx", "dxx")``:
    the surname reading, then the common reading when it differs).  Non-Han characters
    are skipped; a name without Han characters has no initials."""
    han = [ch for ch in _normalise(name) if _is_han(ch)]
    if not han:
        return ()
    default = "".join(_char_initial(ch) for ch in han)
    two = "".join(han[:2])
    if two in _COMPOUND_SURNAME_INITIALS:
        surname = _COMPOUND_SURNAME_INITIALS[two] + default[2:]
    elif han[0] in _SURNAME_INITIALS:
        surname = _SURNAME_INITIALS[han[0]] + default[1:]
    else:
        surname = default
    if surname == default or not default:
        return (surname,)
    return (surname, default)


@lru_cache(maxsize=131072)
def _name_entry(name: str) -> tuple[str, str]:
    """(names-column text, py-column text) of one name; empty when it has no letters."""
    toks = _tokens(_normalise(name))
    if not toks:
        return "", ""
    toks.append("".join(toks))  # whole name: exact tier + separator between names
    prefixes: dict[str, None] = {}
    for initials in name_initials(name):
        for i in range(1, len(initials) + 1):
            prefixes[initials[:i]] = None
    return " ".join(toks), " ".join(prefixes)


def _names_column(names: Sequence[str]) -> tuple[str, str, str]:
    """Return (names column, py column, names as stored in search_docs)."""
    toks: list[str] = []
    py: list[str] = []
    kept: list[str] = []
    for name in names:
        name_toks, name_py = _name_entry(name)
        if name_toks:
            kept.append(name.strip().replace(_NAME_SEP, " "))
            toks.append(name_toks)
            if name_py:
                py.append(name_py)
    return " ".join(toks), " ".join(py), _NAME_SEP.join(kept)


def _text_column(parts: Sequence[str]) -> str:
    return " ".join(" ".join(_tokens(_normalise(p))) for p in parts if p)


def _num_column(numbers: Sequence[str], codes: Sequence[str]) -> str:
    out = [n for n in (_digits_letters(x) for x in numbers) if n]
    for code in codes:
        out.extend(_DIGIT_RUN_RE.findall(_normalise(code)))
    return " ".join(out)


# --------------------------------------------------------------------------------- masking


def mask_id_number(value: str) -> str:
    """110105199001010020 → 110105********0020 (first 6 and last 4 kept)."""
    v = value.strip()
    if len(v) <= 10:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_phone(value: str) -> str:
    """13812341234 → 138****1234; other numbers keep only their last 4 digits."""
    v = value.strip()
    if len(v) == 11 and v.isdigit() and v.startswith("1"):
        return v[:3] + "****" + v[-4:]
    if len(v) <= 4:
        return "*" * len(v)
    out = []
    keep_from = len(v) - 4
    for i, ch in enumerate(v):
        out.append(ch if i >= keep_from or not ch.isdigit() else "*")
    return "".join(out)


_ID_RE: Final = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE_RE: Final = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")


def mask_personal_numbers(text: str, numbers: Sequence[str] = ()) -> str:
    """Mask ID numbers (15/18 digits), mobile phones and each of ``numbers`` found in
    ``text``: what a result list shows must not carry them in clear."""
    if not text:
        return text
    for n in numbers:
        n = n.strip()
        if len(n) >= 5 and n in text:
            text = text.replace(n, mask_phone(n) if len(n) <= 12 else mask_id_number(n))
    text = _ID_RE.sub(_mask_id_match, text)
    return _MOBILE_RE.sub(_mask_phone_match, text)


def _mask_id_match(m: re.Match[str]) -> str:
    return mask_id_number(m.group(1))


def _mask_phone_match(m: re.Match[str]) -> str:
    return mask_phone(m.group(1))


# -------------------------------------------------------------------------------- indexing


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown search document kind: {kind!r}")


def _doc_rows(
    doc: SearchDoc,
) -> tuple[tuple[str, str, str, str, str], tuple[str, str, str, str], str]:
    names_col, py_col, names_kept = _names_column(doc.names)
    # A "number" with Han characters is a case number like （2025）津河人调字第123号.
    numbers = [n for n in doc.numbers if not _HAN_RE.search(n)]
    codes = [*doc.codes, *(n for n in doc.numbers if _HAN_RE.search(n))]
    title = mask_personal_numbers(doc.title, numbers)
    subtitle = mask_personal_numbers(doc.subtitle, numbers)
    return (
        (doc.kind, doc.ref_id, title, subtitle, names_kept),
        (names_col, py_col, _text_column(codes), _text_column(doc.text)),
        _num_column(numbers, codes),
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
    """Insert or replace the document ``(kind, ref_id)``; its rowid (and so its place in
    "newest first") stays the same on replace.

    ``names``: person names (parties, the understander, the person consulting);
    ``numbers``: ID numbers, phones (searched by any fragment of 3+ digits);
    ``codes``: case numbers like （2025）津河人调字第123号;
    ``text``: summary, question, answer, notes.
    ID numbers and phones are masked in ``title`` and ``subtitle`` before storing.
    """
    _check_kind(kind)
    doc_row, fts_row, num_col = _doc_rows(
        SearchDoc(kind, ref_id, title, subtitle, names, numbers, text, codes)
    )
    found = conn.execute(
        "SELECT rowid FROM search_docs WHERE kind = ? AND ref_id = ?", (kind, ref_id)
    ).fetchone()
    if found is not None:
        rowid = int(found[0])
        conn.execute(
            "UPDATE search_docs SET title = ?, subtitle = ?, names = ? WHERE rowid = ?",
            (doc_row[2], doc_row[3], doc_row[4], rowid),
        )
        conn.execute("DELETE FROM search_fts WHERE rowid = ?", (rowid,))
        conn.execute("DELETE FROM search_num WHERE rowid = ?", (rowid,))
    else:
        cur = conn.execute(
            "INSERT INTO search_docs(kind, ref_id, title, subtitle, names) VALUES (?, ?, ?, ?, ?)",
            doc_row,
        )
        if cur.lastrowid is None:  # pragma: no cover - sqlite always sets it
            raise RuntimeError("no rowid for new search document")
        rowid = int(cur.lastrowid)
    conn.execute(
        "INSERT INTO search_fts(rowid, names, py, code, body) VALUES (?, ?, ?, ?, ?)",
        (rowid, *fts_row),
    )
    if num_col:
        conn.execute("INSERT INTO search_num(rowid, num) VALUES (?, ?)", (rowid, num_col))


def remove_document(conn: Connection, kind: str, ref_id: str) -> bool:
    """Remove the document; return whether it was indexed."""
    found = conn.execute(
        "SELECT rowid FROM search_docs WHERE kind = ? AND ref_id = ?", (kind, ref_id)
    ).fetchone()
    if found is None:
        return False
    rowid = int(found[0])
    conn.execute("DELETE FROM search_fts WHERE rowid = ?", (rowid,))
    conn.execute("DELETE FROM search_num WHERE rowid = ?", (rowid,))
    conn.execute("DELETE FROM search_docs WHERE rowid = ?", (rowid,))
    return True


def index_documents_bulk(conn: Connection, docs: Iterable[SearchDoc], *, batch_size: int = 5000) -> int:
    """Index many *new* documents fast (loading demo data, rebuilding the index).

    Rowids are assigned in iteration order after the current maximum, so feed documents
    oldest first.  A ``(kind, ref_id)`` that is already indexed raises the driver's
    ``IntegrityError``; the caller holds the transaction and rolls it back.  Returns the
    number of documents indexed.
    """
    row = conn.execute("SELECT coalesce(max(rowid), 0) FROM search_docs").fetchone()
    next_rowid = int(row[0]) + 1
    total = 0
    it: Iterator[SearchDoc] = iter(docs)
    while True:
        chunk = list(islice(it, batch_size))
        if not chunk:
            return total
        doc_rows: list[tuple[Any, ...]] = []
        fts_rows: list[tuple[Any, ...]] = []
        num_rows: list[tuple[int, str]] = []
        for doc in chunk:
            _check_kind(doc.kind)
            d, f, n = _doc_rows(doc)
            doc_rows.append((next_rowid, *d))
            fts_rows.append((next_rowid, *f))
            if n:
                num_rows.append((next_rowid, n))
            next_rowid += 1
        conn.executemany(
            "INSERT INTO search_docs(rowid, kind, ref_id, title, subtitle, names) VALUES (?, ?, ?, ?, ?, ?)",
            doc_rows,
        )
        conn.executemany(
            "INSERT INTO search_fts(rowid, names, py, code, body) VALUES (?, ?, ?, ?, ?)",
            fts_rows,
        )
        if num_rows:
            conn.executemany("INSERT INTO search_num(rowid, num) VALUES (?, ?)", num_rows)
        total += len(chunk)


# ---------------------------------------------------------------------------------- search

_Table = Literal["search_fts", "search_num"]


@dataclass(frozen=True, slots=True)
class _Leaf:
    table: _Table
    expr: str


@dataclass(frozen=True, slots=True)
class _Op:
    op: Literal["AND", "OR"]
    children: tuple[_Node, ...]


_Node = _Leaf | _Op


@dataclass(slots=True)
class _Term:
    text: str  # normalised, what the user typed (shown in SearchHit.matched)
    tokens: list[str]
    alts: dict[int, _Leaf] = field(default_factory=dict)


def _phrase(tokens: Sequence[str]) -> str:
    # Tokens only ever hold letters/digits/Han characters (see _tokens), so quoting them
    # cannot be broken out of: FTS5 operators and quotes in user input never reach MATCH.
    return '"' + " ".join(tokens) + '"'


def _analyse(term_text: str) -> _Term | None:
    toks = _tokens(term_text)
    if not toks:
        return None
    term = _Term(text="".join(toks), tokens=toks)
    compact = term.text
    has_han = any(_is_han_token(t) for t in toks)
    phrase = _phrase(toks)
    if has_han:
        if len(toks) >= 2 and all(_is_han_token(t) for t in toks):
            term.alts[TIER_EXACT_NAME] = _Leaf("search_fts", f"names : {_phrase([compact])}")
        term.alts[TIER_NAME] = _Leaf("search_fts", f"names : {phrase}")
        term.alts[TIER_CASE_NUMBER] = _Leaf("search_fts", f"code : {phrase}")
    else:
        has_digit = any(ch.isdigit() for ch in compact)
        if not has_digit:
            term.alts[TIER_NAME] = _Leaf("search_fts", f"names : {phrase}")
            if compact.isascii() and compact.isalpha() and len(compact) <= _MAX_INITIALS_QUERY:
                term.alts[TIER_PINYIN] = _Leaf("search_fts", f"py : {_phrase([compact])}")
        else:
            term.alts[TIER_CASE_NUMBER] = _Leaf("search_fts", f"code : {phrase}")
        digits = _digits_letters(compact)
        if has_digit and len(digits) >= _MIN_TRIGRAM:
            term.alts[TIER_NUMBER] = _Leaf("search_num", _phrase([digits.lower()]))
    term.alts[TIER_TEXT] = _Leaf("search_fts", f"body : {phrase}")
    return term


def _combine(op: Literal["AND", "OR"], nodes: Sequence[_Node]) -> _Node:
    """Combine nodes, merging leaves of one FTS table into a single MATCH expression."""
    flat: list[_Node] = []
    for n in nodes:
        if isinstance(n, _Op) and n.op == op:
            flat.extend(n.children)
        else:
            flat.append(n)
    by_table: dict[_Table, list[str]] = {}
    others: list[_Node] = []
    for n in flat:
        if isinstance(n, _Leaf):
            by_table.setdefault(n.table, []).append(n.expr)
        else:
            others.append(n)
    merged: list[_Node] = []
    for table, exprs in by_table.items():
        exprs = list(dict.fromkeys(exprs))
        expr = exprs[0] if len(exprs) == 1 else f" {op} ".join(f"({e})" for e in exprs)
        merged.append(_Leaf(table, expr))
    merged.extend(others)
    return merged[0] if len(merged) == 1 else _Op(op, tuple(merged))


def _rowid_select(node: _Node, params: list[str]) -> str:
    """A compound SELECT of matching rowids (for queries that need both FTS tables)."""
    if isinstance(node, _Leaf):
        params.append(node.expr)
        return f"SELECT rowid FROM {node.table} WHERE {node.table} MATCH ?"
    parts = [f"SELECT rowid FROM ({_rowid_select(c, params)})" for c in node.children]
    return (" INTERSECT " if node.op == "AND" else " UNION ").join(parts)


_HIT_COLUMNS: Final = "d.rowid, d.kind, d.ref_id, d.title, d.subtitle, d.names"


def _run(
    conn: Connection, node: _Node, kinds: Sequence[str] | None, limit: int
) -> list[tuple[Any, ...]]:
    kind_sql = ""
    kind_params: list[str] = []
    if kinds is not None:
        kind_sql = f" AND d.kind IN ({', '.join('?' * len(kinds))})"
        kind_params = list(kinds)
    if isinstance(node, _Leaf):
        # FTS5 drives the join and walks its doclists newest-first, stopping after `limit`.
        sql = (
            f"SELECT {_HIT_COLUMNS} FROM {node.table} f JOIN search_docs d ON d.rowid = f.rowid"
            f" WHERE {node.table} MATCH ?{kind_sql} ORDER BY f.rowid DESC LIMIT ?"
        )
        params: list[Any] = [node.expr, *kind_params, limit]
    else:
        sub_params: list[str] = []
        sub = _rowid_select(node, sub_params)
        sql = (
            f"SELECT {_HIT_COLUMNS} FROM search_docs d WHERE d.rowid IN ({sub}){kind_sql}"
            " ORDER BY d.rowid DESC LIMIT ?"
        )
        params = [*sub_params, *kind_params, limit]
    return list(conn.execute(sql, params).fetchall())


def _matched(tier: int, terms: Sequence[_Term], stored_names: str) -> str:
    active = [t for t in terms if tier in t.alts]
    if tier in (TIER_EXACT_NAME, TIER_NAME, TIER_PINYIN) and stored_names:
        for name in stored_names.split(_NAME_SEP):
            compact = "".join(_tokens(_normalise(name)))
            for t in active:
                if tier == TIER_EXACT_NAME and compact == t.text:
                    return name
                if tier == TIER_NAME and " ".join(t.tokens) in " ".join(_tokens(_normalise(name))):
                    return name
                if tier == TIER_PINYIN and any(i.startswith(t.text) for i in name_initials(name)):
                    return name
    return " ".join(t.text for t in active)


def _parse(query: str) -> list[_Term]:
    terms: list[_Term] = []
    for raw in _normalise(query).split():
        term = _analyse(raw)
        if term is not None and all(term.text != t.text for t in terms):
            terms.append(term)
    return terms


def search(
    conn: Connection,
    query: str,
    *,
    kinds: Collection[str] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[SearchHit]:
    """Find documents matching every whitespace-separated term of ``query``.

    Ranked by tier (see ``TIER_*``: a document's tier is the best way any term matched it),
    newest first within a tier.  Never raises on odd input: FTS5 syntax in the query is
    treated as plain characters.  An empty query (or one with only punctuation) gives [].
    """
    if limit <= 0 or offset < 0:
        return []
    terms = _parse(query)
    if not terms:
        return []
    kind_list = None if kinds is None else sorted(set(kinds))
    if kind_list is not None and not kind_list:
        return []
    anys = {id(t): _combine("OR", list(t.alts.values())) for t in terms}
    need = offset + limit
    hits: list[SearchHit] = []
    seen: set[int] = set()
    for tier in sorted({k for t in terms for k in t.alts}):
        with_tier = [t for t in terms if tier in t.alts]
        if len(with_tier) == 1:
            t0 = with_tier[0]
            parts: list[_Node] = [anys[id(t)] for t in terms if t is not t0]
            parts.append(t0.alts[tier])
        else:
            parts = [anys[id(t)] for t in terms]
            parts.append(_combine("OR", [t.alts[tier] for t in with_tier]))
        node = _combine("AND", parts)
        # Earlier tiers may return again here; fetching `need` rows still leaves at least
        # need - len(hits) new ones, because at most len(hits) of them were seen.
        for rowid, kind, ref_id, title, subtitle, names in _run(conn, node, kind_list, need):
            if rowid in seen:
                continue
            seen.add(rowid)
            hits.append(SearchHit(kind, ref_id, title, subtitle, tier, _matched(tier, with_tier, names)))
            if len(hits) >= need:
                break
        if len(hits) >= need:
            break
    return hits[offset:need]


def search_hint(query: str) -> str | None:
    """A short hint for the search box, or None: one- and two-digit terms only match a case
    sequence number or a number written in the text, not part of an ID number or phone."""
    for term in _parse(query):
        if not any(_is_han_token(t) for t in term.tokens):
            digits = _digits_letters(term.text)
            if any(ch.isdigit() for ch in digits) and len(digits) < _MIN_TRIGRAM:
                return "证件号码或电话请至少输入3位；1–2位数字只匹配案号序号"
    return None
