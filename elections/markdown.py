"""Markdown from the meta repository (bios, descriptions, results.md) rendered as sanitised HTML.

Rendering is GitHub's own: cmark-gfm (through ``cmarkgfm``) with GitHub's extensions for tables,
strikethrough, autolinks and task lists, so a document reads here as it reads on GitHub. One thing is kept
from the Markdown Elekto used, because communities rely on it: a numbered list that follows a line of text
directly keeps its items even when it does not start at 1 (CommonMark would fold those lines into the
paragraph; see ``separate_lists``).

The meta repository accepts pull requests from candidates, so its Markdown is untrusted input: raw HTML is
allowed through Markdown and then cleaned with nh3, which keeps a fixed list of harmless tags, drops
scripts, styles and every event-handler attribute, and keeps only http, https and mailto links. The only
form control kept is a task list's disabled checkbox.

Each document is rendered once per change of its text: the HTML is kept in this process (``lru_cache``)
and in the site's cache under a hash of the text, so other processes and replicas sharing that cache do not
render it again.
"""

import hashlib
import logging
import re
from functools import lru_cache
from importlib.metadata import version

import cmarkgfm
import cmarkgfm.cmark
import nh3
from cmarkgfm.cmark import Options
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

EXTENSIONS = ["table", "strikethrough", "autolink", "tasklist"]
# Raw HTML passes through cmark and is cleaned by nh3 below (GitHub's tag filter would show a <script> as
# text; nh3 drops it with its content).
OPTIONS = Options.CMARK_OPT_UNSAFE

ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Tags whose content is dropped with them, not shown as text.
DROPPED_WITH_CONTENT = {"script", "style"}
ALLOWED_TAGS = (nh3.ALLOWED_TAGS - {"map", "area"}) | {"input"}
ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "input": {"checked"},
}
ALLOWED_ATTRIBUTES = {tag: attrs for tag, attrs in ALLOWED_ATTRIBUTES.items() if tag in ALLOWED_TAGS}
# A task list's checkbox: shown, never usable.
INPUT_TYPES = {"input": {"type": {"checkbox"}}}
INPUT_FORCED = {"input": {"disabled": ""}}
# Any other <input> (nh3 has already stripped its name, value and handlers) is removed altogether.
_NOT_A_CHECKBOX = re.compile(r'<input(?![^>]*\btype="checkbox")[^>]*>')

logger = logging.getLogger(__name__)

# cmark-gfm registers its extensions on the first render, without a lock, and aborts the whole process when
# two threads register them at once (the table extension's node flag may be set only once). A gunicorn worker's
# threads can make their first render together, so the extensions are registered here, once, under Python's
# import lock: the gunicorn master imports this module for its checks, and its workers inherit the registration.
cmarkgfm.cmark.core_extensions_ensure_registered()

_CACHE_PREFIX = "markdown:" + version("cmarkgfm") + ":2:"
_CACHE_SECONDS = 7 * 24 * 3600


def render_markdown(text, *, baselevel=1):
    """Markdown to HTML that is safe to insert into a page.

    ``baselevel`` is the level a ``#`` heading becomes, so that a document's own headings fit below the
    page's ``<h1>`` (2 on a page that already has one).
    """
    if not text:
        return SafeString("")
    return mark_safe(_render_cached(str(text), baselevel))  # noqa: S308 - cleaned by nh3 in markdown_to_html


# The same few documents (descriptions, bios) are shown on every page view: render each once. Keyed by the
# text itself, so an edited document is rendered anew.
@lru_cache(maxsize=512)
def _render_cached(text, baselevel):
    key = _CACHE_PREFIX + hashlib.sha256(f"{baselevel}\x00{text}".encode()).hexdigest()
    try:
        html = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache that does not answer only costs a render
        logger.warning("markdown cache unavailable: rendering without it", exc_info=True)
        return markdown_to_html(text, baselevel=baselevel)
    if html is None:
        html = markdown_to_html(text, baselevel=baselevel)
        try:
            cache.set(key, html, _CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("markdown cache unavailable: rendering without it", exc_info=True)
    return html


def markdown_to_html(text, *, baselevel=1):
    """Render and sanitise ``text`` (no caching): GitHub-flavoured Markdown, cleaned by nh3."""
    html = cmarkgfm.markdown_to_html_with_extensions(separate_lists(text), options=OPTIONS, extensions=EXTENSIONS)
    if baselevel > 1:
        html = _HEADING.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + baselevel - 1)}", html)
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=INPUT_TYPES,
        set_tag_attribute_values=INPUT_FORCED,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    html = _NOT_A_CHECKBOX.sub("", html)
    # A wide table (a results.md's pairwise counts) scrolls inside its own box, which the keyboard can reach.
    return _TABLE_OPEN.sub('<div class="table-scroll" tabindex="0"><table', html).replace("</table>", "</table></div>")


_HEADING = re.compile(r"<(/?)h([1-6])(?=[\s>])", re.IGNORECASE)
_TABLE_OPEN = re.compile(r"<table(?=[\s>])")
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_ORDERED_ITEM = re.compile(r"^ {0,3}(\d{1,9})[.)][ \t]+\S")
_ANY_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+\S|\s*$)")


def separate_lists(text):
    """``text`` with a blank line inserted before a numbered list that follows a line of text directly.

    CommonMark lets only a list starting at 1 interrupt a paragraph, so "placed as follows:" followed by
    "4. Cici" on the next line would be one paragraph. Elekto's Markdown showed such lines as a list, and
    published results.md files rely on it. Only a block that holds no list item yet is split, and nothing
    inside a fenced code block is touched.
    """
    lines = text.split("\n")
    out = []
    fence = None  # the opening fence's character and length while inside a fenced code block
    block_has_item = False
    previous_blank = True
    for line in lines:
        if fence is not None:
            stripped = line.strip()
            if (len(line) - len(line.lstrip(" ")) <= 3 and stripped and set(stripped) == {fence[0]}
                    and len(stripped) >= fence[1]):
                fence = None
            out.append(line)
            continue
        opening = _FENCE_OPEN.match(line)
        if opening and not (opening[1][0] == "`" and "`" in opening[2]):
            fence = (opening[1][0], len(opening[1]))
            out.append(line)
            previous_blank, block_has_item = False, False
            continue
        if not line.strip():
            out.append(line)
            previous_blank, block_has_item = True, False
            continue
        ordered = _ORDERED_ITEM.match(line)
        if ordered and int(ordered[1]) != 1 and not previous_blank and not block_has_item:
            out.append("")
        block_has_item = block_has_item or bool(_ANY_ITEM.match(line))
        previous_blank = False
        out.append(line)
    return "\n".join(out)
