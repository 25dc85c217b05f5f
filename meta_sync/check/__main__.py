"""``python -m meta_sync.check PATH``: see ``meta_sync.check`` and docs/officers.md. Exit 1 on any error."""

import argparse
import os
import sys

from . import BioRules, check_meta
from .output import RENDERERS, render_markdown


def _sections(text):
    return tuple(part.strip() for part in text.split(",") if part.strip())


def parser():
    arguments = argparse.ArgumentParser(
        prog="python -m meta_sync.check",
        description="Check a meta repository (or one election folder) as the import reads it: every error the "
                    "import would refuse and every warning, with file and line. Exit 1 on any error.")
    arguments.add_argument("path", help="the meta repository's folder, or one election folder (with election.yaml)")
    arguments.add_argument("--election-dir", default="elections",
                           help="the folder below PATH that holds the elections (default: elections)")
    arguments.add_argument("--format", choices=sorted(RENDERERS), default="text",
                           help="text (default), github (Actions annotations on the pull request) or json")
    arguments.add_argument("--strict", action="store_true", help="every warning is an error")
    arguments.add_argument("--against", default="", metavar="REF",
                           help="a git reference of the same repository: also say what merging into it would "
                                "change, election by election, and flag what the site refuses")
    arguments.add_argument("--max-words", type=int, default=0, metavar="N",
                           help="a bio over N words is an error (an election's bio: max_words takes its place)")
    arguments.add_argument("--recommended-words", type=int, default=0, metavar="N",
                           help="a bio over N words is a warning (bio: recommended_words takes its place)")
    arguments.add_argument("--required-sections", type=_sections, default=(), metavar="'## A,## B'",
                           help="headings every bio must hold, comma-separated (bio: required_sections takes "
                                "their place)")
    return arguments


def main(argv=None):
    args = parser().parse_args(argv)
    if args.max_words < 0 or args.recommended_words < 0:
        parser().error("word limits are whole numbers of words")
    report = check_meta(
        args.path, election_dir=args.election_dir, against=args.against, strict=args.strict,
        bio=BioRules(max_words=args.max_words, recommended_words=args.recommended_words,
                     required_sections=args.required_sections),
    )
    sys.stdout.write(RENDERERS[args.format](report))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if args.format == "github" and summary:
        # Everything, beyond the annotations GitHub shows, on the run's page.
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(render_markdown(report))
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
