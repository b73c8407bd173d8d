"""Why a lookup failed, in a few words: "not found in S2, Crossref", "cannot connect to arXiv".

The HTTP client's errors carry the whole request (URL and query) so that a user can paste it
into a browser; that belongs in ``--json`` and logs, not in a line per paper on a terminal.
``short_reason`` turns such a message into one short line, and ``unreachable`` tells a network
that is down (stop asking) from a source that does not know a paper (go on with the next).
"""

from __future__ import annotations

import re

SOURCE_NAMES = {
    "arxiv": "arXiv",
    "crossref": "Crossref",
    "s2": "S2",
    "dblp": "DBLP",
    "openreview": "OpenReview",
}
_SOURCE = "|".join(SOURCE_NAMES)
# "s2: https://host/path?query: not found (HTTP 404)", several joined by "; ".
_PART = re.compile(
    rf"\b(?P<source>{_SOURCE}): (?:GET )?https?://\S+: (?P<why>.*?)(?=; (?:{_SOURCE}): |\)?$)",
    re.DOTALL,
)
_URL = re.compile(r"https?://[^\s)]+")
# What the HTTP client says when the other end cannot be reached at all.
_UNREACHABLE = ("cannot resolve", "cannot connect", "timed out", "connection failed")
WIDTH = 100


def _gist(why: str) -> str:
    """The kind of failure, without the request or the retry count."""
    low = why.lower()
    if low.startswith("not found"):
        return "not found"
    if "cannot resolve" in low:
        return "cannot resolve the host (no network?)"
    for words in ("cannot connect", "timed out", "connection failed", "offline and not cached"):
        if words in low:
            return words
    match = re.match(r"HTTP \d{3}[^:;]*", why)
    if match:
        return match.group(0).strip()
    return _cut(_URL.sub("<url>", why.split(";", maxsplit=1)[0]).strip())


def _cut(text: str, width: int = WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def source_failures(message: str) -> list[tuple[str, str]]:
    """(source name, gist) of each source a lookup message reports on, in order."""
    return [
        (SOURCE_NAMES[m.group("source")], _gist(m.group("why"))) for m in _PART.finditer(message)
    ]


def short_reason(message: str) -> str:
    """One short line: "not found in S2, Crossref", "S2: cannot connect"; a message that names
    no source request is kept, with URLs left out."""
    parts = source_failures(message)
    if not parts:
        # A paperlog message of its own ("... does not look like this paper's title"): whole.
        return " ".join(_URL.sub("<url>", message).split())
    by_gist: dict[str, list[str]] = {}
    for source, gist in parts:
        if source not in by_gist.setdefault(gist, []):
            by_gist[gist].append(source)
    pieces = []
    for gist, sources in by_gist.items():
        names = ", ".join(sources)
        pieces.append(f"not found in {names}" if gist == "not found" else f"{names}: {gist}")
    return _cut("; ".join(pieces))


def unreachable(message: str) -> bool:
    """True when every source the message names could not be reached (the network is down),
    rather than answering or refusing this one paper."""
    parts = source_failures(message)
    return bool(parts) and all(any(word in gist for word in _UNREACHABLE) for _, gist in parts)


def brief(message: str) -> str:
    """A lookup error for a terminal: its own words, then each source's failure in a few
    words ("could not look up X: arXiv, S2: cannot resolve the host (no network?)"), without
    the requests; a message that names no source request is returned as it is."""
    first = _PART.search(message)
    if first is None:
        return message
    return message[: first.start()] + short_reason(message[first.start() :])
