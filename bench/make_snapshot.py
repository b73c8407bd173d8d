"""A synthetic arXiv metadata snapshot (Kaggle JSON lines) of any size, for the scale bench.

Real records of the corpus (the Kaggle snapshot sample and the daily arXiv listings, with
their real field sizes and every Kaggle field) are repeated under new IDs (``YYMM.NNNNN``,
30,000 a month from January 2018, as arXiv has lately), with their words shuffled and about
one in ten drawn from the whole corpus vocabulary, so titles do not repeat (the catalog would
merge them as one paper) and the full-text index sees a realistic spread of words. The file
goes under ``build/`` (never into git).

``python bench/make_snapshot.py COUNT [PATH] [--keep]``; deterministic for a given COUNT;
``--keep`` leaves a complete file of COUNT lines as it is.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
PER_MONTH = 30_000
FIRST_YEAR = 2018


def sample_records() -> list[dict[str, Any]]:
    """The Kaggle snapshot sample's records."""
    out: list[dict[str, Any]] = []
    for path in sorted((CORPUS / "arxiv" / "kaggle_snapshot_sample").glob("*.jsonl")):
        out += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return out


def real_records() -> list[dict[str, Any]]:
    """The corpus's arXiv records in the snapshot's shape (every Kaggle field): the snapshot
    sample first, then the daily listings."""
    out = sample_records()
    template = dict(out[0]) if out else {}
    daily = sorted((CORPUS / "catalog" / "dw-dengwei_daily-arXiv-ai-enhanced" / "data").glob("*"))
    for path in daily:
        for line in path.read_text().splitlines():
            d = json.loads(line)
            record = dict(template)
            record.update(
                {
                    "id": d["id"],
                    "submitter": (d["authors"] or [""])[0],
                    "title": d["title"],
                    "authors": ", ".join(d["authors"]),
                    "comments": d.get("comment"),
                    "journal-ref": None,
                    "doi": None,
                    "report-no": None,
                    "abstract": d["summary"],
                    "categories": " ".join(d["categories"]),
                    "authors_parsed": [[*a.rsplit(" ", 1)[::-1], ""] for a in d["authors"]],
                }
            )
            out.append(record)
    return out


def _shuffled(words: list[str], vocab: list[str], rng: random.Random) -> str:
    out = [rng.choice(vocab) if rng.random() < 0.1 else w for w in words]
    if out:
        out[rng.randrange(len(out))] = rng.choice(vocab)  # a short title too is new
    rng.shuffle(out)
    return " ".join(out)


def write_snapshot(path: Path, count: int, seed: int = 0) -> None:
    """Write ``count`` records to ``path`` (atomically: a killed run leaves no half file)."""
    real = real_records()
    n_sample = max(1, len(sample_records()))
    if not real:
        raise SystemExit("no arXiv records under ../shared/corpus")
    rng = random.Random(seed)
    vocab = sorted({w for r in real for w in str(r["abstract"]).split() if w.isalpha()})
    split = [(str(r["title"]).split(), str(r["abstract"]).split()) for r in real]
    months = ["Mon", "Tue", "Wed", "Thu", "Fri"]
    tmp = path.with_name(path.name + ".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tmp.open("w", encoding="utf-8") as handle:
        for n in range(count):
            # Half from the 2007 snapshot sample (short physics abstracts), half from 2026 cs
            # listings (long ones): about the whole snapshot's mean of ~1,000 characters.
            which = rng.randrange(n_sample) if rng.random() < 0.5 else rng.randrange(len(real))
            record = dict(real[which])
            title, abstract = split[which]
            month_index, number = divmod(n, PER_MONTH)
            year, month = divmod(month_index, 12)
            year += FIRST_YEAR
            record["id"] = f"{year % 100:02d}{month + 1:02d}.{number + 1:05d}"
            record["title"] = _shuffled(title, vocab, rng)
            record["abstract"] = _shuffled(abstract, vocab, rng)
            if record.get("doi"):
                record["doi"] = f"{record['doi']}.r{n}"  # a repeated DOI would merge papers
            day = 1 + number * 28 // PER_MONTH
            record["versions"] = [
                {
                    "version": "v1",
                    "created": f"{months[day % 5]}, {day} {_MONTH_NAMES[month]} {year} "
                    "10:00:00 GMT",
                }
            ]
            record["update_date"] = f"{year:04d}-{month + 1:02d}-{day:02d}"
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(path)


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def ensure_snapshot(path: Path, count: int) -> None:
    """Make the snapshot unless a complete one (``count`` lines) is already there."""
    if path.is_file():
        with path.open("rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
        if lines == count:
            return
    write_snapshot(path, count)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--keep"]
    size = int(args[0]) if args else 100_000
    target = (
        Path(args[1])
        if len(args) > 1
        else REPO / "build" / "bench-catalog" / f"snapshot-{size}.jsonl"
    )
    if "--keep" in sys.argv:
        ensure_snapshot(target, size)
    else:
        write_snapshot(target, size)
    print(target)
