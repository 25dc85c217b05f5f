"""Where the signed-in voter stands: on which rolls, with which votes and exception requests, as whose officer.

Every signed-in page asks, so each question is one query whatever the number of elections, rolls and ballots.
Each part uses an index: the roll's and the exception requests' election-and-login keys, the vote records'
election-and-voter key.

Two queries here are written as SQL, since built with the ORM they cost more than a page can afford (the figures
are in docs/performance.md): the standing of list pages and election pages (``voter_standing``: through the ORM,
a union of five querysets, two with correlated subqueries, and the page's election ids in four ``IN`` lists),
and the ballot pages' election with the voter's access to it (``election_access``, ``access_of``: the election
annotated with six subqueries). The standing candidates are read through the ORM.
"""

from dataclasses import dataclass
from typing import NamedTuple

from elections import access
from elections.models import Candidate, Election, EligibleVoter, ExceptionRequest, RollBinding, VoteRecord
from elekto_site import rows


def _tables(connection, *models):
    return [connection.ops.quote_name(model._meta.db_table) for model in models]


class Standing(NamedTuple):
    """Sets of election ids: where the voter may vote, has voted, officers, and has asked for an exception."""

    eligible: set
    voted: set
    officered: set
    requested: set


def _standing_sql(connection, ids, *, voted_anywhere):
    votes, roll, requests, bindings = _tables(connection, VoteRecord, EligibleVoter, ExceptionRequest, RollBinding)
    # The ids are whole numbers read from the database, written into the SQL as such: a page of fifty elections
    # would otherwise pass 150 parameters for the driver to quote one by one.
    listed = ", ".join(str(int(pk)) for pk in ids)

    def within(alias):
        return f"{alias}.election_id IN ({listed})" if ids else "1 = 0"

    return " UNION ALL ".join([
        access.officered_sql("'officer', o.election_id"),
        f"SELECT 'voted', b.election_id FROM {votes} b WHERE b.voter_id = %s"
        + ("" if voted_anywhere else f" AND {within('b')}"),
        # On the roll under their login, unless that entry belongs to another account; or holding an entry bound
        # to their account (see Access).
        f"SELECT 'roll', v.election_id FROM {roll} v WHERE v.login = %s AND {within('v')} AND NOT EXISTS "
        f"(SELECT 1 FROM {bindings} t WHERE t.election_id = v.election_id AND t.login = v.login "
        "AND t.voter_id <> %s)",
        f"SELECT 'roll', m.election_id FROM {bindings} m JOIN {roll} w ON w.election_id = m.election_id "
        f"AND w.login = m.login WHERE m.voter_id = %s AND {within('m')}",
        # Any exception request the voter made: its status says whether it grants a vote.
        f"SELECT r.status, r.election_id FROM {requests} r WHERE r.requester_id = %s AND {within('r')}",
    ])


def voter_standing(request, election_ids, *, voted_anywhere=False):
    """The signed-in voter's ``Standing`` in ``election_ids`` (votes in any election with ``voted_anywhere``;
    officered: every current election). The officered elections are kept for the page's "Officer admin" link."""
    user = request.user
    login = user.username.lower()
    ids = list(election_ids)
    params = [*access.officered_params(login), user.pk, login, user.pk, user.pk, user.pk]
    found = {"officer": set(), "voted": set(), "roll": set()}
    requested, granted = set(), set()
    connection = rows.connection_for(Election)
    with connection.cursor() as cursor:
        cursor.execute(_standing_sql(connection, ids, voted_anywhere=voted_anywhere), params)
        for name, election_id in cursor.fetchall():
            if name in found:
                found[name].add(election_id)
            else:  # an exception request, named by its status
                requested.add(election_id)
                if name == ExceptionRequest.APPROVED:
                    granted.add(election_id)
    if not access.is_operator(user):
        request._officer_election_ids = frozenset(found["officer"])
    return Standing(found["roll"] | granted, found["voted"], found["officer"], requested)


@dataclass(frozen=True)
class Access:
    """An election with whether the voter may vote in it and has a ballot in it.

    Eligible: on the voter roll under their login, unless that roll entry is bound to another account
    (``RollBinding``: then ``roll_taken``); or holding a roll entry bound to their account (a voter who renamed
    after casting, or one the officers gave the entry to); or granted an exception by the officers.
    """

    election: Election
    eligible: bool
    voted: bool
    officers_any: bool  # whether the voter officers any current election (the "Officer admin" link)
    roll_taken: bool = False  # their login is on the roll, but its entry belongs to another account
    # Their login is on the roll, and whether that entry is bound to an account yet (to theirs or another).
    on_roll: bool = False
    roll_bound: bool = False


# What the ballot pages never show: the documents, the sync's bookkeeping. Left out of their query (and read if
# ever asked for), they cost nothing to load and convert on every ballot request.
BALLOT_LEAVES_OUT = ("description", "results", "eligibility", "exception_description", "source_stamp",
                     "sync_warnings", "sync_errors", "content_hash")
CANDIDATE_FIELDS = ("id", "election", "candidate_id", "name", "withdrawn")


def _access_sql(connection, where):
    election, roll, requests, votes, bindings = _tables(connection, Election, EligibleVoter, ExceptionRequest,
                                                        VoteRecord, RollBinding)
    return (
        f"SELECT {rows.columns(Election, connection, 'e', leave_out=BALLOT_LEAVES_OUT)}, "
        f"EXISTS (SELECT 1 FROM {roll} v WHERE v.election_id = e.id AND v.login = %s), "
        f"(SELECT t.voter_id FROM {bindings} t WHERE t.election_id = e.id AND t.login = %s), "
        f"EXISTS (SELECT 1 FROM {bindings} m JOIN {roll} w ON w.election_id = m.election_id AND w.login = m.login "
        "WHERE m.election_id = e.id AND m.voter_id = %s), "
        # An exception is granted to the requester's account, whatever login holds it now.
        f"EXISTS (SELECT 1 FROM {requests} r WHERE r.election_id = e.id AND r.requester_id = %s AND r.status = %s), "
        f"EXISTS (SELECT 1 FROM {votes} b WHERE b.election_id = e.id AND b.voter_id = %s), "
        f"EXISTS ({access.officered_sql('1')}) "
        f"FROM {election} e WHERE {where}"
    )


def _access(where, where_params, voter):
    connection = rows.connection_for(Election)
    login = voter.username.lower()
    with connection.cursor() as cursor:
        cursor.execute(_access_sql(connection, where), [login, login, voter.pk, voter.pk,
                                                        ExceptionRequest.APPROVED, voter.pk,
                                                        *access.officered_params(login), *where_params])
        row = cursor.fetchone()
    if row is None:
        return None
    *columns, on_roll, holder, bound_mine, granted, voted, officers_any = row
    election = rows.instance(Election, connection, columns, leave_out=BALLOT_LEAVES_OUT)
    taken = holder is not None and holder != voter.pk
    eligible = bool((on_roll and not taken) or bound_mine or granted)
    return Access(election, eligible, bool(voted), bool(officers_any), roll_taken=bool(on_roll and not eligible),
                  on_roll=bool(on_roll), roll_bound=holder is not None)


def election_access(voter, key):
    """The ``Access`` of ``voter`` to the visible election ``key``, in one query; None when there is none."""
    quote = rows.connection_for(Election).ops.quote_name
    return _access(f"e.{quote('key')} = %s AND e.archived = %s", [key, False], voter)


def access_of(voter, election):
    """The ``Access`` of ``voter`` to ``election`` (archived or not), read now, in one query; None when it is gone."""
    return _access("e.id = %s", [election.pk], voter)


def standing_candidates(election):
    """The election's standing (not withdrawn) candidates with their ids and names (the rest is read if asked
    for), in one query."""
    return list(Candidate.objects.filter(election=election, withdrawn=False).only(*CANDIDATE_FIELDS))
