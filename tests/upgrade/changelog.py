"""CHANGELOG.md read as data: each release's version, commit and schema generation, and its Upgrading notes."""

import re
from dataclasses import dataclass

from tests.conftest import REPO_ROOT

CHANGELOG = REPO_ROOT / "CHANGELOG.md"
UPGRADING_ITEMS = ("Migrations", "Old pods stop first", "New settings", "After")
_HEADING = re.compile(r"^## (\d+\.\d+\.\d+) \((\d{4}-\d{2}-\d{2})\)$")
_COMMIT = re.compile(r"^Commit: ([0-9a-f]{7,40})\.$", re.MULTILINE)
_GENERATION = re.compile(r"^Schema generation: (\d+)\.$", re.MULTILINE)


@dataclass(frozen=True)
class Release:
    version: str
    date: str
    commit: str | None  # None until the release is made
    generation: int | None  # None before the schema guard
    text: str

    def upgrading_items(self):
        """The items of UPGRADING_ITEMS its Upgrading notes cover."""
        _, _, notes = self.text.partition("### Upgrading")
        return [name for name in UPGRADING_ITEMS if re.search(rf"^- \*\*{name}\b", notes, re.MULTILINE)]


def releases():
    """Every numbered release of CHANGELOG.md, newest first (the "Unreleased" section is not one)."""
    found = []
    sections = re.split(r"^(?=## )", CHANGELOG.read_text(encoding="utf-8"), flags=re.MULTILINE)
    for section in sections:
        heading = _HEADING.match(section.splitlines()[0]) if section.startswith("## ") else None
        if heading is None:
            continue
        commit = _COMMIT.search(section)
        generation = _GENERATION.search(section)
        found.append(Release(version=heading[1], date=heading[2], commit=commit[1] if commit else None,
                             generation=int(generation[1]) if generation else None, text=section))
    return found


def previous_guarded_release(code_generation):
    """The newest made release that has the schema guard and writes a lower generation than ``code_generation``:
    the release whose pods a rollout to this code leaves running against the migrated database. None if none."""
    for release in releases():
        if release.commit and release.generation is not None and release.generation < code_generation:
            return release
    return None
