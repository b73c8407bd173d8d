"""DBLP: the publication search API (``/search/publ/api?q=...&format=json``) and record XML.

DBLP is the computer-science bibliography: for an arXiv paper it holds the CoRR record and,
separately, the conference or journal version. ``lookup`` of an arXiv id reads the CoRR record
(``/rec/journals/corr/abs-YYMM-NNNNN.xml``) and then searches its title for the published
version, so the answer names the venue when DBLP knows one.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from paperlog.errors import NetworkError
from paperlog.ids import normalize_arxiv, normalize_doi
from paperlog.resolve.record import (
    Record,
    canonical_venue,
    clean_text,
    entry_type_of,
    is_preprint_venue,
    plain_words,
    year_in,
)

if TYPE_CHECKING:
    from paperlog.ids import Identifier
    from paperlog.resolve.http import HttpClient

PUBLISHED_TYPES = frozenset(
    {
        "Conference and Workshop Papers",
        "Journal Articles",
        "Parts in Books or Collections",
        "Books and Theses",
    }
)
# DBLP tells namesakes apart with a number: "Ting Chen 0001".
_HOMONYM = re.compile(r"\s+\d{4}$")
_NEW_ARXIV = re.compile(r"^(\d{4})\.(\d{4,5})$")
_RECORD_TAGS = (
    "article",
    "inproceedings",
    "proceedings",
    "book",
    "incollection",
    "phdthesis",
    "mastersthesis",
    "www",
    "data",
)


def corr_key(arxiv_id: str) -> str | None:
    """DBLP's key of the CoRR record of a new-style arXiv id (2002.05709 -> abs-2002-05709)."""
    match = _NEW_ARXIV.match(arxiv_id)
    if match is None:
        return None
    return f"journals/corr/abs-{match.group(1)}-{match.group(2)}"


def title_key(title: str | None) -> str:
    """A title reduced to lower-case letters and digits, to compare two sources' spellings."""
    return re.sub(r"[^0-9a-z]+", "", (title or "").lower())


class DblpSource:
    """dblp.org (search API plus record pages)."""

    name = "dblp"

    def __init__(self, client: HttpClient, base_url: str) -> None:
        self.client = client
        self.base_url = base_url

    def lookup(self, ident: Identifier) -> Record | None:
        """For an arXiv id: the published version DBLP lists, else its CoRR record."""
        if ident.kind != "arxiv":
            return None
        arxiv_id = normalize_arxiv(ident.value) or ident.value
        key = corr_key(arxiv_id)
        if key is None:
            return None  # DBLP's CoRR keys for pre-2007 ids follow no rule we can rebuild
        url = f"{self.base_url}/rec/{key}.xml"
        root = self.client.get_xml(url, source=self.name)
        corr = xml_to_record(root, url)
        corr.ids.setdefault("arxiv", arxiv_id)
        wanted = title_key(corr.title)
        try:
            hits = self.search(corr.title or "", limit=10) if wanted else []
        except NetworkError:
            # The CoRR record is an answer already; the published version was a bonus that
            # another source (S2) may still supply.
            hits = []
        for hit in hits:
            if title_key(hit.title) == wanted and hit.published:
                hit.ids.setdefault("arxiv", arxiv_id)
                return hit
        return corr

    def search(self, title: str, limit: int = 5) -> list[Record]:
        """Publications matching ``title`` (DBLP's order: best match first)."""
        if not plain_words(title):
            return []
        url = f"{self.base_url}/search/publ/api"
        params = {"q": plain_words(title), "format": "json", "h": str(limit)}
        data = self.client.get_json(url, params, source=self.name)
        try:
            hits = data["result"]["hits"]
        except (KeyError, TypeError):
            raise NetworkError(f"dblp: {url}: malformed response: no result.hits object") from None
        found = hits.get("hit") or [] if isinstance(hits, dict) else []
        if isinstance(found, dict):  # one hit comes as an object, not a list of one
            found = [found]
        return [
            hit_to_record(h["info"])
            for h in found[:limit]
            if isinstance(h, dict) and isinstance(h.get("info"), dict)
        ]


def _strings(value: Any) -> list[str]:
    """DBLP JSON gives one value as a scalar and several as a list; always a list here."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("text")
        if isinstance(item, str | int) and (text := clean_text(str(item))):
            out.append(text)
    return out


def _author(name: str) -> str:
    return _HOMONYM.sub("", name)


def _title(text: str | None) -> str | None:
    # DBLP ends every title with a full stop; a title of its own ending in "?" keeps it.
    text = clean_text(text)
    return text[:-1] if text and text.endswith(".") else text


def _finish(
    *,
    title: str | None,
    authors: list[str],
    year: int | None,
    venue: str | None,
    kind: str | None,
    doi: str | None,
    ee: list[str],
    key: str | None,
    thesis: str | None = None,
) -> Record:
    ids: dict[str, str] = {}
    if key:
        ids["dblp"] = key
    if doi and (norm := normalize_doi(doi)):
        ids["doi"] = norm
    for link in ee:
        if "doi" not in ids and (norm := normalize_doi(link)):
            ids["doi"] = norm
        if "arxiv" not in ids and (arxiv := normalize_arxiv(link)):
            ids["arxiv"] = arxiv
    published = kind in PUBLISHED_TYPES and not is_preprint_venue(venue)
    return Record(
        source="dblp",
        title=_title(title),
        authors=[_author(a) for a in authors],
        year=year,
        venue=venue,
        venue_canonical=canonical_venue(venue),
        published=published,
        abstract=None,  # DBLP holds no abstracts
        ids=ids,
        url=f"https://dblp.org/rec/{key}" if key else (ee[0] if ee else None),
        kind=kind,
        entry_type=thesis or entry_type_of(kind, venue, published),
    )


def hit_to_record(info: dict[str, Any]) -> Record:
    """One ``hits.hit[].info`` object of the search API as a Record."""
    authors_obj = info.get("authors")
    authors = _strings(authors_obj.get("author")) if isinstance(authors_obj, dict) else []
    venues = _strings(info.get("venue"))
    year = _strings(info.get("year"))
    kind = _strings(info.get("type"))
    doi = _strings(info.get("doi"))
    key = _strings(info.get("key"))
    title = _strings(info.get("title"))
    return _finish(
        title=title[0] if title else None,
        authors=authors,
        year=year_in(year[0]) if year else None,
        venue=", ".join(venues) or None,
        kind=kind[0] if kind else None,
        doi=doi[0] if doi else None,
        ee=_strings(info.get("ee")),
        key=key[0] if key else None,
    )


# Record XML element -> the search API's "type" wording, so both paths agree on ``kind``.
_XML_KINDS = {
    "article": "Journal Articles",
    "inproceedings": "Conference and Workshop Papers",
    "incollection": "Parts in Books or Collections",
    "book": "Books and Theses",
    "phdthesis": "Books and Theses",
    "mastersthesis": "Books and Theses",
    "proceedings": "Editorship",
    "data": "Data and Artifacts",
}


def xml_to_record(root: ET.Element, url: str) -> Record:
    """The record of a ``/rec/{key}.xml`` page (``<dblp><article key=...>...``)."""
    node = (
        root
        if root.tag in _RECORD_TAGS
        else next((child for child in root if child.tag in _RECORD_TAGS), None)
    )
    if node is None:
        raise NetworkError(f"dblp: {url}: malformed response: no publication record in the XML")
    venue = clean_text(node.findtext("journal") or node.findtext("booktitle"))
    kind = _XML_KINDS.get(node.tag)
    if node.get("publtype") == "informal" or is_preprint_venue(venue):
        kind = "Informal and Other Publications"
    title_node = node.find("title")
    return _finish(
        title=clean_text("".join(title_node.itertext())) if title_node is not None else None,
        authors=[a for e in node.findall("author") if (a := clean_text("".join(e.itertext())))],
        year=year_in(node.findtext("year")),
        venue=venue,
        kind=kind,
        doi=None,
        ee=[e for x in node.findall("ee") if (e := clean_text(x.text))],
        key=node.get("key"),
        thesis="thesis" if node.tag in ("phdthesis", "mastersthesis") else None,
    )
