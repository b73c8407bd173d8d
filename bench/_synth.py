"""Synthetic but realistic reading logs for the benchmark, from a seeded RNG.

Titles, nicknames, venues, notes and weeks follow the shapes of the seed README: a nickname
before a colon, venue badges such as "CVPR 2019" or "NIPS 2018", weeks of six papers under
theme headings, Markdown notes with a "Key ideas" list.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from paperlog.model import Config, Link, Paper, Reading, Topic

TOPICS = [
    Topic("Gml", "General ML"),
    Topic("Opt", "Training & Optimization"),
    Topic("Net", "Networks"),
    Topic("Loc", "Localization"),
    Topic("Uns", "Unsupervised Techniques"),
    Topic("Ano", "Annotation Reduction"),
    Topic("Vid", "Video"),
]

_ADJ = [
    "Contrastive",
    "Self-Supervised",
    "Semi-Supervised",
    "Deep",
    "Hierarchical",
    "Efficient",
    "Robust",
    "Scalable",
    "Adversarial",
    "Probabilistic",
    "Volumetric",
    "Temporal",
    "Unsupervised",
    "Weakly-Supervised",
    "Residual",
    "Attention-Based",
    "Multi-Scale",
    "Densely Connected",
    "Uncertainty-Aware",
    "Curriculum",
]
_NOUN = [
    "Representations",
    "Networks",
    "Transformers",
    "Embeddings",
    "Features",
    "Priors",
    "Teachers",
    "Ensembles",
    "Autoencoders",
    "Policies",
    "Graphs",
    "Kernels",
]
_TASK = [
    "Image Segmentation",
    "Object Detection",
    "Visual Recognition",
    "Medical Image Analysis",
    "Video Understanding",
    "Multi-Object Tracking",
    "Cardiac MR Segmentation",
    "Skin Lesion Analysis",
    "Brain Tumour Segmentation",
    "Pose Estimation",
    "Domain Adaptation",
    "Active Learning",
    "Representation Learning",
    "Knowledge Distillation",
    "Noisy Labels",
]
_METHOD = [
    "Momentum Contrast",
    "Consistency Regularization",
    "Mutual Information",
    "Pseudo-Labelling",
    "Gradient-Guided Sampling",
    "Mixup",
    "Batch Normalization",
    "Learning Rate Warmup",
    "Spaced Repetition",
    "Predictive Coding",
]
_NICK_PARTS = ["Sim", "Mo", "Fix", "Mix", "Dense", "Res", "Vox", "U", "V", "Deep", "Mean", "Pi"]
_NICK_TAILS = ["Clr", "Co", "Match", "Net", "Teacher", "Model", "Former", "Seg", "Track", "GAN"]
_VENUES = [
    ("CVPR", "CVPR"),
    ("ICCV", "ICCV"),
    ("ECCV", "ECCV"),
    ("NeurIPS", "NIPS"),
    ("NeurIPS", "NeurIPS"),
    ("ICLR", "ICLR"),
    ("ICML", "ICML"),
    ("MICCAI", "MICCAI"),
    ("AAAI", "AAAI"),
    ("TPAMI", "TPAMI"),
    ("IPMI", "IPMI"),
]
_FIRST = ["Ting", "Kaiming", "Olaf", "Laurens", "Yann", "Geoffrey", "Fei-Fei", "Xinlei", "Lequan"]
_LAST = ["Chen", "He", "Ronneberger", "Maaten", "LeCun", "Hinton", "Li", "Yu", "Tarvainen"]
_GROUPS = [
    "Breadth: Classics on Network Components",
    "Depth: Recent Self-Supervised Techniques",
    "Biomedical Segmentation",
    "Semi-Supervised Learning",
    "Tracking",
    "Noisy Labels",
    "Localization Architectures",
]
_SENTENCES = [
    "The key idea is to pull positive pairs together and push negatives apart.",
    "Large batches and strong augmentation matter more than the architecture.",
    "A momentum encoder keeps the dictionary of negatives consistent.",
    "Skip connections recover the spatial detail lost by pooling.",
    "Consistency between two augmented views works as a training signal.",
    "Pseudo-labels are only kept above a confidence threshold.",
    "The ablation shows the projection head is essential.",
    "Evaluation uses a linear probe on frozen features.",
    "Compare with the mean teacher baseline on the same split.",
    "The loss is a temperature-scaled cross-entropy over similarities.",
    "Uncertainty estimates guide which samples to annotate next.",
    "Results on the small-data regime are the most convincing part.",
]


_DATASETS = [
    "",
    " on ImageNet",
    " on CIFAR-10",
    " on COCO",
    " on Cityscapes",
    " on BraTS",
    " on ISIC",
    " on Kinetics",
    " on MOT17",
    " on PASCAL VOC",
    " at Scale",
    " in the Wild",
    " from Sparse Annotation",
]


def title(rng: random.Random, seen: set[str]) -> tuple[str | None, str]:
    """A (nickname, title) pair in the seed's style, the title not in ``seen`` (then added).

    About half the titles carry a nickname. Titles are unique so that an import does not take
    two synthetic entries for two readings of one paper.
    """
    for tries in range(1_000_000):
        nick, text = _title(rng)
        if tries >= 20:
            # The word lists give about 80,000 titles: a 100k corpus numbers the rest.
            text += f", Part {len(seen)}"
        if text.casefold() not in seen:
            seen.add(text.casefold())
            return nick, text
    raise RuntimeError("no unique title left")


def _title(rng: random.Random) -> tuple[str | None, str]:
    shape = rng.randrange(3)
    if shape == 0:
        text = f"{rng.choice(_ADJ)} {rng.choice(_NOUN)} for {rng.choice(_TASK)}"
    elif shape == 1:
        text = f"{rng.choice(_TASK)} with {rng.choice(_METHOD)}"
    else:
        text = f"Learning {rng.choice(_ADJ)} {rng.choice(_NOUN)} via {rng.choice(_METHOD)}"
    text += rng.choice(_DATASETS)
    nick = None
    if rng.random() < 0.5:
        nick = rng.choice(_NICK_PARTS) + rng.choice(_NICK_TAILS)
        if rng.random() < 0.3:
            nick += str(rng.randrange(2, 4))
    return nick, text


def badge(rng: random.Random) -> tuple[str | None, str, int]:
    """(canonical venue or None, badge label, year)."""
    year = rng.randrange(2010, 2024)
    if rng.random() < 0.2:
        return None, str(year), year
    canonical, label = rng.choice(_VENUES)
    return canonical, f"{label} {year}", year


def notes(rng: random.Random) -> str:
    """A Markdown note body: a few sentences and a key-ideas list."""
    body = " ".join(rng.sample(_SENTENCES, rng.randrange(2, 5)))
    ideas = "\n".join(f"- {s}" for s in rng.sample(_SENTENCES, 3))
    return f"\n{body}\n\n## Key ideas\n{ideas}\n"


def config() -> Config:
    """The synthetic library's config: the seed's topic taxonomy."""
    return Config(title="Synthetic reading log", topics=list(TOPICS))


def papers(count: int, seed: int = 7) -> list[Paper]:
    """``count`` papers: two thirds read (six a week), the rest on the wish-list."""
    rng = random.Random(seed)
    start = date(2000, 1, 3)
    out: list[Paper] = []
    seen: set[str] = set()
    for i in range(count):
        nick, text = title(rng, seen)
        venue, label, year = badge(rng)
        read = i % 3 != 2
        week = i // 6
        arxiv = f"{year % 100:02d}{rng.randrange(1, 13):02d}.{rng.randrange(10000):05d}"
        out.append(
            Paper(
                key=f"p{i:05d}-{year}",
                title=text,
                nickname=nick,
                status="read" if read else "wish",
                authors=[
                    f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(rng.randrange(1, 5))
                ],
                year=year,
                venue=venue,
                venue_label=label,
                ids={"arxiv": arxiv},
                url=f"https://arxiv.org/abs/{arxiv}",
                links=[Link("Notes", f"https://notes.example/{i}")] if read else [Link("TBP")],
                track=rng.choice(["breadth", "depth", "depth"]),
                topics=rng.sample([t.code for t in TOPICS], rng.randrange(0, 3)),
                wish_group=None if read else rng.choice(_GROUPS),
                rank=None if read else i,
                readings=[
                    Reading(
                        week,
                        start + timedelta(weeks=week),
                        rng.choice(_GROUPS),
                        order=i % 6,
                    )
                ]
                if read
                else [],
                notes=notes(rng) if read else "",
            )
        )
    return out


def readme(count: int, seed: int = 11) -> str:
    """A hand-kept README in the seed's format with ``count`` entries, newest week first."""
    rng = random.Random(seed)
    weeks = (count + 5) // 6
    start = date(2000, 1, 3)
    lines = [
        "# Synthetic Reading Log",
        "My notes and progress.",
        "",
        "# II. Paper Notes",
        "",
    ]
    seen: set[str] = set()
    for week in range(weeks - 1, -1, -1):
        day = start + timedelta(weeks=week)
        lines.append(f"### Wk{week} - {day:%Y.%m.%d}")
        lines.append(rng.choice(_GROUPS))
        # The newest week holds the remainder; every older week is a full six.
        for _ in range(count - 6 * (weeks - 1) if week == weeks - 1 else 6):
            nick, text = title(rng, seen)
            shown = f"{nick}: {text}" if nick else text
            _venue, label, year = badge(rng)
            arxiv = f"{year % 100:02d}{rng.randrange(1, 13):02d}.{rng.randrange(10000):05d}"
            doc = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=24))
            lines.append(
                f"* [{shown}](https://arxiv.org/abs/{arxiv}) "
                f"[[Notes](https://docs.google.com/document/d/e/{doc}/pub)] <kbd>{label}</kbd>"
            )
        lines.append("")
    return "\n".join(lines) + "\n"
