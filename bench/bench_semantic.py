"""Encoding throughput of the semantic ranker's model (docs/discover.md, ``catalog embed``).

Encodes real abstracts from ../shared/corpus (a papercopilot list) with all-MiniLM-L6-v2 as
``paperlog.recommend.semantic.Encoder`` does (torch on every core, batches of 64, texts sorted
by length), at several max_seq_length settings, and prints abstracts/s with the load average:
on a shared machine the load decides most of the figure.

Usage: ``python bench/bench_semantic.py [--texts N] [--lengths 32,64,128]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from paperlog.catalog.readers import read_papercopilot
from paperlog.recommend import semantic

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
LIST = CORPUS / "catalog" / "papercopilot_paperlists" / "cvpr" / "cvpr2019.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--texts", type=int, default=256)
    parser.add_argument("--lengths", default="32,64,128")
    args = parser.parse_args()
    reason = semantic.available()
    if reason:
        print(f"bench_semantic: {reason}", file=sys.stderr)
        sys.exit(1)
    if not LIST.is_file():
        print(f"bench_semantic: {LIST} is absent", file=sys.stderr)
        sys.exit(1)
    texts = [f"{r.title}. {r.abstract}" for r in read_papercopilot(LIST) if r.abstract]
    texts = sorted(texts[: args.texts], key=len)
    print("| max_seq_length | texts | load s | abstracts/s | load average |")
    print("|---|---|---|---|---|")
    for length in (int(x) for x in args.lengths.split(",")):
        encoder = semantic.Encoder(max_seq_length=length)
        started = time.perf_counter()
        encoder.encode(texts[:1])  # loads the model (once per process)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        encoder.encode(texts)
        rate = len(texts) / (time.perf_counter() - started)
        load = os.getloadavg()[0]
        print(f"| {length} | {len(texts)} | {loaded:.1f} | {rate:.1f} | {load:.1f} |")


if __name__ == "__main__":
    main()
