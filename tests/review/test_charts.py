"""The server-drawn charts: valid SVG 1.1 that carries its numbers, for screen readers too."""

import xml.etree.ElementTree as ET

from hotline.review.charts import bars, sparkline

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [node.text for node in root.iter(f"{SVG}text")]


def test_bars_are_valid_svg_with_a_size_and_write_each_share_beside_its_bar():
    root = parsed(bars([("HR", 0.8333, 1), ("RS", 1.0, 1), ("AL", 0.0, 1)], title="Acknowledged in time"))
    assert root.tag == f"{SVG}svg"
    assert root.get("version") == "1.1"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert texts(root) == ["HR", "83%", "RS", "100%", "AL", "0%"]
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect") if rect.get("class") == "chart-bar"]
    track = next(float(rect.get("width")) for rect in root.iter(f"{SVG}rect") if rect.get("class") == "chart-track")
    assert widths == [round(track * 0.8333, 1), track]  # no bar at all for 0


def test_a_chart_says_its_numbers_in_words_to_a_screen_reader():
    root = parsed(bars([("HR", 0.8333, 1), ("RS", None, 1)], title="Acknowledged in time"))
    assert root.get("role") == "img"
    said = "Acknowledged in time. HR: 83 per cent; RS: no data."
    assert root.get("aria-label") == said
    assert root.find(f"{SVG}title").text == said


def test_counts_are_drawn_against_the_largest_and_written_as_numbers():
    root = parsed(bars([("HR", 3, 4), ("RS", 4, 4), ("BA", None, 4)], title="Open", share=False))
    assert texts(root) == ["HR", "3", "RS", "4", "BA", "—"]
    assert root.get("aria-label") == "Open. HR: 3; RS: 4; BA: no data."


def test_labels_are_escaped_and_colours_have_fallbacks_for_paper():
    svg = bars([('<script>"&', 0.5, 1)], title="A & B <c>")
    root = parsed(svg)
    assert "<script>" not in svg
    assert texts(root)[0] == '<script>"&'
    assert root.get("aria-label").startswith("A & B <c>.")
    for node in root.iter():
        if node.tag in (f"{SVG}rect", f"{SVG}text"):
            assert node.get("fill", "").startswith("#"), node.attrib  # fpdf2 reads no CSS
            assert node.get("class", "").startswith("chart-")  # the console's CSS recolours


def test_nothing_to_draw_says_so():
    root = parsed(bars([], title="Open"))
    assert texts(root) == ["Nothing to show"]
    assert root.get("aria-label") == "Open. nothing to show."


def test_a_sparkline_breaks_at_a_gap_and_names_each_month():
    values = [0.5, 0.6, None, 0.7, 0.9, 1.0]
    labels = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    root = parsed(sparkline(values, title="In time", labels=labels))
    lines = [line.get("points").split() for line in root.iter(f"{SVG}polyline")]
    assert [len(points) for points in lines] == [2, 3]
    assert root.get("aria-label") == (
        "In time. 2026-06: 50 per cent; 2026-07: 60 per cent; 2026-08: no data; 2026-09: 70 per cent; "
        "2026-10: 90 per cent; 2026-11: 100 per cent."
    )
    height = float(root.get("height"))
    top_point = float(lines[1][-1].split(",")[1])
    assert top_point < height / 2  # 100 % is drawn at the top


def test_a_sparkline_of_counts_and_of_a_lone_point():
    root = parsed(sparkline([None, 4, None], title="Open", share=False))
    assert not list(root.iter(f"{SVG}polyline"))
    assert len(list(root.iter(f"{SVG}circle"))) == 2  # the lone point and the last-value marker
    assert root.get("aria-label") == "Open. point 1: no data; point 2: 4; point 3: no data."
