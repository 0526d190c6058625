"""Neo4j Browser as a good neighbour: the server hands it no-telemetry, a local-only allowlist for guides and
styles, and a `:style` run on connect that captions every label by a property the scenario really has."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from linklab import server as srv

from .test_instructor import loaded_tiny  # noqa: F401  (a fixture: the tiny darknet scenario)

ROOT = Path(__file__).resolve().parent.parent


def schema_labels() -> set[str]:
    text = (ROOT / "queries" / "schema.cypher").read_text()
    return set(re.findall(r"CREATE CONSTRAINT \w+ IF NOT EXISTS FOR \(n:(\w+)\)", text)) - {"Scenario"}


def test_post_connect_command_is_one_style_with_a_caption_for_every_label():
    command = srv.SHARED_SETTINGS["browser.post_connect_cmd"]
    assert ";" not in command  # the Browser splits this setting into commands at semicolons
    verb, grass = command.split(" ", 1)
    assert verb == "style"
    style = json.loads(grass)  # :style parses JSON before Grass
    assert set(style) == {f"node.{label}" for label in schema_labels()}
    assert all(set(rule) == {"caption"} and re.fullmatch(r"\{\w+\}", rule["caption"]) for rule in style.values())


def test_every_caption_names_a_property_the_scenario_has(loaded_tiny, driver):  # noqa: F811
    for label, key in srv.BROWSER_CAPTIONS.items():
        records, _, _ = driver.execute_query(
            f"MATCH (n:{label}) RETURN count(n) AS all, count(n[$key]) AS captioned", key=key)
        assert records[0]["all"] > 0 and records[0]["captioned"] == records[0]["all"], (label, key)


def test_the_server_hands_the_browser_these_settings(driver):
    """What Neo4j Browser reads on connect (dbms.clientConfig), from the running test server's neo4j.conf."""
    records, _, _ = driver.execute_query("CALL dbms.clientConfig() YIELD name, value RETURN name, value")
    config = {r["name"]: str(r["value"]) for r in records}
    for key in ("client.allow_telemetry", "browser.remote_content_hostname_whitelist", "browser.post_connect_cmd"):
        assert config.get(key) == srv.SHARED_SETTINGS[key], \
            f"{key}: a test server started before this setting? `linklab server stop --name test`, then test again"


def test_browser_guide_is_slides_whose_queries_run(loaded_tiny, driver):  # noqa: F811
    """linklab/web/browser-guide.html, for `:play` (the lab serves it): slides, no scripts (the Browser strips
    them), and every runnable query is valid Cypher on the scenario's schema and returns rows."""
    import html

    guide = (ROOT / "linklab" / "web" / "browser-guide.html").read_text(encoding="utf-8")
    assert guide.count("<slide ") >= 3 and "<script" not in guide
    queries = [html.unescape(q) for q in re.findall(r'<pre class="code runnable">(.*?)</pre>', guide, re.S)]
    assert len(queries) >= 3
    for query in queries:
        records, _, _ = driver.execute_query(query)
        assert records, query


def test_neo4j_browser_captions_people_by_name_and_accounts_by_handle(conn, loaded_tiny, driver, browser,  # noqa: F811
                                                                       shots):
    """The real Neo4j Browser of the test server, in headless Chromium: log in, see the :style frame the server's
    connect command ran, draw one person and their account, read the captions off the SVG."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    url = srv.browser_url(conn.uri)
    assert url, f"{conn.uri} is not a local linklab server: its Browser address is unknown"
    bolt = urlsplit(conn.uri)
    browser.get(f"{url}?dbms=neo4j://{conn.user}@{bolt.hostname}:{bolt.port}")
    wait = WebDriverWait(browser, 60)
    wait.until(lambda d: d.find_elements("css selector", "input[type=password]"))[0].send_keys(conn.password, Keys.ENTER)
    commands = "return [...document.querySelectorAll('[data-testid=frameCommand]')].map(e => e.textContent)"
    wait.until(lambda d: any(c.startswith(":style {") for c in d.execute_script(commands)))

    records, _, _ = driver.execute_query("MATCH (p:Person)-[:USES]->(a:Account) WITH p, a ORDER BY p.id, a.id "
                                         "LIMIT 1 RETURN p.id AS id, p.name AS name, a.handle AS handle")
    person = records[0]
    browser.find_element("css selector", "[data-testid=activeEditor]").click()
    ActionChains(browser).send_keys(f"MATCH (p:Person {{id: '{person['id']}'}})-[:USES]->(a:Account) "
                                    "WITH p, a ORDER BY a.id LIMIT 1 RETURN p, a").perform()
    ActionChains(browser).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()
    captions = wait.until(lambda d: d.execute_script(
        "const nodes = [...document.querySelectorAll('svg g.node')];"
        "return nodes.length === 2 ? nodes.map(g => [...g.querySelectorAll('text')].map(t => t.textContent.trim())"
        ".join(' ')) : null;"))
    assert sorted(captions) == sorted([person["name"], person["handle"]])
    shots.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(shots / "neo4j-browser.png"))


def rows_of(driver, query: str, params: dict) -> list:
    """A query's rows, order aside, nodes and relationships by their element id."""
    def value(v):
        return getattr(v, "element_id", None) or repr(v)
    records, _, _ = driver.execute_query(query, params)
    return sorted(tuple(value(v) for v in r.values()) for r in records)


def test_the_guides_queries_are_no_exercises_answer_or_known_mistake(loaded_tiny, driver):  # noqa: F811
    """What the guide invites a trainee to run must not give an exercise's answer, nor teach one of its registered
    mistakes: on the same scenario, its rows differ from every reference's and every mistake's (GDS exercises
    return scores of a projection, which no guide query makes)."""
    import html

    from linklab.exercises.catalogue import catalogue
    from linklab.grade.engine import answer_key

    from .test_instructor import KEY

    guide = (ROOT / "linklab" / "web" / "browser-guide.html").read_text(encoding="utf-8")
    shown = [rows_of(driver, html.unescape(q), {}) for q in
             re.findall(r'<pre class="code runnable">(.*?)</pre>', guide, re.S)]
    compared = 0
    for exercise in catalogue():
        if "graph" in exercise.parameters:
            continue
        params = answer_key(exercise, KEY).params
        for query in [exercise.solution] + [m.query for m in exercise.mutants]:
            rows = rows_of(driver, query, params)
            assert all(rows != guide_rows for guide_rows in shown), (exercise.id, query)
            compared += 1
    assert compared >= 50
