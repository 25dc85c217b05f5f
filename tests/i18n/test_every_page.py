"""Every voter and officer page, served in each shipped language, carries no English that the catalogue
translates: the page is rendered in English and in the language, and no English sentence of the catalogue
that the English page shows may be left on the translated one. What the meta repository says stays as written.
"""

import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import django
import polib
import pytest
from django.urls import reverse
from django.utils import timezone

from elections.models import ExceptionRequest
from elections.voting import services
from tests.conftest import REPO_ROOT
from tests.officers.conftest import cast, make_election

pytestmark = pytest.mark.django_db

LANGUAGES = {"es": "es", "zh-hans": "zh_Hans", "ja": "ja", "pt-br": "pt_BR", "de": "de"}
PASSPHRASE = "plum-orbit-kettle-saffron-91"
TAG = re.compile(r"<[^>]+>")
# Code, commands and file names are the same in every language.
VERBATIM = re.compile(r"<(code|pre|kbd)\b.*?</\1>", re.S)
# English words that no Spanish, Portuguese or German sentence uses (and Chinese or Japanese ones never): any of
# them on a translated page is English text nobody marked for translation.
ENGLISH = re.compile(
    r"(?<![\w.-])(the|your|you|with|this|that|are|not|which|will|been|ballots?|elections?|voting|candidates?|"
    r"officers?|results|receipts?|turnout)(?![\w.-])",
    re.I,
)


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{.*?\}\}|<[^>]+>|&\w+;")
WORD = re.compile(r"[A-Za-z][a-z]{2,}")
# A word standing on its own: not part of a file name, a key, an address or an action code (result.csv,
# steering---2026, zed@example.org, results.view), which read the same in every language.
STANDALONE_WORD = re.compile(r"(?<![\w.@/-])[A-Za-z][a-z]{2,}(?![\w.@/-])")


def _vocabulary(catalogue_dir):
    """Words of the site's English (every message of both catalogues) that the language's translations never
    use: any of them on a page in that language is English left over. Words the language shares with English
    ("in" in German, "no" in Spanish, "GitHub", "Schulze") are those its translations use, so they are not
    counted; the placeholders' names are not words of a message."""
    english, native = set(), set()
    for domain in ("django", "djangojs"):
        po = polib.pofile(str(REPO_ROOT / "locale" / catalogue_dir / "LC_MESSAGES" / f"{domain}.po"))
        for entry in po:
            for text in (entry.msgid, entry.msgid_plural):
                english |= {w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", VERBATIM.sub(" ", text or "")))}
            for text in (entry.msgstr, *entry.msgstr_plural.values()):
                native |= {w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", text or ""))}
    return english - native


def _native(catalogue_dir):
    """Every word the language's translations use: the site's, and Django's own (month names, the admin)."""
    words = set()
    catalogues = [REPO_ROOT / "locale" / catalogue_dir / "LC_MESSAGES" / f"{domain}.po"
                  for domain in ("django", "djangojs")]
    catalogues.append(Path(django.__file__).parent / "conf" / "locale" / catalogue_dir / "LC_MESSAGES" / "django.po")
    for catalogue in catalogues:
        po = polib.pofile(str(catalogue))
        for entry in po:
            for text in (entry.msgstr, *entry.msgstr_plural.values()):
                words |= {w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", text or ""))}
    return words


def _sentences(catalogue_dir):
    """English sentences (no placeholders) the catalogue translates differently, longest first."""
    po = polib.pofile(str(REPO_ROOT / "locale" / catalogue_dir / "LC_MESSAGES" / "django.po"))
    found = set()
    for entry in po:
        text = entry.msgid
        if entry.msgid_plural or "%" in text or "<" in text or entry.msgstr == text:
            continue
        # Short words ("Vote", "Name") also occur inside names and other sentences; sentences do not.
        if len(text) >= 16 and " " in text:
            found.add(text)
    return sorted(found, key=len, reverse=True)


def _text(html):
    """What a reader sees, on one line per block: tags removed, whitespace folded."""
    return re.sub(r"\s+", " ", TAG.sub(" ", html))


def _english_words(html):
    """English words in what a reader sees, with the context they stand in."""
    text = _text(VERBATIM.sub(" ", html)).replace(">English<", "")
    # Data shown as it is stored (the audit trail's details) is not text to translate.
    text = re.sub(r"\{&quot;.*?\}", " ", text)
    return [text[max(0, m.start() - 40):m.end() + 40] for m in ENGLISH.finditer(text)]


@pytest.fixture
def world(django_user_model):
    """A running election with a voter who voted and a requester, and a completed one with ballots."""
    now = timezone.now()
    users = {name: django_user_model.objects.create(username=name)
             for name in ("olivia", "vera", "walt", "zed", "yan")}
    running = make_election("steering---2026", officers=["olivia"], voters=["vera", "walt"],
                            candidates=("amara", "bjorn", "chen"), description="Wir wählen den Vorstand.",
                            exception_due=now + timedelta(days=2), allow_no_opinion=True)
    services.ballot_cast(election=running, voter=users["vera"], passphrase=PASSPHRASE,
                         ranks={"amara": 1, "bjorn": 2, "chen": None})
    ExceptionRequest.objects.create(election=running, requester=users["zed"], name="Zed", email="zed@example.org",
                                    contributions="Docs.")
    done = make_election("board---2024", status="completed", officers=["olivia"], voters=["vera"], seats=2,
                         candidates=("gita", "hugo", "ines"), results="# Gita und Hugo sind gewählt")
    # Granted a vote but not yet in voters.yaml: the officers' page gives the lines to add to it.
    ExceptionRequest.objects.create(election=done, requester=users["yan"], name="Yan", email="yan@example.org",
                                    contributions="Doku.", status=ExceptionRequest.APPROVED)
    # Names come from the meta repository and stay as written: these contain no English word.
    running.name, done.name = "Vorstand 2026", "Beirat 2024"
    running.save(update_fields=["name"])
    done.save(update_fields=["name"])
    for ranks in ({"gita": 1, "hugo": 2, "ines": 3}, {"hugo": 1, "gita": 2, "ines": 3},
                  {"gita": 1, "ines": 2, "hugo": 3}, {"ines": 1, "hugo": 1, "gita": 3}):
        cast(done, ranks)
    return {"users": users, "running": running, "done": done}


def _pages(client, world):
    """(label, method, url, data, user) for each page a voter, a requester and an officer see."""
    running, done = world["running"].key, world["done"].key
    ranks = {"rank-amara": "1", "rank-bjorn": "2", "rank-chen": "no-opinion"}
    return [
        ("home", "get", "/", None, None),
        ("public list", "get", "/elections", None, None),
        ("public election", "get", f"/elections/{running}", None, None),
        ("results", "get", f"/app/elections/{done}/results", None, "vera"),
        ("sign in", "get", "/login", None, None),
        ("not found", "get", "/no-such-page", None, None),
        ("dashboard", "get", "/app", None, "vera"),
        ("election list", "get", "/app/elections?status=running", None, "vera"),
        ("election", "get", f"/app/elections/{running}", None, "vera"),
        ("candidate", "get", f"/app/elections/{running}/candidates/amara", None, "vera"),
        ("change ballot", "get", f"/app/elections/{running}/vote", None, "vera"),
        ("review", "post", f"/app/elections/{running}/vote", {**ranks, "step": "review"}, "vera"),
        ("wrong passphrase", "post", f"/app/elections/{running}/vote",
         {**ranks, "step": "cast", "mode": "change", "passphrase": "wrong-wrong-wrong"}, "vera"),
        ("receipt shown no more", "get", f"/app/elections/{running}/vote/receipt", None, "vera"),
        ("confirmation", "get", f"/app/elections/{running}/confirmation", None, "vera"),
        ("revoke", "get", f"/app/elections/{running}/confirmation?revoke", None, "vera"),
        ("officer's election", "get", f"/app/elections/{running}", None, "olivia"),
        ("own ballot", "post", f"/app/elections/{running}/confirmation",
         {"action": "view", "passphrase": PASSPHRASE}, "vera"),
        ("ballot", "get", f"/app/elections/{running}/vote", None, "walt"),
        ("new ballot review", "post", f"/app/elections/{running}/vote", {**ranks, "step": "review"}, "walt"),
        ("review expired", "get", f"/app/elections/{running}/vote/review", None, "walt"),
        ("session ended", "post", f"/app/elections/{running}/vote", {**ranks, "step": "review"}, None),
        ("not on the roll", "get", f"/app/elections/{running}", None, "zed"),
        ("exception request", "get", f"/app/elections/{running}/exception", None, "zed"),
        ("refused", "get", f"/app/elections/{done}/vote", None, "vera"),
        ("officer overview", "get", reverse("officers:overview", args=[running]), None, "olivia"),
        ("officer results", "get", reverse("officers:results", args=[done]), None, "olivia"),
        ("officer overview, closed", "get", reverse("officers:overview", args=[done]), None, "olivia"),
        ("officer report", "get", reverse("officers:report", args=[done]), None, "olivia"),
        ("disqualify", "get", reverse("officers:disqualify", args=[done]), None, "olivia"),
        ("disqualify preview", "get", reverse("officers:disqualify", args=[done]) + "?candidate=gita", None, "olivia"),
        ("results before close", "get", reverse("officers:results", args=[running]), None, "olivia"),
        ("officer admin", "get", "/admin/", None, "olivia"),
        ("admin elections", "get", "/admin/elections/election/", None, "olivia"),
        ("admin election", "get", f"/admin/elections/election/{world['running'].pk}/change/", None, "olivia"),
        ("admin requests", "get", "/admin/elections/exceptionrequest/", None, "olivia"),
        ("admin candidates", "get", "/admin/elections/candidate/", None, "olivia"),
        ("admin audit trail", "get", "/admin/elections/auditevent/", None, "olivia"),
    ]


def _get(client, world, method, url, data, user, language):
    client.logout()
    if user:
        client.force_login(world["users"][user])
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    # Redirects are followed: the review and the receipt are pages of their own, after the form's POST.
    if method == "post":
        return client.post(url, data, follow=True, **headers)
    return client.get(url, follow=True, **headers)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_is_in_the_readers_language(client, world, language):
    sentences = _sentences(LANGUAGES[language])
    left = []
    for label, method, url, data, user in _pages(client, world):
        english = _get(client, world, method, url, data, user, "en")
        page = _get(client, world, method, url, data, user, language)
        assert page.status_code == english.status_code, f"{label}: {page.status_code} != {english.status_code}"
        html = page.content.decode()
        assert f'<html lang="{language}"' in html, f"{label} is not marked as {language}"
        shown, translated = _text(english.content.decode()), _text(html)
        left += [f"{label}: {s!r}" for s in sentences if s in shown and s in translated]
        left += [f"{label}: unmarked English …{words}…" for words in _english_words(html)]
    assert not left, f"English left on {language} pages:\n" + "\n".join(left)


def _words(html):
    """The standalone words a reader sees, with where each stands; each language's name in the switcher is its
    own."""
    html = re.sub(r'<select id="language-select".*?</select>', " ", html, flags=re.S)
    text = unescape(_text(VERBATIM.sub(" ", html)))
    # Data shown as it is stored (the audit trail's details) is not text to translate.
    text = re.sub(r'\{".*?\}', " ", text)
    return [(m.group(), text[max(0, m.start() - 40):m.end() + 40]) for m in STANDALONE_WORD.finditer(text)]


def _content_words(world):
    """Words of what the meta repository and the people said (names, descriptions, logins, a request's text):
    they stay as written in every language."""
    texts = []
    for election in (world["running"], world["done"]):
        election.refresh_from_db()
        texts += [election.name, election.description, election.results, election.organization,
                  *election.candidates.values_list("name", flat=True)]
    texts += list(world["users"])
    texts += [value for request in ExceptionRequest.objects.all()
              for value in (request.name, request.contributions, request.comments)]
    return {w.lower() for text in texts for w in WORD.findall(text or "")}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_word_is_left_on_a_page_in_another_language(client, world, language):
    """A word is English left over when the page in English shows it too, or when it is a word of the site's
    English messages, and neither the language's translations nor the election's own content use it."""
    vocabulary = _vocabulary(LANGUAGES[language])
    native = _native(LANGUAGES[language]) | _content_words(world)
    left = []
    for label, method, url, data, user in _pages(client, world):
        shown_in_english = {w.lower() for w, _ in _words(_get(client, world, method, url, data, user, "en")
                                                          .content.decode())}
        page = _get(client, world, method, url, data, user, language)
        for word, context in _words(page.content.decode()):
            lower = word.lower()
            if lower in vocabulary or (lower in shown_in_english and lower not in native):
                left.append(f"{label}: {word!r} in …{context}…")
    assert not left, f"English left on {language} pages:\n" + "\n".join(sorted(set(left)))


def test_the_meta_repository_content_and_numbers_stay_readable(client, world):
    client.force_login(world["users"]["olivia"])
    html = client.get(reverse("officers:results", args=[world["done"].key]), HTTP_ACCEPT_LANGUAGE="de").content
    html = html.decode()
    assert "Ergebnisse mit Erklärung" in html
    # Numbers in the pictures stay machine-readable: an SVG coordinate written "66,0" would break the drawing.
    for name, value in re.findall(r'\s(x|y|cx|cy|width|height|x1|x2|y1|y2)="([^"]*)"', html):
        assert re.fullmatch(r"-?\d+(\.\d+)?", value), f'{name}="{value}" is not a number'
    # Numbers people read follow the language: one voter of two is 50.0% in English, 50,0% in German.
    overview = reverse("officers:overview", args=[world["running"].key])
    assert "(50.0%)" in client.get(overview, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "(50,0%)" in client.get(overview, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    public = client.get(f"/app/elections/{world['done'].key}/results", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "Gita und Hugo sind gewählt" in public


def test_downloads_read_the_same_whatever_the_officers_language(client, world):
    world["done"].candidates.filter(candidate_id="ines").update(withdrawn=True)
    client.force_login(world["users"]["olivia"])
    url = reverse("officers:export", args=[world["done"].key, "result.csv"])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Ines (withdrawn)" in english
    for language in LANGUAGES:
        assert client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode() == english
    # The page that offers the downloads describes them in the officer's language.
    page = client.get(reverse("officers:overview", args=[world["done"].key]), HTTP_ACCEPT_LANGUAGE="de")
    assert "Anonymisierte Stimmzettel als YAML, mit Quittungen" in page.content.decode()
