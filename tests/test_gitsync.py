"""Git as the sync (issue 7 item 23): each write command commits exactly what it wrote, with a
message saying what happened; a user's own changes are never swept in; a dirty or conflicted
target is refused before anything is written; ``paperlog sync`` pulls and pushes. Real git
repositories in tmp_path, the real CLI in a subprocess."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import run_cli

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Reader",
    "GIT_AUTHOR_EMAIL": "reader@example.invalid",
    "GIT_COMMITTER_NAME": "Test Reader",
    "GIT_COMMITTER_EMAIL": "reader@example.invalid",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}
pytestmark = pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True, check=False).returncode != 0,
    reason="git is not installed",
)


def git(root: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**GIT_ENV, "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(root)},
        check=True,
    )
    return result.stdout


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, library=root, env=GIT_ENV)


def messages(root: Path) -> list[str]:
    return git(root, "log", "--format=%s").splitlines()


def committed_files(root: Path, rev: str = "HEAD") -> list[str]:
    return git(root, "show", "--name-only", "--format=", rev).split()


def make_library(tmp_path: Path) -> Path:
    root = tmp_path / "reading"
    made = run_cli("init", str(root), env=GIT_ENV)
    assert made.returncode == 0, made.stderr
    assert "a new git repository" in made.stdout
    assert "autocommit = true" in (root / "paperlog.toml").read_text(encoding="utf-8")
    return root


BIBTEX = """@article{he2020moco, title={Momentum Contrast for Unsupervised Visual Representation
Learning}, author={He, Kaiming and Fan, Haoqi}, year={2020}}
@article{chen2020simclr, title={A Simple Framework for Contrastive Learning of Visual
Representations}, author={Chen, Ting}, year={2020}}
"""


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    """A library made by init, two wish-list papers imported (and committed)."""
    root = make_library(tmp_path)
    (tmp_path / "refs.bib").write_text(BIBTEX, encoding="utf-8")
    imported = cli(root, "import", "bibtex", str(tmp_path / "refs.bib"))
    assert imported.returncode == 0, imported.stderr
    return root


def test_init_then_each_write_command_commits_what_it_wrote(lib: Path) -> None:
    log = messages(lib)
    assert log == ["import bibtex refs.bib: 2 entries", "paperlog init"]
    assert git(lib, "status", "--porcelain") == ""  # init's files and the import: all committed
    done = cli(lib, "done", "momentum", "--date", "2020-06-24")
    assert done.returncode == 0, done.stderr
    assert messages(lib)[0].startswith("done ")
    assert "(Wk" in messages(lib)[0]
    key = next(p.stem for p in (lib / "papers").glob("*.md") if "momentum" in p.stem)
    # the paper file, the queue it left (other ranks), the week it joined: nothing else
    assert f"papers/{key}.md" in committed_files(lib)
    assert all(p.startswith("papers/") or p == "weeks.yaml" for p in committed_files(lib))
    assert git(lib, "status", "--porcelain") == ""


def test_a_users_own_changes_are_never_committed(lib: Path) -> None:
    (lib / "my-notes.txt").write_text("mine\n", encoding="utf-8")
    git(lib, "add", "my-notes.txt")  # staged by the user, for a commit of their own
    (lib / "paperlog.toml").write_text(
        (lib / "paperlog.toml").read_text(encoding="utf-8") + "# my comment\n", encoding="utf-8"
    )
    before = len(messages(lib))
    done = cli(lib, "done", "simple-framework", "--date", "2020-06-24")
    assert done.returncode == 0, done.stderr
    assert len(messages(lib)) == before + 1
    assert all(p.startswith("papers/") or p == "weeks.yaml" for p in committed_files(lib))
    status = git(lib, "status", "--porcelain").splitlines()
    assert "A  my-notes.txt" in status and " M paperlog.toml" in status


def test_a_paper_file_with_uncommitted_changes_is_refused(lib: Path) -> None:
    path = next((lib / "papers").glob("*momentum*.md"))
    edited = path.read_text(encoding="utf-8") + "\nMy half-written thought.\n"
    path.write_text(edited, encoding="utf-8")
    before = messages(lib)
    done = cli(lib, "done", path.stem, "--date", "2020-06-24")
    assert done.returncode != 0
    (line,) = done.stderr.splitlines()
    assert path.name in line and "not committed" in line and "nothing was written" in line
    assert path.read_text(encoding="utf-8") == edited  # the user's edit, untouched
    assert messages(lib) == before


def test_a_file_with_conflict_markers_is_reported_and_never_overwritten(lib: Path) -> None:
    path = next((lib / "papers").glob("*momentum*.md"))
    text = path.read_text(encoding="utf-8")
    conflicted = text.replace(
        "title:", "<<<<<<< HEAD\ntitle: ours\n=======\ntitle: theirs\n>>>>>>> other\ntitle:", 1
    )
    path.write_text(conflicted, encoding="utf-8")
    git(lib, "commit", "-qam", "a bad merge")  # committed: only the markers stop paperlog
    doctor = cli(lib, "doctor")
    assert path.name in doctor.stdout + doctor.stderr
    assert "conflict" in (doctor.stdout + doctor.stderr).lower()
    queue = cli(lib, "queue", "top", path.stem)
    assert queue.returncode != 0
    assert path.read_text(encoding="utf-8") == conflicted


def test_autocommit_off_commits_nothing(lib: Path) -> None:
    config = lib / "paperlog.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("autocommit = true", "autocommit = false"),
        encoding="utf-8",
    )
    git(lib, "commit", "-qam", "autocommit off")
    before = messages(lib)
    done = cli(lib, "done", "momentum", "--date", "2020-06-24")
    assert done.returncode == 0, done.stderr
    assert messages(lib) == before
    assert git(lib, "status", "--porcelain").strip().startswith("M papers/")


def test_sync_without_a_remote_says_how_to_add_one(lib: Path) -> None:
    result = cli(lib, "sync")
    assert result.returncode != 0
    (line,) = result.stderr.splitlines()
    assert "no remote" in line and "git remote add origin" in line


def test_sync_pulls_and_pushes(lib: Path, tmp_path: Path) -> None:
    hub = tmp_path / "hub.git"
    git(tmp_path, "init", "-q", "--bare", str(hub))
    git(lib, "remote", "add", "origin", str(hub))
    first = cli(lib, "sync")
    assert first.returncode == 0, first.stderr
    assert "pushed" in first.stdout
    # a second machine reads a paper and pushes
    other = tmp_path / "laptop"
    git(tmp_path, "clone", "-q", str(hub), str(other))
    done = cli(other, "done", "momentum", "--date", "2020-06-24")
    assert done.returncode == 0, done.stderr
    pushed = cli(other, "sync")
    assert pushed.returncode == 0, pushed.stderr
    # meanwhile this machine imports another paper (other files), then syncs: both changes
    # end up on both machines, each one commit
    more = tmp_path / "more.bib"
    more.write_text(
        "@article{grill2020byol, title={Bootstrap Your Own Latent}, author={Grill, J}, "
        "year={2020}}\n",
        encoding="utf-8",
    )
    mine = cli(lib, "import", "bibtex", str(more))
    assert mine.returncode == 0, mine.stderr
    synced = cli(lib, "sync")
    assert synced.returncode == 0, synced.stderr
    assert "pulled" in synced.stdout and "pushed" in synced.stdout
    assert git(lib, "rev-parse", "HEAD") == git(hub, "rev-parse", "HEAD")
    log = messages(lib)
    assert log[0] == "import bibtex more.bib: 1 entries"
    assert log[1].startswith("done momentum-contrast")


def test_autocommit_without_a_repository_still_writes(lib: Path) -> None:
    import shutil

    shutil.rmtree(lib / ".git")
    done = cli(lib, "done", "momentum", "--date", "2020-06-24")
    assert done.returncode == 0, done.stderr
    assert "Logged" in done.stdout


def test_a_big_batch_finds_the_conflicted_file_among_new_ones(tmp_path: Path) -> None:
    from paperlog.gitsync import conflicted_files

    folder = tmp_path / "papers"
    folder.mkdir()
    bad = folder / "bad.md"
    bad.write_text("<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> other\n", encoding="utf-8")
    (folder / "good.md").write_text("---\ntitle: fine\n---\n", encoding="utf-8")
    batch = [folder / f"new-{i}.md" for i in range(100)] + [bad, folder / "good.md"]
    assert conflicted_files(batch) == [bad]  # one listing of the folder, the same answer
    assert conflicted_files(batch[-2:]) == [bad]


def test_conflict_markers_are_told_from_markdown() -> None:
    from paperlog.gitsync import has_conflict_markers

    assert has_conflict_markers(b"a\n<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> other\n")
    assert not has_conflict_markers(b"Title\n=======\n\ntext\n")
    assert not has_conflict_markers(b"a quoted <<<<<<< in text\n")


def test_the_librarys_readme_edited_by_hand_is_committed_with_its_import(tmp_path: Path) -> None:
    """The README rendered into the library, edited by hand, imported: the import's commit
    takes the README along, so the next render is not refused for an uncommitted edit. A
    README elsewhere is never committed."""
    root = make_library(tmp_path)
    readme = root / "README.md"
    elsewhere = tmp_path / "log.md"
    elsewhere.write_text(
        "# Log\n\n### Wk1 - 2020.01.06\nGroup\n"
        "* [Paper Alpha](https://arxiv.org/abs/2001.00001) [[Notes](https://x.org/a)]\n",
        encoding="utf-8",
    )
    assert cli(root, "import", "readme", str(elsewhere)).returncode == 0
    assert "log.md" not in " ".join(committed_files(root))
    assert cli(root, "render", "readme").returncode == 0
    text = readme.read_text(encoding="utf-8")
    line = "* [Paper Alpha](https://arxiv.org/abs/2001.00001) [[Notes](https://x.org/a)]"
    assert line in text
    added = "* [Paper Beta](https://arxiv.org/abs/2001.00002) [[Notes](https://x.org/b)]"
    readme.write_text(text.replace(line, f"{line}\n{added}"), encoding="utf-8")
    imported = cli(root, "import", "readme", str(readme))
    assert imported.returncode == 0, imported.stderr
    assert "README.md" in committed_files(root)
    assert git(root, "status", "--porcelain") == ""
    rendered = cli(root, "render", "readme")
    assert rendered.returncode == 0, rendered.stderr
    assert added in readme.read_text(encoding="utf-8")
