"""What is wrong in a file of the meta repository, and where: ``Problem`` (its file, field, line and severity),
and the collector that the reading of one election reports its problems to. No Django here."""

import re
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"

# The last step of a field's name: ``.c`` of ``a.b.c``, ``[0]`` of ``a[0]``.
_LAST_STEP = re.compile(r"(?:\.[^.\[]+|\[\d+\])$")


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file of the meta repository. ``path`` is relative to the repository root; ``line``
    (from 1) is where the field is written, when the file says."""

    path: str
    field: str
    message: str
    severity: str = ERROR
    line: int | None = None

    @property
    def text(self):
        """``field: message`` (or just the message when no field is concerned)."""
        return f"{self.field}: {self.message}" if self.field else self.message

    def __str__(self):
        return f"{self.path}: {self.text}"


class _Collector:
    """Problems of one election, each tied to the file it was found in, and to the line of its field when the
    file's reading recorded one in ``lines`` (``{path: {field: line}}``)."""

    def __init__(self, problems):
        self.problems = problems
        self.lines = {}

    def error(self, path, field_name, message, line=None):
        self.problems.append(Problem(path, field_name, message, ERROR, line or field_line(self.lines, path,
                                                                                          field_name)))

    def warning(self, path, field_name, message, line=None):
        self.problems.append(Problem(path, field_name, message, WARNING, line or field_line(self.lines, path,
                                                                                            field_name)))


def field_line(lines, path, field_name):
    """The line of ``field_name`` in the file ``path`` or of the nearest field that holds it (``a.b[0].c``:
    ``a.b[0]``, ``a.b``, ``a``), from ``lines`` (``{path: {field: line}}``), or None."""
    known = lines.get(path)
    while known and field_name:
        if field_name in known:
            return known[field_name]
        shorter = _LAST_STEP.sub("", field_name)
        if shorter == field_name:
            break
        field_name = shorter
    return None


def _has_problem(report, rel):
    return any(p.path == rel for p in report.problems)
