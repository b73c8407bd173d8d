"""Readers of catalog sources: each yields ``CatalogRecord``s from one file, streaming.

Formats (``detect_format`` tells them apart by name and first bytes):

- ``kaggle``: the arXiv metadata snapshot, JSON lines (``id``, ``title``, ``authors``,
  ``abstract``, ``categories``, ``doi``, ``journal-ref``, ``versions``) — read line by line, so
  the full multi-gigabyte file never sits in memory;
- ``daily``: arXiv listing crawls, JSON lines (``id``, ``title``, ``authors`` as a list,
  ``summary``, ``categories`` as a list); the file name carries the day;
- ``abs``: arXiv's own ``.abs`` records (a folder of them is walked);
- ``papercopilot``: a conference's accepted papers, a JSON array (``title``, ``author`` split by
  ``;``, ``abstract``, ``status``, ``arxiv``, ``doi``, ``site``); venue and year from the file
  name (``cvpr2019.json``); rejected and withdrawn submissions carry no venue;
- ``openreview``: CSV or TSV exports (``paper_id``, ``title``, ``link``, ``keywords``,
  ``abstract``); venue and year from the path (``NeurIPS2023``) or ``--venue``.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from paperlog.catalog.records import CatalogRecord
from paperlog.errors import ImportProblem

FORMATS = ("kaggle", "daily", "abs", "papercopilot", "openreview")

# ICCV 2015's list prefixes some titles with the session they were shown in.
_SESSION_PREFIX = re.compile(r"^\[(?:From )?(?:Oral|Poster|Spotlight)[^\]]*\]\s*", re.I)
_VENUE_IN_NAME = re.compile(
    r"(cvpr|iccv|eccv|wacv|iclr|icml|nips|neurips|aaai|acl|emnlp)[_-]?(\d{4})", re.I
)
_CANONICAL = {
    "cvpr": "CVPR",
    "iccv": "ICCV",
    "eccv": "ECCV",
    "wacv": "WACV",
    "iclr": "ICLR",
    "icml": "ICML",
    "nips": "NeurIPS",
    "neurips": "NeurIPS",
    "aaai": "AAAI",
    "acl": "ACL",
    "emnlp": "EMNLP",
}
_NOT_ACCEPTED = {"reject", "withdraw", "withdrawn", "desk reject", "desk rejected"}


def _clean(text: Any) -> str:
    # split/join, not a regex: the same folding of whitespace runs, several times faster (it
    # runs on every title, abstract and author of a multi-million-record snapshot).
    return " ".join(text.split()) if isinstance(text, str) else ""


def _arxiv(text: Any) -> str | None:
    from paperlog.ids import normalize_arxiv

    return normalize_arxiv(text) if isinstance(text, str) and text.strip() else None


def _doi(text: Any) -> str | None:
    from paperlog.ids import normalize_doi

    return normalize_doi(text) if isinstance(text, str) and text.strip() else None


def _arxiv_day(arxiv: str) -> tuple[int | None, str | None]:
    """Year (and first-of-month day) from a new-style arXiv ID (``2002.05709`` -> 2020)."""
    match = re.match(r"(\d{2})(\d{2})\.\d{4,5}$", arxiv) or re.search(
        r"/(\d{2})(\d{2})\d{3}$", arxiv
    )
    if not match:
        return None, None
    yy, mm = int(match.group(1)), int(match.group(2))
    year = 1900 + yy if yy >= 90 else 2000 + yy
    return year, f"{year:04d}-{mm:02d}-01"


def _arxiv_record(
    arxiv: str,
    title: str,
    *,
    authors: list[str],
    abstract: str,
    year: int | None,
    day: str | None,
    categories: str,
    doi: str | None = None,
) -> CatalogRecord:
    """A preprint record: what every arXiv format (snapshot, listing, .abs, OAI) gives."""
    return CatalogRecord(
        title=title,
        authors=[a for a in authors if a],
        abstract=abstract,
        year=year,
        date=day,
        categories=categories,
        arxiv=arxiv,
        doi=doi,
        url=f"https://arxiv.org/abs/{arxiv}",
        source="arxiv",
    )


def venue_from_path(path: Path) -> tuple[str, int] | None:
    """("CVPR", 2019) from ``.../cvpr2019.json`` or ``NeurIPS2023-OpenReviewData/...``."""
    for part in reversed(path.parts):
        match = _VENUE_IN_NAME.search(part)
        if match:
            return _CANONICAL[match.group(1).lower()], int(match.group(2))
    return None


def detect_format(path: Path) -> str:
    """The reader for ``path``; an ``ImportProblem`` when nothing fits."""
    if path.is_dir():
        if next(path.rglob("*.abs"), None) is not None:
            return "abs"
        raise ImportProblem("a folder holds no .abs records", path)
    name = path.name.lower()
    if name.endswith(".abs"):
        return "abs"
    if name.endswith((".csv", ".tsv")):
        return "openreview"
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip()
    if head.startswith(b"["):
        return "papercopilot"
    if head.startswith(b"{"):
        first = head.split(b"\n", 1)[0]
        if b'"summary"' in first or re.search(rb"\d{4}-\d{2}-\d{2}", name.encode()):
            return "daily"
        return "kaggle"
    raise ImportProblem(
        "not a catalog source (JSON lines, a JSON paper list, CSV/TSV or .abs records)", path
    )


def read(
    path: Path, fmt: str, venue: str | None = None, *, submissions: bool = False
) -> Iterator[CatalogRecord]:
    """Records of one source file (or ``.abs`` folder) in the given format.

    ``submissions`` marks a conference list that holds every submission, accepted or not (the
    ICLR 2021 OpenReview export has no decisions): its papers get no venue.
    """
    readers = {"kaggle": read_kaggle, "daily": read_daily, "abs": read_abs_tree}
    if fmt not in FORMATS:
        raise ImportProblem(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})", path)
    if fmt == "papercopilot":
        yield from read_papercopilot(path, venue)
    elif fmt == "openreview":
        yield from read_openreview(path, venue, submissions=submissions)
    else:
        yield from readers[fmt](path)


def _json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line:
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ImportProblem(f"broken JSON line: {exc.msg}", path, number) from None
            except RecursionError:
                raise ImportProblem("JSON nested too deeply", path, number) from None
            if isinstance(data, dict):
                yield number, data


def read_kaggle(path: Path) -> Iterator[CatalogRecord]:
    """The arXiv metadata snapshot (Kaggle's JSON lines), one record per line."""
    for _number, d in _json_lines(path):
        arxiv = _arxiv(d.get("id"))
        title = _clean(d.get("title"))
        if not arxiv or not title:
            continue
        year, day = _arxiv_day(arxiv)
        versions = d.get("versions")
        if isinstance(versions, list) and versions and isinstance(versions[0], dict):
            try:
                first = parsedate_to_datetime(str(versions[0].get("created")))
                year, day = first.year, first.date().isoformat()
            except (TypeError, ValueError):
                pass
        parsed = d.get("authors_parsed")
        if isinstance(parsed, list) and parsed:
            authors = [
                _clean(f"{p[1]} {p[0]}") for p in parsed if isinstance(p, list) and len(p) >= 2
            ]
        else:
            authors = [
                _clean(a) for a in re.split(r",| and ", str(d.get("authors") or "")) if _clean(a)
            ]
        yield _arxiv_record(
            arxiv,
            title,
            authors=authors,
            abstract=_clean(d.get("abstract")),
            year=year,
            day=day,
            categories=_clean(d.get("categories")),
            doi=_doi(d.get("doi")),
        )


def read_daily(path: Path) -> Iterator[CatalogRecord]:
    """A daily arXiv listing crawl (JSON lines); the file name gives the listing day."""
    match = re.search(r"(\d{4})-(\d{2})-(\d{2})", path.name)
    day = match.group(0) if match else None
    for _number, d in _json_lines(path):
        arxiv = _arxiv(d.get("id"))
        title = _clean(d.get("title"))
        if not arxiv or not title:
            continue
        year, month_day = _arxiv_day(arxiv)
        cats = d.get("categories")
        authors = d.get("authors")
        yield _arxiv_record(
            arxiv,
            title,
            authors=[_clean(a) for a in authors] if isinstance(authors, list) else [],
            abstract=_clean(d.get("summary")),
            year=int(day[:4]) if day else year,
            day=day or month_day,
            categories=" ".join(str(c) for c in cats) if isinstance(cats, list) else _clean(cats),
        )


_ABS_FIELD = re.compile(r"^([A-Za-z][A-Za-z-]*(?: \([^)]*\))?):\s?(.*)$")


def parse_abs(text: str, path: Path | str = "<abs>") -> CatalogRecord | None:
    """One arXiv ``.abs`` record: header fields between ``\\\\`` lines, then the abstract."""
    parts = re.split(r"^\\\\\s*$", text, flags=re.MULTILINE)
    if len(parts) < 3:
        return None
    header, abstract = parts[1], parts[2]
    fields: dict[str, str] = {}
    dates: list[str] = []
    current: str | None = None
    for line in header.splitlines():
        match = _ABS_FIELD.match(line)
        if match and not line.startswith(" "):
            current = match.group(1)
            value = match.group(2)
            if current.startswith("Date"):
                dates.append(value)
            fields[current] = value
        elif current and line.startswith(" "):
            fields[current] += " " + line.strip()
        elif line.startswith("arXiv:"):
            fields["arXiv"] = line.split(":", 1)[1].strip()
    arxiv = _arxiv(fields.get("arXiv") or fields.get("Paper"))
    title = _clean(fields.get("Title"))
    if not arxiv or not title:
        return None
    year, day = _arxiv_day(arxiv)
    if dates:
        try:
            stamp = parsedate_to_datetime(dates[0].split("(")[0].strip())
            year, day = stamp.year, stamp.date().isoformat()
        except (TypeError, ValueError):
            pass
    authors = re.split(r",\s*|\s+and\s+", _clean(fields.get("Authors")))
    return _arxiv_record(
        arxiv,
        title,
        authors=[_clean(x) for x in authors],
        abstract=_clean(abstract),
        year=year,
        day=day,
        categories=_clean(fields.get("Categories")),
        doi=_doi(fields.get("DOI")),
    )


def read_abs_tree(path: Path) -> Iterator[CatalogRecord]:
    """Every ``.abs`` record under a folder (or one file), in path order."""
    files = [path] if path.is_file() else sorted(path.rglob("*.abs"))
    for file in files:
        record = parse_abs(file.read_text(encoding="utf-8", errors="replace"), file)
        if record is not None:
            yield record


def _venue(path: Path, venue: str | None) -> tuple[str, int | None]:
    if venue:
        match = re.match(r"^(.*?)\s*(\d{4})?$", venue.strip())
        name = match.group(1) if match else venue
        year = int(match.group(2)) if match and match.group(2) else None
        return name, year
    found = venue_from_path(path)
    if found is None:
        raise ImportProblem(
            "cannot tell the venue from the file name; pass --venue 'NAME YEAR'", path
        )
    return found


def read_papercopilot(path: Path, venue: str | None = None) -> Iterator[CatalogRecord]:
    """A papercopilot paper list (JSON array); rejected/withdrawn papers carry no venue."""
    name, year = _venue(path, venue)
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        raise ImportProblem(f"broken JSON: {exc.msg}", path, exc.lineno) from None
    except RecursionError:
        raise ImportProblem("JSON nested too deeply", path) from None
    if not isinstance(data, list):
        raise ImportProblem("a paper list must be a JSON array", path, 1)
    for d in data:
        if not isinstance(d, dict):
            continue
        title = _SESSION_PREFIX.sub("", _clean(d.get("title")))
        if not title:
            continue
        status = _clean(d.get("status")).lower()
        accepted = status not in _NOT_ACCEPTED
        authors = [_clean(a) for a in str(d.get("author") or "").split(";")]
        site = _clean(d.get("site")) or _clean(d.get("oa")) or None
        openreview = None
        if site and "openreview.net" in site:
            match = re.search(r"id=([\w-]+)", site)
            openreview = match.group(1) if match else None
        yield CatalogRecord(
            title=title,
            authors=[a for a in authors if a],
            abstract=_clean(d.get("abstract")),
            year=year,
            venue=name if accepted else "",
            venue_label=f"{name} {year}" if accepted and year else "",
            arxiv=_arxiv(d.get("arxiv")),
            doi=_doi(d.get("doi")),
            openreview=openreview,
            url=site,
            source=f"{name.lower()}{year or ''}",
        )


def read_openreview(
    path: Path, venue: str | None = None, *, submissions: bool = False
) -> Iterator[CatalogRecord]:
    """An OpenReview export (CSV or TSV with a header row)."""
    name, year = _venue(path, venue)
    accepted = not submissions
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=delimiter):
            title = _clean(row.get("title"))
            if not title:
                continue
            link = _clean(row.get("link")) or None
            yield CatalogRecord(
                title=title,
                abstract=_clean(row.get("abstract")),
                year=year,
                venue=name if accepted else "",
                venue_label=(f"{name} {year}" if year else name) if accepted else "",
                openreview=_clean(row.get("paper_id")) or None,
                url=link,
                source=f"{name.lower()}{year or ''}",
            )
