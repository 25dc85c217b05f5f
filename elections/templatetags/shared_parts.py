"""``{% shared_part %}``: a piece of a page rendered once per content version and language, then reused.

An election page's public parts (its voting window, its description, its candidates' links) change only when the
meta sync imports, or when time moves the election to another status. Wrapped in ``{% shared_part %}``, they
are rendered by the first request after an import and reused by the next ones, from ``elections.voting.listing``'s
per-process store, which a new content version empties.

    {% shared_part election.pk status %}...{% endshared_part %}

The values after the tag name are what the piece depends on, besides the place of the tag in its template, the
version and the language. What it wraps must never depend on the visitor (their name, badges, sign-in state,
tokens, messages or the requested URL): the piece would be shown to the next visitor. Without a
``content_version`` in the context the piece is rendered every time.
"""

from django import template
from django.utils.translation import get_language

from elections.voting import listing

register = template.Library()


class SharedPartNode(template.Node):
    def __init__(self, nodelist, keys, place):
        self.nodelist = nodelist
        self.keys = keys
        self.place = place

    def render(self, context):
        version = context.get("content_version")
        if version is None:
            return self.nodelist.render(context)
        key = ("part", self.place, get_language(), *(value.resolve(context) for value in self.keys))
        return listing.shared_part(version, key, lambda: self.nodelist.render(context))


@register.tag
def shared_part(parser, token):
    bits = token.split_contents()
    # Where the tag is: its template, and how many tokens of that template follow it (the same each time the
    # template is compiled, and different for every tag in it).
    place = (parser.origin.name if parser.origin else "", len(parser.tokens))
    nodelist = parser.parse(("endshared_part",))
    parser.delete_first_token()
    return SharedPartNode(nodelist, [parser.compile_filter(bit) for bit in bits[1:]], place)
