"""Semantic Scholar Graph API: ``/paper/{id}`` by arXiv id, DOI, ACL id or S2 id, and
``/paper/search`` by title.

S2 links an arXiv preprint to the venue that later published it (``publicationVenue``), which
is what tells "2002.05709" apart from "ICML 2020".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from paperlog.errors import NetworkError
from paperlog.ids import normalize_arxiv, normalize_doi
from paperlog.resolve.record import (
    Record,
    as_list,
    as_year,
    canonical_venue,
    clean_text,
    entry_type_of,
    is_preprint_venue,
    plain_words,
)

if TYPE_CHECKING:
    from paperlog.ids import Identifier
    from paperlog.resolve.http import HttpClient

FIELDS = (
    "title,authors,year,venue,publicationVenue,journal,externalIds,abstract,publicationTypes,url"
)
# How S2 prefixes each identifier kind in /paper/{prefix}:{id}.
ID_PREFIXES = {"arxiv": "arXiv:", "doi": "DOI:", "acl": "ACL:", "s2": ""}
# externalIds keys -> our ids keys.
EXTERNAL_IDS = {
    "ArXiv": "arxiv",
    "DOI": "doi",
    "DBLP": "dblp",
    "ACL": "acl",
}
PUBLISHED_TYPES = frozenset({"JournalArticle", "Conference", "Book", "BookSection"})


class SemanticScholarSource:
    """api.semanticscholar.org/graph/v1 (an API key, when given, goes in ``x-api-key``)."""

    name = "s2"

    def __init__(self, client: HttpClient, base_url: str, *, api_key: str | None = None) -> None:
        self.client = client
        self.base_url = base_url
        # The key authenticates, it does not change answers: a header keeps it out of cache keys.
        self.headers = {"x-api-key": api_key} if api_key else {}

    def lookup(self, ident: Identifier) -> Record | None:
        """The S2 paper for an arXiv id, DOI, ACL id or S2 paper id; ``NotFound`` on 404."""
        prefix = ID_PREFIXES.get(ident.kind)
        if prefix is None:
            return None
        paper_id = quote(f"{prefix}{ident.value}", safe="/:")
        url = f"{self.base_url}/paper/{paper_id}"
        data = self.client.get_json(url, {"fields": FIELDS}, self.headers, source=self.name)
        if not isinstance(data, dict) or not data.get("paperId"):
            raise NetworkError(f"s2: {url}: malformed response: not a paper object")
        return paper_to_record(data)

    def search(self, title: str, limit: int = 5) -> list[Record]:
        """Papers matching ``title`` by S2's relevance ranking."""
        if not plain_words(title):
            return []
        url = f"{self.base_url}/paper/search"
        params = {"query": plain_words(title), "limit": str(limit), "fields": FIELDS}
        data = self.client.get_json(url, params, self.headers, source=self.name)
        if not isinstance(data, dict):
            raise NetworkError(f"s2: {url}: malformed response: not a search result")
        # S2 leaves "data" out altogether when nothing matches ({"total": 0, "offset": 0}).
        papers = data.get("data") or []
        if not isinstance(papers, list):
            raise NetworkError(f"s2: {url}: malformed response: 'data' is not a list")
        return [paper_to_record(p) for p in papers[:limit] if isinstance(p, dict)]


def _venue(paper: dict[str, Any]) -> str | None:
    pub_venue = paper.get("publicationVenue")
    if isinstance(pub_venue, dict):
        name = clean_text(pub_venue.get("name"))
        if name:
            return name
    venue = clean_text(paper.get("venue")) if isinstance(paper.get("venue"), str) else None
    if venue:
        return venue
    journal = paper.get("journal")
    if isinstance(journal, dict) and isinstance(journal.get("name"), str):
        return clean_text(journal["name"])
    return None


def _published(paper: dict[str, Any], venue: str | None) -> bool:
    if venue is None or is_preprint_venue(venue):
        return False
    pub_venue = paper.get("publicationVenue")
    if isinstance(pub_venue, dict) and pub_venue.get("type") in ("conference", "journal"):
        return True
    return any(
        t in PUBLISHED_TYPES for t in as_list(paper.get("publicationTypes")) if isinstance(t, str)
    )


def _ids(paper: dict[str, Any]) -> dict[str, str]:
    ids: dict[str, str] = {}
    external = paper.get("externalIds")
    if isinstance(external, dict):
        for key, ours in EXTERNAL_IDS.items():
            value = external.get(key)
            if value is None or value == "":
                continue
            text = str(value)
            if ours == "arxiv":
                text = normalize_arxiv(text) or text
            elif ours == "doi":
                text = normalize_doi(text) or text.lower()
            ids[ours] = text
    if isinstance(paper.get("paperId"), str):
        ids["s2"] = paper["paperId"]
    return ids


def paper_to_record(paper: dict[str, Any]) -> Record:
    """One S2 paper object as a Record."""
    venue = _venue(paper)
    year = paper.get("year")
    types = [t for t in as_list(paper.get("publicationTypes")) if isinstance(t, str)]
    # "Conference" says more about where it appeared than "JournalArticle", which S2 adds to
    # most conference papers as well.
    kind = ("Conference" if "Conference" in types else types[0]) if types else None
    abstract = paper.get("abstract")
    journal = paper.get("journal")
    journal_name = clean_text(journal.get("name")) if isinstance(journal, dict) else None
    published = _published(paper, venue)
    return Record(
        source="s2",
        title=clean_text(paper.get("title")) if isinstance(paper.get("title"), str) else None,
        authors=[
            name
            for a in as_list(paper.get("authors"))
            if isinstance(a, dict)
            and isinstance(a.get("name"), str)
            and (name := clean_text(a["name"])) is not None
        ],
        year=as_year(year),
        venue=venue,
        venue_short=journal_name if journal_name and journal_name != venue else None,
        venue_canonical=canonical_venue(venue) or canonical_venue(journal_name),
        published=published,
        abstract=clean_text(abstract) if isinstance(abstract, str) else None,
        ids=_ids(paper),
        url=paper.get("url") if isinstance(paper.get("url"), str) else None,
        kind=kind,
        entry_type=entry_type_of(kind, venue, published),
    )
