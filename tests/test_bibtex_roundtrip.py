"""BibTeX that comes in goes out: every corpus file imported then exported, judged by two other
parsers (pybtex, and bibtexparser 1.4 run in its own virtual environment), plus the blocks
real files carry that the corpus lacks (@string with concatenations, @preamble, crossref).

Judges: pybtex is a dev dependency. bibtexparser 1.x shares its module name with the 2.x this
project uses, so the 1.4 judge runs in a subprocess of a separate venv made once under
``.venv-judges/`` (git-ignored); when it cannot be made (no package index) those checks skip
and say why.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pytest

from paperlog.formats.bibtex import export_bibtex
from paperlog.library import Library
from paperlog.services.import_bibtex import export_library_bibtex, import_bibtex

REPO = Path(__file__).resolve().parents[1]
JUDGE_VENV = REPO / ".venv-judges" / "bibtexparser14"
CORPUS_FILES = [
    "cmlbib_icml2020.bib",
    "cmlbib_nips2020.bib",
    "d2l-en_d2l.bib",
    "ifnspaml_ifn_spaml_bibliography.bib",
    "terryum_top100papers.bib",
]

# Run inside the judge venv: what bibtexparser 1.4 reads from a file, as JSON.
JUDGE = r"""
import json, sys
import bibtexparser
from bibtexparser.bparser import BibTexParser
parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False,
                      interpolate_strings=False)
with open(sys.argv[1], encoding="utf-8") as f:
    db = bibtexparser.load(f, parser=parser)
print(json.dumps({
    "version": bibtexparser.__version__,
    "entries": [[e["ID"], e["ENTRYTYPE"], sorted(k.lower() for k in e if k not in ("ID", "ENTRYTYPE"))]
                for e in db.entries],
    "strings": sorted(k.lower() for k in db.strings if k.lower() not in
                      ("jan","feb","mar","apr","may","jun","jul","aug","sep","oct","nov","dec")),
    "preambles": db.preambles,
    "comments": db.comments,
}))
"""


@pytest.fixture(scope="session")
def judge14() -> Path:
    """The python of a venv holding bibtexparser 1.4 (made once, under a lock)."""
    python = JUDGE_VENV / "bin" / "python"
    JUDGE_VENV.parent.mkdir(exist_ok=True)
    with (JUDGE_VENV.parent / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ready = JUDGE_VENV / ".ready"
        if not ready.exists():
            venv.create(JUDGE_VENV, with_pip=True, clear=True)
            done = subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "bibtexparser==1.4.*"],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            if done.returncode != 0:
                pytest.skip(f"cannot install bibtexparser 1.4 for the judge: {done.stderr[-300:]}")
            ready.touch()
    return python


def judge_with_14(python: Path, path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [str(python), "-c", JUDGE, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data: dict[str, Any] = json.loads(done.stdout)
    assert data["version"].startswith("1.4")
    return data


def judge_with_pybtex(path: Path) -> tuple[dict[str, tuple[str, set[str]]], set[str]]:
    """Entry key -> (type, field names incl. persons) as pybtex reads the file, and the errors
    it reports (an undefined macro, a repeated key, a name list it cannot split)."""
    from pybtex import errors  # type: ignore[import-untyped]
    from pybtex.database import parse_file  # type: ignore[import-untyped]

    with errors.capture() as captured:
        data = parse_file(str(path), bib_format="bibtex")
    entries = {
        key: (
            entry.type.lower(),
            {f.lower() for f in entry.fields} | {p.lower() for p in entry.persons},
        )
        for key, entry in data.entries.items()
    }
    return entries, {str(e) for e in captured}


def _round_trip(tmp_path: Path, source: Path) -> tuple[Path, Any]:
    lib = Library.create(tmp_path / "lib")
    report = import_bibtex(lib, source)
    out = tmp_path / "out.bib"
    text, _ = export_library_bibtex(lib, write_back=False)
    out.write_text(text, encoding="utf-8")
    return out, report


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_round_trip_keeps_everything(
    corpus: Path, tmp_path: Path, judge14: Path, name: str
) -> None:
    source = corpus / "bibtex" / name
    out, report = _round_trip(tmp_path, source)
    renamed = {a.lower(): b for a, b in report.renamed}
    before = judge_with_14(judge14, source)
    after = judge_with_14(judge14, out)
    written = {key.lower(): (kind, set(fields)) for key, kind, fields in after["entries"]}
    strict, problems = judge_with_pybtex(out)
    # nothing pybtex objects to that it did not already object to in the original (a name
    # list written "A B, C D, E F" stays as the author wrote it)
    assert problems <= judge_with_pybtex(source)[1], problems
    assert len(strict) == len(after["entries"])
    seen: set[str] = set()
    for key, kind, fields in before["entries"]:
        if key.lower() in seen:  # a repeated key: kept under the new key it was given
            key = renamed.get(key.lower(), key)
        seen.add(key.lower())
        assert key.lower() in written, f"{name}: entry {key} lost"
        out_kind, out_fields = written[key.lower()]
        assert out_kind == kind, (key, kind, out_kind)
        missing = set(fields) - out_fields
        assert not missing, f"{name}: {key} lost fields {sorted(missing)}"
    assert after["strings"] == before["strings"]
    assert after["preambles"] == before["preambles"]
    # bibtexparser 1.4 lists a malformed entry among comments; paperlog reports it with its
    # line on import and does not write it back
    assert after["comments"] == [c for c in before["comments"] if not c.startswith("@")]


HAND_MADE = r"""@preamble{ "\newcommand{\noopsort}[1]{}" }
@string{ieee = "IEEE"}
@string{ieeep = ieee # " Press"}
@comment{jabref-meta: databaseType:bibtex;}

@proceedings{icdcs2003,
  title = {Distributed Computing Systems Workshops},
  booktitle = {Distributed Computing Systems Workshops},
  publisher = ieeep,
  year = 2003
}

@inproceedings{arya2003accurate,
  title = {Accurate and explicit differentiation of wireless and congestion losses},
  author = {Arya, V. and Turletti, T.},
  crossref = {icdcs2003},
  publisher = ieee # " Computer Society " # ieeep,
  pages = {877--882},
  doi = {10.1109/icdcsw.2003.1203662}
}

@article{again,
  title = {Accurate and explicit differentiation of wireless and congestion losses},
  author = {Arya, V. and Turletti, T.},
  doi = {10.1109/ICDCSW.2003.1203662}
}

@comment{jabref-meta: grouping:
0 AllEntriesGroup:;
}
"""


def test_macros_preamble_comments_crossref_and_aliases_survive(
    tmp_path: Path, judge14: Path
) -> None:
    source = tmp_path / "hand.bib"
    source.write_text(HAND_MADE, encoding="utf-8")
    out, report = _round_trip(tmp_path, source)
    assert report.aliased == [("again", "arya2003accurate")]
    text = out.read_text("utf-8")
    # macros before the entries, in their order (ieeep uses ieee), comments after them
    first_entry = text.index("@proceedings") if "@proceedings" in text else len(text)
    assert text.index("@string{ieee =") < text.index("@string{ieeep =") < first_entry
    assert text.index('@preamble{"\\newcommand') < text.index("@inproceedings")
    assert text.rindex("@comment{jabref-meta: grouping:") > text.rindex("@inproceedings")
    # BibTeX needs the crossref target after the entry citing it
    assert text.index("@inproceedings{arya2003accurate,") < text.index("@proceedings{icdcs2003,")
    assert 'publisher = ieee # " Computer Society " # ieeep' in text
    strict, problems = judge_with_pybtex(out)
    assert problems == set()  # every macro defined, no repeated key
    assert set(strict) == {"icdcs2003", "arya2003accurate", "again"}
    judged = judge_with_14(judge14, out)
    assert judged["strings"] == ["ieee", "ieeep"]
    assert len(judged["preambles"]) == 1 and len(judged["comments"]) == 2
    # the alias is a key a document may cite: the export carries an entry under it
    assert {k for k, _, _ in judged["entries"]} == {"icdcs2003", "arya2003accurate", "again"}


def test_export_of_unordered_crossrefs_puts_targets_last(library: Library) -> None:
    from paperlog.formats.bibtex import entry_to_paper

    target = entry_to_paper("proceedings", "proc", {"title": "Proc", "year": "2020"})
    citing = entry_to_paper("inproceedings", "paper", {"title": "P", "crossref": "Proc"})
    text = export_bibtex([target, citing])
    assert text.index("{paper,") < text.index("{proc,")


def test_duplicate_keys_of_real_files_become_aliases(corpus: Path, tmp_path: Path) -> None:
    """d2l cites one paper as ba2016layer and Ba.Kiros.Hinton.2016; ifnspaml has Steiner2021."""
    lib = Library.create(tmp_path / "lib")
    report = import_bibtex(lib, corpus / "bibtex" / "d2l-en_d2l.bib")
    assert ("ba2016layer", "Ba.Kiros.Hinton.2016") in report.aliased
    (held,) = [p for p in lib.load_papers() if "ba2016layer" in p.aliases]
    assert held.citekey == "Ba.Kiros.Hinton.2016"
    text, _ = export_library_bibtex(lib, write_back=False)
    assert "{ba2016layer,\n" in text
    # lookup by an alias: export of just that key finds the paper
    from paperlog.formats.bibtex import select_papers

    assert select_papers(lib.load_papers(), keys=["ba2016layer"]) == [held]
    lib2 = Library.create(tmp_path / "lib2")
    report2 = import_bibtex(lib2, corpus / "bibtex" / "ifnspaml_ifn_spaml_bibliography.bib")
    assert any(alias == "Steiner2021" for alias, _ in report2.aliased), report2.aliased
    # a second import changes nothing: the alias is known
    again = import_bibtex(lib, corpus / "bibtex" / "d2l-en_d2l.bib")
    assert again.aliased == [] and again.imported == []


def test_alias_is_searchable_in_the_index(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "paperlog", "--library", str(tmp_path / "lib"), "init"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lib = Library.open(tmp_path / "lib")
    source = tmp_path / "hand.bib"
    source.write_text(HAND_MADE, encoding="utf-8")
    import_bibtex(lib, source)
    found = subprocess.run(
        [sys.executable, "-m", "paperlog", "--library", str(lib.root), "search", "again", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert [h["citekey"] for h in hits] == ["arya2003accurate"]
    assert hits[0]["aliases"] == ["again"]


def test_an_alias_names_the_paper_in_commands(tmp_path: Path) -> None:
    """``show`` (every command's key lookup) finds a paper by a duplicate's key, its alias."""
    from conftest import run_cli

    lib = Library.create(tmp_path / "lib")
    source = tmp_path / "hand.bib"
    source.write_text(HAND_MADE, encoding="utf-8")
    import_bibtex(lib, source)
    shown = run_cli("show", "again", "--json", library=lib.root)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["citekey"] == "arya2003accurate"
