"""Markdown renders as GitHub renders it, and no list item is lost where Elekto showed a list."""

import re
import uuid

import pytest

from elections.markdown import markdown_to_html, render_markdown
from meta_sync.parser import split_candidate_text
from tests.conftest import shared_fixture

# A reading of the source that knows nothing of the renderer: every line outside fenced code and HTML comments
# that starts with a list marker and some text is one list item.
ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])[ \t]+\S")
THEMATIC_BREAK = re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def list_items_in_source(text):
    items, fence, comment = 0, None, False
    for line in text.split("\n"):
        if fence:
            fence = None if line.strip().startswith(fence) else fence
            continue
        if opening := FENCE.match(line):
            fence = opening[1]
            continue
        if comment or ("<!--" in line and "-->" not in line):
            comment = "-->" not in line
            continue
        items += bool(ITEM.match(line) and not THEMATIC_BREAK.match(line))
    return items


def list_items_in_html(html):
    return len(re.findall(r"<li[\s>]", html))


def markdown_documents():
    return sorted(shared_fixture("meta").rglob("*.md"))


def document_text(path):
    """What the site renders from the file: a candidate file's bio, any other file whole."""
    text = path.read_text(encoding="utf-8")
    if path.name.startswith("candidate-"):
        parts = split_candidate_text(text)
        text = parts[1] if parts else text
    return text


def test_every_markdown_document_of_the_real_meta_repositories_keeps_every_list_item():
    documents = markdown_documents()
    assert len(documents) > 100
    lost = {}
    for path in documents:
        text = document_text(path)
        expected, shown = list_items_in_source(text), list_items_in_html(markdown_to_html(text))
        if expected != shown:
            lost[str(path.relative_to(shared_fixture("meta")))] = (expected, shown)
    assert lost == {}
    assert sum(list_items_in_source(document_text(p)) for p in documents) > 500


@pytest.mark.parametrize("year, places", [("2022", 8), ("2023", 11), ("2024", 7)])
def test_the_places_below_the_winners_of_kubernetes_steering_results_stay_a_list(year, places):
    text = shared_fixture("meta", "kubernetes", "elections", "steering", year, "results.md").read_text()
    html = markdown_to_html(text)
    ordered = re.findall(r"<ol(?: start=\"(\d+)\")?>(.*?)</ol>", html, re.S)
    assert sum(list_items_in_html(body) for _, body in ordered) >= places
    assert any(start not in ("", "1") for start, _ in ordered)


@pytest.mark.parametrize("source, items, start", [
    ("The rest were placed as follows:\n4. Cici\n5. Carlos\n6. Daniel", 3, "4"),
    ("Winners:\n1. Bob\n2. Ben", 2, None),
    ("Some text\n- one\n- two\n* three", 3, None),
    ("Text\n7) seventh\n8) eighth", 2, "7"),
    ("1. one\n2. two\ncontinued\n3. three", 3, None),
])
def test_a_list_right_after_a_line_of_text_keeps_every_item(source, items, start):
    html = markdown_to_html(source)
    assert list_items_in_html(html) == items
    if start:
        assert f'<ol start="{start}">' in html


def test_a_numbered_line_inside_fenced_code_stays_code():
    html = markdown_to_html("Run:\n```\nstep\n4. not an item\n```\n~~~~\ntext\n5. neither\n~~~~")
    assert "<li>" not in html and "4. not an item" in html and "5. neither" in html


def test_tables_render_as_on_github_with_their_alignment():
    html = markdown_to_html("| Seat | Name |\n| :---: | ---: |\n| 1 | Bob |")
    assert '<th align="center">Seat</th>' in html and '<td align="right">Bob</td>' in html
    assert "<thead>" in html and "<tbody>" in html


def test_strikethrough_and_autolinks_render_as_on_github():
    html = markdown_to_html("~~withdrawn~~ see https://example.org/x and www.example.com or me@example.org")
    assert "<del>withdrawn</del>" in html
    assert '<a href="https://example.org/x" rel="noopener noreferrer nofollow">https://example.org/x</a>' in html
    assert '<a href="http://www.example.com" rel="noopener noreferrer nofollow">' in html
    assert '<a href="mailto:me@example.org"' in html


def test_task_lists_keep_their_checkboxes_disabled():
    html = markdown_to_html("- [x] done\n- [ ] to do")
    assert '<li><input type="checkbox" checked="" disabled=""> done</li>' in html
    assert '<li><input type="checkbox" disabled=""> to do</li>' in html


@pytest.mark.parametrize("raw", [
    '<input name="passphrase" value="x">',
    '<input type="text" name="passphrase">',
    '<input type="checkbox" onclick="alert(1)" name="x">',
    '<input type="image" src="x" onerror="alert(1)">',
])
def test_no_usable_form_control_or_handler_survives_the_sanitiser(raw):
    html = markdown_to_html(f"Before\n\n{raw}\n\n- [ ] task")
    assert "onclick" not in html and "onerror" not in html and "name=" not in html and "alert" not in html
    assert all(tag in ('<input type="checkbox" disabled="">', '<input type="checkbox" checked="" disabled="">')
               for tag in re.findall(r"<input[^>]*>", html))


def test_scripts_inside_tables_and_lists_are_removed():
    html = markdown_to_html("| a |\n| - |\n| <script>alert(1)</script><b onmouseover=x>b</b> |\n\n"
                            "- <img src=x onerror=alert(2)>")
    assert "<script" not in html and "alert" not in html and "onmouseover" not in html and "onerror" not in html
    assert "<td><b>b</b></td>" in html


def test_headings_move_down_below_the_page_title_and_stop_at_six():
    html = markdown_to_html("# One\n\n##### Five\n\n###### Six", baselevel=2)
    assert "<h2>One</h2>" in html and "<h6>Five</h6>" in html and "<h6>Six</h6>" in html


def test_a_document_is_rendered_once_per_change_of_its_text(monkeypatch):
    import elections.markdown as module

    calls = []
    real = module.markdown_to_html
    monkeypatch.setattr(module, "markdown_to_html", lambda text, **kw: calls.append(text) or real(text, **kw))
    text = f"Rendered once: a text no other test uses, {uuid.uuid4()}."
    first = render_markdown(text)
    assert render_markdown(text) == first
    # Another process shares the site's cache, not this one's memory.
    module._render_cached.cache_clear()
    assert render_markdown(text) == first
    assert calls == [text]
    render_markdown(text + " Edited.")
    assert calls == [text, text + " Edited."]


def test_a_cache_that_does_not_answer_costs_a_render_not_the_page(monkeypatch):
    import elections.markdown as module

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(module.cache, "get", broken)
    assert "<del>gone</del>" in render_markdown(f"~~gone~~ {uuid.uuid4()}")
