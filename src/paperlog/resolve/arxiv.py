"""arXiv: the export API's Atom feed (``id_list=`` for identifiers, ``search_query=ti:`` for titles).

arXiv says nothing about peer review except what authors type into ``journal_ref``; a record
from here is a preprint unless that field names a venue.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from paperlog.errors import NotFound
from paperlog.ids import normalize_arxiv, normalize_doi
from paperlog.resolve.record import (
    Record,
    canonical_venue,
    clean_text,
    entry_type_of,
    year_in,
)

if TYPE_CHECKING:
    from paperlog.ids import Identifier
    from paperlog.resolve.http import HttpClient

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
# Characters with a meaning in arXiv's query syntax; titles are searched word by word.
_WORD = re.compile(r"[^\W_]+")
_QUERY_STOP = {"a", "an", "the", "of", "for", "and", "on", "in", "to", "with", "via", "by", "is"}


def arxiv_id_of(ident: Identifier) -> str | None:
    """The arXiv id to ask for: an arxiv identifier, or an arXiv DOI (10.48550/arXiv.ID)."""
    if ident.kind == "arxiv":
        return ident.value
    if ident.kind == "doi":  # parse_identifier makes these arxiv ids; a caller may not have
        match = _ARXIV_DOI.match(ident.value)
        if match:
            return match.group(1)
    return None


class ArxivSource:
    """The arXiv export API (Atom 1.0 with arxiv: extensions)."""

    name = "arxiv"

    def __init__(self, client: HttpClient, base_url: str) -> None:
        self.client = client
        self.base_url = base_url

    def lookup(self, ident: Identifier) -> Record | None:
        """The record of an arXiv id (any version); ``NotFound`` when arXiv has no such paper."""
        arxiv_id = arxiv_id_of(ident)
        if arxiv_id is None:
            return None
        params = {"id_list": arxiv_id, "max_results": "1"}
        records = self._query(params)
        if not records:
            raise NotFound(f"arxiv: no paper with id {arxiv_id} ({self.base_url})")
        return records[0]

    def search(self, title: str, limit: int = 5) -> list[Record]:
        """Papers whose titles hold every word of ``title``, by arXiv's relevance."""
        words = [w for w in _WORD.findall(title) if w.lower() not in _QUERY_STOP] or _WORD.findall(
            title
        )
        if not words:
            return []
        query = " AND ".join(f"ti:{w}" for w in words[:16])
        params = {
            "search_query": query,
            "start": "0",
            "max_results": str(limit),
            "sortBy": "relevance",
            "sortOrder": "descending",
        }
        return self._query(params)[:limit]

    def _query(self, params: dict[str, str]) -> list[Record]:
        feed = self.client.get_xml(self.base_url, params, source=self.name)
        return [
            record
            for entry in feed.findall("atom:entry", NS)
            if (record := entry_to_record(entry)) is not None
        ]


def _text(entry: ET.Element, path: str) -> str | None:
    node = entry.find(path, NS)
    return clean_text(node.text) if node is not None else None


def entry_to_record(entry: ET.Element) -> Record | None:
    """One Atom ``<entry>`` as a Record; None for arXiv's error entries (bad or unknown ids)."""
    arxiv_id = normalize_arxiv(_text(entry, "atom:id") or "")
    if arxiv_id is None:
        return None  # "http://arxiv.org/api/errors#..." entries describe a failed query
    published_at = _text(entry, "atom:published")
    journal_ref = _text(entry, "arxiv:journal_ref")
    doi = _text(entry, "arxiv:doi")
    ids = {"arxiv": arxiv_id}
    if doi and (norm := normalize_doi(doi)):
        ids["doi"] = norm
    venue = journal_name(journal_ref) or "arXiv"
    preprint_year = year_in(published_at)
    # The journal reference names the published version: its year is the paper's year.
    year = (year_in(journal_ref) or preprint_year) if journal_ref else preprint_year
    return Record(
        source="arxiv",
        title=_text(entry, "atom:title"),
        authors=[
            name
            for a in entry.findall("atom:author", NS)
            if (name := _text(a, "atom:name")) is not None
        ],
        year=year,
        venue=venue,
        venue_canonical=canonical_venue(journal_ref) if journal_ref else canonical_venue(venue),
        published=journal_ref is not None,
        abstract=_text(entry, "atom:summary"),
        ids=ids,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        kind="journal-article" if journal_ref else "preprint",
        entry_type=entry_type_of(None, journal_ref, journal_ref is not None),
        preprint_year=preprint_year,
    )


# Where a journal reference's name ends: at a volume, a page, a year or a comma
# ("Phys. Rev. D 89, 084044 (2014)", "Journal of NeuroEngineering and Rehabilitation, 2017").
_REF_TAIL = re.compile(r",|;|(?:\s|(?<=\.))\(?\d+(?![\w])|\s+(?:vol|pp|no)\.", re.IGNORECASE)


def journal_name(journal_ref: str | None) -> str | None:
    """The journal or proceedings a journal reference names, without volume, pages and year."""
    if not journal_ref:
        return None
    name = _REF_TAIL.split(journal_ref, maxsplit=1)[0].strip(" :")
    return name or journal_ref
