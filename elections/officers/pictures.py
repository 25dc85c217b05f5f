"""Pictures of a count, drawn as SVG on the server: the beat graph and the pairwise heat map.

Each function takes a ``TallyResult`` and the candidates' names and returns one complete SVG document (a
string), shown inline on the officers' results page and offered as a file for a blog post. No script, no
stylesheet: presentation attributes only, so the pictures pass the site's Content-Security-Policy and look
the same outside it. Each has a title and a description; the tables on the results page stay the text
alternative. Sized for up to about 20 candidates.
"""

from html import escape

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
TEXT = "#1b1f24"
MUTED = "#57606a"
AGREES = "#0b5cad"  # a head-to-head win that the final ranking agrees with
AGAINST = "#b34700"  # a head-to-head win over a candidate ranked above: the Schulze paths overrode it
ROW = 36
NAME_CHARS = 24
ALL_ARROWS_UP_TO = 8
REACH = 3


def _order(result):
    return [c for group in result.ranking for c in group]


def _places(result):
    places, place = {}, 1
    for group in result.ranking:
        for c in group:
            places[c] = place
        place += len(group)
    return places


def _short(name, limit=NAME_CHARS):
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _text_width(text, size):
    # A generous estimate (no font metrics on the server): wide enough for Latin, CJK counts double.
    return sum(size * (1.0 if ord(ch) > 0x2E80 else 0.6) for ch in text)


def _svg_open(width, height, prefix, title, desc):
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'font-family="{escape(FONT)}" class="result-picture">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
    ]


def _ballots(n):
    return ngettext("%(count)s ballot", "%(count)s ballots", n) % {"count": n}


def beat_graph_svg(result, names, *, prefix="beat-graph"):
    """Who beats whom head to head, and by how much: candidates top to bottom in ranking order, an arrow from
    the winner to the loser of each contest, thicker for a wider margin. Arrows down the right side agree with
    the ranking; arrows up the left side (orange) are wins the Schulze paths overrode. Level pairs have none.
    """
    order = _order(result)
    places = _places(result)
    d = result.pairwise
    n = len(order)
    index = {c: i for i, c in enumerate(order)}
    labels = [f"{places[c]}. {_short(names.get(c, c))}" for c in order]
    label_width = max((_text_width(text, 14) for text in labels), default=40) + 16
    # With many candidates every arrow at once is a solid blot: wins the ranking agrees with are drawn up to
    # REACH places down; every win against the ranking is drawn. The heat map holds every count.
    reach_limit = None if n <= ALL_ARROWS_UP_TO else REACH
    beats = []
    for i, x in enumerate(order):
        for j, y in enumerate(order[i + 1:], start=i + 1):
            if d[x][y] != d[y][x] and (reach_limit is None or j - i <= reach_limit or d[y][x] > d[x][y]):
                winner, loser = (x, y) if d[x][y] > d[y][x] else (y, x)
                beats.append((winner, loser, d[winner][loser], d[loser][winner]))
    upsets = [b for b in beats if index[b[0]] > index[b[1]]]
    top = 28
    max_right = min(170 if reach_limit is None else REACH * ROW / 2 + 12, (n - 1) * ROW / 2 + 12)
    max_left = 0
    if upsets:
        max_left = min(120, max((index[w] - index[lo]) * ROW / 2 for w, lo, _won, _lost in upsets) + 12)
    spine = label_width + max_left + 14
    numbers = spine + max_right + 10
    legend = [_("Arrow: winner to loser; thicker: wider margin; filled dot: elected.")]
    if reach_limit is not None:
        legend.append(_("Wins over candidates more than %(places)s places lower are left out; the heat map has "
                        "every count.") % {"places": REACH})
    width = max(numbers + 60, *(_text_width(line, 12) + 16 for line in legend))
    height = top + n * ROW + 22 + 18 * len(legend)
    ballots = max(result.ballots, 1)
    title = _("Who beats whom, head to head")
    desc = _(
        "The candidates from top to bottom in ranking order. Each arrow goes from the winner to the loser of a "
        "head-to-head contest; the thicker the arrow, the more ballots it was won by. Arrows on the right "
        "agree with the ranking; orange arrows on the left are wins over a candidate ranked higher, which "
        "stronger chains of wins overrode. Candidates level with each other have no arrow. The table of head-"
        "to-head counts holds the same numbers."
    )
    out = _svg_open(width, height, prefix, title, desc)
    for colour, name in ((AGREES, "agrees"), (AGAINST, "against")):
        out.append(
            f'<marker id="{prefix}-arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" '
            f'markerHeight="5" markerUnits="strokeWidth" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    # Widest margins drawn first, so the thin arrows stay visible on top of them.
    for winner, loser, won, lost in sorted(beats, key=lambda b: b[3] - b[2]):
        y1 = top + index[winner] * ROW + ROW / 2
        y2 = top + index[loser] * ROW + ROW / 2
        against = index[winner] > index[loser]
        reach = abs(y2 - y1) / 2
        rx = min(reach, max_left - 8 if against else max_right - 8)
        stroke = 1 + 5 * (won - lost) / ballots
        colour, name = (AGAINST, "against") if against else (AGREES, "agrees")
        x = spine - 8 if against else spine + 8
        sentence = _("%(winner)s beats %(loser)s: %(ballots)s to %(lost)s") % {
            "winner": names.get(winner, winner), "loser": names.get(loser, loser), "ballots": _ballots(won),
            "lost": lost}
        out.append(
            f'<path d="M{x:.1f},{y1:.1f} A{rx:.1f},{reach:.1f} 0 0 1 {x:.1f},{y2:.1f}" fill="none" '
            f'stroke="{colour}" stroke-opacity="0.6" stroke-width="{stroke:.2f}" '
            f'marker-end="url(#{prefix}-arrow-{name})" class="beat"><title>{escape(sentence)}</title></path>'
        )
    for i, c in enumerate(order):
        y = top + i * ROW + ROW / 2
        winner = c in result.winners
        weight = ' font-weight="700"' if winner else ""
        out.append(
            f'<g class="candidate"><title>{escape(names.get(c, c))}</title>'
            f'<text x="{label_width - 8:.1f}" y="{y:.1f}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="14" fill="{TEXT}"{weight}>{escape(labels[i])}</text>'
            f'<line x1="{label_width - 4:.1f}" y1="{y:.1f}" x2="{spine - 6:.1f}" y2="{y:.1f}" stroke="#d0d7de"/>'
            f'<circle cx="{spine:.1f}" cy="{y:.1f}" r="6" fill="{TEXT if winner else "#ffffff"}" stroke="{TEXT}" '
            f'stroke-width="2"/></g>'
        )
    # Between neighbours in the ranking, the margin in words, where the reader looks first.
    for i in range(n - 1):
        x, y = order[i], order[i + 1]
        if d[x][y] > d[y][x]:
            mid = top + (i + 1) * ROW
            out.append(f'<text x="{numbers:.1f}" y="{mid:.1f}" dominant-baseline="middle" font-size="12" '
                       f'fill="{MUTED}">{d[x][y]}–{d[y][x]}</text>')
    legend_y = top + n * ROW + 22
    for k, line in enumerate(legend):
        out.append(f'<text x="8" y="{legend_y + 18 * k:.1f}" font-size="12" fill="{MUTED}">{escape(line)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _mix(a, b, t):
    """Colour between ``a`` and ``b`` (hex), ``t`` from 0 to 1."""
    pa = [int(a[i:i + 2], 16) for i in (1, 3, 5)]
    pb = [int(b[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(pa, pb, strict=True))


def _luminance(colour):
    def channel(v):
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def cell_colours(mine, theirs, ballots):
    """(fill, text colour) of a heat-map cell: green where the row's candidate wins, orange where it loses,
    grey when level, deeper for a wider margin; the text is black or white, whichever contrasts more."""
    if mine == theirs:
        fill = "#e6e8eb"
    else:
        t = 0.15 + 0.85 * min(abs(mine - theirs) / max(ballots, 1), 1)
        fill = _mix("#ffffff", "#0f6b34" if mine > theirs else "#b34700", t)
    lum = _luminance(fill)
    text = "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"
    return fill, text


HEAT_CELL = 40


def heat_map_svg(result, names, *, prefix="heat-map"):
    """The pairwise counts as a grid in ranking order: row candidate over column candidate. Rows carry the
    place and name; columns carry the place only, so the grid stays square and readable at 20 candidates."""
    order = _order(result)
    places = _places(result)
    d = result.pairwise
    n = len(order)
    labels = [f"{places[c]}. {_short(names.get(c, c))}" for c in order]
    left = max((_text_width(text, 14) for text in labels), default=40) + 16
    top = 44
    heading = _("Row over column; columns by place")
    legend = [(cell_colours(3, 0, 3)[0], _("wins")), (cell_colours(0, 3, 3)[0], _("loses")),
              (cell_colours(1, 1, 3)[0], _("level"))]
    legend_width = 8 + sum(40 + _text_width(word, 12) for _fill, word in legend)
    # Wide enough for the grid, and for the words above and below it with only two or three candidates.
    width = max(left + n * HEAT_CELL + 16, left + _text_width(heading, 12) + 8, legend_width)
    height = top + n * HEAT_CELL + 40
    title = _("Head-to-head results as a heat map")
    desc = _(
        "Rows and columns are the candidates in ranking order; columns are numbered by place. Each cell holds "
        "the number of ballots ranking the row's candidate above the column's: green where the row's candidate "
        "wins that contest, orange where it loses, grey where they are level; deeper colour for a wider margin."
    )
    out = _svg_open(width, height, prefix, title, desc)
    out.append(f'<text x="{left:.1f}" y="14" font-size="12" fill="{MUTED}">'
               f'{escape(heading)}</text>')
    for j, c in enumerate(order):
        out.append(
            f'<text x="{left + j * HEAT_CELL + HEAT_CELL / 2:.1f}" y="{top - 10}" text-anchor="middle" '
            f'font-size="13" font-weight="700" fill="{TEXT}"><title>{escape(names.get(c, c))}</title>'
            f'{places[c]}</text>'
        )
    for i, x in enumerate(order):
        y0 = top + i * HEAT_CELL
        out.append(f'<text x="{left - 8:.1f}" y="{y0 + HEAT_CELL / 2:.1f}" text-anchor="end" '
                   f'dominant-baseline="middle" font-size="14" fill="{TEXT}"><title>{escape(names.get(x, x))}</title>'
                   f'{escape(labels[i])}</text>')
        for j, y in enumerate(order):
            x0 = left + j * HEAT_CELL
            if x == y:
                out.append(f'<rect x="{x0}" y="{y0}" width="{HEAT_CELL}" height="{HEAT_CELL}" fill="#f6f8fa" '
                           f'stroke="#ffffff"/>')
                continue
            fill, ink = cell_colours(d[x][y], d[y][x], result.ballots)
            sentence = _("%(row)s over %(column)s: %(ballots)s; the other way: %(reverse)s") % {
                "row": names.get(x, x), "column": names.get(y, y), "ballots": _ballots(d[x][y]), "reverse": d[y][x]}
            out.append(
                f'<g class="cell"><title>{escape(sentence)}</title>'
                f'<rect x="{x0}" y="{y0}" width="{HEAT_CELL}" height="{HEAT_CELL}" fill="{fill}" stroke="#ffffff"/>'
                f'<text x="{x0 + HEAT_CELL / 2}" y="{y0 + HEAT_CELL / 2}" text-anchor="middle" '
                f'dominant-baseline="middle" font-size="13" fill="{ink}">{d[x][y]}</text></g>'
            )
    legend_y = top + n * HEAT_CELL + 24
    x = 8.0
    for fill, word in legend:
        out.append(f'<rect x="{x:.1f}" y="{legend_y - 11}" width="14" height="14" fill="{fill}" stroke="{MUTED}"/>')
        out.append(f'<text x="{x + 20:.1f}" y="{legend_y}" font-size="12" fill="{TEXT}">{escape(word)}</text>')
        x += 28 + _text_width(word, 12) + 12
    out.append("</svg>")
    return "\n".join(out)
