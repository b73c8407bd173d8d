"""Citation keys from a formula, the way Better BibTeX makes them: ``chen2020simple``.

The formula is the library's ``citekey`` setting in ``paperlog.toml`` (a Better BibTeX key
formula, a subset of its language), else ``DEFAULT_FORMULA``::

    citekey = "auth.lower + year + shorttitle(1,1).lower"    # chen2020simple (the default)
    citekey = "auth.lower + shorttitle(3,3) + year"           # chenSimpleFrameworkContrastive2020
    citekey = "scholar"                                       # Google Scholar's: chen2020simple

Terms, joined by ``+``:

* ``auth``: the first author's family name with its particle ("van der Maaten" ->
  "vandermaaten", "Del Maestro" -> "delmaestro"), ASCII-folded, letters and digits only.
* ``year``: the four-digit year, when known.
* ``shorttitle(n,m)``: the first ``n`` title words that are not skip-words, the first ``m`` of
  them capitalised (Better BibTeX's ``shorttitle``); ``veryshorttitle`` is ``shorttitle(1,0)``.
* ``'text'``: literal text.
* filters after a term: ``.lower``, ``.upper``.

Skip-words are Better BibTeX's own list (its ``skipWords`` preference, default value) exactly,
so "How Much Should We Trust ..." keys as ``bertrand2004how`` as it does in Better BibTeX. The
``scholar`` preset also skips the question words and pronouns Google Scholar's keys leave out
(``bertrand2004much``).

Fallbacks: without authors the paper's nickname stands in for ``auth``; without a nickname
either, the first two significant title words lead (``hiddentechnical2015``); with nothing at
all the key is ``anon`` plus the year.

Uniqueness follows Better BibTeX's default postfix ``%(a)s`` (JabRef does the same): the first
key keeps no suffix, clashes get ``a``, ``b``, ... ``z``, then ``aa``, ``ab``, ... Keys are
compared case-insensitively, as Better BibTeX does by default.

Stability: a key, once given, never changes. ``make_citekey`` always computes a fresh key, so
callers check ``paper.citekey`` first (``ensure_citekey`` does that for them).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable

from paperlog.errors import BadFile
from paperlog.model import Paper

DEFAULT_FORMULA = "auth.lower + year + shorttitle(1,1).lower"
"""The default: short lower-case keys in the shape Google Scholar and most hand-kept .bib files
use (``chen2020simple``), and the shape every key paperlog made before the setting existed, so a
library's new keys look like its old ones. Better BibTeX's own default is ``BBT_FORMULA``."""
BBT_FORMULA = "auth.lower + shorttitle(3,3) + year"
PRESETS = {"default": DEFAULT_FORMULA, "bbt": BBT_FORMULA, "scholar": "scholar"}
"""Names a ``citekey`` setting may give instead of a formula."""

# Better BibTeX's skipWords preference, default value, verbatim
# (retorquere/zotero-better-bibtex, content/Preferences/preferences.yaml).
SKIP_WORDS = frozenset(
    [
        "a",
        "ab",
        "aboard",
        "about",
        "above",
        "across",
        "after",
        "against",
        "al",
        "along",
        "amid",
        "among",
        "an",
        "and",
        "anti",
        "around",
        "as",
        "at",
        "before",
        "behind",
        "below",
        "beneath",
        "beside",
        "besides",
        "between",
        "beyond",
        "but",
        "by",
        "d",
        "da",
        "das",
        "de",
        "del",
        "dell",
        "dello",
        "dei",
        "degli",
        "della",
        "dell",
        "delle",
        "dem",
        "den",
        "der",
        "des",
        "despite",
        "die",
        "do",
        "down",
        "du",
        "during",
        "ein",
        "eine",
        "einem",
        "einen",
        "einer",
        "eines",
        "el",
        "en",
        "et",
        "except",
        "for",
        "from",
        "gli",
        "i",
        "il",
        "in",
        "inside",
        "into",
        "is",
        "l",
        "la",
        "las",
        "le",
        "les",
        "like",
        "lo",
        "los",
        "near",
        "nor",
        "of",
        "off",
        "on",
        "onto",
        "or",
        "over",
        "past",
        "per",
        "plus",
        "round",
        "save",
        "since",
        "so",
        "some",
        "sur",
        "than",
        "the",
        "through",
        "to",
        "toward",
        "towards",
        "un",
        "una",
        "unas",
        "under",
        "underneath",
        "une",
        "unlike",
        "uno",
        "unos",
        "until",
        "up",
        "upon",
        "versus",
        "via",
        "von",
        "while",
        "with",
        "within",
        "without",
        "yet",
        "zu",
        "zum",
    ]
)
# Google Scholar's keys skip question words and pronouns too ("How Much Should We Trust ..."
# -> bertrand2004much): the list paperlog used before it followed Better BibTeX exactly.
SCHOLAR_SKIP_WORDS = SKIP_WORDS | frozenset(
    [
        "are",
        "as",
        "at",
        "by",
        "how",
        "what",
        "why",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "we",
        "our",
        "your",
        "its",
        "not",
        "no",
        "or",
    ]
)

# Letters NFKD does not decompose into ASCII: fold them by hand so "Søren" keys as "soren".
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)

_PARTICLES = frozenset(
    [
        "von",
        "van",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "du",
        "le",
        "la",
        "ter",
        "ten",
        "zu",
        "zur",
        "vom",
        "al",
        "el",
        "bin",
        "ibn",
    ]
)
_GENERATIONAL = frozenset({"jr", "sr", "ii", "iii", "iv"})
_LATEX_CMD = re.compile(r"\\[a-zA-Z]+\s*|\\.")
_WORD = re.compile(r"[a-z0-9]+")
_WORD_CASED = re.compile(r"[A-Za-z0-9]+")


def fold(text: str) -> str:
    """ASCII-fold and lower-case: accents dropped, special letters transliterated."""
    return _fold_case(text).lower()


def _fold_case(text: str) -> str:
    text = text.translate(_FOLD)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


@functools.lru_cache(maxsize=1 << 16)
def _clean(text: str, keep_case: bool = False) -> str:
    """Folded text with LaTeX commands and everything but letters and digits removed."""
    # cached: titles share their words, and an import of 10,000 items asks for 130,000
    plain = _LATEX_CMD.sub("", text).replace("{", "").replace("}", "")
    if keep_case:
        return "".join(_WORD_CASED.findall(_fold_case(plain)))
    return "".join(_WORD.findall(fold(plain)))


def family_name(author: str) -> str:
    """The family name with its particle: an ``Author``'s parts ("Del Maestro"), or from an
    author written "Family, Given" or "Given von Family"."""
    from paperlog.model import Author

    if isinstance(author, Author):
        return " ".join(p for p in (author.particle, author.family) if p)
    author = author.strip()
    if not author:
        return ""
    if "," in author:
        # "Family, Given" or "Family, Jr., Given": the family name comes first.
        return author.split(",", 1)[0].strip()
    words = author.split()
    while len(words) > 1 and words[-1].lower().rstrip(".") in _GENERATIONAL:
        words.pop()
    family = [words[-1]]
    # Keep a lower-case "von" part in front of the last word ("van der Maaten").
    for word in reversed(words[:-1]):
        if word.lower() in _PARTICLES and word[:1].islower():
            family.insert(0, word)
        else:
            break
    return " ".join(family)


def title_words(
    title: str, skip: frozenset[str] = SKIP_WORDS, keep_case: bool = False
) -> list[str]:
    """The title's words, folded and stripped of punctuation, skip-words removed.

    When every word is a skip-word the plain words are returned, so a key still says something.
    """
    return list(_title_words(title, skip, keep_case))


@functools.lru_cache(maxsize=1 << 12)
def _title_words(title: str, skip: frozenset[str], keep_case: bool) -> tuple[str, ...]:
    # cached: a key formula without an author reads the title twice (its terms, then the
    # fallback), and a re-import makes the same keys again
    plain = _LATEX_CMD.sub("", title).replace("{", "").replace("}", "")
    # Split on whitespace and dashes first so "Self-Supervised" gives "self" (Better BibTeX's
    # nopunct drops the dash but the first-word rule takes only what precedes it).
    words = [_clean(w, keep_case) for w in re.split(r"[\s\-\u2010-\u2015/:]+", plain)]
    words = [w for w in words if w]
    kept = [w for w in words if w.lower() not in skip]
    return tuple(kept or words)


def suffix(n: int) -> str:
    """The n-th disambiguation postfix (1 -> "a", 26 -> "z", 27 -> "aa"), as ``%(a)s`` does."""
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


# --- the formula ---------------------------------------------------------------------------

Term = Callable[[Paper, frozenset[str]], str]
_TERM = re.compile(
    r"\s*(?:'(?P<lit>[^']*)'|(?P<name>[a-z]+)(?:\((?P<args>[\d,\s]*)\))?)"
    r"(?P<filters>(?:\.[a-z]+)*)\s*$"
)
_FILTERS: dict[str, Callable[[str], str]] = {"lower": str.lower, "upper": str.upper}


def _auth(paper: Paper, skip: frozenset[str]) -> str:
    auth = _clean(family_name(paper.authors[0]), keep_case=True) if paper.authors else ""
    if not auth and paper.nickname:
        auth = _clean(paper.nickname, keep_case=True)
    return auth


def _shorttitle(n: int, m: int) -> Term:
    def term(paper: Paper, skip: frozenset[str]) -> str:
        words = title_words(paper.title or "", skip, keep_case=True)[:n]
        return "".join(w[:1].upper() + w[1:] if i < m else w for i, w in enumerate(words))

    return term


def _literal(text: str) -> Term:
    def term(paper: Paper, skip: frozenset[str]) -> str:
        return text

    return term


def _year(paper: Paper, skip: frozenset[str]) -> str:
    return str(paper.year) if paper.year else ""


def _parse_term(text: str) -> tuple[Term, bool]:
    """One term of a formula and whether it is ``auth`` (which the fallbacks stand in for)."""
    match = _TERM.match(text)
    if match is None:
        raise ValueError(f"cannot read {text.strip()!r}")
    term: Term
    name, literal = match.group("name"), match.group("lit")
    args = [int(a) for a in (match.group("args") or "").replace(" ", "").split(",") if a]
    if literal is not None:
        term = _literal(literal)
    elif name == "auth" and not args:
        term = _auth
    elif name == "year" and not args:
        term = _year
    elif name == "shorttitle" and len(args) <= 2:
        n, m = (args + [3, 0][len(args) :])[:2]
        term = _shorttitle(n, m)
    elif name == "veryshorttitle" and not args:
        term = _shorttitle(1, 0)
    else:
        raise ValueError(f"unknown term {text.strip()!r} (auth, year, shorttitle(n,m), 'text')")
    filters = [f for f in match.group("filters").split(".") if f]
    for f in filters:
        if f not in _FILTERS:
            raise ValueError(f"unknown filter .{f} (known: .lower, .upper)")
    if filters:
        inner = term

        def filtered(paper: Paper, skip: frozenset[str]) -> str:
            out = inner(paper, skip)
            for f in filters:
                out = _FILTERS[f](out)
            return out

        term = filtered
    return term, name == "auth"


@functools.lru_cache(maxsize=32)
def compile_formula(formula: str) -> Callable[[Paper], str]:
    """A key function for a formula or preset name; ``ValueError`` says what is wrong."""
    formula = PRESETS.get(formula.strip(), formula)
    skip = SKIP_WORDS
    if formula == "scholar":
        formula, skip = DEFAULT_FORMULA, SCHOLAR_SKIP_WORDS
    parsed = [_parse_term(part) for part in formula.split("+")]
    has_auth = any(is_auth for _, is_auth in parsed)

    def key(paper: Paper) -> str:
        out = "".join(term(paper, skip) for term, _ in parsed)
        if has_auth and not _auth(paper, skip):
            # No author and no nickname: the title's first two significant words lead.
            words = title_words(paper.title or "", skip)
            year = str(paper.year) if paper.year else ""
            return f"{''.join(words[:2])}{year}" if words else f"anon{year}"
        return out or f"anon{paper.year or ''}"

    return key


def citekey_formula(config: object) -> str:
    """The ``citekey`` setting of ``paperlog.toml`` (a ``Config``), checked; the default when
    unset. A formula that cannot be read is a ``BadFile`` naming the file."""
    extra = getattr(config, "extra", {}) or {}
    value = extra.get("citekey", DEFAULT_FORMULA)
    if not isinstance(value, str) or not value.strip():
        raise BadFile(f"citekey must be a key formula such as {DEFAULT_FORMULA!r}", "paperlog.toml")
    try:
        compile_formula(value)
    except ValueError as exc:
        raise BadFile(
            f"citekey = {value!r}: {exc}; e.g. {DEFAULT_FORMULA!r} or {BBT_FORMULA!r}",
            "paperlog.toml",
        ) from None
    return value


def base_citekey(paper: Paper, formula: str = DEFAULT_FORMULA) -> str:
    """The key before disambiguation, made by ``formula`` (the module doc)."""
    return compile_formula(formula)(paper)


def make_citekey(paper: Paper, taken: set[str], formula: str = DEFAULT_FORMULA) -> str:
    """A new citation key for ``paper``, unique within ``taken``.

    ``taken`` holds the citation keys already in use, lower-cased (see ``taken_citekeys``); the
    result is not added to it. The paper's own ``citekey`` is ignored: callers that want a
    stable key check ``paper.citekey`` first, or call ``ensure_citekey``.
    """
    base = base_citekey(paper, formula)
    key = base
    n = 0
    while key.lower() in taken:
        n += 1
        key = base + suffix(n)
    return key


def taken_citekeys(papers: Iterable[Paper]) -> set[str]:
    """The lower-cased citation keys (and aliases) the papers already carry."""
    out: set[str] = set()
    for paper in papers:
        if paper.citekey:
            out.add(paper.citekey.lower())
        out.update(a.lower() for a in paper.aliases)
    return out


def ensure_citekey(paper: Paper, taken: set[str], formula: str = DEFAULT_FORMULA) -> str:
    """``paper.citekey`` when set, else a new one stored on the paper; ``taken`` is updated."""
    if not paper.citekey:
        paper.citekey = make_citekey(paper, taken, formula)
    taken.add(paper.citekey.lower())
    return paper.citekey


def assign_citekeys(
    papers: Iterable[Paper], taken: set[str], formula: str = DEFAULT_FORMULA
) -> list[Paper]:
    """Give each paper without a citation key a new one (``taken`` is updated); returns the
    papers that got one, for the caller to save."""
    changed = []
    for paper in papers:
        if not paper.citekey:
            paper.citekey = make_citekey(paper, taken, formula)
            taken.add(paper.citekey.lower())
            changed.append(paper)
    return changed
