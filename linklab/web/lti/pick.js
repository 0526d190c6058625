// Deep Linking: the instructor picks exercises (or the whole catalogue); the server signs the answer, and this
// page posts it back to the LMS in a form (the LMS expects a browser POST with a JWT field).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const ticket = new URLSearchParams(location.search).get("ticket") || "";
  let csrf = "";

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  }

  function show(text) { $("message").textContent = text; $("message").hidden = !text; }

  async function start() {
    const response = await fetch("/api/lti/pick");
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
    csrf = data.csrf;
    $("course").textContent = data.course;
    $("list").replaceChildren(...data.exercises.map((e) => el("label", {},
      el("input", { type: "checkbox", value: e.id, "data-id": e.id }), ` ${e.number}. ${e.title} (${e.points} points)`)));
    $("whole").addEventListener("change", () => {
      for (const box of $("list").querySelectorAll("input")) box.disabled = $("whole").checked;
    });
    $("send").addEventListener("click", () => send().catch((err) => show(err.message)));
    document.body.dataset.ready = "1";
  }

  async function send() {
    const exercises = [...$("list").querySelectorAll("input:checked")].map((b) => b.value);
    const response = await fetch("/api/lti/pick", {
      method: "POST", body: JSON.stringify({ ticket, whole: $("whole").checked, exercises }),
      headers: { "Content-Type": "application/json", "X-Linklab": "1", "X-CSRF-Token": csrf },
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
    const form = el("form", { method: "POST", action: data.return_url }, el("input", { type: "hidden", name: "JWT", value: data.jwt }));
    document.body.append(form);
    form.submit();
  }

  start().catch((err) => show(err.message));
})();
