"""Edit one paper's notes and plan fields with optimistic concurrency.

An editor (the web app's notes form) reads a paper together with the hash of its file's bytes;
the save names that hash. Under the library lock the file is read again: if its bytes changed
since (an editor, ``git pull``, the CLI), the save is refused with ``EditConflict`` carrying a
diff, and nothing is written. Same lock and atomic write as every other command.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from paperlog.errors import NotFound, ValidationError
from paperlog.model import STATUSES, Paper
from paperlog.paperfile import paper_from_text, paper_to_text

if TYPE_CHECKING:
    from paperlog.library import Library

KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
"""A paper key as a file name stem: no slash, no leading dot, so never a path outside papers/."""


class EditConflict(ValidationError):
    """The file changed on disk since the editor read it; nothing was written."""

    def __init__(self, message: str, key: str, diff: str, current_hash: str) -> None:
        super().__init__(message, f"papers/{key}.md")
        self.key = key
        self.diff = diff
        self.current_hash = current_hash


def check_key(key: str) -> str:
    """``key`` when it is a well-formed paper key, else ``NotFound`` (never a path)."""
    if not KEY_RE.match(key) or ".." in key:
        raise NotFound(f"{key!r} is not a paper key (letters, digits, '.', '_' and '-')")
    return key


def content_hash(data: bytes) -> str:
    """The hash an edit form carries: SHA-256 of the file's bytes."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class Editable:
    """A paper as an editor opens it: the parsed paper and the hash of the bytes it came from."""

    paper: Paper
    hash: str


def open_for_edit(library: Library, key: str) -> Editable:
    """Read a paper and its content hash from one read of the file."""
    path = library.paper_path(check_key(key))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"no paper with key {key!r} in {library.papers_dir}") from None
    text = raw.decode("utf-8")
    paper = paper_from_text(key, text, path)
    library.validate(paper, path, text)
    return Editable(paper, content_hash(raw))


@dataclass
class Changes:
    """What an edit sets; None leaves a field as it is."""

    notes: str | None = None
    topics: list[str] | None = None
    track: str | None = None
    """"" clears the track."""
    status: str | None = None


def _apply(library: Library, paper: Paper, changes: Changes, queue_end: int) -> None:
    if changes.notes is not None:
        # Browsers send CRLF line ends from a textarea; the file keeps LF.
        paper.notes = changes.notes.replace("\r\n", "\n").replace("\r", "\n")
    if changes.topics is not None:
        paper.topics = list(dict.fromkeys(t.strip() for t in changes.topics if t.strip()))
    if changes.track is not None:
        track = changes.track.strip() or None
        known = [t.name for t in library.config.plan.tracks]
        if track is not None and known and track not in known:
            raise ValidationError(f"unknown track {track!r} (known: {', '.join(known)})")
        paper.track = track
    if changes.status is not None and changes.status != paper.status:
        if changes.status not in STATUSES:
            raise ValidationError(f"status {changes.status!r} is not one of {', '.join(STATUSES)}")
        if changes.status == "read":
            # read items leave the queue; 'paperlog done' is what logs a reading in a week
            paper.rank = None
            paper.pinned = None
        elif paper.rank is None:
            paper.rank = queue_end + 1
        paper.status = changes.status


def _queue_end(library: Library) -> int:
    from paperlog.index import all_papers

    ranks = [p.rank for p in all_papers(library) if p.status != "read" and p.rank is not None]
    return max(ranks, default=0)


def save_edit(library: Library, key: str, expected_hash: str, changes: Changes) -> Editable:
    """Apply ``changes`` to paper ``key`` if its file still hashes to ``expected_hash``.

    Raises ``EditConflict`` (with a diff of the notes on disk against the edited ones) when the
    file changed meanwhile, ``ValidationError`` for an unknown topic, track or status. Returns
    the saved paper and its new hash.
    """
    check_key(key)
    path = library.paper_path(key)
    queue_end = _queue_end(library) if changes.status is not None else 0
    with library.lock():
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"no paper with key {key!r}: it was deleted or renamed") from None
        current = content_hash(raw)
        text = raw.decode("utf-8")
        paper = paper_from_text(key, text, path)
        if current != expected_hash:
            mine = dataclasses.replace(paper)
            _apply(library, mine, changes, queue_end)
            diff = "".join(
                difflib.unified_diff(
                    text.splitlines(keepends=True),
                    paper_to_text(mine).splitlines(keepends=True),
                    fromfile=f"papers/{key}.md (on disk now)",
                    tofile=f"papers/{key}.md (your edit)",
                )
            )
            raise EditConflict(
                "the file changed on disk since you opened it; nothing was saved",
                key,
                diff,
                current,
            )
        _apply(library, paper, changes, queue_end)
        library.validate(paper, path)
        new_text = paper_to_text(paper)
        if new_text != text:
            library.save_paper(paper)
    return Editable(paper, content_hash(new_text.encode("utf-8")))
