"""The ballot's writes: casting, viewing, revoking and changing secret ballots, and destroying the voter-to-ballot
links of ``delete_after`` elections. Exception requests are ``elections.voting.exception_requests``.

Every refusal is a ``Refusal`` with the HTTP status a view should answer with, so no refused action ends
in a server error. Passphrases and ballots are never logged.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables

from accounts.services import account_github_id, account_logins
from elections.audit import LINKS_DESTROY, audit_record
from elections.ballot_box.box import (
    BallotBoxRefused,
    KeyRotationPending,
    ballot_row_insert,
    box_lock_accepting,
)
from elections.ballot_box.box import ballot_seal as box_seal
from elections.ballot_box.services import ballot_box_ensure
from elections.models import (
    Election,
    ExceptionRequest,
    PassphraseAttempt,
    RollBinding,
    SealedBallot,
    VoteRecord,
)
from elections.voting import secrecy
from elections.voting.standing import access_of, standing_candidates

logger = logging.getLogger(__name__)


class Refusal(Exception):
    """An action that the rules forbid; ``status`` is the HTTP status code to answer with."""

    status = 403
    title = gettext_lazy("Not allowed")

    def __init__(self, message, *, title=None, status=None):
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title
        if status is not None:
            self.status = status


class NotEligible(Refusal):
    title = gettext_lazy("You are not on the voter roll")


class WrongState(Refusal):
    title = gettext_lazy("Not possible at this time")


class AlreadyVoted(Refusal):
    status = 409
    title = gettext_lazy("You have already voted")


class RollEntryTaken(Refusal):
    status = 409
    title = gettext_lazy("Your roll entry was used by another account")


class AlreadyRequested(Refusal):
    status = 409
    title = gettext_lazy("You have already sent a request")


class NotVoted(Refusal):
    status = 404
    title = gettext_lazy("No ballot to show")


class LinksDestroyed(Refusal):
    status = 410
    title = gettext_lazy("Ballot links destroyed")


class TooManyAttempts(Refusal):
    status = 429
    title = gettext_lazy("Too many passphrase attempts")


class Concurrent(Refusal):
    status = 409
    title = gettext_lazy("Another submission is in progress")


class WrongPassphrase(Refusal):
    status = 403
    title = gettext_lazy("Wrong passphrase")


class InvalidBallot(Refusal):
    status = 400
    title = gettext_lazy("Invalid ballot")


class WeakPassphrase(InvalidBallot):
    """A chosen passphrase too easy to guess; ``weakness`` says why (``secrecy.passphrase_weakness``)."""

    def __init__(self, message, *, weakness):
        super().__init__(message)
        self.weakness = weakness


class LinkUnopenable(Refusal):
    """The server no longer holds the secret a voter's link was sealed under (an operator's configuration)."""

    status = 503
    title = gettext_lazy("Your ballot cannot be opened right now")


@dataclass(frozen=True)
class CastReceipt:
    receipt: str


@dataclass(frozen=True)
class BallotView:
    receipt: str
    ranks: dict


# --- checks shared by the ballot services ---------------------------------------------------------


def _require_running(election, now):
    status = election.status_at(now)
    if status == Election.UPCOMING:
        raise WrongState(_("Voting has not opened yet for this election."))
    if status == Election.COMPLETED:
        raise WrongState(_("Voting has closed for this election."))


def _require_box_accepting(election):
    """The last step of a cast's transaction: no receipt for a ballot that the opening of the box would miss."""
    if not box_lock_accepting(election=election, now=timezone.now()):
        raise WrongState(_("Voting has closed for this election."))


def _require_eligible(election, voter, access=None):
    """Refuse unless ``voter`` may vote in ``election`` (``standing.Access``, read now unless given)."""
    access = access or access_of(voter, election)
    if access is None or not access.eligible:
        raise _roll_entry_taken() if access is not None and access.roll_taken else _not_eligible()
    return access


def _not_eligible():
    return NotEligible(_(
        "Your GitHub login is not on this election's voter roll. If you think it should be, you may ask the "
        "election officers for an exception."
    ))


def _roll_entry_taken():
    return RollEntryTaken(_(
        "Your GitHub login is on this election's voter roll, but another GitHub account already cast a ballot "
        "under it: a login can pass to someone else when its owner renames their account. If the roll means you, "
        "send the election officers an exception request from this election's page: they see it with the others "
        "and can let you vote."
    ))


def voting_check(*, election, voter, access=None):
    """Raise the refusal that stops ``voter`` from voting in ``election`` now, if any (a read, no write).
    ``access`` may be given when it was just read (``standing.Access``)."""
    _require_running(election, timezone.now())
    _require_eligible(election, voter, access)


def ranks_validate(*, election, ranks, candidates=None):
    """``ranks`` (candidate_id -> rank or None) checked against this election; returns it sorted by id.

    A rank is a whole number from 1 to the number of candidates; a candidate the voter left unranked comes
    here with that lowest rank (as Elekto stores it), so the ballot says they count below every ranked
    candidate. None is "No opinion" (compared with nobody), only where the election allows it.

    Sorting matters for secrecy: the order of the keys in the stored JSON must not depend on the order in
    which this voter's ballot form listed the candidates. ``candidates``, the standing candidates, may be given
    when the request has just read them.
    """
    candidates = {candidate.candidate_id for candidate in candidates or standing_candidates(election)}
    if set(ranks) != candidates:
        raise InvalidBallot(_("The ballot must list exactly this election's candidates."))
    count = len(candidates)
    for rank in ranks.values():
        if rank is None:
            if not election.allow_no_opinion:
                raise InvalidBallot(_("This election does not offer “No opinion”: rank the candidate, or leave "
                                      "them unranked to count them last."))
        elif type(rank) is not int or not 1 <= rank <= count:
            raise InvalidBallot(_("Ranks must be whole numbers from 1 to %(count)s.") % {"count": count})
    if all(rank is None for rank in ranks.values()):
        raise InvalidBallot(_("Rank at least one candidate. To abstain, simply do not vote."))
    return {candidate_id: ranks[candidate_id] for candidate_id in sorted(ranks)}


def ranks_prefer_no_one(ranks):
    """Whether a ballot prefers no candidate to another: every ranked candidate tied (Elekto's ballot left at its
    defaults has them all at the lowest rank). Such a ballot counts toward turnout and changes no pairwise count."""
    return len({rank for rank in ranks.values() if rank is not None}) <= 1


# MySQL/MariaDB: lock wait timeout, deadlock. SQLite reports "database is locked".
_LOCK_CONFLICT_CODES = {1205, 1213}


def _is_lock_conflict(exc):
    code = exc.args[0] if exc.args else None
    return code in _LOCK_CONFLICT_CODES or "locked" in str(exc).lower()


def _concurrent_refusal():
    return Concurrent(_("Another submission of your ballot is being processed. Reload the page and check its "
                        "status before trying again."))


def _sealed_ballot_store(*, ballot_id, election, box, ranks, receipt):
    """Store a cast ballot sealed to the election's box: nothing in the row is readable before the opening."""
    sealed = box_seal(box=box, ranks=ranks, receipt=receipt)
    ballot_row_insert(SealedBallot, id=ballot_id, election=election, sealed=sealed)


def _box_for_casting(election):
    """The election's ballot box; a box that cannot be made (a threshold election whose officers' keys are
    missing) refuses the cast with what the officers must fix, rather than failing."""
    try:
        return ballot_box_ensure(election=election)
    except KeyRotationPending as exc:
        logger.error("ballot box of %s cannot be made: %s", election.key, exc.message)
        raise WrongState(_("This site's ballot box key is being changed: for a few minutes no ballot can be cast "
                           "in this election. Nothing was cast; try again later."), status=503) from None
    except BallotBoxRefused as exc:
        logger.error("ballot box of %s cannot be made: %s", election.key, exc.message)
        raise WrongState(_("The ballot box of this election is not ready: its officers must fix election.yaml "
                           "(%(problem)s). Nothing was cast; try again later.") % {"problem": exc.message},
                         status=503) from None


def _hour(moment):
    """``moment`` rounded down to the hour: what vote records keep of the time of voting."""
    return moment.replace(minute=0, second=0, microsecond=0)


def _minute(moment):
    return moment.replace(second=0, microsecond=0)


@sensitive_variables()
def passphrase_check_new(passphrase, *, election, voter):
    """Refuse a new passphrase that is too short (``InvalidBallot``) or too easy to guess (``WeakPassphrase``),
    for a cracker who knows the election, the voter's login and the site."""
    if len(passphrase) < settings.MIN_PASSPHRASE_LENGTH:
        raise InvalidBallot(_("The passphrase must be at least %(length)s characters long.")
                            % {"length": settings.MIN_PASSPHRASE_LENGTH})
    user_inputs = secrecy.passphrase_user_inputs(election_name=election.name, election_key=election.key,
                                                 login=voter.username, site_name=settings.APP_NAME)
    weakness = secrecy.passphrase_weakness(passphrase, user_inputs=user_inputs)
    if weakness:
        raise WeakPassphrase(_("This passphrase is too easy to guess: %(weakness)s. Use the suggested passphrase, "
                               "or a longer one of your own.") % {"weakness": weakness}, weakness=weakness)


@sensitive_variables()
def _seal(*, election, voter, passphrase, ballot_id, receipt, ranks):
    salt = secrecy.salt_generate()
    sealed = secrecy.link_seal(
        secrecy.BallotLink(ballot_id=str(ballot_id), receipt=receipt, ranks=ranks),
        passphrase=passphrase,
        salt=salt,
        election_id=election.pk,
        login=voter.username,
    )
    return salt, sealed


def _open_record(*, election, voter):
    """The voter's record, checked for the window, the destroyed links and the attempt limit.

    Runs before any key derivation, in its own transaction: the record's row lock makes concurrent guesses
    of one voter count one after another, and the attempt is committed whether or not the passphrase then
    matches. Attempts keep only their minute, all the per-minute limit needs.
    """
    with transaction.atomic():
        record = VoteRecord.objects.select_for_update().filter(election=election, voter=voter).first()
        if record is None:
            raise NotVoted(_("You have not voted in this election (or you revoked your ballot)."))
        if election.links_destroyed_at or not record.sealed_link:
            raise LinksDestroyed(_(
                "This election's links between voters and ballots were destroyed after it was counted, "
                "as its officers decided: no passphrase can reveal a ballot any more."
            ))
        now = timezone.now()
        _require_running(election, now)
        minute = _minute(now)
        # This minute and the one before: a window that never resets just after the attempts it limits.
        window = minute - timedelta(minutes=1)
        attempts = PassphraseAttempt.objects.filter(election=election, voter=voter)
        if attempts.filter(attempted_at__gte=window).count() >= settings.PASSPHRASE_ATTEMPTS_PER_MINUTE:
            raise TooManyAttempts(_("Too many passphrase attempts for this election. Wait two minutes, then try "
                                    "again."))
        # Older attempts would only pile up.
        attempts.filter(attempted_at__lt=window).delete()
        PassphraseAttempt.objects.create(election=election, voter=voter, attempted_at=minute)
    return record


@sensitive_variables()
def _link_open(record, *, election, voter, passphrase):
    # Links sealed before a rename of the election's folder are bound to its key then, and those sealed before a
    # rename of the voter's GitHub account to the login of the time.
    login, *former_logins = account_logins(voter)
    try:
        return secrecy.link_open(
            record.sealed_link,
            passphrase=passphrase,
            salt=record.salt,
            election_id=election.pk,
            election_key=election.key,
            login=login,
            former_election_keys=list(election.former_keys.values_list("key", flat=True)),
            former_logins=former_logins,
        )
    except secrecy.PepperMissing as exc:
        # The operators' to fix (docs/production.md, "Passphrase pepper"); the voter's ballot itself is intact.
        logger.error("%s Election %s: a voter's ballot cannot be viewed, changed or revoked until it is "
                     "configured again.", exc, election.key)
        raise LinkUnopenable(_("Your ballot is safe in the ballot box and will be counted, but the site cannot "
                               "open your link to it right now: a server secret it was sealed with is no longer "
                               "configured. Nothing was changed. Please tell the election officers.")) from exc


def _record_locked_unchanged(record):
    """The voter's record, locked, if it still holds the link that was opened; else refuse (a concurrent change)."""
    current = VoteRecord.objects.select_for_update().filter(pk=record.pk).first()
    if current is None or bytes(current.sealed_link) != bytes(record.sealed_link):
        raise _concurrent_refusal()
    return current


_WRONG_PASSPHRASE = gettext_lazy("That passphrase does not open your ballot. Nothing was changed.")


# --- ballot services ------------------------------------------------------------------------------


@sensitive_variables()
def ballot_cast(*, election, voter, ranks, passphrase, candidates=None):
    """Cast ``voter``'s ballot, sealed to the election's box; returns the receipt. ``candidates``, the standing
    candidates, may be given when the request has just read them (``ranks_validate``).

    Refuses a second ballot, also under concurrency, and before deriving any key. What is written is
    unreadable until the box is opened: the sealed ballot (fixed length), and the vote record with its
    hour and the passphrase-sealed link (also fixed length). The first ballot under a roll login binds that
    entry to the voter's account (``RollBinding``); another account presenting the login is refused. The last
    step locks the box row and checks that it still takes ballots, so no receipt outlives an opening that
    missed its ballot.
    """
    ranks = ranks_validate(election=election, ranks=ranks, candidates=candidates)
    passphrase_check_new(passphrase, election=election, voter=voter)
    _require_running(election, timezone.now())
    access = _require_eligible(election, voter)
    if access.voted:
        raise _already_voted()
    box = _box_for_casting(election)
    ballot_id = uuid.uuid4()
    receipt = secrecy.receipt_generate()
    # The key derivation is the slow part: do it before taking any lock.
    salt, sealed = _seal(election=election, voter=voter, passphrase=passphrase, ballot_id=ballot_id,
                         receipt=receipt, ranks=ranks)
    now = timezone.now()
    _require_running(election, now)
    try:
        with transaction.atomic():
            # The record first: its unique constraint is what stops a second ballot.
            VoteRecord.objects.create(election=election, voter=voter, voted_at=_hour(now), salt=salt,
                                      sealed_link=sealed)
            _roll_entry_bind(election=election, voter=voter, access=access)
            _sealed_ballot_store(ballot_id=ballot_id, election=election, box=box, ranks=ranks, receipt=receipt)
            _require_box_accepting(election)
    except IntegrityError as exc:
        if not VoteRecord.objects.filter(election=election, voter=voter).exists() and _roll_entry_held_by_another(
                election=election, voter=voter):
            raise _roll_entry_taken() from exc
        raise _already_voted() from exc
    except OperationalError as exc:
        if not _is_lock_conflict(exc):
            raise
        raise _concurrent_refusal() from exc
    return CastReceipt(receipt=receipt)


def _granted_exception(*, election, voter):
    return ExceptionRequest.objects.filter(election=election, requester=voter,
                                           status=ExceptionRequest.APPROVED).exists()


def _roll_entry_held_by_another(*, election, voter):
    """Whether the roll entry of ``voter``'s login is bound to another account (and no exception lets them vote)."""
    return (RollBinding.objects.filter(election=election, login=voter.username.lower()).exclude(voter=voter)
            .exists() and not _granted_exception(election=election, voter=voter))


def _roll_entry_bind(*, election, voter, access):
    """In the cast's transaction: bind the roll entry of ``voter``'s login to their account if it was unbound
    when ``access`` was read.

    A voter whose entry is bound to another account votes only through an exception the officers granted (that
    exception is bound to their account). Two accounts casting at once under one login: the binding's unique
    key lets one through; the other's cast fails there and is refused.
    """
    if access.on_roll and not access.roll_bound:
        RollBinding.objects.create(election=election, login=voter.username.lower(), voter=voter,
                                   github_id=account_github_id(voter) or "")


def _already_voted():
    return AlreadyVoted(_("You have already voted in this election. You may view, change or revoke that ballot "
                          "with your passphrase."))


@sensitive_variables()
def ballot_view(*, election, voter, passphrase):
    """The voter's ballot and receipt, if ``passphrase`` opens the link.

    ``ranks`` is None for a ballot cast before ballots were sealed (a version 1 link holds only its
    receipt): its ranks are in the sealed box until the count.
    """
    record = _open_record(election=election, voter=voter)
    link = _link_open(record, election=election, voter=voter, passphrase=passphrase)
    if link is None:
        raise WrongPassphrase(_WRONG_PASSPHRASE)
    if not SealedBallot.objects.filter(id=link.ballot_id, election=election).exists():
        raise NotVoted(_("Your ballot could not be found."))
    return BallotView(receipt=link.receipt, ranks=link.ranks)


@sensitive_variables()
def ballot_revoke(*, election, voter, passphrase):
    """Delete the voter's ballot and record, so that they may vote again."""
    record = _open_record(election=election, voter=voter)
    link = _link_open(record, election=election, voter=voter, passphrase=passphrase)
    if link is None:
        raise WrongPassphrase(_WRONG_PASSPHRASE)
    with transaction.atomic():
        record = _record_locked_unchanged(record)
        SealedBallot.objects.filter(id=link.ballot_id, election=election).delete()
        record.delete()
        # A revocation that the opening would miss (its ballot counted) is refused the same way.
        _require_box_accepting(election)


@sensitive_variables()
def ballot_change(*, election, voter, passphrase, ranks, candidates=None):
    """Replace the voter's ballot in one step (new id, new receipt, sealed under the same passphrase).

    The attempt limit is checked before any key derivation. ``candidates`` as for ``ballot_cast``.
    """
    ranks = ranks_validate(election=election, ranks=ranks, candidates=candidates)
    _require_eligible(election, voter)
    record = _open_record(election=election, voter=voter)
    link = _link_open(record, election=election, voter=voter, passphrase=passphrase)
    if link is None:
        raise WrongPassphrase(_WRONG_PASSPHRASE)
    box = _box_for_casting(election)
    ballot_id = uuid.uuid4()
    receipt = secrecy.receipt_generate()
    salt, sealed = _seal(election=election, voter=voter, passphrase=passphrase, ballot_id=ballot_id,
                         receipt=receipt, ranks=ranks)
    with transaction.atomic():
        record = _record_locked_unchanged(record)
        _require_running(election, timezone.now())
        SealedBallot.objects.filter(id=link.ballot_id, election=election).delete()
        _sealed_ballot_store(ballot_id=ballot_id, election=election, box=box, ranks=ranks, receipt=receipt)
        record.salt = salt
        record.sealed_link = sealed
        record.save(update_fields=["salt", "sealed_link"])
        _require_box_accepting(election)
    return CastReceipt(receipt=receipt)


# --- delete_after ---------------------------------------------------------------------------------


def ballot_links_destroy(*, elections=None, now=None, dry_run=False, actor="system"):
    """Destroy the sealed links of completed ``delete_after`` elections; returns [(election, records)].

    Idempotent: elections whose links are already destroyed are skipped. ``elections`` narrows the
    candidates (an admin action passes its selection); the rules above still apply to each.
    """
    now = now or timezone.now()
    queryset = Election.objects.all() if elections is None else elections
    due = queryset.filter(delete_after=True, links_destroyed_at__isnull=True).completed(now).order_by("key")
    done = []
    for election in due:
        with transaction.atomic():
            election = Election.objects.select_for_update().get(pk=election.pk)
            if election.links_destroyed_at is not None:
                continue
            records = VoteRecord.objects.filter(election=election)
            count = records.count()
            if not dry_run:
                records.update(salt=b"", sealed_link=b"")
                election.links_destroyed_at = now
                election.save(update_fields=["links_destroyed_at"])
                audit_record(actor=actor, action=LINKS_DESTROY, election=election, detail={"vote_records": count})
            done.append((election, count))
    return done
