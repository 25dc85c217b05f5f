"""``python -m elections.open_sealed_box``, the offline opener's address in releases up to 1.2.0, kept so that
officers' notes keep working: it runs ``elections.ballot_box.open_sealed_box``."""

from elections.ballot_box.open_sealed_box import main

if __name__ == "__main__":
    raise SystemExit(main())
