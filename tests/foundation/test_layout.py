"""The layout stays readable (docs/architecture.md): no module or folder outgrows what one reader takes in.

The import rules between the rooms are checked by ``lint-imports`` in scripts/test.sh (pyproject.toml).
"""

from collections import Counter

from tests.conftest import REPO_ROOT

APPS = ["accounts", "elections", "elekto_site", "meta_sync"]
MODULE_LINES = 600
FOLDER_LINES = 3000


def _modules():
    for app in APPS:
        for path in sorted((REPO_ROOT / app).rglob("*.py")):
            yield path, len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_holds_more_than_600_lines():
    too_long = {str(path.relative_to(REPO_ROOT)): lines for path, lines in _modules() if lines > MODULE_LINES}

    assert too_long == {}


def test_no_folder_holds_more_than_3000_lines_of_python_of_its_own():
    folders = Counter()
    for path, lines in _modules():
        folders[str(path.parent.relative_to(REPO_ROOT))] += lines

    assert {folder: lines for folder, lines in folders.items() if lines > FOLDER_LINES} == {}
    assert folders["elections/voting"] > 0  # the rooms are where the layout says
