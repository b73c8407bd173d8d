"""``paperlog serve``: a local web app over the same library, plan and resolve layers as the CLI.

Starlette + Jinja2, served by uvicorn; htmx (vendored in ``static/``) for partial updates.
See docs/web.md.
"""
