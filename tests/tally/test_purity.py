"""The count stands alone: anyone can recount with elections.counting.tally (and its seats, charter rules and
robustness panel) and no Django."""

import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_importing_the_count_does_not_import_django():
    code = ("import sys, elections.counting.tally, elections.counting.seats, elections.counting.charter, "
            "elections.counting.robustness; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))")
    completed = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True,
                               timeout=60, check=True)

    assert completed.stdout.strip() == "[]"
