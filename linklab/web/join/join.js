// The join page: join with the course code and a name, sign in with a personal code, or as the instructor.
// Every call is JSON with the lab's own header (the server refuses changes without it).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-Linklab": "1" },
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  function show(text) {
    $("message").textContent = text;
    $("message").hidden = !text;
  }

  function submit(form, work) {
    $(form).addEventListener("submit", async (event) => {
      event.preventDefault();
      show("");
      try { await work(); } catch (err) { show(err.message); }
    });
  }

  submit("join-form", async () => {
    const data = await post("/api/join", { course_code: $("course-code").value, name: $("name").value });
    for (const id of ["new", "back", "instructor"]) $(id).hidden = true;
    $("welcome-name").textContent = data.name;
    $("welcome-code").textContent = data.personal_code;
    $("welcome").hidden = false;
  });
  submit("code-form", async () => { await post("/api/signin", { code: $("personal-code").value }); location.href = "/"; });
  submit("instructor-form", async () => { await post("/api/instructor", { password: $("password").value }); location.href = "/console"; });
  $("go").addEventListener("click", () => { location.href = "/"; });
  document.body.dataset.ready = "1";
})();
