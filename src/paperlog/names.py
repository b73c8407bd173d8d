"""Author names: splitting a display name into parts, and how names are written in files.

A paper file keeps each author as a plain "Given Family" string when splitting that string
gives back the same parts, and as a mapping otherwise, so a hand-edited file stays readable::

    authors:
    - Kaiming He
    - family: Del Maestro
      given: Alberto
    - family: Smith
      given: John
      orcid: 0000-0002-1825-0097

Splitting a plain string follows BibTeX's rules for "First von Last" names: the last word is
the family name, lower-case words right before it are the particle ("van der"), a trailing
"Jr." / "III" is the suffix; "Family, Given" (with a comma) is read the BibTeX way too.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from paperlog.model import Author

NAME_KEYS = ("family", "given", "particle", "suffix", "orcid")
"""The keys of an author mapping in a paper file, in the order they are written."""
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v"})
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")


def parse_name(name: str) -> Author:
    """The parts of a display name: "Laurens van der Maaten" -> particle "van der".

    ``"Family, Given"`` and ``"Family, Suffix, Given"`` (BibTeX's comma forms) are read as such.
    A single word is a family name alone.
    """
    text = " ".join(name.split())
    if "," in text:
        pieces = [p.strip() for p in text.split(",")]
        if len(pieces) == 2:
            particle, family = split_von(pieces[0])
            return Author(family, pieces[1], particle=particle)
        if len(pieces) == 3:
            particle, family = split_von(pieces[0])
            return Author(family, pieces[2], particle=particle, suffix=pieces[1])
    words = text.split()
    suffix = ""
    if len(words) > 2 and words[-1].lower() in _SUFFIXES:
        suffix = words.pop()
    if len(words) <= 1:
        return Author(" ".join(words), suffix=suffix)
    family = words[-1]
    i = len(words) - 1
    # lower-case words before the last one, with at least one given name left in front
    while i > 1 and words[i - 1][:1].islower():
        i -= 1
    return Author(family, " ".join(words[:i]), particle=" ".join(words[i:-1]), suffix=suffix)


def split_von(text: str) -> tuple[str, str]:
    """The von part and the last name of BibTeX's "von Last":
    ``("van der", "Maaten")`` from "van der Maaten": leading lower-case words are the von."""
    words = text.split()
    i = 0
    while i < len(words) - 1 and words[i][:1].islower():
        i += 1
    return " ".join(words[:i]), " ".join(words[i:])


def author_parts(name: str) -> Author:
    """``name`` as an ``Author``: itself when it carries parts, else split by ``parse_name``."""
    return name if isinstance(name, Author) else parse_name(name)


def _same(a: Author, b: Author) -> bool:
    return (a.family, a.given, a.particle, a.suffix) == (b.family, b.given, b.particle, b.suffix)


# Keyed by the parts as well as the text (an ``Author`` compares equal to its text alone): the
# same people recur through a library, and each of them is split again only once.
@functools.lru_cache(maxsize=16384)
def _splits_back(name: str, family: str, given: str, particle: str, suffix: str) -> bool:
    """Whether splitting the name's text gives back its parts."""
    assert isinstance(name, Author)
    return _same(name, parse_name(str(name)))


def author_to_data(name: str) -> str | dict[str, str]:
    """How one author is written in a paper file (and the index's JSON): a plain string when
    it splits back to the same parts and has no ORCID, else a mapping of its parts."""
    if not isinstance(name, Author):
        return str(name)
    if name.orcid is None and _splits_back(
        name, name.family, name.given, name.particle, name.suffix
    ):
        return str(name)
    data = {
        "family": name.family,
        "given": name.given,
        "particle": name.particle,
        "suffix": name.suffix,
        "orcid": name.orcid or "",
    }
    return {k: v for k, v in data.items() if v}


def author_from_data(value: Any) -> str | None:
    """One author from a paper file: a string as it is (split on demand), a mapping as an
    ``Author``; None for anything else (the caller reports it)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, dict) or not any(value.get(k) for k in ("family", "given")):
        return None
    parts = {k: str(value.get(k) or "").strip() for k in NAME_KEYS}
    orcid = _ORCID.search(parts["orcid"])
    return Author(
        parts["family"] or parts["given"],
        parts["given"] if parts["family"] else "",
        particle=parts["particle"],
        suffix=parts["suffix"],
        orcid=orcid.group(1) if orcid else (parts["orcid"] or None),
    )


def authors_to_data(names: list[str]) -> list[str | dict[str, str]]:
    """Every author as ``author_to_data`` writes it."""
    return [author_to_data(n) for n in names]


def bibtex_family(name: str) -> str:
    """The von and last parts, as BibTeX's "von Last, First" form writes them."""
    parts = author_parts(name)
    return " ".join(p for p in (parts.particle, parts.family) if p)
