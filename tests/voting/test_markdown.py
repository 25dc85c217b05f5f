"""Markdown from the meta repository is rendered, and anything executable in it is removed."""

import pytest

from elections.markdown import render_markdown
from elections.models import Candidate
from tests.conftest import REPO_ROOT

PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src="x.png" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">data</a>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "<style>body { display: none }</style>",
    '<form action="https://evil.example"><input name="passphrase"></form>',
]


def assert_inert(html):
    lowered = html.lower()
    assert "<script" not in lowered and "alert('x')" not in lowered
    assert "onerror" not in lowered and "onload" not in lowered
    assert "javascript:" not in lowered and "data:text" not in lowered
    assert "<iframe" not in lowered and "<svg" not in lowered and "<form" not in lowered
    assert "<input" not in lowered and "style=" not in lowered and "<style" not in lowered


@pytest.mark.parametrize("payload", PAYLOADS)
def test_executable_markup_is_removed(payload):
    assert_inert(render_markdown(f"Hello\n\n{payload}\n\nworld"))


def test_ordinary_markdown_is_kept():
    html = render_markdown("# Title\n\n*em* **strong** [link](https://example.org)\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h1>Title</h1>" in html and "<em>em</em>" in html and "<strong>strong</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">link</a>' in html
    assert "<table>" in html and "<td>1</td>" in html


def test_empty_text_renders_nothing():
    assert render_markdown("") == "" and render_markdown(None) == ""


def test_bios_descriptions_and_results_are_sanitised_on_their_pages(voter_client, running, completed):
    evil = "\n\n".join(PAYLOADS)
    Candidate.objects.filter(election=running, candidate_id="alice").update(bio=f"Hi\n\n{evil}", name="<b>Alice</b>")
    running.description = f"About\n\n{evil}"
    running.save()
    completed.results = f"# Results\n\n{evil}"
    completed.save()
    for page in (f"/app/elections/{running.key}/candidates/alice", f"/app/elections/{running.key}",
                 f"/elections/{running.key}", f"/app/elections/{completed.key}/results"):
        html = voter_client.get(page).content.decode()
        body = html.split('<main id="main" tabindex="-1">')[1].split("</main>")[0]
        assert_inert(body)
    # A candidate's name is text, not markup.
    assert "&lt;b&gt;Alice&lt;/b&gt;" in voter_client.get(f"/app/elections/{running.key}/vote").content.decode()


def test_headings_can_start_below_the_pages_own_title():
    html = render_markdown("# Title\n\n## Part", baselevel=2)
    assert "<h2>Title</h2>" in html and "<h3>Part</h3>" in html


def test_the_markdown_extensions_are_registered_once_when_the_module_is_imported():
    """cmark-gfm aborts the process (SIGABRT: "flag initialization error") when two threads register its
    extensions at once, which two threads of a fresh gunicorn worker could do with their first render. Importing
    the module, which happens once per process under Python's import lock (in the gunicorn master, before the
    workers fork), registers them before any render."""
    import subprocess
    import sys

    probe = (
        "import cmarkgfm.cmark as c\n"
        "before = c.find_syntax_extension('table') is not None\n"
        "import elections.markdown\n"
        "print(before, c.find_syntax_extension('table') is not None, c.find_syntax_extension('tasklist') is not None)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=REPO_ROOT)
    assert result.stdout.split() == ["False", "True", "True"]
