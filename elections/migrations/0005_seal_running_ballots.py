"""Seal the plaintext ballots of elections still running (or not yet started) into their ballot boxes.

Completed elections keep their ballots readable, as opened. Each sealed ballot keeps its id, so the voters'
version 1 links (which name it) still change or revoke it; their ranks stay sealed until the count. Vote
records keep only the hour of voting, and passphrase attempts (kept a minute at most) are cleared.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from elections.ballot_box import crypto


def _wrapping_key():
    try:
        return crypto.wrapping_key_parse(settings.BALLOT_BOX_KEY)
    except ValueError as exc:
        raise RuntimeError(
            "Running elections have plaintext ballots to seal, and BALLOT_BOX_KEY is missing or invalid "
            f"({exc}). Set BALLOT_BOX_KEY (see docs/production.md, Ballot box key), then migrate again."
        ) from exc


def seal_running_ballots(apps, schema_editor):
    Election = apps.get_model("elections", "Election")
    Ballot = apps.get_model("elections", "Ballot")
    BallotBox = apps.get_model("elections", "BallotBox")
    SealedBallot = apps.get_model("elections", "SealedBallot")
    VoteRecord = apps.get_model("elections", "VoteRecord")
    PassphraseAttempt = apps.get_model("elections", "PassphraseAttempt")

    now = timezone.now()
    for election in Election.objects.filter(end_datetime__gt=now).order_by("pk"):
        ballots = list(Ballot.objects.filter(election=election).values_list("id", "ranks", "receipt"))
        if not ballots:
            continue
        box = BallotBox.objects.filter(election=election).first()
        if box is None:
            wrapping_key = _wrapping_key()
            pair = crypto.keypair_generate()
            box = BallotBox.objects.create(
                election=election,
                custody="environment",
                public_key=pair.public_key,
                wrapped_private_key=crypto.private_key_wrap(pair.private_key, wrapping_key=wrapping_key,
                                                                public_key=pair.public_key),
                wrapping_key_id=crypto.wrapping_key_id(wrapping_key),
            )
        public_key = bytes(box.public_key)
        SealedBallot.objects.bulk_create(
            [SealedBallot(id=ballot_id, election=election,
                          sealed=crypto.ballot_seal(public_key, ranks=ranks, receipt=receipt))
             for ballot_id, ranks, receipt in ballots],
            batch_size=1000,
        )
        Ballot.objects.filter(election=election).delete()

    for record in VoteRecord.objects.only("pk", "voted_at").iterator():
        hour = record.voted_at.replace(minute=0, second=0, microsecond=0)
        if hour != record.voted_at:
            VoteRecord.objects.filter(pk=record.pk).update(voted_at=hour)
    PassphraseAttempt.objects.all().delete()


def refuse_unsealing(apps, schema_editor):
    SealedBallot = apps.get_model("elections", "SealedBallot")
    if SealedBallot.objects.exists():
        raise RuntimeError("Sealed ballots exist: open the ballot boxes (after the close) before migrating back, "
                           "or their ballots would be lost.")


class Migration(migrations.Migration):

    dependencies = [
        ("elections", "0004_ballot_box"),
    ]

    operations = [
        migrations.RunPython(seal_running_ballots, refuse_unsealing),
    ]
    # Checked by migrate before it unapplies any migration (elekto_site.schema.rollback_refuse), so a refused
    # rollback leaves every later migration applied.
    reverse_check = staticmethod(refuse_unsealing)
