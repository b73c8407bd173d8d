"""The README import as a service: formats read records, ``services.import_readme`` writes."""

from __future__ import annotations

import ast
from pathlib import Path

import paperlog.formats as formats_pkg
from paperlog.library import Library
from paperlog.services.import_readme import import_readme

FORMATS = Path(formats_pkg.__file__).parent
README = """# Log

### Wk1 - 2020.06.01
* [SimCLR: A Simple Framework](https://arxiv.org/abs/2002.05709) <kbd>ICML 2020</kbd>
"""


def _calls_and_imports(path: Path) -> tuple[set[str], set[str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    modules = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return calls, modules


def test_the_readme_format_modules_write_nothing_and_import_no_service() -> None:
    readers = sorted(FORMATS.glob("readme_*.py"))
    assert {p.name for p in readers} >= {"readme_import.py", "readme_walk.py", "readme_sync.py"}
    for path in readers:
        calls, modules = _calls_and_imports(path)
        assert not any(m.startswith("paperlog.services") for m in modules), path.name
        if path.name != "readme_render.py":  # render writes README.md, not the library
            assert not calls & {"write_all", "transaction", "lock"}, path.name


def test_the_service_imports_and_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    library = Library.create(tmp_path / "lib")
    path = tmp_path / "README.md"
    path.write_text(README, encoding="utf-8")
    before = sorted(p.name for p in (library.root / "papers").iterdir())
    report = import_readme(library, path, dry_run=True)
    assert report.added == 1 and report.dry_run
    assert sorted(p.name for p in (library.root / "papers").iterdir()) == before
    report = import_readme(Library.open(library.root), path)
    assert report.added_keys and not report.dry_run
    (paper,) = Library.open(library.root).load_papers()
    assert paper.key == report.added_keys[0] and paper.readings[0].week == 1
