from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from elections.models import ExceptionRequest
from elections.places import ordinal

RANK_PREFIX = "rank-"


class RankSelect(forms.Select):
    """A candidate's rank select, written in Python. A ballot has one per candidate, each listing every rank, and
    Django's template-rendered select (a template per option) was most of the cost of the ballot pages. It
    renders the same HTML: the widget's attributes, then the options with the chosen one selected."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = format_html_join(
            "\n", '<option value="{}"{}>{}</option>',
            ((option, mark_safe(" selected") if str(option) in chosen else "", label)  # noqa: S308
             for option, label in self.choices),
        )
        return format_html('<select name="{}"{}>\n{}\n</select>', name, flatatt(self.build_attrs(self.attrs, attrs)),
                           options)


class PassphraseInput(forms.PasswordInput):
    """A password input written in Python, the same HTML as Django's template renders: every ballot's review,
    and the pages that open a ballot, show one or two."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = format_html(' value="{}"', widget["value"]) if widget["value"] is not None else ""
        return format_html('<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], shown,
                           flatatt(widget["attrs"]))


class BallotForm(forms.Form):
    """One rank select per candidate, in this voter's order.

    Every select starts at "not ranked", which counts as Elekto counts it: the lowest rank (the number of
    candidates), tied below every candidate the voter ranks. Where ``allow_no_opinion`` is set, "No opinion" is
    an explicit choice: that candidate is then compared with nobody. The values a select posts are the empty
    string (not ranked), ``NO_OPINION`` and "1" to "N", so a script may drive the selects. The full set of
    rules (exactly these candidates, ranks in range) is checked again by ``services.ranks_validate``.
    """

    NOT_RANKED = ""
    NO_OPINION = "no-opinion"

    def __init__(self, *args, candidates, allow_no_opinion, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        self.allow_no_opinion = allow_no_opinion
        self.lowest_rank = count = len(self.candidates)
        choices = [(self.NOT_RANKED, _("Not ranked (counts last)"))]
        if allow_no_opinion:
            choices.append((self.NO_OPINION, _("No opinion")))
        # Ranks read as places ("1st (most preferred)", "2nd"...); the value posted stays the number.
        choices += [
            (str(rank), _("%(place)s (most preferred)") % {"place": ordinal(rank)} if rank == 1 else ordinal(rank))
            for rank in range(1, count + 1)
        ]
        for candidate in self.candidates:
            self.fields[self.field_name(candidate.candidate_id)] = forms.TypedChoiceField(
                label=candidate.name,
                choices=choices,
                widget=RankSelect,
                coerce=self._coerce,
                # Untouched: the lowest rank, as Elekto's ballot starts every candidate there.
                empty_value=count,
                required=False,
                error_messages={
                    "invalid_choice": _("Choose a rank from 1 to %(count)s for %(name)s.")
                    % {"count": count, "name": candidate.name},
                },
            )

    @classmethod
    def _coerce(cls, value):
        return None if value == cls.NO_OPINION else int(value)

    def _post_clean(self):
        super()._post_clean()
        # Tie each error message to its select, so a screen reader reads it with the control.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].id_for_label}-error"

    @staticmethod
    def field_name(candidate_id):
        return f"{RANK_PREFIX}{candidate_id}"

    def clean(self):
        cleaned = super().clean()
        known = set(self.fields)
        unknown = [name for name in self.data if name.startswith(RANK_PREFIX) and name not in known]
        if unknown:
            raise forms.ValidationError(_("The ballot names a candidate who is not standing in this election."))
        # Every candidate left at "not ranked" is Elekto's ballot left at its defaults: all tied last, a ballot
        # that counts toward turnout and prefers no one (the review says so before it is cast). Only "No
        # opinion" on every candidate says nothing at all.
        if not self.errors and self.fields and all(self.data.get(name) == self.NO_OPINION for name in self.fields):
            raise forms.ValidationError(_("Rank at least one candidate. To abstain, simply do not vote."))
        return cleaned

    def ranks(self):
        """candidate_id -> rank (int) or None for "No opinion"; a candidate left unranked has the lowest rank."""
        return {c.candidate_id: self.cleaned_data.get(self.field_name(c.candidate_id)) for c in self.candidates}

    def rows(self):
        """(candidate, bound field) pairs in this voter's order, for the template."""
        return [(c, self[self.field_name(c.candidate_id)]) for c in self.candidates]


def _passphrase_field(label, help_text="", autocomplete="off"):
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=200,
        widget=PassphraseInput(attrs={"autocomplete": autocomplete, "spellcheck": "false",
                                      "autocapitalize": "none"}),
    )


class NewPassphraseForm(forms.Form):
    """The passphrase that will seal a new ballot: typed twice, because it cannot be recovered."""

    passphrase = _passphrase_field(_("Passphrase"), autocomplete="new-password")
    passphrase_again = _passphrase_field(_("Passphrase again"), autocomplete="new-password")

    def clean_passphrase(self):
        passphrase = self.cleaned_data["passphrase"]
        if len(passphrase) < settings.MIN_PASSPHRASE_LENGTH:
            raise forms.ValidationError(
                _("Use at least %(length)s characters, or the suggested passphrase.")
                % {"length": settings.MIN_PASSPHRASE_LENGTH}
            )
        # Whether it is too easy to guess is the cast's to judge (services.passphrase_check_new), with what a
        # cracker would know of this election and voter; the review shows that refusal on this field.
        return passphrase

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("passphrase") and cleaned.get("passphrase") != cleaned.get("passphrase_again"):
            self.add_error("passphrase_again", _("The two passphrases differ."))
        return cleaned


class PassphraseForm(forms.Form):
    """The passphrase chosen when the ballot was cast (to view, revoke or change it)."""

    passphrase = _passphrase_field(_("Your passphrase"), autocomplete="current-password")


class ExceptionRequestForm(forms.ModelForm):
    class Meta:
        model = ExceptionRequest
        fields = ["name", "email", "chat_handle", "contributions", "comments"]
        labels = {
            "name": _("Your name"),
            "email": _("Email address"),
            "chat_handle": _("Chat handle (Slack, Discord, …)"),
            "contributions": _("Your contributions to the community"),
            "comments": _("Anything else the election officers should know"),
        }
        help_texts = {
            "email": _("Only the election officers see it, to contact you about this request."),
            "contributions": _(
                "Links to pull requests, issues, meetings, talks: whatever shows your contribution."
            ),
        }
        widgets = {
            "contributions": forms.Textarea(attrs={"rows": 6}),
            "comments": forms.Textarea(attrs={"rows": 3}),
        }
