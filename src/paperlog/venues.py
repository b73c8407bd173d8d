"""Venues: badge labels ("NIPS 2019", "ECCV'18") and long source names to canonical venues.

One table, ``VENUES``, holds what paperlog knows about a venue: its kind, the short spellings
people write in badges, and regular expressions for the long names that metadata APIs return.
Everything here is pure and never raises on odd text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

__all__ = [
    "KINDS",
    "VENUES",
    "Badge",
    "canonical_venue",
    "parse_badge",
    "venue_aliases",
    "venue_from_source",
    "venue_kind",
]

KINDS = ("conference", "journal", "workshop", "preprint", "blog")

# canonical name -> (kind, aliases, long-name patterns). Aliases match whole names, ignoring case,
# spaces and punctuation ("RA-L" == "ral"); patterns are searched (case-insensitive) in the long
# names that Crossref, Semantic Scholar, DBLP or BibTeX give.
VENUES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # Computer vision and graphics
    "CVPR": (
        "conference",
        ("CVPR", "IEEE/CVF CVPR", "IEEE CVPR"),
        (r"Computer Vision and Pattern Recognition(?!\s*[-–(]?\s*Workshops?)",),
    ),
    "CVPRW": (
        "workshop",
        ("CVPRW", "CVPR Workshop", "CVPR Workshops", "CVPR-W"),
        (
            r"Computer Vision and Pattern Recognition\s*[-–(]?\s*Workshops?",
            r"\bCVPR\s+Workshops?",
        ),
    ),
    "ICCV": (
        "conference",
        ("ICCV", "IEEE/CVF ICCV", "IEEE ICCV"),
        (
            r"(?<!European )(?<!Asian )International Conference on Computer Vision"
            r"(?!\s*(?:Workshops?|Systems|Theory|and))",
        ),
    ),
    "ICCVW": (
        "workshop",
        ("ICCVW", "ICCV Workshop", "ICCV Workshops"),
        (r"International Conference on Computer Vision\s*[-–(]?\s*Workshops?",),
    ),
    "ECCV": (
        "conference",
        ("ECCV",),
        (r"European Conference on Computer Vision(?!\s*[-–(]?\s*Workshops?)", r"\bECCV\b"),
    ),
    "ECCVW": (
        "workshop",
        ("ECCVW", "ECCV Workshop", "ECCV Workshops"),
        (r"European Conference on Computer Vision\s*[-–(]?\s*Workshops?",),
    ),
    "WACV": (
        "conference",
        ("WACV",),
        (
            r"Winter Conference on Applications of Computer Vision",
            r"Workshop on Applications of Computer Vision",
        ),
    ),
    "BMVC": ("conference", ("BMVC",), (r"British Machine Vision Conference",)),
    "3DV": ("conference", ("3DV",), (r"International Conference on 3D Vision",)),
    "ACCV": ("conference", ("ACCV",), (r"Asian Conference on Computer Vision",)),
    "ICPR": ("conference", ("ICPR",), (r"International Conference on Pattern Recognition",)),
    "SIGGRAPH": ("conference", ("SIGGRAPH",), (r"\bSIGGRAPH\b(?!\s*Asia)",)),
    "ICIP": ("conference", ("ICIP",), (r"International Conference on Image Processing",)),
    "ICASSP": (
        "conference",
        ("ICASSP",),
        # The journal of the same name is today's IEEE Transactions on Signal Processing.
        (r"(?<!Transactions on )Acoustics,?\s+Speech,?\s+and\s+Signal\s+Processing",),
    ),
    "Interspeech": ("conference", ("Interspeech", "INTERSPEECH"), (r"\bInterspeech\b",)),
    # Machine learning and AI
    "NeurIPS": (
        "conference",
        ("NeurIPS", "NIPS", "NeurlPS", "Neural Information Processing Systems"),
        (r"Neural Information Processing Systems", r"\bNeurIPS\b", r"\bNIPS\b"),
    ),
    "ICML": (
        "conference",
        ("ICML",),
        (r"International Conference on Machine Learning(?!\s*(?:and|,\s*Applications))",),
    ),
    "ICLR": ("conference", ("ICLR",), (r"International Conference on Learning Representations",)),
    "AAAI": (
        "conference",
        ("AAAI",),
        (r"AAAI Conference on Artificial Intelligence", r"Proceedings of the AAAI\b", r"^AAAI\b"),
    ),
    "IJCAI": (
        "conference",
        ("IJCAI",),
        (r"International Joint Conference on Artificial Intelligence",),
    ),
    "AISTATS": ("conference", ("AISTATS",), (r"Artificial Intelligence and Statistics",)),
    "UAI": ("conference", ("UAI",), (r"Uncertainty in Artificial Intelligence",)),
    "COLT": ("conference", ("COLT",), (r"Conference on (?:Computational )?Learning Theory",)),
    "KDD": (
        "conference",
        ("KDD", "SIGKDD", "ACM SIGKDD"),
        (r"Knowledge Discovery (?:and|&) Data Mining",),
    ),
    "L4DC": ("conference", ("L4DC",), (r"Learning for Dynamics (?:and|&) Control",)),
    # Natural language and speech
    "ACL": (
        "conference",
        ("ACL", "ACL-IJCNLP"),
        (r"Annual Meeting of the Association for Computational Linguistics",),
    ),
    "EMNLP": ("conference", ("EMNLP",), (r"Empirical Methods in Natural Language Processing",)),
    "NAACL": (
        "conference",
        ("NAACL", "NAACL-HLT", "NAACL HLT"),
        (r"North American Chapter of the Association for Computational Linguistics",),
    ),
    "EACL": (
        "conference",
        ("EACL",),
        (r"European Chapter of the Association for Computational Linguistics",),
    ),
    "COLING": (
        "conference",
        ("COLING",),
        (r"International Conference on Computational Linguistics",),
    ),
    "TACL": (
        "journal",
        ("TACL",),
        (r"Transactions of the Association for Computational Linguistics",),
    ),
    # Medical imaging
    "MICCAI": (
        "conference",
        ("MICCAI",),
        (r"Medical Image Computing and Computer[- ]Assisted Intervention", r"\bMICCAI\b"),
    ),
    "IPMI": ("conference", ("IPMI",), (r"Information Processing in Medical Imaging",)),
    "MIDL": ("conference", ("MIDL",), (r"Medical Imaging with Deep Learning",)),
    "ISBI": ("conference", ("ISBI",), (r"International Symposium on Biomedical Imaging",)),
    # A MICCAI satellite workshop series in the seed reading list; no stable long name.
    "MIML": ("workshop", ("MIML",), ()),
    "BIBM": ("conference", ("BIBM",), (r"Bioinformatics and Biomedicine",)),
    "TMI": (
        "journal",
        ("TMI", "IEEE TMI", "T-MI", "IEEE Trans. Med. Imaging"),
        (r"Transactions on Medical Imaging",),
    ),
    "MIA": (
        "journal",
        ("MIA", "MedIA", "Medical Image Analysis", "Med. Image Anal."),
        (r"^Medical Image Analysis\b(?!\s*(?:and|workshop))",),
    ),
    "NeuroImage": ("journal", ("NeuroImage", "JNeuroImage"), (r"^NeuroImage\b(?!\s*:)",)),
    "JBHI": ("journal", ("JBHI", "IEEE JBHI"), (r"Journal of Biomedical and Health Informatics",)),
    # Journals
    "TPAMI": (
        "journal",
        (
            "TPAMI",
            "PAMI",
            "T-PAMI",
            "IEEE TPAMI",
            "IEEE PAMI",
            "IEEE Trans. Pattern Anal. Mach. Intell.",
        ),
        (r"Transactions on Pattern Analysis and Machine Intelligence",),
    ),
    "IJCV": (
        "journal",
        ("IJCV", "Int. J. Comput. Vis.", "Int. J. Comput. Vision"),
        (r"International Journal of Computer Vision",),
    ),
    "TIP": (
        "journal",
        ("TIP", "IEEE TIP", "IEEE Trans. Image Process."),
        (r"Transactions on Image Processing",),
    ),
    "TNNLS": (
        "journal",
        ("TNNLS", "NNLS", "IEEE TNNLS", "TNN", "IEEE Trans. Neural Netw. Learn. Syst."),
        (
            r"Transactions on Neural Networks and Learning Systems",
            r"Transactions on Neural Networks\b",
        ),
    ),
    "TMM": (
        "journal",
        ("TMM", "IEEE TMM", "IEEE Trans. Multimedia"),
        (r"Transactions on Multimedia",),
    ),
    "JMLR": (
        "journal",
        ("JMLR", "J. Mach. Learn. Res."),
        (r"Journal of Machine Learning Research",),
    ),
    "TMLR": (
        "journal",
        ("TMLR", "Trans. Mach. Learn. Res."),
        (r"Transactions on Machine Learning Research",),
    ),
    "Nature": ("journal", ("Nature",), (r"^Nature$",)),
    "Nature Communications": (
        "journal",
        ("Nature Communications", "Nat Commun", "Nat. Commun."),
        (r"^Nature Communications$",),
    ),
    "Nature Machine Intelligence": (
        "journal",
        ("Nature Machine Intelligence", "Nat Mach Intell", "Nat. Mach. Intell."),
        (r"^Nature Machine Intelligence$",),
    ),
    "Nature Medicine": ("journal", ("Nature Medicine", "Nat Med"), (r"^Nature Medicine$",)),
    "Science": ("journal", ("Science",), (r"^Science$",)),
    "Science Robotics": ("journal", ("Science Robotics", "Sci Robot"), (r"^Science Robotics$",)),
    "PNAS": (
        "journal",
        ("PNAS", "Proc. Natl. Acad. Sci. U.S.A.", "Proc. Natl. Acad. Sci."),
        (r"Proceedings of the National Academy of Sciences",),
    ),
    "CACM": ("journal", ("CACM", "Commun. ACM"), (r"Communications of the ACM",)),
    "Neural Computation": (
        "journal",
        ("Neural Computation", "Neural Comput"),
        (r"^Neural Computation$",),
    ),
    # Robotics and autonomous driving
    "CoRL": ("conference", ("CoRL",), (r"Conference on Robot Learning",)),
    "RSS": ("conference", ("RSS",), (r"Robotics:?\s+Science\s+and\s+Systems",)),
    "ICRA": ("conference", ("ICRA",), (r"International Conference on Robotics and Automation",)),
    "IROS": ("conference", ("IROS",), (r"Intelligent Robots and Systems",)),
    "IV": ("conference", ("IV", "IEEE IV"), (r"Intelligent Vehicles? Symposium",)),
    "ITSC": (
        "conference",
        ("ITSC", "IEEE ITSC"),
        (
            r"Intelligent Transportation Systems Conference",
            r"International Conference on Intelligent Transportation Systems",
        ),
    ),
    "TITS": (
        "journal",
        ("TITS", "T-ITS", "IEEE TITS", "IEEE T-ITS", "IEEE Trans. Intell. Transp. Syst."),
        (r"Transactions on Intelligent Transportation Systems",),
    ),
    "RA-L": (
        "journal",
        ("RA-L", "RAL", "LRA", "IEEE RA-L", "IEEE RAL", "IEEE LRA", "IEEE Robot. Autom. Lett."),
        (r"Robotics and Automation Letters",),
    ),
    "T-RO": (
        "journal",
        ("T-RO", "TRO", "IEEE T-RO", "IEEE TRO", "IEEE Trans. Robot."),
        (r"Transactions on Robotics",),
    ),
    "IJRR": (
        "journal",
        ("IJRR", "Int. J. Robot. Res."),
        (r"International Journal of Robotics Research",),
    ),
    "TGRS": (
        "journal",
        ("TGRS", "IEEE TGRS"),
        (r"Transactions on Geoscience and Remote Sensing",),
    ),
    "Sensors": (
        "journal",
        ("Sensors",),
        (r"^Sensors\b", r"Italian National Conference on Sensors"),
    ),
    "IEEE Access": ("journal", ("IEEE Access",), (r"^IEEE Access$",)),
    # Speech, audio and signal processing
    "TASLP": (
        "journal",
        ("TASLP", "IEEE/ACM TASLP", "IEEE TASLP", "IEEE/ACM Trans. Audio Speech Lang. Process."),
        (r"Transactions on Audio,?\s+Speech,?\s+and\s+Language\s+Processing",),
    ),
    "SPL": ("journal", ("SPL", "IEEE SPL"), (r"Signal Processing Letters",)),
    "SPM": ("journal", ("SPM", "IEEE SPM"), (r"Signal Processing Magazine",)),
    "Speech Communication": ("journal", ("Speech Communication",), (r"^Speech Communication$",)),
    "ASRU": ("workshop", ("ASRU",), (r"Automatic Speech Recognition and Understanding",)),
    "SLT": ("workshop", ("SLT",), (r"Spoken Language Technology",)),
    "WASPAA": (
        "workshop",
        ("WASPAA",),
        (r"Applications of Signal Processing to Audio and Acoustics",),
    ),
    "EUSIPCO": ("conference", ("EUSIPCO",), (r"European Signal Processing Conference",)),
    "IWAENC": (
        "workshop",
        ("IWAENC",),
        (r"Acoustic Signal Enhancement", r"Acoustic Echo and Noise Control"),
    ),
    # Neural networks, data mining, retrieval, multimedia, HCI
    "IJCNN": ("conference", ("IJCNN",), (r"International Joint Conference on Neural Networks?\b",)),
    "ICONIP": (
        "conference",
        ("ICONIP",),
        (r"International Conference on Neural Information Processing(?!\s*Systems)",),
    ),
    "ECML-PKDD": (
        "conference",
        ("ECML-PKDD", "ECML PKDD", "ECML", "PKDD", "ECMLPKDD"),
        (r"Machine Learning and (?:Principles and Practice of )?Knowledge Discovery in Databases",),
    ),
    "ACML": ("conference", ("ACML",), (r"Asian Conference on Machine Learning",)),
    "ICDM": ("conference", ("ICDM",), (r"(?<!SIAM )International Conference on Data Mining",)),
    "WSDM": ("conference", ("WSDM",), (r"Web Search and Data Mining",)),
    "CIKM": ("conference", ("CIKM",), (r"Information and Knowledge Management",)),
    "SIGIR": (
        "conference",
        ("SIGIR",),
        (r"Research and Development in Information Retrieval", r"\bSIGIR\b"),
    ),
    "WWW": (
        "conference",
        ("WWW", "TheWebConf", "The Web Conference"),
        (
            r"\bThe Web Conference\b",
            r"International World Wide Web Conference",
            r"International Conference on World Wide Web",
        ),
    ),
    "ACM MM": (
        "conference",
        ("ACM MM", "ACMMM", "ACM Multimedia"),
        (r"^ACM Multimedia\b", r"ACM International Conference on Multimedia"),
    ),
    "CHI": ("conference", ("CHI",), (r"Conference on Human Factors in Computing Systems",)),
    "CoNLL": (
        "conference",
        ("CoNLL",),
        (r"Conference on (?:Computational )?Natural Language Learning",),
    ),
    "AAMAS": ("conference", ("AAMAS",), (r"Autonomous Agents and Multi-?Agent Systems",)),
    "MLHC": ("conference", ("MLHC",), (r"Machine Learning for Healthcare Conference",)),
    "CHIL": ("conference", ("CHIL",), (r"Conference on Health, Inference, and Learning",)),
    "COLM": ("conference", ("COLM",), (r"Conference on Language Modeling",)),
    "LREC": (
        "conference",
        ("LREC",),
        (
            r"Language Resources and Evaluation Conference",
            r"International Conference on Language Resources and Evaluation",
        ),
    ),
    "ICME": ("conference", ("ICME",), (r"International Conference on Multimedia (?:and|&) Expo",)),
    "ICANN": (
        "conference",
        ("ICANN",),
        (r"International Conference on Artificial Neural Networks",),
    ),
    "GCPR": ("conference", ("GCPR", "DAGM"), (r"German Conference on Pattern Recognition",)),
    "CRV": ("conference", ("CRV", "IEEE CRV"), (r"Conference on Computer and Robot Vision",)),
    "Pattern Recognition": (
        "journal",
        ("Pattern Recognition", "Pattern Recognit."),
        (r"^Pattern Recognition$",),
    ),
    "PRL": (
        "journal",
        ("PRL", "Pattern Recognition Letters", "Pattern Recognit. Lett."),
        (r"^Pattern Recognition Letters$",),
    ),
    "CVIU": (
        "journal",
        ("CVIU", "Comput. Vis. Image Underst."),
        (r"Computer Vision and Image Understanding",),
    ),
    "Neural Networks": ("journal", ("Neural Networks", "Neural Netw."), (r"^Neural Networks$",)),
    "Machine Learning": (
        "journal",
        ("Machine Learning", "Mach. Learn."),
        # Semantic Scholar files this journal as "Machine-mediated learning".
        (r"^Machine Learning$", r"^Machine-mediated learning$"),
    ),
    "TOG": ("journal", ("TOG", "ACM TOG", "ACM Trans. Graph."), (r"ACM Transactions on Graphics",)),
    "TSP": (
        "journal",
        ("TSP", "IEEE TSP", "IEEE Trans. Signal Process."),
        (
            r"Transactions on Signal Processing",
            r"Transactions on Acoustics,?\s+Speech,?\s+and\s+Signal\s+Processing",
        ),
    ),
    # Preprint servers and blogs
    "arXiv": (
        "preprint",
        ("arXiv", "CoRR", "arXiv.org", "arXiv preprint", "ArXiv"),
        (r"^arXiv\b", r"\bCoRR\b", r"arXiv preprint"),
    ),
    "bioRxiv": ("preprint", ("bioRxiv",), (r"\bbioRxiv\b",)),
    "medRxiv": ("preprint", ("medRxiv",), (r"\bmedRxiv\b",)),
    "Distill": ("blog", ("Distill", "Distill.pub"), (r"^Distill\b",)),
}

# Book series, not venues: a chapter in LNCS was published at some conference that the series
# name does not tell.
_SERIES = re.compile(
    r"^(?:Lecture Notes in (?:Computer Science|Artificial Intelligence|Bioinformatics)|LNCS|LNAI"
    r"|Communications in Computer and Information Science|CCIS"
    r"|Advances in Intelligent Systems and Computing|Proceedings of Machine Learning Research|PMLR"
    r"|Studies in Computational Intelligence)\.?"
    # Crossref adds "(including subseries Lecture Notes in Artificial Intelligence and ...)".
    r"(?:\s*\(.*\))?$",
    re.IGNORECASE,
)

# Words after (or before) the year that say how a paper was presented, not where.
_QUALIFIER_WORDS = re.compile(
    r"\b(?:oral|spotlight|poster|highlight|workshops?|talk|best\s+paper.*|award.*|demo"
    r"|findings|short|long|tutorial|invited)\b.*$",
    re.IGNORECASE,
)
_YEAR4 = re.compile(r"(?<!\d)(\d{4})(?:[-/.](\d{1,2}))?(?!\d)")
# A two-digit year stuck to a venue ("EMNLP25", "CVPR19") or after an apostrophe ("ECCV'18").
_YEAR2_QUOTED = re.compile(r"['’‘`](\d{2})(?!\d)")
_YEAR2_STUCK = re.compile(r"(?<=[A-Za-z])(\d{2})(?!\d)")
_EDGE_PUNCT = " \t\r\n,;:-–—'’‘`()[]"


def _key(name: str) -> str:
    """Lookup key of a venue spelling: case, spaces and punctuation do not matter."""
    return re.sub(r"[\W_]+", "", name.casefold())


@cache
def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, (_kind, aliases, _patterns) in VENUES.items():
        for spelling in (canonical, *aliases):
            index.setdefault(_key(spelling), canonical)
    return index


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    return [
        (re.compile(pattern, re.IGNORECASE), canonical)
        for canonical, (_kind, _aliases, patterns) in VENUES.items()
        for pattern in patterns
    ]


def canonical_venue(name: str) -> str | None:
    """The canonical name of a venue spelling ("NIPS", "nips", "NeurIPS" -> "NeurIPS"), or None."""
    if not isinstance(name, str):
        return None
    index = _alias_index()
    key = _key(name)
    if not key:
        return None
    if key in index:
        return index[key]
    # "IEEE TGRS" style prefixes: the publisher is not part of the venue's name.
    stripped = re.sub(
        r"^(?:the|ieee|acm|ieee/cvf|proceedings of(?: the)?)\s+", "", name.strip(), flags=re.I
    )
    if stripped != name.strip():
        return index.get(_key(stripped))
    return None


def venue_aliases(name: str) -> list[str]:
    """Every spelling of a venue, canonical first ("NIPS" -> ["NeurIPS", "NIPS", ...])."""
    canonical = canonical_venue(name)
    if canonical is None:
        return [name]
    spellings = [canonical]
    for alias in VENUES[canonical][1]:
        if alias not in spellings:
            spellings.append(alias)
    return spellings


def venue_kind(canonical: str) -> str | None:
    """The kind ("conference", "journal", ...) of a venue, or None if it is unknown."""
    name = canonical_venue(canonical)
    return VENUES[name][0] if name is not None else None


@cache
def _exact_spellings() -> dict[str, str]:
    """Acronym spellings, case kept: a token in a long name counts only when written so."""
    return {
        spelling: canonical
        for canonical, (_kind, aliases, _patterns) in VENUES.items()
        for spelling in (canonical, *aliases)
        # An acronym: capitals after the first letter and no long lower-case run, so
        # "NeurIPS" and "3DV" count but "NeuroImage" (in "NeuroImage: Clinical") does not.
        if " " not in spelling
        and any(ch.isupper() for ch in spelling[1:])
        and not re.search(r"[a-z]{4}", spelling)
    }


def _detex(text: str) -> str:
    """Drop BibTeX braces and TeX escapes: "Proc.\\ of {CVPR}" -> "Proc. of CVPR"."""
    s = re.sub(r"\\([&%$#_])", r"\1", text)
    # A TeX space (backslash-space) stays a space; other commands and accents go and their
    # argument stays, so "Montr\\'eal" reads "Montreal".
    s = re.sub(r"\\[a-zA-Z]+\s*|\\[^a-zA-Z\s]", "", s.replace("\\ ", " "))
    return " ".join(s.replace("{", "").replace("}", "").split())


def venue_from_source(text: str) -> str | None:
    """Canonical venue of a long name from a metadata source, or None (unknown, or a series)."""
    if not isinstance(text, str):
        return None
    return _venue_from_source(text)


# A BibTeX file or an API listing repeats a few long names thousands of times.
@lru_cache(maxsize=4096)
def _venue_from_source(text: str) -> str | None:
    s = _detex(text)
    if not s or _SERIES.match(s):
        return None
    found = _venue_in(s)
    # "Proc. of CVPR - Workshops": the workshops have their own entry when we know them.
    if found is not None and re.search(r"\bworkshops?\b", s, re.IGNORECASE):
        workshop = found + "W"
        if workshop in VENUES:
            return workshop
    return found


# BibTeX and DBLP abbreviate the words the long-name patterns spell out.
_ABBREVIATIONS = (
    (r"\bTrans\.", "Transactions"),
    (r"\bConf\.", "Conference"),
    (r"\bInt(?:'l|l)?\.", "International"),
    (r"\bJ\.", "Journal"),
    (r"\bSymp\.", "Symposium"),
    (r"\bAssoc\.", "Association"),
)


def _venue_in(s: str) -> str | None:
    direct = canonical_venue(s)
    if direct is not None:
        return direct
    for abbreviation, word in _ABBREVIATIONS:
        s = re.sub(abbreviation, word, s)
    short = re.sub(
        r"^(?:in\s*:?\s+)?(?:proc\.?|proceedings)(?:\s+of)?(?:\s+the)?\s+", "", s, flags=re.I
    )
    short = re.sub(r"\s*[-–,]?\s*workshops?$", "", short, flags=re.IGNORECASE)
    direct = canonical_venue(short)
    if direct is not None:
        return direct
    # The longest matching pattern is the most specific: "... Pattern Recognition Workshops"
    # beats "... Pattern Recognition".
    best: tuple[int, str] | None = None
    for pattern, canonical in _patterns():
        m = pattern.search(s)
        if m and (best is None or len(m.group(0)) > best[0]):
            best = (len(m.group(0)), canonical)
    if best is not None:
        return best[1]
    # "Proceedings of ... (MIDL)" or "Computer Vision – ECCV 2020": a known acronym, written
    # as the venue writes it ("SCIENCE NATURE" is not Science).
    # Acronyms collide across fields ("TSP" is also a telecoms conference), so a journal's
    # acronym in a text that says "Conference" (or the reverse) is not taken.
    says_journal = re.search(r"\b(?:journal|transactions|letters|magazine)\b", s, re.I)
    says_meeting = re.search(r"\b(?:conference|symposium|workshop|proceedings|meeting)\b", s, re.I)
    exact = _exact_spellings()
    for token in re.findall(r"[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]", s):
        name = re.sub(r"(?<=[A-Za-z])'?\d{2}(?:\d{2})?$", "", token)
        if name not in exact:
            continue
        kind = VENUES[exact[name]][0]
        if (kind == "journal" and says_meeting) or (kind != "journal" and says_journal):
            continue
        return exact[name]
    return None


# ----------------------------------------------------------------------------------- badges


@dataclass(frozen=True)
class Badge:
    """A reading list's venue badge, read: ``<kbd>CVPR 2019 Oral</kbd>``."""

    label: str
    """The text as written, e.g. "NIPS 2019"."""
    venue: str | None
    """Canonical venue if known ("NeurIPS"); else the venue text as written; None if none."""
    year: int | None
    known: bool
    """Whether the venue is in ``VENUES``."""
    kind: str | None
    """"conference" | "journal" | "workshop" | "preprint" | "blog" | None."""
    qualifier: str | None
    """Trailing words such as "Oral", "workshop", "Best Paper Shortlist"."""


def _two_digit_year(digits: str) -> int:
    yy = int(digits)
    # A badge is written about a paper already out: "'95" is 1995, "'25" is 2025.
    return 2000 + yy if yy <= 50 else 1900 + yy


def _split_year(label: str) -> tuple[str, int | None, str]:
    """(text before the year, year, text after) of a badge label."""
    for m4 in _YEAR4.finditer(label):
        year = int(m4.group(1))
        if 1950 <= year <= 2100:
            return label[: m4.start()], year, label[m4.end() :]
    m = _YEAR2_QUOTED.search(label)
    if m and label[: m.start()].strip():
        return label[: m.start()], _two_digit_year(m.group(1)), label[m.end() :]
    m = _YEAR2_STUCK.search(label)
    if m and canonical_venue(label[: m.start()]) is not None:
        return label[: m.start()], _two_digit_year(m.group(1)), label[m.end() :]
    return label, None, ""


def _clean(text: str) -> str:
    return " ".join(text.split()).strip(_EDGE_PUNCT)


def parse_badge(label: str) -> Badge:
    """Read a badge label: venue (canonical when known), year, kind and trailing qualifier."""
    text = " ".join(str(label).split())
    before, year, after = _split_year(text)
    venue_text, qualifier = _clean(before), _clean(after)
    if not venue_text and qualifier:
        # The year may lead: "2019 CVPR Oral".
        venue_text, qualifier = qualifier, ""
    canonical = canonical_venue(venue_text) if venue_text else None
    if canonical is None and venue_text:
        # Qualifier words may come before the year too: "ICML workshop 2020".
        m = _QUALIFIER_WORDS.search(venue_text)
        if m and m.start() == 0:
            # Only a qualifier, no venue: "2020 workshop", "Oral 2019".
            venue_text, qualifier = "", _clean(f"{venue_text} {qualifier}")
        elif m:
            head = _clean(venue_text[: m.start()])
            found = canonical_venue(head) or venue_from_source(head)
            if found is not None:
                qualifier = _clean(f"{m.group(0)} {qualifier}")
                venue_text, canonical = head, found
    if canonical is None and year is None and venue_text:
        # No year: a known venue may lead ("CVPR 9"); an unknown word alone ("Goodnotes") is not
        # taken for a venue.
        words = venue_text.split()
        for cut in range(len(words) - 1, 0, -1):
            found = canonical_venue(" ".join(words[:cut]))
            if found is not None:
                canonical, qualifier = found, _clean(" ".join(words[cut:]))
                break
    if canonical is None and venue_text:
        canonical = venue_from_source(venue_text) if len(venue_text.split()) > 1 else None
    qual = qualifier or None
    if canonical is not None:
        kind: str | None = VENUES[canonical][0]
        venue: str | None = canonical
    elif year is not None and venue_text:
        venue = venue_text
        kind = "journal" if re.search(r"journal|transactions", venue_text, re.I) else None
    else:
        venue, kind = None, None
    if qual and re.search(r"\bworkshops?\b", qual, re.IGNORECASE) and kind == "conference":
        kind = "workshop"
    return Badge(
        label=str(label),
        venue=venue,
        year=year,
        known=canonical is not None,
        kind=kind,
        qualifier=qual,
    )
