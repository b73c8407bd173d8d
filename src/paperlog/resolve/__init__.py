"""Metadata sources (arXiv, Crossref, Semantic Scholar, DBLP, OpenReview) over one HTTP client."""
