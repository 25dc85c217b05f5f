"""The ballot's rank selects are written in Python for speed; they must read exactly as Django's own select."""

import re

import pytest
from django import forms

from elections.voting.forms import BallotForm


class _Candidate:
    def __init__(self, candidate_id, name):
        self.candidate_id, self.name = candidate_id, name


CANDIDATES = [_Candidate("amara", "Amara <b>Okafor</b>"), _Candidate("bob", "Bob"), _Candidate("chen", "Chen")]


def _normalised(html):
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


@pytest.mark.parametrize("allow_no_opinion", [True, False])
@pytest.mark.parametrize("data", [None, {"rank-amara": "2", "rank-bob": "no-opinion", "rank-chen": ""},
                                  {"rank-amara": "9", "rank-bob": "1"}])
def test_a_rank_select_renders_as_djangos_select_would(data, allow_no_opinion):
    ours = BallotForm(data, candidates=CANDIDATES, allow_no_opinion=allow_no_opinion)
    django_select = BallotForm(data, candidates=CANDIDATES, allow_no_opinion=allow_no_opinion)
    for field in django_select.fields.values():
        field.widget = forms.Select(choices=field.choices)
    if data:
        ours.is_valid(), django_select.is_valid()
    for name in ours.fields:
        assert _normalised(ours[name]) == _normalised(django_select[name])
    assert "<b>" not in str(ours["rank-amara"])
