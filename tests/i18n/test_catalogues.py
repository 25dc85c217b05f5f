"""The shipped translations are complete and compiled.

A fresh extraction of the source (scripts/messages.sh, run in a temporary copy of the project) merged into the
committed catalogues must leave nothing untranslated or fuzzy: a string added or changed in a template or in
Python without its translations fails here, naming it. The committed .mo files, which the site reads, must say
exactly what their .po files say.
"""

import os
import shutil
import subprocess
import sys

import polib
import pytest

from tests.conftest import REPO_ROOT, skip_unless_possible

SHIPPED = ["es", "zh_Hans", "ja", "pt_BR", "de"]
DOMAINS = ["django", "djangojs"]
# What each language's catalogue must declare for its plural forms (Django reads it from the .mo header).
PLURAL_FORMS = {
    "es": "nplurals=2; plural=(n != 1);",
    "zh_Hans": "nplurals=1; plural=0;",
    "ja": "nplurals=1; plural=0;",
    "pt_BR": "nplurals=2; plural=(n > 1);",
    "de": "nplurals=2; plural=(n != 1);",
}
LOCALE = REPO_ROOT / "locale"
COPY_IGNORES = shutil.ignore_patterns(
    ".git", ".venv", "var", "staticfiles", "test-artifacts", "__pycache__", ".pytest_cache", ".ruff_cache",
    ".hypothesis", ".env", "*.mo",
)


def _catalogue(lang, domain, root=LOCALE):
    return root / lang / "LC_MESSAGES" / f"{domain}.po"


def _name(entry):
    return f"{entry.msgctxt} | {entry.msgid}" if entry.msgctxt else entry.msgid


def _unfinished(po):
    """Entries a reader would see in English (untranslated) or possibly wrong (fuzzy)."""
    return [e for e in po if not e.obsolete and (e.fuzzy or not e.translated())]


def _gettext_tools_missing():
    missing = [tool for tool in ("xgettext", "msgmerge", "msgfmt") if shutil.which(tool) is None]
    if not missing:
        return None
    skip_unless_possible(f"GNU gettext ({', '.join(missing)}) is missing: scripts/bootstrap.sh installs it")


@pytest.fixture(scope="module")
def fresh_locale(tmp_path_factory):
    """The catalogues as scripts/messages.sh leaves them after extracting the current source."""
    _gettext_tools_missing()
    copy = tmp_path_factory.mktemp("extract") / "site"
    shutil.copytree(REPO_ROOT, copy, ignore=COPY_IGNORES, symlinks=True)
    env = {**os.environ, "PY": sys.executable}
    result = subprocess.run(["bash", "scripts/messages.sh"], cwd=copy, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"scripts/messages.sh failed:\n{result.stdout}\n{result.stderr}"
    return copy / "locale"


@pytest.mark.parametrize("lang", SHIPPED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_of_the_source_is_translated(fresh_locale, lang, domain):
    po = polib.pofile(str(_catalogue(lang, domain, fresh_locale)))
    unfinished = sorted(_name(e) for e in _unfinished(po))
    assert not unfinished, (
        f"{len(unfinished)} string(s) of the source have no finished {lang} translation in "
        f"locale/{lang}/LC_MESSAGES/{domain}.po (run scripts/messages.sh, then translate them; new strings "
        f"marked for translation wait here for their translations):\n"
        + "\n".join(unfinished)
    )


@pytest.mark.parametrize("lang", SHIPPED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_committed_catalogue_is_the_extracted_one(fresh_locale, lang, domain):
    committed = {_name(e) for e in polib.pofile(str(_catalogue(lang, domain))) if not e.obsolete}
    fresh = {_name(e) for e in polib.pofile(str(_catalogue(lang, domain, fresh_locale)))}
    assert committed - fresh == set(), "strings no longer in the source (run scripts/messages.sh)"
    assert fresh - committed == set(), "strings of the source missing from the catalogue (run scripts/messages.sh)"


@pytest.mark.parametrize("lang", SHIPPED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_committed_catalogue_is_complete_and_declares_its_language(lang, domain):
    po = polib.pofile(str(_catalogue(lang, domain)))
    assert po.metadata.get("Language") == lang
    assert po.metadata.get("Plural-Forms") == PLURAL_FORMS[lang]
    assert not po.metadata_is_fuzzy, "a fuzzy header is ignored by msgfmt, plural forms and all"
    assert sorted(_name(e) for e in _unfinished(po)) == []
    assert sorted(_name(e) for e in po.obsolete_entries()) == [], "obsolete entries: run scripts/messages.sh"


def _messages(catalogue):
    """(context, msgid) -> translation(s), for what msgfmt compiles: translated entries that are not fuzzy."""
    messages = {}
    for e in catalogue:
        if not e.msgid or e.obsolete or "fuzzy" in e.flags:
            continue
        value = tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural)) if e.msgid_plural else e.msgstr
        if value and all(value):
            messages[(e.msgctxt, e.msgid)] = value
    return messages


@pytest.mark.parametrize("lang", SHIPPED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalogue_matches_its_source(lang, domain):
    po_path = _catalogue(lang, domain)
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.relative_to(REPO_ROOT)} is missing: run scripts/messages.sh"
    po, mo = polib.pofile(str(po_path)), polib.mofile(str(mo_path))
    assert _messages(mo) == _messages(po), f"{mo_path.relative_to(REPO_ROOT)} is stale: run scripts/messages.sh"
    assert mo.metadata.get("Plural-Forms") == po.metadata.get("Plural-Forms")
