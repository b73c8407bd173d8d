"""``catalog ingest``: stream records from sources into the catalog, resumably.

Records are merged in batches, each batch one SQLite transaction that also records how many
records of the source are done. A kill loses at most the batch under way; the next run skips
what was committed (a source is known by its path, size and modification time) and goes on.
Re-ingesting a finished source reads nothing. Merging is by identifier and normalised title
(``Catalog.upsert``), so ingesting the same source twice changes nothing.

A big file (``PARALLEL_BYTES``) is read by a second process: it parses the records and does
all the per-record work that needs no database (``store.prepare``: title key, compressed
abstract, JSON), a batch at a time, while this process merges the previous batch into SQLite,
so both cores work. The full-text index is still built in bulk after the load: indexing
each batch as it committed, while the worker prepared the next, cost the same at 200,000
records but 978 s of CPU for 3M against 617 s in bulk (not profiled further). The worker
only reads the source: the database has one writer, and what is committed (and so
resumable) is decided here exactly as without it. The worker is one
batch ahead at most (memory stays flat when SQLite is the slower side); a worker whose parent
died (a SIGKILLed ingest) stops by itself.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from paperlog.catalog.readers import detect_format, read
from paperlog.catalog.records import CatalogRecord, Prepared, prepare
from paperlog.catalog.store import Catalog

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from paperlog.resolve.http import HttpClient

BATCH = 20_000
"""Records a transaction: big enough that a commit is rare, small enough to lose little."""
PARALLEL_BYTES = 8 << 20
"""Files at least this big are read by a worker process (starting one costs ~0.2 s)."""


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


def prepared_batches(
    records: Iterable[CatalogRecord], size: int, skip: int
) -> Iterator[tuple[int, list[Prepared]]]:
    """(records read, prepared records) a batch at a time, after skipping ``skip`` records
    (an earlier run committed them; parsing them again is cheap next to merging)."""
    iterator = iter(records)
    skipped = sum(1 for _ in itertools.islice(iterator, skip))
    if skipped:
        yield skipped, []
    while batch := list(itertools.islice(iterator, size)):
        yield len(batch), [prepare(rec) for rec in batch]


def _worker(
    pipe: Connection,
    other_end: Connection,
    source: tuple[Path, str, str | None, bool],
    size: int,
    skip: int,
) -> None:
    """The worker process: prepared batches of one source down ``pipe``, then None.

    A send blocks until the ingest has read the batch before (one batch ahead, flat memory);
    when the ingest is gone (killed) the pipe breaks and this process ends with it."""
    other_end.close()  # the forked copy of the reading end: the ingest's alone
    try:
        try:
            records = read(path=source[0], fmt=source[1], venue=source[2], submissions=source[3])
            for item in prepared_batches(records, size, skip):
                pipe.send(item)
        except (BrokenPipeError, ConnectionResetError):
            raise
        except Exception as exc:  # handed to the ingest, which raises it
            pipe.send(exc)
        pipe.send(None)
    except (BrokenPipeError, ConnectionResetError):
        os._exit(1)


def _worker_batches(
    source: tuple[Path, str, str | None, bool], size: int, skip: int
) -> Iterator[tuple[int, list[Prepared]]]:
    """``prepared_batches`` of a source, made by a worker process (see the module's notes)."""
    import multiprocessing

    # fork, not spawn: spawn re-runs the caller's __main__ (a script calling this at module
    # level would start workers without end). The child never touches the SQLite connection
    # it inherits and ends with os._exit (multiprocessing's), so nothing closes it twice.
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(writer, reader, source, size, skip), daemon=True)
    worker.start()
    # Only the worker may hold the writing end: when it dies, reading says so (EOFError); and
    # the worker drops the reading end, so its writes fail once this process is gone.
    writer.close()
    try:
        while True:
            try:
                item = reader.recv()
            except EOFError:
                from paperlog.errors import ImportProblem

                worker.join()
                raise ImportProblem(
                    f"the reading process stopped (exit code {worker.exitcode})", source[0]
                ) from None
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join()
        reader.close()


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
    return _ingest(
        catalog,
        lambda done: prepared_batches(records, batch_size, done),
        source_id=source_id,
        signature=signature,
        stats=stats,
        progress=progress,
        index=index,
    )


def _ingest(
    catalog: Catalog,
    batches: Callable[[int], Iterator[tuple[int, list[Prepared]]]],
    *,
    source_id: str,
    signature: str,
    stats: IngestStats,
    progress: Progress | None,
    index: bool,
) -> IngestStats:
    """``ingest_records`` over prepared batches (``batches(done)`` skips ``done`` records)."""
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
            batches(done),
            source_id=source_id,
            signature=signature,
            stats=stats,
            progress=progress,
        )
        if index:
            catalog.index_pending()
    return stats


def _ingest_batches(
    catalog: Catalog,
    batches: Iterator[tuple[int, list[Prepared]]],
    *,
    source_id: str,
    signature: str,
    stats: IngestStats,
    progress: Progress | None,
) -> None:
    started = time.perf_counter()
    position = 0
    for count, batch in batches:
        if not batch:  # the records an earlier, killed run committed, skipped
            position += count
            stats.skipped += count
            if progress:
                progress(count)
            continue
        catalog.begin()
        try:
            added, merged = catalog.upsert_prepared(batch)
            stats.added += added
            stats.merged += merged
            position += count
            catalog.set_ingest_progress(source_id, signature, position, False)
            catalog.commit()
        except BaseException:
            catalog.rollback()
            raise
        stats.read += count
        if progress:
            progress(count)
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
    source = (path, fmt, venue, submissions)

    def batches(done: int) -> Iterator[tuple[int, list[Prepared]]]:
        if path.is_file() and path.stat().st_size >= PARALLEL_BYTES:
            return _worker_batches(source, batch_size, done)
        records = read(path, fmt, venue, submissions=submissions)
        return prepared_batches(records, batch_size, done)

    return _ingest(
        catalog,
        batches,
        source_id=f"{fmt}:{path.resolve()}",
        signature=_signature(path),
        stats=stats,
        progress=progress,
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
