"""The check's report as text for people, GitHub Actions annotations, or JSON. No Django here.

The JSON object (``FORMAT_VERSION`` 1; fields are only ever added, never renamed or removed):

    {"format": 1, "ok": true, "strict": false, "against": "origin/main" or null, "errors": 0, "warnings": 2,
     "problems": [{"severity": "error" | "warning", "file": "elections/2024/election.yaml", "line": 5 or null,
                   "field": "no_winners" or "", "message": "...", "election": "2024" or ""}],
     "elections": [{"key": "2024", "path": "elections/2024", "name": "...", "present": true, "errors": 0,
                    "warnings": 2, "changes": null or {"status": "added" | "removed" | "renamed" | "changed" |
                    "unchanged", "renamed_from": key or null, "voters": {"added": [...], "removed": [...]},
                    "officers": {"added": [...], "removed": [...]}, "candidates": {"added": [...],
                    "removed": [...], "withdrawn": [...], "changed": [{"id": "...", "fields": ["bio", ...]}]},
                    "fields": [{"field": "end_datetime", "before": "...", "after": "..."}]}}]}

``severity`` is as reported (with ``--strict`` every warning is an error); ``file`` is the path from where the
command ran; ``line`` counts from 1.
"""

import json
import os

FORMAT_VERSION = 1
# GitHub shows at most this many error annotations, and as many warnings, of one step on a pull request.
GITHUB_ANNOTATIONS_PER_KIND = 10


def shown_path(report, rel):
    """The path of ``rel`` (relative to the checked root) as seen from where the command ran."""
    return os.path.normpath(os.path.join(report.shown_root, rel)) if rel else os.path.normpath(report.shown_root)


def _summary(report):
    present = sum(1 for e in report.elections if e.present)
    return (f"{present} election(s) checked: {report.error_count} error(s), {report.warning_count} warning(s)"
            + (" (--strict: warnings count as errors)" if report.strict else ""))


def _changes_text(report):
    lines = []
    for election in report.elections:
        if election.changes is None or election.changes.status == "unchanged":
            continue
        lines.append(f"  {election.key} ({shown_path(report, election.path)}): {election.changes.status}")
        lines += [f"    {line}" for line in election.changes.describe()]
    if not lines:
        return [f"No election changes against {report.against}."]
    return [f"What the merge changes, against {report.against}:", *lines]


def render_text(report):
    lines = []
    for _, problem in report.all_problems():
        where = shown_path(report, problem.path) + (f":{problem.line}" if problem.line else "")
        lines.append(f"{where}: {report.severity(problem)}: {problem.text}")
    if report.against:
        lines += ["", *_changes_text(report)] if lines else _changes_text(report)
    lines += ["", _summary(report)] if lines else [_summary(report)]
    return "\n".join(lines) + "\n"


def _escape_data(text):
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text):
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github_order(report):
    """Problems as the pull request should show them: errors first, then warnings; with a reference, those of the
    elections the change touches first (GitHub shows only ``GITHUB_ANNOTATIONS_PER_KIND`` of each kind)."""
    touched = {e.key for e in report.elections if e.changes is not None and e.changes.status != "unchanged"}
    found = report.all_problems()
    return sorted(found, key=lambda item: (report.severity(item[1]) != "error", item[0] not in touched))


def render_github(report):
    """``::error file=PATH,line=N::message`` per problem (``file=`` first), as many of each kind as GitHub shows
    on a pull request; the others, the changes and the summary as plain log lines."""
    lines, later, shown = [], [], {}
    for _, problem in _github_order(report):
        severity = report.severity(problem)
        shown[severity] = shown.get(severity, 0) + 1
        if shown[severity] > GITHUB_ANNOTATIONS_PER_KIND:
            where = shown_path(report, problem.path) + (f":{problem.line}" if problem.line else "")
            later.append(f"{where}: {severity}: {problem.text}")
            continue
        properties = f" file={_escape_property(shown_path(report, problem.path))}" if problem.path else ""
        if problem.path and problem.line:
            properties += f",line={problem.line}"
        lines.append(f"::{severity}{properties}::{_escape_data(problem.text)}")
    if later:
        lines.append(f"::notice::{len(later)} more problem(s) below and in the job summary: GitHub shows "
                     f"{GITHUB_ANNOTATIONS_PER_KIND} errors and {GITHUB_ANNOTATIONS_PER_KIND} warnings of a step on "
                     "the pull request")
        lines += later
    if report.against:
        lines += _changes_text(report)
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report):
    """The whole report in Markdown, for a GitHub Actions job summary (``GITHUB_STEP_SUMMARY``)."""
    lines = [f"## Elections check: {_summary(report)}", ""]
    found = _github_order(report)
    if found:
        lines += ["| | File | Problem |", "| --- | --- | --- |"]
        for _, problem in found:
            where = shown_path(report, problem.path) + (f":{problem.line}" if problem.line else "")
            lines.append(f"| {report.severity(problem)} | `{_cell(where)}` | {_cell(problem.text)} |")
        lines.append("")
    if report.against:
        changes = _changes_text(report)
        lines += [f"### {changes[0]}", ""]
        for line in changes[1:]:
            depth = (len(line) - len(line.lstrip(" "))) // 2 - 1
            lines.append("  " * depth + f"- {_cell(line.strip())}")
        lines.append("")
    return "\n".join(lines)


def as_dict(report):
    problems = [{"severity": report.severity(p), "file": shown_path(report, p.path), "line": p.line,
                 "field": p.field, "message": p.message, "election": key} for key, p in report.all_problems()]
    elections = []
    for election in report.elections:
        severities = [report.severity(p) for p in election.problems]
        elections.append({
            "key": election.key, "path": shown_path(report, election.path), "name": election.name,
            "present": election.present, "errors": severities.count("error"), "warnings": severities.count("warning"),
            "changes": election.changes.as_dict() if election.changes is not None else None,
        })
    return {"format": FORMAT_VERSION, "ok": report.exit_code == 0, "strict": report.strict,
            "against": report.against or None, "errors": report.error_count, "warnings": report.warning_count,
            "problems": problems, "elections": elections}


def render_json(report):
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False, default=str) + "\n"


RENDERERS = {"text": render_text, "github": render_github, "json": render_json}
