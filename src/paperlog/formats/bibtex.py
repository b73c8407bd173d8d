"""BibTeX in and out: ``.bib`` entries become papers, papers become ``.bib`` entries.

Parsing is bibtexparser 2's (``parse_string``: block splitting, ``failed_blocks`` with their
start lines, ``@string`` resolution when a file defines macros; name lists split by its
``names`` helpers). LaTeX in the fields paperlog reads (title, authors, venue, abstract) is
decoded here by a small table-driven decoder, with pylatexenc (bibtexparser's own LaTeX library)
as the fallback for macros the table does not know. Writing is a plain join of values that are
already BibTeX; the output parses back with bibtexparser to the same papers (tested).

Nothing of an entry is lost. Its type and every field paperlog does not turn into a paper field
are kept, raw as written, under ``bibtex`` in the paper's front matter::

    bibtex:
      type: inproceedings
      fields: {pages: 1--10, publisher: PMLR, month: jun}
      unbraced: [month]        # written without braces (a month macro, a concatenation)

A field paperlog reads (``title``, ``author``...) is kept raw too when paperlog would not write it
back the same way (``{{TensorFlow}}``); export writes it while the paper still says the same.

What an import does with the papers (duplicates, keys, the queue, the write) is decided by
``paperlog.services.import_bibtex``; this module reads and renders and writes no file.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperlog.citekey import (
    DEFAULT_FORMULA,
    make_citekey,
    taken_citekeys,
)
from paperlog.errors import ImportProblem
from paperlog.formats.bibtex_blocks import (
    FileBlocks,
    blocks_of,
    crossref_order,
    head_text,
    tail_text,
)
from paperlog.formats.citation import FROM_BIBTEX, venue_name
from paperlog.formats.latex import (
    MAX_BRACE_DEPTH,
    brace_depth,
    format_authors,
    latex_to_text,
    parse_authors,
    parse_names,
    protect_case,
    text_to_latex,
)
from paperlog.ids import ids_from_url, normalize_arxiv, normalize_doi
from paperlog.model import Paper
from paperlog.venues import venue_from_source, venue_kind

if TYPE_CHECKING:
    from bibtexparser.model import Entry


EXTRA_KEY = "bibtex"  # the front-matter key that keeps an imported entry's type and raw fields

__all__ = [
    "EXTRA_KEY",
    "export_bibtex",
    "format_authors",
    "latex_to_text",
    "parse_authors",
    "parse_names",
    "text_to_latex",
]
_LINK_RE = re.compile(r"\\url|https?:|www\.", re.IGNORECASE)

# --- field mapping ---------------------------------------------------------------------------

_URL_WRAPPER = re.compile(r"\\url\s*\{(.*)\}", re.DOTALL)
_URL_ESCAPE = re.compile(r"\\([_%&#~$])")
_YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
VENUE_FIELDS = ("booktitle", "journal")
MAPPED = ("author", "title", "year", "doi", "eprint", "url", "abstract")
"""Fields that fill a paper attribute (plus the venue field); the rest are kept raw."""
FIELD_ORDER = (
    *("author", "title", "booktitle", "journal", "howpublished", "editor", "series", "volume"),
    *("number", "pages", "publisher", "organization", "school", "institution", "address"),
    *("month", "year", "doi", "eprint", "archiveprefix", "primaryclass", "url", "note", "abstract"),
)
_SPELLING = {"archiveprefix": "archivePrefix", "primaryclass": "primaryClass"}
_ORDER = {name: i for i, name in enumerate(FIELD_ORDER)}


def read_year(value: str) -> int | None:
    """The four-digit year a ``year`` (or ``date``) value names, if any."""
    m = _YEAR_RE.search(value)
    return int(m.group(1)) if m else None


def _read(name: str, raw: str) -> Any:
    """What a mapped field says, as the paper attribute it fills."""
    if name in ("title", "abstract", "howpublished", *VENUE_FIELDS):
        return latex_to_text(raw) or None
    if name == "author":
        return parse_authors(raw)
    if name == "year":
        return read_year(raw)
    if name == "doi":
        return normalize_doi(latex_to_text(raw))
    if name == "eprint":
        return normalize_arxiv(latex_to_text(raw))
    return read_url(raw)


def read_url(raw: str) -> str | None:
    """A link as a browser wants it: a ``\\url{...}`` wrapper and TeX escapes (``\\_``) removed."""
    m = _URL_WRAPPER.fullmatch(raw.strip())
    return _URL_ESCAPE.sub(r"\1", m.group(1) if m else raw.strip()).strip() or None


def _current(paper: Paper, name: str) -> Any:
    """The paper's value for a mapped field, comparable with ``_read``."""
    if name == "author":
        return paper.authors
    if name in (*VENUE_FIELDS, "howpublished"):
        # files imported before ``container`` existed kept the venue text as the badge
        return paper.container or paper.venue_label
    if name == "eprint":
        return paper.arxiv
    if name == "doi":
        return paper.doi
    value: Any = getattr(paper, name)
    return value


def _venue_field(entry_type: str) -> str:
    if entry_type in ("article", "periodical"):
        return "journal"
    return "howpublished" if entry_type in ("misc", "online", "unpublished") else "booktitle"


# paperlog's entry types (model.ENTRY_TYPES) -> BibTeX's. A preprint is @misc with its eprint,
# as arXiv's own BibTeX export writes it; talks, lectures and web pages are @misc too.
TO_BIBTEX = {
    "article": "article",
    "inproceedings": "inproceedings",
    "incollection": "incollection",
    "book": "book",
    "thesis": "phdthesis",
    "report": "techreport",
}


# Where a thesis's school and a report's institution go (import reads them as kept fields).
_EXPORT_VENUE_FIELD = {"phdthesis": "school", "techreport": "institution"}


def default_type(paper: Paper) -> str:
    """The BibTeX entry type of a paper that did not come from a BibTeX file: from its entry
    type (``formats.citation.entry_type``), @misc for preprints, talks, lectures, web pages."""
    from paperlog.formats.citation import entry_type

    return TO_BIBTEX.get(entry_type(paper), "misc")


def generated_fields(
    paper: Paper,
    entry_type: str,
    venue_field: str | None = None,
    skip: frozenset[str] | set[str] = frozenset(),
) -> dict[str, str]:
    """The mapped fields as paperlog writes them from the paper (values inside the braces).

    The venue goes to ``venue_field`` (default: ``journal`` for articles, else ``booktitle``);
    fields named in ``skip`` (written from elsewhere) are not made.
    """
    out: dict[str, str] = {}
    if paper.authors and "author" not in skip:
        out["author"] = format_authors(paper.authors)
    if "title" not in skip:
        out["title"] = protect_case(text_to_latex(paper.title))
    venue = venue_name(paper)
    field_name = venue_field or _venue_field(entry_type)
    if venue and not (field_name == "howpublished" and entry_type == "misc" and paper.arxiv):
        # a preprint's eprint says where it is; "arXiv" or a year is no venue
        out[field_name] = text_to_latex(venue)
    if paper.year:
        out["year"] = str(paper.year)
    if paper.doi:
        out["doi"] = paper.doi
    if paper.arxiv:
        out["eprint"] = paper.arxiv
        out["archiveprefix"] = "arXiv"
    if paper.url:
        out["url"] = paper.url
    if paper.abstract and "abstract" not in skip:
        out["abstract"] = text_to_latex(paper.abstract)
    return out


# --- import ----------------------------------------------------------------------------------


@dataclass
class BibWarning:
    """Something an import reports: a malformed entry (skipped) or a change it made."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


_BRACES_RE = re.compile(r"[{}]")


def _unenclose(value: str) -> tuple[str, bool]:
    """The text inside one ``{...}`` or ``"..."`` group, or the value as it is (a number, a
    macro such as ``jun``, a concatenation such as ``"a" # b``) and False."""
    if len(value) < 2:
        return value, False
    first = value[0]
    if not ((first == "{" and value[-1] == "}") or (first == '"' and value[-1] == '"')):
        return value, False
    inner = value[1:-1]
    if first == "{":
        # one group when no "}" inside closes the outer brace early ("{a} # {b}")
        if "}" in inner:
            depth = 0
            for match in _BRACES_RE.finditer(inner):
                if match.group() == "{":
                    depth += 1
                else:
                    depth -= 1
                    if depth < 0:
                        return value, False
        return inner, True
    if "{" not in inner and "}" not in inner and '"' not in inner:
        return inner, True  # the common case, without the scan
    depth = 0
    for i, char in enumerate(inner, start=1):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return value, False
        elif char == '"' and depth == 0 and value[i - 1] != "\\":
            return value, False
    return inner, True


def fields_of(entry: Entry, enclosed: bool) -> tuple[dict[str, str], list[str], list[str]]:
    """Lower-cased field names -> raw values (first of duplicates), bare ones, duplicates."""
    fields: dict[str, str] = {}
    bare: list[str] = []
    dupes: list[str] = []
    for fld in entry.fields:
        name = fld.key.lower()
        value = fld.value
        if not isinstance(value, str):
            value = str(value)
        if name in fields:
            dupes.append(name)
            continue
        if enclosed:
            value, braced = _unenclose(value)
            if not braced and not value.isdigit():
                bare.append(name)
        elif fld.enclosing == "no-enclosing" and not value.isdigit():
            bare.append(name)
        fields[name] = value
    return fields, bare, dupes


def entry_to_paper(
    entry_type: str, citekey: str, fields: dict[str, str], bare: Iterable[str] = ()
) -> Paper:
    """A paper from one entry's raw fields; the key is left empty for the caller to give."""
    entry_type = entry_type.lower()
    # Each field is decoded at most once here (the venue field is read for the venue and again
    # for an arXiv ID in it); 10,000 entries made that a third of an import's conversion.
    title = (latex_to_text(fields["title"]) or None) if "title" in fields else None
    paper = Paper(key="", title=title or citekey, status="wish", citekey=citekey)
    if "author" in fields:
        paper.authors = parse_authors(fields["author"])
    paper.year = read_year(fields.get("year") or fields.get("date") or "")
    default_venue = venue_field = _venue_field(entry_type)
    if venue_field == "howpublished" and _LINK_RE.search(fields.get(venue_field, "")):
        venue_field = "booktitle"  # a link, kept as written, is no venue
    if venue_field not in fields:
        venue_field = next((f for f in VENUE_FIELDS if f in fields), venue_field)
    if venue_field in fields:
        paper.venue_label, paper.venue = _venue_label(fields[venue_field])
        if venue_field != "howpublished":
            paper.container = paper.venue_label
    ids: dict[str, str] = {}
    if "url" in fields:
        paper.url = read_url(fields["url"])
        ids.update(ids_from_url(paper.url or ""))
    arxiv = None
    if "eprint" in fields:
        arxiv = normalize_arxiv(latex_to_text(fields["eprint"]))
    if not arxiv:
        for name in ("journal", "note", "howpublished", "booktitle", "arxivid", "arxiv"):
            if name in fields:
                arxiv = _arxiv_in(fields[name])
                if arxiv:
                    break
    if arxiv:
        ids["arxiv"] = arxiv
    doi = normalize_doi(latex_to_text(fields["doi"])) if "doi" in fields else None
    if doi:
        ids["doi"] = doi
    paper.ids = {k: ids[k] for k in sorted(ids)} if len(ids) > 1 else ids
    paper.entry_type = FROM_BIBTEX.get(entry_type) or ("preprint" if arxiv else "misc")
    if paper.venue is not None and venue_kind(paper.venue) == "preprint":
        paper.entry_type = "preprint"  # journal = {arXiv preprint arXiv:1503.02531}
    if "abstract" in fields:
        paper.abstract = latex_to_text(fields["abstract"]) or None
    generated = generated_fields(paper, entry_type, venue_field)
    kept = {
        name: value
        for name, value in fields.items()
        if not (name in generated and generated[name] == value)
    }
    data: dict[str, Any] = {"type": entry_type}
    if kept:
        data["fields"] = kept
    unbraced = [name for name in bare if name in kept]
    if unbraced:
        data["unbraced"] = unbraced
    if not title:
        data["untitled"] = True
    if venue_field != default_venue:
        data["venue_field"] = venue_field
    paper.extra[EXTRA_KEY] = data
    return paper


# Venue fields repeat through a file (a proceedings file names one conference a thousand
# times), and what they say is a function of the raw text alone: each is decoded once.
@functools.lru_cache(maxsize=4096)
def _venue_label(raw: str) -> tuple[str | None, str | None]:
    """The venue text a booktitle/journal field holds and the canonical venue it names."""
    label = latex_to_text(raw) or None
    return label, _venue_of(label)


@functools.lru_cache(maxsize=4096)
def _arxiv_in(raw: str) -> str | None:
    """The arXiv ID a field other than ``eprint`` names ("arXiv preprint arXiv:1503.02531")."""
    return normalize_arxiv(latex_to_text(raw))


@functools.lru_cache(maxsize=4096)
def _venue_of(label: str | None) -> str | None:
    """The canonical venue a booktitle/journal names (cached: a proceedings file repeats one)."""
    return venue_from_source(label) if label else None


def _first_line(error: Exception) -> str:
    reason = getattr(error, "abort_reason", None) or getattr(error, "message", None) or error
    text = str(reason).strip().splitlines()
    return text[0] if text else type(error).__name__


def parse_bibtex(
    text: str, path: Path | str, blocks: FileBlocks | None = None
) -> tuple[list[tuple[int | None, Entry, bool]], list[BibWarning], list[BibWarning]]:
    """Split ``text`` into entries ``(line, entry, enclosed)``, malformed blocks and warnings.

    Entries with a repeated field are kept (the first value wins, as in BibTeX itself) and
    warned about; entries whose key repeats an earlier one are kept for the caller to rename.
    ``blocks``, when given, receives the file's ``@string``, ``@preamble`` and ``@comment``.
    """
    from bibtexparser.entrypoint import parse_string
    from bibtexparser.middlewares import default_parse_stack
    from bibtexparser.model import (
        DuplicateBlockKeyBlock,
        DuplicateFieldKeyBlock,
        Entry,
    )

    # bibtexparser logs each bad block to stderr itself; the report carries them instead.
    quiet = logging.getLogger("bibtexparser")
    if not any(isinstance(h, logging.NullHandler) for h in quiet.handlers):
        quiet.addHandler(logging.NullHandler())
    # Without @string macros to resolve, the values are unbraced here (``fields_of``), which
    # is much faster than bibtexparser's enclosing middleware on large files.
    lib = parse_string(text, parse_stack=[])
    if blocks is not None:
        found_blocks = blocks_of(lib)
        blocks.strings, blocks.preambles = found_blocks.strings, found_blocks.preambles
        blocks.comments, blocks.text = found_blocks.comments, found_blocks.text
    enclosed = not lib.strings
    if not enclosed:
        for middleware in default_parse_stack():
            lib = middleware.transform(library=lib)
    found: list[tuple[int | None, Entry, bool]] = [
        (None if e.start_line is None else e.start_line + 1, e, enclosed) for e in lib.entries
    ]
    malformed: list[BibWarning] = []
    warnings: list[BibWarning] = []
    for block in lib.failed_blocks:
        line = None if block.start_line is None else block.start_line + 1
        inner = block.ignore_error_block
        if isinstance(block, DuplicateFieldKeyBlock) and isinstance(inner, Entry):
            names = ", ".join(sorted(block.duplicate_keys))
            warnings.append(
                BibWarning(line, f"{inner.key}: repeated field {names}; kept the first")
            )
            found.append((line, inner, True))
        elif isinstance(block, DuplicateBlockKeyBlock) and isinstance(inner, Entry):
            found.append((line, inner, True))
        else:
            malformed.append(
                BibWarning(line, f"malformed entry skipped: {_first_line(block.error)}")
            )
    found.sort(key=lambda item: item[0] or 0)
    return found, malformed, warnings


def refusal(key: str, fields: dict[str, str]) -> str | None:
    """Why an entry cannot be imported at all, or None: nothing names it, or its braces nest
    deeper than any real entry (the LaTeX decoder would recurse once per level)."""
    for name, value in fields.items():
        # nesting cannot be deeper than the count of "{": most values need no scan
        if value.count("{") <= MAX_BRACE_DEPTH:
            continue
        depth = brace_depth(value)
        if depth > MAX_BRACE_DEPTH:
            return (
                f"{key or 'entry'}: braces in {name} nest {depth} deep (at most "
                f"{MAX_BRACE_DEPTH}); entry skipped"
            )
    if not key.strip() and not latex_to_text(fields.get("title", "")).strip():
        return "entry with neither a citation key nor a title skipped"
    return None


def read_bibtex(
    path: Path, blocks: FileBlocks | None = None
) -> tuple[list[tuple[int | None, Entry, bool]], list[BibWarning], list[BibWarning]]:
    """``parse_bibtex`` of a ``.bib`` file read as UTF-8 (a byte-order mark allowed); a file
    that cannot be read or is not UTF-8 is an ``ImportProblem`` naming it (and the line)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportProblem(f"cannot read: {exc.strerror or exc}", path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = raw[: exc.start].count(b"\n") + 1
        raise ImportProblem("not UTF-8 text; convert the file to UTF-8", path, bad_line) from None
    return parse_bibtex(text, path, blocks)


# --- export ----------------------------------------------------------------------------------


def entry_fields(paper: Paper) -> tuple[str, list[tuple[str, str, bool]]]:
    """The entry type and ``(name, value, braced)`` fields for one paper, in a stable order."""
    data = paper.extra.get(EXTRA_KEY)
    data = data if isinstance(data, dict) else {}
    entry_type = str(data.get("type") or default_type(paper)).lower()
    kept = data.get("fields") if isinstance(data.get("fields"), dict) else {}
    assert isinstance(kept, dict)
    listed = data.get("unbraced") or []
    unbraced = {str(n).lower() for n in ([listed] if isinstance(listed, str) else listed)}
    venue_field = str(data.get("venue_field") or _venue_field(entry_type))
    if not data and entry_type in _EXPORT_VENUE_FIELD:
        venue_field = _EXPORT_VENUE_FIELD[entry_type]
    # An entry without a (readable) title got its key as the paper's title: not a title to write.
    stand_in_title = bool(data.get("untitled")) and paper.title == paper.citekey
    values: dict[str, tuple[str, bool]] = {}
    for name, raw in kept.items():
        name = str(name).lower()
        raw = "" if raw is None else str(raw)
        checked = (name in MAPPED or name == venue_field) and not (
            name == "title" and stand_in_title
        )
        if checked and _read(name, raw) != _current(paper, name):
            continue  # the user changed it: the paper's value wins (made below)
        values[name] = (raw, name not in unbraced)
    generated = generated_fields(paper, entry_type, venue_field, skip=set(values))
    if stand_in_title:
        generated.pop("title", None)
    for name, value in generated.items():
        values.setdefault(name, (value, True))
    ordered = sorted(values, key=lambda n: (_ORDER.get(n, len(_ORDER)), n))
    return entry_type, [(_SPELLING.get(n, n), values[n][0], values[n][1]) for n in ordered]


def export_bibtex(
    papers: Iterable[Paper],
    *,
    taken: set[str] | None = None,
    formula: str = DEFAULT_FORMULA,
    blocks: FileBlocks | None = None,
) -> str:
    """BibTeX text for the papers, one entry each, in the order given, except that an entry
    others ``crossref`` comes after them (BibTeX needs that).

    A paper without a citation key gets one (``make_citekey``, unique within ``taken`` and the
    papers' own keys) in the output only; ``paperlog.citekey.assign_citekeys`` stores keys.
    A paper's ``aliases`` (keys of duplicates merged into it) are written as copies of its
    entry under each alias, so a document citing either key still builds. ``blocks`` (the
    ``@preamble``/``@string`` blocks, then the ``@comment`` blocks) frame the entries.
    """
    papers = list(papers)
    used = taken_citekeys(papers) | (taken or set())
    keys: list[str] = []
    texts: list[str] = []
    targets: list[str | None] = []
    for paper in papers:
        citekey = paper.citekey
        if not citekey:
            citekey = make_citekey(paper, used, formula)
            used.add(citekey.lower())
        entry_type, fields = entry_fields(paper)
        # Values are already BibTeX (encoded, or raw as imported), so writing is a join; the
        # layout is what bibtexparser's writer makes with a two-space indent, at a third of
        # the cost for large exports.
        lines = ",\n".join(
            f"  {n} = {{{v}}}" if braced else f"  {n} = {v}" for n, v, braced in fields
        )
        target = next((v.strip() for n, v, _ in fields if n == "crossref"), None)
        for key in (citekey, *paper.aliases):
            keys.append(key)
            texts.append(f"@{entry_type}{{{key},\n{lines}\n}}\n")
            targets.append(target)
    out = [texts[i] for i in crossref_order(keys, targets)]
    if blocks:
        return "\n".join(x for x in (head_text(blocks), *out, tail_text(blocks)) if x)
    return "\n".join(out)


def select_papers(
    papers: Iterable[Paper], query: str = "", status: str | None = None, keys: Iterable[str] = ()
) -> list[Paper]:
    """The papers a query string (``paperlog.query`` syntax) and a status pick, by key order."""
    from paperlog.query import build_query

    wanted = {k.lower() for k in keys}

    def named(p: Paper) -> bool:  # by file key, citation key or an alias
        return bool(wanted & {n.lower() for n in (p.key, p.citekey or "", *p.aliases)})

    q = build_query(query, status=status)
    picked = [p for p in papers if q.matches(p) or named(p)]
    if wanted and not query and not status:
        picked = [p for p in papers if named(p)]
    return sorted(picked, key=lambda p: p.key)
