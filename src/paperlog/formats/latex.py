"""LaTeX in BibTeX values: decoding to Unicode text, encoding back, and BibTeX name lists.

Split from ``bibtex.py`` (which reads and writes entries); ``csljson.py`` uses the same
decoder. LaTeX is decoded by a small table-driven decoder, with pylatexenc (bibtexparser's
own LaTeX library) as the fallback for macros the table does not know.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from paperlog.model import Author
from paperlog.names import author_parts, parse_name, split_von

# --- LaTeX -> text ---------------------------------------------------------------------------

# Accent command -> combining mark: \' acute, \` grave, \^ circumflex, \" diaeresis, \~ tilde,
# \= macron, \. dot, \u breve, \v caron, \H double acute, \c cedilla, \k ogonek, \r ring,
# \d dot below, \b macron below.
_ACCENTS = dict(
    zip(
        "'`^\"~=.uvHckrdb",
        "\u0301\u0300\u0302\u0308\u0303\u0304\u0307\u0306\u030c\u030b\u0327\u0328\u030a\u0323\u0331",
        strict=True,
    )
)
_LETTERS = ("ss", "aa", "AA", "ae", "AE", "oe", "OE", "o", "O", "l", "L")
_SYMBOLS = {
    **dict(zip(_LETTERS, "ßåÅæÆœŒøØłŁ", strict=True)),
    "i": "ı",
    "j": "ȷ",
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textbar": "|",
    "textless": "<",
    "textgreater": ">",
    "textendash": "–",
    "textemdash": "—",
    "textquoteleft": "‘",
    "textquoteright": "’",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "ldots": "…",
    "dots": "…",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
}
_STYLES = [
    "emph",
    "textit",
    "textbf",
    "textsc",
    "textrm",
    "texttt",
    "textsf",
    "textup",
    "textmd",
    "textnormal",
    "mbox",
    "text",
    "mathrm",
    "url",
    "href",
    "uppercase",
    "MakeUppercase",
]
_ESCAPED = {"&": "&", "%": "%", "$": "$", "#": "#", "_": "_", " ": " ", ",": " ", "-": "", "/": ""}
_OPEN, _CLOSE = "\x00", "\x01"  # stand-ins for \{ and \} while bare braces are stripped
# Decoded characters the later steps would read again as markup ("~" as a tie) wait as these.
_HOLD = {"\\": "\x02", "~": "\x03", "-": "\x04", "`": "\x05", "'": "\x06"}
_MATH_RE = re.compile(r"((?<!\\)\$\$?.+?(?<!\\)\$\$?)", re.DOTALL)

_ACCENT_RE = re.compile(
    r"\\([.'`^\"~=])\s*(?:\{\s*(\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|(\\[ij])(?![A-Za-z])|([A-Za-z]))"
    r"|\\([uvHckrdb])(?:\s*\{\s*(\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|\s+([A-Za-z]))"
)
_SYMBOL_RE = re.compile(
    r"\\(" + "|".join(sorted(_SYMBOLS, key=len, reverse=True)) + r")(?![A-Za-z])\s*(?:\{\})?"
)
_STYLE_RE = re.compile(r"\\(?:" + "|".join(_STYLES) + r")(?![A-Za-z])\s*")
_ESCAPE_RE = re.compile(r"\\([&%$#_ ,\-/])")
_SPACE_RE = re.compile(r"\s+")
_MARKUP_RE = re.compile(r"[\\{}~$`'-]")
_LOOSE_SPACE_RE = re.compile(r"^\s|\s$|\s\s|[^\S ]")
_AND_RE = re.compile(r"[ \t\r\n]+and[ \t\r\n]+", re.IGNORECASE)
_TEXT_MARKUP_RE = re.compile(r"[\\{}~$\x00-\x06]|--|``|''")
_STAND_INS_RE = re.compile(r"[\x00-\x06]")  # control characters, used below as stand-ins
_OTHERS = ("others", "et al.", "et al", "{others}")


def _accent(match: re.Match[str]) -> str:
    mark = match.group(1) or match.group(5)
    base = next(g for g in match.group(2, 3, 4, 6, 7) if g is not None)
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + _ACCENTS[mark])


def latex_to_text(value: str) -> str:
    """Plain Unicode text of a BibTeX value: accents decoded, braces and markup removed.

    ``{\\"u}ber`` -> ``über``, ``{GAN}s`` -> ``GANs``, ``\\&`` -> ``&``, ``--`` -> ``–``; runs of
    white space (line breaks inside a field) become one space. Math (``$...$``) is kept as
    written; macros the table does not know go through pylatexenc.
    """
    if _STAND_INS_RE.search(value):  # no meaning in BibTeX text, and they would be misread
        value = _STAND_INS_RE.sub("", value)
    if not _MARKUP_RE.search(value):
        return _SPACE_RE.sub(" ", value).strip() if _LOOSE_SPACE_RE.search(value) else value
    pieces = _MATH_RE.split(value)
    # Odd pieces are math: kept verbatim, so "$O(\\sqrt{T})$" stays readable LaTeX.
    text = "".join(p if i % 2 else _decode(p) for i, p in enumerate(pieces))
    return _SPACE_RE.sub(" ", text).strip()


def _decode(value: str) -> str:
    text = value.replace("\\{", _OPEN).replace("\\}", _CLOSE)
    text = _ACCENT_RE.sub(_accent, text)
    text = _SYMBOL_RE.sub(lambda m: _HOLD.get(_SYMBOLS[m.group(1)], _SYMBOLS[m.group(1)]), text)
    text = _STYLE_RE.sub("", text)
    text = _ESCAPE_RE.sub(lambda m: _ESCAPED[m.group(1)], text)
    if "\\" in text:
        if brace_depth(value) > MAX_BRACE_DEPTH:
            # pylatexenc recurses once per level (400 levels raised RecursionError): drop
            # the macro names and braces instead, keeping the words
            return _SPACE_RE.sub(" ", _MACRO_RE.sub(" ", text).replace("{", "").replace("}", ""))
        return _pylatexenc(value)
    text = text.replace("---", "—").replace("--", "–").replace("``", "“").replace("''", "”")
    text = text.replace("~", " ").replace("{", "").replace("}", "")
    for char, stand_in in _HOLD.items():
        text = text.replace(stand_in, char)
    return text.replace(_OPEN, "{").replace(_CLOSE, "}")


MAX_BRACE_DEPTH = 32
"""Deeper brace nesting than any real entry needs; an import refuses an entry past it."""
_MACRO_RE = re.compile(r"\\[A-Za-z]+\*?|\\.")
_BRACE_RE = re.compile(r"\\.|[{}]")


def brace_depth(value: str) -> int:
    """The deepest ``{`` nesting in ``value`` (escaped braces ignored), in one pass."""
    depth = deepest = 0
    for match in _BRACE_RE.finditer(value):
        char = match.group()
        if char == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "}":
            depth -= 1
    return deepest


def _pylatexenc(value: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]

    text: str = LatexNodes2Text(math_mode="verbatim").latex_to_text(value)
    return text.replace("\xa0", " ")


# --- text -> LaTeX ---------------------------------------------------------------------------

_ENCODE = {
    "\\": "\\textbackslash{}",
    "{": "\\{",
    "}": "\\}",
    "&": "\\&",
    "%": "\\%",
    "$": "\\$",
    "#": "\\#",
    "_": "\\_",
    "~": "\\textasciitilde{}",
    "^": "\\textasciicircum{}",
    "–": "{--}",
    "—": "{---}",
    "“": "{``}",
    "”": "{''}",
}
_ENCODE.update({_SYMBOLS[name]: "{\\" + name + "}" for name in _LETTERS})  # ß -> {\ss}
_SPECIAL_RE = re.compile(r"[\\{}&%$#_~^]|--|``|''")
_MARKS = {mark: cmd for cmd, mark in _ACCENTS.items()}


def text_to_latex(text: str) -> str:
    """A BibTeX value that ``latex_to_text`` reads back as ``text`` (special characters escaped,
    accented Latin letters as LaTeX accents, other Unicode kept as UTF-8)."""
    if text.isascii() and not _SPECIAL_RE.search(text):
        return text
    out = []
    prev = ""
    for char in text:
        if char == prev and char in "-`'":
            out.append("{}")  # "--" would read back as an en dash: keep the pair apart
        prev = char
        if char in _ENCODE:
            out.append(_ENCODE[char])
        elif ord(char) < 128:
            out.append(char)
        else:
            decomposed = unicodedata.normalize("NFD", char)
            base, marks = decomposed[:1], decomposed[1:]
            if len(marks) == 1 and marks in _MARKS and base.isascii() and base.isalpha():
                cmd = _MARKS[marks]
                base = "\\i" if base == "i" and cmd in "'`^\"~=." else base
                out.append(f"{{\\{cmd}{base}}}" if not cmd.isalpha() else f"{{\\{cmd}{{{base}}}}}")
            else:
                out.append(char)
    return "".join(out)


_CASED_WORD = re.compile(r"(?<![\\{\w])([A-Za-z]\w*[A-Z]\w*)")
_AND_WORD = re.compile(r"\band\b", re.IGNORECASE)


def protect_case(latex: str) -> str:
    """Brace words with capitals after their first letter ("SimCLR", "GANs") so styles that
    lower-case titles keep them."""
    return _CASED_WORD.sub(r"{\1}", latex)


# --- names -----------------------------------------------------------------------------------


def parse_names(value: str) -> list[Author]:
    """Each person of a BibTeX name list with its parts (BibTeX's First von Last, Jr), decoded;
    "others" dropped."""
    from bibtexparser.middlewares.names import (
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    names = []
    for raw in split_multiple_persons_names(_SPACE_RE.sub(" ", value)):
        if raw.strip().lower() in _OTHERS:
            continue
        try:
            parts = parse_single_name_into_parts(raw, strict=False)
            given, von = " ".join(parts.first), " ".join(parts.von)
            family, suffix = " ".join(parts.last), " ".join(parts.jr)
        except ValueError:  # a name even the lenient parser refuses: keep it as written
            given, von, family, suffix = "", "", raw, ""
        given, von = latex_to_text(given), latex_to_text(von)
        family, suffix = latex_to_text(family), latex_to_text(suffix)
        if family or given:
            names.append(
                Author(family or given, given if family else "", particle=von, suffix=suffix)
            )
    return names


def parse_authors(value: str) -> list[str]:
    """Author names ("Martín Abadi", each an ``Author`` with its parts) from a BibTeX name list."""
    if "{" in value or "}" in value or "\\" in value:
        return list(parse_names(value))
    # Plain names (most machine-made files): the commas and the case of the words give the
    # same result as BibTeX's First/von/Last/Jr split, at a fraction of the cost.
    plain = not _TEXT_MARKUP_RE.search(value)  # then decoding only tidies white space
    names: list[str] = []
    for raw in _AND_RE.split(value.strip()):
        names.extend(_plain_name(raw, plain))
    return names


# A name is a function of its text alone, and the same people are named again and again in a
# bibliography: each spelling is split once (an ``Author`` is immutable, so papers share it).
@functools.lru_cache(maxsize=16384)
def _plain_name(raw: str, plain: bool) -> tuple[Author, ...]:
    """The person (none, one, or BibTeX's reading of a name with too many commas) ``raw``
    names, in a name list without braces or backslashes."""
    parts = [" ".join(p.split()) if plain else latex_to_text(p) for p in raw.split(",")]
    if len(parts) == 1 and parts[0].lower() in _OTHERS:
        return ()
    if len(parts) > 3:  # not a BibTeX name: let BibTeX's own rules decide
        return tuple(parse_names(raw))
    if len(parts) == 1:
        return (parse_name(parts[0]),) if parts[0] else ()
    von, family = split_von(parts[0])
    given, suffix = (parts[2], parts[1]) if len(parts) == 3 else (parts[1], "")
    if family or given:
        return (Author(family or given, given if family else "", particle=von, suffix=suffix),)
    return ()


def format_authors(authors: Iterable[str]) -> str:
    """A BibTeX name list, "von Last, Jr, First and ..." from the names' parts."""
    return " and ".join(
        _format_author(name, name.family, name.given, name.particle, name.suffix)
        if isinstance(name, Author)
        else _format_author(name, None, None, None, None)
        for name in authors
    )


# Keyed by the parts as well as the text: two names that read the same ("Alberto Del Maestro")
# may split differently, and an ``Author`` compares equal to its text alone.
@functools.lru_cache(maxsize=16384)
def _format_author(
    name: str, family_: str | None, given: str | None, particle: str | None, suffix: str | None
) -> str:
    parts = author_parts(name)
    family = " ".join(p for p in (parts.particle, parts.family) if p)
    if _AND_WORD.search(name) or "," in family:
        # a name BibTeX would split: a brace group keeps it whole
        return "{" + text_to_latex(str(name)) + "}"
    if not parts.given:
        one = text_to_latex(family)
        return "{" + one + "}" if " " in family else one
    head = text_to_latex(family)
    if parts.suffix:
        head += ", " + text_to_latex(parts.suffix)
    return f"{head}, {text_to_latex(parts.given)}"
