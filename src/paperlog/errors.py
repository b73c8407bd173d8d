"""Domain errors. Each says what went wrong and where (file and line) when it is known."""

from __future__ import annotations

# pathlib is imported when an error names a file, not by every module that can raise one: the
# search fast path imports this module and nothing of pathlib's (about 3 ms of start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


class PaperlogError(Exception):
    """Base of every error paperlog reports to a user as a one-line message."""

    def __init__(
        self, message: str, path: Path | str | None = None, line: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path: Path | None = None
        if path is not None:
            from pathlib import Path

            self.path = Path(path)
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return one_line(f"{where}{self.message}")


class LibraryNotFound(PaperlogError):
    """No library where one was asked for (no paperlog.toml up the tree)."""


class BadFile(PaperlogError):
    """A library file that cannot be read: broken YAML or TOML, a wrong field type."""


class ValidationError(PaperlogError):
    """A file that parses but says something impossible: an unknown topic, a duplicate key."""


class NotFound(PaperlogError):
    """An unknown paper key or other named thing."""


class ImportProblem(PaperlogError):
    """An input file that cannot be imported at all (e.g. no recognisable entries)."""


class NetworkError(PaperlogError):
    """A metadata source could not be reached or answered badly."""


def one_line(text: str) -> str:
    """``text`` as one line: line breaks and other control characters (a NUL a YAML error
    quotes) shown as escapes, so an error never spills over several lines."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)
