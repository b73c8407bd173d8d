"""Paper identifiers: arXiv IDs, DOIs and the IDs that publisher and proceedings links reveal.

Every function here is pure (no I/O) and tolerant: what cannot be read as an identifier gives
``None`` (or an empty dict), never an exception, because the input is whatever a user pasted or a
hand-kept README linked to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, quote, unquote, urlsplit

__all__ = [
    "ID_PRIORITY",
    "Identifier",
    "arxiv_url",
    "doi_url",
    "ids_from_url",
    "normalize_arxiv",
    "normalize_doi",
    "parse_identifier",
]

# Identifiers are ASCII: without re.ASCII, \d would take full-width digits for an ID.
_FLAGS = re.IGNORECASE | re.ASCII

# --------------------------------------------------------------------------------------- arXiv

# Archives that existed before April 2007, when IDs looked like "hep-th/9901001". A fixed list,
# because "foo/0601001" must not pass for an arXiv ID just by having seven digits.
_OLD_ARCHIVES = frozenset(
    {
        "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an",
        "chao-dyn", "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an",
        "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th", "nlin",
        "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio", "quant-ph",
        "solv-int", "supr-con",
    }
)  # fmt: skip

_NEW_ID = r"(?P<yymm>\d{4})\.(?P<num>\d{4,5})(?:v(?P<ver>\d+))?"
_OLD_ID = r"(?P<arch>[a-z]+(?:-[a-z]+)?)(?:\.[a-z][a-z-]+)?/(?P<odig>\d{7})(?:v(?P<over>\d+))?"
_ANY_ID = rf"(?:{_NEW_ID}|{_OLD_ID})"
# Digits may not continue the ID: "2002.057091" is not "2002.05709" plus noise.
_ID_END = r"(?![\d])"

_BARE_RE = re.compile(rf"^{_ANY_ID}$", _FLAGS)
# "arXiv:2002.05709", "arxiv 2002.05709", "arXiv.2002.05709" (the tail of the arXiv DOI).
_PREFIXED_RE = re.compile(rf"^(?:10\.48550/)?arxiv\s*[:.]?\s*{_ANY_ID}$", _FLAGS)
# Inside longer text only an explicit "arXiv:" marks an ID: "arXiv preprint arXiv:1312.4400".
_EMBEDDED_RE = re.compile(rf"\barxiv\s*:\s*{_ANY_ID}{_ID_END}", _FLAGS)
_ARXIV_HOSTS = (
    "arxiv.org",
    "export.arxiv.org",
    "ar5iv.org",
    "ar5iv.labs.arxiv.org",
    "alphaxiv.org",
    "arxiv-sanity.com",
    "arxiv-sanity-lite.com",
    "arxiv-vanity.com",
)
# Sites that file papers under /arxiv/<id>.
_ARXIV_MIRROR_HOSTS = ("semanticscholar.org", "scirate.com", "paperswithcode.com")
_MIRROR_PATH_RE = re.compile(rf"^/(?:arxiv|arxiv-papers)/{_ANY_ID}(?:$|[^\w].*$)", _FLAGS)
# Paths under an arXiv host that carry an ID: /abs/ID, /pdf/ID(.pdf), /html/ID, /format/ID, ...
_ARXIV_PATH_RE = re.compile(
    rf"^/(?:(?:abs|pdf|html|format|ps|src|e-print|papers?)/)?{_ANY_ID}(?:$|[^\w].*$)",
    _FLAGS,
)
# huggingface.co/papers/2002.05709 is a common place to meet a paper; it only takes new IDs.
_HF_PATH_RE = re.compile(rf"^/papers/{_NEW_ID}{_ID_END}", _FLAGS)


def _valid_new(yymm: str, num: str) -> bool:
    """A new-style ID (April 2007 on): 4-digit numbers until 2014, 5-digit from 2015."""
    yy, mm = int(yymm[:2]), int(yymm[2:])
    if not 1 <= mm <= 12:
        return False
    if len(num) == 4:
        return (7, 4) <= (yy, mm) <= (14, 12)
    return yy >= 15


def _valid_old(arch: str, digits: str) -> bool:
    """An old-style ID: a known archive and YYMMNNN from August 1991 to March 2007."""
    if arch not in _OLD_ARCHIVES:
        return False
    yy, mm = int(digits[:2]), int(digits[2:4])
    if not 1 <= mm <= 12:
        return False
    return (yy, mm) >= (91, 8) or (yy, mm) <= (7, 3)


def _from_match(m: re.Match[str]) -> str | None:
    """The canonical ID of a regex match over ``_ANY_ID`` (version dropped), if it is valid."""
    if m.group("yymm") is not None:
        if _valid_new(m.group("yymm"), m.group("num")):
            return f"{m.group('yymm')}.{m.group('num')}"
        return None
    arch = m.group("arch").lower()
    # arXiv files "math.GT/0309136" as "math/0309136": the subject class is not part of the ID.
    if _valid_old(arch, m.group("odig")):
        return f"{arch}/{m.group('odig')}"
    return None


_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", _FLAGS)
# "arxiv.org/abs/..." pasted without a scheme. The host must end in a letter TLD so that a bare
# DOI ("10.1007/…") is not taken for a host.
_SCHEMELESS_RE = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?::\d+)?/", _FLAGS)


# A plain http(s) link: a host of letters, digits, dots and dashes (no user, port or IPv6
# brackets), no whitespace anywhere. For these the split below is urlsplit's, without its
# general machinery (most links a README holds; tests/test_ids.py checks they agree).
_PLAIN_URL = re.compile(r"https?://([A-Za-z0-9.-]+)([^?#\s]*)(?:\?([^#\s]*))?(?:#\S*)?", _FLAGS)


# ids_from_url reads one link three ways (arXiv, DOI, the rest): parse it once.
@lru_cache(maxsize=4096)
def _url_parts(text: str) -> tuple[str, str, str] | None:
    """(host without "www.", path, query) of something URL-shaped, else None."""
    s = text.strip()
    plain = _PLAIN_URL.fullmatch(s)
    if plain is not None and (not plain.group(2) or plain.group(2)[0] == "/"):
        host = plain.group(1).lower().removeprefix("www.")
        return host, plain.group(2), plain.group(3) or ""
    return _split_any_url(s)


def _split_any_url(s: str) -> tuple[str, str, str] | None:
    """``_url_parts`` by urlsplit, for any URL-shaped text (stripped)."""
    if s.startswith("//"):
        s = "https:" + s
    elif not _SCHEME_RE.match(s):
        if not _SCHEMELESS_RE.match(s):
            return None
        s = "https://" + s
    try:
        parts = urlsplit(s)
        host = (parts.hostname or "").lower()
    except ValueError:  # "http://[not-ipv6" and friends
        return None
    host = host.removeprefix("www.")
    return host, parts.path, parts.query


def normalize_arxiv(text: str) -> str | None:
    """The canonical arXiv ID (no version) that ``text`` names, or None.

    Accepts bare IDs (``2002.05709v3``, ``hep-th/9901001``, ``math.GT/0309136``), ``arXiv:`` and
    DOI (``10.48550/arXiv.…``) prefixes, and arxiv.org / export / ar5iv links to abs, pdf and html
    pages. Old-style IDs keep their archive and lose the subject class, as arXiv files them.
    """
    if not isinstance(text, str):
        return None
    s = unquote(text.strip()).strip("<>\"' \t\r\n").rstrip(".,;)]}")
    if not s:
        return None
    m = _BARE_RE.match(s) or _PREFIXED_RE.match(s)
    if m:
        return _from_match(m)
    if s.startswith("/"):
        # A site-relative link such as "/html/2002.05709v1" or "/abs/cs/0601001".
        m = _ARXIV_PATH_RE.match(s)
        return _from_match(m) if m else None
    url = _url_parts(s)
    if url is not None:
        host, path, _query = url
        if host in _ARXIV_HOSTS:
            m = _ARXIV_PATH_RE.match(path)
            if m:
                return _from_match(m)
        if host in _ARXIV_MIRROR_HOSTS:
            m = _MIRROR_PATH_RE.match(path)
            if m:
                return _from_match(m)
        if host == "huggingface.co":
            m = _HF_PATH_RE.match(path)
            if m:
                return _from_match(m)
        if host in ("doi.org", "dx.doi.org"):
            return normalize_arxiv(path.lstrip("/"))
        return None
    m = _EMBEDDED_RE.search(s)
    return _from_match(m) if m else None


def arxiv_url(arxiv_id: str) -> str:
    """The abstract page of an arXiv ID: ``https://arxiv.org/abs/<id>``."""
    return f"https://arxiv.org/abs/{arxiv_id.strip()}"


# ----------------------------------------------------------------------------------------- DOI

_DOI_RE = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/\S+$", re.ASCII)
# A DOI inside a URL path or query value; it begins where a path segment begins.
_DOI_IN_URL_RE = re.compile(r"(?:^|[/=:])(10\.\d{4,9}(?:\.\d+)*/.+)$", re.ASCII)
_DOI_PREFIX_RE = re.compile(r"^(?:doi\s*:?\s*|urn:doi:|info:doi/)", _FLAGS)
# Page-type suffixes that publishers append after the DOI in a link; not part of the DOI.
_DOI_TAILS = re.compile(
    r"(?:\.pdf|/full|/abstract|/abs|/epdf|/pdf|/fulltext|/full-text|/html|/meta|/summary"
    r"|/references|/figures|/citedby|/suppl_file|/supplemental|\.full|\.abstract|\.short"
    r"|\.full-text|\+html)$",
    _FLAGS,
)
# bioRxiv and medRxiv add a version to the DOI in their links: 10.1101/2020.03.01.971838v1.
_BIORXIV_VERSION = re.compile(r"^(10\.1101/[\d.]+)v\d+$", _FLAGS)
# nature.com/articles/<suffix> is the DOI 10.1038/<suffix>.
_NATURE_PATH = re.compile(r"^/articles/((?=[^/]*\d)[a-z0-9][a-z0-9.-]*[a-z0-9])(?:\.pdf)?$", _FLAGS)


def _clean_doi(raw: str) -> str | None:
    """Trim what links and prose wrap around a DOI, lower-case it, and check its shape."""
    s = raw.strip().strip("<>\"'")
    for _ in range(4):  # "…/full.pdf" needs two passes; a fixed bound keeps this loop finite
        before = s
        s = s.rstrip(".,;:]}>'\"")
        # A closing parenthesis belongs to the DOI only when it closes one opened inside it,
        # as in 10.1016/S0140-6736(20)30183-5.
        while s.endswith(")") and s.count(")") > s.count("("):
            s = s[:-1]
        s = _DOI_TAILS.sub("", s)
        m = _BIORXIV_VERSION.match(s)
        if m:
            s = m.group(1)
        if s == before:
            break
    s = s.lower()
    return s if _DOI_RE.match(s) else None


def _unquote_all(text: str) -> str:
    """Undo percent-encoding, including a link encoded twice (``%252F``)."""
    s = text
    for _ in range(3):
        t = unquote(s)
        if t == s:
            break
        s = t
    return s


def normalize_doi(text: str) -> str | None:
    """The lower-cased DOI that ``text`` names, or None.

    Accepts bare DOIs, ``doi:`` prefixes, doi.org links (percent-encoded or not), and publisher
    links that carry the DOI in their path or query (Springer, ACM, Wiley, T&F, PLOS, bioRxiv…).
    Links without a DOI in them (IEEE Xplore, ScienceDirect) give None.
    """
    if not isinstance(text, str):
        return None
    s = text.strip()
    if not s:
        return None
    url = _url_parts(s)
    if url is None:
        # Prose wraps DOIs in brackets and quotes: "(10.1016/…)." reads as the DOI inside.
        s = _DOI_PREFIX_RE.sub("", _unquote_all(s).lstrip("([{<\"'")).strip()
        tokens = s.split()
        if len(tokens) > 1 and all(_DOI_RE.match(token) for token in tokens):
            # arXiv's metadata lists a paper's DOI then its erratum's: the first is the paper.
            s = tokens[0]
        return _clean_doi(s) if _DOI_RE.match(s) else None
    host, path, query = url
    # A DOI in the query wins: PLOS ("article?id=10.1371/…") and viewers ("?doi=10.…").
    for key, values in parse_qs(query).items():
        if key.lower() in ("doi", "id", "rft_id", "uri"):
            for value in values:
                v = _DOI_PREFIX_RE.sub("", _unquote_all(value).strip())
                if _DOI_RE.match(v.lower()):
                    return _clean_doi(v)
    path = _unquote_all(path)
    if host == "nature.com":
        m = _NATURE_PATH.match(path)
        if m:
            return _clean_doi(f"10.1038/{m.group(1)}")
    m = _DOI_IN_URL_RE.search(path)
    return _clean_doi(m.group(1)) if m else None


def doi_url(doi: str) -> str:
    """The resolver link of a DOI: ``https://doi.org/<doi>``, escaping what a URL cannot hold."""
    return "https://doi.org/" + quote(doi.strip(), safe="/:;()[]._-~!$&'*+,=@")


# ------------------------------------------------------------------------------- other URL IDs

_OPENREVIEW_PATHS = ("/forum", "/pdf", "/attachment", "/revisions", "/notes/edits")
_OPENREVIEW_ID = re.compile(r"^[A-Za-z0-9_-]{5,}$", re.ASCII)
_S2_ID = re.compile(r"^[0-9a-f]{40}$", _FLAGS)
_PMLR_PATH = re.compile(
    r"^/(?:proceedings/papers/)?(v\d+)/([A-Za-z0-9_-]+?)(?:\.pdf|\.html)?(?:/|$)", re.ASCII
)
_NIPS_NUMBER = re.compile(r"^/paper/(\d+)-[^/]+(?:/|$)", re.ASCII)
_NIPS_HASH = re.compile(r"/(?:hash|file)/([0-9a-f]{32})-", _FLAGS)
_CVF_STEM = re.compile(r"/content[_/][^/].*/([^/]+)\.(?:pdf|html)$", _FLAGS)
_PII_PATH = re.compile(r"/pii/([A-Z0-9()-]{10,})", _FLAGS)
_ACL_NEW = re.compile(r"^(\d{4}\.[a-z0-9-]+\.\d+)$", _FLAGS)
_ACL_OLD = re.compile(r"^([A-Z]\d{2}-\d{4})$", re.ASCII)


def _openreview_id(path: str, query: str) -> str | None:
    if path.rstrip("/") not in _OPENREVIEW_PATHS:
        return None
    for key in ("id", "noteId"):
        for value in parse_qs(query).get(key, []):
            if _OPENREVIEW_ID.match(value):
                return value
    return None


def _s2_id(host: str, path: str) -> str | None:
    segments = [seg for seg in path.split("/") if seg]
    if host == "pdfs.semanticscholar.org" and len(segments) == 2:
        # pdfs.semanticscholar.org/e5df/6bc6…b372.pdf splits the 40-hex paper ID after 4 digits.
        joined = segments[0] + segments[1].removesuffix(".pdf")
        return joined.lower() if _S2_ID.match(joined) else None
    if host in ("semanticscholar.org", "api.semanticscholar.org"):
        if "paper" in segments:
            tail = segments[segments.index("paper") + 1 :]
            for seg in reversed(tail):
                if _S2_ID.match(seg):
                    return seg.lower()
        if segments[:1] == ["reader"] and len(segments) == 2 and _S2_ID.match(segments[1]):
            return segments[1].lower()
    return None


def _acl_id(path: str) -> str | None:
    last = [seg for seg in path.split("/") if seg]
    if not last:
        return None
    stem = re.sub(r"\.(?:pdf|bib|xml)$", "", last[-1], flags=_FLAGS)
    stem = re.sub(r"v\d+$", "", stem)  # "P19-1001v2": a corrected version of the same paper
    m = _ACL_NEW.match(stem) or _ACL_OLD.match(stem)
    return m.group(1) if m else None


def ids_from_url(url: str) -> dict[str, str]:
    """Every identifier a link reveals, by kind (see ``Identifier.kind``); ``{}`` for others."""
    if not isinstance(url, str):
        return {}
    found: dict[str, str] = {}
    parts = _url_parts(url)
    if parts is None:
        return found
    host, path, query = parts
    arxiv = normalize_arxiv(url)
    if arxiv:
        found["arxiv"] = arxiv
    doi = normalize_doi(url)
    if doi:
        found["doi"] = doi
    upath = _unquote_all(path)
    if host in ("openreview.net", "api.openreview.net"):
        rid = _openreview_id(path, query)
        if rid:
            found["openreview"] = rid
    elif "semanticscholar.org" in host:
        s2 = _s2_id(host, path)
        if s2:
            found["s2"] = s2
    elif host in ("proceedings.mlr.press", "jmlr.org") and (
        host != "jmlr.org" or upath.startswith("/proceedings/")
    ):
        m = _PMLR_PATH.match(
            upath.removeprefix("/proceedings/papers") if host == "jmlr.org" else upath
        )
        if m:
            found["pmlr"] = f"{m.group(1)}/{m.group(2)}"
    elif host in ("papers.nips.cc", "proceedings.neurips.cc", "papers.neurips.cc"):
        m = _NIPS_HASH.search(upath)
        if m:
            found["nips"] = m.group(1).lower()
        else:
            m = _NIPS_NUMBER.match(upath)
            if m:
                found["nips"] = m.group(1)
    elif host in ("openaccess.thecvf.com", "cv-foundation.org"):
        m = _CVF_STEM.search(upath)
        # A supplement's file name is often a shortened title, not the paper's stem: no ID.
        if m and "/supplemental/" not in upath.lower():
            found["cvf"] = m.group(1)
    elif host in ("sciencedirect.com", "linkinghub.elsevier.com"):
        m = _PII_PATH.search(upath)
        if m:
            found["pii"] = re.sub(r"[()-]", "", m.group(1)).upper()
    elif host in ("aclanthology.org", "aclweb.org", "anthology.aclweb.org"):
        acl = _acl_id(upath)
        if acl:
            found["acl"] = acl
    return found


# --------------------------------------------------------------------------------- user input


@dataclass(frozen=True)
class Identifier:
    """What a user typed to ``paperlog add``, classified."""

    kind: str
    """One of ``ID_PRIORITY`` ("arxiv", "doi", "openreview", ...), or "url" or "title"."""
    value: str
    """The canonical value: the normalised ID, the URL, or the title text."""


# When a link reveals several IDs, the one that resolves best to metadata names the paper.
ID_PRIORITY = ("arxiv", "doi", "openreview", "pmlr", "nips", "cvf", "acl", "pii", "s2")


def parse_identifier(text: str) -> Identifier:
    """Classify user input: arXiv ID/URL, DOI/DOI URL, another known URL, any URL, or a title.

    A link pasted without a scheme ("github.com/x/y") gets "https://". A title has its
    whitespace collapsed; empty input gives a title with an empty value, which the caller
    should reject.
    """
    s = text.strip() if isinstance(text, str) else ""
    arxiv = normalize_arxiv(s)
    if arxiv:
        return Identifier("arxiv", arxiv)
    doi = normalize_doi(s)
    if doi:
        return Identifier("doi", doi)
    if _SCHEMELESS_RE.match(s) and not any(ch.isspace() for ch in s):
        s = "https://" + s  # "github.com/x/y": a link pasted without its scheme
    if re.match(r"^https?://\S+$", s, _FLAGS):
        found = ids_from_url(s)
        for kind in ID_PRIORITY:
            if kind in found:
                return Identifier(kind, found[kind])
        return Identifier("url", s)
    return Identifier("title", " ".join(s.split()))
