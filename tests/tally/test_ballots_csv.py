"""Reading and writing Elekto's ballots.csv, and the messages for files that cannot be counted."""

import io

import pytest

from elections.counting.tally import BallotFileError, count, read_ballots_csv, write_ballots_csv
from tests.tally.helpers import FIXTURES, pairwise_by_definition


def test_no_opinion_and_blank_cells_carry_no_preference():
    candidates, ballots = read_ballots_csv((FIXTURES / "small_election.csv").read_text())

    assert candidates == ["alice", "bob", "carol", "dave"]
    assert ballots[0] == {"alice": 1, "bob": 2, "carol": 3, "dave": None}
    assert ballots[1] == {"alice": 1, "bob": 1, "carol": 2, "dave": None}
    result = count(candidates, ballots)
    assert result.ballots == 5
    # Counted by hand from the file: alice beats everyone head to head, so she wins.
    assert (result.pairwise["alice"]["bob"], result.pairwise["bob"]["alice"]) == (2, 1)
    assert (result.pairwise["alice"]["carol"], result.pairwise["carol"]["alice"]) == (3, 0)
    assert (result.pairwise["alice"]["dave"], result.pairwise["dave"]["alice"]) == (2, 0)
    assert result.pairwise == pairwise_by_definition(candidates, ballots)
    assert result.winners == ["alice"]


def test_a_trailing_receipt_column_is_read_and_ignored():
    candidates, ballots = read_ballots_csv((FIXTURES / "tied_with_receipts.csv").read_bytes())

    assert candidates == ["ann", "ben", "cat"]
    assert ballots[0] == {"ann": 1, "ben": 2, "cat": None}
    assert all("receipt" not in ballot for ballot in ballots)


def test_written_ballots_read_back_the_same_with_or_without_receipts():
    candidates = ["ann", "ben", "cat"]
    ballots = [{"ann": 1, "ben": 2, "cat": None}, {"ben": 1}, {"ann": 3, "ben": 3, "cat": 3}]
    for receipts in (None, ["r-1", "r-2", "r-3"]):
        out = io.StringIO()
        write_ballots_csv(candidates, ballots, out, receipts=receipts)

        assert out.getvalue().splitlines()[2] == "No opinion,1,No opinion" + (",r-2" if receipts else "")
        read_candidates, read_ballots = read_ballots_csv(out.getvalue())
        assert read_candidates == candidates
        assert read_ballots == [{c: b.get(c) for c in candidates} for b in ballots]


def test_a_byte_order_mark_and_windows_line_ends_are_accepted():
    candidates, ballots = read_ballots_csv("\ufeffann,ben\r\n1,2\r\n2,No opinion\r\n".encode())

    assert candidates == ["ann", "ben"]
    assert ballots == [{"ann": 1, "ben": 2}, {"ann": 2, "ben": None}]


def test_a_header_without_ballots_is_an_election_without_ballots():
    candidates, ballots = read_ballots_csv("ann,ben\n")

    assert (candidates, ballots) == (["ann", "ben"], [])


def test_a_rank_that_is_not_a_number_is_reported_by_line_and_column():
    with pytest.raises(BallotFileError) as caught:
        read_ballots_csv((FIXTURES / "malformed_rank.csv").read_text())

    # Line 5 of the file (a blank line 3 is counted too), the ben column.
    assert (caught.value.row, caught.value.column) == (5, 2)
    assert str(caught.value).startswith("row 5, column 2: ben: 'x' is not a rank")


@pytest.mark.parametrize("cell", ["0", "-1", "1.5", "first", "１"])
def test_ranks_must_be_whole_numbers_of_one_or_more(cell):
    with pytest.raises(BallotFileError) as caught:
        read_ballots_csv(f"ann,ben\n1,{cell}\n")

    assert (caught.value.row, caught.value.column) == (2, 2)


def test_a_row_with_the_wrong_number_of_cells_is_reported_by_line():
    with pytest.raises(BallotFileError) as caught:
        read_ballots_csv("ann,ben,cat\n1,2,3\n1,2\n")

    assert caught.value.row == 3
    assert "2 cells, but the header has 3" in str(caught.value)


def test_a_duplicate_candidate_in_the_header_is_reported_by_column():
    with pytest.raises(BallotFileError) as caught:
        read_ballots_csv("ann,ben,ann\n1,2,3\n")

    assert (caught.value.row, caught.value.column) == (1, 3)
    assert "duplicate candidate ID 'ann'" in str(caught.value)


def test_a_blank_candidate_id_in_the_header_is_reported_by_column():
    with pytest.raises(BallotFileError) as caught:
        read_ballots_csv("ann,,cat\n1,2,3\n")

    assert (caught.value.row, caught.value.column) == (1, 2)


def test_an_empty_file_says_a_header_is_expected():
    with pytest.raises(BallotFileError, match="empty: expected a header row"):
        read_ballots_csv("")


def test_a_file_that_is_not_utf8_is_refused_with_a_message():
    with pytest.raises(BallotFileError, match="not UTF-8") as caught:
        read_ballots_csv(b"ann,ben\n1,2\n2,1\xe9\n")

    assert caught.value.row == 3
