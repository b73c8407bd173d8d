"""Charts for the README and ``stats --charts``: SVG files that re-render byte for byte.

matplotlib is imported inside the functions (it costs a second to import) and used through its
object API (``Figure``), never pyplot, so no GUI backend and no global figure state is touched.
Byte-identical output for unchanged data comes from a fixed ``svg.hashsalt`` (the ids of clip
paths), no ``Date`` in the metadata and text kept as text rather than font-dependent paths.
Every mark a test or a reader may want to find carries an SVG id: ``week-N``, ``day-YYYY-MM-DD``,
``topic-CODE``, ``venue-N``, ``target``.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperlog.library import atomic_write
from paperlog.plan.calendar import known_weeks, week_start_of
from paperlog.plan.stats import Stats, compute_stats, reading_day

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from paperlog.library import Library
    from paperlog.model import Paper, Plan, WeekInfo

HEATMAP = "reading-calendar.svg"
PER_WEEK = "papers-per-week.svg"
TOPICS = "topics.svg"
VENUES = "venues.svg"

# GitHub's contribution palette: none, 1, 2, 3, 4+ readings on a day
_LEVELS = ("#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39")
_MET = "#30a14e"
_SHORT = "#8c9cb0"
_RC: dict[Any, Any] = {
    "svg.hashsalt": "paperlog",
    "svg.fonttype": "none",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
MAX_VENUES = 15
CALENDAR_MONTHS = 12
"""How many months the reading calendar shows by default (``stats --months`` for more)."""
MAX_CHART_BYTES = 100_000
"""No chart file may be larger (a README page loads every one)."""


def _save(fig: Figure, path: Path) -> None:
    """Write a figure as SVG atomically, with no date in it."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    atomic_write(path, buffer.getvalue())


def reading_days(papers: Sequence[Paper], weeks: list[WeekInfo]) -> Counter[date]:
    """Readings per day; a reading without a day counts on its week's start."""
    starts = known_weeks(weeks, papers)
    days: Counter[date] = Counter()
    for paper in papers:
        for reading in paper.readings:
            day = reading_day(reading, starts)
            if day is not None:
                days[day] += 1
    return days


def months_back(end: date, months: int) -> date:
    """The day ``months`` calendar months before ``end`` (clamped to the month's last day)."""
    month_index = end.year * 12 + end.month - 1 - months
    year, month = divmod(month_index, 12)
    for day in (end.day, 30, 29, 28):
        try:
            return date(year, month + 1, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def heatmap_figure(
    days: Counter[date], plan: Plan, today: date | None = None, months: int = CALENDAR_MONTHS
) -> Figure:
    """A contribution-style calendar: a column per calendar week, a row per weekday.

    It shows the ``months`` months up to the last reading (on or before ``today``; 0:
    everything), from the first reading in that span, so a library read over years stays one readable
    strip at GitHub's README width instead of shrinking its cells and labels.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Rectangle

    kept = {d: n for d, n in days.items() if today is None or d <= today}
    # the months up to the latest reading (not up to today: after a long pause the chart
    # would be empty), so a README render does not change as days pass either
    end = max(kept)
    if months > 0:
        cut = months_back(end, months)
        kept = {d: n for d, n in kept.items() if d > cut}
    first = week_start_of(min(kept), plan)
    last = week_start_of(max(kept), plan) + timedelta(days=6)
    columns = (last - first).days // 7 + 1
    # square cells up to a year and a half (12 months: 9.3 in, about 670 px), then they shrink
    fig = Figure(figsize=(min(max(3.0, 0.16 * columns + 0.8), 12.0), 1.9))
    ax = fig.add_subplot()
    day = first
    while day <= last:
        offset = (day - first).days
        count = kept.get(day, 0)
        cell = Rectangle(
            (offset // 7, offset % 7),
            0.85,
            0.85,
            facecolor=_LEVELS[min(count, len(_LEVELS) - 1)],
            edgecolor="none",
        )
        cell.set_gid(f"day-{day.isoformat()}")
        cell.set_clip_on(False)  # no clip-path per cell: a year of cells stays well under 100 KB
        # add_artist, not add_patch: the limits are set below, and updating them per cell
        # is most of the cost on a library read over years
        ax.add_artist(cell)
        day += timedelta(days=1)
    ax.set_xlim(-0.2, columns)
    ax.set_ylim(7, -0.2)
    ax.set_aspect("equal")
    weekday_names = [(first + timedelta(days=i)).strftime("%a") for i in range(7)]
    ax.set_yticks([i + 0.42 for i in range(0, 7, 2)], [weekday_names[i] for i in range(0, 7, 2)])
    month_ticks: list[float] = []
    month_labels: list[str] = []
    # past about a year the cells are too narrow for every month: label the quarters
    labelled = (1, 4, 7, 10) if columns > 60 else tuple(range(1, 13))
    for col in range(columns):
        start = first + timedelta(days=7 * col)
        if col == 0:
            label = start.strftime("%b %Y")
        elif start.day <= 7 and start.month in labelled and col >= 3:
            label = start.strftime("%b %Y" if start.month == 1 else "%b")
        else:
            continue
        month_ticks.append(col + 0.42)
        month_labels.append(label)
    ax.set_xticks(month_ticks, month_labels)
    ax.xaxis.set_ticks_position("top")
    ax.tick_params(length=0)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    span = f"last {months} months, " if months > 0 else ""
    ax.set_title(f"Readings per day ({span}{first.isoformat()} to {last.isoformat()})", pad=14)
    names = ("none", "1", "2", "3", f"{len(_LEVELS) - 1}+")
    handles = [
        Patch(facecolor=c, edgecolor="none", label=n) for c, n in zip(_LEVELS, names, strict=True)
    ]
    fig.legend(
        handles=handles,
        title="readings a day",
        loc="lower right",
        ncols=len(handles),
        frameon=False,
        fontsize=7,
        title_fontsize=7,
        handlelength=1.0,
        handleheight=1.0,
        columnspacing=0.8,
        bbox_to_anchor=(1.0, -0.12),
    )
    return fig


def per_week_figure(stats: Stats) -> Figure:
    """One bar per plan week (``WkN``), green when it met the target, with the target line."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    # at most 8.5 in plus the legend (about 800 px): GitHub shows a README 880 px wide
    fig = Figure(figsize=(min(max(4.0, 0.32 * len(stats.weeks) + 1.2), 8.5), 2.4))
    ax = fig.add_subplot()
    xs = list(range(len(stats.weeks)))
    bars = ax.bar(
        xs,
        [w.read for w in stats.weeks],
        color=[_MET if w.met else _SHORT for w in stats.weeks],
        width=0.7,
    )
    for patch, week in zip(bars.patches, stats.weeks, strict=True):
        patch.set_gid(f"week-{week.week}")
    line = ax.axhline(stats.target, color="#d1242f", linestyle="--", linewidth=1)
    line.set_gid("target")
    # every bar keeps its id; past 40 weeks only every n-th gets a label, so they stay legible
    every = max(1, len(xs) // 40 + 1) if len(xs) > 40 else 1
    ax.set_xticks(
        xs[::every],
        [f"Wk{w.week}" for w in stats.weeks[::every]],
        rotation=90 if len(xs) > 12 else 0,
    )
    ax.set_ylabel("papers")
    ax.set_title(f"Papers per week (target {stats.target})")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(
        handles=[
            Patch(facecolor=_MET, label="met the target"),
            Patch(facecolor=_SHORT, label="short of it"),
            Line2D([], [], color="#d1242f", linestyle="--", linewidth=1, label="target"),
        ],
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        frameon=False,
        fontsize=7,
    )
    return fig


def count_figure(
    title: str, names: Sequence[str], counts: Sequence[int], gids: Sequence[str]
) -> Figure:
    """Horizontal bars, largest on top."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(4.5, 0.25 * len(names) + 0.9))
    ax = fig.add_subplot()
    ys = list(range(len(names)))
    bars = ax.barh(ys, counts, color="#4878a8", height=0.7)
    for patch, gid in zip(bars.patches, gids, strict=True):
        patch.set_gid(gid)
    ax.set_yticks(ys, list(names))
    ax.invert_yaxis()
    ax.set_xlabel("papers read")
    ax.set_title(title)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(
        handles=[Patch(facecolor="#4878a8", label="papers read")],
        loc="lower right",
        frameon=False,
        fontsize=7,
    )
    return fig


def write_charts(
    library: Library,
    out_dir: Path,
    *,
    today: date | None = None,
    papers: Sequence[Paper] | None = None,
    weeks: list[WeekInfo] | None = None,
    months: int = CALENDAR_MONTHS,
) -> list[tuple[str, str]]:
    """Write the charts into ``out_dir``; return (alt text, path relative to the library root).

    ``today`` cuts the data off (``stats --date``); the default takes everything logged, so a
    README render does not change just because a day passed. A chart with nothing to show is
    not written (and not returned). ``months``: how far back the reading calendar goes (0: all).
    """
    import matplotlib

    papers = library.load_papers() if papers is None else papers
    weeks = library.load_weeks() if weeks is None else weeks
    stats = compute_stats(library, papers, weeks, today)
    out_dir = out_dir if out_dir.is_absolute() else library.root / out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[tuple[str, str]] = []

    def emit(fig: Figure, name: str, alt: str) -> None:
        path = out_dir / name
        _save(fig, path)
        written.append((alt, Path(os.path.relpath(path, library.root)).as_posix()))

    with matplotlib.rc_context(_RC):
        days = reading_days(papers, weeks)
        if today is not None:
            days = Counter({d: n for d, n in days.items() if d <= today})
        if days:
            emit(
                heatmap_figure(days, library.config.plan, today, months),
                HEATMAP,
                "Calendar of readings per day",
            )
        if stats.weeks:
            emit(
                per_week_figure(stats),
                PER_WEEK,
                f"Papers read per week against the target of {stats.target}",
            )
        if stats.topics:
            emit(
                count_figure(
                    "Papers read per topic",
                    [_topic_label(c.name, c.label) for c in stats.topics],
                    [c.count for c in stats.topics],
                    [f"topic-{c.name}" for c in stats.topics],
                ),
                TOPICS,
                "Papers read per topic",
            )
        if stats.venues:
            top = stats.venues[:MAX_VENUES]
            emit(
                count_figure(
                    "Papers read per venue",
                    [c.name for c in top],
                    [c.count for c in top],
                    [f"venue-{i}" for i in range(len(top))],
                ),
                VENUES,
                "Papers read per venue",
            )
    return written


def _topic_label(code: str, name: str | None) -> str:
    if not name:
        return code
    short = name if len(name) <= 28 else name[:27] + "…"
    return f"[{code}] {short}"
