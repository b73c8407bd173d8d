"""Issue 10: metadata a researcher can cite, proved against recorded answers on the replay server.

Each test adds a real paper through the real client and sources, talking over a socket to
tests/replay.py serving the recordings in ../shared/corpus/api as they are, then checks what
the paper file and the exports say.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from paperlog.formats.bibtex import export_bibtex
from paperlog.formats.csljson import paper_to_csl
from paperlog.library import Library
from paperlog.model import Author, Paper
from replay import ReplayServer, Reply, arxiv_recording, corpus_api
from test_add import add, new_library


def _pubs(url: str) -> Reply:
    """One answer recorded by the pubs project (``[[url], options, body, status, error]``)."""
    path = corpus_api("doi_content_negotiation", "pubs_test_apis_data.json")
    for (recorded, *_), _opts, body, status, _err in json.loads(path.read_text("utf-8")):
        if recorded == url:
            return Reply.text(body, status=status, content_type="application/atom+xml")
    raise AssertionError(f"no pubs recording for {url}")


def _arxiv(server: ReplayServer, arxiv_id: str) -> None:
    server.add(
        "/arxiv",
        _pubs(f"https://export.arxiv.org/api/query?id_list={arxiv_id}"),
        query={"id_list": arxiv_id},
    )


def _crossref_work(server: ReplayServer, name: str) -> dict[str, Any]:
    """Serve a recorded Crossref work (habanero's cassettes, extracted) at /works/{doi}."""
    path = corpus_api("crossref", "habanero", "extracted", name)
    data = json.loads(path.read_text("utf-8"))
    message: dict[str, Any] = data["message"]
    server.add(f"/crossref/works/{message['DOI']}", Reply.json(data))
    return message


def _lib(tmp_path: Path) -> Library:
    return new_library(tmp_path / "lib")


def _reloaded(lib: Library, paper: Paper) -> Paper:
    (found,) = [p for p in lib.load_papers() if p.key == paper.key]
    return found


# --- 1: a venue a source names is kept as written ----------------------------------------------


def test_a_journal_the_venue_table_does_not_know_is_kept(
    tmp_path: Path, server: ReplayServer
) -> None:
    _crossref_work(server, "test_works_with_one_id__0.json")
    lib = _lib(tmp_path)
    paper = _reloaded(lib, add(lib, server, "10.1371/journal.pone.0033693").paper)
    assert (paper.venue, paper.year, paper.entry_type) == ("PLoS ONE", 2012, "article")
    assert paper.venue_label == "PLoS ONE 2012"
    entry = export_bibtex([paper])
    assert entry.startswith("@article{")
    assert "journal = {PLoS ONE}" in entry
    assert "booktitle" not in entry


def test_arxiv_journal_ref_is_the_venue_and_its_year(tmp_path: Path, server: ReplayServer) -> None:
    # 1710.08557: journal_ref "Journal of NeuroEngineering and Rehabilitation, 2017" and a DOI
    # Crossref is asked about (no recording: a 404, so arXiv's own words stand).
    _arxiv(server, "1710.08557")
    lib = _lib(tmp_path)
    added = add(lib, server, "1710.08557")
    paper = _reloaded(lib, added.paper)
    assert paper.venue == "Journal of NeuroEngineering and Rehabilitation"
    assert (paper.year, paper.entry_type) == (2017, "article")
    assert paper.ids["doi"] == "10.1186/s12984-017-0305-3"
    # the DOI was followed to Crossref (the published record) when it could be reached
    assert server.seen("/crossref/works/10.1186/s12984-017-0305-3")


# --- 3: abstracts keep their comparisons -----------------------------------------------------


def test_an_arxiv_abstract_keeps_text_between_lt_and_gt(
    tmp_path: Path, server: ReplayServer
) -> None:
    _arxiv(server, "astro-ph/9812133")
    lib = _lib(tmp_path)
    paper = _reloaded(lib, add(lib, server, "astro-ph/9812133").paper)
    assert paper.abstract is not None
    assert "P(Lambda > 0) = 99%" in paper.abstract
    assert "<~" in paper.abstract


def test_a_jats_abstract_keeps_p_values(tmp_path: Path, server: ReplayServer) -> None:
    _crossref_work(server, "test_works_with_many_ids__1.json")
    lib = _lib(tmp_path)
    paper = _reloaded(lib, add(lib, server, "10.1002/jor.1100150407").paper)
    assert paper.abstract is not None
    assert "(p < 0.001)" in paper.abstract
    assert "(p > 0.7)" in paper.abstract
    assert "jats" not in paper.abstract
    assert not paper.abstract.startswith("Abstract")


# --- 4: the year is the publication year -------------------------------------------------------


def test_a_journal_reference_year_beats_the_preprint_year(
    tmp_path: Path, server: ReplayServer
) -> None:
    _arxiv(server, "1312.2021")  # Phys. Rev. D 89, 084044 (2014), posted December 2013
    lib = _lib(tmp_path)
    paper = _reloaded(lib, add(lib, server, "1312.2021").paper)
    assert (paper.year, paper.preprint_year) == (2014, 2013)
    assert paper.venue == "Phys. Rev. D"


def test_crossref_created_is_never_the_year(tmp_path: Path, server: ReplayServer) -> None:
    # issued is null; created (the deposit) says 2004; the proceedings' name says 2003
    work = _crossref_work(server, "test_works_with_many_ids__3.json")
    assert work["created"]["date-parts"][0][0] == 2004
    lib = _lib(tmp_path)
    paper = _reloaded(lib, add(lib, server, "10.1109/icdcsw.2003.1203662").paper)
    assert paper.year == 2003
    assert paper.entry_type == "inproceedings"
    assert paper.container is not None
    assert paper.container.startswith("23rd International Conference on Distributed")


# --- 5: structured names -----------------------------------------------------------------------


def test_a_two_word_family_name_survives_file_and_exports(
    tmp_path: Path, server: ReplayServer
) -> None:
    _crossref_work(server, "test_works_with_many_ids__2.json")
    lib = _lib(tmp_path)
    paper = _reloaded(lib, add(lib, server, "10.1038/srep16696").paper)
    (mauro,) = [a for a in paper.authors if "Mauro" in a]
    assert isinstance(mauro, Author)
    assert (mauro.family, mauro.given) == ("Dalla Serra", "Mauro")
    text = lib.paper_path(paper.key).read_text("utf-8")
    assert "- family: Dalla Serra\n  given: Mauro\n" in text
    assert "- Laura Tosatto\n" in text  # a simple name stays a plain string
    assert "Dalla Serra, Mauro" in export_bibtex([paper])
    names = paper_to_csl(paper, "x")["author"]
    assert {"family": "Dalla Serra", "given": "Mauro"} in names


# --- 2: entry types and venues in exports --------------------------------------------------------


def test_seed_items_export_a_venue_never_a_year(library: Library, seed_path: Path) -> None:
    from paperlog.formats.csljson import export_csljson
    from paperlog.services.import_readme import import_readme

    import_readme(library, seed_path)
    papers = library.load_papers()
    miccai = next(p for p in papers if p.venue_label == "MICCAI 2020" and p.title.strip())
    item = paper_to_csl(miccai, "m")
    assert (item["type"], item["container-title"]) == ("paper-conference", "MICCAI")
    assert item["issued"] == {"date-parts": [[2020]]}
    entry = export_bibtex([miccai])
    assert entry.startswith("@inproceedings{")
    assert "booktitle = {MICCAI}" in entry
    assert "year = {2020}" in entry
    for csl in export_csljson(papers):
        container = str(csl.get("container-title", "x"))
        assert not container.strip().isdigit(), csl
        assert not container.lower().startswith("arxiv"), csl
    text = export_bibtex(papers)
    assert not re.search(r"(booktitle|journal|howpublished) = \{\d{4}\}", text)


def test_an_arxiv_preprint_exports_as_misc_with_eprint(
    tmp_path: Path, server: ReplayServer
) -> None:
    name = "id_1605.08386_s0_m100_199195aa31ad.json"  # no journal reference, no DOI
    server.add("/arxiv", arxiv_recording(name), query={"id_list": "1605.08386"})
    lib = _lib(tmp_path)
    paper = _reloaded(lib, add(lib, server, "1605.08386").paper)
    assert (paper.entry_type, paper.venue, paper.venue_label) == ("preprint", None, "2016")
    entry = export_bibtex([paper])
    assert entry.startswith("@misc{")
    assert "eprint = {1605.08386}" in entry
    assert "booktitle" not in entry and "journal" not in entry
    item = paper_to_csl(paper, "x")
    assert item["type"] == "article"
    assert "container-title" not in item


# --- 9: --json lists only present ids ----------------------------------------------------------


def test_add_json_leaves_absent_ids_out(tmp_path: Path, server: ReplayServer) -> None:
    from test_add import cli

    _crossref_work(server, "test_works_with_one_id__0.json")
    lib = _lib(tmp_path)
    done = cli(lib, server, "add", "10.1371/journal.pone.0033693", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["paper"]["ids"] == {"doi": "10.1371/journal.pone.0033693"}
    assert "null" not in json.dumps(data["paper"]["ids"])
    listed = json.loads(cli(lib, server, "list", "--json").stdout)
    assert listed[0]["ids"] == {"doi": "10.1371/journal.pone.0033693"}
