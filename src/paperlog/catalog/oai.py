"""arXiv OAI-PMH harvesting: ``ListRecords`` pages in the ``arXiv`` metadata format.

arXiv's OAI-PMH interface (base URL ``https://oaipmh.arxiv.org/oai``, or ``$PAPERLOG_OAI_URL``)
answers ``verb=ListRecords&metadataPrefix=arXiv[&from=YYYY-MM-DD][&set=cs]`` with up to a
thousand records and a ``resumptionToken`` for the next page; a 503 with ``Retry-After`` asks
the harvester to wait (the shared HTTP client honours it). Pages are asked for at a polite pace
(``delay`` seconds apart). The day of the last complete harvest is kept in the catalog, so a
later ``--oai`` run asks only for what changed since (``from=``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

from paperlog.catalog.records import CatalogRecord
from paperlog.errors import NetworkError
from paperlog.resolve.http import HttpClient

DEFAULT_URL = "https://oaipmh.arxiv.org/oai"
ENV_VAR = "PAPERLOG_OAI_URL"
_OAI = "{http://www.openarchives.org/OAI/2.0/}"
_ARXIV = "{http://arxiv.org/OAI/arXiv/}"
_RAW = "{http://arxiv.org/OAI/arXivRaw/}"
_SPACE = re.compile(r"\s+")


@dataclass
class Page:
    """One ListRecords answer: its records and the token of the next page (None at the end)."""

    records: list[CatalogRecord]
    token: str | None
    complete_size: int | None


def _text(elem: ET.Element | None) -> str:
    return _SPACE.sub(" ", "".join(elem.itertext())).strip() if elem is not None else ""


def _record(meta: ET.Element) -> CatalogRecord | None:
    """A record from an ``<arXiv>`` (or ``<arXivRaw>``) metadata element."""
    from paperlog.ids import normalize_arxiv, normalize_doi

    ns = _ARXIV if meta.tag == f"{_ARXIV}arXiv" else _RAW
    arxiv = normalize_arxiv(_text(meta.find(f"{ns}id")))
    title = _text(meta.find(f"{ns}title"))
    if not arxiv or not title:
        return None
    authors: list[str] = []
    for author in meta.iter(f"{ns}author"):
        given = _text(author.find(f"{ns}forenames"))
        family = _text(author.find(f"{ns}keyname"))
        name = f"{given} {family}".strip()
        if name:
            authors.append(name)
    if not authors and meta.find(f"{ns}authors") is not None:  # arXivRaw: one string
        raw = _text(meta.find(f"{ns}authors"))
        authors = [a.strip() for a in re.split(r",\s*|\s+and\s+", raw) if a.strip()]
    created = _text(meta.find(f"{ns}created"))
    if not created:  # arXivRaw: <version><date>Mon, 2 Apr 2007 ...</date></version>
        from email.utils import parsedate_to_datetime

        version_date = _text(meta.find(f"{ns}version/{ns}date"))
        try:
            created = parsedate_to_datetime(version_date).date().isoformat() if version_date else ""
        except (TypeError, ValueError):
            created = ""
    day = created[:10] if re.match(r"\d{4}-\d{2}-\d{2}", created) else None
    doi_text = _text(meta.find(f"{ns}doi"))
    return CatalogRecord(
        title=title,
        authors=authors,
        abstract=_text(meta.find(f"{ns}abstract")),
        year=int(day[:4]) if day else None,
        date=day,
        categories=_text(meta.find(f"{ns}categories")),
        arxiv=arxiv,
        doi=normalize_doi(doi_text) if doi_text else None,
        url=f"https://arxiv.org/abs/{arxiv}",
        source="arxiv",
    )


def parse_page(text: str, url: str = DEFAULT_URL) -> Page:
    """Parse one ListRecords answer; an OAI error other than ``noRecordsMatch`` is raised."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise NetworkError(f"OAI-PMH: malformed XML answer ({exc})", url) from None
    error = root.find(f"{_OAI}error")
    if error is not None:
        code = error.get("code", "")
        if code == "noRecordsMatch":
            return Page([], None, 0)
        raise NetworkError(f"OAI-PMH error {code}: {_text(error)}", url)
    listing = root.find(f"{_OAI}ListRecords")
    if listing is None:
        raise NetworkError("OAI-PMH: the answer holds no ListRecords", url)
    records: list[CatalogRecord] = []
    for rec in listing.findall(f"{_OAI}record"):
        header = rec.find(f"{_OAI}header")
        if header is not None and header.get("status") == "deleted":
            continue
        metadata = rec.find(f"{_OAI}metadata")
        if metadata is None or not len(metadata):
            continue
        record = _record(metadata[0])
        if record is not None:
            records.append(record)
    token_elem = listing.find(f"{_OAI}resumptionToken")
    token = (token_elem.text or "").strip() if token_elem is not None else ""
    size = token_elem.get("completeListSize") if token_elem is not None else None
    return Page(records, token or None, int(size) if size and size.isdigit() else None)


def harvest(
    client: HttpClient,
    base_url: str,
    *,
    since: str | None = None,
    set_spec: str | None = None,
    token: str | None = None,
    prefix: str = "arXiv",
) -> Iterator[Page]:
    """Every page of a harvest, starting again from ``token`` when one is given (a resume)."""
    while True:
        if token:
            params = {"verb": "ListRecords", "resumptionToken": token}
        else:
            params = {"verb": "ListRecords", "metadataPrefix": prefix}
            if since:
                params["from"] = since
            if set_spec:
                params["set"] = set_spec
        text = client.get_text(base_url, params, source="oai")
        page = parse_page(text, base_url)
        yield page
        if not page.token:
            return
        token = page.token
