"""Importers and exporters: README, BibTeX, CSL-JSON."""
