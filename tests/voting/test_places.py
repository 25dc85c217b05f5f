"""Places on a ballot read as people count them: "1st", "2nd, tied", then "Not ranked, counts last", in every
language, with no rank number skipped."""

import pytest
from django.utils import translation

from elections.places import ordinal, place_labels


@pytest.mark.parametrize(("place", "english"), [
    (1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"), (21, "21st"),
    (22, "22nd"), (23, "23rd"), (101, "101st"), (111, "111th"), (112, "112th"),
])
def test_english_ordinals_take_their_ending_from_the_number(place, english):
    with translation.override("en"):
        assert ordinal(place) == english


@pytest.mark.parametrize(("language", "first", "second", "eleventh", "tied"), [
    ("de", "1.", "2.", "11.", "2., gleichauf"),
    ("es", "1.º", "2.º", "11.º", "2.º, empate"),
    ("pt-br", "1º", "2º", "11º", "2º, empate"),
    ("ja", "1位", "2位", "11位", "2位（同順位）"),
    ("zh-hans", "第1名", "第2名", "第11名", "第2名（并列）"),
])
def test_every_language_writes_its_own_ordinals_with_no_english_ending(language, first, second, eleventh, tied):
    with translation.override(language):
        assert [ordinal(1), ordinal(2), ordinal(11)] == [first, second, eleventh]
        assert place_labels([(1, ["A"]), (2, ["B", "C"])], 5)[1] == (tied, ["B", "C"])


def test_places_skip_no_number_where_the_ranks_do():
    with translation.override("en"):
        labels = place_labels([(1, ["Ada"]), (2, ["Bo", "Cy"]), (4, ["Di"]), (6, ["Ed", "Fa"])], 6)
    assert labels == [("1st", ["Ada"]), ("2nd, tied", ["Bo", "Cy"]), ("3rd", ["Di"]),
                      ("Not ranked, counts last", ["Ed", "Fa"])]


def test_a_candidate_at_the_lowest_rank_counts_as_one_left_unranked():
    with translation.override("en"):
        assert place_labels([(1, ["Ada"]), (2, ["Bo"]), (3, ["Cy"])], 3)[-1] == ("Not ranked, counts last", ["Cy"])
        # A ballot of one candidate has nothing below its first place.
        assert place_labels([(1, ["Ada"])], 1) == [("1st", ["Ada"])]


def test_the_review_numbers_places_without_the_gaps_of_the_ranks_chosen(voter_client, running):
    data = {"rank-alice": "1", "rank-bob": "3", "rank-carol": "", "step": "review"}
    html = voter_client.post(f"/app/elections/{running.key}/vote", data, follow=True).content.decode()
    assert "1st:</span> Alice" in html
    assert "Not ranked, counts last:</span> Bob, Carol" in html
    assert "Rank 3" not in html


def test_the_rank_lists_offer_places(voter_client, running):
    html = voter_client.get(f"/app/elections/{running.key}/vote").content.decode()
    assert '<option value="1">1st (most preferred)</option>' in html
    assert '<option value="2">2nd</option>' in html and '<option value="3">3rd</option>' in html
