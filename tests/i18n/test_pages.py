"""Pages in the reader's language: from the browser's Accept-Language, or from the switcher's remembered choice.
What the meta repository says (names, descriptions) stays as written, and dates follow the language."""

import datetime

import pytest
from django.utils import translation

from elections.templatetags.elekto import utc_datetime_text
from tests.browser.builders import build_election

pytestmark = pytest.mark.django_db

# Accept-Language as a browser sends it -> the language of the page (its <html lang>).
BROWSERS = {
    "de-DE,de;q=0.9,en;q=0.5": "de",
    "es-ES,es;q=0.9": "es",
    "zh-CN,zh;q=0.9": "zh-hans",
    "ja-JP,ja;q=0.9": "ja",
    "pt-BR,pt;q=0.9": "pt-br",
    "en-US,en;q=0.9": "en",
}


def _in(language, text):
    with translation.override(language):
        return translation.gettext(text)


@pytest.fixture
def election():
    return build_election("steering---2026", name="Steering Committee 2026",
                          description="Die Beschreibung bleibt, wie sie ist.")


@pytest.mark.parametrize(("accept", "language"), BROWSERS.items())
def test_a_page_is_served_in_the_language_the_browser_asks_for(client, election, accept, language):
    response = client.get("/elections", HTTP_ACCEPT_LANGUAGE=accept)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]
    assert _in(language, "Skip to content") in html
    assert _in(language, "Change language") in html
    if language != "en":
        assert "Skip to content" not in html and "Change language" not in html
    # The election's name comes from the meta repository: never translated.
    assert "Steering Committee 2026" in html


def test_an_unknown_language_falls_back_to_english(client, election):
    html = client.get("/elections", HTTP_ACCEPT_LANGUAGE="fi-FI,fi;q=0.9").content.decode()
    assert '<html lang="en">' in html and "Skip to content" in html


def test_the_meta_repository_text_stays_as_written(client, election):
    html = client.get(f"/elections/{election.key}", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "Die Beschreibung bleibt, wie sie ist." in html
    assert "Steering Committee 2026" in html and '<html lang="ja">' in html


def test_the_switcher_lists_every_language_in_its_own_name_and_marks_the_current_one(client, election):
    html = client.get("/elections", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'action="/i18n/setlang/"' in html
    for code, name in [("en", "English"), ("es", "español"), ("zh-hans", "简体中文"), ("ja", "日本語"),
                       ("pt-br", "Português Brasileiro"), ("de", "Deutsch")]:
        assert f'value="{code}" lang="{code}"' in html and f">{name}</option>" in html
    assert 'value="de" lang="de" selected>' in html
    assert '<input type="hidden" name="next" value="/elections">' in html
    assert '<label for="language-select">Sprache</label>' in html


def test_the_chosen_language_is_remembered_over_the_browsers(client, election):
    response = client.post("/i18n/setlang/", {"language": "ja", "next": f"/elections/{election.key}"},
                           HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 302 and response["Location"] == f"/elections/{election.key}"
    cookie = response.cookies["django_language"]
    assert cookie.value == "ja" and cookie["httponly"] and cookie["samesite"] == "Lax"
    for path in ("/elections", f"/elections/{election.key}", "/login"):
        html = client.get(path, HTTP_ACCEPT_LANGUAGE="de").content.decode()
        assert '<html lang="ja">' in html and _in("ja", "Skip to content") in html

    client.post("/i18n/setlang/", {"language": "en", "next": "/elections"})
    assert '<html lang="en">' in client.get("/elections", HTTP_ACCEPT_LANGUAGE="de").content.decode()


def test_the_switcher_works_for_a_signed_in_voter_and_never_redirects_off_site(client, election, django_user_model):
    client.force_login(django_user_model.objects.create(username="alice"))
    response = client.post("/i18n/setlang/", {"language": "pt-br", "next": "https://evil.example/"},
                           HTTP_REFERER="https://evil.example/")
    assert response.status_code == 302 and not response["Location"].startswith("https://evil")
    html = client.get("/app").content.decode()
    assert '<html lang="pt-br">' in html and _in("pt-br", "My dashboard") in html


def test_the_switcher_refuses_get_and_ignores_an_unknown_language(client, election):
    assert client.get("/i18n/setlang/?language=de").status_code == 405
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/elections"})
    assert "django_language" not in response.cookies
    assert '<html lang="en">' in client.get("/elections").content.decode()


def test_public_pages_built_from_shared_parts_are_kept_per_language(client, election):
    german = client.get("/elections", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    spanish = client.get("/elections", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    again = client.get("/elections", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="de">' in german and '<html lang="es">' in spanish and again == german
    # The rows rendered once and shared by every visitor are rendered once per language.
    assert "Die Abstimmung endet am" in german and "La votación cierra el" in spanish
    assert "Die Abstimmung" not in spanish
    # No per-visitor token in a page that every signed-out visitor is served.
    assert "csrfmiddlewaretoken" not in german


def test_the_scripts_strings_come_in_the_pages_language(client):
    response = client.get("/i18n/catalog.js?lang=de", HTTP_ACCEPT_LANGUAGE="de")
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert '"Kopiert."' in body and '"Copied."' in body
    assert response.has_header("Last-Modified")


WHEN = datetime.datetime(2026, 11, 29, 18, 54, tzinfo=datetime.UTC)


@pytest.mark.parametrize(("language", "written"), [
    ("en", "Sun 29 Nov 2026, 18:54"),
    ("de", "So, 29. November 2026, 18:54"),
    ("es", "dom 29 de noviembre de 2026, 18:54"),
    ("pt-br", "Dom, 29 de Novembro de 2026, 18:54"),
    ("ja", "2026年11月29日(日) 18:54"),
    ("zh-hans", "2026年11月29日 星期日 18:54"),
])
def test_dates_are_written_the_way_the_language_writes_them(language, written):
    with translation.override(language):
        assert utc_datetime_text(WHEN) == written
