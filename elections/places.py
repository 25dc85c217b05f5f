"""How a ballot's places read to a voter: "1st", "2nd, tied", "3rd", then "Not ranked, counts last".

A ballot holds ranks (1, 3, 3, 7...): only their order counts, so a voter is shown places, counted as people
count, with no number skipped. The candidates left at the lowest rank (the number of candidates on the ballot)
are those not ranked: they are named once, as counting last. The ballot script (static/js/ballot.js) reads
places the same way, from the same translations.
"""

from django.utils.translation import gettext, pgettext


def ordinal(place):
    """``place`` (1, 2, 3...) as an ordinal in the active language: "1st", "2nd", "3rd", "4th"...

    English chooses among its four endings by the number; each of them is a message of its own, which every
    other language translates to its own ordinal ("%(place)s." in German, "%(place)s位" in Japanese), so no
    English rule reaches another language."""
    if place % 100 in (11, 12, 13) or place % 10 not in (1, 2, 3):
        form = pgettext("ordinal place, like 4th, 11th, 12th, 13th", "%(place)sth")
    elif place % 10 == 1:
        form = pgettext("ordinal place, like 1st, 21st", "%(place)sst")
    elif place % 10 == 2:
        form = pgettext("ordinal place, like 2nd, 22nd", "%(place)snd")
    else:
        form = pgettext("ordinal place, like 3rd, 23rd", "%(place)srd")
    return form % {"place": place}


def place_labels(groups, lowest_rank):
    """``groups``: [(rank, names)] best first, as a ballot holds them; ``lowest_rank``: the number of candidates
    on the ballot, where those left unranked sit. Returns [(label, names)] in the same order.

    The groups are numbered 1st, 2nd... with no gap, a group of several "2nd, tied". The group at the lowest
    rank is "Not ranked, counts last": a candidate ranked there counts exactly as one left unranked, and the
    ballot form shows it so when the voter goes back to it."""
    lines = []
    for index, (rank, names) in enumerate(groups):
        if rank == lowest_rank and lowest_rank > 1:
            label = gettext("Not ranked, counts last")
        elif len(names) > 1:
            label = gettext("%(place)s, tied") % {"place": ordinal(index + 1)}
        else:
            label = ordinal(index + 1)
        lines.append((label, names))
    return lines
