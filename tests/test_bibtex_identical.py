"""The BibTeX import writes the same bytes as before its speed work (issue 11).

The digests below were computed with the import as it was before the conversion was made
faster (commit "test: digests of the libraries the BibTeX import writes from the real files"):
every paper file, ``paperlog.toml``, each import's report and the export of the result. A
change that alters any byte of what an import writes fails here; if the change is meant, say
why in the commit that updates a digest.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from paperlog.library import Library
from paperlog.services.import_bibtex import export_library_bibtex, import_bibtex

DAY = date(2024, 5, 6)
FILES = (
    "terryum_top100papers.bib",
    "d2l-en_d2l.bib",
    "ifnspaml_ifn_spaml_bibliography.bib",
    "cmlbib_icml2020.bib",
    "cmlbib_nips2020.bib",
)
EXPECTED = {
    "linked": "b6e33a898b2621c315286906aa8df301b0278adfc076a74286781d254b581636",
    "reversed": "dec2c8fb8b0a5cc8e5051962e8774f8fcbd509095cde03b80d0debaae67f979e",
}


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and ".paperlog" not in p.parts)


def library_digest(case: str, corpus: Path, root: Path) -> str:
    """SHA-256 of what importing the real files writes, for one ``case``:

    - ``linked``: a library that already holds the top-100 file's papers without citation keys
      or BibTeX fields (as a README import leaves them), then the five files, then the first
      again: the papers already there take the entries' keys, duplicates become aliases, the
      re-import changes nothing;
    - ``reversed``: the five files into a new library in reverse order (other entries win the
      duplicates, no paper there before).
    """
    lib = Library.create(root)
    digest = hashlib.sha256()
    names = list(FILES) if case != "reversed" else list(reversed(FILES))
    if case == "linked":
        found = import_bibtex(lib, corpus / FILES[0], dry_run=True, today=DAY).imported
        for paper in found:
            paper.citekey = None
            paper.extra.pop("bibtex", None)
        lib.write_all(papers=found)
        names.append(FILES[0])
    for name in names:
        report = import_bibtex(lib, corpus / name, today=DAY)
        summary = report.as_dict()
        summary.pop("path")  # where the corpus lives is no part of what was written
        digest.update(json.dumps(summary, sort_keys=True).encode())
    for path in _files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    text, _ = export_library_bibtex(lib, write_back=False)
    digest.update(text.encode())
    return digest.hexdigest()


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_import_writes_the_same_bytes(corpus: Path, tmp_path: Path, case: str) -> None:
    missing = [name for name in FILES if not (corpus / "bibtex" / name).is_file()]
    if missing:
        pytest.skip(f"real BibTeX files absent: {', '.join(missing)}")
    got = library_digest(case, corpus / "bibtex", tmp_path / "lib")
    assert got == EXPECTED[case], f"{case}: the import wrote other bytes than before"
