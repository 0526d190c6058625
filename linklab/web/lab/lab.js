// The lab page: a briefing, the drawn schema, the exercise list, one exercise with its editor, Run (a table, a graph
// workbench, a timeline, a map or Neo4j's plan) and Check. Everything comes from the lab's JSON API
// (linklab/web/app.py); the editor and the graph view are the vendored bundles (window.LinklabCypher,
// window.LinklabGraph), the other drawings figures.js (window.LinklabFigures). All code sits in one function; the one
// global, window.linklabLab, lets the browser tests read the editor, the last run and the workbench.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const F = window.LinklabFigures;
  const state = { exercise: null, editor: null, graph: null, lastRun: null, schema: null, csrf: "", me: null,
    selected: [], runId: null, tab: "table", figures: {}, expanded: 0, path: null, pending: {} };

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

  const count = (n, one, many) => `${n.toLocaleString("en")} ${n === 1 ? one : many || `${one}s`}`;
  const STATUS_WORDS = { new: "new", started: "started", trying: "not yet", passed: "passed", answered: "answered" };

  function showProgress(p) {
    const name = (state.me && state.me.name) || p.trainee;
    $("who").textContent = `${name} · ${p.course}`;
    $("progress-bar").style.width = `${Math.round((100 * p.passed) / Math.max(p.total, 1))}%`;
    $("progress-text").textContent = `${p.passed} of ${p.total} exercises passed · ${p.points} of ${p.max_points} points · ${p.hints} hints` +
      (p.awaiting ? ` · ${p.awaiting} awaiting results` : "");
  }

  async function loadList() {
    const data = await api("/api/exercises");
    showProgress(data.progress);
    const nav = $("exercises");
    nav.replaceChildren();
    for (const [title, onCase] of [["Exercises", false], ["On a case network", true]]) {
      const shown = data.exercises.filter((e) => e.on_case === onCase);
      if (!shown.length) continue;
      nav.append(el("h3", {}, title));
      if (onCase) nav.append(el("p", { class: "case-choice" }, el("a", { href: "#/cases", id: "choose-case" }, "Choose a case network")));
      const list = el("ol", {});
      for (const ex of shown) {
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

  function showPage(name) {
    for (const page of ["briefing", "schema-page", "cases", "exercise"]) $(page).hidden = page !== name;
    for (const a of document.querySelectorAll("nav.top a[data-page]")) {
      a.classList.toggle("current", (a.dataset.page === "schema" ? "schema-page" : a.dataset.page) === name);
    }
    if (name !== "exercise") {
      state.exercise = null;
      for (const a of document.querySelectorAll("#exercises a.current")) a.classList.remove("current");
    }
  }

  // ------------------------------------------------------------------ the briefing

  async function openBriefing() {
    showPage("briefing");
    const local = state.me.mode === "local";
    const [facts, browser, shelf] = await Promise.all([api("/api/briefing"),
      local ? api("/api/neo4j-browser").catch(() => null) : Promise.resolve(null),
      local ? api("/api/cases").catch(() => null) : Promise.resolve(null)]);
    const name = state.me.name;
    $("greeting").textContent = name ? `Briefing for ${name}` : "Briefing";
    $("name-form").hidden = Boolean(name);
    const inCase = Boolean(shelf && shelf.current && shelf.current.loaded);
    const list = (xs) => xs.length > 1 ? `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}` : xs.join("");
    const story = [];
    story.push(facts.organisations.length
      ? `You are an analyst on the investigation of ${list(facts.organisations)}`
      : "You are an analyst on an investigation of a criminal network");
    if (facts.cities.length) story.push(` in ${list(facts.cities)}`);
    story.push(". Intelligence has put what is known into one database: people, the accounts and phones they use, who " +
      "they message and call, what they post and where, and what the police already know about the organisation. " +
      "Your job is to find, with Cypher, what the data shows and nobody wrote down: who leads, who links the crews, " +
      "who hides behind which account.");
    if (facts.markets.length) story.push(` Part of the trade runs on darknet markets (${list(facts.markets)}), paid in cryptocurrency.`);
    if (inCase) {  // what the holdings below count now
      story.push(` Your database holds the case network ${shelf.current.title} at the moment: \u201cLoad my scenario\u201d ` +
        "on an exercise brings your scenario back.");
    }
    $("story").textContent = story.join("");
    const s = state.schema;
    const n = (label) => (s.labels.find((l) => l.name === label) || { count: 0 }).count;
    const r = (type) => s.relationships.filter((x) => x.type === type).reduce((sum, x) => sum + x.count, 0);
    const items = inCase ? [[1, `${count(shelf.current.people, "person", "people")} and ${count(shelf.current.contacts, "link")} ` +
      `of type ${shelf.current.rel_type}: the case network, nothing else`]] : [
      [n("Person"), `${count(n("Person"), "person", "people")} (members, relatives, contacts, customers)`],
      [n("Account"), `${count(n("Account"), "account")}${facts.platforms.length ? ` on ${list(facts.platforms)}` : ""}, ${count(r("USES"), "attribution")} to people`],
      [r("MESSAGED"), `${count(r("MESSAGED"), "messaging link")} between accounts, ${count(r("FOLLOWS"), "follow")}`],
      [r("CALLED"), `call records: ${count(r("CALLED"), "link")} between ${count(n("Phone"), "phone")}`],
      [n("Post"), `${count(n("Post"), "post")}, some geotagged, and ${count(n("Location"), "place")} (addresses, venues, prisons)`],
      [r("MEMBER_OF"), `police intelligence: ${count(r("MEMBER_OF"), "known membership")} in ${count(n("Organization"), "organisation or crew", "organisations and crews")}`],
      [n("Market"), `${count(n("Market"), "darknet market")} with ${count(r("VENDOR_ON"), "vendor listing")}`],
      [n("Wallet"), `${count(n("Wallet"), "wallet")} and ${count(r("SENT"), "payment")} between them`],
      [n("Term"), `a glossary of ${count(n("Term"), "slang term")}`],
    ];
    $("holdings").replaceChildren(...items.filter(([k]) => k > 0).map(([, text]) => el("li", {}, text)));
    $("first-task").replaceChildren(`Exercise ${facts.first.number}, `,
      el("a", { href: `#/exercise/${facts.first.id}` }, facts.first.title),
      ": start there. The exercises go from orientation to centrality, aliases, places, money and disruption.");
    if (browser && browser.url) {
      $("browser-box").hidden = false;
      $("browser-open").href = browser.url;
      $("browser-user").textContent = browser.user;
      $("browser-password").textContent = browser.password;
    }
  }

  async function saveName(event) {
    event.preventDefault();
    try {
      const saved = await api("/api/me/name", { name: $("name-input").value });
      state.me.name = saved.name;
      showMessage("");
      await loadList();
      await openBriefing();
    } catch (err) { alert(err.message); }
  }

  // ------------------------------------------------------------------ the schema

  function schemaTables(schema) {
    const props = (list) => el("dl", {}, ...list.flatMap((p) => [el("dt", {}, p.name), el("dd", {}, p.meaning || "")]));
    const labels = schema.labels.map((l) => el("div", { class: "schema-item", id: `schema-${l.name}` },
      el("h4", {}, el("span", { class: "swatch", style: `background:${F.colour(l.name)}` }), `:${l.name}`,
        el("span", { class: "count" }, count(l.count, "node"))),
      el("p", { class: "meaning" }, l.meaning), props(l.properties)));
    const links = schema.relationships.map((r) => el("div", { class: "schema-item" },
      el("h4", {}, el("code", {}, `(:${r.start})-[:${r.type}]->(:${r.end})`), el("span", { class: "count" }, count(r.count, "relationship"))),
      el("p", { class: "meaning" }, r.meaning), r.properties.length ? props(r.properties) : el("p", { class: "meaning" }, "no properties")));
    return [el("h3", {}, "Labels and their properties"), el("div", { class: "schema-grid" }, ...labels),
      el("h3", {}, "Relationships: from start to end"), el("div", { class: "schema-grid" }, ...links)];
  }

  async function loadSchema() {
    state.schema = await api("/api/schema");
    $("schema-body").replaceChildren(...schemaTables(state.schema));
    if (state.editor) state.editor.setSchema(editorSchema());
  }

  function openSchema() {
    showPage("schema-page");
    F.drawSchema($("schema-drawing"), state.schema, (label) => {
      const target = $(`schema-${label}`) || document.querySelector(`#schema-tables [id="schema-${label}"]`);
      if (target) target.scrollIntoView({ behavior: "smooth", block: "center" });
    });
    $("schema-tables").replaceChildren(...schemaTables(state.schema));
  }

  function editorSchema() {
    const s = state.schema || { labels: [], relationshipTypes: [], propertyKeys: [] };
    return { labels: s.labels.map((l) => l.name), relationshipTypes: s.relationshipTypes, propertyKeys: s.propertyKeys };
  }

  // ------------------------------------------------------------------ case networks

  function caseMessage(text) {
    $("case-message").hidden = !text;
    $("case-message").textContent = text || "";
    if (text) $("case-message").scrollIntoView({ block: "nearest" });  // seen from the upload form too
  }

  async function openCases() {
    showPage("cases");
    const shelf = await api("/api/cases");
    const current = shelf.current;
    $("case-current").replaceChildren(current
      ? el("p", {}, "In use: ", el("strong", {}, current.title), ` — ${count(current.people, "person", "people")}, ` +
          `${count(current.contacts, "link")} of type `, el("code", {}, current.rel_type),
          current.weighted ? " (with weights)" : "", current.loaded ? ", loaded in your database." : ", not loaded in your database now.")
      : el("p", {}, "No case network is chosen yet."));
    $("case-shipped").replaceChildren(...shelf.shipped.map((c) => el("div", { class: "case-card", "data-case": c.name },
      el("h4", {}, c.title), el("p", {}, c.about), el("p", { class: "source" }, c.source),
      el("button", { type: "button", class: "use-case", onclick: () => useCase(c.name) },
        current && current.name === c.name ? "Use it again (reload)" : "Use this network"))));
    $("case-imported-box").hidden = !shelf.imported.length;
    $("case-imported").replaceChildren(...shelf.imported.map((name) => el("li", {}, el("code", {}, name), " ",
      el("button", { type: "button", class: "small", onclick: () => useCase(name) }, "Use"))));
  }

  async function caseChosen(choice) {
    caseMessage(`Now using ${choice.title}: ${count(choice.people, "person", "people")} and ${count(choice.contacts, "link")} ` +
      `(${choice.rel_type}), loaded in your database. Open a case exercise on the left.` +
      (choice.notes.length ? ` Notes on your file: ${choice.notes.join("; ")}.` : ""));
    await loadSchema();
    await loadList();
    await openCases();
    watchPreparation();  // the case's hidden variants are being prepared now: the bar at the foot says how far
  }

  async function useCase(name) {
    busyCases(true, "Loading the case network…");
    try { await caseChosen(await api("/api/cases/use", { name })); } catch (err) { caseMessage(err.message); } finally { busyCases(false); }
  }

  async function uploadCase(event) {
    event.preventDefault();
    const file = $("case-file").files[0];
    if (!file) { caseMessage("Choose a file first."); return; }
    busyCases(true, "Reading and loading your network…");
    try {
      await caseChosen(await api("/api/cases/upload", { name: $("case-name").value.trim(), file_name: file.name,
        data: await base64Of(file), layout: $("case-layout").value }));
    } catch (err) { caseMessage(err.message); } finally { busyCases(false); }
  }

  // A file's bytes as base64: the server reads them as the file is, so text that is not UTF-8 is refused with
  // its line instead of being read with replaced characters.
  async function base64Of(file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }

  function busyCases(on, text) {
    for (const b of document.querySelectorAll("#cases button")) b.disabled = on;
    if (on) caseMessage(text);
  }

  // ------------------------------------------------------------------ an exercise

  async function openExercise(id) {
    let ex;
    try {
      ex = await api(`/api/exercises/${encodeURIComponent(id)}`);
    } catch (err) {  // nothing of the exercise before stays on the page: only why this one cannot open
      showPage("exercise");
      state.exercise = null;
      $("title").textContent = id;
      for (const part of ["meta", "prompt", "scenario", "parameters", "hint-list"]) $(part).replaceChildren();
      $("verdict").hidden = true;
      clearResults();
      showMessage(err.message);
      for (const a of document.querySelectorAll("#exercises a")) a.classList.toggle("current", a.dataset.id === id);
      document.body.dataset.opened = id;
      return;
    }
    showPage("exercise");
    pageMessage("");
    state.exercise = ex;
    $("title").textContent = ex.on_case ? ex.title : `${ex.number}. ${ex.title}`;  // case exercises are not numbered
    setStatus(ex.status);
    $("meta").textContent = `Level ${ex.level} · ${ex.points} points · ${ex.skills.join(", ")}`;
    $("prompt").replaceChildren(...paragraphs(ex.prompt));
    showScenario(ex);
    const params = Object.entries(ex.parameters);
    $("parameters").replaceChildren(...(params.length ? [el("h4", {}, "Your parameters (already set for your queries)"),
      el("ul", {}, ...params.map(([k, v]) => el("li", {}, el("code", {}, `$${k}`), " = ", el("code", {}, JSON.stringify(v)))))] : []));
    showHints(ex);
    showExam(ex.exam);
    showResult(ex.result);
    $("verdict").hidden = true;
    if (state.pending[ex.id]) showVerdict(state.pending[ex.id].verdict);  // still being confirmed
    clearResults();
    showMessage("");
    const saved = localStorage.getItem(`linklab-answer-${ex.id}`) || "";
    state.editor.setValue(saved);
    state.editor.setSchema({ ...editorSchema(), parameters: Object.keys(ex.parameters) });
    await loadList();
    document.body.dataset.opened = id;
  }

  function showHints(ex) {
    $("hint-list").replaceChildren(...ex.hints.map((h) => el("li", {}, ...inline(h))));
    $("hint").disabled = ex.hints.length >= ex.hints_total;
    $("hint").textContent = ex.hints.length >= ex.hints_total ? "No more hints" : `Show a hint (${ex.hints.length} of ${ex.hints_total} shown)`;
  }

  function showScenario(ex) {
    const box = $("scenario");
    if (ex.needs_case) {
      box.replaceChildren("This exercise works on a case network, and none is chosen yet: ",
        el("a", { href: "#/cases", id: "needs-case" }, "choose one"), " (one that ships with linklab, or your own file).");
      return;
    }
    box.replaceChildren(ex.on_case ? `Your case network: ${ex.scenario.replace(/^case /, "")}` : `Your scenario: ${ex.scenario}`);
    if (!ex.loaded) {
      box.append(" (not loaded in your database) ",
        el("button", { type: "button", id: "load", onclick: loadScenario }, ex.on_case ? "Load this case" : "Load my scenario"));
    }
  }

  async function loadScenario() {
    $("load").disabled = true;
    $("load").textContent = "Loading...";
    busy("Loading your scenario…");
    try {
      await api(`/api/exercises/${state.exercise.id}/load`, {});
      state.exercise.loaded = true;
      showScenario(state.exercise);
      showMessage("");
      await loadSchema();
    } catch (err) { showMessage(err.message); } finally { idle(); }
  }

  function setStatus(status) {
    $("status").className = `badge ${status}`;
    $("status").textContent = STATUS_WORDS[status];
  }

  function busy(text, stoppable) {
    $("busy").hidden = false;
    $("busy-text").textContent = text;
    $("run").disabled = $("check").disabled = true;
    $("stop").hidden = !stoppable;
    $("stop").disabled = false;
  }

  function idle() {
    $("busy").hidden = true;
    $("run").disabled = $("check").disabled = false;
    $("stop").hidden = true;
  }

  function newRunId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  function answerOf() {
    const query = state.editor.getValue();
    localStorage.setItem(`linklab-answer-${state.exercise.id}`, query);
    return query;
  }

  async function runQuery() {
    if (!state.exercise || $("run").disabled) return;  // busy: Ctrl+Enter waits for the run in flight
    const query = answerOf();
    showMessage("");
    const exercise = state.exercise.id;
    state.runId = newRunId();
    $("results").classList.add("stale");  // the last result stays until this one comes, greyed out
    busy("Running…", true);
    try {
      const outcome = await api(`/api/exercises/${exercise}/run`, { query, run: state.runId });
      if (!state.exercise || state.exercise.id !== exercise) return;
      if (!outcome.loaded) { clearResults(); showMessage("Your scenario for this exercise is not in your database yet: use “Load my scenario” above."); }
      else if (outcome.refused) { clearResults(); showMessage(outcome.refused); }
      else showResults(outcome);
    } catch (err) { clearResults(); showMessage(err.message); } finally {
      state.runId = null;
      $("results").classList.remove("stale");
      idle();
    }
  }

  async function stopQuery() {
    if (!state.runId) return;
    $("stop").disabled = true;
    $("busy-text").textContent = "Stopping…";
    try { await api(`/api/exercises/${state.exercise.id}/stop`, { run: state.runId }); } catch (err) { showMessage(err.message); }
  }

  // The course's hidden scenarios, prepared in the background from the lab's start: said at the foot of the page until ready.
  async function watchPreparation() {
    let p;
    try { p = await api("/api/preparation"); } catch (err) { return; }
    const bar = $("preparing");
    bar.hidden = p.state !== "preparing" && p.state !== "failed";
    bar.classList.toggle("failed", p.state === "failed");
    document.body.classList.toggle("with-preparing", !bar.hidden);  // room below the page: the bar covers nothing
    $("preparing-text").textContent = p.message;
    $("preparing-bar").style.width = `${Math.round(100 * (p.fraction || 0))}%`;
    state.preparing = p.state === "preparing";
    if (p.state === "preparing") setTimeout(watchPreparation, 2000);
  }

  async function checkAnswer() {
    const query = answerOf();
    showMessage("");
    busy(state.preparing ? "Checking on your scenario first (the hidden ones are still being prepared: see the foot of the page)…"
      : "Checking on your scenario and the hidden ones…");
    $("verdict").hidden = true;
    const exercise = state.exercise.id;
    try {
      const v = await api(`/api/exercises/${exercise}/check`, { query });
      showVerdict(v);
      if (v.status === "pending") confirmLater(exercise, query, v);
      else delete state.pending[exercise];  // a later answer's verdict: an earlier pending one is not waited for
      await loadList();
    } catch (err) { showMessage(err.message); } finally { idle(); }
  }

  function showVerdict(v) {
    const box = $("verdict");
    box.hidden = false;
    const recorded = v.status === "recorded";  // an exam before release: no verdict, no feedback
    const pending = v.status === "pending";  // right on the trainee's scenario; the hidden ones are not ready yet
    const graded = v.status !== "not_graded" && !pending;  // the server's fault: nothing counts, the status stays
    const kind = recorded ? "recorded" : pending ? "pending" : v.passed ? "passed" : graded ? "not-yet" : "not-graded";
    const words = { recorded: "RECORDED", pending: "RIGHT SO FAR", passed: "PASSED", "not-yet": "NOT YET", "not-graded": "NOT GRADED" };
    box.className = `verdict ${kind}`;
    box.replaceChildren(el("strong", {}, words[kind]), " ", v.feedback,
      el("ul", {}, ...v.checks.map((c) => el("li", { class: c.status }, `${c.scenario}: ${c.status.replace("_", " ")}`))));
    if (v.progress) showProgress(v.progress);
    showExam(v.exam);
    if (recorded) setStatus("answered");
    else if (graded) setStatus(v.passed ? "passed" : "trying");
  }

  // A pending check (right on the trainee's scenario while the hidden ones are still being prepared) is checked
  // again, on all of them, as soon as that exercise's hidden scenarios are ready: then it counts.
  function confirmLater(exercise, query, v) {
    const mine = { query, verdict: { ...v, progress: null } };  // shown again on reopening, without stale progress
    state.pending[exercise] = mine;
    const settle = () => {  // this wait is over: whether its outcome is the one to show (no later check since)
      if (state.pending[exercise] !== mine) return false;
      delete state.pending[exercise];
      return Boolean(state.exercise && state.exercise.id === exercise);
    };
    const poll = async () => {
      if (state.pending[exercise] !== mine) return;  // checked again since: that check's own wait goes on, not this one
      let p;
      try { p = await api(`/api/preparation?exercise=${encodeURIComponent(exercise)}`); } catch (err) { p = null; }
      if (!p || (!p.exercise_ready && p.state === "preparing")) { setTimeout(poll, 3000); return; }
      try {
        const final = await api(`/api/exercises/${exercise}/check`, { query });
        if (final.status === "pending") { setTimeout(poll, 3000); return; }
        if (settle()) showVerdict(final);
        else if (final.progress) showProgress(final.progress);
      } catch (err) {
        if (settle()) showMessage(err.message);
      }
      await loadList();
    };
    setTimeout(poll, 3000);
  }

  async function takeHint() {
    const h = await api(`/api/exercises/${state.exercise.id}/hint`, {});
    state.exercise.hints = h.all.slice(0, h.number || state.exercise.hints.length);
    showHints(state.exercise);
    await loadList();
    return h;
  }

  // ------------------------------------------------------------------ results

  function cellText(value) {
    if (value === null || value === undefined) return "";
    if (Array.isArray(value)) return `[${value.map(cellText).join(", ")}]`;
    if (typeof value === "object") {
      if ("node" in value) return `${value.node} (${value.label})`;
      if ("relationship" in value) return `${value.from} -[:${value.relationship}]-> ${value.to}`;
      if ("path" in value) {
        return value.path.reduce((text, name, i) => i === 0 ? name
          : `${text} ${value.hops[i - 1].forward ? `-[:${value.hops[i - 1].type}]->` : `<-[:${value.hops[i - 1].type}]-`} ${name}`, "");
      }
      if ("latitude" in value && "longitude" in value) return `(${value.latitude}, ${value.longitude})`;
      return JSON.stringify(value);
    }
    return String(value);
  }

  function clearResults() {
    $("results").hidden = true;
    if (state.graph) { state.graph.destroy(); state.graph = null; }
    state.lastRun = null;
  }

  function available(outcome) {
    if (outcome.plan) return { plan: true };
    const events = F.timelineEvents(outcome), geo = F.mapPoints(outcome);
    state.figures = { events, geo };
    return { table: true, graph: outcome.graph.nodes.length > 0, timeline: events.length > 0, map: geo.points.length > 0 };
  }

  // The view that suits what the result holds: a plan, a graph of nodes, else the table (a number is a table cell).
  function defaultTab(outcome, tabs) {
    if (tabs.plan) return "plan";
    if (tabs.graph) return "graph";
    return "table";
  }

  function showResults(outcome) {
    state.lastRun = outcome;
    state.selected = [];
    state.path = null;
    $("results").hidden = false;
    const tabs = available(outcome);
    for (const b of document.querySelectorAll(".tabs button")) b.hidden = !tabs[b.dataset.tab];
    if (outcome.plan) {
      $("summary").textContent = "EXPLAIN: Neo4j's plan, nothing was run";
    } else {
      const head = el("tr", {}, ...outcome.columns.map((c) => el("th", {}, c)));
      const rows = outcome.rows.slice(0, 500).map((r) => el("tr", {}, ...r.map((v) => el("td", {}, cellText(v)))));
      const single = outcome.rows.length === 1 && outcome.columns.length === 1 && typeof outcome.rows[0][0] === "number";
      $("table").replaceChildren(el("table", { class: single ? "single" : "" }, el("thead", {}, head), el("tbody", {}, ...rows)));
      const more = outcome.rows.length > 500 ? " (the first 500 shown)" : "";
      const g = outcome.graph;
      $("summary").textContent = `${count(outcome.rows.length, "result")}${more} in ${(outcome.seconds * 1000).toFixed(0)} ms` +
        (g.nodes.length ? ` · ${count(g.nodes.length, "node")}, ${count(g.edges.length, "relationship")}` : "");
    }
    switchTab(defaultTab(outcome, tabs));
  }

  function switchTab(name) {
    state.tab = name;
    for (const b of document.querySelectorAll(".tabs button")) b.classList.toggle("on", b.dataset.tab === name);
    $("table").hidden = name !== "table";
    $("graph-tab").hidden = name !== "graph";
    $("timeline").hidden = name !== "timeline";
    $("map").hidden = name !== "map";
    $("plan").hidden = name !== "plan";
    const run = state.lastRun;
    if (!run) return;
    if (name === "graph") drawGraph();
    if (name === "timeline") state.figures.timeline = F.drawTimeline($("timeline"), state.figures.events, inspect);
    if (name === "map") state.figures.map = F.drawMap($("map"), state.figures.geo, inspect);
    if (name === "plan") F.drawPlan($("plan"), run.plan);
  }

  // ------------------------------------------------------------------ the graph workbench

  function graphNodes(nodes) {
    return nodes.map((n) => ({ id: n.id, label: n.label, group: n.group, color: F.colour(n.group), size: 7 }));
  }

  function drawGraph() {
    if (state.graph) { state.graph.destroy(); state.graph = null; }
    const g = state.lastRun.graph;
    state.graph = window.LinklabGraph.render($("graph"), { nodes: graphNodes(g.nodes), edges: g.edges }, {
      arrows: true, edgeLabels: g.edges.length <= 30,
      onClick: (id, event) => pick(id, event && event.shiftKey),
      onDoubleClick: (id) => expand(id),
      onStage: () => { state.selected = []; state.graph.select([]); showInspector(null); updateTools(); },
    });
    state.nodes = Object.fromEntries(g.nodes.map((n) => [n.id, n]));
    state.edges = Object.fromEntries(g.edges.map((e) => [e.id, e]));
    state.selected = [];
    fillSizeChoices();
    applySize();
    drawLegend();
    showInspector(null);
    updateTools();
  }

  function drawLegend() {
    const groups = {};
    state.graph.graph.forEachNode((n, a) => { groups[a.group] = (groups[a.group] || 0) + 1; });
    $("legend").replaceChildren(...Object.entries(groups).sort().map(([group, n]) =>
      el("span", { class: "legend-item", "data-group": group }, el("span", { class: "swatch", style: `background:${F.colour(group)}` }), `${group} ${n}`)));
  }

  function legendItems() {
    return [...$("legend").querySelectorAll(".legend-item")].map((item) => ({ label: item.textContent, color: F.colour(item.dataset.group) }));
  }

  // Size by: the same for all, the degree in this drawing, or a number column of the result that goes with a node.
  function measures() {
    const run = state.lastRun, found = {};
    run.columns.forEach((column, i) => {
      const values = {};
      for (const row of run.rows) {
        const node = row.find((v) => v && typeof v === "object" && "node" in v && v.id);
        if (node && typeof row[i] === "number") values[node.id] = Math.max(values[node.id] ?? -Infinity, row[i]);
      }
      if (Object.keys(values).length) found[column] = values;
    });
    return found;
  }

  function fillSizeChoices() {
    state.measures = measures();
    const options = [["same", "all the same"], ["degree", "links in this drawing"],
      ...Object.keys(state.measures).map((c) => [`column:${c}`, c])];
    $("size-by").replaceChildren(...options.map(([v, t]) => el("option", { value: v }, t)));
    $("size-by").value = Object.keys(state.measures).length ? `column:${Object.keys(state.measures)[0]}` : "degree";
  }

  function applySize() {
    const view = state.graph, choice = $("size-by").value, sizes = {};
    let values = {};
    if (choice === "degree") view.graph.forEachNode((n) => { values[n] = view.graph.degree(n); });
    else if (choice.startsWith("column:")) values = state.measures[choice.slice(7)] || {};
    const nums = Object.values(values), lo = Math.min(...nums), hi = Math.max(...nums);
    view.graph.forEachNode((n) => {
      sizes[n] = choice === "same" || !(n in values) ? 6 : 4 + (hi > lo ? (12 * (values[n] - lo)) / (hi - lo) : 4);
    });
    view.setSizes(sizes);
  }

  function pick(id, add) {
    if (add && state.selected.length && !state.selected.includes(id)) state.selected = [state.selected[state.selected.length - 1], id];
    else state.selected = [id];
    state.graph.select(state.selected);
    showInspector({ node: id });
    updateTools();
  }

  function updateTools() {
    $("shortest").disabled = state.selected.length !== 2;
  }

  function inspect(ref) {
    if (ref && ref.node && state.graph && state.tab === "graph") state.graph.select([ref.node]);
    showInspector(ref);
  }

  function showInspector(ref) {
    const box = $("inspector");
    const item = ref && (ref.node ? state.nodes && state.nodes[ref.node] : state.edges && state.edges[ref.edge]);
    if (!ref || !item) { box.hidden = true; box.replaceChildren(); $("inspector-empty").hidden = false; return; }
    const title = ref.node ? `${item.labels.map((l) => `:${l}`).join("")} ${item.label}` : `:${item.label}`;
    const props = Object.entries(item.properties).map(([k, v]) => [el("dt", {}, k), el("dd", {}, cellText(v))]).flat();
    const actions = ref.node ? [el("button", { type: "button", class: "small", onclick: () => expand(ref.node) }, "Expand neighbours")] : [];
    box.replaceChildren(el("button", { type: "button", class: "close", title: "Close", onclick: () => showInspector(null) }, "×"),
      el("h4", {}, title), el("dl", {}, ...props), ...actions);
    box.hidden = false;
    if (state.tab !== "graph") {  // the timeline and the map show it below themselves
      box.hidden = true;
      const host = $(state.tab);
      const old = host.querySelector(".picked");
      if (old) old.remove();
      host.append(el("div", { class: "picked" }, el("h4", {}, title), el("dl", {}, ...props.map((n) => n.cloneNode(true)))));
    }
    $("inspector-empty").hidden = !box.hidden;
  }

  async function expand(id) {
    $("graph-note").textContent = "Expanding…";
    try {
      const outcome = await api(`/api/exercises/${state.exercise.id}/around`, { node: id });
      if (outcome.refused || !outcome.loaded) { showMessage(outcome.refused || "Your scenario is not loaded: run the query again."); return; }
      merge(outcome.graph);
      const added = state.graph.add({ nodes: graphNodes(outcome.graph.nodes), edges: outcome.graph.edges }, id);
      state.expanded += 1;
      applySize();
      drawLegend();
      $("graph-note").textContent = added.nodes ? `${count(added.nodes, "neighbour")} added (the best connected first, at most 40)`
        : "No other neighbours: every one of them is drawn already";
    } catch (err) { showMessage(err.message); }
  }

  function merge(graph) {
    for (const n of graph.nodes) state.nodes[n.id] = state.nodes[n.id] || n;
    for (const e of graph.edges) state.edges[e.id] = state.edges[e.id] || e;
    state.lastRun.graph.nodes = Object.values(state.nodes);
    state.lastRun.graph.edges = Object.values(state.edges);
  }

  async function shortestPath() {
    const [a, b] = state.selected;
    $("graph-note").textContent = "Looking for a shortest path…";
    try {
      const outcome = await api(`/api/exercises/${state.exercise.id}/around`, { node: a, other: b });
      if (outcome.refused || !outcome.loaded) { showMessage(outcome.refused || "Your scenario is not loaded."); return; }
      if (!outcome.rows.length) { $("graph-note").textContent = "No path of up to 10 links between these two."; state.graph.path(null); return; }
      merge(outcome.graph);
      state.graph.add({ nodes: graphNodes(outcome.graph.nodes), edges: outcome.graph.edges }, a);
      const path = outcome.rows[0][0];
      state.path = path;
      state.graph.path(path.ids);
      drawLegend();
      $("graph-note").textContent = `Shortest path, ${count(path.hops.length, "link")}: ${cellText(path)}`;
    } catch (err) { showMessage(err.message); }
  }

  function savePicture() {
    const link = el("a", { href: state.graph.toPNG(legendItems()), download: `linklab-${state.exercise.id}.png` });
    document.body.append(link);
    link.click();
    link.remove();
  }

  // ------------------------------------------------------------------ start

  function route() {
    const match = location.hash.match(/^#\/exercise\/([\w-]+)$/);
    const done = (p) => p.catch((err) => showMessage(err.message));
    if (match) return done(openExercise(match[1]));
    if (location.hash === "#/schema") return done(Promise.resolve(openSchema()));
    if (location.hash === "#/cases" && state.me.mode === "local") return done(openCases());
    return done(openBriefing());
  }

  async function signOut() {
    await api("/api/logout", {});
    location.href = "/join";
  }

  async function start() {
    state.me = await api("/api/me");
    state.csrf = state.me.csrf;
    if (state.me.mode === "class") {  // a class server: the trainee signed in, and may sign out
      $("signout").hidden = false;
      $("signout").addEventListener("click", () => signOut().catch((err) => showMessage(err.message)));
      pollNotices();
    }
    state.editor = window.LinklabCypher.create($("editor"), { onRun: runQuery,
      placeholder: "Write your Cypher query here. Ctrl+Enter runs it." });
    $("run").addEventListener("click", runQuery);
    $("stop").addEventListener("click", stopQuery);
    $("check").addEventListener("click", checkAnswer);
    $("hint").addEventListener("click", () => takeHint().catch((err) => showMessage(err.message)));
    $("name-form").addEventListener("submit", saveName);
    $("case-upload").addEventListener("submit", uploadCase);
    $("cases-link").hidden = state.me.mode !== "local";  // a class's cases are the instructor's
    $("size-by").addEventListener("change", applySize);
    $("shortest").addEventListener("click", shortestPath);
    $("save-png").addEventListener("click", savePicture);
    $("copy-password").addEventListener("click", () => navigator.clipboard.writeText($("browser-password").textContent).catch(() => {}));
    for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => switchTab(b.dataset.tab));
    window.addEventListener("hashchange", route);
    if (state.me.mode === "local") {
      api("/api/neo4j-browser").then((b) => { if (b.url) { $("browser-link").href = b.url; $("browser-link").hidden = false; } }).catch(() => {});
    }
    if (state.me.mode === "local") watchPreparation();
    await loadSchema();
    await loadList();
    await route();
    document.body.dataset.ready = "1";
  }

  window.linklabLab = state;  // for the browser tests: the editor, the last run, the workbench
  start().catch((err) => showMessage(err.message));
})();
