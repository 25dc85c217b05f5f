"""The beat graph and the heat map: drawn on the server as SVG, readable at 20 candidates, downloadable."""

import random
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from elections.counting.tally import count
from elections.models import AuditEvent
from elections.officers.pictures import beat_graph_svg, cell_colours, heat_map_svg

from .conftest import cast_many, make_election

SVG = "{http://www.w3.org/2000/svg}"


def contrast(a, b):
    def luminance(colour):
        def channel(v):
            v /= 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        r, g, b_ = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b_)

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def election_of(n, ballots=40, seed=7):
    rnd = random.Random(seed)
    candidates = [f"c{i:02d}" for i in range(n)]
    rows = []
    for _ in range(ballots):
        order = sorted(candidates, key=lambda c: rnd.gauss(int(c[1:]), n / 3))
        rows.append({c: r + 1 for r, c in enumerate(order[: rnd.randint(1, n)])})
    names = {c: f"Candidate <{c}> & Co" for c in candidates}
    return count(candidates, rows, seats=2), names


def titles(svg, tag):
    return [node.find(f"{SVG}title").text for node in svg.iter(f"{SVG}{tag}") if node.find(f"{SVG}title") is not None]


def test_the_beat_graph_draws_an_arrow_from_each_winner_to_each_loser_thicker_for_a_wider_margin():
    # A beats B 3-0, B beats C 2-1, A beats C 3-0 (every ballot ranks all three).
    result = count(["a", "b", "c"], [{"a": 1, "b": 2, "c": 3}] * 2 + [{"a": 1, "c": 2, "b": 3}], seats=1)
    svg = ET.fromstring(beat_graph_svg(result, {"a": "Ann", "b": "Bo", "c": "Cy"}))
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "beat-graph-title beat-graph-desc"
    assert svg.find(f"{SVG}title").text == "Who beats whom, head to head"
    arrows = {p.find(f"{SVG}title").text: float(p.get("stroke-width")) for p in svg.iter(f"{SVG}path")
              if p.get("class") == "beat"}
    assert set(arrows) == {"Ann beats Bo: 3 ballots to 0", "Ann beats Cy: 3 ballots to 0",
                           "Bo beats Cy: 2 ballots to 1"}
    assert arrows["Ann beats Bo: 3 ballots to 0"] > arrows["Bo beats Cy: 2 ballots to 1"]
    # The margins between neighbours in the ranking are written out.
    words = [t.text for t in svg.iter(f"{SVG}text")]
    assert "3–0" in words and "2–1" in words


def test_level_candidates_have_no_arrow_and_a_win_against_the_ranking_is_drawn_apart():
    # A Condorcet cycle: a>b>c>a, each 2 to 1; the Schulze order still puts one of them first.
    ballots = [{"a": 1, "b": 2, "c": 3}, {"b": 1, "c": 2, "a": 3}, {"c": 1, "a": 2, "b": 3}, {"a": 1, "b": 2}]
    result = count(["a", "b", "c", "d"], ballots, seats=1)
    svg = ET.fromstring(beat_graph_svg(result, {}))
    beats = [p for p in svg.iter(f"{SVG}path") if p.get("class") == "beat"]
    against = [p for p in beats if p.get("marker-end").endswith("against)")]
    assert against, "a win over a higher-ranked candidate is drawn in its own colour"
    pairs = {p.find(f"{SVG}title").text.split(":")[0] for p in beats}
    assert not any("d beats" in pair for pair in pairs)


def test_at_twenty_candidates_both_pictures_stay_readable():
    result, names = election_of(20)
    beat = ET.fromstring(beat_graph_svg(result, names))
    heat = ET.fromstring(heat_map_svg(result, names))
    # Every candidate is named (escaped), in ranking order, in both pictures.
    assert len([g for g in beat.iter(f"{SVG}g") if g.get("class") == "candidate"]) == 20
    assert titles(beat, "g")[0] == names[result.ranking[0][0]]
    # Not a blot of 190 arrows: near neighbours and the wins against the ranking.
    arrows = [p for p in beat.iter(f"{SVG}path") if p.get("class") == "beat"]
    assert 20 < len(arrows) < 100
    cells = [g for g in heat.iter(f"{SVG}g") if g.get("class") == "cell"]
    assert len(cells) == 20 * 19
    for cell in cells:
        rect, text = cell.find(f"{SVG}rect"), cell.find(f"{SVG}text")
        assert int(rect.get("width")) >= 36, "cells stay big enough to read their number"
        assert contrast(rect.get("fill"), text.get("fill")) >= 4.5
    for svg in (beat, heat):
        assert float(svg.get("width")) <= 1100 and float(svg.get("height")) <= 1000


@pytest.mark.parametrize(("mine", "theirs"), [(10, 0), (6, 4), (0, 10), (5, 5), (1, 0)])
def test_every_cell_colour_keeps_its_number_legible(mine, theirs):
    fill, ink = cell_colours(mine, theirs, 10)
    assert contrast(fill, ink) >= 4.5


def test_names_are_escaped_and_nothing_in_the_pictures_runs_or_loads():
    result, names = election_of(4)
    for svg_text in (beat_graph_svg(result, names), heat_map_svg(result, names)):
        assert "<c00>" not in svg_text and "&lt;c00&gt; &amp; Co" in svg_text
        lowered = svg_text.lower()
        assert "<script" not in lowered and "<style" not in lowered and " style=" not in lowered
        assert "href" not in lowered.replace("url(#", "")


@pytest.mark.django_db
def test_the_officer_downloads_both_pictures_as_svg_files_and_each_download_is_audited(login):
    election = make_election("pic---2026", status="completed", officers=["olivia"], candidates=["ann", "bo"])
    cast_many(election, [(2, {"ann": 1, "bo": 2}), (1, {"bo": 1, "ann": 2})])
    page = login("olivia").get(reverse("officers:results", args=[election.key])).content.decode()
    for kind, title in (("beat-graph.svg", "Who beats whom, head to head"),
                        ("heat-map.svg", "Head-to-head results as a heat map")):
        url = reverse("officers:export", args=[election.key, kind])
        assert f'href="{url}" download' in page
        response = login("olivia").get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("image/svg+xml")
        assert f'filename="{kind.replace(".", "-pic---2026.")}"' in response["Content-Disposition"]
        svg = ET.fromstring(response.content.decode().split("?>", 1)[1])
        assert svg.find(f"{SVG}title").text == title
        assert AuditEvent.objects.filter(action=f"export.{kind}").count() == 1


def test_with_two_candidates_the_words_around_the_heat_map_fit_inside_it():
    result = count(["ann", "bo"], [{"ann": 1, "bo": 2}] * 3, seats=1)
    heat = ET.fromstring(heat_map_svg(result, {"ann": "Ann", "bo": "Bo"}))
    width = float(heat.get("width"))
    heading = next(t for t in heat.iter(f"{SVG}text") if t.text == "Row over column; columns by place")
    # About 7 px a character at 12 px: the heading must end inside the picture.
    assert float(heading.get("x")) + 7 * len(heading.text) <= width
