"""The briefing's HTML (a Jinja2 template, styles inlined) and its PDF (WeasyPrint, offline).

The document holds everything it shows: styles in a ``<style>`` element, images as
``data:`` URIs. Printing it fetches nothing: :class:`OfflineFetcher` serves ``data:`` URIs
and refuses every other address (``http:``, ``https:``, ``file:``, ...), so a name or a
note that carried a link could not make the PDF reach out.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt

from core import i18n
from core.report import text as fmt

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "briefing.html.j2"
STYLESHEET = "briefing.css"
ALLOWED_SCHEMES = ("data",)
#: Sphinx roles in the Methods notes (``:mod:`core.x```), shown as plain code
_ROLE = re.compile(r":(?:mod|func|class|data|attr|meth|obj):`")
#: reStructuredText's literal-block marker (``text::``), shown as a plain colon
_LITERAL = re.compile(r"::$", re.MULTILINE)
#: heading levels of the Methods notes, under the appendix's own headings (h2, h3)
HEADING_SHIFT = 3


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters.update(figure=fmt.figure, money=fmt.money, percent=fmt.percent)
    env.add_extension("jinja2.ext.i18n")  # _() in the template: the language in effect
    env.install_gettext_callables(i18n._, i18n.ngettext)
    return env


def html(document: dict) -> str:
    """The briefing page for ``document`` (the context :func:`core.report.compose.briefing`
    builds), with the stylesheet inlined, in the language in effect (core.i18n)."""
    css = (TEMPLATES / STYLESHEET).read_text(encoding="utf-8")
    return _environment().get_template(TEMPLATE).render(css=css, lang=i18n.language(),
                                                        **document)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown(source: str) -> str:
    """A Methods note (Markdown, as the Methods page shows it) as HTML: raw HTML in the
    note is escaped, Sphinx roles become code, headings sit below the appendix's."""
    md = _markdown()
    tokens = md.parse(_LITERAL.sub(":", _ROLE.sub("`", source)))
    for t in tokens:
        if t.type in ("heading_open", "heading_close"):
            t.tag = f"h{min(int(t.tag[1]) + HEADING_SHIFT, 6)}"
    return md.renderer.render(tokens, md.options, {})


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetchingError

    class OfflineFetcher(URLFetcher):
        """Serves ``data:`` URIs; refuses every other URL, and keeps the refused ones."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=ALLOWED_SCHEMES, allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if url.split(":", 1)[0].lower() not in ALLOWED_SCHEMES:
                self.refused.append(url)
                raise URLFetchingError(f"the briefing fetches nothing; refused {url}")
            return super().fetch(url, headers)

    return OfflineFetcher


def offline_fetcher():
    """A WeasyPrint URL fetcher that serves only ``data:`` URIs (``.refused`` lists the
    others it was asked for)."""
    return _fetcher_class()()


def pdf(document: str, fetcher=None) -> bytes:
    """The HTML ``document`` printed to PDF by WeasyPrint, fetching nothing."""
    import weasyprint

    return weasyprint.HTML(string=document, url_fetcher=fetcher or offline_fetcher(),
                           media_type="print").write_pdf()
