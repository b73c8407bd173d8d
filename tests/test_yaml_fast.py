"""The fast YAML writer (paperfile._fast_dump) writes exactly what PyYAML writes, or declines.

``dump_yaml`` writes paper front matter, resources.yaml and weeks.yaml; the fast path must
never change a byte of them, so every case here compares it with PyYAML itself.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlog.model import Link, Paper, Reading
from paperlog.paperfile import (
    _fast_dump,
    _fast_load,
    _NotFast,
    _slow_dump,
    dump_yaml,
    load_yaml,
    paper_to_dict,
)

# indicators, quotes, spaces, characters the resolver reads as numbers / bools / null, and
# unicode PyYAML treats specially (BOM, line and paragraph separators, NEL, private use)
ALPHABET = [
    *"aZ1 -?:,[]{}#&*!|>'\"%@`.~+=<_/\\yno",
    "é",
    "\u00a0",
    "\ufeff",
    "\u2028",
    "\x85",
    "\t",
    "\x7f",
    "😀",
    "\ue000",
]


def _contexts(value: Any) -> list[Any]:
    """The places a scalar sits in paperlog's files: mapping value, list item, both nested."""
    return [{"k": value}, [value], {"k": [value]}, [{"a": value, "b": 1}], {"m": {"k": value}}]


def _check(data: Any) -> bool:
    """True when the fast writer handled ``data``; fails when it wrote other bytes."""
    try:
        fast = _fast_dump(data)
    except _NotFast:
        return False
    assert fast == _slow_dump(data), data
    return True


def test_every_short_string_matches_pyyaml() -> None:
    handled = 0
    for n in (1, 2):
        for chars in itertools.product(ALPHABET, repeat=n):
            for data in _contexts("".join(chars)):
                handled += _check(data)
    assert handled > 1000  # the fast path does take the common strings


def test_plain_and_quoted_strings() -> None:
    for value in ["Deep learning", "A: b", "yes", "No", "null", "123", "1.5", "2020-01-02",
                  "-1", "~", "x #y", "#x", "it's", "'q'", "--- x", "... y", "a:b", "-a", "- a",
                  "https://arxiv.org/abs/2002.05709", "U-Net: CNNs", "ÉTÉ ☃ 漢字"]:  # fmt: skip
        for data in _contexts(value):
            assert _check(data), value


def test_long_abstracts_and_unicode_take_the_fast_path() -> None:
    words = "Contrastive learning: we pull views together, it's simple ☃ 漢字 é. "
    for size in (1_000, 4_000, 8_999):
        abstract = (words * (size // len(words) + 1))[:size].strip()
        for data in (*_contexts(abstract), {"title": "T", "abstract": abstract, "year": 2020}):
            assert _check(data), size
            text = _fast_dump(data)
            assert _fast_load(text) == data


def test_reading_does_not_write_back_to_compare(monkeypatch: pytest.MonkeyPatch) -> None:
    import paperlog.paperfile as paperfile

    text = _fast_dump({"title": "A: b", "year": 2020, "ids": {"arxiv": "2002.05709"}})

    def refuse(data: Any) -> str:
        raise AssertionError("the reader wrote the document back")

    monkeypatch.setattr(paperfile, "_fast_dump", refuse)
    assert _fast_load(text) == {"title": "A: b", "year": 2020, "ids": {"arxiv": "2002.05709"}}


def test_what_bibtex_fields_hold_takes_the_fast_path() -> None:
    """Raw BibTeX fields kept in a paper file: empty, with spaces at an end, wrapped by an
    editor with a line break and tabs (issue 11: every file an import writes is fast)."""
    wrapped = 'Neural machine translation by jointly learning to align\n\t\t  and "translate" \\ x'
    for value in ["", " ", " lead", "trail ", "tab\there", "\t", wrapped, "a\n\tb ", "é\t☃"]:
        for data in _contexts(value):
            assert _check(data), value
            assert _fast_load(_fast_dump(data)) == data, value
    assert _fast_dump({"title": wrapped}).count("\n") == 1  # one line, escaped


def test_every_short_string_with_line_breaks_matches_pyyaml() -> None:
    handled = 0
    for n in (1, 2, 3):
        for chars in itertools.product([*ALPHABET, "\n"], repeat=n):
            if "\n" in chars or "\t" in chars:
                for data in _contexts("".join(chars)):
                    handled += _check(data)
    assert handled > 1000


def test_reads_only_the_double_quotes_it_writes() -> None:
    for text in ['"plain"', '"a\\x09b"', '"a\\u0009b"', '"tab\\tthen\\"', '"a"b"', '"x']:
        with pytest.raises(_NotFast):
            _fast_load(f"k: {text}\n")
    assert _fast_load('k: "a\\tb \\"q\\" \\\\ c\\nd"\n') == {"k": 'a\tb "q" \\ c\nd'}


def test_declines_what_it_does_not_write() -> None:
    for value in ["two\nlines", " lead\nx", "x y" * 3001, "\t" * 5000, 1.5, (1, 2)]:
        for data in _contexts(value):
            assert not _check(data)
    shared = [1, 2]
    day = date(2020, 1, 1)
    for data in ({"a": shared, "b": shared}, {"a": day, "b": day}, {}, [], {"k": []}, [[1]]):
        assert not _check(data)
    assert dump_yaml({"a": shared, "b": shared}) == _slow_dump({"a": shared, "b": shared})


scalars = st.one_of(
    st.text(alphabet=st.sampled_from(ALPHABET), max_size=6),
    st.text(max_size=20),
    st.integers(),
    st.booleans(),
    st.none(),
    st.dates(),
)
keys = st.one_of(st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True), st.text(max_size=4))
trees = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, trees, max_size=5) | st.lists(trees, max_size=4))
def test_any_document_matches_pyyaml(data: Any) -> None:
    assert dump_yaml(data) == _slow_dump(data)


@settings(max_examples=100, deadline=None)
@given(
    title=st.text(min_size=1, max_size=40).filter(str.strip),
    label=st.text(max_size=10),
    week=st.integers(0, 500),
    start=st.dates(),
)
def test_paper_front_matter_matches_pyyaml(title: str, label: str, week: int, start: date) -> None:
    paper = Paper(
        key="k",
        title=title,
        status="read",
        venue_label=label or None,
        ids={"arxiv": "2002.05709"},
        links=[Link(label or "Code", "https://github.com/x/y")],
        readings=[Reading(week, start, label or None, None, 2, {"period": title})],
        extra={"tags": [label, title], "rating": 3},
    )
    data = paper_to_dict(paper)
    assert dump_yaml(data) == _slow_dump(data)


def _check_load(text: str) -> None:
    """The fast reader gives what PyYAML loads, or declines."""
    import yaml

    try:
        fast = _fast_load(text)
    except _NotFast:
        return
    assert fast == yaml.safe_load(text), text
    assert load_yaml(text, "x.yaml") == fast


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, trees, max_size=5) | st.lists(trees, max_size=4))
def test_reading_back_matches_pyyaml(data: Any) -> None:
    text = dump_yaml(data)
    _check_load(text)
    if _check(data):
        assert _fast_load(text) == data  # whatever the fast writer wrote, it reads back


def test_reading_hand_written_yaml_matches_pyyaml() -> None:
    texts = [
        "title: x\nyear: 2020\n",
        "title: x\nyear: 0x10\n",
        "title: x\nyear: 010\n",
        "a: yes\nb: True\nc: ~\nd: null\ne: 1.5\nf: 2020-1-2\ng: 2020-01-02\n",
        "a: 'it''s'\nb: 'x'\n",
        'a: "quoted"\n',
        "a:\n- 1\n- b: 2\n  c:\n  - 3\n",
        "a:\n  b:\n    c: d\n",
        "a: 1\na: 2\n",
        "a: &x 1\nb: *x\n",
        "a: b # comment\n",
        "a:   b\n",
        "a: |\n  text\n",
        "- a\n- b\n",
        "a:\n",
        "a: 1",
        "yes: 1\n",
        "null: x\n",
        "a:\n  - 1\n",
        "a: 'x'y'\n",
        "a: ''\n",
        "a: x: y\n",
        "a: [1]\n",
        "a: 1:20\n",
        "- - 1\n",
    ]
    for text in texts:
        _check_load(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([*ALPHABET, "\n", "\n- ", ": ", "  ", "k: ", "'"]), max_size=14).map(
        "".join
    )
)
def test_reading_any_text_matches_pyyaml_or_declines(text: str) -> None:
    import yaml

    try:
        expected = yaml.safe_load(text)
    except yaml.YAMLError:
        expected = _NotFast  # PyYAML refuses it: the fast reader must decline too
    try:
        fast = _fast_load(text)
    except _NotFast:
        return
    assert fast == expected, text


SCALARS = [
    "",
    "~",
    "null",
    "Null",
    "NULL",
    "nul",
    "yes",
    "Yes",
    "YES",
    "yEs",
    "no",
    "on",
    "Off",
    "y",
    "n",
    "true",
    "True",
    "TRUE",
    "tRue",
    "false",
    "0",
    "00",
    "07",
    "08",
    "0b101",
    "0x1F",
    "-0",
    "+12",
    "1_000",
    "1:20",
    "1:60",
    "1.5",
    ".5",
    "1e5",
    "1.0e+5",
    "1.0e5",
    ".inf",
    "-.Inf",
    ".NaN",
    ".nan.",
    "2020",
    "2020-06-15",
    "2020-6-15",
    "2020-06-15T10:20:30Z",
    "2020-06-15 1:2",
    "2020-06-15 10:20:30.5 +01:00",
    "<<",
    "<",
    "=",
    "==",
    "!",
    "&",
    "*",
    "Attention",
    "yaml",
    "NeurIPS 2019",
    "8th",
    "-",
    "+",
    ".",
    "yes\n",
    "1\n",
    "2020-06-15\n",
]


@given(
    st.lists(st.sampled_from([*ALPHABET, "0", "5", "e", "E", "x", "b", "T", ":", "_"]), max_size=9)
)
@settings(max_examples=3000, deadline=None)
def test_the_implicit_resolver_is_pyyamls(chars: list[str]) -> None:
    """``implicit_tag`` (no PyYAML import on the hot path) answers as PyYAML's resolver."""
    import yaml

    from paperlog.paperfile import implicit_tag

    resolve: Any = yaml.resolver.Resolver().resolve
    for value in ["".join(chars), *SCALARS]:
        assert implicit_tag(value) == resolve(yaml.ScalarNode, value, (True, False)), value


def test_a_paper_file_is_read_and_written_without_pyyaml() -> None:
    """What paperlog writes is read back, and written, by the fast path alone."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from datetime import date\n"
        "from paperlog.model import Paper, Reading\n"
        "from paperlog.paperfile import paper_from_text, paper_to_text\n"
        "p = Paper(key='k', title='True 2020: on', year=2020, topics=['Uns', 'yes'],\n"
        "          readings=[Reading(3, date(2020, 6, 15), 'G', date(2020, 6, 16), 1)])\n"
        "text = paper_to_text(p)\n"
        "assert paper_from_text('k', text, 'k.md') == p\n"
        "assert 'yaml' not in sys.modules, 'PyYAML was imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
