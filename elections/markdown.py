"""Markdown from the meta repository (bios, descriptions, results.md) rendered as sanitised HTML.

The meta repository accepts pull requests from candidates, so its Markdown is untrusted input: raw HTML is
allowed through Markdown and then cleaned with nh3, which keeps a fixed list of harmless tags, drops
scripts, styles and every event-handler attribute, and keeps only http, https and mailto links.
"""

from functools import lru_cache

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Tags whose content is dropped with them, not shown as text.
DROPPED_WITH_CONTENT = {"script", "style"}
ALLOWED_TAGS = nh3.ALLOWED_TAGS - {"map", "area"}
ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
}
ALLOWED_ATTRIBUTES = {tag: attrs for tag, attrs in ALLOWED_ATTRIBUTES.items() if tag in ALLOWED_TAGS}


def render_markdown(text, *, baselevel=1):
    """Markdown to HTML that is safe to insert into a page.

    ``baselevel`` is the level a ``#`` heading becomes, so that a document's own headings fit below the
    page's ``<h1>`` (2 on a page that already has one).
    """
    if not text:
        return SafeString("")
    return mark_safe(_render(str(text), baselevel))  # noqa: S308 - cleaned by nh3 in _render


# The same few documents (descriptions, bios) are shown on every page view: render each once per process.
# Keyed by the text itself, so an edited document is rendered anew.
@lru_cache(maxsize=512)
def _render(text, baselevel):
    html = markdown_lib.markdown(
        text,
        extensions=["extra", "sane_lists", "toc"],
        extension_configs={"toc": {"baselevel": baselevel}},
        output_format="html",
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
