"""What the other rooms ask of the ballot box: an election's box, in the custody its ``election.yaml`` names.

The import (``meta_sync``) makes the box when it imports an election; the first cast makes it if the import could
not. ``elections.ballot_box.box`` holds the default custody (the key wrapped under BALLOT_BOX_KEY) and
``elections.ballot_box.custody`` the officers' custody, which builds on it; this module sits above both.
"""

from django.db import IntegrityError, transaction

from elections.ballot_box.box import BallotBoxRefused, environment_box_create
from elections.ballot_box.custody import custody_sync
from elections.models import BallotBox


def ballot_box_ensure(*, election):
    """The election's box, made now if it has none yet: dealt to its officers when it names
    ``officers_to_open``, else with a fresh key pair wrapped under BALLOT_BOX_KEY. Safe when two requests race."""
    box = BallotBox.objects.filter(election=election).first()
    if box is not None:
        return box
    if election.officers_to_open:
        return _threshold_box_ensure(election)
    return environment_box_create(election=election)


def _threshold_box_ensure(election):
    """A threshold-mode election's box, dealt now if its import has not dealt it (``custody_sync``)."""
    warnings = []
    try:
        with transaction.atomic():
            warnings = custody_sync(election=election)
    except IntegrityError:
        pass  # a concurrent request dealt it
    box = BallotBox.objects.filter(election=election).first()
    if box is None:
        raise BallotBoxRefused(" ".join(warnings) or f"The ballot box of {election.key} could not be dealt.",
                               status=503)
    return box
