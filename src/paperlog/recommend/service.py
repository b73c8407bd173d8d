"""``paperlog recommend`` and ``paperlog rate``: the service between library, catalog and model.

It reads the library (papers read and wished, their readings, reviews and topics) and the
user's ratings of suggestions (``ratings.yaml`` in the library, plain text in git), links each
library paper to its catalog row, builds the labelled examples, ranks the catalog and returns
suggestions with their explanations. Writing (``--add``) goes through the add service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperlog.errors import NotFound, ValidationError
from paperlog.recommend.model import Example, group_of, sample_weight

if TYPE_CHECKING:
    import numpy as np

    from paperlog.catalog.records import CatalogPaper
    from paperlog.catalog.store import Catalog
    from paperlog.library import Library
    from paperlog.model import Paper

RATINGS_NAME = "ratings.yaml"
VERDICTS = ("good", "bad", "skip")
MIN_TOPIC_PAPERS = 3
"""A per-topic model needs at least this many papers carrying the code."""
RANKERS = ("tfidf", "semantic", "blend")
DEFAULT_RANKER = "tfidf"
"""The one that beats every baseline on every list and metric in ``make eval`` (the blend is
ahead on more figures but behind arxiv-sanity-lite on one list's MRR)."""
"""The ranker ``make eval`` found best (docs/discover.md); used when the semantic extra is
installed and neither ``--ranker`` nor ``[recommend] ranker`` in paperlog.toml says otherwise."""
INLINE_EMBED_LIMIT = 2_000
"""At most this many catalog papers are encoded by ``recommend`` itself (a minute or two);
more wait for ``paperlog catalog embed``, and the default ranker meanwhile is tf-idf."""


@dataclass
class Rating:
    """A verdict on a suggestion (or a library paper): good, bad or skip."""

    ref: str
    """What was rated: ``arxiv:ID``, ``doi:DOI``, ``openreview:ID``, ``title:NORMALISED`` or
    ``key:LIBRARY-KEY``."""
    verdict: str
    title: str = ""
    day: date | None = None


@dataclass
class Suggestion:
    """One recommended catalog paper and why."""

    paper: CatalogPaper
    score: float
    words: list[str] = field(default_factory=list)
    near: list[str] = field(default_factory=list)
    ranker: str = "tfidf"
    """Which ranker chose it: tfidf, semantic or blend."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the catalog paper, its score and explanation."""
        return {
            **self.paper.to_dict(),
            "catalog_id": f"c{self.paper.id}",
            "score": round(self.score, 4),
            "words": self.words,
            "near": self.near,
            "ranker": self.ranker,
        }


@dataclass
class Options:
    """What ``recommend`` was asked for."""

    limit: int = 10
    since: date | None = None
    topic: str | None = None
    track: str | None = None
    uncertain: bool = False
    """Suggest the papers the model is least sure about (``recommend --rate``): rating those
    teaches it most."""
    ranker: str | None = None
    """tfidf, semantic or blend; None: ``choose_ranker`` decides."""


# --- ratings.yaml --------------------------------------------------------------------------


def ratings_path(library: Library) -> Path:
    """``ratings.yaml`` in the library root."""
    return library.root / RATINGS_NAME


def load_ratings(library: Library) -> list[Rating]:
    """Every rating the library holds (an absent file is none)."""
    from paperlog.errors import BadFile
    from paperlog.paperfile import load_yaml

    path = ratings_path(library)
    if not path.is_file():
        return []
    data = load_yaml(path.read_text(encoding="utf-8"), path) or []
    if not isinstance(data, list):
        raise BadFile("ratings.yaml must be a list of ratings", path, 1)
    out = []
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict) or item.get("verdict") not in VERDICTS or not item.get("ref"):
            raise BadFile(f"rating {number} needs a ref and a verdict (good, bad or skip)", path)
        day = item.get("date")
        out.append(
            Rating(
                str(item["ref"]),
                str(item["verdict"]),
                str(item.get("title") or ""),
                day if isinstance(day, date) else None,
            )
        )
    return out


def save_ratings(library: Library, ratings: Iterable[Rating]) -> None:
    """Write ``ratings.yaml`` atomically; one rating per paper, the newest kept."""
    from paperlog.library import atomic_write
    from paperlog.paperfile import dump_yaml

    latest: dict[str, Rating] = {}
    for rating in ratings:
        latest[rating.ref] = rating
    items = []
    for r in latest.values():
        item: dict[str, Any] = {"ref": r.ref, "verdict": r.verdict}
        if r.title:
            item["title"] = r.title
        if r.day:
            item["date"] = r.day
        items.append(item)
    atomic_write(ratings_path(library), dump_yaml(items) if items else "[]\n")


def ref_of(paper: CatalogPaper) -> str:
    """The stable reference a rating of a catalog paper is stored under."""
    from paperlog.catalog.records import normalise_title

    for kind in ("arxiv", "doi", "openreview"):
        value = getattr(paper, kind)
        if value:
            return f"{kind}:{value}"
    return f"title:{normalise_title(paper.title)}"


def rate(
    library: Library, target: str, verdict: str, today: date, catalog: Catalog | None = None
) -> Rating:
    """Record a verdict on a library paper (by key) or a catalog paper (``c123``, arXiv ID,
    DOI): good papers become positives, bad and skipped ones negatives, at the next training."""
    if verdict not in VERDICTS:
        raise ValidationError(f"a rating is one of {', '.join(VERDICTS)}, not {verdict!r}")
    rating: Rating | None = None
    if catalog is not None:
        paper = catalog.get(target)
        if paper is not None:
            rating = Rating(ref_of(paper), verdict, paper.title, today)
    if rating is None:
        key = library.resolve_key(target)
        rating = Rating(f"key:{key}", verdict, library.load_paper(key).title, today)
    with library.lock():
        save_ratings(library, [*load_ratings(library), rating])
    return rating


# --- training data ---------------------------------------------------------------------------


def catalog_row_of(catalog: Catalog, paper: Paper) -> CatalogPaper | None:
    """The catalog row that is this library paper (by arXiv ID, DOI, then title)."""
    for value in (paper.ids.get("arxiv"), paper.ids.get("doi"), paper.ids.get("openreview")):
        if value:
            found = catalog.get(value)
            if found is not None:
                return found
    for title in (paper.title, paper.display_title):
        rows = catalog.by_title(title)
        if rows:
            return rows[0]
    return None


def _text(paper: Paper) -> str:
    return ". ".join(x for x in (paper.display_title, paper.abstract or "", *paper.takeaways) if x)


def _days_ago(paper: Paper, today: date) -> int | None:
    days = [r.date or r.week_start for r in paper.readings if (r.date or r.week_start)]
    latest = max((d for d in days if d is not None), default=paper.added)
    return (today - latest).days if latest else None


def library_examples(
    papers: Iterable[Paper],
    ratings: Iterable[Rating],
    catalog: Catalog,
    row_of: dict[int, int],
    *,
    today: date,
    topic: str | None = None,
    track: str | None = None,
) -> tuple[list[Example], set[int]]:
    """(labelled examples, catalog rows of every library paper) for one model.

    With ``topic``/``track`` only papers carrying that code/track are positives; every library
    paper is still excluded from the suggestions.
    """
    examples: list[Example] = []
    in_library: set[int] = set()
    by_key: dict[str, Paper] = {}
    for paper in papers:
        by_key[paper.key] = paper
        hit = catalog_row_of(catalog, paper)
        row = row_of.get(hit.id) if hit is not None else None
        if row is not None:
            in_library.add(row)
        wanted = (topic is None or topic.casefold() in {t.casefold() for t in paper.topics}) and (
            track is None or (paper.track or "").casefold() == track.casefold()
        )
        if not wanted:
            continue
        weight = sample_weight(
            status=paper.status,
            days_ago=_days_ago(paper, today),
            last_rating=str(paper.review.get("last_rating") or "") or None,
        )
        examples.append(
            Example(
                label=1,
                weight=weight,
                row=row,
                text="" if row is not None else _text(paper),
                group=group_of(paper.venue, paper.year, bool(paper.ids.get("arxiv"))),
                title=paper.display_title,
            )
        )
    for rating in ratings:
        if rating.ref.startswith("key:"):
            rated = by_key.get(rating.ref[4:])
            if rated is not None and rating.verdict == "good":
                for example in examples:
                    if example.title == rated.display_title:
                        example.weight *= 1.5
            continue
        hit = catalog.get(rating.ref.split(":", 1)[1]) if ":" in rating.ref else None
        if hit is None and rating.ref.startswith("title:"):
            rows = catalog.by_title(rating.ref[6:])
            hit = rows[0] if rows else None
        if hit is None or hit.id not in row_of:
            continue
        row = row_of[hit.id]
        in_library.add(row)  # a rated paper is never suggested again
        label = 1 if rating.verdict == "good" else 0
        examples.append(Example(label=label, row=row, title=hit.title))
    return examples, in_library


# --- which ranker ------------------------------------------------------------------------------


@dataclass
class RankerChoice:
    """The ranker ``recommend`` will use, and why when it is not the one asked for."""

    name: str
    note: str = ""


def configured_ranker(library: Library) -> str | None:
    """``[recommend] ranker`` in paperlog.toml, checked."""
    section = library.config.extra.get("recommend")
    value = section.get("ranker") if isinstance(section, dict) else None
    if value is None:
        return None
    if value not in RANKERS:
        from paperlog.errors import BadFile

        raise BadFile(
            f"recommend.ranker: expected one of {', '.join(RANKERS)}, not {value!r}",
            library.root / "paperlog.toml",
        )
    return str(value)


def choose_ranker(library: Library, catalog: Catalog, asked: str | None = None) -> RankerChoice:
    """The ranker for this run: ``asked`` (``--ranker``), else paperlog.toml's, else the
    default. The semantic ranker needs the extra installed and the catalog's embeddings mostly
    computed: asked for explicitly without them it is an error saying what to do; as the
    default, tf-idf stands in and the note says why."""
    from paperlog.recommend import semantic

    explicit = asked or configured_ranker(library)
    name = explicit or DEFAULT_RANKER
    if name == "tfidf":
        return RankerChoice(name)
    reason = semantic.available()
    if reason is None:
        waiting = semantic.pending_count(catalog.path, semantic.model_key())
        if waiting > INLINE_EMBED_LIMIT:
            reason = (
                f"{waiting:,} catalog papers have no embedding yet; "
                "run 'paperlog catalog embed' once"
            )
    if reason is None:
        return RankerChoice(name)
    if asked:
        raise ValidationError(f"--ranker {name}: {reason}")
    return RankerChoice("tfidf", f"tf-idf ranker: {reason}")


# --- recommending -----------------------------------------------------------------------------


Progress = Callable[[str], None]


def recommend(
    library: Library,
    catalog: Catalog,
    options: Options,
    *,
    today: date,
    papers: list[Paper] | None = None,
    progress: Progress | None = None,
) -> list[Suggestion]:
    """The best catalog papers for this library, explained, never one already in it."""

    from paperlog.recommend.model import feature_words, rank

    if papers is None:
        from paperlog.index import Index

        with Index.open(library) as index:
            papers = index.all()
    if options.topic and options.topic.casefold() not in {
        t.casefold() for t in library.config.topic_codes()
    }:
        known = ", ".join(sorted(library.config.topic_codes())) or "none defined"
        raise ValidationError(f"unknown topic code {options.topic!r} (known: {known})")
    if progress:
        progress("reading the catalog's text features")
    features, prefiltered = _features(catalog, library, papers, options)
    if not len(features.ids):
        raise NotFound(f"the catalog at {catalog.path} is empty; run 'paperlog catalog ingest'")
    row_of = features.row_of()
    examples, in_library = library_examples(
        papers,
        load_ratings(library),
        catalog,
        row_of,
        today=today,
        topic=options.topic,
        track=options.track,
    )
    positives = sum(1 for e in examples if e.label)
    if positives == 0:
        what = f" with topic {options.topic}" if options.topic else ""
        what += f" in track {options.track}" if options.track else ""
        raise NotFound(f"no paper{what} to learn from: read or add some papers first")
    if options.topic and positives < MIN_TOPIC_PAPERS:
        raise ValidationError(
            f"only {positives} paper(s) carry topic {options.topic}; a topic model needs "
            f"{MIN_TOPIC_PAPERS} (tag more with 'paperlog topics suggest --accept')"
        )
    candidates = _candidates(catalog, features.ids, None if prefiltered else options.since)
    for row in in_library:
        candidates[row] = False
    ranker = options.ranker or choose_ranker(library, catalog).name
    if progress:
        progress(
            f"training ({ranker}) on {positives} papers against "
            f"{len(features.ids):,} catalog papers"
        )
    groups = _groups(catalog, features.ids)
    ranking: Any = None
    if ranker in ("tfidf", "blend"):
        ranking = rank(features.counts, groups, examples, candidates=candidates)
    if ranker in ("semantic", "blend"):
        dense = _dense_ranking(
            catalog,
            features.ids,
            groups=groups,
            examples=examples,
            candidates=candidates,
            progress=progress,
        )
        ranking = dense if ranking is None else _blend(ranking, dense)
    rows = (
        ranking.least_sure(options.limit * 3)
        if options.uncertain
        else ranking.top(options.limit * 3)
    )
    found = catalog.papers(int(features.ids[r]) for r in rows)
    titles = [p.display_title for p in papers]
    out: list[Suggestion] = []
    for row in rows:
        paper = found[int(features.ids[row])]
        wanted, near = ranking.explain(row)
        if _near_duplicate(paper, titles, near, [s.paper for s in out]):
            continue
        words = feature_words(f"{paper.title}. {paper.abstract}", wanted) if wanted else []
        out.append(
            Suggestion(paper, float(ranking.scores[row]), words, [t for t, _ in near], ranker)
        )
        if len(out) >= options.limit:
            break
    return out


def _dense_ranking(
    catalog: Catalog,
    ids: np.ndarray,
    *,
    groups: list[str],
    examples: list[Example],
    candidates: np.ndarray,
    progress: Progress | None,
) -> Any:
    """The embedding ranker: encode what the cache lacks, then rank on the cached vectors."""
    from paperlog.recommend import semantic

    encoder = semantic.Encoder()
    if progress:
        progress("encoding catalog papers added since the last run")
    semantic.update_embeddings(catalog, encoder)
    embeddings = semantic.load_embeddings(catalog.path, encoder.key, [int(i) for i in ids])
    return semantic.rank_dense(
        embeddings,
        groups,
        examples,
        lambda texts: semantic.encode_cached(catalog.path, encoder, texts),
        candidates=candidates,
    )


def _blend(sparse: Any, dense: Any) -> Any:
    from paperlog.recommend.semantic import BlendRanking

    return BlendRanking.of(sparse, dense)


def _features(
    catalog: Catalog, library: Library, papers: list[Paper], options: Options
) -> tuple[Any, bool]:
    """(the text features to rank, whether they are pre-filtered candidates).

    A catalog of up to ``LARGE_CATALOG`` papers is ranked whole, from the features cache. A
    larger one first narrows to ``CANDIDATES`` papers (``--since`` and BM25 to the reader's
    own words, in the full-text index), plus the catalog rows of library and rated papers (so
    they are recognised and never suggested); only those are read and hashed.
    """
    from paperlog.recommend import features as feat

    if len(catalog) <= feat.LARGE_CATALOG:
        return feat.load_features(catalog), False
    texts: list[str] = []
    linked: list[int] = []
    for paper in papers:
        hit = catalog_row_of(catalog, paper)
        if hit is not None:
            linked.append(hit.id)
            texts.append(f"{hit.title}. {hit.abstract}")
        else:
            texts.append(_text(paper))
    for rating in load_ratings(library):
        value = rating.ref.split(":", 1)[1] if ":" in rating.ref else ""
        hit = catalog.get(value) if value and not rating.ref.startswith("key:") else None
        if hit is not None:
            linked.append(hit.id)
    since = options.since.isoformat() if options.since else None
    ids = feat.candidate_ids(catalog, feat.reader_vocabulary(texts), since=since)
    return feat.load_candidate_features(catalog, [*ids, *linked]), True


def _groups(catalog: Catalog, ids: np.ndarray | None = None) -> list[str]:
    """Each row's first source (a conference and year, or "arxiv"), for the prior: of the
    rows ``ids`` names, in that order, or of every row in id order."""
    import json

    values = (
        catalog.column("sources")
        if ids is None
        else catalog.values_of("sources", (int(i) for i in ids))
    )
    out = []
    for value in values:
        sources = json.loads(value) if value else []
        out.append(sources[0] if sources else "")
    return out


def _candidates(catalog: Catalog, ids: np.ndarray, since: date | None) -> np.ndarray:
    import numpy as np

    mask = np.ones(len(ids), dtype=bool)
    if since is not None:
        dates = catalog.values_of("date", (int(i) for i in ids))
        years = catalog.values_of("year", (int(i) for i in ids))
        cutoff = since.isoformat()
        mask = np.array(
            [
                (d is not None and d >= cutoff) or (d is None and y is not None and y >= since.year)
                for d, y in zip(dates, years, strict=True)
            ],
            dtype=bool,
        )
    return mask


def _near_duplicate(
    paper: CatalogPaper,
    library_titles: list[str],
    nearest: list[tuple[str, float]],
    chosen: list[Any],
) -> bool:
    """A paper the library holds under another title, or a second version of one already
    suggested. Titles written by hand are often shortened ("Mean Teachers: ... Improve SemiSL
    Results"), so besides a close title match (rapidfuzz), a suggestion whose nearest library
    paper by text has a similar title (weighted ratio >= 80) is taken for that paper."""
    from rapidfuzz import fuzz, process

    if library_titles and process.extractOne(
        paper.title, library_titles, scorer=fuzz.token_set_ratio, score_cutoff=93
    ):
        return True
    if any(sim >= 0.1 and fuzz.WRatio(paper.title, title) >= 80 for title, sim in nearest):
        return True
    return any(fuzz.token_set_ratio(paper.title, other.title) >= 93 for other in chosen)
