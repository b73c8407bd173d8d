"""What a citation of a paper says, whichever format writes it: its entry type and its venue.

Shared by the BibTeX and CSL-JSON exporters so both tell the same story:

- ``entry_type(paper)``: the stored ``entry_type`` (from the sources, or an imported BibTeX
  entry's type); else the kind of item (a lecture, a talk); else what the badge says (a
  conference badge is ``inproceedings``, a journal ``article``); else ``preprint`` for an arXiv
  paper; else ``misc``.
- ``venue_name(paper)``: the journal or proceedings as the source wrote it (``container``),
  else the short venue name ("MICCAI" from the badge "MICCAI 2019"). Never a year, never the
  badge with its year: "MICCAI 2019" is the venue MICCAI in 2019.
"""

from __future__ import annotations

import re

from paperlog.model import Paper

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")

# BibTeX entry types -> paperlog's entry types (an imported entry keeps its own type as well).
FROM_BIBTEX = {
    "article": "article",
    "inproceedings": "inproceedings",
    "conference": "inproceedings",
    "incollection": "incollection",
    "inbook": "incollection",
    "book": "book",
    "proceedings": "book",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
}
_FROM_KIND = {"lecture": "lecture", "talk": "talk", "notes": "misc", "topic": "misc"}
_FROM_VENUE_KIND = {
    "conference": "inproceedings",
    "workshop": "inproceedings",
    "journal": "article",
    "preprint": "preprint",
    "blog": "webpage",
}


def _badge(paper: Paper) -> tuple[str | None, str | None]:
    """(venue, venue kind) the paper's badge or venue names, when paperlog can read one."""
    from paperlog.venues import parse_badge, venue_kind

    if paper.venue:
        kind = venue_kind(paper.venue)
        if kind is not None:
            return paper.venue, kind
    if paper.venue_label:
        badge = parse_badge(paper.venue_label)
        if badge.venue:
            return badge.venue, badge.kind
    return paper.venue, None


def entry_type(paper: Paper) -> str:
    """What the paper was published as (``model.ENTRY_TYPES``), as the module doc says."""
    if paper.entry_type:
        return paper.entry_type
    if paper.kind in _FROM_KIND:
        return _FROM_KIND[paper.kind]
    venue, kind = _badge(paper)
    if kind in _FROM_VENUE_KIND:
        return _FROM_VENUE_KIND[kind]
    if paper.ids.get("arxiv") and (not venue or venue.lower().startswith("arxiv")):
        return "preprint"
    if venue and paper.container:
        return "article"
    return "preprint" if paper.ids.get("arxiv") else "misc"


def venue_name(paper: Paper) -> str | None:
    """The venue to cite: the container as the source wrote it, else the short name; a
    preprint server ("arXiv") is no venue."""
    if paper.container:
        return paper.container
    venue, _ = _badge(paper)
    if not venue and paper.venue_label:
        # a label the venue table cannot read ("Stanford CS231n"): the label without its year
        venue = " ".join(_YEAR.sub(" ", paper.venue_label).split())
    if not venue or venue.lower().startswith("arxiv"):
        return None
    return venue
