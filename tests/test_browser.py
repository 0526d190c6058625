"""The pages linklab writes, opened in a real headless Chromium (tests/browser.py): the interactive picture draws
every person with sigma.js, marks the focus, finds names and zooms where the pointer is; the class report
renders; neither logs a console error. Screenshots go to $LINKLAB_SCREENSHOTS if set (to look at them)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from .browser import console_errors, open_page, screenshot_colours
from .conftest import run_cli_here
from .test_instructor import KEY, fake_results, loaded_tiny  # noqa: F401  (a fixture: a tiny world)

READY = "window.linklabPicture && window.linklabPicture.sigma"


def page_data(page: Path) -> dict:
    text = page.read_text(encoding="utf-8")
    found = re.search(r'<script id="linklab-data" type="application/json">(.*?)</script>', text, re.S)
    return json.loads(found.group(1))


def node_state(browser, node: str) -> dict:
    """What sigma draws for a node after the page's reducers: colour, highlighted, forceLabel."""
    return browser.execute_script(
        "const d = linklabPicture.sigma.getNodeDisplayData(arguments[0]);"
        "return {color: d.color, highlighted: !!d.highlighted, forceLabel: !!d.forceLabel};", node)


def drawn(browser, view: str = "linklabPicture") -> None:
    """Wait until the camera rests (zooms and moves animate) and two more frames are drawn."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda d: not d.execute_script(f"return {view}.sigma.getCamera().isAnimated()"))
    browser.execute_async_script("const done = arguments[arguments.length - 1];"
                                 "requestAnimationFrame(() => requestAnimationFrame(() => done()));")


def overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


def graph_canvas_colours(browser, path: Path) -> int:
    """Distinct colours inside the drawing area only (header and side panel excluded)."""
    from PIL import Image

    screenshot_colours(browser, path)
    box = browser.execute_script("const r = document.getElementById('graph').getBoundingClientRect();"
                                 "return [r.left, r.top, r.right, r.bottom].map(Math.round);")
    return len(Image.open(path).convert("RGB").crop(box).getcolors(maxcolors=1 << 24))


def test_picture_draws_every_person_and_finds_names(loaded_tiny, cli_env, browser, tmp_path, shots):  # noqa: F811
    from linklab.scenario.generate import generate
    from linklab.scenario.graphs import ScenarioGraphs

    result = run_cli_here("picture", "--out", str(tmp_path / "core.png"), env=cli_env)
    assert result.returncode == 0, result.stderr
    page = tmp_path / "core.html"
    text = page.read_text(encoding="utf-8")
    assert "<script src" not in text and "https://" not in text and "<link" not in text  # nothing fetched
    data = page_data(page)
    org = ScenarioGraphs(generate(KEY.profile, KEY.size, KEY.seed)).org_network()
    org.remove_nodes_from([n for n in list(org) if org.degree(n) == 0])  # a member with no account: nothing to draw

    errors = open_page(browser, page.as_uri(), READY)
    assert errors == []
    counts = browser.execute_script("return [linklabPicture.nodeCount(), linklabPicture.edgeCount()]")
    assert counts == [len(data["nodes"]), len(data["edges"])] == [org.number_of_nodes(), org.number_of_edges()]
    drawn(browser)
    assert graph_canvas_colours(browser, shots / "picture-core.png") > 40  # drawn in many colours, not blank

    # Names do not pile up: no two drawn labels overlap, at any zoom.
    labels = browser.execute_script("return linklabPicture.labels()")
    assert 3 <= len(labels) <= len(data["nodes"]), labels  # as many as fit without overlapping
    assert not any(overlap(a, b) for i, a in enumerate(labels) for b in labels[i + 1:]), labels
    browser.execute_script("linklabPicture.sigma.getCamera().setState({ratio: 0.35})")
    drawn(browser)
    closer = browser.execute_script("return linklabPicture.labels()")
    assert not any(overlap(a, b) for i, a in enumerate(closer) for b in closer[i + 1:])
    browser.execute_script("linklabPicture.sigma.getCamera().setState({ratio: 1, x: 0.5, y: 0.5})")
    drawn(browser)
    assert len(browser.execute_script("return linklabPicture.labels()")) == len(labels)

    legend = browser.find_element("id", "legend").text
    assert all(group in legend for group, _ in data["legend"])

    # Search: a name typed into the box marks that person and dims the others.
    target = max(data["nodes"], key=lambda n: (n["degree"], n["id"]))
    other = next(n for n in data["nodes"] if target["name"].split()[0].lower() not in n["name"].lower())
    plain = node_state(browser, other["id"])["color"]
    box = browser.find_element("id", "search")
    box.send_keys(target["name"].split()[0])
    found = browser.find_element("id", "found").text
    assert re.fullmatch(r"\d+ found", found), found
    assert node_state(browser, target["id"]) == {"color": target["colour"], "highlighted": True, "forceLabel": True}
    assert node_state(browser, other["id"])["color"] != plain  # dimmed
    drawn(browser)  # the camera moves to the match
    screenshot_colours(browser, shots / "picture-search.png")
    box.clear()
    box.send_keys("no such person anywhere")
    assert browser.find_element("id", "found").text == "no one found"
    assert node_state(browser, target["id"])["highlighted"] is False
    assert console_errors(browser) == []


def test_picture_of_a_crowd_names_some_and_more_when_zoomed_in(browser, tmp_path, shots):
    """300 people in dense crews (no database needed): a few dozen names, none overlapping, more as one zooms."""
    import networkx as nx

    from linklab import picture

    graph = nx.relabel_nodes(nx.connected_caveman_graph(10, 30), lambda n: f"P{n:03d}")
    for n in graph:
        graph.nodes[n].update(name=f"Person {n[1:]} Surname", group=f"crew {int(n[1:]) // 30 + 1}")
    view = picture.View(graph, "A crowd", "", [f"crew {i}" for i in range(1, 11)])
    picture.write_html(picture.drawing_data(view, seed=5), tmp_path / "crowd.html")

    assert open_page(browser, (tmp_path / "crowd.html").as_uri(), READY) == []
    assert browser.execute_script("return linklabPicture.nodeCount()") == 300
    drawn(browser)
    far = browser.execute_script("return linklabPicture.labels()")
    assert 5 <= len(far) <= 60, len(far)
    assert not any(overlap(a, b) for i, a in enumerate(far) for b in far[i + 1:])
    screenshot_colours(browser, shots / "picture-crowd.png")
    browser.execute_script("linklabPicture.sigma.getCamera().setState({ratio: 0.4})")
    drawn(browser)
    near = browser.execute_script("return linklabPicture.labels()")
    assert not any(overlap(a, b) for i, a in enumerate(near) for b in near[i + 1:])
    shown = lambda labels: {b["label"] for b in labels}  # noqa: E731
    assert len(shown(near) - shown(far)) >= 5, (len(far), len(near))  # zooming in names people not named before
    assert console_errors(browser) == []


def test_picture_marks_the_focus_and_zooms_toward_the_pointer(loaded_tiny, cli_env, driver, browser,  # noqa: F811
                                                             tmp_path, shots):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions.wheel_input import ScrollOrigin

    handle = driver.execute_query("MATCH (p:Person)-[:USES]->(a:Account)-[m:MESSAGED]-() RETURN a.handle AS h, "
                                  "p.id AS id, count(m) AS c ORDER BY c DESC, h LIMIT 1").records[0]
    result = run_cli_here("picture", "--out", str(tmp_path / "around.png"), "--around", handle["h"], env=cli_env)
    assert result.returncode == 0, result.stderr
    data = page_data(tmp_path / "around.html")
    assert data["focus"] == handle["id"]

    assert open_page(browser, (tmp_path / "around.html").as_uri(), READY) == []
    assert browser.execute_script("return linklabPicture.nodeCount()") == len(data["nodes"])
    assert node_state(browser, data["focus"])["highlighted"] is True
    focus_name = next(n["name"] for n in data["nodes"] if n["id"] == data["focus"])
    info = browser.find_element("id", "info").text
    assert info.startswith("FOCUS") or info.startswith("Focus"), info
    assert focus_name in info
    drawn(browser)
    screenshot_colours(browser, shots / "picture-around.png")

    # Zoom with the wheel over a point off-centre: the graph point under the pointer stays under it (zooming toward
    # the centre instead would move it by a tenth of its distance from the centre per 10 % of zoom: tens of pixels).
    graph = browser.find_element("id", "graph")
    size = graph.size
    x, y = size["width"] // 4, size["height"] // 3
    before = browser.execute_script("return linklabPicture.sigma.viewportToGraph({x: arguments[0], y: arguments[1]})",
                                    x, y)
    ratio = browser.execute_script("return linklabPicture.sigma.getCamera().ratio")
    origin = ScrollOrigin.from_element(graph, x - size["width"] // 2, y - size["height"] // 2)
    ActionChains(browser).scroll_from_origin(origin, 0, -300).perform()
    time.sleep(0.1)  # the wheel event reaches sigma, which starts animating
    drawn(browser)
    assert browser.execute_script("return linklabPicture.sigma.getCamera().ratio") < ratio * 0.8
    now = browser.execute_script("return linklabPicture.sigma.graphToViewport(arguments[0])", before)
    assert abs(now["x"] - x) < 3 and abs(now["y"] - y) < 3, (now, x, y)
    assert console_errors(browser) == []


def test_report_renders_without_errors(browser, tmp_path, shots):
    fake_results(tmp_path / "results.json")
    result = run_cli_here("report", str(tmp_path / "results.json"), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    page = tmp_path / "out" / "report.html"
    assert open_page(browser, page.as_uri(), "document.readyState === 'complete'") == []
    assert len(browser.find_elements("css selector", "svg rect")) == 3
    assert len(browser.find_elements("css selector", "tr")) >= 4  # a header and three trainees
    assert screenshot_colours(browser, shots / "report.png") > 10


EDITOR_PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="{css}"></head>
<body><div id="editor" style="width: 700px; height: 200px; border: 1px solid #ccc"></div>
<script src="{js}"></script>
<script>
window.ran = [];
window.editor = LinklabCypher.create(document.getElementById("editor"), {{
  schema: {{labels: ["Person", "Account"], relationshipTypes: ["USES", "MESSAGED"], propertyKeys: ["handle", "name"]}},
  onRun: (text) => window.ran.push(text),
}});
</script></body></html>"""


def test_cypher_editor_highlights_completes_from_the_schema_and_runs_on_ctrl_enter(browser, tmp_path, shots):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    from linklab.web.assets import bundle

    editor = bundle("cypher-editor")
    page = tmp_path / "editor.html"
    page.write_text(EDITOR_PAGE.format(css=editor.css.as_uri(), js=editor.js.as_uri()), encoding="utf-8")
    assert open_page(browser, page.as_uri(), "window.editor && document.querySelector('.cm-content')") == []
    browser.find_element("css selector", ".cm-content").click()

    def completes(typed: str, expected: str) -> list[str]:
        ActionChains(browser).send_keys(typed).perform()
        options = WebDriverWait(browser, 5).until(lambda d: [
            o.text for o in d.find_elements("css selector", ".cm-tooltip-autocomplete li")] or None)
        assert any(expected in o for o in options), options
        return options

    labels = completes("MATCH (p:Pe", "Person")
    assert not any("MESSAGED" in o for o in labels)  # labels here, not relationship types
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    completes(")-[:US", "USES")
    ActionChains(browser).send_keys(Keys.ENTER, "]->(a) RETURN a.ha").perform()
    completes("", "handle")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    text = browser.execute_script("return editor.getValue()")
    assert text == "MATCH (p:Person)-[:USES]->(a) RETURN a.handle", text

    keywords = [e.text for e in browser.find_elements("css selector", ".cm-keyword")]
    assert {"MATCH", "RETURN"} <= set(keywords), keywords
    # The parser's semantic colours (labels, relationship types, properties) come with the linter, a moment later.
    semantic = WebDriverWait(browser, 5).until(lambda d: {
        kind: " ".join(e.text for e in d.find_elements("css selector", f".cm-p-{kind}"))
        for kind in ("label", "relationshipType", "property")} if d.find_elements("css selector", ".cm-p-label") else None)
    assert "Person" in semantic["label"] and "USES" in semantic["relationshipType"], semantic
    assert "handle" in semantic["property"], semantic
    screenshot_colours(browser, shots / "cypher-editor.png")

    ActionChains(browser).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()
    assert browser.execute_script("return window.ran") == [text]
    assert browser.execute_script("return editor.getValue()") == text  # Ctrl+Enter ran it, added no line
    assert console_errors(browser) == []


GRAPH_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head>
<body style="margin:0"><div id="g" style="width: 900px; height: 600px"></div>
<script src="{js}"></script>
<script>
// What the lab will draw: a query result, nodes without positions, typed and directed relationships.
const nodes = [], edges = [];
for (let i = 0; i < 40; i++) nodes.push({{id: "p" + i, label: "Person " + i, color: i < 20 ? "#d62728" : "#1f77b4"}});
for (let i = 1; i < 40; i++) edges.push({{source: "p" + (i < 20 ? 0 : 20), target: "p" + i, label: "MESSAGED"}});
edges.push({{source: "p19", target: "p20", label: "CALLED"}});
window.view = LinklabGraph.render(document.getElementById("g"), {{nodes, edges}},
                                  {{arrows: true, edgeLabels: true, focus: "p0"}});
</script></body></html>"""


def test_graph_view_lays_out_a_query_result_with_arrows(browser, tmp_path, shots):
    from linklab.web.assets import bundle

    page = tmp_path / "graph.html"
    page.write_text(GRAPH_PAGE.format(js=bundle("graph-view").js.as_uri()), encoding="utf-8")
    assert open_page(browser, page.as_uri(), "window.view") == []
    assert browser.execute_script("return [view.nodeCount(), view.edgeCount()]") == [40, 40]
    # ForceAtlas2 placed them: two stars, their hubs far apart, every node somewhere else.
    where = browser.execute_script(
        "return view.graph.mapNodes((n, a) => [n, a.x, a.y])")
    assert len({(round(x, 3), round(y, 3)) for _, x, y in where}) == 40
    hubs = {n: (x, y) for n, x, y in where if n in ("p0", "p20")}
    spread = max(abs(x) for _, x, _ in where) + max(abs(y) for _, _, y in where)
    assert abs(hubs["p0"][0] - hubs["p20"][0]) + abs(hubs["p0"][1] - hubs["p20"][1]) > 0.1 * spread
    assert browser.execute_script("return view.sigma.getSetting('defaultEdgeType')") == "arrow"
    assert browser.execute_script("return view.sigma.getNodeDisplayData('p0').highlighted") is True
    drawn(browser, "view")
    assert screenshot_colours(browser, shots / "graph-view.png") > 20
    assert console_errors(browser) == []
