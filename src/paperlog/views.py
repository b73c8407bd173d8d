"""Plain-data views of library records: the JSON shapes the CLI prints and the web app serves."""

from __future__ import annotations

from typing import Any

from paperlog.model import Paper, ResourceSection, Topic, WeekInfo


def paper_row(paper: Paper) -> tuple[Any, ...]:
    """An item as a row of ``list`` and ``search`` (the columns of ``cli.common.PAPER_COLUMNS``):
    key, kind, status, year, venue, weeks read, title."""
    return (
        paper.key,
        paper.kind,
        paper.status,
        paper.year or "",
        paper.venue_label or paper.venue or "",
        ",".join(f"Wk{r.week}" for r in paper.readings if r.week is not None),
        paper.display_title,
    )


def paper_view(paper: Paper) -> dict[str, Any]:
    """The documented JSON object of one item (``list --json``, ``search --json``)."""
    # Only the identifiers the paper has: an absent id is left out, never null (docs/library.md)
    ids = {k: v for k, v in sorted(paper.ids.items()) if v}
    return {
        "key": paper.key,
        "kind": paper.kind,
        "title": paper.title,
        "nickname": paper.nickname,
        "authors": list(paper.authors),
        "year": paper.year,
        "preprint_year": paper.preprint_year,
        "entry_type": paper.entry_type,
        "venue": paper.venue,
        "container": paper.container,
        "venue_label": paper.venue_label,
        "ids": ids,
        "url": paper.url,
        "links": [{"label": link.label, "url": link.url} for link in paper.links],
        "status": paper.status,
        "track": paper.track,
        "topics": list(paper.topics),
        "wish_group": paper.wish_group,
        "rank": paper.rank,
        "citekey": paper.citekey,
        "aliases": list(paper.aliases),
        "readings": [
            {
                "week": r.week,
                "week_start": r.week_start.isoformat() if r.week_start else None,
                "group": r.group,
                "date": r.date.isoformat() if r.date else None,
            }
            for r in paper.readings
        ],
    }


def resources_view(sections: list[ResourceSection]) -> list[dict[str, Any]]:
    """``resources --json``: sections, their groups and items."""
    return [
        {
            "section": sec.name,
            "intro": sec.intro,
            "groups": [
                {
                    "name": grp.name,
                    "items": [
                        {
                            "title": it.title,
                            "star": it.star,
                            "links": [{"label": lk.label, "url": lk.url} for lk in it.links],
                        }
                        for it in grp.items
                    ],
                }
                for grp in sec.groups
            ],
        }
        for sec in sections
    ]


def week_view(info: WeekInfo, papers: list[Paper]) -> dict[str, Any]:
    """``weeks --json``: one week with its note and its theme groups of paper keys."""
    groups: dict[str, list[tuple[int, str]]] = {name: [] for name in info.groups}
    for paper in papers:
        for reading in paper.readings:
            if reading.week == info.week:
                groups.setdefault(reading.group or "", []).append((reading.order, paper.key))
    return {
        "week": info.week,
        "week_start": info.start.isoformat() if info.start else None,
        "note": info.note,
        "groups": [
            {"name": name or None, "keys": [key for _, key in sorted(members)]}
            for name, members in groups.items()
        ],
    }


def topics_view(topics: list[Topic], papers: list[Paper]) -> list[dict[str, Any]]:
    """``topics --json``: each code of the taxonomy with how many items carry it."""
    counts: dict[str, int] = {}
    for paper in papers:
        for code in paper.topics:
            counts[code] = counts.get(code, 0) + 1
    return [
        {
            "code": t.code,
            "name": t.name,
            "description": t.description,
            "count": counts.get(t.code, 0),
        }
        for t in topics
    ]
