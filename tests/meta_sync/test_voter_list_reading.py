"""voters.yaml written as communities write it (the key, then one login a line) is read line by line, and gives
exactly what the YAML parser gives; anything else is left to the YAML parser."""

from pathlib import Path

import pytest

from meta_sync.parser import parse_election, voters
from meta_sync.parser.files import _load_yaml, _TextLoader
from meta_sync.parser.problems import _Collector
from meta_sync.parser.voters import _plain_voter_list
from tests.conftest import EXAMPLE_META, REAL_DATA
from tests.meta_sync.conftest import IRREGULAR

HERE = Path(__file__).parent


def yaml_reads(text):
    report = _Collector([])
    return _load_yaml(text, "voters.yaml", report, loader=_TextLoader), report.problems


def project_voter_files():
    return sorted({*HERE.joinpath("fixtures").rglob("voters.yaml"), *EXAMPLE_META.rglob("voters.yaml")})


def test_the_real_rolls_are_read_line_by_line_with_the_same_logins():
    real = sorted(REAL_DATA.joinpath("meta").rglob("voters.yaml"))
    assert len(real) >= 8, f"the real voter rolls under {REAL_DATA} are missing"
    for path in real:
        text = path.read_text(encoding="utf-8-sig")
        fast = _plain_voter_list(text)
        if path.parent.joinpath("election.yaml").is_file():
            # Every real election's roll has the plain shape (quoted numeric logins included): none pays for the
            # YAML parser. (A template folder's roll lists no one, and YAML reads it.)
            assert fast is not None, path
        assert fast is None or fast == yaml_reads(text)[0], path


@pytest.mark.parametrize("path", project_voter_files(), ids=lambda p: str(p.relative_to(HERE.parent.parent)))
def test_the_projects_rolls_give_what_yaml_gives(path):
    text = path.read_text(encoding="utf-8-sig")
    fast = _plain_voter_list(text)
    assert fast is None or fast == yaml_reads(text)[0]


READ_LINE_BY_LINE = [
    "eligible_voters:\n  - alice\n  - Bob\n",
    "eligible_voters:\n- alice\n- bob",  # at the key's column, no newline at the end
    "# The roll\n\n  # indented comment\neligible_voters:   # the voters\n  - alice # first\n\n  # gap\n  - bob\n",
    "eligible_voters:\r\n  - alice\r\n  - bob\r\n",
    "eligible_voters:\n  - '0123'\n  - \"0456\"\n  - 0789\n  - 1e3\n  - 'null'\n  - \"NULL\"\n  - nUll\n",
    "eligible_voters:\n  - alice\n  - alice\n  - ALICE\n  - a--b\n  - 9-\n",
    "eligible_voters:\n    -   alice   \n    - bob\n# trailing comment\n\n",
]

LEFT_TO_YAML = [
    "",
    "# only a comment\n",
    "eligible_voters:\n",
    "eligible_voters: []\n",
    "eligible_voters: [alice, bob]\n",
    "eligible_voters:\n  - alice\n  - null\n",
    "eligible_voters:\n  - alice\n  - ~\n",
    "eligible_voters:\n  - alice\n  -\n",
    "eligible_voters:\n  - alice\n    bob\n",  # a continued plain scalar: "alice bob"
    "eligible_voters:\n  - alice\n - bob\n",
    "eligible_voters:\n\t- alice\n",
    "eligible_voters:\n  - alice#not-a-comment\n",
    "eligible_voters:\n  - 'it''s'\n",
    "eligible_voters:\n  - &a alice\n  - *a\n",
    "eligible_voters:\n  - alice\nofficers:\n  - bob\n",
    "eligible_voters:\n  - alice\neligible_voters:\n  - bob\n",
    "---\neligible_voters:\n  - alice\n",
    "eligible_voters:\n  - alice\n...\n",
    "  eligible_voters:\n    - alice\n",
    "eligible_voters:#x\n  - alice\n",
    "eligible_voters:\n  - alice: x\n",
    "eligible_voters:\n  - - alice\n",
    "eligible_voters:\n  - -alice\n",
    "eligible_voters:\n  - alice\rbob\n",
    # A lone carriage return ends a line for YAML, in a comment too: the login after it is on the roll.
    "eligible_voters: # c\r  - bob\n  - alice\n",
    "eligible_voters:\n  - alice\n  # c\r  - bob\n",
    "# c\r  - x\neligible_voters:\n  - alice\n",
    "eligible_voters:\n  - alicé\n",
    "eligible_voters:\n  - alice\x0bbob\n",
    "%YAML 1.1\n---\neligible_voters:\n  - alice\n",
]


@pytest.mark.parametrize("text", READ_LINE_BY_LINE)
def test_plain_rolls_are_read_line_by_line_as_yaml_reads_them(text):
    data, problems = yaml_reads(text)
    assert problems == []
    assert _plain_voter_list(text) == data


@pytest.mark.parametrize("text", LEFT_TO_YAML)
def test_anything_else_is_left_to_the_yaml_parser(text):
    assert _plain_voter_list(text) is None


@pytest.mark.parametrize("name", ["club/2025", "plain"])
def test_an_election_reads_the_same_with_and_without_the_line_by_line_reading(meta_repo, monkeypatch, name):
    if name == "plain":
        folder = meta_repo.add_election("plain/2030", voters=("alice", "Alice", "0123", "not a login", "bob"))
        root = meta_repo.root
    else:
        root, folder = IRREGULAR, IRREGULAR / "elections" / name
    fast = parse_election(root, folder)
    monkeypatch.setattr(voters, "_plain_voter_list", lambda text: None)
    slow = parse_election(root, folder)
    assert (fast.voters, fast.problems) == (slow.voters, slow.problems)
