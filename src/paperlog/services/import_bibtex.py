"""``paperlog import bibtex`` and the exports' citation-key write-back: what a .bib file or an
export changes in the library, written in one transaction.

``paperlog.formats.bibtex`` reads a file into entries and turns each entry into a paper; this
layer decides what becomes of each one against the library (new, already there, a paper
without a citation key that takes the entry's, a duplicate whose key is kept as an alias),
gives keys, places the new papers at the end of the queue and writes everything as one batch.
The exports (``export_library_bibtex``, ``export_library_csljson``) render text from the papers
and, when asked, save the citation keys they had to make.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperlog.citekey import (
    assign_citekeys,
    citekey_formula,
    fold,
    make_citekey,
    taken_citekeys,
)
from paperlog.errors import ImportProblem
from paperlog.formats.bibtex import (
    EXTRA_KEY,
    BibWarning,
    entry_to_paper,
    export_bibtex,
    fields_of,
    read_bibtex,
    refusal,
    select_papers,
)
from paperlog.formats.bibtex_blocks import FileBlocks, merge_blocks, store_blocks, stored_blocks
from paperlog.model import Paper, make_key
from paperlog.services import collector_paused

if TYPE_CHECKING:
    from paperlog.library import Library

Progress = Callable[[int, int], None]  # called as progress(done, total) while converting
_WORD_RE = re.compile(r"[a-z0-9]+")


@dataclass
class BibImportReport:
    """What ``import_bibtex`` did: counts, the new papers, and warnings with line numbers."""

    path: Path
    entries: int = 0
    """Entries read from the file (malformed ones not counted)."""
    imported: list[Paper] = field(default_factory=list)
    existing: int = 0
    """Entries skipped because the library (or an earlier entry) already has them."""
    malformed: list[BibWarning] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    """(citation key in the file, key given) for clashes."""
    linked: list[Paper] = field(default_factory=list)
    """Papers already there, without a citation key, that took the entry's key."""
    aliased: list[tuple[str, str]] = field(default_factory=list)
    """(key of a skipped duplicate, citation key of the paper that keeps it as an alias)."""
    blocks: FileBlocks | None = None
    """The ``@string``/``@preamble``/``@comment`` blocks now kept (this file's added)."""
    warnings: list[BibWarning] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "path": str(self.path),
            "entries": self.entries,
            "imported": len(self.imported),
            "existing": self.existing,
            "malformed": len(self.malformed),
            "keys": [p.key for p in self.imported],
            "renamed": [{"from": a, "to": b} for a, b in self.renamed],
            "linked": [{"key": p.key, "citekey": p.citekey} for p in self.linked],
            "aliases": [{"alias": a, "citekey": c} for a, c in self.aliased],
            "warnings": [str(w) for w in [*self.malformed, *self.warnings]],
        }


def _ids_of(paper: Paper) -> dict[str, str]:
    return {k: paper.ids[k] for k in ("doi", "arxiv") if paper.ids.get(k)}


ID_CLASH_OVERLAP = 0.25
"""Below this share of common words (of the shorter title, small words left out) two entries
sharing an id are taken for two papers with a wrong id, not one paper: an arXiv title and its
published title still share most words ("Big Transfer (BiT): General Visual Representation
Learning" and "Large Scale Learning of General Visual Representations for Transfer": 5 of 7),
two papers do not (a copied eprint: 1 of 9)."""
ID_CLASH_MIN_WORDS = 4
_ID_FIELDS = {"arxiv": ("eprint", "archiveprefix", "primaryclass"), "doi": ("doi",)}
_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "by",
        "for",
        "from",
        "how",
        "in",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "via",
        "with",
        "your",
    ]
)


def _title_words(title: str) -> set[str]:
    words = (w.removesuffix("s") for w in _WORD_RE.findall(fold(title).lower()))
    return {w for w in words if w not in _SMALL_WORDS}


def _titles_disagree(a: str, b: str) -> bool:
    """Whether two titles are clearly two papers' (both long enough to tell: a README's "SimCLR"
    and the entry's "A Simple Framework ..." share no word and are one paper)."""
    wa, wb = _title_words(a), _title_words(b)
    if min(len(wa), len(wb)) < ID_CLASH_MIN_WORDS:
        return False
    return len(wa & wb) < ID_CLASH_OVERLAP * min(len(wa), len(wb))


def _id_clash(
    paper: Paper,
    seen: list[tuple[str, str]],
    known: dict[tuple[str, str], Paper | None],
    from_file: dict[tuple[str, str], Paper],
) -> tuple[str, str, Paper] | None:
    """(kind, id, holder) when every id of ``paper`` that is already held belongs to a paper
    with a clearly different title; None when the id match is believable (or there is none)."""
    clash = None
    for kind, value in seen:
        holder = known.get((kind, value)) or from_file.get((kind, value))
        if holder is None or not _title_print(holder) or not _title_print(paper):
            return None
        if not all(_titles_disagree(t, paper.title) for t in (holder.title, holder.display_title)):
            return None
        clash = clash or (kind, value, holder)
    return clash


def _title_print(paper: Paper) -> str:
    """The title folded to letters and digits ("" for a stand-in title), for comparisons."""
    data = paper.extra.get(EXTRA_KEY)
    if isinstance(data, dict) and data.get("untitled"):
        return ""
    return "".join(_WORD_RE.findall(fold(paper.title)))


def import_bibtex(
    library: Library,
    path: Path,
    *,
    progress: Progress | None = None,
    dry_run: bool = False,
    today: date | None = None,
) -> BibImportReport:
    """Import every entry of a ``.bib`` file as a wish-list paper; all written in one batch.

    Entries the library already has (same DOI, arXiv ID or citation key) are skipped and
    counted, so importing a file twice changes nothing. Malformed entries are reported with
    their line and skipped; a key that repeats within the file is made unique and reported.
    New papers join the end of the queue in file order, ``added`` on ``today`` (the import
    day). A file without any entry is an ``ImportProblem``.
    """
    with collector_paused():
        return _import(library, path, progress, dry_run, today)


def _import(
    library: Library, path: Path, progress: Progress | None, dry_run: bool, today: date | None
) -> BibImportReport:
    file_blocks = FileBlocks()
    entries, malformed, warnings = read_bibtex(path, file_blocks)
    report = BibImportReport(path, entries=len(entries), malformed=malformed, warnings=warnings)
    if not entries and malformed:
        raise ImportProblem(f"no readable entry ({malformed[0]})", path, malformed[0].line)
    if not entries:
        raise ImportProblem(
            "no BibTeX entry (@article{...}, @inproceedings{...}) in the file", path
        )

    existing = library.load_papers()
    formula = citekey_formula(library.config)
    keys = {p.key.lower() for p in existing}
    # citation key (or the key a renamed entry had in its file) -> (ids, title) of the papers
    # holding it: a re-import of the same entry is skipped, another paper that happens to use
    # the same key is imported under a new key.
    by_key: dict[str, list[tuple[dict[str, str], str]]] = {}
    for p in existing:
        data = p.extra.get(EXTRA_KEY)
        original = data.get("key") if isinstance(data, dict) else None
        # an entry that had no key is found again by its title under the key "" (its
        # re-import must not add a copy with a new key)
        names = {k.lower() for k in (p.citekey, original) if isinstance(k, str) and k}
        if isinstance(original, str) and not original.strip():
            names.add("")
        for name in names:
            by_key.setdefault(name, []).append((_ids_of(p), _title_print(p)))
        for alias in p.aliases:
            by_key.setdefault(alias.lower(), []).append((_ids_of(p), _title_print(p)))
    used = taken_citekeys(existing)  # aliases included
    # id -> the library paper that has it, or None when an earlier entry of this file brought it
    known: dict[tuple[str, str], Paper | None] = {
        (kind, p.ids[kind]): p for p in existing for kind in ("doi", "arxiv") if p.ids.get(kind)
    }
    from_file: dict[tuple[str, str], Paper] = {}  # id -> the paper an earlier entry became
    total = len(entries)
    for done, (line, entry, enclosed) in enumerate(entries, start=1):
        if progress is not None and (done % 250 == 0 or done == total):
            progress(done, total)
        fields, bare, _ = fields_of(entry, enclosed)
        refused = refusal(entry.key, fields)
        if refused:
            report.malformed.append(BibWarning(line, refused))
            continue
        paper = entry_to_paper(entry.entry_type, entry.key, fields, bare)
        if not entry.key.strip():
            entry.key = ""
        if paper.extra[EXTRA_KEY].get("untitled"):
            report.warnings.append(
                BibWarning(line, f"{entry.key}: no title; imported with its key as the title")
            )
        ids = [(kind, paper.ids[kind]) for kind in ("doi", "arxiv") if paper.ids.get(kind)]
        seen = [i for i in ids if i in known]
        clash = _id_clash(paper, seen, known, from_file)
        if clash is not None:
            # An entry whose id another paper holds under another title: one of the two ids is
            # wrong (a copied eprint field), and skipping the entry would lose a paper.
            kind, value, holder = clash
            data = paper.extra[EXTRA_KEY]
            for i in seen:
                paper.ids.pop(i[0], None)
                # the entry's own fields stay as written (export writes them back)
                for name in _ID_FIELDS[i[0]]:
                    if name in fields:
                        data.setdefault("fields", {})[name] = fields[name]
                        data.setdefault("id_clash", []).append(name)
            report.warnings.append(
                BibWarning(
                    line,
                    f"{entry.key}: same {kind} id {value} as {holder.citekey or holder.key} but "
                    f"another title; imported as its own paper without the {kind} id (one of "
                    "the two entries has a wrong id: check its eprint/doi field)",
                )
            )
            ids = [i for i in ids if i not in seen]
            seen = []
        owner = next((known[i] for i in seen if known[i] is not None), None)
        mine, title = dict(ids), _title_print(paper)
        same_key = any(
            all(held.get(k, v) == v for k, v in mine.items())
            and (t == title if not entry.key else (not t or not title or t == title))
            for held, t in by_key.get(entry.key.lower(), ())
        )
        if seen or same_key:
            report.existing += 1
            if owner is not None and not owner.citekey and entry.key.lower() not in used:
                # A paper from elsewhere (a README) takes the file's key: exports cite it so.
                owner.citekey = entry.key
                owner.extra.setdefault(EXTRA_KEY, paper.extra[EXTRA_KEY])
                used.add(entry.key.lower())
                report.linked.append(owner)
            elif seen and entry.key.strip() and entry.key.lower() not in used:
                # A document may \cite the skipped entry's key: the paper answers to it too.
                held = owner or next(from_file[i] for i in seen if i in from_file)
                held.aliases.append(entry.key)
                used.add(entry.key.lower())
                if owner is not None and all(p is not owner for p in report.linked):
                    report.linked.append(owner)
                report.aliased.append((entry.key, held.citekey or held.key))
                report.warnings.append(
                    BibWarning(
                        line,
                        f"{entry.key}: same paper as {held.citekey or held.key}; skipped, "
                        "its key kept as an alias",
                    )
                )
            elif seen and owner is None:
                report.warnings.append(
                    BibWarning(line, f"{entry.key}: same paper as an earlier entry; skipped")
                )
            continue
        if not entry.key.strip() or entry.key.lower() in used:
            paper.citekey = make_citekey(paper, used, formula)
            report.renamed.append((entry.key, paper.citekey))
            paper.extra[EXTRA_KEY]["key"] = entry.key
            taken = f"citation key {entry.key!r} is taken" if entry.key else "no citation key"
            report.warnings.append(BibWarning(line, f"{taken}; gave {paper.citekey!r}"))
        used.add((paper.citekey or "").lower())
        known.update(dict.fromkeys(ids))
        from_file.update(dict.fromkeys(ids, paper))
        paper.key = make_key(paper, keys)
        keys.add(paper.key.lower())
        report.imported.append(paper)
    from paperlog.plan.ranks import append_to_queue

    append_to_queue(existing, report.imported)
    for paper in report.imported:
        paper.added = paper.added or today or date.today()
    config = None
    if file_blocks:
        kept = stored_blocks(library.config)
        merged, problems = merge_blocks(kept, file_blocks)
        report.warnings.extend(BibWarning(None, p) for p in problems)
        report.blocks = merged
        if merged != kept:
            config = copy.deepcopy(library.config)
            store_blocks(config, merged)
    if (report.imported or report.linked or config is not None) and not dry_run:
        library.write_all(papers=[*report.imported, *report.linked], config=config)
    return report


# --- exports: the citation keys they give ----------------------------------------------------


def _chosen_with_keys(
    library: Library, query: str, status: str | None, write_back: bool
) -> tuple[list[Paper], list[Paper], str]:
    """The papers ``query``/``status`` pick, every one with a citation key; the ones that got
    a new key (saved in their files, in one transaction, with ``write_back``); the formula."""
    papers = library.load_papers()
    chosen = select_papers(papers, query, status)
    formula = citekey_formula(library.config)
    changed = assign_citekeys(chosen, taken_citekeys(papers), formula)
    if changed and write_back:
        library.write_all(papers=changed)
    return chosen, changed, formula


def export_library_bibtex(
    library: Library, query: str = "", status: str | None = None, *, write_back: bool = True
) -> tuple[str, list[Paper]]:
    """BibTeX for the library's papers matching ``query``/``status``, and the papers that got a
    new citation key; with ``write_back`` those are saved so their keys stay stable."""
    chosen, changed, formula = _chosen_with_keys(library, query, status, write_back)
    blocks = stored_blocks(library.config)
    return export_bibtex(chosen, formula=formula, blocks=blocks), changed


def export_library_csljson(
    library: Library, query: str = "", status: str | None = None, *, write_back: bool = True
) -> tuple[list[dict[str, Any]], list[Paper]]:
    """CSL-JSON for the library's papers matching ``query``/``status``, and the papers that got
    a new citation key (saved with ``write_back``, so the ids stay stable)."""
    from paperlog.formats.csljson import export_csljson

    chosen, changed, formula = _chosen_with_keys(library, query, status, write_back)
    return export_csljson(chosen, formula=formula), changed
