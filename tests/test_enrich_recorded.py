"""Issue 10, item 10: enrich a README whose items are in the recordings, and prove no paper
gets another paper's metadata; enrich says what matched how, and refuses a namesake.

The README is written at test time from the recordings themselves (titles read from the
recorded answers), imported by the real importer, and enriched through the real client and
sources against the replay server serving ../shared/corpus/api as recorded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import run_cli
from paperlog.services.import_readme import import_readme
from replay import ReplayServer, Reply, corpus_api
from test_add import new_library, source_env
from test_metadata import _arxiv, _crossref_work


def _first_family(message: dict[str, Any]) -> str:
    return str(message["author"][0]["family"])


def test_enrich_a_readme_of_recorded_papers(tmp_path: Path, server: ReplayServer) -> None:
    plos = _crossref_work(server, "test_works_with_one_id__0.json")
    srep = _crossref_work(server, "test_works_with_many_ids__2.json")
    _arxiv(server, "1710.08557")
    _arxiv(server, "1312.2021")
    # Every title search Crossref gets is answered with its recorded "ecology" search: two
    # real works, one titled "Chemical Ecology" (2012). The README's "Chemical Ecology" is
    # another paper of that name (2019, another author): a namesake, to be refused.
    search = json.loads(
        corpus_api("crossref", "habanero", "extracted", "test_works_query__0.json").read_text(
            "utf-8"
        )
    )
    server.add("/crossref/works", Reply.json(search))
    namesake = next(i for i in search["message"]["items"] if i["title"] == ["Chemical Ecology"])

    readme = tmp_path / "README.md"
    readme.write_text(
        "# Reading log\n\n# II. Paper Notes\n\n### Wk1 - 2020.07.06\nRecorded\n"
        f"* [{plos['title'][0]}](https://doi.org/{plos['DOI']}) [[Notes]()]\n"
        f"* [{srep['title'][0]}](https://doi.org/{srep['DOI']}) [[Notes]()] <kbd>2015</kbd>\n"
        "* [On Neuromechanical Approaches for the Study of Biological Grasp and Manipulation]"
        "(https://arxiv.org/abs/1710.08557) [[Notes]()] <kbd>2017</kbd>\n"
        "* [Living with the Wrong Sign](https://arxiv.org/abs/1312.2021) [[Notes]()] "
        "<kbd>2013</kbd>\n"
        "* [Chemical Ecology](https://example.org/chemical-ecology) [[Notes]()] <kbd>2019</kbd>\n",
        encoding="utf-8",
    )
    lib = new_library(tmp_path / "lib")
    import_readme(lib, readme)
    before = {p.key: p for p in lib.load_papers()}
    assert len(before) == 5
    done = run_cli("enrich", "--json", library=lib.root, env=source_env(server))
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    after = {p.key: p for p in lib.load_papers()}
    by_title = {p.title: p for p in after.values()}

    # each paper got its own metadata, matched by its own id
    mine = by_title[plos["title"][0]]
    assert mine.ids["doi"] == plos["DOI"].lower()
    assert mine.authors[0].endswith(_first_family(plos))
    assert mine.venue == "PLoS ONE" and mine.entry_type == "article"
    theirs = by_title[srep["title"][0]]
    assert theirs.ids["doi"] == srep["DOI"].lower()
    assert theirs.authors[0].endswith(_first_family(srep))
    assert theirs.container == "Scientific Reports"
    grasp = by_title[
        "On Neuromechanical Approaches for the Study of Biological Grasp and Manipulation"
    ]
    assert grasp.authors[0] == "Francisco J Valero-Cuevas"
    assert grasp.ids["doi"] == "10.1186/s12984-017-0305-3"
    sign = by_title["Living with the Wrong Sign"]
    assert sign.authors == ["Patrick Cooper", "Sergei Dubovsky", "Ali Mohsen"]
    # no author, abstract or DOI of one paper turns up on another
    dois = [p.ids.get("doi") for p in after.values() if p.ids.get("doi")]
    assert len(dois) == len(set(dois))
    abstracts = [p.abstract for p in after.values() if p.abstract]
    assert len(abstracts) == len(set(abstracts))
    firsts = [p.authors[0] for p in after.values() if p.authors]
    assert len(firsts) == len(set(firsts))

    # what matched how
    matched = {e["key"]: e["matched"] for e in report["enriched"]}
    assert matched[mine.key] == f"doi {plos['DOI'].lower()}"
    assert matched[grasp.key] == "arxiv 1710.08557"
    # the README says 2013, the journal reference 2014: reported, not silently decided
    assert any(c["key"] == sign.key and c["field"] == "year" for c in report["conflicts"])
    assert sign.year == 2013

    # the namesake is refused, and its paper left exactly as it was
    chem = by_title["Chemical Ecology"]
    assert chem.authors == [] and chem.abstract is None and "doi" not in chem.ids
    (failure,) = [f for f in report["failed"] if f["key"] == chem.key]
    assert str(namesake["issued"]["date-parts"][0][0]) in failure["reason"]
    assert "another paper of that title" in failure["reason"]
    assert chem == before[chem.key]


def test_enrich_says_how_a_title_matched(tmp_path: Path, server: ReplayServer) -> None:
    """By title: the percentage, and the year and author that agree, are printed."""
    search = json.loads(
        corpus_api("crossref", "habanero", "extracted", "test_works_query__0.json").read_text(
            "utf-8"
        )
    )
    server.add("/crossref/works", Reply.json(search))
    item = next(i for i in search["message"]["items"] if i["title"] == ["Chemical Ecology"])
    year = item["issued"]["date-parts"][0][0]
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Reading log\n\n# II. Paper Notes\n\n### Wk1 - 2020.07.06\nRecorded\n"
        f"* [Chemical Ecology](https://example.org/ce) [[Notes]()] <kbd>{year}</kbd>\n",
        encoding="utf-8",
    )
    lib = new_library(tmp_path / "lib")
    import_readme(lib, readme)
    done = run_cli("enrich", library=lib.root, env=source_env(server))
    assert done.returncode == 0, done.stderr
    assert "(matched by title (100%) + year)" in done.stdout
    (paper,) = lib.load_papers()
    assert paper.ids["doi"] == item["DOI"].lower()
