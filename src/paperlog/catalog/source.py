"""The catalog as a metadata source: ``paperlog add`` finds a catalog paper without network.

It answers like the network sources (a ``Record`` per paper) and ranks below all of them in the
merge, so a reachable arXiv or Crossref still decides; offline, the catalog alone is enough.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paperlog.errors import NotFound
from paperlog.resolve.record import Record

if TYPE_CHECKING:
    from pathlib import Path

    from paperlog.catalog.records import CatalogPaper
    from paperlog.ids import Identifier


def record_of(paper: CatalogPaper) -> Record:
    """A catalog paper as a metadata record."""
    ids = {
        kind: value
        for kind, value in (
            ("arxiv", paper.arxiv),
            ("doi", paper.doi),
            ("openreview", paper.openreview),
        )
        if value
    }
    return Record(
        source="catalog",
        title=paper.title,
        authors=list(paper.authors),
        year=paper.year,
        venue=paper.venue_label or None,
        venue_canonical=paper.venue or None,
        published=bool(paper.venue),
        abstract=paper.abstract or None,
        ids=ids,
        url=paper.url,
        kind="proceedings-article" if paper.venue else "preprint",
    )


class CatalogSource:
    """Looks papers up in the local catalog by arXiv ID, DOI, OpenReview ID or title."""

    name = "catalog"

    def __init__(self, path: Path) -> None:
        self.path = path

    def lookup(self, ident: Identifier) -> Record | None:
        """The catalog's record for an arXiv ID, DOI or OpenReview ID."""
        if ident.kind not in ("arxiv", "doi", "openreview"):
            return None
        from paperlog.catalog.store import Catalog

        with Catalog.open(self.path, create=False) as catalog:
            paper = catalog.get(ident.value)
        if paper is None:
            raise NotFound(f"{ident.value} is not in the catalog")
        return record_of(paper)

    def search(self, title: str, limit: int = 5) -> list[Record]:
        """Catalog papers whose title matches, best first."""
        from paperlog.catalog.store import Catalog
        from paperlog.query import Query, Words, has_token

        if not has_token(title):
            return []
        with Catalog.open(self.path, create=False) as catalog:
            exact = catalog.by_title(title)
            query = Query((Words(title, prefix=False, columns=("title",)),))
            found = exact + [
                p for p in catalog.search(query, limit) if p.id not in {e.id for e in exact}
            ]
        return [record_of(p) for p in found[:limit]]
