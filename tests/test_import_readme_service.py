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


def _log(titles: list[str]) -> str:
    lines = ["# Log", "", "### Wk1 - 2020.06.01"]
    lines += [f"* [{t}](https://example.org/{t.lower().replace(' ', '-')})" for t in titles]
    return "\n".join(lines) + "\n"


def test_another_readme_is_refused_rather_than_deleting_the_first_ones_items(
    tmp_path: Path,
) -> None:
    """One library follows one README: a second, unrelated list imported by mistake would
    remove every untouched item of the first. It is refused (one line, nothing written) unless
    --replace; a newer version of the same README (most items shared) syncs as before."""
    from conftest import run_cli

    mine = [f"My Paper Number {i}" for i in range(1, 21)]
    theirs = [f"Their Paper Number {i}" for i in range(1, 9)]
    first, second, newer = (tmp_path / n for n in ("mine.md", "theirs.md", "newer.md"))
    first.write_text(_log(mine), encoding="utf-8")
    second.write_text(_log([*mine[:2], *theirs]), encoding="utf-8")
    newer.write_text(_log([*mine[:12], "A New One"]), encoding="utf-8")  # 8 removed, 12 kept
    library = Library.create(tmp_path / "lib")
    assert run_cli("import", "readme", str(first), library=library.root).returncode == 0
    files = sorted(p.name for p in (library.root / "papers").iterdir())
    refused = run_cli("import", "readme", str(second), library=library.root)
    assert refused.returncode != 0
    (line,) = refused.stderr.strip().splitlines()
    assert str(second) in line and "shares 2 of the 20 items" in line and "--replace" in line
    assert sorted(p.name for p in (library.root / "papers").iterdir()) == files
    dry = run_cli("import", "readme", str(second), "--dry-run", library=library.root)
    assert dry.returncode == 0 and "would be refused" in dry.stderr
    assert "removed: my-paper-number-3" in dry.stdout
    replaced = run_cli("import", "readme", str(second), "--replace", library=library.root)
    assert replaced.returncode == 0, replaced.stderr
    titles = {p.title for p in Library.open(library.root).load_papers()}
    assert titles == {*mine[:2], *theirs}
    # a newer version of the same list that drops more than five items still syncs
    library2 = Library.create(tmp_path / "lib2")
    assert run_cli("import", "readme", str(first), library=library2.root).returncode == 0
    synced = run_cli("import", "readme", str(newer), library=library2.root)
    assert synced.returncode == 0, synced.stderr
    assert {p.title for p in Library.open(library2.root).load_papers()} == {
        *mine[:12],
        "A New One",
    }
