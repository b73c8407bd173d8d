"""``catalog ingest``: stream records from sources into the catalog, resumably.

Records are merged in batches, each batch one SQLite transaction that also records how many
records of the source are done. A kill loses at most the batch under way; the next run skips
what was committed (a source is known by its path, size and modification time) and goes on.
Re-ingesting a finished source reads nothing. Merging is by identifier and normalised title
(``Catalog.upsert``), so ingesting the same source twice changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from paperlog.catalog.readers import detect_format, read
from paperlog.catalog.store import Catalog, CatalogRecord

if TYPE_CHECKING:
    from paperlog.resolve.http import HttpClient

BATCH = 20_000
"""Records a transaction: big enough that a commit is rare, small enough to lose little."""


@dataclass
class IngestStats:
    """What one source's ingest did."""

    source: str
    format: str
    read: int = 0
    added: int = 0
    merged: int = 0
    skipped: int = 0
    """Records committed by an earlier run (a resume) and not read again."""
    seconds: float = 0.0
    already_done: bool = False

    @property
    def rate(self) -> float:
        """Records per second."""
        return self.read / self.seconds if self.seconds > 0 else 0.0


@dataclass
class IngestReport:
    """Every source of one ``catalog ingest`` run."""

    sources: list[IngestStats] = field(default_factory=list)
    papers: int = 0


Progress = Callable[[int], None]


def _signature(path: Path) -> str:
    if path.is_dir():
        files = sorted(path.rglob("*.abs"))
        total = sum(f.stat().st_size for f in files)
        newest = max((f.stat().st_mtime_ns for f in files), default=0)
        return f"dir:{len(files)}:{total}:{newest}"
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def _batches(records: Iterator[CatalogRecord], size: int) -> Iterator[list[CatalogRecord]]:
    batch: list[CatalogRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ingest_records(
    catalog: Catalog,
    records: Iterable[CatalogRecord],
    *,
    source_id: str,
    signature: str,
    stats: IngestStats,
    progress: Progress | None = None,
    batch_size: int = BATCH,
    index: bool = True,
) -> IngestStats:
    """Merge records into the catalog in committed batches, resuming after ``source_id``'s
    last committed record when the signature is unchanged. New rows enter the full-text
    index at the end (``index`` False leaves that to the caller: ``catalog.index_pending``)."""
    done, finished = catalog.ingest_progress(source_id, signature)
    if finished:
        stats.already_done = True
        stats.skipped = done
        if index:
            catalog.index_pending()  # an earlier run may have been killed while indexing
        return stats
    with catalog.bulk():
        _ingest_batches(
            catalog,
            records,
            source_id=source_id,
            signature=signature,
            stats=stats,
            progress=progress,
            batch_size=batch_size,
            done=done,
        )
        if index:
            catalog.index_pending()
    return stats


def _ingest_batches(
    catalog: Catalog,
    records: Iterable[CatalogRecord],
    *,
    source_id: str,
    signature: str,
    stats: IngestStats,
    progress: Progress | None,
    batch_size: int,
    done: int,
) -> None:
    started = time.perf_counter()
    position = 0
    iterator = iter(records)
    # Skip what an earlier, killed run committed: cheap (parsing only) next to merging.
    for _ in range(done):
        if next(iterator, None) is None:
            break
        position += 1
    stats.skipped = position
    if progress and position:
        progress(position)
    for batch in _batches(iterator, batch_size):
        catalog.begin()
        try:
            added, merged = catalog.upsert_many(batch)
            stats.added += added
            stats.merged += merged
            position += len(batch)
            catalog.set_ingest_progress(source_id, signature, position, False)
            catalog.commit()
        except BaseException:
            catalog.rollback()
            raise
        stats.read += len(batch)
        if progress:
            progress(len(batch))
    catalog.begin()
    catalog.set_ingest_progress(source_id, signature, position, True)
    catalog.commit()
    stats.seconds = time.perf_counter() - started


def ingest_path(
    catalog: Catalog,
    path: Path,
    *,
    fmt: str | None = None,
    venue: str | None = None,
    submissions: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH,
    index: bool = True,
) -> IngestStats:
    """Ingest one source file (or a folder of ``.abs`` records)."""
    fmt = fmt or detect_format(path)
    stats = IngestStats(source=str(path), format=fmt)
    return ingest_records(
        catalog,
        read(path, fmt, venue, submissions=submissions),
        source_id=f"{fmt}:{path.resolve()}",
        signature=_signature(path),
        stats=stats,
        progress=progress,
        batch_size=batch_size,
        index=index,
    )


def expand_sources(paths: Iterable[Path]) -> list[Path]:
    """Files to ingest: a folder of paper lists or JSON lines is expanded to its files."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir() and next(path.rglob("*.abs"), None) is None:
            out.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in (".json", ".jsonl", ".csv", ".tsv")
                )
            )
        else:
            out.append(path)
    return out


def ingest_oai(
    catalog: Catalog,
    client: HttpClient,
    base_url: str,
    *,
    since: str | None = None,
    set_spec: str | None = None,
    progress: Progress | None = None,
    today: str,
    index: bool = True,
) -> IngestStats:
    """Harvest arXiv OAI-PMH into the catalog; each page is one transaction.

    The resumption token is stored with each committed page, so a killed harvest goes on from
    the next page; a finished one stores the day, and the next run asks ``from=`` that day.
    """
    stats = IngestStats(source=base_url, format="oai")
    started = time.perf_counter()
    token = catalog.get_meta(f"oai.token:{base_url}")
    if since is None:
        since = catalog.get_meta(f"oai.last:{base_url}")
    with catalog.bulk():
        _harvest(
            catalog,
            client,
            base_url,
            since=since,
            set_spec=set_spec,
            token=token,
            today=today,
            stats=stats,
            progress=progress,
        )
        if index:
            catalog.index_pending()
    stats.seconds = time.perf_counter() - started
    return stats


def _harvest(
    catalog: Catalog,
    client: HttpClient,
    base_url: str,
    *,
    since: str | None,
    set_spec: str | None,
    token: str | None,
    today: str,
    stats: IngestStats,
    progress: Progress | None,
) -> None:
    from paperlog.catalog.oai import harvest

    for page in harvest(client, base_url, since=since, set_spec=set_spec, token=token):
        catalog.begin()
        try:
            added, merged = catalog.upsert_many(page.records)
            stats.added += added
            stats.merged += merged
            if page.token:
                catalog.set_meta(f"oai.token:{base_url}", page.token)
            else:
                catalog.delete_meta(f"oai.token:{base_url}")
                catalog.set_meta(f"oai.last:{base_url}", today)
            catalog.commit()
        except BaseException:
            catalog.rollback()
            raise
        stats.read += len(page.records)
        if progress:
            progress(len(page.records))
