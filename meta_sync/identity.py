"""Which election row each folder of the meta repository updates: the rules that keep an election's identity.

An election is its row in the database (ballots, vote records, exception requests and the audit trail hang on
it); its key comes from its folder. Matching a parsed folder to a row:

1. **Same key, same folder**: the row is updated (the usual case).
2. **Renamed folder**: a folder whose key matches no row is the continuation of a row whose folder left the
   repository in the same commit (a row not yet archived) when it describes the same election: the same
   ``name`` and ``start_datetime`` in ``election.yaml``, or the very same folder (its key changed because
   ``ELECTION_DIR`` did). Exactly one folder must match exactly one row; the row then takes the new key and
   keeps its old one as an alias (old links redirect). Anything less clear is refused: the folder is an error,
   and the row keeps running under its old key.
3. **No take-over**: a key held by another folder's election, or once held by a renamed election (an alias),
   is never given to another folder. A folder name with ``---`` (or a leading or trailing ``-``) is refused
   for a new election, since its key could be another folder's; an election imported from such a folder
   before keeps its key.
4. **Nothing lost**: a row whose folder left the repository is archived (hidden) unless it holds ballots or
   vote records and voting has not closed; such a row keeps running under its key, and the sync reports an
   error until its folder is back or is renamed as in 2.

``plan_identities`` is plain Python over the parsed folders and light row objects (``pk``, ``key``, ``path``,
``name``, ``start_datetime``, ``archived``); the importer carries the plan out.
"""

from dataclasses import dataclass, field

_RENAME_HOWTO = ("to rename an election, move its folder and keep name and start_datetime unchanged in the same "
                 "commit (see docs/officers.md)")


@dataclass
class IdentityPlan:
    """``target[i]``: the row the i-th parsed folder updates (None: a new election). ``refused[i]``: why that
    folder may not be imported. ``held``: rows kept as they are, with the error to record on them.
    ``archive``: rows whose folder left the repository, to hide."""

    target: dict = field(default_factory=dict)
    refused: dict = field(default_factory=dict)
    held: list = field(default_factory=list)
    archive: list = field(default_factory=list)


def describes_same_election(row, data):
    """Whether a parsed folder continues ``row``: the same folder, or the same name and start_datetime."""
    if row.path == data.path:
        return True
    return bool(data.name) and data.start_datetime is not None and (
        row.name == data.name and row.start_datetime == data.start_datetime)


def plan_identities(elections, rows, *, aliases, voting_open_with_votes):
    """Decide, for parsed ``elections`` (a list of ``ElectionData``) and existing ``rows``, what each updates.

    ``aliases()`` returns a map of former keys to the pk of the election that had each (called only when a folder
    is new or renamed, so that an unchanged tree costs no query); ``voting_open_with_votes(row)`` says
    whether a row holds ballots or vote records and has not completed (asked only for rows whose folder left).
    Returns an ``IdentityPlan`` keyed by the index of each folder in ``elections``.
    """
    plan = IdentityPlan()
    by_key = {row.key: row for row in rows}
    matched = {}  # row pk -> index of the folder that continues it
    pending = []
    for index, data in enumerate(elections):
        row = by_key.get(data.key)
        if row is not None and row.path == data.path:
            plan.target[index] = row
            matched[row.pk] = index
        else:
            pending.append(index)

    gone = [row for row in rows if row.pk not in matched and not row.archived]
    candidates = {}
    for index in pending:
        data = elections[index]
        holder = by_key.get(data.key)
        if holder is not None and holder.pk in matched:
            plan.refused[index] = (f"its key {data.key!r} is the key of the election in {holder.path}; two folders "
                                   "cannot share a key (folder names are joined with '---'): rename this folder")
            continue
        found = [row for row in gone if describes_same_election(row, data)]
        if holder is not None and holder.archived and describes_same_election(holder, data):
            found.append(holder)
        if holder is not None and holder not in found:
            plan.refused[index] = (f"its key {data.key!r} belongs to the election {holder.name!r} (folder "
                                   f"{holder.path}), which this folder does not continue: rename this folder")
            continue
        candidates[index] = found

    claims = {}
    for index, found in candidates.items():
        for row in found:
            claims.setdefault(row.pk, []).append(index)

    for index, found in candidates.items():
        data = elections[index]
        if len(found) == 1 and claims[found[0].pk] == [index]:
            row = found[0]
            if data.ambiguous_name and row.path != data.path:
                plan.refused[index] = (f"the folder name would make the key {data.key!r}, which another folder "
                                       "could share ('---' or a leading or trailing '-' in a folder name): "
                                       "choose another name")
                plan.held.append((row, f"{row.path}: the folder left the meta repository, and {data.path} "
                                       f"cannot continue it: {plan.refused[index]}"))
                matched[row.pk] = index
                continue
            plan.target[index] = row
            matched[row.pk] = index
        elif found:
            described = ", ".join(f"{row.key} ({row.path})" for row in found)
            plan.refused[index] = (f"it describes the same election as {described}, which is ambiguous: nothing "
                                   f"was carried over; {_RENAME_HOWTO} and one folder per election")
            for row in found:
                if row.pk not in matched:
                    others = ", ".join(elections[i].path for i in claims[row.pk])
                    plan.held.append((row, f"{row.path}: the folder left the meta repository; {others} could each "
                                           "continue it, which is ambiguous: the election keeps running under its "
                                           f"key {row.key!r}"))
                    matched[row.pk] = index
        else:
            former = aliases().get(data.key)
            if former is not None:
                plan.refused[index] = (f"its key {data.key!r} was the key of another election, renamed since, and "
                                       "old links still lead there: choose another folder name")
            elif data.ambiguous_name:
                plan.refused[index] = (f"the folder name would make the key {data.key!r}, which another folder "
                                       "could share ('---' or a leading or trailing '-' in a folder name): "
                                       "choose another name")
            else:
                plan.target[index] = None

    for row in gone:
        if row.pk in matched:
            continue
        if voting_open_with_votes(row):
            plan.held.append((row, f"{row.path}: the folder left the meta repository while the election has "
                                   f"ballots and voting has not closed; it keeps running under its key "
                                   f"{row.key!r}. Restore the folder, or {_RENAME_HOWTO}"))
        else:
            plan.archive.append(row)
    return plan
