// The lab page: the exercise list, one exercise with its editor, Run (table and graph) and Check.
// Everything comes from the lab's JSON API (linklab/web/app.py); the editor and the graph view are the
// vendored bundles (window.LinklabCypher, window.LinklabGraph). All code sits in one function; the one global,
// window.linklabLab, lets the browser tests read the editor and the last run.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const state = { exercise: null, editor: null, graph: null, lastRun: null, schema: null, csrf: "" };

  async function api(path, body) {
    const options = body === undefined ? {} : {
      method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-Linklab": "1", "X-CSRF-Token": state.csrf },
    };
    const response = await fetch(path, options);
    if (response.status === 401) { location.href = "/join"; throw new Error("Signed out: sign in again."); }
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  }

  // Exercise texts: paragraphs (blank lines), lines joined, `code` in backticks.
  function paragraphs(text) {
    return text.split(/\n\s*\n/).map((p) => el("p", {}, ...inline(p.replace(/\s*\n\s*/g, " "))));
  }

  function inline(text) {
    return text.split("`").map((part, i) => (i % 2 ? el("code", {}, part) : part));
  }

  const STATUS_WORDS = { new: "new", started: "started", trying: "not yet", passed: "passed", answered: "answered" };

  function showProgress(p) {
    $("who").textContent = `${p.trainee} · ${p.course}`;
    $("progress-bar").style.width = `${Math.round((100 * p.passed) / Math.max(p.total, 1))}%`;
    $("progress-text").textContent = `${p.passed} of ${p.total} exercises passed · ${p.points} of ${p.max_points} points · ${p.hints} hints` +
      (p.awaiting ? ` · ${p.awaiting} awaiting results` : "");
  }

  async function loadList() {
    const data = await api("/api/exercises");
    showProgress(data.progress);
    const nav = $("exercises");
    nav.replaceChildren();
    for (const [title, onCase] of [["Exercises", false], ["On an imported case", true]]) {
      nav.append(el("h3", {}, title));
      const list = el("ol", {});
      for (const ex of data.exercises.filter((e) => e.on_case === onCase)) {
        const link = el("a", { href: `#/exercise/${ex.id}`, "data-id": ex.id, class: state.exercise && state.exercise.id === ex.id ? "current" : "" },
          el("span", { class: "number" }, onCase ? "·" : ex.number), el("span", { class: "name" }, ex.title),
          el("span", { class: `badge ${ex.status}` }, STATUS_WORDS[ex.status]));
        list.append(el("li", {}, link));
      }
      nav.append(list);
    }
  }

  function showMessage(text) {
    $("message").hidden = !text;
    $("message").textContent = text || "";
  }

  // A message about the lab itself (a server restarting, an exercise that cannot open): at the top of the
  // page, where it is seen whatever is open, and never under results of an earlier run.
  function pageMessage(text) {
    $("page-message").hidden = !text;
    $("page-message").textContent = text || "";
  }

  function showExam(exam) {
    const box = $("exam-rules");
    box.hidden = !exam || !exam.exam;
    if (box.hidden) return;
    box.replaceChildren(...exam.lines.map((line) => el("p", { class: line === exam.refusal ? "refusal" : "" }, line)));
  }

  function showResult(result) {
    $("result").hidden = !result;
    if (!result) return;
    $("result").className = `verdict ${result.passed ? "passed" : "not-yet"}`;
    $("result").replaceChildren(el("strong", {}, result.passed ? "PASSED" : "NOT YET"), " ", result.feedback);
  }

  async function pollNotices() {
    try {
      const data = await api("/api/notices");
      $("notices").replaceChildren(...data.notices.map((n) => el("p", {}, n.message)));
      $("notices").hidden = !data.notices.length;
      state.notices = data.notices;
    } catch (err) { /* the next poll tries again */ }
    setTimeout(pollNotices, state.notices && state.notices.length ? 2000 : 5000);
  }

  async function openExercise(id) {
    const ex = await api(`/api/exercises/${encodeURIComponent(id)}`);
    pageMessage("");
    state.exercise = ex;
    $("welcome").hidden = true;
    $("exercise").hidden = false;
    $("title").textContent = `${ex.number}. ${ex.title}`;
    setStatus(ex.status);
    $("meta").textContent = `Level ${ex.level} · ${ex.points} points · ${ex.skills.join(", ")}`;
    $("prompt").replaceChildren(...paragraphs(ex.prompt));
    showScenario(ex);
    const params = Object.entries(ex.parameters);
    $("parameters").replaceChildren(...(params.length ? [el("h4", {}, "Your parameters (already set for your queries)"),
      el("ul", {}, ...params.map(([k, v]) => el("li", {}, el("code", {}, `$${k}`), " = ", el("code", {}, JSON.stringify(v)))))] : []));
    showExam(ex.exam);
    showResult(ex.result);
    $("hint-list").replaceChildren(...ex.hints.map((h) => el("li", {}, ...inline(h))));
    $("hint").disabled = ex.hints.length >= ex.hints_total;
    $("hint").textContent = ex.hints.length >= ex.hints_total ? "No more hints" : `Show a hint (${ex.hints.length} of ${ex.hints_total} shown)`;
    $("verdict").hidden = true;
    $("results").hidden = true;
    showMessage("");
    const saved = localStorage.getItem(`linklab-answer-${ex.id}`) || "";
    state.editor.setValue(saved);
    state.editor.setSchema({ ...editorSchema(), parameters: Object.keys(ex.parameters) });
    await loadList();
  }

  function showScenario(ex) {
    const box = $("scenario");
    box.replaceChildren(`Your scenario: ${ex.scenario}`);
    if (!ex.loaded) {
      box.append(" (not loaded in your database) ",
        el("button", { type: "button", id: "load", onclick: loadScenario }, "Load my scenario"));
    }
  }

  async function loadScenario() {
    $("load").disabled = true;
    $("load").textContent = "Loading...";
    try {
      await api(`/api/exercises/${state.exercise.id}/load`, {});
      state.exercise.loaded = true;
      showScenario(state.exercise);
      await loadSchema();
    } catch (err) { showMessage(err.message); }
  }

  function setStatus(status) {
    $("status").className = `badge ${status}`;
    $("status").textContent = STATUS_WORDS[status];
  }

  function editorSchema() {
    const s = state.schema || { labels: [], relationshipTypes: [], propertyKeys: [] };
    return { labels: s.labels.map((l) => l.name), relationshipTypes: s.relationshipTypes.map((t) => t.name), propertyKeys: s.propertyKeys };
  }

  async function loadSchema() {
    state.schema = await api("/api/schema");
    const part = (title, items) => el("div", {}, el("h4", {}, title),
      el("dl", {}, ...items.flatMap((i) => [el("dt", {}, i.name), el("dd", {}, i.meaning || "")])));
    $("schema-body").replaceChildren(part("Kinds of things (labels)", state.schema.labels),
      part("Links (relationship types)", state.schema.relationshipTypes),
      el("p", {}, "Properties: ", state.schema.propertyKeys.join(", ")));
    if (state.editor) state.editor.setSchema(editorSchema());
  }

  function cellText(value) {
    if (value === null || value === undefined) return "";
    if (Array.isArray(value)) return `[${value.map(cellText).join(", ")}]`;
    if (typeof value === "object") {
      if ("node" in value) return `${value.node} (${value.label})`;
      if ("relationship" in value) return `${value.from} -[${value.relationship}]-> ${value.to}`;
      if ("path" in value) return value.path.join(" → ");
      return JSON.stringify(value);
    }
    return String(value);
  }

  const GROUP_COLOURS = { Person: "#e4572e", Account: "#2e86ab", Phone: "#8e6c8a", Email: "#a7a2a9", Location: "#4c956c",
    Post: "#f3a712", Organization: "#29335c", Market: "#7d5ba6", Wallet: "#c17c74", Term: "#999999" };

  function showResults(outcome) {
    state.lastRun = outcome;
    $("results").hidden = false;
    const head = el("tr", {}, ...outcome.columns.map((c) => el("th", {}, c)));
    const rows = outcome.rows.slice(0, 500).map((r) => el("tr", {}, ...r.map((v) => el("td", {}, cellText(v)))));
    $("table").replaceChildren(el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows)));
    const more = outcome.rows.length > 500 ? ` (the first 500 shown)` : "";
    const g = outcome.graph;
    $("summary").textContent = `${outcome.rows.length} result${outcome.rows.length === 1 ? "" : "s"}${more} in ${(outcome.seconds * 1000).toFixed(0)} ms · ${g.nodes.length} nodes, ${g.edges.length} relationships in the graph`;
    if (!$("graph").hidden) drawGraph();
  }

  function drawGraph() {
    if (state.graph) { state.graph.destroy(); state.graph = null; }
    const g = state.lastRun ? state.lastRun.graph : { nodes: [], edges: [] };
    $("graph").replaceChildren();
    if (!g.nodes.length) {
      $("graph").append(el("p", { class: "empty" }, "This result holds no nodes to draw: return nodes, relationships or paths to see them here."));
      return;
    }
    const nodes = g.nodes.map((n) => ({ id: n.id, label: n.label, group: n.group, color: GROUP_COLOURS[n.group] || "#5b8def", size: 7 }));
    state.graph = window.LinklabGraph.render($("graph"), { nodes, edges: g.edges }, { arrows: true, edgeLabels: g.edges.length <= 60 });
  }

  function switchTab(name) {
    for (const b of document.querySelectorAll(".tabs button")) b.classList.toggle("on", b.dataset.tab === name);
    $("table").hidden = name !== "table";
    $("graph").hidden = name !== "graph";
    if (name === "graph") drawGraph();
  }

  async function runQuery() {
    const query = state.editor.getValue();
    localStorage.setItem(`linklab-answer-${state.exercise.id}`, query);
    showMessage("");
    $("run").disabled = true;
    try {
      const outcome = await api(`/api/exercises/${state.exercise.id}/run`, { query });
      if (!outcome.loaded) showMessage("Your scenario for this exercise is not in your database yet: use “Load my scenario” above.");
      else if (outcome.refused) { $("results").hidden = true; showMessage(outcome.refused); }
      else showResults(outcome);
    } catch (err) { $("results").hidden = true; showMessage(err.message); } finally { $("run").disabled = false; }
  }

  async function checkAnswer() {
    const query = state.editor.getValue();
    localStorage.setItem(`linklab-answer-${state.exercise.id}`, query);
    $("check").disabled = true;
    $("check").textContent = "Checking...";
    const box = $("verdict");
    try {
      box.hidden = true;
      const v = await api(`/api/exercises/${state.exercise.id}/check`, { query });
      box.hidden = false;
      const recorded = v.status === "recorded";  // an exam before release: no verdict, no feedback
      const graded = v.status !== "not_graded";  // the server's fault: nothing counts, the status stays
      box.className = `verdict ${recorded ? "recorded" : v.passed ? "passed" : graded ? "not-yet" : "not-graded"}`;
      box.replaceChildren(el("strong", {}, recorded ? "RECORDED" : v.passed ? "PASSED" : graded ? "NOT YET" : "NOT GRADED"), " ", v.feedback,
        el("ul", {}, ...v.checks.map((c) => el("li", { class: c.status }, `${c.scenario}: ${c.status.replace("_", " ")}`))));
      showProgress(v.progress);
      showExam(v.exam);
      if (recorded) setStatus("answered");
      else if (graded) setStatus(v.passed ? "passed" : "trying");
      await loadList();
    } catch (err) { box.hidden = true; showMessage(err.message); } finally {
      $("check").disabled = false;
      $("check").textContent = "Check my answer";
    }
  }

  async function takeHint() {
    const h = await api(`/api/exercises/${state.exercise.id}/hint`, {});
    await openExercise(state.exercise.id).catch((err) => showMessage(err.message));
    return h;
  }

  function route() {
    const match = location.hash.match(/^#\/exercise\/([\w-]+)$/);
    if (match) openExercise(match[1]).catch((err) => pageMessage(err.message));
  }

  async function signOut() {
    await api("/api/logout", {});
    location.href = "/join";
  }

  async function start() {
    const me = await api("/api/me");
    state.csrf = me.csrf;
    if (me.mode === "class") {  // a class server: the trainee signed in, and may sign out
      $("signout").hidden = false;
      $("signout").addEventListener("click", () => signOut().catch((err) => showMessage(err.message)));
      pollNotices();
    }
    state.editor = window.LinklabCypher.create($("editor"), { onRun: runQuery, placeholder: "MATCH (p:Person) RETURN p.name LIMIT 10" });
    $("run").addEventListener("click", runQuery);
    $("check").addEventListener("click", checkAnswer);
    $("hint").addEventListener("click", takeHint);
    for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => switchTab(b.dataset.tab));
    window.addEventListener("hashchange", route);
    await loadList();
    await loadSchema().catch((err) => pageMessage(err.message));
    route();
    document.body.dataset.ready = "1";
  }

  window.linklabLab = state;  // for the browser tests: the editor and the last run
  start().catch((err) => showMessage(err.message));
})();
