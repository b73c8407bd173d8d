"""Kill and corrupt paperlog for real, and count what survives (``make torture``).

Kills: each write command (import readme of the seed, import bibtex, done, start, skip, queue
up/top/pin, doctor --fix, review --grade, add against the replay server, render readme) runs as
a real ``python -m paperlog`` process on a copy of a library and gets SIGKILL at a random
moment: half the kills at a uniformly random time of its run, half as soon as a temp file or
journal of its write shows up (plus a random few milliseconds). Then, as a user would, another
command runs (``list --json``), and the harness checks:

- the library's files (everything but ``.paperlog/``) equal the state before or the state
  after the command, never a mix;
- no temp file or journal survives that next command;
- re-running the killed command succeeds (when the kill left the "before" state) and ends in the
  "after" state;
- the index answers (``list --json``, ``search --json``) as a fresh rebuild from the files does.

Corruptions: ``.paperlog/`` of an indexed library is damaged (truncation, random bytes, a zeroed
page, a wrong schema version, a dropped or altered table, a row with bad JSON, a row with wrong
but well-formed data, altered filter columns, a deleted or garbage WAL, the index replaced by a
folder, a garbage journal or lock, ``tmp`` made a file); two read commands must then both give
the fresh rebuild's answer, with no traceback.

``python tests/torture.py --kills 1000 --corruptions 300`` (``make torture``); the test suite
runs a short profile through ``run`` (tests/test_torture.py). ``PYTHONPATH=OLD/src`` measures
another version of paperlog with the same harness.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("PAPERLOG_SHARED", REPO.parent / "shared"))
SEED = SHARED / "seed" / "000_838255085520cd98.txt"
BIBTEX = SHARED / "corpus" / "bibtex" / "terryum_top100papers.bib"
DAY = "2020-10-28"  # a Wednesday after the seed's last week: done/skip/pin/review have work
READ_KEY = "simclr-2020"
_TIMES = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")


@dataclass
class Scenario:
    """One write command and the library it starts from ("empty" or "seeded")."""

    name: str
    args: list[str]
    base: str = "seeded"
    network: bool = False


def _next_wednesday() -> str:
    """A reading day to pin to: pins in the past are refused."""
    today = date.today()
    return (today + timedelta(days=(2 - today.weekday()) % 7 or 7)).isoformat()


def scenarios(queue_keys: list[str]) -> list[Scenario]:
    """The write commands under test; keys picked from the seeded library's queue."""
    first, second, third = queue_keys[:3]
    return [
        Scenario("import readme", ["import", "readme", str(SEED)], base="empty"),
        Scenario("import bibtex", ["import", "bibtex", str(BIBTEX)]),
        Scenario("done", ["done", second, "--date", DAY]),
        Scenario("start", ["start", third]),
        Scenario("skip", ["skip", first, "--date", DAY]),
        Scenario("queue up", ["queue", "up", third]),
        Scenario("queue top", ["queue", "top", third]),
        Scenario("queue pin", ["queue", "pin", second, _next_wednesday()]),
        Scenario("doctor --fix", ["doctor", "--fix"]),
        Scenario("review --grade", ["review", "--grade", f"{READ_KEY}=good", "--date", DAY]),
        Scenario("add", ["add", "10.1145/3219819.3220000", "--date", DAY], network=True),
        Scenario("render readme", ["render", "readme"]),
    ]


# --- running paperlog ----------------------------------------------------------------------------


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLOG_")}
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    env.update(extra or {})
    return env


def _argv(lib: Path, args: list[str]) -> list[str]:
    return [sys.executable, "-m", "paperlog", "--library", str(lib), *args]


def run(lib: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run one paperlog command to its end."""
    return subprocess.run(
        _argv(lib, args), capture_output=True, text=True, env=env, timeout=300, check=False
    )


# --- library states ------------------------------------------------------------------------------


def tree(root: Path, *, masked: bool = True) -> dict[str, bytes]:
    """Every file but ``.paperlog/``, timestamps written by a command masked (two runs of
    ``review`` a second apart differ only there) unless ``masked`` is False."""
    out: dict[str, bytes] = {}
    for folder, dirs, files in os.walk(root):
        rel = Path(folder).relative_to(root)
        if rel.parts[:1] == (".paperlog",):
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if d not in {".paperlog", ".git"}]
        for name in files:
            path = Path(folder) / name
            if path.is_symlink() or name.endswith(".tmp"):
                continue  # temp files are counted apart (``leftovers``)
            data = path.read_bytes()
            out[(rel / name).as_posix()] = _TIMES.sub(b"<time>", data) if masked else data
    return out


def leftovers(root: Path) -> list[str]:
    """Temp files and journals anywhere in the library (the index's own files excluded)."""
    found = []
    for folder, _dirs, files in os.walk(root):
        for name in files:
            rel = (Path(folder) / name).relative_to(root).as_posix()
            if name.endswith(".tmp") or name == "journal":
                found.append(rel)
    return sorted(found)


Answers = tuple[tuple[tuple[int, str], ...], str]
"""(exit code, output) of each read command, and any traceback they printed."""


def answers(lib: Path, env: dict[str, str], *, search: bool = True) -> Answers:
    """What the index says: ``list --json`` and (with ``search``) a full-text search."""
    runs = [run(lib, ["list", "--json"], env)]
    if search:
        runs.append(run(lib, ["search", "--json", "learning"], env))
    bad = "".join(p.stderr for p in runs if "Traceback" in p.stderr)
    return tuple((p.returncode, p.stdout) for p in runs), bad


_rebuilt: dict[str, Answers] = {}


def rebuilt_answers(lib: Path, scratch: Path, env: dict[str, str]) -> Answers:
    """The answers of a fresh index over the same files (a copy without ``.paperlog/``);
    remembered per file state, as most trials end in one of two states."""
    digest = hashlib.sha256()
    for name, data in sorted(tree(lib, masked=False).items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    known = _rebuilt.get(digest.hexdigest())
    if known is not None:
        return known
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(lib, scratch, ignore=shutil.ignore_patterns(".paperlog"), symlinks=True)
    try:
        said = answers(scratch, env)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    _rebuilt[digest.hexdigest()] = said
    return said


# --- the replay server for add ---------------------------------------------------------------------


@contextmanager
def replay_env() -> Iterator[dict[str, str]]:
    """A local server answering the DOI that the ``add`` scenario asks for."""
    sys.path.insert(0, str(HERE))
    from replay import ReplayServer, Reply

    work = {
        "status": "ok",
        "message-type": "work",
        "message": {
            "DOI": "10.1145/3219819.3220000",
            "type": "proceedings-article",
            "title": ["A Recorded Paper for the Torture Test"],
            "author": [{"given": "Ada", "family": "Lovelace"}],
            "container-title": ["Proceedings of KDD"],
            "issued": {"date-parts": [[2018, 7, 19]]},
        },
    }
    with ReplayServer() as server:
        server.add("/crossref/works/10.1145/3219819.3220000", Reply.json(work))
        yield {
            f"PAPERLOG_{name.upper()}_URL": server.url(f"/{name}")
            for name in ("arxiv", "crossref", "s2", "dblp", "openreview")
        }


# --- bases ---------------------------------------------------------------------------------------


def make_bases(work: Path, env: dict[str, str]) -> dict[str, Path]:
    """An empty library and one holding the seed README, each with a built index."""
    bases = {}
    for name in ("empty", "seeded"):
        lib = work / f"base-{name}"
        shutil.rmtree(lib, ignore_errors=True)
        made = run(lib, ["init", "--no-git"], env)
        assert made.returncode == 0, made.stderr
        config = lib / "paperlog.toml"
        config.write_text(
            config.read_text("utf-8") + "\n[sources]\nretries = 0\ntimeout = 5\n", "utf-8"
        )
        if name == "seeded":
            done = run(lib, ["import", "readme", str(SEED)], env)
            assert done.returncode == 0, done.stderr
            with (lib / "papers" / f"{READ_KEY}.md").open("a", encoding="utf-8") as paper:
                paper.write("\n## Key ideas\n- a contrastive loss over two augmented views\n")
        run(lib, ["list"], env)
        past = time.time() - 3600  # not racy: the first run need not re-read every file
        for path in lib.rglob("*"):
            if ".paperlog" not in path.parts:
                os.utime(path, (past, past))
        bases[name] = lib
    return bases


# --- kills ---------------------------------------------------------------------------------------


@dataclass
class KillCounts:
    """The kill half of the table."""

    trials: int = 0
    killed: int = 0
    finished: int = 0
    """The command ended before the kill (nothing to test but the end state)."""
    mixed: int = 0
    mixed_on_disk: int = 0
    """Kills that left a mix before the next command ran (recovery then fixed it or not)."""
    temps_left: int = 0
    temp_files_left: int = 0
    rerun_failed: int = 0
    index_wrong: int = 0
    tracebacks: int = 0
    by_command: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def _kill_when_writing(
    proc: subprocess.Popen[bytes], lib: Path, rng: random.Random, *, at_rename: bool
) -> None:
    """SIGKILL while a write is under way: a few ms after the first temp file appears, or
    (``at_rename``) as soon as the renames begin (a journal appears or temp files start to
    disappear), where a batch is most fragile."""
    folders = [lib / "papers", lib, lib / ".paperlog", lib / ".paperlog" / "tmp", lib / "charts"]
    most = 0
    while proc.poll() is None:
        temps = 0
        journal = False
        for folder in folders:
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        temps += entry.name.endswith(".tmp")
                        journal = journal or entry.name == "journal"
            except OSError:
                continue
        if at_rename and (journal or 0 < temps < most):
            proc.send_signal(signal.SIGKILL)
            return
        if not at_rename and temps:
            time.sleep(rng.random() * 0.004)
            proc.send_signal(signal.SIGKILL)
            return
        most = max(most, temps)
        time.sleep(0.0002)


def kill_trial(
    scenario: Scenario,
    base: Path,
    after: dict[str, bytes],
    work: Path,
    env: dict[str, str],
    duration: float,
    rng: random.Random,
    counts: KillCounts,
    *,
    targeted: bool,
) -> None:
    """One kill of one command, then the checks; counts updated."""
    lib = work / "trial"
    shutil.rmtree(lib, ignore_errors=True)
    shutil.copytree(base, lib, symlinks=True)
    before = tree(lib)
    counts.trials += 1
    proc = subprocess.Popen(
        _argv(lib, scenario.args),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    if targeted:
        _kill_when_writing(proc, lib, rng, at_rename=rng.random() < 0.5)
    else:
        time.sleep(rng.random() * duration * 1.1)
        proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    label = f"{scenario.name} ({'targeted' if targeted else 'random'})"
    if proc.returncode != -signal.SIGKILL:
        counts.finished += 1
        if proc.returncode != 0:
            counts.failures.append(f"{label}: unkilled run failed: {err.decode()[-300:]}")
        return
    counts.killed += 1
    counts.by_command[scenario.name] += 1
    on_disk = tree(lib)
    if on_disk not in (before, after):
        counts.mixed_on_disk += 1
    said, traceback = answers(lib, env)  # the next command a user runs
    state = tree(lib)
    if state not in (before, after):
        counts.mixed += 1
        changed = sorted(k for k in set(state) | set(after) if state.get(k) != after.get(k))
        counts.failures.append(f"{label}: mixed state, {len(changed)} files differ from after")
    left = leftovers(lib)
    if left:
        counts.temps_left += 1
        counts.temp_files_left += len(left)
    if traceback:
        counts.tracebacks += 1
        counts.failures.append(f"{label}: traceback: {traceback[-300:]}")
    fresh = rebuilt_answers(lib, work / "scratch", env)
    if said != fresh[0]:
        counts.index_wrong += 1
        counts.failures.append(f"{label}: index answers differ from a rebuild")
    again = run(lib, scenario.args, env)
    if "Traceback" in again.stderr:
        counts.tracebacks += 1
    if state == before and (again.returncode != 0 or tree(lib) != after):
        counts.rerun_failed += 1
        counts.failures.append(f"{label}: re-run failed: {again.stderr.strip()[-300:]}")


def reference(
    scenario: Scenario, base: Path, work: Path, env: dict[str, str]
) -> tuple[dict[str, bytes], float]:
    """The state after the command runs to its end, and how long the run took."""
    lib = work / "reference"
    shutil.rmtree(lib, ignore_errors=True)
    shutil.copytree(base, lib, symlinks=True)
    start = time.perf_counter()
    done = run(lib, scenario.args, env)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{scenario.name} fails even without a kill: {done.stderr}")
    after = tree(lib)
    if after == tree(base):
        raise RuntimeError(f"{scenario.name} changes nothing: not a write to test")
    return after, took


# --- corruptions ---------------------------------------------------------------------------------


def _sql(index: Path, *statements: str) -> None:
    con = sqlite3.connect(index)
    try:
        for statement in statements:
            con.execute(statement)
        con.commit()
    finally:
        con.close()


def _wal_kept(lib: Path, env: dict[str, str]) -> Path:
    """Leave a WAL holding a committed sync: edit a paper, let a process sync and die."""
    paper = sorted((lib / "papers").glob("*.md"))[0]
    paper.write_text(paper.read_text("utf-8") + "\nEdited while the WAL held it.\n", "utf-8")
    code = (
        "import os, signal\nfrom pathlib import Path\nfrom paperlog.library import Library\n"
        "from paperlog.index import Index\n"
        f"Index.open(Library.open(Path({str(lib)!r})))\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=False, capture_output=True)
    return lib / ".paperlog" / "index.sqlite-wal"


def corruptions() -> dict[str, Callable[[Path, random.Random, dict[str, str]], None]]:
    """Name -> a function that damages ``lib/.paperlog`` one way."""

    def index(lib: Path) -> Path:
        return lib / ".paperlog" / "index.sqlite"

    def truncate(lib: Path, rng: random.Random, _env: dict[str, str]) -> None:
        path = index(lib)
        size = path.stat().st_size
        os.truncate(path, rng.randrange(0, max(size, 1)))

    def random_bytes(lib: Path, rng: random.Random, _env: dict[str, str]) -> None:
        path = index(lib)
        data = bytearray(path.read_bytes())
        for _ in range(rng.randint(1, 64)):
            at = rng.randrange(len(data))
            data[at : at + 8] = rng.randbytes(8)
        path.write_bytes(bytes(data[: len(data)]))

    def zero_page(lib: Path, rng: random.Random, _env: dict[str, str]) -> None:
        path = index(lib)
        data = bytearray(path.read_bytes())
        page = rng.randrange(1, max(len(data) // 4096, 2))
        data[page * 4096 : (page + 1) * 4096] = bytes(4096)
        path.write_bytes(bytes(data[: len(data)]))

    def schema_version(lib: Path, rng: random.Random, _env: dict[str, str]) -> None:
        _sql(index(lib), f"PRAGMA user_version = {rng.choice([0, 1, 2, 99])}")

    def drop_table(lib: Path, rng: random.Random, _env: dict[str, str]) -> None:
        _sql(index(lib), f"DROP TABLE {rng.choice(['papers', 'paper_data', 'sync_state'])}")

    def alter_table(lib: Path, rng: random.Random, _env: dict[str, str]) -> None:
        _sql(index(lib), "ALTER TABLE papers RENAME COLUMN status TO state")

    def bad_json(lib: Path, rng: random.Random, _env: dict[str, str]) -> None:
        text = rng.choice(["{not json", "[]", '{"key": 1}', "null", ""])
        _sql(
            index(lib),
            f"UPDATE paper_data SET data = '{text}' WHERE id = "
            f"(SELECT id FROM paper_data ORDER BY random() LIMIT 1)",
        )

    def wrong_data(lib: Path, rng: random.Random, _env: dict[str, str]) -> None:
        _sql(
            index(lib),
            'UPDATE paper_data SET data = replace(data, \'"title":"\', \'"title":"Wrong \')',
        )

    def wrong_columns(lib: Path, rng: random.Random, _env: dict[str, str]) -> None:
        change = rng.choice(["status = 'wish'", "year = 1900", "key = key || 'x'", "rank = 7"])
        _sql(index(lib), f"UPDATE papers SET {change} WHERE rowid % 3 = 0")

    def delete_wal(lib: Path, rng: random.Random, env: dict[str, str]) -> None:
        _wal_kept(lib, env).unlink(missing_ok=True)

    def garbage_wal(lib: Path, rng: random.Random, env: dict[str, str]) -> None:
        wal = _wal_kept(lib, env)
        if wal.exists():
            data = bytearray(wal.read_bytes())
            for _ in range(8):
                at = rng.randrange(max(len(data), 1))
                data[at : at + 16] = rng.randbytes(16)
            wal.write_bytes(bytes(data))

    def index_is_folder(lib: Path, rng: random.Random, _env: dict[str, str]) -> None:
        path = index(lib)
        path.unlink()
        path.mkdir()
        (path / "x").write_text("x", "utf-8")

    def garbage_journal(lib: Path, rng: random.Random, _env: dict[str, str]) -> None:
        body = rng.choice([rng.randbytes(200), b"paperlog-journal 1\n" + rng.randbytes(100)])
        (lib / ".paperlog" / "journal").write_bytes(body)

    def garbage_lock(lib: Path, rng: random.Random, _env: dict[str, str]) -> None:
        (lib / ".paperlog" / "lock").write_bytes(rng.randbytes(100))

    def tmp_is_file(lib: Path, rng: random.Random, _env: dict[str, str]) -> None:
        tmp = lib / ".paperlog" / "tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.write_text("not a folder", "utf-8")

    return {
        "truncate": truncate,
        "random bytes": random_bytes,
        "zeroed page": zero_page,
        "schema version": schema_version,
        "dropped table": drop_table,
        "altered table": alter_table,
        "row with bad JSON": bad_json,
        "row with wrong data": wrong_data,
        "wrong filter columns": wrong_columns,
        "deleted WAL": delete_wal,
        "garbage WAL": garbage_wal,
        "index is a folder": index_is_folder,
        "garbage journal": garbage_journal,
        "garbage lock": garbage_lock,
        "tmp is a file": tmp_is_file,
    }


@dataclass
class CorruptionCounts:
    """The corruption half of the table."""

    trials: int = 0
    tracebacks: int = 0
    wrong: int = 0
    """A read command answered differently from a fresh rebuild."""
    permanent: int = 0
    """Still wrong or failing on the second command."""
    write_failed: int = 0
    """A write command (``start``) failed or left temps after the damage."""
    failures: list[str] = field(default_factory=list)


def corruption_trial(
    name: str,
    damage: Callable[[Path, random.Random, dict[str, str]], None],
    base: Path,
    expected: Answers,
    work: Path,
    env: dict[str, str],
    rng: random.Random,
    counts: CorruptionCounts,
    write_args: list[str],
) -> None:
    """Damage a copy's ``.paperlog/``, then two reads and a write; counts updated."""
    lib = work / "trial"
    shutil.rmtree(lib, ignore_errors=True)
    shutil.copytree(base, lib, symlinks=True)
    counts.trials += 1
    # A damage step that fails half-way (the file already broken) still leaves damage to face.
    with contextlib.suppress(sqlite3.DatabaseError):
        damage(lib, rng, env)
    fresh = rebuilt_answers(lib, work / "scratch", env)  # the edit a damage may have made
    first = answers(lib, env)
    second = answers(lib, env, search=False)
    if first[1] or second[1]:
        counts.tracebacks += 1
        counts.failures.append(f"{name}: traceback: {(first[1] or second[1])[-300:]}")
    if first[0] != fresh[0]:
        counts.wrong += 1
        counts.failures.append(f"{name}: first answer differs from a rebuild")
    if second[0] != fresh[0][:1]:
        counts.permanent += 1
        counts.failures.append(f"{name}: second answer still differs")
    wrote = run(lib, write_args, env)
    if wrote.returncode != 0 or [t for t in leftovers(lib) if t.endswith(".tmp")]:
        counts.write_failed += 1
        counts.failures.append(f"{name}: write after damage: {wrote.stderr.strip()[-300:]}")
    del expected


# --- the driver ----------------------------------------------------------------------------------


@dataclass
class Result:
    """Both halves, and the table the issue asks for."""

    kills: KillCounts
    corruptions: CorruptionCounts
    seconds: float

    def table(self) -> str:
        """The counts in the issue's table form."""
        k, c = self.kills, self.corruptions
        rows = [
            "| category | trials | failures |",
            "|---|---|---|",
            f"| SIGKILL at a random moment of a write command | {k.killed} kills "
            f"({k.trials} runs, {k.finished} ended before the kill) | {k.mixed} mixed "
            f"before/after states after the next command ({k.mixed_on_disk} mixed on disk "
            f"before it, all left to recovery); {k.temp_files_left} temp files in "
            f"{k.temps_left} libraries survive the next command; {k.rerun_failed} re-runs "
            f"failed; {k.index_wrong} index answers differ from a rebuild; {k.tracebacks} "
            "tracebacks |",
            f"| corrupted index (`.paperlog/*`) | {c.trials} | {c.permanent} permanent "
            f"failures, {c.wrong} wrong first answers, {c.tracebacks} tracebacks, "
            f"{c.write_failed} writes failing after the damage |",
        ]
        kinds = ", ".join(f"{name} {n}" for name, n in sorted(k.by_command.items()))
        return "\n".join(rows) + f"\n\nkills by command: {kinds}\ntime: {self.seconds:.0f} s"

    @property
    def failures(self) -> int:
        """Every failure counted (0 is the target)."""
        k, c = self.kills, self.corruptions
        return (
            k.mixed
            + k.temps_left
            + k.rerun_failed
            + k.index_wrong
            + k.tracebacks
            + c.tracebacks
            + c.wrong
            + c.permanent
            + c.write_failed
        )


_last_shown: dict[str, int] = {}


def _progress(what: str, done: int, total: int, failures: int, start: float) -> None:
    """A line on stderr every 25 trials: a full run takes an hour or more."""
    if done % 25 or not done or _last_shown.get(what) == done:
        return
    _last_shown[what] = done
    took = time.perf_counter() - start
    print(
        f"torture: {what} {done}/{total}, {failures} failures, {took:.0f} s",
        file=sys.stderr,
        flush=True,
    )


def run_torture(
    work: Path,
    kills: int,
    damages: int,
    seed: int = 1,
    *,
    only: tuple[str, ...] = (),
    targeted_only: bool = False,
) -> Result:
    """Kill ``kills`` runs and run ``damages`` corruption trials under ``work``: the
    commands in turn (``only`` these, when given), random and targeted kills alternating
    (``targeted_only``: every kill aimed at a write), the corruption kinds in turn."""
    rng = random.Random(seed)
    start = time.perf_counter()
    work.mkdir(parents=True, exist_ok=True)
    with replay_env() as sources:
        env = _env(sources)
        bases = make_bases(work, env)
        listed = json.loads(run(bases["seeded"], ["queue", "--json"], env).stdout)
        scens = [
            s for s in scenarios([item["key"] for item in listed]) if s.name in only or not only
        ]
        refs = {s.name: reference(s, bases[s.base], work, env) for s in scens}
        kill_counts = KillCounts()
        # A run the kill came too late for (the command had ended) is not a kill: go on until
        # ``kills`` processes were really killed, within three times as many runs.
        i = 0
        while kill_counts.killed < kills and i < 3 * kills:
            _progress("kills", kill_counts.killed, kills, len(kill_counts.failures), start)
            scenario = scens[i % len(scens)]
            after, took = refs[scenario.name]
            kill_trial(
                scenario,
                bases[scenario.base],
                after,
                work,
                env,
                took,
                rng,
                kill_counts,
                targeted=targeted_only or (i // len(scens)) % 2 == 1,
            )
            i += 1
        corruption_counts = CorruptionCounts()
        kinds = list(corruptions().items())
        expected = rebuilt_answers(bases["seeded"], work / "scratch", env)
        for i in range(damages):
            _progress("corruptions", i, damages, len(corruption_counts.failures), start)
            name, damage = kinds[i % len(kinds)]
            corruption_trial(
                name,
                damage,
                bases["seeded"],
                expected,
                work,
                env,
                rng,
                corruption_counts,
                ["start", listed[4]["key"]],
            )
    return Result(kill_counts, corruption_counts, time.perf_counter() - start)


def main() -> None:
    """``make torture``: the long profile, the table printed, non-zero exit on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--corruptions", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=REPO / "build" / "torture")
    parser.add_argument("--show", type=int, default=15, help="failures to print")
    opts = parser.parse_args()
    if not SEED.is_file():
        sys.exit(f"torture: the seed README is missing ({SEED}); it needs ../shared")
    result = run_torture(opts.work, opts.kills, opts.corruptions, opts.seed)
    print(result.table())
    for line in [*result.kills.failures, *result.corruptions.failures][: opts.show]:
        print("  -", line.replace("\n", " "))
    shutil.rmtree(opts.work, ignore_errors=True)
    sys.exit(1 if result.failures else 0)


if __name__ == "__main__":
    main()
