"""Open an exported ballot box on an officer's own machine: ``python -m elections.ballot_box.open_sealed_box``.

For officers who do not want the server to ever see the box's key. After the close an operator runs
``manage.py export_sealed_box KEY``, which writes the sealed ballots alone (shuffled, no voter, no time), the
box's public key, its private key wrapped under the custody key, and the digests of the officers' shares. On
one machine, K officers then give their decrypted shares (``age -d -i KEY FILE.age`` each):

    python -m elections.ballot_box.open_sealed_box board---2026-sealed-box.json \\
        --share olivia-share.txt --share oscar-share.txt --output ballots.csv

Each ``--share`` is a decrypted share file or the share's line itself. The shares are checked, the key rebuilt
in memory, every ballot opened, and ballots.csv written in a random order (the receipts in its last column, as
the site's own export). ``manage.py load_ballots KEY ballots.csv`` then stores them as the opened box.

Pure Python, as the count is: no Django, no settings, no database. Run it from a checkout of the site's code
with its requirements installed.
"""

import argparse
import base64
import json
import secrets
import sys
from pathlib import Path

from elections.ballot_box import crypto, key_shares
from elections.counting.tally import write_ballots_csv

FORMAT = "elekto-sealed-box"
VERSION = 1


class OpenError(Exception):
    """The export or a share cannot be used; the message says which and why."""


def _b64(text):
    return base64.b64decode(text, validate=True)


def export_read(data):
    """The export as a dict, its binary fields decoded; raises ``OpenError`` for anything else."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise OpenError(f"not a sealed box export (not JSON: {exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise OpenError("not a sealed box export (written by manage.py export_sealed_box)")
    if document.get("version") != VERSION:
        raise OpenError(f"sealed box export version {document.get('version')!r}; this opener reads {VERSION}")
    try:
        return {
            "election": str(document["election"]),
            "public_key": _b64(document["public_key"]),
            "wrapped_private_key": _b64(document["wrapped_private_key"]),
            "officers_to_open": int(document["officers_to_open"]),
            "candidates": [str(c) for c in document["candidates"]],
            "shares": {int(s["number"]): (str(s["holder"]), _b64(s["digest"])) for s in document["shares"]},
            "sealed": [_b64(s) for s in document["sealed"]],
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise OpenError(f"the sealed box export is damaged ({exc!r})") from None


def shares_read(texts, export):
    """The ``Share`` in each text, checked against the export's digests; raises ``OpenError`` naming the problem."""
    shares = {}
    for text in texts:
        try:
            share = key_shares.share_decode(text, election_key=export["election"], binding=export["public_key"])
        except key_shares.ShareError as exc:
            raise OpenError(str(exc)) from None
        dealt = export["shares"].get(share.index)
        if dealt is None:
            raise OpenError(f"share {share.index} is not one of this box's shares")
        holder, digest = dealt
        if not secrets.compare_digest(key_shares.share_digest(share, binding=export["public_key"]), digest):
            raise OpenError(f"share {share.index} ({holder}) is well formed but is not the share dealt for this box "
                            "(was it from before the shares were dealt again?)")
        if share.index in shares:
            raise OpenError(f"share {share.index} ({holder}) was given twice")
        shares[share.index] = share
    needed = export["officers_to_open"]
    if len(shares) < needed:
        raise OpenError(f"{len(shares)} share(s) given; {needed} are needed to open the box")
    return list(shares.values())[:needed]


def box_open(export, share_texts):
    """``(candidates, ballots, receipts)`` of the opened box, in a random order."""
    shares = shares_read(share_texts, export)
    try:
        custody_key = key_shares.shares_combine(shares)
        private_key = key_shares.key_unwrap(export["wrapped_private_key"], custody_key, binding=export["public_key"])
        opened = crypto.ballots_open(private_key, export["sealed"])
    except (key_shares.ShareError, crypto.BoxError) as exc:
        raise OpenError(str(exc)) from None
    secrets.SystemRandom().shuffle(opened)
    candidates = list(export["candidates"])
    for ballot in opened:
        candidates += [c for c in ballot.ranks if c not in candidates]
    return candidates, [b.ranks for b in opened], [b.receipt for b in opened]


def _share_text(value):
    path = Path(value)
    try:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OpenError(f"cannot read {value}: {exc.strerror or exc}") from None
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m elections.ballot_box.open_sealed_box",
        description="Open a ballot box exported with manage.py export_sealed_box, with K officers' decrypted "
                    "shares, and write its ballots.csv for manage.py load_ballots.")
    parser.add_argument("export", metavar="EXPORT.json", help="The file export_sealed_box wrote.")
    parser.add_argument("--share", action="append", default=[], metavar="FILE_OR_TEXT", required=True,
                        help="A decrypted share file, or the share's line; once per officer.")
    parser.add_argument("--output", "-o", default="ballots.csv", help="Where to write the ballots (ballots.csv).")
    options = parser.parse_args(argv)
    try:
        export = export_read(Path(options.export).read_bytes())
        candidates, ballots, receipts = box_open(export, [_share_text(v) for v in options.share])
    except OSError as exc:
        print(f"error: cannot read {options.export}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except OpenError as exc:
        print(f"error: {exc}. Nothing was written.", file=sys.stderr)
        return 1
    with open(options.output, "w", encoding="utf-8", newline="") as out:
        write_ballots_csv(candidates, ballots, out, receipts=receipts)
    print(f"Opened {len(ballots)} ballots of {export['election']} into {options.output}. Load them with: "
          f"python manage.py load_ballots {export['election']} {options.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
