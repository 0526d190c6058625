// The instructor's console: the live grid (polled every few seconds), a trainee's answers, the common
// mistakes, preparing and resetting the course, the roster, exports and answer keys. Data from /api/console/*.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const state = { csrf: "", grid: null, drill: null, polls: 0, people: null, editing: null };
  window.linklabConsole = state;  // for the browser tests

  async function api(path, body) {
    const options = body === undefined ? {} : {
      method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-Linklab": "1", "X-CSRF-Token": state.csrf },
    };
    const response = await fetch(path, options);
    if (response.status === 401) { location.href = "/join#instructor"; throw new Error("signed out"); }
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

  const pct = (n, of) => (of ? `${Math.round((100 * n) / of)} %` : "–");

  const titleOf = (id) => {
    const e = state.grid && state.grid.exercises.find((x) => x.id === id);
    return e ? `${e.number}. ${e.title}` : id;
  };

  function cellView(cell, trainee) {
    const text = cell.status === "passed" ? "✓" : cell.status === "trying" ? String(cell.attempts)
      : cell.status === "started" ? "●" : "";
    const tip = `${trainee}, ${titleOf(cell.exercise)}: ${cell.status}; ${cell.attempts} checks, ${cell.hints} hints` +
      (cell.minutes != null ? `, ${cell.minutes} min` : "");
    return el("td", { class: `cell ${cell.status}`, title: tip, "data-trainee": trainee, "data-exercise": cell.exercise,
      onclick: () => drill(trainee, cell.exercise) }, text);
  }

  function drawGrid(data) {
    state.grid = data;
    const head = el("tr", {}, el("th", { class: "name" }, "trainee"),
      ...data.exercises.map((e) => el("th", { title: `${e.number}. ${e.title}: ${e.passed} of ${e.trainees} passed, ${e.tried} tried`, "data-exercise": e.id },
        String(e.number), el("small", {}, `${e.passed}/${e.trainees}`))),
      el("th", {}, "passed"), el("th", {}, "hints"));
    const rows = data.rows.map((r) => el("tr", { "data-trainee": r.trainee }, el("td", { class: "name", title: r.trainee }, r.trainee),
      ...r.cells.map((c) => cellView(c, r.trainee)),
      el("td", {}, `${r.passed} of ${data.exercises.length}`), el("td", {}, String(r.hints))));
    $("grid").replaceChildren(data.rows.length ? el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows))
      : el("p", { class: "muted" }, "Nobody has joined yet: give the trainees the lab's address and the course code."));
    const passed = data.rows.reduce((n, r) => n + r.passed, 0), cells = data.rows.length * data.exercises.length;
    $("summary").textContent = `${data.trainees} trainee${data.trainees === 1 ? "" : "s"} · ${passed} of ${cells} exercise passes (${pct(passed, cells)})`;
    $("updated").textContent = `updated ${new Date(data.at * 1000).toLocaleTimeString()}`;
  }

  async function drill(trainee, exercise) {
    const data = await api(`/api/console/answers?trainee=${encodeURIComponent(trainee)}&exercise=${encodeURIComponent(exercise)}`);
    state.drill = data;
    $("drill-title").textContent = `${trainee}: ${data.title}`;
    const items = data.checks.map((c) => el("div", { class: "answer" },
      el("div", {}, el("span", { class: c.passed ? "ok" : "bad" }, c.passed ? "passed" : c.status === "not_graded" ? "not graded" : "not yet"), "  ",
        new Date(c.at * 1000).toLocaleTimeString(), c.regraded ? "  · re-graded" : "", c.mistake ? `  · diagnosed: ${c.mistake}` : ""),
      el("pre", {}, c.answer || "(answer not recorded)"), el("div", { class: "muted" }, c.feedback)));
    $("drill-body").replaceChildren(el("p", { class: "muted" }, `${data.checks.length} checks, ${data.hints} hints`),
      ...(items.length ? items : [el("p", {}, "No checks yet.")]));
    $("drill").hidden = false;
    $("drill").scrollIntoView({ block: "nearest" });
  }

  // ---------------------------------------------------------------- trainees: rename, sign out, new code, remove

  function notice(text, isError) {
    $("people-message").replaceChildren(...(Array.isArray(text) ? text : [text]));
    $("people-message").className = isError ? "notice error" : "notice";
    $("people-message").hidden = false;
  }

  async function change(action, name, extra) {
    try {
      const data = await api(`/api/console/trainees/${action}`, { name, ...(extra || {}) });
      state.editing = null;
      if (action === "rename") notice(`${name} is now ${data.name}; they sign in again with their personal code.`);
      if (action === "remove") notice(`${name} was removed, with ${data.records} record${data.records === 1 ? "" : "s"}.`);
      if (action === "sign-out") notice(`${name} was signed out (${data.sessions} session${data.sessions === 1 ? "" : "s"} ended).`);
      if (action === "new-code") notice([`New personal code for ${data.name}: `, el("code", { class: "new-code" }, data.code),
        " (the old code and their sessions no longer work)."]);
      await refreshPeople();
      drawGrid(await api("/api/console/grid"));
    } catch (err) { notice(err.message, true); }
  }

  function personRow(p) {
    const tr = el("tr", { "data-trainee": p.name });
    const joined = new Date(p.joined * 1000).toLocaleTimeString();
    if (state.editing && state.editing.name === p.name && state.editing.mode === "rename") {
      const input = el("input", { class: "new-name", value: p.name, maxlength: "40", "aria-label": `new name for ${p.name}` });
      const save = () => change("rename", p.name, { new_name: input.value });
      input.addEventListener("keydown", (e) => { if (e.key === "Enter") save(); if (e.key === "Escape") { state.editing = null; drawPeople(); } });
      tr.append(el("td", {}, input), el("td", {}, joined), el("td", {}, String(p.sessions)), el("td", {}, String(p.records)),
        el("td", { class: "acts" }, el("button", { class: "save", onclick: save }, "Save"),
          el("button", { class: "cancel", onclick: () => { state.editing = null; drawPeople(); } }, "Cancel")));
      setTimeout(() => input.focus(), 0);
      return tr;
    }
    const edit = (mode) => () => { state.editing = { name: p.name, mode }; drawPeople(); };
    const acts = state.editing && state.editing.name === p.name && state.editing.mode === "remove"
      ? [el("span", {}, `Remove ${p.name} and ${p.records} record${p.records === 1 ? "" : "s"}?`),
        el("button", { class: "danger confirm-remove", onclick: () => change("remove", p.name) }, "Yes, remove"),
        el("button", { class: "cancel", onclick: () => { state.editing = null; drawPeople(); } }, "Cancel")]
      : [el("button", { class: "rename", onclick: edit("rename") }, "Rename"),
        el("button", { class: "sign-out", onclick: () => change("sign-out", p.name) }, "Sign out"),
        el("button", { class: "new-code", onclick: () => change("new-code", p.name) }, "New code"),
        el("button", { class: "danger remove", onclick: edit("remove") }, "Remove")];
    tr.append(el("td", { class: "name" }, p.name), el("td", {}, joined), el("td", {}, p.sessions ? `yes (${p.sessions})` : "no"),
      el("td", {}, String(p.records)), el("td", { class: "acts" }, ...acts));
    return tr;
  }

  async function refreshPeople() {
    state.people = await api("/api/console/trainees");
    drawPeople();
  }

  function drawPeople() {
    const data = state.people;
    $("places-summary").textContent = data.places == null ? `${data.joined} joined`
      : `${data.joined} of ${data.places} places taken`;
    if (document.activeElement !== $("places")) $("places").value = data.places == null ? "" : String(data.places);
    $("trainees").querySelector("tbody").replaceChildren(...(data.trainees.length ? data.trainees.map(personRow)
      : [el("tr", {}, el("td", { colspan: "5", class: "muted" }, "Nobody has joined yet."))]));
  }

  async function drawMistakes() {
    const data = await api("/api/console/mistakes");
    $("mistakes").replaceChildren(...(data.exercises.length ? data.exercises.map((e) => el("div", {},
      el("strong", {}, `${e.number}. ${e.title}`),
      el("ul", { class: "mistake-list" }, ...e.mistakes.map((m) => el("li", {}, `${m.diagnosis} (${m.trainees} trainee${m.trainees === 1 ? "" : "s"})`)))))
      : [el("p", { class: "muted" }, "No failed checks yet.")]));
  }

  function drawJob(job) {
    const lines = job.messages.map((m) => el("li", {}, m));
    if (job.error) lines.push(el("li", { class: "error" }, job.error));
    if (job.result && !job.running) lines.push(el("li", {}, summarise(job)));
    $("job").replaceChildren(...lines);
    $("prepare").disabled = $("reset").disabled = $("regrade").disabled = job.running;
  }

  function summarise(job) {
    if (job.name === "prepare") {
      const gaps = job.result.not_separated;
      const named = gaps.map((g) => `${titleOf(g.exercise)}: ${g.diagnosis}`).join("; ");
      return `Prepared in ${Math.round(job.result.seconds)} s. ` + (gaps.length ? `${gaps.length} registered mistakes cannot be told from the right answer on this course's scenarios (${named}).` : "Every registered mistake fails on the course's scenarios.");
    }
    if (job.name === "regrade") {
      const r = job.result;
      return `Re-graded ${r.answers} answers (${r.checks} recorded checks) in ${r.seconds} s: ${r.changed} changed verdict` +
        (r.skipped ? `; ${r.skipped} left as they were (answer not recorded, or not an exercise of this class)` : "") +
        ". The earlier verdicts are kept in the records.";
    }
    return `The ${job.result.profile} scenario was loaded again in ${job.result.seconds} s.`;
  }

  const when = (t) => new Date(t * 1000).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });

  function drawPrepared(data) {
    const task = data.tasks.prepare;
    let text;
    if (data.prepared) text = "Prepared: the hidden scenarios are chosen" + (task && task.finished && !task.error ? ` (${when(task.finished)})` : "") + "; trainees can check.";
    else if (task && !task.finished && !data.job.running) text = `Not prepared: the preparation started ${when(task.started)} was cut short (the lab stopped). Prepare the course again.`;
    else text = "Not prepared yet: trainees can run queries; checks wait until you prepare the course.";
    $("prepared").textContent = text;
    $("prepared").className = `prepared ${data.prepared ? "ok" : "todo"}`;
    $("prepare").textContent = data.prepared ? "Prepare again" : "Prepare the course";
  }

  function drawNotices(messages) {
    $("notices").replaceChildren(...messages.map((m) => el("p", {}, m)));
    $("notices").hidden = !messages.length;
  }

  async function drawCourse() {
    const data = await api("/api/console/course");
    $("course").textContent = data.course;
    $("join-code").textContent = data.join_code;
    $("address").textContent = data.address.replace(/\/$/, "");
    $("address").href = data.address;
    if ($("qr").getAttribute("src") !== data.qr) $("qr").src = data.qr;
    $("address-note").hidden = data.room_can_reach;
    $("address-note").textContent = data.room_can_reach ? "" : "only this machine can open it: start the class with --host 0.0.0.0 for the room";
    drawPrepared(data);
    drawNotices(data.notices);
    if (!data.job.name) {  // after a restart: the last tasks as the store kept them
      const last = Object.entries(data.tasks).filter(([, t]) => t.finished).sort((a, b) => b[1].finished - a[1].finished)[0];
      if (last) data.job = { name: last[0], running: false, messages: last[1].messages, result: last[1].result, error: last[1].error };
    }
    $("servers").textContent = `${data.servers.length} local Neo4j servers (${data.profiles.join(", ")} and ${data.grading_servers} for grading), about ${data.memory_gb} GiB. ` + data.notes.join(" ");
    if (!$("reset-profile").options.length) $("reset-profile").replaceChildren(...data.profiles.map((p) => el("option", { value: p }, p)));
    drawJob(data.job);
    return data.job;
  }

  // ---------------------------------------------------------------- practice and exam

  function rulesText(r) {
    if (r.mode !== "exam") return "practice";
    const parts = ["exam"];
    if (r.attempts) parts.push(`${r.attempts} checks`);
    if (r.cooldown_s) parts.push(`one check every ${Math.round(r.cooldown_s / 60)} min`);
    if (r.due_at) parts.push(`due ${when(r.due_at)}`);
    return parts.join(", ");
  }

  const ago = (t) => { const s = Math.max(0, Math.round(Date.now() / 1000 - t)); return s < 60 ? `${s} s ago` : `${Math.round(s / 60)} min ago`; };

  async function drawExam() {
    const data = await api("/api/console/exam");
    state.exam = data;
    const own = Object.entries(data.exercises);
    $("exam-rules").replaceChildren(el("li", {}, `Whole course: ${rulesText(data.course)}`),
      ...own.map(([id, r]) => el("li", { "data-exercise": id }, `${titleOf(id)}: ${rulesText(r)}`)));
    const anyExam = data.course.mode === "exam" || own.some(([, r]) => r.mode === "exam");
    $("exam-release").textContent = data.released_at ? "Withhold results again" : "Release results";
    $("exam-summary").textContent = anyExam ? (data.released_at ? `results released ${when(data.released_at)}` : "results withheld until you release them") : "";
    const w = data.working;
    $("working").replaceChildren(el("p", { class: "muted" }, `${w.working} of ${w.people.length} trainees still working (their page active in the last 5 minutes).`),
      el("ul", { class: "working-list" }, ...w.people.map((p) => el("li", { class: p.state.replace(" ", "-"), "data-trainee": p.trainee },
        el("strong", {}, p.trainee), ` ${p.state}` + (p.last_seen ? `, seen ${ago(p.last_seen)}` : "") + `, ${p.checks} check${p.checks === 1 ? "" : "s"}`))));
  }

  function fillExamForm() {
    const id = $("exam-target").value;
    const r = id ? (state.exam.exercises[id] || null) : state.exam.course;
    $("exam-mode").options[2].disabled = !id;
    $("exam-mode").value = r ? r.mode : "inherit";
    $("exam-attempts").value = r && r.attempts ? r.attempts : "";
    $("exam-cooldown").value = r && r.cooldown_s ? Math.round(r.cooldown_s / 60) : "";
    if (r && r.due_at) {
      const d = new Date(r.due_at * 1000);
      $("exam-due").value = new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    } else $("exam-due").value = "";
  }

  async function saveExam() {
    const due = $("exam-due").value ? new Date($("exam-due").value).getTime() / 1000 : null;
    await api("/api/console/exam", { exercise: $("exam-target").value, mode: $("exam-mode").value,
      attempts: $("exam-attempts").value ? Number($("exam-attempts").value) : null,
      cooldown_min: $("exam-cooldown").value ? Number($("exam-cooldown").value) : null, due_at: due });
    await drawExam();
    fillExamForm();
  }

  // ---------------------------------------------------------------- the LMS

  async function drawLms() {
    const data = await api("/api/console/lti");
    const tool = [["Tool URL / redirection URI", data.tool.tool_url], ["Initiate login URL", data.tool.login_url],
      ["Public keyset URL", data.tool.jwks_url], ["Deep linking URL", data.tool.deep_link_url]];
    $("lms-tool").replaceChildren(...tool.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, el("code", {}, v))]));
    for (const box of document.querySelectorAll('input[name="lms-grades"]')) box.checked = box.value === data.grades;
    $("lms-platforms").replaceChildren(...(data.platforms.length ? data.platforms.map((p) => el("li", {},
      el("strong", {}, p.name || p.issuer), ` ${p.issuer}, client ${p.client_id}, deployments ${p.deployments.join(", ")}`))
      : [el("li", { class: "muted" }, "None yet: register your LMS here or with `linklab lti register`.")]));
    const o = data.outbox;
    const courses = data.contexts.map((c) => c.title).join(", ");
    $("lms-summary").textContent = data.contexts.length ? `launched from ${courses}` : "no launch yet";
    $("lms-outbox").replaceChildren(el("p", {}, `Scores sent: ${o.sent}; waiting: ${o.waiting}; failing: ${o.failing}.`),
      ...(o.unsent.length ? [el("ul", { class: "unsent" }, ...o.unsent.map((u) => el("li", { class: u.tries ? "failing" : "" },
        `${u.trainee}: ${u.label} ${u.score}/${u.score_max}` + (u.tries ? ` — tried ${u.tries}×, next ${new Date(u.next_at * 1000).toLocaleTimeString()}: ${u.error}` : " — waiting"))))] : []));
  }

  function lmsNotice(text, isError) {
    $("lms-message").textContent = text;
    $("lms-message").className = isError ? "notice error" : "notice";
    $("lms-message").hidden = false;
  }

  async function poll() {
    try {
      drawGrid(await api("/api/console/grid"));
      if (!state.editing) await refreshPeople();  // never redrawn under the instructor's typing
      await drawMistakes();
      await drawExam().catch(() => null);  // a section that fails to refresh never stops the others
      await drawLms().catch(() => null);
      const job = await drawCourse();
      state.polls += 1;
      setTimeout(poll, job.running ? 1000 : 3000);
    } catch (err) {
      setTimeout(poll, 5000);
    }
  }

  async function showKey() {
    const id = $("key-exercise").value;
    if (!id) return;
    const k = await api(`/api/console/keys/${id}`);
    $("key").replaceChildren(el("p", { class: "muted" }, `${k.scenario}; parameters ${JSON.stringify(k.parameters)}`),
      el("pre", {}, k.solution),
      el("p", {}, `${k.total_rows} expected rows` + (k.total_rows > k.rows.length ? ` (first ${k.rows.length})` : "") + ":"),
      el("pre", {}, k.rows.map((r) => r.join(" | ")).join("\n")));
  }

  async function start() {
    state.csrf = (await api("/api/console/course")).csrf;
    $("prepare").addEventListener("click", () => api("/api/console/prepare", {}).then(drawCourse).catch((e) => alert(e.message)));
    $("reset").addEventListener("click", () => api("/api/console/reset", { profile: $("reset-profile").value }).then(drawCourse).catch((e) => alert(e.message)));
    $("regrade").addEventListener("click", () => api("/api/console/regrade", {}).then(drawCourse).catch((e) => alert(e.message)));
    $("roster").addEventListener("click", async () => {
      const names = $("roster-names").value.split("\n").map((n) => n.trim()).filter(Boolean);
      const data = await api("/api/console/roster", { names });
      $("roster-table").querySelector("tbody").replaceChildren(...data.trainees.map((t) => el("tr", {}, el("td", {}, t.name), el("td", {}, t.code))));
      $("roster-table").hidden = false;
      await refreshPeople();
    });
    $("places-save").addEventListener("click", async () => {
      try {
        const data = await api("/api/console/places", { places: Number($("places").value) });
        notice(`The course admits ${data.places} trainees.`);
        await refreshPeople();
      } catch (err) { notice(err.message, true); }
    });
    $("drill-close").addEventListener("click", () => { $("drill").hidden = true; });
    $("signout").addEventListener("click", async () => { await api("/api/logout", {}).catch(() => null); location.href = "/join"; });
    drawGrid(await api("/api/console/grid"));
    $("key-exercise").replaceChildren(el("option", { value: "" }, "choose an exercise"),
      ...state.grid.exercises.map((e) => el("option", { value: e.id }, `${e.number}. ${e.title}`)));
    $("key-exercise").addEventListener("change", () => showKey().catch((e) => alert(e.message)));
    $("exam-target").append(...state.grid.exercises.map((e) => el("option", { value: e.id }, `${e.number}. ${e.title}`)));
    await drawExam();
    fillExamForm();
    $("exam-target").addEventListener("change", fillExamForm);
    $("exam-save").addEventListener("click", () => saveExam().catch((e) => alert(e.message)));
    $("exam-release").addEventListener("click", () => api("/api/console/exam/release", { released: !state.exam.released_at })
      .then(drawExam).catch((e) => alert(e.message)));
    for (const box of document.querySelectorAll('input[name="lms-grades"]')) {
      box.addEventListener("change", () => api("/api/console/lti/grades", { mode: box.value })
        .then((d) => lmsNotice(`Grades go to the LMS ${d.grades === "course" ? "in one column for the course" : "in a column per exercise"}.`)).catch((e) => lmsNotice(e.message, true)));
    }
    $("lms-retry").addEventListener("click", () => api("/api/console/lti/retry", {})
      .then((d) => { lmsNotice(`${d.sent} sent, ${d.failed} failed.`, d.failed > 0); return drawLms(); }).catch((e) => lmsNotice(e.message, true)));
    $("lms-roster").addEventListener("click", () => api("/api/console/lti/roster", {})
      .then((d) => { lmsNotice(`From the LMS: ${d.added.length} added (${d.added.join(", ") || "nobody new"}), ${d.known} there already.` + (d.problems.length ? ` Problems: ${d.problems.join("; ")}` : ""), d.problems.length > 0); return refreshPeople(); })
      .catch((e) => lmsNotice(e.message, true)));
    $("reg-save").addEventListener("click", () => api("/api/console/lti/register", { name: $("reg-name").value, issuer: $("reg-issuer").value,
      client_id: $("reg-client").value, deployments: $("reg-deployments").value, auth_url: $("reg-auth").value, token_url: $("reg-token").value,
      jwks_url: $("reg-jwks").value }).then((p) => { lmsNotice(`Registered ${p.name || p.issuer}.`); return drawLms(); }).catch((e) => lmsNotice(e.message, true)));
    await drawLms();
    await poll();
    document.body.dataset.ready = "1";
  }

  start().catch((err) => { document.body.prepend(el("div", { class: "message" }, err.message)); });
})();
