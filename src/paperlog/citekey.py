"""Citation keys in the Better BibTeX style: ``chen2020simple``.

The formula is close to Better BibTeX's ``auth.lower + year + shorttitle(1,1).lower`` (JabRef:
``[auth:lower][year][shorttitle:1:nopunct:lower]``):

* ``auth``: the first author's family name, ASCII-folded ("Müller" -> "muller"), lower case,
  letters and digits only; a "von" part is kept ("van der Maaten" -> "vandermaaten"), a
  generational suffix is dropped ("Jr.", "III").
* ``year``: the four-digit year, when known.
* ``shorttitle``: the first significant word of the title (articles, prepositions and
  conjunctions are skipped, as Better BibTeX's skip-words do), folded the same way.

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

import re
import unicodedata
from collections.abc import Iterable

from paperlog.model import Paper

# Better BibTeX's skip-words, plus the English conjunctions and prepositions a title starts
# with often enough that a key made of them would say nothing ("for", "and", "towards").
SKIP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "some",
        "from",
        "on",
        "in",
        "to",
        "of",
        "do",
        "with",
        "der",
        "die",
        "das",
        "ein",
        "eine",
        "einer",
        "eines",
        "einem",
        "einen",
        "un",
        "une",
        "la",
        "le",
        "l",
        "el",
        "las",
        "los",
        "al",
        "uno",
        "una",
        "unos",
        "unas",
        "de",
        "des",
        "del",
        "d",
        "for",
        "and",
        "or",
        "via",
        "by",
        "at",
        "as",
        "is",
        "are",
        "towards",
        "toward",
        "into",
        "onto",
        "about",
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


def fold(text: str) -> str:
    """ASCII-fold and lower-case: accents dropped, special letters transliterated."""
    text = text.translate(_FOLD)
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return norm.lower()


def _clean(text: str) -> str:
    """Folded text with LaTeX commands and everything but letters and digits removed."""
    return "".join(_WORD.findall(fold(_LATEX_CMD.sub("", text).replace("{", "").replace("}", ""))))


def family_name(author: str) -> str:
    """The family name of an author written "Family, Given" or "Given von Family"."""
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


def split_name(author: str) -> tuple[str, str]:
    """``(given, family)`` of an author written "Given von Family" or "Family, Given"."""
    author = " ".join(author.split())
    family = family_name(author)
    if "," in author:
        return author.rsplit(",", 1)[1].strip(), family
    given = author[: len(author) - len(family)].strip() if author.endswith(family) else ""
    return given, family


def title_words(title: str) -> list[str]:
    """The title's words, folded and stripped of punctuation, skip-words removed.

    When every word is a skip-word the plain words are returned, so a key still says something.
    """
    plain = _LATEX_CMD.sub("", title).replace("{", "").replace("}", "")
    # Split on whitespace and dashes first so "Self-Supervised" gives "self" (Better BibTeX's
    # nopunct drops the dash but the first-word rule takes only what precedes it).
    words = [_clean(w) for w in re.split(r"[\s\-\u2010-\u2015/:]+", plain)]
    words = [w for w in words if w]
    kept = [w for w in words if w not in SKIP_WORDS]
    return kept or words


def suffix(n: int) -> str:
    """The n-th disambiguation postfix (1 -> "a", 26 -> "z", 27 -> "aa"), as ``%(a)s`` does."""
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


def base_citekey(paper: Paper) -> str:
    """The key before disambiguation: ``auth`` + ``year`` + first significant title word."""
    year = str(paper.year) if paper.year else ""
    words = title_words(paper.title or "")
    auth = ""
    for author in paper.authors[:1]:
        auth = _clean(family_name(author))
    if not auth and paper.nickname:
        auth = _clean(paper.nickname)
    if auth:
        return f"{auth}{year}{words[0] if words else ''}"
    if words:
        return f"{''.join(words[:2])}{year}"
    return f"anon{year}"


def make_citekey(paper: Paper, taken: set[str]) -> str:
    """A new citation key for ``paper``, unique within ``taken``.

    ``taken`` holds the citation keys already in use, lower-cased (see ``taken_citekeys``); the
    result is not added to it. The paper's own ``citekey`` is ignored: callers that want a
    stable key check ``paper.citekey`` first, or call ``ensure_citekey``.
    """
    base = base_citekey(paper)
    key = base
    n = 0
    while key.lower() in taken:
        n += 1
        key = base + suffix(n)
    return key


def taken_citekeys(papers: Iterable[Paper]) -> set[str]:
    """The lower-cased citation keys the papers already carry, for ``make_citekey``."""
    return {p.citekey.lower() for p in papers if p.citekey}


def ensure_citekey(paper: Paper, taken: set[str]) -> str:
    """``paper.citekey`` when set, else a new one stored on the paper; ``taken`` is updated."""
    if not paper.citekey:
        paper.citekey = make_citekey(paper, taken)
    taken.add(paper.citekey.lower())
    return paper.citekey


def assign_citekeys(papers: Iterable[Paper], taken: set[str]) -> list[Paper]:
    """Give each paper without a citation key a new one (``taken`` is updated); returns the
    papers that got one, for the caller to save."""
    changed = []
    for paper in papers:
        if not paper.citekey:
            paper.citekey = make_citekey(paper, taken)
            taken.add(paper.citekey.lower())
            changed.append(paper)
    return changed
