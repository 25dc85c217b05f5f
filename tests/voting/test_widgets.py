"""The ballot's widgets written in Python give the HTML Django's own templates give for the same widget."""

from django import forms
from django.test.html import parse_html

from elections.voting.forms import BallotForm, NewPassphraseForm, PassphraseInput, RankSelect


class Candidate:
    def __init__(self, candidate_id, name):
        self.candidate_id, self.name = candidate_id, name


def test_the_passphrase_input_is_djangos_password_input():
    ours = PassphraseInput(attrs={"autocomplete": "new-password", "spellcheck": "false", "required": True,
                                  "aria-describedby": "id_passphrase_error", "hidden": False})
    django = forms.PasswordInput(attrs=dict(ours.attrs))
    for value in (None, "typed & <kept>"):
        for widget in (ours, django):
            widget.render_value = value is not None
        assert parse_html(ours.render("passphrase", value, {"id": "id_passphrase"})) == parse_html(
            django.render("passphrase", value, {"id": "id_passphrase"}))


def test_the_passphrase_form_renders_its_fields_as_django_would():
    form = NewPassphraseForm({"passphrase": "short", "passphrase_again": "other"})
    assert not form.is_valid()
    for field in form:
        django = forms.PasswordInput(attrs=field.field.widget.attrs)
        assert parse_html(str(field)) == parse_html(field.as_widget(widget=django))


def test_the_rank_select_is_djangos_select():
    form = BallotForm({"rank-b": "2", "rank-a": "no-opinion"}, candidates=[Candidate("a", "A & co"),
                                                                            Candidate("b", "B")],
                      allow_no_opinion=True)
    form.is_valid()
    for _candidate, field in form.rows():
        assert isinstance(field.field.widget, RankSelect)
        django = forms.Select(attrs=field.field.widget.attrs, choices=field.field.choices)
        assert parse_html(str(field)) == parse_html(field.as_widget(widget=django))
        assert "selected" in str(field)
