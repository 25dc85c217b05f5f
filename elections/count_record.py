"""What a count used, frozen when the ballot box is opened or published ballots are loaded.

A published result stays the result of its ballots. Every input the meta repository gives the count is recorded
at that moment (``CountRecord``): the seats, the declared tie-break, the charter's rules (with election.yaml's
disqualifications), each candidate's organization under the representation rule, the candidates and their
withdrawals. Results, the report, the exports and ``manage.py tally ELECTION_KEY`` count with the record in force
(the latest) and publish it, so that anyone can recount exactly; the officers' own disqualifications on the site,
each an audited decision with its reason, apply on top of it.

A sync that changes one of these fields afterwards updates the election's pages but not its count: it warns,
naming the file and the field (``count_drift_warnings``). An officer may then recount under the new inputs
(``elections.officers.decisions.count_recount``): a new record, the earlier one and its result kept and shown.
"""

import json
from dataclasses import dataclass, field, replace

from elections.counting.charter import NO_RULES, RuleError, rules_from_yaml
from elections.models import CountRecord, Disqualification


@dataclass(frozen=True)
class CountInputs:
    """The inputs of one count. ``charter`` is election.yaml's rules as stored (``Election.charter``);
    ``organizations`` maps candidate IDs to the organization their profile names (with a representation rule
    only); ``candidates`` are every candidate ID, withdrawn ones included, in ID order."""

    seats: int
    tie_break: dict | None = None
    charter: dict = field(default_factory=dict)
    candidates: tuple = ()
    withdrawn: tuple = ()
    organizations: dict = field(default_factory=dict)
    # The record these inputs come from (None: read from the election as it stands, never counted).
    record: CountRecord | None = field(default=None, compare=False)

    def rules(self):
        """The charter's rules (election.yaml's only: the officers' disqualifications are added by the caller)."""
        if not self.charter:
            return NO_RULES
        try:
            return rules_from_yaml(self.charter, self.seats)
        except RuleError:
            # The importer refuses such rules; a row edited by hand past it counts without them rather than fail.
            return NO_RULES

    def to_dict(self):
        return {"seats": self.seats, "tie_break": self.tie_break, "charter": self.charter,
                "candidates": list(self.candidates), "withdrawn": list(self.withdrawn),
                "organizations": dict(self.organizations)}

    @classmethod
    def from_dict(cls, data, record=None):
        return cls(seats=data["seats"], tie_break=data.get("tie_break"), charter=data.get("charter") or {},
                   candidates=tuple(data.get("candidates", ())), withdrawn=tuple(data.get("withdrawn", ())),
                   organizations=dict(data.get("organizations") or {}), record=record)


def count_inputs_now(election):
    """The inputs as the election's rows hold them now (what a count started now would use)."""
    rows = list(election.candidates.order_by("candidate_id").values_list("candidate_id", "withdrawn", "info"))
    inputs = CountInputs(seats=election.no_winners, tie_break=election.tie_break, charter=election.charter or {},
                         candidates=tuple(c for c, _, _ in rows), withdrawn=tuple(c for c, w, _ in rows if w))
    return replace(inputs, organizations=inputs.rules().organizations((c, info) for c, _, info in rows))


def count_record_in_force(election):
    return CountRecord.objects.filter(election_id=election.pk).first()


def count_inputs_of(election):
    """The inputs the election's count uses: its record in force, or its rows as they stand if it has none."""
    record = count_record_in_force(election)
    if record is None:
        return count_inputs_now(election)
    return CountInputs.from_dict(record.inputs, record)


def count_inputs_document(election, inputs=None):
    """The inputs of the election's count as published data (``result.json``, ``tally --format json``): with
    the ballots.csv, enough to count again exactly. The officers' disqualifications on the site are added to
    the charter's ``disqualified``."""
    inputs = inputs or count_inputs_of(election)
    data = inputs.to_dict()
    decided = Disqualification.objects.filter(candidate__election=election).select_related("candidate")
    data["disqualified_by_officers"] = [{"candidate": d.candidate.candidate_id, "reason": d.reason,
                                         "by": d.decided_by} for d in decided]
    record = inputs.record
    data["recorded"] = None if record is None else {"at": record.recorded_at.isoformat(), "cause": record.cause,
                                                    "by": record.decided_by, "reason": record.reason}
    return data


def count_freeze(*, election, cause, decided_by="", reason=""):
    """Record the election's inputs now as its count's; inside the transaction that opens, loads or recounts."""
    return CountRecord.objects.create(election=election, inputs=count_inputs_now(election).to_dict(), cause=cause,
                                      decided_by=decided_by, reason=reason)


@dataclass(frozen=True)
class Drift:
    """One input the meta repository changed after the count: in ``path``, ``field`` was ``counted``, is ``now``."""

    path: str
    field: str
    counted: object
    now: object

    @property
    def counted_text(self):
        return _shown(self.counted)

    @property
    def now_text(self):
        return _shown(self.now)

    def __str__(self):
        return (f"{self.path}: {self.field} changed after the count (counted: {self.counted_text}; now: "
                f"{self.now_text}). The published result keeps what it was counted with; an officer may "
                "recount under the new inputs on the officers' page")


def _shown(value):
    if value is None or value == {} or value == []:
        return "none"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def count_drift(election):
    """What the meta repository changed in the inputs since the record in force; [] when nothing or no record.

    ``election`` may hold fields not saved yet (the sync compares before it saves)."""
    record = count_record_in_force(election)
    if record is None:
        return []
    counted, now = CountInputs.from_dict(record.inputs), count_inputs_now(election)
    yaml_file = f"{election.path}/election.yaml"
    drift = []
    if counted.seats != now.seats:
        drift.append(Drift(yaml_file, "no_winners", counted.seats, now.seats))
    if counted.tie_break != now.tie_break:
        drift.append(Drift(yaml_file, "tie_break", counted.tie_break, now.tie_break))
    for key in sorted(set(counted.charter) | set(now.charter)):
        if counted.charter.get(key) != now.charter.get(key):
            drift.append(Drift(yaml_file, key, counted.charter.get(key), now.charter.get(key)))
    files = dict(election.candidates.values_list("candidate_id", "source_file"))
    # Organizations count only under a representation rule; adding or removing the rule is a change of its own.
    representation = counted.rules().representation and now.rules().representation
    for candidate in sorted(set(counted.candidates) | set(now.candidates)):
        path = files.get(candidate) or f"{election.path}/candidate-{candidate}.md"
        if representation and counted.organizations.get(candidate) != now.organizations.get(candidate):
            drift.append(Drift(path, representation.field, counted.organizations.get(candidate),
                               now.organizations.get(candidate)))
        if (candidate in counted.withdrawn) != (candidate in now.withdrawn):
            drift.append(Drift(path, "withdrawn", candidate in counted.withdrawn, candidate in now.withdrawn))
        if (candidate in counted.candidates) != (candidate in now.candidates):
            drift.append(Drift(path, "candidate", candidate in counted.candidates, candidate in now.candidates))
    return drift


def count_drift_warnings(election):
    """The sync's warnings for a counted election whose inputs changed in the meta repository."""
    return [str(d) for d in count_drift(election)]
