"""The on-disk text of one paper: YAML front matter between ``---`` lines, then the notes.

Field order is fixed (``FIELD_ORDER``), empty fields are left out, keys paperlog does not know
are written back after the known ones in the order they came. A file paperlog wrote loads and
saves back byte for byte.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from paperlog.errors import BadFile, one_line
from paperlog.model import ENTRY_TYPES, KINDS, STATUSES, Link, Paper, Reading

FIELD_ORDER = (
    "title",
    "nickname",
    "kind",
    "status",
    "authors",
    "year",
    "preprint_year",
    "entry_type",
    "venue",
    "container",
    "venue_label",
    "ids",
    "url",
    "links",
    "track",
    "topics",
    "wish_group",
    "rank",
    "readings",
    "citekey",
    "aliases",
    "added",
    "pinned",
    "takeaways",
    "review",
    "abstract",
)
READING_ORDER = ("week", "week_start", "group", "date", "order")


@functools.cache
def _yaml_io() -> tuple[Any, Any]:
    """The YAML loader and dumper, built on first use: start-up never pays for PyYAML."""
    import yaml

    loader = _safe_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[misc, valid-type]
        """Block style, unicode kept, multi-line strings as literal blocks, no wrapping."""

    def repr_str(dumper: Any, value: str) -> Any:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, repr_str)
    return loader, Dumper


def _safe_loader(base: Any) -> Any:
    """A safe loader for hand-edited files: no aliases, no value that raises.

    An alias (``*name``) shares a node, so a 352-byte file of nested aliases stands for
    billions of values (it ran past 30 s at 1.3 GB); paperlog never writes one, so a file
    holding one is refused. A scalar its tag cannot hold (``2020-02-30``, an offset of
    +25:00, ``!!float x``) is a ``ConstructorError`` at its line instead of a bare ValueError.
    """
    import yaml
    from yaml.constructor import ConstructorError

    class Loader(base):  # type: ignore[misc]
        def get_single_data(self) -> Any:
            node = self.get_single_node()
            if node is None:
                return None
            _refuse_aliases(node)
            return self.construct_document(node)

    def guarded(construct: Any, what: str) -> Any:
        def run(loader: Any, node: Any) -> Any:
            try:
                return construct(loader, node)
            except (ValueError, OverflowError, TypeError):
                shown = repr(node.value) if len(node.value) <= 40 else repr(node.value[:37] + "...")
                raise ConstructorError(
                    None, None, f"{shown} is not a valid {what}", node.start_mark
                ) from None

        return run

    for tag, what in (("timestamp", "date"), ("float", "number"), ("int", "whole number")):
        full = f"tag:yaml.org,2002:{tag}"
        Loader.add_constructor(full, guarded(yaml.SafeLoader.yaml_constructors[full], what))
    return Loader


def _refuse_aliases(root: Any) -> None:
    """Raise at the first list or mapping reached twice (an alias to it), walking each node
    once. An alias to a scalar stays allowed: it cannot multiply anything, and PyYAML's
    dumper writes one for a date object a file holds twice."""
    from yaml.constructor import ConstructorError

    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        value = node.value
        if not isinstance(value, list):
            continue
        if id(node) in seen:
            raise ConstructorError(
                None,
                None,
                "aliases (*name) to lists or mappings are not allowed in paperlog files",
                node.start_mark,
            )
        seen.add(id(node))
        for item in value:
            stack.extend(item if isinstance(item, tuple) else (item,))


class _NotFast(Exception):
    """A value the fast emitter does not write itself: PyYAML writes the whole document."""


# Scalars the fast emitter writes itself, and how libyaml writes them in block context at this
# width: a plain scalar when the resolver reads it back as a string and it holds no indicator,
# else single-quoted (leading or trailing spaces, the empty string); text with a tab (and line
# breaks) double-quoted. Anything else (line breaks without a tab: literal blocks; control or
# special characters; long text that might be folded) goes to PyYAML. tests/test_yaml_fast.py
# checks this against PyYAML on generated text.
_FAST_CHARS = re.compile(r"[\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]+")
_INDICATOR = re.compile(r"^[,\[\]{}#&*!|>'\"%@`]|^[-?:]( |$)|: |:$| #|^---|^\.\.\.")
_TABBED_CHARS = re.compile(r"[\t\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]+")
_DOUBLE_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n"})
_DOUBLE_UNESCAPE = re.compile(r"\\(.)")
_UNESCAPED = {"t": "\t", "n": "\n", '"': '"', "\\": "\\"}
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FAST_MAX = 9000
"""Longer strings go to PyYAML. A line folds only past the width (10,000 columns); a key of at
most 100 characters and a few levels of indent keep a 9,000-character value below it, so long
abstracts stay on the fast path (at 1,000, nearly every BibTeX import fell off it)."""
_STR_TAG = "tag:yaml.org,2002:str"


# PyYAML's implicit resolvers (yaml/resolver.py, ``Resolver``), the same patterns keyed by the
# first character as PyYAML keys them, so that reading or writing a paper file does not import
# PyYAML (tens of milliseconds of a command's start-up) to learn that "Attention" is a string.
# tests/test_yaml_fast.py checks these answers against PyYAML's own resolver.
_BOOL = r"""^(?:yes|Yes|YES|no|No|NO
            |true|True|TRUE|false|False|FALSE
            |on|On|ON|off|Off|OFF)$"""
_FLOAT = r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
            |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
            |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
            |[-+]?\.(?:inf|Inf|INF)
            |\.(?:nan|NaN|NAN))$"""
_INT = r"""^(?:[-+]?0b[0-1_]+
            |[-+]?0[0-7_]+
            |[-+]?(?:0|[1-9][0-9_]*)
            |[-+]?0x[0-9a-fA-F_]+
            |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$"""
_NULL = r"""^(?: ~
            |null|Null|NULL
            | )$"""
_TIMESTAMP = r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
            |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
             (?:[Tt]|[ \t]+)[0-9][0-9]?
             :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
             (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$"""
_IMPLICIT: list[tuple[str, str, str, int]] = [
    ("bool", _BOOL, "yYnNtTfFoO", re.X),
    ("float", _FLOAT, "-+0123456789.", re.X),
    ("int", _INT, "-+0123456789", re.X),
    ("merge", r"^(?:<<)$", "<", 0),
    ("null", _NULL, "~nN", re.X),
    ("timestamp", _TIMESTAMP, "0123456789", re.X),
    ("value", r"^(?:=)$", "=", 0),
    ("yaml", r"^(?:!|&|\*)$", "!&*", 0),
]


@functools.cache
def _implicit(first: str) -> list[tuple[str, re.Pattern[str]]]:
    """PyYAML's resolvers for a scalar starting with ``first``, in its order (compiled only
    for the first characters met: most values start with a letter none of them claims)."""
    return [
        (f"tag:yaml.org,2002:{name}", re.compile(pattern, flags))
        for name, pattern, firsts, flags in _IMPLICIT
        if first in firsts
    ]


@functools.lru_cache(maxsize=1 << 16)
def implicit_tag(value: str) -> str:
    """The tag PyYAML's resolver gives a plain scalar (what ``Resolver().resolve`` answers for
    a ScalarNode with implicit plain resolution)."""
    if value == "":
        return "tag:yaml.org,2002:null"
    for tag, regexp in _implicit(value[0]):
        if regexp.match(value):
            return tag
    return _STR_TAG


def _resolver_tag() -> Any:
    """The tag the dumper's implicit resolver gives a plain scalar."""
    return implicit_tag


def _resolves_to_str(value: str) -> bool:
    return implicit_tag(value) == _STR_TAG


def _resolver() -> Any:
    """The dumper's implicit resolver: a plain scalar it reads as other than a string (a
    number, a bool, a date, null) must be quoted."""
    return _resolves_to_str


_WRITTEN: dict[str, str] = {}
"""Strings already written, as written: a paper's strings are written again when an import
compares its text before and after (bounded: cleared when it grows past ``_WRITTEN_MAX``)."""
_WRITTEN_MAX = 1 << 17


def _fast_str(value: str) -> str:
    known = _WRITTEN.get(value)
    if known is not None:
        return known
    if len(_WRITTEN) >= _WRITTEN_MAX:
        _WRITTEN.clear()
    _WRITTEN[value] = written = _fast_str_new(value)
    return written


def _fast_str_new(value: str) -> str:
    if len(value) > _FAST_MAX:
        raise _NotFast
    if not value:
        return "''"
    if _FAST_CHARS.fullmatch(value):
        if (
            value[0] != " "
            and value[-1] != " "
            and not _INDICATOR.search(value)
            and _resolver()(value)
        ):
            return value
        return "'" + value.replace("'", "''") + "'"  # leading or trailing spaces too
    if "\t" in value and _TABBED_CHARS.fullmatch(value):
        # A tab is no printable character to libyaml: the value goes double-quoted, with \t,
        # \n, \" and \\ escaped (BibTeX fields wrapped by an editor: "align\n\t\t  and").
        quoted = '"' + value.translate(_DOUBLE_ESCAPES) + '"'
        if len(quoted) <= _FAST_MAX:  # escapes lengthen it; past the width libyaml folds
            return quoted
    raise _NotFast


def _fast_scalar(value: Any, seen: set[int]) -> str:
    if type(value) is str:
        return _fast_str(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if type(value) is int:
        return str(value)
    if type(value) is date:
        _once(value, seen)
        return value.isoformat()
    raise _NotFast


def _once(value: Any, seen: set[int]) -> None:
    """PyYAML writes an object met twice in one document (a list, a date) as an anchor and
    an alias; such documents are left to it."""
    if id(value) in seen:
        raise _NotFast
    seen.add(id(value))


_PLAIN_KEYS: set[str] = set()
"""Keys known to be written plain (field names: the same few in every file)."""


def _fast_key(key: Any) -> str:
    if type(key) is str:
        if key in _PLAIN_KEYS:
            return key
        if len(key) <= 100 and _KEY.fullmatch(key) and _resolver()(key):
            if len(_PLAIN_KEYS) < 10_000:
                _PLAIN_KEYS.add(key)
            return key
    raise _NotFast


def _fast_mapping(
    data: dict[Any, Any], indent: int, out: list[str], inline: bool, seen: set[int]
) -> None:
    """Block mapping at column ``indent``; with ``inline`` the first key follows a "- "."""
    if not data:
        raise _NotFast
    _once(data, seen)
    pad = " " * indent
    for i, (key, value) in enumerate(data.items()):
        head = ("" if inline and i == 0 else pad) + _fast_key(key) + ":"
        if type(value) is str:  # most values: the string cache first, no call in between
            written = _WRITTEN.get(value)
            out.append(f"{head} {written if written is not None else _fast_str(value)}\n")
        elif type(value) is dict:
            out.append(head + "\n")
            _fast_mapping(value, indent + 2, out, False, seen)
        elif type(value) is list:
            out.append(head + "\n")
            _fast_sequence(value, indent, out, seen)  # a list in a mapping is not indented
        else:
            out.append(head + " " + _fast_scalar(value, seen) + "\n")


def _fast_sequence(data: list[Any], indent: int, out: list[str], seen: set[int]) -> None:
    """Block sequence with its dashes at column ``indent``."""
    if not data:
        raise _NotFast
    _once(data, seen)
    dash = " " * indent + "- "
    for item in data:
        if type(item) is dict:
            out.append(dash)
            _fast_mapping(item, indent + 2, out, True, seen)
        elif type(item) is list:
            raise _NotFast
        else:
            out.append(dash + _fast_scalar(item, seen) + "\n")


def _fast_dump(data: Any) -> str:
    """What ``yaml.dump`` writes in paperlog's style, for the common shapes (block mappings
    and sequences of short one-line strings, ints, bools, dates), without building a node
    tree: the representer walk was most of the time of writing 10,000 papers. Raises
    ``_NotFast`` for anything else."""
    out: list[str] = []
    seen: set[int] = set()
    if type(data) is dict:
        _fast_mapping(data, 0, out, False, seen)
    elif type(data) is list:
        _fast_sequence(data, 0, out, seen)
    else:
        raise _NotFast
    return "".join(out)


def dump_yaml(data: Any) -> str:
    """YAML text in paperlog's stable style."""
    try:
        return _fast_dump(data)
    except _NotFast:
        pass
    return _slow_dump(data)


def _slow_dump(data: Any) -> str:
    import yaml

    text: str = yaml.dump(
        data,
        Dumper=_yaml_io()[1],
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=10_000,
        indent=2,
    )
    return text


_LOAD_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?\Z")
_LOAD_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_LOAD_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_CONSTANTS: dict[str, Any] = {"true": True, "false": False, "null": None}


def _load_double_quoted(text: str) -> str:
    """A double-quoted scalar the fast writer wrote (tabs, line breaks); ``_NotFast`` for any
    other (an escape it does not write, a form it would write otherwise)."""
    if len(text) < 2 or text[-1] != '"':
        raise _NotFast
    try:
        value = _DOUBLE_UNESCAPE.sub(lambda m: _UNESCAPED[m.group(1)], text[1:-1])
    except KeyError:
        raise _NotFast from None
    if _fast_str(value) != text:
        raise _NotFast
    return value


def _load_scalar(text: str) -> Any:
    """One scalar as PyYAML reads it, for the forms the fast writer produces; ``_NotFast``
    for anything else, so that no write-back check is needed."""
    if text[:1] == '"':
        return _load_double_quoted(text)
    if text[:1] == "'":
        inner = text[1:-1]
        if (
            len(text) < 2
            or text[-1] != "'"
            or "'" in inner.replace("''", "")
            or (inner and not _FAST_CHARS.fullmatch(inner))
        ):
            raise _NotFast
        return inner.replace("''", "'")
    if (
        not text
        or text[0] == " "
        or text[-1] == " "
        or not _FAST_CHARS.fullmatch(text)
        or _INDICATOR.search(text)
    ):
        raise _NotFast  # a plain scalar the writer would have quoted (or never writes)
    tag = _resolver_tag()(text)
    if tag == _STR_TAG:
        return text
    if tag.endswith(":int") and _LOAD_INT.match(text):
        return int(text)
    if tag.endswith(":timestamp") and _LOAD_DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:  # "2020-02-30": PyYAML's loader reports it with its line
            raise _NotFast from None
    if text in _CONSTANTS:
        return _CONSTANTS[text]
    raise _NotFast


def _load_mapping(lines: list[str], i: int, indent: int) -> tuple[int, dict[str, Any]]:
    """The block mapping whose keys sit at column ``indent`` from line ``i`` on."""
    out: dict[str, Any] = {}
    pad = " " * indent
    while i < len(lines):
        line = lines[i]
        if not line.startswith(pad) or line.startswith("- ", indent):
            break
        match = _LOAD_KEY.match(line, indent)
        if match is None or match.group(1) in out:
            raise _NotFast
        key, value = match.groups()
        if key not in _PLAIN_KEYS and not _resolver()(key):
            raise _NotFast  # "yes", "null", "on": PyYAML reads such a key as a bool or None
        i += 1
        if value is not None:
            out[key] = _load_scalar(value)
        elif i < len(lines) and lines[i].startswith(pad + "- "):
            i, out[key] = _load_sequence(lines, i, indent)
        elif i < len(lines) and lines[i].startswith(pad + "  "):
            i, out[key] = _load_mapping(lines, i, indent + 2)
        else:
            raise _NotFast
    if not out:
        raise _NotFast  # e.g. an indented sequence under a key: not a form the writer uses
    return i, out


def _load_sequence(lines: list[str], i: int, indent: int) -> tuple[int, list[Any]]:
    """The block sequence whose dashes sit at column ``indent`` from line ``i`` on."""
    out: list[Any] = []
    dash = " " * indent + "- "
    while i < len(lines) and lines[i].startswith(dash):
        rest = lines[i][indent + 2 :]
        if _LOAD_KEY.match(rest):
            # a mapping item: read its first key as if it stood on its own line
            lines[i] = " " * (indent + 2) + rest
            i, item = _load_mapping(lines, i, indent + 2)
            out.append(item)
        else:
            out.append(_load_scalar(rest))
            i += 1
    return i, out


def _fast_load(text: str) -> Any:
    """Read what ``_fast_dump`` writes, far quicker than PyYAML's constructor, or raise
    ``_NotFast``. Each line must be one of the writer's forms (a key, a dash, a scalar the
    writer would write that way), so the result is what PyYAML loads without writing it back
    to compare (that check was most of the time of loading 10,000 papers)."""
    if text == "[]\n":  # an empty list as paperlog writes it (weeks.yaml of a new library)
        return []
    if not text.endswith("\n"):
        raise _NotFast
    lines = text[:-1].split("\n")
    data: Any
    if lines[0].startswith("- "):
        end, data = _load_sequence(lines, 0, 0)
    else:
        end, data = _load_mapping(lines, 0, 0)
    if end != len(lines):
        raise _NotFast
    return data


def load_yaml(text: str, path: Path | str, first_line: int = 1) -> Any:
    """Parse YAML; a syntax error becomes ``BadFile`` naming the file and the line."""
    try:
        return _fast_load(text)
    except _NotFast:
        pass
    import yaml

    try:
        return yaml.load(text, Loader=_yaml_io()[0])
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else first_line
        problem = one_line(exc.problem or exc.context or "invalid YAML")
        raise BadFile(f"broken YAML: {problem}", path, line) from None
    except yaml.YAMLError as exc:
        raise BadFile(f"broken YAML: {exc}", path, first_line) from None
    except RecursionError:
        raise BadFile("broken YAML: nested too deeply", path, first_line) from None


def split_front_matter(text: str, path: Path | str) -> tuple[str, str]:
    """Return (front matter YAML, body). The file must open with a ``---`` line."""
    if not text.startswith("---\n"):
        raise BadFile("no front matter: a paper file starts with a '---' line", path, 1)
    end = re.search(r"^---[ \t]*$\n?", text[4:], flags=re.MULTILINE)
    if end is None:
        raise BadFile("front matter is not closed by a '---' line", path, 1)
    return text[4 : 4 + end.start()], text[4 + end.end() :]


def line_of(text: str, key: str) -> int | None:
    """The 1-based line of a top-level ``key:`` in a paper file, for error messages."""
    match = re.search(rf"^{re.escape(key)}\s*:", text, flags=re.MULTILINE) or re.search(
        rf"^[ \t-]*{re.escape(key)}\s*:", text, flags=re.MULTILINE
    )
    return text.count("\n", 0, match.start()) + 1 if match else None


def _whole(
    value: Any,
    field: str,
    path: Path | str,
    text: str,
    *,
    low: int = -(2**63),
    high: int = 2**63 - 1,
) -> int | None:
    """A whole number within [low, high] (the index stores 64-bit integers), or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise BadFile(
            f"{field}: {shown} is not a whole number from {low} to {high}",
            path,
            line_of(text, field),
        )
    return value


def _as_date(value: Any, field: str, path: Path | str, text: str) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise BadFile(
            f"{field}: {value!r} is not a date (YYYY-MM-DD)", path, line_of(text, field)
        ) from None


def _str_list(value: Any, field: str, path: Path | str, text: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise BadFile(f"{field}: expected a list", path, line_of(text, field))
    return [str(v) for v in value]


def _authors(value: Any, path: Path | str, text: str) -> list[str]:
    """Authors as plain "Given Family" strings or mappings of parts (``paperlog.names``)."""
    from paperlog.names import author_from_data

    items = _str_list(value, "authors", path, text) if not isinstance(value, list) else value
    out = []
    for item in items:
        name = author_from_data(item)
        if name is None:
            raise BadFile(
                "authors: each author is a name or a mapping with 'family' and 'given'",
                path,
                line_of(text, "authors"),
            )
        out.append(name)
    return out


def _structured(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(v, dict | list) for v in value)


def _takeaways(value: Any, path: Path | str, text: str) -> list[str]:
    """The takeaways as text for review; a mapping an item holds is read as "key: value"
    (the list itself is kept verbatim in ``extra`` and written back as it was)."""
    if not _structured(value):
        return _str_list(value, "takeaways", path, text)
    out = []
    for item in value:
        if isinstance(item, dict):
            out.append("; ".join(f"{k}: {v}" for k, v in item.items()))
        else:
            out.append(str(item))
    return out


def _mapping(value: Any, field: str, path: Path | str, text: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadFile(f"{field}: expected a mapping", path, line_of(text, field))
    return {str(k): v for k, v in value.items()}


def _opt_str(data: dict[str, Any], field: str) -> str | None:
    value = data.get(field)
    return None if value is None else str(value)


def paper_from_text(key: str, text: str, path: Path | str) -> Paper:
    """Parse one paper file. Errors name the file and the line of the offending field."""
    front, body = split_front_matter(text, path)
    data = load_yaml(front, path, first_line=2) if front.strip() else {}
    if not isinstance(data, dict):
        raise BadFile("front matter must be a mapping of fields", path, 2)
    title = data.get("title")
    if not isinstance(title, str | int | float) or not str(title).strip():
        raise BadFile("the 'title' field is missing or empty", path, line_of(text, "title") or 2)
    kind = str(data.get("kind", "paper"))
    if kind not in KINDS:
        raise BadFile(
            f"kind: {kind!r} is not one of {', '.join(KINDS)}", path, line_of(text, "kind")
        )
    status = str(data.get("status", "wish"))
    if status not in STATUSES:
        raise BadFile(
            f"status: {status!r} is not one of {', '.join(STATUSES)}",
            path,
            line_of(text, "status"),
        )
    year = _whole(data.get("year"), "year", path, text, low=-9999, high=9999)
    preprint_year = _whole(
        data.get("preprint_year"), "preprint_year", path, text, low=-9999, high=9999
    )
    entry_type = _opt_str(data, "entry_type")
    if entry_type is not None and entry_type not in ENTRY_TYPES:
        raise BadFile(
            f"entry_type: {entry_type!r} is not one of {', '.join(ENTRY_TYPES)}",
            path,
            line_of(text, "entry_type"),
        )
    rank = _whole(data.get("rank"), "rank", path, text)
    ids_raw = data.get("ids") or {}
    if not isinstance(ids_raw, dict):
        raise BadFile(
            "ids: expected a mapping such as 'arxiv: 2002.05709'", path, line_of(text, "ids")
        )
    links = []
    raw_links = data.get("links") or []
    if not isinstance(raw_links, list):
        raise BadFile("links: expected a list of links", path, line_of(text, "links"))
    for item in raw_links:
        if not isinstance(item, dict) or "label" not in item:
            raise BadFile("links: each link needs a 'label'", path, line_of(text, "links"))
        links.append(Link(str(item["label"]), str(item.get("url") or "")))
    readings = []
    raw_readings = data.get("readings") or []
    if not isinstance(raw_readings, list):
        raise BadFile("readings: expected a list of readings", path, line_of(text, "readings"))
    for item in raw_readings:
        if not isinstance(item, dict):
            raise BadFile("readings: each reading is a mapping", path, line_of(text, "readings"))
        readings.append(
            Reading(
                week=_whole(item.get("week"), "week", path, text, low=0, high=10**6),
                week_start=_as_date(item.get("week_start"), "week_start", path, text),
                group=_opt_str(item, "group"),
                date=_as_date(item.get("date"), "date", path, text),
                order=_whole(item.get("order"), "order", path, text) or 0,
                extra={k: v for k, v in item.items() if k not in READING_ORDER},
            )
        )
    return Paper(
        key=key,
        title=str(title),
        kind=kind,
        nickname=_opt_str(data, "nickname"),
        status=status,
        authors=_authors(data.get("authors"), path, text),
        year=year,
        preprint_year=preprint_year,
        entry_type=entry_type,
        venue=_opt_str(data, "venue"),
        container=_opt_str(data, "container"),
        venue_label=_opt_str(data, "venue_label"),
        ids={str(k): str(v) for k, v in ids_raw.items() if v is not None},
        url=_opt_str(data, "url"),
        links=links,
        track=_opt_str(data, "track"),
        topics=_str_list(data.get("topics"), "topics", path, text),
        wish_group=_opt_str(data, "wish_group"),
        rank=rank,
        readings=readings,
        citekey=_opt_str(data, "citekey"),
        aliases=_str_list(data.get("aliases"), "aliases", path, text),
        added=_as_date(data.get("added"), "added", path, text),
        pinned=_as_date(data.get("pinned"), "pinned", path, text),
        takeaways=_takeaways(data.get("takeaways"), path, text),
        review=_mapping(data.get("review"), "review", path, text),
        abstract=_opt_str(data, "abstract"),
        extra={
            k: v
            for k, v in data.items()
            if k not in FIELD_ORDER or (k == "takeaways" and _structured(v))
        },
        notes=body,
    )


def _reading_dict(reading: Reading) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if reading.week is not None:
        out["week"] = reading.week
    if reading.week_start is not None:
        out["week_start"] = reading.week_start
    if reading.group is not None:
        out["group"] = reading.group
    if reading.date is not None:
        out["date"] = reading.date
    out["order"] = reading.order
    out.update(reading.extra)
    return out


def _takeaways_data(paper: Paper) -> list[Any]:
    """The takeaways as the file had them when they held mappings and are unchanged since."""
    raw = paper.extra.get("takeaways")
    if _structured(raw) and _takeaways(raw, "", "") == paper.takeaways:
        return list(raw or [])
    return paper.takeaways


def paper_to_dict(paper: Paper) -> dict[str, Any]:
    """The front-matter mapping in ``FIELD_ORDER``, empty fields left out, extras last."""
    from paperlog.names import authors_to_data

    values: dict[str, Any] = {
        "title": paper.title,
        "nickname": paper.nickname,
        "kind": paper.kind if paper.kind != "paper" else None,
        "status": paper.status,
        "authors": authors_to_data(paper.authors),
        "year": paper.year,
        "preprint_year": paper.preprint_year,
        "entry_type": paper.entry_type,
        "venue": paper.venue,
        "container": paper.container,
        "venue_label": paper.venue_label,
        "ids": dict(paper.ids),
        "url": paper.url,
        "links": [{"label": link.label, "url": link.url} for link in paper.links],
        "track": paper.track,
        "topics": paper.topics,
        "wish_group": paper.wish_group,
        "rank": paper.rank,
        "readings": [_reading_dict(r) for r in paper.readings],
        "citekey": paper.citekey,
        "aliases": paper.aliases,
        "added": paper.added,
        "pinned": paper.pinned,
        "takeaways": _takeaways_data(paper),
        "review": paper.review,
        "abstract": paper.abstract,
    }
    out = {k: v for k, v in values.items() if v is not None and v not in ([], {})}
    for k, v in paper.extra.items():
        out.setdefault(k, v)
    return out


def paper_to_text(paper: Paper) -> str:
    """The whole file: front matter, then the notes exactly as they are."""
    return f"---\n{dump_yaml(paper_to_dict(paper))}---\n{paper.notes}"
