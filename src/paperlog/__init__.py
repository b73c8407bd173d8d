"""paperlog: keep a paper-reading log as a plain-text library."""

__version__ = "0.1.0"
