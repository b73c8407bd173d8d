"""Identifiers: arXiv and DOI normalisation, IDs from links, classification of `paperlog add` input.

The tables hold link shapes met in real reading lists and BibTeX files (the seed README, the
corpus READMEs and .bib files), written out here so the tests run without the corpus.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from paperlog.ids import (
    ID_PRIORITY,
    Identifier,
    arxiv_url,
    doi_url,
    ids_from_url,
    normalize_arxiv,
    normalize_doi,
    parse_identifier,
)

# ------------------------------------------------------------------------------------- arXiv

ARXIV_CASES = [
    # bare, with versions
    ("2002.05709", "2002.05709"),
    ("2002.05709v3", "2002.05709"),
    ("  2002.05709v12 ", "2002.05709"),
    ("1312.4400", "1312.4400"),  # 4-digit number, 2013
    ("0704.0001", "0704.0001"),  # the first new-style ID
    ("1412.9999", "1412.9999"),
    ("1501.00001", "1501.00001"),  # 5-digit numbers from 2015
    # prefixes
    ("arXiv:2002.05709", "2002.05709"),
    ("arxiv:2002.05709v2", "2002.05709"),
    ("ARXIV: 2002.05709", "2002.05709"),
    ("arXiv 1502.03167", "1502.03167"),
    ("arXiv.2002.05709", "2002.05709"),
    ("10.48550/arXiv.2002.05709", "2002.05709"),
    ("https://doi.org/10.48550/arXiv.2002.05709", "2002.05709"),
    ("arXiv preprint arXiv:1312.4400", "1312.4400"),  # a Google Scholar BibTeX journal field
    ("arXiv:1706.03762 [cs.CL]", "1706.03762"),
    # links, as written in reading lists
    ("https://arxiv.org/abs/2002.05709", "2002.05709"),
    ("http://arxiv.org/abs/1512.03385", "1512.03385"),
    ("arxiv.org/abs/2002.05709v2", "2002.05709"),
    ("https://arxiv.org/abs/1911.05722v3", "1911.05722"),
    ("https://arxiv.org/pdf/2002.05709.pdf", "2002.05709"),
    ("https://arxiv.org/pdf/2002.05709", "2002.05709"),
    ("https://arxiv.org/pdf/1909.00169v7.pdf", "1909.00169"),
    ("http://arxiv.org/pdf/1506.05869.pdf", "1506.05869"),
    ("https://arxiv.org/pdf/1611.05431v2", "1611.05431"),
    ("https://www.arxiv.org/abs/2002.05709", "2002.05709"),
    ("http://export.arxiv.org/abs/2002.05709", "2002.05709"),
    ("https://arxiv.org/html/2002.05709v1", "2002.05709"),
    ("/html/2002.05709v1", "2002.05709"),
    ("/abs/1502.01852", "1502.01852"),
    ("https://ar5iv.labs.arxiv.org/html/1512.03385", "1512.03385"),
    ("https://ar5iv.org/abs/1512.03385", "1512.03385"),
    ("https://huggingface.co/papers/2002.05709", "2002.05709"),
    ("https://www.semanticscholar.org/arxiv/2002.05709", "2002.05709"),
    ("https://scirate.com/arxiv/2002.05709", "2002.05709"),
    ("https://www.arxiv-vanity.com/papers/2002.05709/", "2002.05709"),
    ("https://arxiv.org/pdf/1603.05027.pdf?utm_source=x&utm_medium=y", "1603.05027"),
    ("http://arxiv.org/pdf/1112.6209.pdf&embed", "1112.6209"),
    ("https://arxiv.org/1908.03568", "1908.03568"),
    ("<https://arxiv.org/abs/2002.05709>", "2002.05709"),
    ("https://arxiv.org/abs/2002.05709).", "2002.05709"),
    # old style: archive kept, subject class dropped
    ("hep-th/9901001", "hep-th/9901001"),
    ("hep-th/9901001v2", "hep-th/9901001"),
    ("cs/0601001", "cs/0601001"),
    ("cs.LG/0601001", "cs/0601001"),
    ("math.GT/0309136", "math/0309136"),
    ("arXiv:math.GT/0309136v1", "math/0309136"),
    ("https://arxiv.org/abs/cs/0601001", "cs/0601001"),
    ("http://export.arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001"),
    ("https://arxiv.org/pdf/cond-mat/0703470v1.pdf", "cond-mat/0703470"),
    ("CS/0601001", "cs/0601001"),
    ("hep-th/9108001", "hep-th/9108001"),
    ("math/0703999", "math/0703999"),
]

ARXIV_REJECTS = [
    "",
    "   ",
    "1234.5",  # too short
    "1313.12345",  # month 13
    "2000.12345",  # month 00
    "0703.1234",  # new style began in April 2007
    "1501.1234",  # 4-digit numbers ended with 2014
    "1412.12345",  # 5-digit numbers began in 2015
    "2002.057091",  # six digits
    "2002.05709.1",
    "foo/0601001",  # no such archive
    "cs/0613001",  # month 13
    "cs/060100",
    "hep-th/0801001",  # old style ended in March 2007
    "hep-th/0704001",
    "hep-th/9107001",  # arXiv opened in August 1991
    "https://arxiv.org/list/cs.CV/recent",
    "https://arxiv.org/",
    "https://arxiv.org/abd/2412.04463",
    "https://github.com/google-research/simclr",
    "https://www.example.com/abs/2002.05709",
    "A Simple Framework for Contrastive Learning",
    "10.1007/978-3-030-61166-8_12",
    "2020",
    "２００２.０５７０９",  # full-width digits are not an ID
]


@pytest.mark.parametrize(("text", "expected"), ARXIV_CASES)
def test_normalize_arxiv(text: str, expected: str) -> None:
    assert normalize_arxiv(text) == expected


@pytest.mark.parametrize("text", ARXIV_REJECTS)
def test_normalize_arxiv_rejects(text: str) -> None:
    assert normalize_arxiv(text) is None


def test_arxiv_url() -> None:
    assert arxiv_url("2002.05709") == "https://arxiv.org/abs/2002.05709"
    assert normalize_arxiv(arxiv_url("hep-th/9901001")) == "hep-th/9901001"


# --------------------------------------------------------------------------------------- DOI

DOI_CASES = [
    ("10.1007/978-3-030-61166-8_12", "10.1007/978-3-030-61166-8_12"),
    ("doi:10.1007/978-3-030-61166-8_12", "10.1007/978-3-030-61166-8_12"),
    ("DOI: 10.1145/3292500.3330701.", "10.1145/3292500.3330701"),
    ("https://doi.org/10.1007/978-3-030-61166-8_12", "10.1007/978-3-030-61166-8_12"),
    ("http://dx.doi.org/10.1109/CVPR.2016.90", "10.1109/cvpr.2016.90"),
    ("dx.doi.org/10.1145/3292500.3330701", "10.1145/3292500.3330701"),
    ("10.1007%2F978-3-030-59710-8_70", "10.1007/978-3-030-59710-8_70"),
    ("10.1007%252F978-3-030-59710-8_70", "10.1007/978-3-030-59710-8_70"),
    ("10.1109/ICASSP40776.2020.9054013", "10.1109/icassp40776.2020.9054013"),
    ("10.21437/Interspeech.2019-2680", "10.21437/interspeech.2019-2680"),
    ("10.1016/S0140-6736(20)30183-5", "10.1016/s0140-6736(20)30183-5"),
    ("(10.1016/S0140-6736(20)30183-5).", "10.1016/s0140-6736(20)30183-5"),
    (
        "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0",
        "10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0",
    ),
    ("10.1073/pnas.79.8.2554", "10.1073/pnas.79.8.2554"),
    ("10.1038/nature14539", "10.1038/nature14539"),
    ("info:doi/10.1038/nature14539", "10.1038/nature14539"),
    # arXiv metadata: the paper's DOI, then its erratum's
    ("10.1103/PhysRevD.75.124007 10.1103/PhysRevD.82.029901", "10.1103/physrevd.75.124007"),
    # publisher links that carry one
    (
        "https://link.springer.com/chapter/10.1007%2F978-3-030-59710-8_70",
        "10.1007/978-3-030-59710-8_70",
    ),
    (
        "https://link.springer.com/chapter/10.1007/978-3-030-61166-8_12",
        "10.1007/978-3-030-61166-8_12",
    ),
    (
        "https://link.springer.com/chapter/10.1007/978-3-319-66185-8_29",
        "10.1007/978-3-319-66185-8_29",
    ),
    ("https://link.springer.com/article/10.1007/s11263-015-0816-y", "10.1007/s11263-015-0816-y"),
    (
        "https://link.springer.com/content/pdf/10.1007/s11263-015-0816-y.pdf",
        "10.1007/s11263-015-0816-y",
    ),
    ("https://dl.acm.org/doi/10.1145/3292500.3330701", "10.1145/3292500.3330701"),
    ("https://dl.acm.org/doi/pdf/10.1145/3292500.3330701", "10.1145/3292500.3330701"),
    ("https://dl.acm.org/doi/abs/10.1145/3065386", "10.1145/3065386"),
    ("https://onlinelibrary.wiley.com/doi/full/10.1002/mp.13264", "10.1002/mp.13264"),
    ("https://onlinelibrary.wiley.com/doi/abs/10.1002/mp.13264", "10.1002/mp.13264"),
    ("https://onlinelibrary.wiley.com/doi/10.1002/mp.13264/full", "10.1002/mp.13264"),
    ("https://onlinelibrary.wiley.com/doi/epdf/10.1002/mp.13264", "10.1002/mp.13264"),
    (
        "https://www.tandfonline.com/doi/abs/10.1080/01621459.2017.1285773",
        "10.1080/01621459.2017.1285773",
    ),
    (
        "https://www.tandfonline.com/doi/full/10.1080/01621459.2017.1285773",
        "10.1080/01621459.2017.1285773",
    ),
    (
        "https://journals.plos.org/plosone/article?id=10.1371/journal.pone.0130140",
        "10.1371/journal.pone.0130140",
    ),
    (
        "https://journals.plos.org/plosone/article?id=10.1371%2Fjournal.pone.0130140",
        "10.1371/journal.pone.0130140",
    ),
    (
        "https://www.biorxiv.org/content/10.1101/2020.03.01.971838v1",
        "10.1101/2020.03.01.971838",
    ),
    (
        "https://www.biorxiv.org/content/10.1101/2020.03.01.971838v2.full.pdf",
        "10.1101/2020.03.01.971838",
    ),
    (
        "https://www.medrxiv.org/content/10.1101/2020.04.23.20076612v1.full",
        "10.1101/2020.04.23.20076612",
    ),
    ("https://www.biorxiv.org/content/10.1101/123456v1", "10.1101/123456"),
    ("https://journals.sagepub.com/doi/10.1177/0278364913491297", "10.1177/0278364913491297"),
    ("https://www.science.org/doi/10.1126/science.aar6404", "10.1126/science.aar6404"),
    ("https://pubs.acs.org/doi/10.1021/acs.jcim.9b00237", "10.1021/acs.jcim.9b00237"),
    ("https://www.nature.com/articles/nature14539", "10.1038/nature14539"),
    ("https://www.nature.com/articles/s41586-019-1724-z", "10.1038/s41586-019-1724-z"),
    ("https://www.nature.com/articles/s41586-019-1724-z.pdf", "10.1038/s41586-019-1724-z"),
    ("https://doi.org/10.1109/CVPR.2016.90#refs", "10.1109/cvpr.2016.90"),
]

DOI_REJECTS = [
    "",
    "doi:",
    "10.1/abc",  # registrant codes have 4 or more digits
    "10.1234",
    "10.1234/",
    "11.1234/abc",
    "2002.05709",
    "https://ieeexplore.ieee.org/document/8578843",
    "https://ieeexplore.ieee.org/abstract/document/8578843/",
    "https://www.sciencedirect.com/science/article/abs/pii/S1361841519300623?via%3Dihub",
    "http://citeseerx.ist.psu.edu/viewdoc/download?doi=10.1.1.149.802&rep=rep1&type=pdf",
    "https://www.mdpi.com/2072-4292/11/10/1170",
    "https://arxiv.org/abs/2010.12345",
    "https://doi.org/",
    "The DOI is 10.1038/nature14539 in prose",  # only whole identifiers, not prose
]


@pytest.mark.parametrize(("text", "expected"), DOI_CASES)
def test_normalize_doi(text: str, expected: str | None) -> None:
    assert normalize_doi(text) == expected


@pytest.mark.parametrize("text", DOI_REJECTS)
def test_normalize_doi_rejects(text: str) -> None:
    assert normalize_doi(text) is None


def test_doi_url_escapes_what_a_url_cannot_hold() -> None:
    assert doi_url("10.1007/978-3-030-61166-8_12") == (
        "https://doi.org/10.1007/978-3-030-61166-8_12"
    )
    url = doi_url("10.1000/a#b?c%d")
    assert "#" not in url and "?" not in url
    assert url.endswith("%25d")
    assert normalize_doi(url) == "10.1000/a#b?c%d"


# ------------------------------------------------------------------------------ ids_from_url

URL_CASES: list[tuple[str, dict[str, str]]] = [
    ("https://arxiv.org/abs/1502.03167", {"arxiv": "1502.03167"}),
    (
        "https://doi.org/10.48550/arXiv.2002.05709",
        {"arxiv": "2002.05709", "doi": "10.48550/arxiv.2002.05709"},
    ),
    (
        "https://link.springer.com/chapter/10.1007%2F978-3-030-59710-8_70",
        {"doi": "10.1007/978-3-030-59710-8_70"},
    ),
    ("https://openreview.net/forum?id=B16dGcqlx", {"openreview": "B16dGcqlx"}),
    ("http://openreview.net/forum?id=Syg_lYixe", {"openreview": "Syg_lYixe"}),
    ("https://openreview.net/pdf?id=SkdvdNxAZ", {"openreview": "SkdvdNxAZ"}),
    ("https://openreview.net/forum?id=r1Ue8Hcxg&noteId=abcde12345", {"openreview": "r1Ue8Hcxg"}),
    ("https://openreview.net/", {}),
    (
        "https://www.semanticscholar.org/paper/Statistical-Modeling%3A-The-Two-Cultures-Breiman/"
        "e5df6bc6da5653ad98e754b08f63326c2e52b372",
        {"s2": "e5df6bc6da5653ad98e754b08f63326c2e52b372"},
    ),
    (
        "https://www.semanticscholar.org/paper/E5DF6BC6DA5653AD98E754B08F63326C2E52B372",
        {"s2": "e5df6bc6da5653ad98e754b08f63326c2e52b372"},
    ),
    (
        "https://pdfs.semanticscholar.org/e5df/6bc6da5653ad98e754b08f63326c2e52b372.pdf",
        {"s2": "e5df6bc6da5653ad98e754b08f63326c2e52b372"},
    ),
    ("https://www.semanticscholar.org/author/Leo-Breiman/1745212", {}),
    ("http://proceedings.mlr.press/v9/gutmann10a/gutmann10a.pdf", {"pmlr": "v9/gutmann10a"}),
    ("http://proceedings.mlr.press/v119/abbas20a.html", {"pmlr": "v119/abbas20a"}),
    ("https://proceedings.mlr.press/v97/recht19a/recht19a.pdf", {"pmlr": "v97/recht19a"}),
    ("http://jmlr.org/proceedings/papers/v37/gregor15.pdf", {"pmlr": "v37/gregor15"}),
    (
        "http://www.jmlr.org/proceedings/papers/v27/bengio12a/bengio12a.pdf",
        {"pmlr": "v27/bengio12a"},
    ),
    ("http://jmlr.org/papers/volume15/srivastava14a/srivastava14a.pdf", {}),
    (
        "https://papers.nips.cc/paper/5656-hidden-technical-debt-in-machine-learning-systems.pdf",
        {"nips": "5656"},
    ),
    ("https://papers.nips.cc/paper/4687-large-scale-distributed-deep-networks", {"nips": "4687"}),
    (
        "https://proceedings.neurips.cc/paper/2020/file/1457c0d6bfcb4967418bfb8ac142f64a-Paper.pdf",
        {"nips": "1457c0d6bfcb4967418bfb8ac142f64a"},
    ),
    (
        "https://proceedings.neurips.cc/paper/2020/hash/1457c0d6bfcb4967418bfb8ac142f64a-Abstract.html",
        {"nips": "1457c0d6bfcb4967418bfb8ac142f64a"},
    ),
    (
        "https://proceedings.neurips.cc/paper_files/paper/2023/hash/"
        "0001ca33ba34ce0351e4612b744b3936-Abstract-Conference.html",
        {"nips": "0001ca33ba34ce0351e4612b744b3936"},
    ),
    ("https://papers.nips.cc/", {}),
    (
        "http://openaccess.thecvf.com/content_CVPR_2019/papers/"
        "Ding_Learning_RoI_Transformer_for_Oriented_Object_Detection_in_Aerial_Images_CVPR_2019_paper.pdf",
        {
            "cvf": "Ding_Learning_RoI_Transformer_for_Oriented_Object_Detection_in_Aerial_Images_CVPR_2019_paper"
        },
    ),
    (
        "http://openaccess.thecvf.com/content_CVPR_2020/html/"
        "Jakab_Self-Supervised_Learning_of_Interpretable_Keypoints_From_Unlabelled_Videos_CVPR_2020_paper.html",
        {
            "cvf": "Jakab_Self-Supervised_Learning_of_Interpretable_Keypoints_From_Unlabelled_Videos_CVPR_2020_paper"
        },
    ),
    (
        "http://www.cv-foundation.org/openaccess/content_cvpr_2015/papers/"
        "Long_Fully_Convolutional_Networks_2015_CVPR_paper.pdf",
        {"cvf": "Long_Fully_Convolutional_Networks_2015_CVPR_paper"},
    ),
    (
        "https://openaccess.thecvf.com/content/CVPR2021/papers/Chen_Exploring_CVPR_2021_paper.pdf",
        {"cvf": "Chen_Exploring_CVPR_2021_paper"},
    ),
    ("http://openaccess.thecvf.com/menu.py", {}),
    (
        "http://openaccess.thecvf.com/content_ICCV_2019/supplemental/"
        "Simonelli_Disentangling_Monocular_3D_ICCV_2019_supplemental.pdf",
        {},  # a supplement's stem is often a shortened title: it names no paper
    ),
    (
        "https://www.sciencedirect.com/science/article/abs/pii/S1361841519300623?via%3Dihub",
        {"pii": "S1361841519300623"},
    ),
    (
        "https://www.sciencedirect.com/science/article/pii/S0893608014002135",
        {"pii": "S0893608014002135"},
    ),
    (
        "https://linkinghub.elsevier.com/retrieve/pii/S1361841519300623",
        {"pii": "S1361841519300623"},
    ),
    ("https://aclanthology.org/2020.acl-main.1/", {"acl": "2020.acl-main.1"}),
    ("https://aclanthology.org/2020.acl-main.1.pdf", {"acl": "2020.acl-main.1"}),
    ("https://aclanthology.org/P15-1033.pdf", {"acl": "P15-1033"}),
    ("http://aclweb.org/anthology/D/D15/D15-1041.pdf", {"acl": "D15-1041"}),
    ("http://anthology.aclweb.org/D/D14/D14-1162.pdf", {"acl": "D14-1162"}),
    ("https://aclanthology.org/P19-1001v2.pdf", {"acl": "P19-1001"}),
    ("https://www.aclweb.org/anthology/N19-1423/", {"acl": "N19-1423"}),
    ("http://www.aclweb.org/anthology/N13-1#page=784", {}),  # a volume, not a paper
    ("https://www.nature.com/articles/nature14539", {"doi": "10.1038/nature14539"}),
    # ordinary links reveal nothing
    ("https://docs.google.com/document/d/e/2PACX-1vQbES1uib9h7vhToUZWYAf74Sw70i9/pub", {}),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", {}),
    ("https://drive.google.com/file/d/1EYPLUgLK0cm7FjOFixLAg6JvjqM56D0g/view?usp=sharing", {}),
    ("https://github.com/JunMa11/SegLoss", {}),
    ("https://distill.pub/2017/momentum/", {}),
    ("https://ieeexplore.ieee.org/document/8578843", {}),
    ("http://www.arxiv-sanity.com/", {}),
    ("https://scholar.google.com/citations?hl=en&view_op=search_authors", {}),
    ("http://citeseerx.ist.psu.edu/viewdoc/download?doi=10.1.1.149.802&rep=rep1&type=pdf", {}),
    ("not a url", {}),
    ("", {}),
    ("http://[::1", {}),
    ("https://", {}),
]


@pytest.mark.parametrize(("url", "expected"), URL_CASES)
def test_ids_from_url(url: str, expected: dict[str, str]) -> None:
    assert ids_from_url(url) == expected


def test_every_kind_found_has_a_priority() -> None:
    kinds = {kind for _url, found in URL_CASES for kind in found}
    assert kinds <= set(ID_PRIORITY)
    assert set(ID_PRIORITY) <= kinds


# ---------------------------------------------------------------------------- parse_identifier

PARSE_CASES = [
    ("2002.05709", Identifier("arxiv", "2002.05709")),
    ("arXiv:2002.05709v2", Identifier("arxiv", "2002.05709")),
    ("https://arxiv.org/pdf/2002.05709.pdf", Identifier("arxiv", "2002.05709")),
    ("hep-th/9901001", Identifier("arxiv", "hep-th/9901001")),
    ("10.1007/978-3-030-61166-8_12", Identifier("doi", "10.1007/978-3-030-61166-8_12")),
    ("doi:10.1038/NATURE14539", Identifier("doi", "10.1038/nature14539")),
    ("https://doi.org/10.1038/nature14539", Identifier("doi", "10.1038/nature14539")),
    (
        "https://link.springer.com/chapter/10.1007/978-3-319-66185-8_29",
        Identifier("doi", "10.1007/978-3-319-66185-8_29"),
    ),
    ("https://doi.org/10.48550/arXiv.2002.05709", Identifier("arxiv", "2002.05709")),
    ("https://openreview.net/forum?id=B16dGcqlx", Identifier("openreview", "B16dGcqlx")),
    (
        "http://proceedings.mlr.press/v9/gutmann10a/gutmann10a.pdf",
        Identifier("pmlr", "v9/gutmann10a"),
    ),
    (
        "https://papers.nips.cc/paper/4687-large-scale-distributed-deep-networks",
        Identifier("nips", "4687"),
    ),
    (
        "https://www.sciencedirect.com/science/article/abs/pii/S1361841519300623?via%3Dihub",
        Identifier("pii", "S1361841519300623"),
    ),
    ("https://aclanthology.org/2020.acl-main.1/", Identifier("acl", "2020.acl-main.1")),
    (
        "https://www.semanticscholar.org/paper/x/e5df6bc6da5653ad98e754b08f63326c2e52b372",
        Identifier("s2", "e5df6bc6da5653ad98e754b08f63326c2e52b372"),
    ),
    (
        "https://homes.cs.washington.edu/~pedrod/papers/cacm12.pdf",
        Identifier("url", "https://homes.cs.washington.edu/~pedrod/papers/cacm12.pdf"),
    ),
    (
        " https://distill.pub/2020/grand-tour/ ",
        Identifier("url", "https://distill.pub/2020/grand-tour/"),
    ),
    (
        "  A Simple Framework for\n Contrastive Learning  ",
        Identifier("title", "A Simple Framework for Contrastive Learning"),
    ),
    (
        "Statistical Modeling: The Two Cultures",
        Identifier("title", "Statistical Modeling: The Two Cultures"),
    ),
    ("U-Net", Identifier("title", "U-Net")),
    ("2020", Identifier("title", "2020")),
    ("", Identifier("title", "")),
    ("ftp://example.org/paper.pdf", Identifier("title", "ftp://example.org/paper.pdf")),
    ("github.com/JunMa11/SegLoss", Identifier("url", "https://github.com/JunMa11/SegLoss")),
    (
        "openreview.net/forum?id=B16dGcqlx",
        Identifier("openreview", "B16dGcqlx"),
    ),
    ("e.g./i.e. a title", Identifier("title", "e.g./i.e. a title")),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES)
def test_parse_identifier(text: str, expected: Identifier) -> None:
    assert parse_identifier(text) == expected


# ---------------------------------------------------------------------------------- the seed


def test_seed_links_name_57_arxiv_papers(seed_path: Path) -> None:
    text = seed_path.read_text(encoding="utf-8")
    links = re.findall(r"\]\((\S+?)\)", text)
    assert len(links) > 100
    arxiv_ids = {found["arxiv"] for url in links if "arxiv" in (found := ids_from_url(url))}
    assert len(arxiv_ids) == 57
    # every link to an arXiv abstract is read, and nothing else passes for one
    abs_links = {url for url in links if "arxiv.org/abs/" in url}
    assert {normalize_arxiv(url) for url in abs_links} == arxiv_ids


def test_seed_links_reveal_the_known_kinds(seed_path: Path) -> None:
    text = seed_path.read_text(encoding="utf-8")
    kinds = {kind for url in re.findall(r"\]\((\S+?)\)", text) for kind in ids_from_url(url)}
    assert {"arxiv", "doi", "s2", "pmlr", "nips", "pii"} <= kinds


# --------------------------------------------------------------------------------- properties

_yymm_4 = st.tuples(st.integers(7, 14), st.integers(1, 12)).filter(lambda t: t >= (7, 4))
_new_4 = st.builds(lambda ym, n: f"{ym[0]:02d}{ym[1]:02d}.{n:04d}", _yymm_4, st.integers(1, 9999))
_new_5 = st.builds(
    lambda y, m, n: f"{y:02d}{m:02d}.{n:05d}",
    st.integers(15, 99),
    st.integers(1, 12),
    st.integers(1, 99999),
)
_old = st.builds(
    lambda a, sub, y, m, n: f"{a}{sub}/{y:02d}{m:02d}{n:03d}",
    st.sampled_from(["hep-th", "cs", "math", "astro-ph", "cond-mat", "quant-ph", "q-bio"]),
    st.sampled_from(["", ".LG", ".GT", ".AI"]),
    st.sampled_from([92, 95, 99, 0, 3, 6]),  # whole years inside Aug 1991 .. Mar 2007
    st.integers(1, 12),
    st.integers(1, 999),
)
arxiv_ids = st.one_of(_new_4, _new_5, _old)
versions = st.one_of(st.just(""), st.integers(1, 30).map(lambda v: f"v{v}"))
arxiv_wrappers = st.sampled_from(
    [
        "{}",
        "arXiv:{}",
        "arxiv {}",
        " {} ",
        "https://arxiv.org/abs/{}",
        "http://arxiv.org/pdf/{}.pdf",
        "https://arxiv.org/pdf/{}",
        "arxiv.org/abs/{}",
        "http://export.arxiv.org/abs/{}",
        "/html/{}",
        "https://www.arxiv.org/abs/{}?context=cs",
    ]
)


@given(arxiv_ids, versions, arxiv_wrappers)
def test_normalize_arxiv_is_idempotent(arxiv_id: str, version: str, wrapper: str) -> None:
    first = normalize_arxiv(wrapper.format(arxiv_id + version))
    assert first is not None
    assert normalize_arxiv(first) == first
    # the canonical form has no version and no subject class
    assert not re.search(r"v\d+$", first)
    assert "." not in first.split("/")[0] or "/" not in first
    assert normalize_arxiv(arxiv_url(first)) == first


doi_suffixes = st.text(
    alphabet=st.sampled_from(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./;()"
    ),
    min_size=1,
    max_size=30,
).filter(lambda s: s[0].isalnum() and s[-1].isalnum())
dois = st.builds(
    lambda reg, suffix: f"10.{reg}/{suffix}", st.integers(1000, 99999999), doi_suffixes
)
doi_wrappers = st.sampled_from(
    [
        "{}",
        "doi:{}",
        "DOI: {}",
        "https://doi.org/{}",
        "http://dx.doi.org/{}",
        "https://link.springer.com/chapter/{}",
        "https://dl.acm.org/doi/{}",
        "https://onlinelibrary.wiley.com/doi/full/{}",
        "https://www.tandfonline.com/doi/abs/{}",
    ]
)


@given(dois, doi_wrappers, st.booleans())
def test_normalize_doi_is_idempotent(doi: str, wrapper: str, encode: bool) -> None:
    # Page-type tails ("/full", ".pdf") are taken for publisher suffixes, so DOIs ending in one
    # are not generated: no real DOI does.
    assume(normalize_doi(doi) is not None)
    text = doi.replace("/", "%2F", 1) if encode else doi
    first = normalize_doi(wrapper.format(text))
    assert first == normalize_doi(doi)
    assert first is not None
    assert first == first.lower()
    assert normalize_doi(first) == first
    assert normalize_doi(doi_url(first)) == first


_CANONICAL_ARXIV = re.compile(r"\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?/\d{7}", re.ASCII)


@given(st.one_of(st.text(max_size=60), arxiv_wrappers.map(lambda w: w.format("2002.05709"))))
def test_normalize_arxiv_gives_canonical_ascii_or_none(text: str) -> None:
    found = normalize_arxiv(text)
    assert found is None or _CANONICAL_ARXIV.fullmatch(found)
    doi = normalize_doi(text)
    assert doi is None or (doi.startswith("10.") and doi == doi.lower() and " " not in doi)


@given(st.text(max_size=200))
@settings(max_examples=300)
def test_ids_from_url_never_raises(text: str) -> None:
    found = ids_from_url(text)
    assert isinstance(found, dict)
    assert set(found) <= set(ID_PRIORITY)


url_parts = st.sampled_from(
    [
        "https://",
        "http://",
        "//",
        "arxiv.org/",
        "doi.org/",
        "openreview.net/forum?id=",
        "[",
        "]",
        "%",
        "%2F",
        "10.1234/",
        "abs/",
        "pdf/",
        "2002.05709",
        "v2",
        "/",
        "?",
        "#",
        "www.",
        "semanticscholar.org/paper/",
        "proceedings.mlr.press/v",
        "papers.nips.cc/paper/",
        "pii/",
        "aclanthology.org/",
        ":",
        "\x00",
        " ",
    ]
)


@given(st.lists(st.one_of(url_parts, st.text(max_size=5)), max_size=12).map("".join))
@settings(max_examples=200)
def test_url_shaped_junk_never_raises(text: str) -> None:
    ids_from_url(text)
    normalize_arxiv(text)
    normalize_doi(text)
    identifier = parse_identifier(text)
    assert identifier.kind in (*ID_PRIORITY, "url", "title")


# ------------------------------------------------------------------------------ real corpus

# An arXiv link written plainly: host, abs or pdf, a new-style ID, an optional version and .pdf.
_PLAIN_ARXIV_LINK = re.compile(
    r"(https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?)(?=[)\s\]\"'<>]|$)"
)


def test_corpus_arxiv_links_are_all_read(corpus: Path) -> None:
    readmes = sorted(corpus.glob("readmes/*/README.md"))
    assert readmes
    checked = 0
    for readme in readmes:
        for m in _PLAIN_ARXIV_LINK.finditer(readme.read_text(encoding="utf-8")):
            assert normalize_arxiv(m.group(1)) == m.group(2), (readme, m.group(1))
            assert ids_from_url(m.group(1)).get("arxiv") == m.group(2)
            checked += 1
    assert checked > 1000


def _bib_fields(corpus: Path, field: str) -> list[str]:
    values: list[str] = []
    for bib in sorted(corpus.glob("bibtex/*.bib")):
        text = bib.read_text(encoding="utf-8", errors="replace")
        values += re.findall(rf"^\s*{field}\s*=\s*[{{\"]([^}}\"]*)", text, re.I | re.M)
    return values


def test_corpus_bibtex_dois_normalise_to_themselves(corpus: Path) -> None:
    dois = _bib_fields(corpus, "doi")
    assert dois
    for doi in dois:
        assert normalize_doi(doi) == doi.strip().lower(), doi
        assert parse_identifier(doi) == Identifier("doi", doi.strip().lower())


def test_corpus_bibtex_urls_reveal_proceedings_ids(corpus: Path) -> None:
    urls = _bib_fields(corpus, "url")
    pmlr = [u for u in urls if "proceedings.mlr.press" in u]
    neurips = [u for u in urls if "proceedings.neurips.cc" in u]
    assert len(pmlr) > 100 and len(neurips) > 100
    for url in pmlr:
        found = ids_from_url(url)["pmlr"]
        assert found.startswith("v") and f"/{found.split('/')[1]}" in url, url
    for url in neurips:
        found = ids_from_url(url)["nips"]
        assert re.fullmatch(r"[0-9a-f]{32}", found) and found in url, url


def test_corpus_bibtex_arxiv_journal_fields(corpus: Path) -> None:
    # Google Scholar writes arXiv preprints as journal = {arXiv preprint arXiv:1312.4400}.
    fields = [j for j in _bib_fields(corpus, "journal") if re.search(r"arxiv:\d", j, re.I)]
    assert fields
    read = 0
    for field in fields:
        m = re.search(r"(\d\d)\d\d\.(\d+)", field)
        assert m is not None, field
        # IDs have 4-digit numbers until 2014 and 5 after; real files hold mistyped IDs
        # ("arXiv:1510.0848v1", "arXiv:2001.101172"), which must not pass for real ones.
        valid = len(m.group(2)) == (5 if int(m.group(1)) >= 15 else 4)
        assert normalize_arxiv(field) == (m.group(0) if valid else None), field
        read += valid
    assert read > 0.9 * len(fields)


def _api_records(corpus: Path) -> list[object]:
    import json

    records: list[object] = []
    for path in sorted((corpus / "api").rglob("*.json")):
        try:
            records.append(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, UnicodeDecodeError):
            continue  # a few recordings are error pages, not JSON
    return records


def _walk(node: object) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def test_corpus_api_identifiers_normalise_to_themselves(corpus: Path) -> None:
    # Crossref, Semantic Scholar and DOI content negotiation, as recorded.
    objects = [obj for record in _api_records(corpus) for obj in _walk(record)]
    dois = [v for obj in objects for k, v in obj.items() if k in ("DOI", "doi")]
    arxiv_ids = [v for obj in objects for k, v in obj.items() if k == "ArXiv"]
    assert len(dois) > 1000 and len(arxiv_ids) > 100
    for doi in dois:
        assert isinstance(doi, str)
        assert normalize_doi(doi) == doi.strip().lower(), doi
        assert normalize_doi(doi_url(doi)) == doi.strip().lower(), doi
    for arxiv_id in arxiv_ids:
        assert isinstance(arxiv_id, str)
        assert normalize_arxiv(arxiv_id) == arxiv_id
    # a record's resolver link names the record's DOI
    pairs = [
        (obj["DOI"], obj["URL"])
        for obj in objects
        if isinstance(obj.get("DOI"), str) and isinstance(obj.get("URL"), str)
    ]
    assert pairs
    for doi, url in pairs:
        assert isinstance(doi, str) and isinstance(url, str)
        assert ids_from_url(url)["doi"] == doi.lower()


def test_corpus_arxiv_abs_pages(corpus: Path) -> None:
    # arXiv's own .abs records: old-style IDs from 1991 on, new-style IDs, their DOIs.
    pages = sorted((corpus / "arxiv").rglob("*.abs"))
    assert len(pages) > 1000
    dois = 0
    for page in pages:
        text = page.read_text(encoding="utf-8", errors="replace")
        if not text.strip():
            continue  # the corpus holds a few empty recordings
        m = re.search(r"^arXiv:(\S+)", text, re.M)
        assert m is not None, page
        assert normalize_arxiv(m.group(1)) == re.sub(r"v\d+$", "", m.group(1)), page
        assert normalize_arxiv(f"https://arxiv.org/abs/{m.group(1)}") == normalize_arxiv(m.group(1))
        for field in re.findall(r"^DOI:\s*(.+)$", text, re.M):
            first = re.sub(r"^doi:", "", field.split()[0], flags=re.I)
            # several DOIs: the paper's, then an erratum's; "21.11130/..." is a handle
            expected = first.lower() if first.startswith("10.") else None
            assert normalize_doi(field) == expected, (page, field)
            dois += 1
    assert dois > 500


def test_corpus_catalog_links_of_one_paper_agree(corpus: Path) -> None:
    # Paper Copilot's lists give each paper's PDF, HTML page, open-access and review links:
    # every ID they reveal must name the one paper.
    import json

    folders = sorted((corpus / "catalog" / "papercopilot_paperlists").iterdir())
    assert folders
    files: list[Path] = []
    for folder in folders:
        # Link shapes change with the years: the oldest and the newest list of each venue
        # cover them and keep this fast.
        years = sorted(folder.glob("*.json"))
        files += sorted({years[0], years[-1]})
    found = 0
    pmlr_disagree = pmlr_total = 0
    for path in files:
        for record in json.loads(path.read_text(encoding="utf-8")):
            seen: dict[str, set[str]] = {}
            for key in ("pdf", "site", "oa", "supp", "metadata", "review", "openreview", "doi"):
                link = record.get(key)
                if isinstance(link, str) and link.startswith("http"):
                    for kind, value in ids_from_url(link).items():
                        seen.setdefault(kind, set()).add(value)
                        found += 1
            for kind, values in seen.items():
                if kind == "pmlr":
                    # PMLR itself is inconsistent once: v80/ye2018c.pdf for the page ye18c
                    pmlr_total += 1
                    pmlr_disagree += len(values) > 1
                else:
                    assert len(values) == 1, (path.name, record.get("title"), values)
            arxiv = record.get("arxiv")
            if isinstance(arxiv, str) and arxiv:
                assert normalize_arxiv(arxiv) is not None, arxiv
    assert found > 10000
    assert pmlr_disagree <= pmlr_total / 100


def test_corpus_openreview_lists(corpus: Path) -> None:
    import csv

    lists = [
        *sorted((corpus / "catalog").glob("*OpenReviewData/*.csv")),
        *sorted((corpus / "catalog").glob("*OpenReviewData/*.tsv")),
    ]
    assert lists
    checked = 0
    for path in lists:
        with path.open(encoding="utf-8", newline="") as handle:
            delimiter = "\t" if path.suffix == ".tsv" else ","
            rows = list(csv.DictReader(handle, delimiter=delimiter))
            for row in rows[::3]:  # every third row keeps this fast
                # Some rows hold unquoted commas in their titles, which shifts the columns:
                # the link is then found among the other cells.
                cells = [v for k, v in row.items() if k is not None and isinstance(v, str)]
                cells += row.get(None) or []
                link = next(c for c in cells if c.startswith("https://openreview.net/"))
                assert ids_from_url(link) == {"openreview": row["paper_id"]}, link
                assert parse_identifier(link) == Identifier("openreview", row["paper_id"])
                checked += 1
    assert checked > 1000


def test_corpus_daily_arxiv_feed(corpus: Path) -> None:
    # A daily arXiv feed (recent 5-digit IDs): the ID, its abs link and its pdf link agree.
    import itertools
    import json

    days = sorted((corpus / "catalog").glob("*daily-arXiv*/data/*.jsonl"))
    assert days
    checked = 0
    for day in days:
        # the first thirty of each day keep this fast; 69 days of IDs are plenty
        with day.open(encoding="utf-8") as handle:
            lines = list(itertools.islice(handle, 30))
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            arxiv_id = record["id"]
            assert normalize_arxiv(arxiv_id) == re.sub(r"v\d+$", "", arxiv_id)
            for key in ("abs", "pdf"):
                if record.get(key):
                    assert ids_from_url(record[key]) == {"arxiv": normalize_arxiv(arxiv_id)}
            checked += 1
    assert checked > 1000


# --- the plain-link fast path of _url_parts ---------------------------------------------------

_URL_CHARS = st.sampled_from([*"aZ09.-_/?#=&%:@[]() \t~+;,!$'*", "é", "\n"])


@settings(max_examples=500)
@given(
    scheme=st.sampled_from(["http", "https", "HTTPS", "ftp", ""]),
    host=st.text(alphabet=st.sampled_from(list("ab.-9:@[]W")), max_size=12),
    rest=st.text(alphabet=_URL_CHARS, max_size=30),
)
def test_plain_url_split_is_urlsplits(scheme: str, host: str, rest: str) -> None:
    """The regex split of plain links gives what the general urlsplit path gives, for any
    text shaped like a link (ports, users, brackets, spaces, fragments, odd schemes)."""
    from paperlog.ids import _split_any_url, _url_parts

    text = (f"{scheme}://" if scheme else "") + host + rest
    _url_parts.cache_clear()
    assert _url_parts(text) == _split_any_url(text.strip())


@pytest.mark.parametrize(
    "url",
    [
        "https://arxiv.org/abs/2002.05709v3",
        "http://WWW.Example.COM",
        "https://example.com?doi=10.1/x#top",
        "https://example.com:8080/x",
        "https://user@example.com/x",
        "https://[::1]/x",
        "https://example.com/a b",
    ],
)
def test_plain_url_split_examples(url: str) -> None:
    from paperlog.ids import _split_any_url, _url_parts

    _url_parts.cache_clear()
    assert _url_parts(url) == _split_any_url(url.strip())
