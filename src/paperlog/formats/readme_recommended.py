"""Recommended papers in the text before a dated log ("## Recommended papers", "Must-read",
"Papers I recommend:"): read items, listed where the README lists them.

A researcher who lists papers they recommend, with links to their notes, has read them: each
such listing is a reading without a date (``week`` and ``week_start`` empty), in the group of
its heading, marked with the recommending section (``section`` in the reading's extra), never
a wish-list item (``today`` must not suggest reading it again). The README's text around the
list stays verbatim in ``[readme] before_log``; the lines the entries stood on are cut out of
it and ``[readme] before_log_lists`` says where each group's entries go back
(``{section, group, at}``: at which line of that text), so a render writes the entries from the
library in their place. Text between two entries of one list is kept like text in a week
(``slots`` records carrying the ``section``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from paperlog.formats.readme_layout import CHARTS_MARKER, IMAGES_ONLY, MARKER_BEGIN, MARKER_END

if TYPE_CHECKING:
    from paperlog.formats.readme_parse import Block


@dataclass
class Recommended:
    """What the walker saw of the recommended lists before the log."""

    section: str | None = None
    """The heading (or line) of the recommended list being read."""
    order: int = 0
    spans: dict[tuple[str, str | None], list[int]] = field(default_factory=dict)
    """Per (section, group): the first and last source line its entries stand on."""
    texts: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    """Text read inside a recommended list: (first line, last line, slot record)."""

    def note_entry(self, group: str | None, block: Block, lines: list[str]) -> int:
        """An entry of the current list at ``block``: its order among the listings."""
        assert self.section is not None
        self.order += 1
        last = block.end
        while last > block.line and not lines[last - 1].strip():
            last -= 1  # a list item's span may take in the blank lines after it
        span = self.spans.setdefault((self.section, group), [block.line, last])
        span[1] = max(span[1], last)
        return self.order

    def note_text(self, group: str | None, first: int, last: int, text: str) -> None:
        """Text inside the current list (kept as a slot when it stands between entries)."""
        assert self.section is not None
        record = {"line": text, "text": True, "section": self.section, "after": self.order}
        if group is not None:
            record["group"] = group
        self.texts.append((first, last, record))

    def slots(self) -> list[dict[str, Any]]:
        """The text records that stand between two entries of their list."""
        out = []
        for first, last, record in self.texts:
            span = self.spans.get((record["section"], record.get("group")))
            if span is not None and span[0] < first and last < span[1]:
                out.append(record)
        return out


def before_log_parts(
    lines: list[str], first: int, end: int, recommended: Recommended
) -> tuple[str | None, list[dict[str, Any]]]:
    """The README's own text between ``first`` and ``end`` (1-based, end excluded) with the
    recommended entries' lines cut out, and where each group's entries go back in it."""
    starts = {span[0]: (key, span[1]) for key, span in recommended.spans.items()}
    kept: list[str] = []
    lists: list[dict[str, Any]] = []
    number = first
    while number < end:
        if number in starts:
            (section, group), last = starts[number]
            place: dict[str, Any] = {"section": section, "at": len(kept)}
            if group is not None:
                place["group"] = group
            lists.append(place)
            number = last + 1
            continue
        line = lines[number - 1]
        if line.strip() not in (MARKER_BEGIN, MARKER_END, CHARTS_MARKER) and not IMAGES_ONLY.match(
            line
        ):
            kept.append(line)
        number += 1
    lead = 0
    while lead < len(kept) and not kept[lead].strip():
        lead += 1
    kept = kept[lead:]
    while kept and not kept[-1].strip():
        kept.pop()
    for place in lists:
        place["at"] = min(max(0, place["at"] - lead), len(kept))
    text = "\n".join(kept)
    return (text or None), lists
