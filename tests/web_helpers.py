"""Shared by the web tests: a small library with every kind of page content, and clients.

The library holds two weeks of readings, a queue on two tracks, a paper with key ideas due
for review, and hostile strings (titles, venue labels, notes, URLs) that must never run.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from starlette.testclient import TestClient

from paperlog.library import Library
from paperlog.model import (
    Config,
    Link,
    Paper,
    Reading,
    ResourceGroup,
    ResourceItem,
    ResourceSection,
    Topic,
    WeekInfo,
)
from paperlog.web.app import create_app
from paperlog.web.common import Settings

MON = date(2024, 5, 6)
"""Monday of week 2; week 1 started on 2024-04-29."""
WED = date(2024, 5, 8)
SUN = date(2024, 5, 12)
BASE_URL = "http://127.0.0.1:8421"
XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"
"""A hostile string placed in titles, venue labels, notes and links."""


def at(day: date) -> datetime:
    """A fixed clock: 10:00 UTC on ``day``."""
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


def make_library(root: Path) -> Library:
    """The test library (see the module docstring)."""
    config = Config(
        title="Web test log",
        topics=[
            Topic("Uns", "Unsupervised Techniques"),
            Topic("Seg", "Segmentation"),
        ],
    )
    lib = Library.create(root, config)
    wk1 = date(2024, 4, 29)
    papers = [
        Paper(
            "simclr-2020",
            "A Simple Framework for Contrastive Learning of Visual Representations",
            nickname="SimCLR",
            status="read",
            authors=["Ting Chen", "Simon Kornblith"],
            year=2020,
            venue="ICML",
            venue_label="ICML 2020",
            track="depth",
            topics=["Uns"],
            readings=[
                Reading(
                    week=1, week_start=wk1, group="Self-supervised", date=date(2024, 4, 30), order=1
                )
            ],
            notes="## Key ideas\n\n- two augmented views\n- a projection head\n\n## Notes\n\nGood.\n",
            url="https://arxiv.org/abs/2002.05709",
        ),
        Paper(
            "unet-2015",
            "U-Net: Convolutional Networks for Biomedical Image Segmentation",
            status="read",
            year=2015,
            venue="MICCAI",
            venue_label="MICCAI 2015",
            track="breadth",
            topics=["Seg"],
            readings=[Reading(week=1, week_start=wk1, date=date(2024, 5, 1), order=2)],
        ),
        Paper(
            "hostile-2021",
            f"Hostile {XSS} title",
            nickname=f"Evil{XSS}",
            status="wish",
            year=2021,
            venue_label=f"Conf {XSS}",
            track="depth",
            rank=1,
            url="javascript:alert(document.cookie)",
            links=[Link("code", "javascript:alert(2)"), Link("site", "https://example.org/ok")],
            notes=f"# Notes {XSS}\n\n[click](javascript:alert(3))\n\n<iframe src=x></iframe>\n",
        ),
        Paper(
            "moco-2020",
            "Momentum Contrast for Unsupervised Visual Representation Learning",
            nickname="MoCo",
            status="wish",
            year=2020,
            venue="CVPR",
            venue_label="CVPR 2020",
            track="depth",
            topics=["Uns"],
            rank=2,
        ),
        Paper(
            "resnet-2016",
            "Deep Residual Learning for Image Recognition",
            nickname="ResNet",
            status="wish",
            year=2016,
            venue="CVPR",
            venue_label="CVPR 2016",
            track="breadth",
            rank=3,
        ),
        Paper(
            "byol-2020",
            "Bootstrap Your Own Latent",
            nickname="BYOL",
            status="wish",
            year=2020,
            venue="NeurIPS",
            venue_label="NeurIPS 2020",
            track="depth",
            topics=["Uns"],
            rank=4,
        ),
    ]
    lib.write_all(
        papers=papers,
        weeks=[WeekInfo(1, wk1, note=f"short week {XSS}", groups=["Self-supervised"])],
        resources=[
            ResourceSection(
                "Courses",
                None,
                [
                    ResourceGroup(
                        None,
                        [
                            ResourceItem(
                                f"CS231n {XSS}",
                                [
                                    Link("site", "https://cs231n.stanford.edu"),
                                    Link("x", "javascript:1"),
                                ],
                                star="⭐",
                            )
                        ],
                    )
                ],
            )
        ],
    )
    return lib


def client_for(
    lib: Library,
    day: date = WED,
    *,
    token: str | None = None,
    host: str = "127.0.0.1",
    **kw: object,
) -> TestClient:
    """An in-process client of the app over ``lib`` with its clock fixed on ``day``."""
    settings = Settings(root=lib.root, host=host, token=token, now=lambda: at(day), **kw)  # type: ignore[arg-type]
    return TestClient(create_app(settings), base_url=BASE_URL)


def csrf_of(client: TestClient, url: str = "/") -> str:
    """The CSRF token a page's forms carry."""
    import re

    match = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get(url).text)
    assert match is not None, f"no CSRF field on {url}"
    return match.group(1)
