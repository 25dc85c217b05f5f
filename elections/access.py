"""Who officers which election, and the access checks built on it.

Officers are the logins in an election's ``election_officers`` (stored lower-case in ``Officer``); operators
are superusers and may see every election. Archived elections (their folder left the meta repository) no
longer grant officer rights, since the repository no longer lists their officers.
"""

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from elections.models import Election, Officer


def is_operator(user):
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def officered(login):
    """The ``Officer`` rows of ``login`` in current (not archived) elections."""
    return Officer.objects.filter(login=login.lower(), election__archived=False)


def officered_sql(columns):
    """``officered`` as SQL selecting ``columns`` (of officer ``o``), for the voter's standing
    (``elections.voting.standing``), which is written as SQL; its parameters are ``officered_params(login)``."""
    officer, election = (connection.ops.quote_name(model._meta.db_table) for model in (Officer, Election))
    return (f"SELECT {columns} FROM {officer} o JOIN {election} e ON e.id = o.election_id "
            "WHERE o.login = %s AND e.archived = %s")


def officered_params(login):
    return [login.lower(), False]


def officer_election_ids(request):
    """Ids of the elections the signed-in user officers, computed once per request (None for operators)."""
    if not hasattr(request, "_officer_election_ids"):
        user = request.user
        if is_operator(user):
            request._officer_election_ids = None
        elif not user.is_active:
            request._officer_election_ids = frozenset()
        else:
            request._officer_election_ids = frozenset(
                officered(user.get_username()).values_list("election_id", flat=True))
    return request._officer_election_ids


def may_use_officer_admin(request):
    """Operators, and anyone who officers at least one current election."""
    if is_operator(request.user):
        return True
    known = getattr(request, "_officers_any", None)
    if known is not None:
        return known
    ids = officer_election_ids(request)
    return ids is None or bool(ids)


def officer_link_known(request, officers_any):
    """Record that the signed-in user officers at least one current election (or none), read with a page's own
    query, so that the "Officer admin" link needs no query of its own."""
    request._officers_any = officers_any


def may_manage(request, election):
    ids = officer_election_ids(request)
    return ids is None or election.pk in ids


def election_for_officer(request, key):
    """The election ``key`` if the user may manage it: 404 when there is no such election, else 403."""
    queryset = Election.objects.all() if is_operator(request.user) else Election.objects.visible()
    try:
        election = queryset.get(key=key)
    except Election.DoesNotExist:
        raise Http404(f"There is no election {key!r}.") from None
    if not may_manage(request, election):
        raise PermissionDenied(_("You are not an officer of %(election)s.") % {"election": election.name})
    return election


def officer_links(request):
    """Template context: whether to show the "Officer admin" link (queried only if a template asks)."""
    # Error pages (400 for a forged Host header) render before the authentication middleware has run.
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"officer_admin_available": False}
    return {"officer_admin_available": SimpleLazyObject(lambda: may_use_officer_admin(request))}
