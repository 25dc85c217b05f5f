"""Elections, their voter rolls and candidates (imported from the meta repository), and the ballots.

Ballot secrecy rests on the split between these tables:

* ``VoteRecord`` says *who* voted (for turnout and one-ballot-per-voter). It holds the link to the ballot
  only encrypted, with a key derived from the voter's passphrase and a server-side pepper.
* ``SealedBallot`` is what a cast writes while the election runs: the ranks and receipt sealed to the
  election's ``BallotBox`` public key, padded to a fixed length. Nobody reads it before the box is opened.
* ``Ballot`` is an opened ballot: written only when the box is opened after the close (in a random order,
  with fresh random ids), or loaded from a completed election's published ballots. It has no timestamp and
  no reference to a voter. Counting, results and exports read only these rows.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ElectionQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(archived=False)

    def running(self, now=None):
        now = now or timezone.now()
        return self.filter(start_datetime__lte=now, end_datetime__gt=now)

    def upcoming(self, now=None):
        return self.filter(start_datetime__gt=now or timezone.now())

    def completed(self, now=None):
        return self.filter(end_datetime__lte=now or timezone.now())

    def with_status(self, status, now=None):
        return {"running": self.running, "upcoming": self.upcoming, "completed": self.completed}[status](now)

    def officered_by(self, login):
        return self.filter(officers__login=login.lower())


class Election(models.Model):
    UPCOMING = "upcoming"
    RUNNING = "running"
    COMPLETED = "completed"
    STATUSES = (UPCOMING, RUNNING, COMPLETED)
    # The status as pages say it, in the reader's language.
    STATUS_LABELS = {
        UPCOMING: pgettext_lazy("election status", "Upcoming"),
        RUNNING: pgettext_lazy("election status", "Running"),
        COMPLETED: pgettext_lazy("election status", "Completed"),
    }

    # Path below ELECTION_DIR with "/" replaced by "---", e.g. "steering---2021".
    key = models.CharField(_("key"), max_length=255, unique=True)
    path = models.CharField(_("path"), max_length=500, help_text=_("Folder in the meta repository."))
    name = models.CharField(_("name"), max_length=500)
    organization = models.CharField(_("organization"), max_length=500, blank=True)
    start_datetime = models.DateTimeField(_("voting opens"))
    end_datetime = models.DateTimeField(_("voting closes"))
    no_winners = models.PositiveIntegerField(_("seats"), default=1)
    allow_no_opinion = models.BooleanField(_("allows “No opinion”"), default=True)
    delete_after = models.BooleanField(_("destroys ballot links after the count"), default=False)
    show_candidate_fields = models.JSONField(_("candidate fields shown"), default=list, blank=True)
    eligibility = models.TextField(_("who may vote"), blank=True)
    exception_description = models.TextField(_("about exception requests"), blank=True)
    exception_due = models.DateTimeField(_("exception requests close"), null=True, blank=True)
    # Declared tie-break (from election.yaml), or null: see elections.counting.tally.
    tie_break = models.JSONField(_("declared tie-break"), null=True, blank=True)
    # The charter's rules from election.yaml (representation, seat_terms, disqualified): see elections.counting.charter.
    charter = models.JSONField(_("charter rules"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("election_desc.md"))
    results = models.TextField(_("results"), blank=True, help_text=_("results.md, as published by the officers"))

    # Import state.
    archived = models.BooleanField(_("archived"), default=False, help_text=_("Its folder left the meta repository."))
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    synced_at = models.DateTimeField(_("last imported"), null=True, blank=True)
    sync_warnings = models.JSONField(_("sync warnings"), default=list, blank=True)
    sync_errors = models.JSONField(_("sync errors"), default=list, blank=True)
    # {"stamp": the folder's stamp when last imported (meta_sync.parser.folder_stamp), "voters": n,
    # "candidates": n}: a folder with the same stamp is not read again.
    source_stamp = models.JSONField(_("folder stamp"), default=dict, blank=True)
    # Set when the encrypted voter-to-ballot links were destroyed (delete_after).
    links_destroyed_at = models.DateTimeField(_("ballot links destroyed"), null=True, blank=True)
    # ballot_box: {officers_to_open: K} in election.yaml: K officers' key shares open the box (threshold mode);
    # null for the default mode. See elections.ballot_box.custody.
    officers_to_open = models.PositiveSmallIntegerField(_("officers needed to open the ballot box"), null=True,
                                                        blank=True)
    # ballot_box.officer_keys: each officer's public keys as pinned at import (login -> [{"key", "kind",
    # "fingerprint"}]); their shares are encrypted to them (elections.ballot_box.officer_keys).
    officer_keys = models.JSONField(_("officers' public keys"), default=dict, blank=True)
    # Set when officers reopen a counted election: the next sync may move end_datetime later (then cleared).
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)

    objects = ElectionQuerySet.as_manager()

    class Meta:
        ordering = ["-start_datetime", "key"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")

    def __str__(self):
        return self.name

    def status_at(self, now):
        if now < self.start_datetime:
            return self.UPCOMING
        if now < self.end_datetime:
            return self.RUNNING
        return self.COMPLETED

    @property
    def status(self):
        return self.status_at(timezone.now())

    @property
    def is_running(self):
        return self.status == self.RUNNING

    @property
    def is_completed(self):
        return self.status == self.COMPLETED

    @property
    def exception_deadline(self):
        return self.exception_due or self.start_datetime

    def is_officer(self, user):
        if not user.is_authenticated:
            return False
        return self.officers.filter(login=user.username.lower()).exists()

    def is_eligible(self, login):
        """On the voter roll, or granted by an officer through an approved exception request."""
        login = login.lower()
        return (
            self.voters.filter(login=login).exists()
            or self.exception_requests.filter(requester__username=login, status=ExceptionRequest.APPROVED).exists()
        )


class Officer(models.Model):
    """An election officer, from ``election_officers`` in election.yaml (login stored lower-case)."""

    election = models.ForeignKey(Election, verbose_name=_("election"), on_delete=models.CASCADE,
                                 related_name="officers")
    login = models.CharField(_("GitHub login"), max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "login"], name="unique_officer")]
        verbose_name = _("election officer")
        verbose_name_plural = _("election officers")

    def __str__(self):
        return self.login


class EligibleVoter(models.Model):
    """One line of the voter roll (voters.yaml), login stored lower-case."""

    election = models.ForeignKey(Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="voters")
    login = models.CharField(_("GitHub login"), max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "login"], name="unique_eligible_voter")]
        verbose_name = _("eligible voter")
        verbose_name_plural = _("eligible voters")

    def __str__(self):
        return self.login


class RollBinding(models.Model):
    """A voter-roll login bound to the account whose ballot first used it: one roll entry, one ballot.

    A GitHub login can change hands (its owner renames the account, someone else registers the freed name), the
    account's numeric id never does. The first cast under a roll login binds the entry to that account (and
    records its GitHub id); another account presenting the same login is refused. The binding outlives the roll
    line (a login may leave voters.yaml and come back). Officers may give the entry to another account with a
    reason (``elections.voting.services.roll_entry_rebind``), audited.
    """

    election = models.ForeignKey(Election, verbose_name=_("election"), on_delete=models.CASCADE,
                                 related_name="roll_bindings")
    login = models.CharField(_("GitHub login on the roll"), max_length=100)
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.PROTECT,
                              related_name="roll_bindings")
    github_id = models.CharField(_("GitHub account id"), max_length=32, blank=True,
                                 help_text=_("Empty for an account not signed in through GitHub."))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "login"], name="one_account_per_roll_entry")]
        verbose_name = _("roll entry binding")
        verbose_name_plural = _("roll entry bindings")

    def __str__(self):
        return f"{self.login} in {self.election}"


class Candidate(models.Model):
    election = models.ForeignKey(Election, verbose_name=_("election"), on_delete=models.CASCADE,
                                 related_name="candidates")
    candidate_id = models.CharField(_("candidate ID"), max_length=100,
                                    help_text=_("The ID in the candidate file's header."))
    name = models.CharField(_("name"), max_length=500)
    info = models.JSONField(_("profile fields"), default=dict, blank=True)
    bio = models.TextField(_("profile"), blank=True)
    source_file = models.CharField(_("source file"), max_length=500, blank=True)
    # Removed from the meta repository after voting began: kept so that cast ballots still count.
    withdrawn = models.BooleanField(_("withdrawn"), default=False)

    class Meta:
        ordering = ["candidate_id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "candidate_id"], name="unique_candidate_id"),
        ]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")

    def __str__(self):
        return self.name


class VoteRecord(models.Model):
    """That a voter voted in an election, and in which hour; never how.

    ``sealed_link`` is AES-GCM ciphertext of the sealed ballot's id, the ranks and the receipt (padded to a
    fixed size), under a key derived with Argon2id from the voter's passphrase, a server-side pepper and
    ``salt`` (see elections.voting.secrecy). Without the passphrase and the pepper the database cannot join this row
    to its ballot. Both are emptied when the links of a ``delete_after`` election are destroyed.
    ``voted_at`` is rounded down to the hour: enough for the turnout chart, too coarse to order voters.
    """

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="vote_records")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="vote_records")
    voted_at = models.DateTimeField(default=timezone.now)
    salt = models.BinaryField(max_length=32, blank=True)
    sealed_link = models.BinaryField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "voter"], name="one_vote_per_voter")]

    def __str__(self):
        return f"{self.voter} voted in {self.election}"


class BallotBox(models.Model):
    """An election's key pair: ballots are sealed to ``public_key`` when cast (see elections.ballot_box.crypto).

    ``custody`` says who holds the private key. ``environment``: it is stored here only wrapped under a key
    from the environment (BALLOT_BOX_KEY; ``wrapping_key_id`` names which one). ``officer_keys``: it is split
    among the officers, ``threshold`` of whom must bring their shares, and each share was encrypted to its
    officer's own public keys when dealt; ``wrapped_private_key`` stays null. ``threshold`` (legacy, for
    boxes dealt before officers' keys): the same split, but the server held each share under BALLOT_BOX_KEY
    until it was taken and from its entry until the opening. Opening the box (after the close) writes the
    plaintext ``Ballot`` rows and destroys the wrapped key.
    """

    ENVIRONMENT = "environment"
    OFFICER_KEYS = "officer_keys"
    THRESHOLD = "threshold"
    CUSTODY_CHOICES = [(ENVIRONMENT, "Key wrapped under the server's ballot box key"),
                       (OFFICER_KEYS, "Key split among the officers, each share encrypted to its officer's keys"),
                       (THRESHOLD, "Key split among the officers, shares held by the server (legacy)")]

    election = models.OneToOneField(Election, on_delete=models.PROTECT, related_name="ballot_box")
    custody = models.CharField(max_length=20, choices=CUSTODY_CHOICES, default=ENVIRONMENT)
    # k of a k-of-n split (threshold custody only).
    threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    public_key = models.BinaryField(max_length=32)
    wrapped_private_key = models.BinaryField(max_length=128, null=True, blank=True)
    wrapping_key_id = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.CharField(max_length=100, blank=True)
    # Threshold custody: the private key wrapped under a key that only ``threshold`` officers' shares rebuild
    # (elections.ballot_box.key_shares); destroyed when the box is opened.
    shared_private_key = models.BinaryField(max_length=128, null=True, blank=True)

    def __str__(self):
        return f"Ballot box of {self.election}"

    @property
    def is_open(self):
        return self.opened_at is not None


class KeyShare(models.Model):
    """One officer's share of a threshold-mode box key (see elections.ballot_box.custody). Never the share in clear.

    Officers' keys (``BallotBox.OFFICER_KEYS``): ``sealed_share`` is the share file encrypted with age to the
    officer's own public keys (``recipients``: their fingerprints at the deal), which only that officer can
    decrypt; ``digest`` recognises the share when it comes back, ``check_digest`` the check code printed next
    to it (``confirmed_at``: when the officer proved they can decrypt it).

    Legacy (``BallotBox.THRESHOLD``): ``held`` is the share encrypted under BALLOT_BOX_KEY until its officer
    takes it (then null: the server keeps only ``digest``); ``entered`` is the share as entered after the
    close, encrypted the same way, until the box opens.
    """

    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="key_shares")
    number = models.PositiveSmallIntegerField()
    holder = models.CharField(max_length=100, help_text="The officer's login.")
    digest = models.BinaryField(max_length=32)
    held = models.BinaryField(max_length=128, null=True, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    entered = models.BinaryField(max_length=128, null=True, blank=True)
    entered_at = models.DateTimeField(null=True, blank=True)
    sealed_share = models.TextField(blank=True)
    recipients = models.JSONField(default=list, blank=True)
    check_digest = models.BinaryField(max_length=32, null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["box", "number"]
        constraints = [
            models.UniqueConstraint(fields=["box", "number"], name="unique_key_share_number"),
            models.UniqueConstraint(fields=["box", "holder"], name="one_key_share_per_officer"),
        ]

    def __str__(self):
        return f"Key share {self.number} ({self.holder})"


class SealedBallot(models.Model):
    """One cast ballot while the election runs, readable only with the box's private key.

    ``sealed`` is a libsodium sealed box of the padded ranks and receipt: its length depends only on the
    candidates. The id is random; the voter's sealed link holds it so that they can change or revoke it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="sealed_ballots")
    sealed = models.BinaryField()

    def __str__(self):
        return "Sealed ballot"


class Ballot(models.Model):
    """What one voter ranked, once the box is opened. Nothing here identifies the voter or when they voted.

    ``ranks`` maps candidate_id to a rank number (1 = most preferred; equal numbers are ties) or null for
    "No opinion". ``receipt`` is a random code given to the voter, listed in the anonymised export.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="ballots")
    ranks = models.JSONField()
    receipt = models.CharField(max_length=64, unique=True)

    def __str__(self):
        return f"Ballot {self.receipt}"


class PassphraseAttempt(models.Model):
    """A passphrase check (view, revoke, change), kept for rate limiting across replicas.

    ``attempted_at`` is rounded down to the minute, all the limit needs (it counts this minute's and the
    previous minute's attempts); older rows are deleted at the voter's next attempt.
    """

    election = models.ForeignKey(Election, on_delete=models.CASCADE)
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    attempted_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"Passphrase attempt at {self.attempted_at:%Y-%m-%d %H:%M:%S}"


class ExceptionRequest(models.Model):
    """A request, by someone missing from the voter roll, to be allowed to vote."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    STATUS_CHOICES = [
        (PENDING, pgettext_lazy("exception request status", "Pending")),
        (APPROVED, pgettext_lazy("exception request status", "Approved")),
        (DENIED, pgettext_lazy("exception request status", "Denied")),
    ]

    election = models.ForeignKey(Election, verbose_name=_("election"), on_delete=models.CASCADE,
                                 related_name="exception_requests")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requester"), on_delete=models.CASCADE,
                                  related_name="exception_requests")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    chat_handle = models.CharField(_("chat handle"), max_length=200, blank=True)
    contributions = models.TextField(_("contributions"), help_text=_("What the requester contributed."))
    comments = models.TextField(_("comments"), blank=True)
    submitted_at = models.DateTimeField(_("sent"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES, default=PENDING)
    reviewed_by = models.CharField(_("reviewed by"), max_length=100, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["election", "requester"], name="one_exception_request_per_user"),
        ]
        verbose_name = _("exception request")
        verbose_name_plural = _("exception requests")

    def __str__(self):
        return f"{self.requester} in {self.election}"


class AuditEvent(models.Model):
    """An officer's or operator's action: who, when, what. Written in the action's own transaction."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.CharField(_("who"), max_length=100,
                             help_text=_("GitHub login, or 'system' for commands and webhooks."))
    action = models.CharField(_("action"), max_length=100)
    election = models.ForeignKey(Election, verbose_name=_("election"), null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="audit_events")
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"


class ContentVersion(models.Model):
    """A counter raised in the same transaction as every write that changes what election pages show (the meta
    sync's imports). Parts of pages rendered once are kept per version (``elections.voting.listing``), so a page is
    never behind an import. One row, ``pk=1``."""

    value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"Content version {self.value}"


class Disqualification(models.Model):
    """An officer's decision, after the close, that a candidate takes no seat (the meta repository can declare
    one too, in election.yaml). The candidate keeps their place in the published ranking."""

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="disqualification")
    reason = models.TextField()
    decided_by = models.CharField(max_length=100)
    decided_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.candidate} disqualified"


class SchemaGeneration(models.Model):
    """A schema generation the database's migrations reached, with the release whose migration raised it.

    The database's generation is its highest row. A migration that changes what a write means raises it
    (``elekto_site.schema.schema_generation_raise``), and code of a lower generation then refuses to write.
    """

    generation = models.PositiveIntegerField(unique=True)
    release = models.CharField(max_length=40)
    migrated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"schema generation {self.generation} (release {self.release})"


class CountRecord(models.Model):
    """What a count used, recorded when the ballot box is opened or published ballots are loaded, and at each
    recount an officer decides (see elections.count_record). The latest record is the one the results, the
    report, the exports and ``manage.py tally`` count with; earlier ones are kept with their reasons."""

    OPENED = "opened"
    LOADED = "loaded"
    RECOUNT = "recount"
    UPGRADE = "upgrade"
    CAUSES = [(OPENED, _("ballot box opened")), (LOADED, _("published ballots loaded")),
              (RECOUNT, _("recount decided by an officer")), (UPGRADE, _("recorded at the upgrade"))]

    election = models.ForeignKey(Election, verbose_name=_("election"), on_delete=models.CASCADE,
                                 related_name="count_records")
    inputs = models.JSONField(_("inputs of the count"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    cause = models.CharField(_("cause"), max_length=10, choices=CAUSES)
    decided_by = models.CharField(_("decided by"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("count record")
        verbose_name_plural = _("count records")

    def __str__(self):
        return f"Count of {self.election} recorded {self.recorded_at:%Y-%m-%d %H:%M}"
