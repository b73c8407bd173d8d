"""Application services: the layer that decides what to write.

Sources (``paperlog.resolve``, ``paperlog.catalog``) return records; formats
(``paperlog.formats``) parse and render text; the plan (``paperlog.plan``) computes. A service
combines them and writes the library under its lock in one transaction. The CLI and the web
app call services, never the writing parts of the layers below.
"""
