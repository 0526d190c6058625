// The lab's drawings in plain SVG, no library and nothing fetched: the schema (labels as boxes, relationships as
// arrows from start to end), a timeline of what a result carries with times (posts, calls, messages, payments),
// a map of what it carries with coordinates (on a plain projected canvas with a scale bar, no tiles), and
// Neo4j's plan as a tree. window.LinklabFigures: drawSchema, timelineEvents, drawTimeline, mapPoints, drawMap,
// drawPlan, COLOURS.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const COLOURS = { Person: "#e4572e", Account: "#2e86ab", Phone: "#8e6c8a", Email: "#7a7f87", Location: "#4c956c",
    Post: "#d99a0b", Organization: "#29335c", Market: "#7d5ba6", Wallet: "#b0625a", Term: "#8c8c8c" };
  const colour = (group) => COLOURS[group] || "#5b8def";

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  function arrowMarker(id, fill) {
    return svg("marker", { id, viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "8", markerHeight: "8",
      orient: "auto-start-reverse" }, svg("path", { d: "M0,0 L10,5 L0,10 z", fill }));
  }

  // ------------------------------------------------------------------ the schema

  // Where each label of linklab's schema sits (x, y of the box centre) and where its self-links loop (degrees).
  const PLACES = {
    Organization: [120, 110, [-90]], Person: [340, 300, [180]], Phone: [600, 100, [-90]], Email: [600, 470, []],
    Account: [860, 300, [-90, -35]], Market: [1060, 300, []], Wallet: [1060, 500, [0]], Post: [860, 540, []],
    Location: [340, 540, []], Term: [120, 540, []],
  };
  const BOX = { w: 136, h: 46 };

  function boxEdge(from, to) {  // where the line from the centre `from` towards `to` leaves the box
    const dx = to[0] - from[0], dy = to[1] - from[1];
    const t = Math.min(Math.abs(BOX.w / 2 / (dx || 1e-9)), Math.abs(BOX.h / 2 / (dy || 1e-9)));
    return [from[0] + dx * t, from[1] + dy * t];
  }

  function drawSchema(container, schema, onPick) {
    const labels = schema.labels.map((l) => l.name);
    const spare = labels.filter((l) => !PLACES[l]);
    const place = {};
    labels.forEach((l) => { if (PLACES[l]) place[l] = PLACES[l]; });
    spare.forEach((l, i) => {  // a case's labels, or labels added since: a circle
      const a = (2 * Math.PI * i) / Math.max(spare.length, 1);
      place[l] = [560 + 300 * Math.cos(a), 310 + 200 * Math.sin(a), [-90, 0, 180]];
    });
    const root = svg("svg", { viewBox: "0 0 1180 610", class: "schema-svg", role: "img",
      "aria-label": "The schema: labels and the relationships between them" });
    root.append(svg("defs", {}, arrowMarker("schema-arrow", "#5c667a")));
    const edges = svg("g", { class: "links" }), boxes = svg("g", { class: "labels" });
    root.append(edges, boxes);
    const pairs = {};
    for (const r of schema.relationships) {
      if (r.start === r.end) continue;
      const key = [r.start, r.end].sort().join("|");
      (pairs[key] = pairs[key] || []).push(r);
    }
    const loops = {};
    for (const r of schema.relationships) {
      if (!place[r.start] || !place[r.end]) continue;
      let d, mid;
      if (r.start === r.end) {
        const [x, y, angles] = place[r.start];
        const n = (loops[r.start] = (loops[r.start] || 0) + 1) - 1;
        const deg = angles[n % Math.max(angles.length, 1)] ?? -90 + 40 * n;
        const a = (deg * Math.PI) / 180, spread = 0.45;
        const out = [x + Math.cos(a - spread) * 40, y + Math.sin(a - spread) * 26];
        const back = [x + Math.cos(a + spread) * 40, y + Math.sin(a + spread) * 26];
        const far1 = [x + Math.cos(a - spread) * 120, y + Math.sin(a - spread) * 95];
        const far2 = [x + Math.cos(a + spread) * 120, y + Math.sin(a + spread) * 95];
        d = `M${out} C${far1} ${far2} ${back}`;
        mid = [x + Math.cos(a) * 98, y + Math.sin(a) * 76];
      } else {
        const group = pairs[[r.start, r.end].sort().join("|")];
        const i = group.indexOf(r), bend = (i - (group.length - 1) / 2) * 90;
        const a = place[r.start], b = place[r.end];
        const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
        const nx = -(b[1] - a[1]) / len, ny = (b[0] - a[0]) / len;
        const sign = r.start < r.end ? 1 : -1;  // the same side for both directions of one pair
        const c = [(a[0] + b[0]) / 2 + nx * bend * sign, (a[1] + b[1]) / 2 + ny * bend * sign];
        const p = boxEdge(a, c), q = boxEdge(b, c);
        d = `M${p} Q${c} ${q}`;
        mid = [(p[0] + 2 * c[0] + q[0]) / 4, (p[1] + 2 * c[1] + q[1]) / 4];
      }
      const title = `(:${r.start})-[:${r.type}]->(:${r.end}) · ${r.count.toLocaleString("en")} · ${r.meaning}`;
      edges.append(svg("path", { d, class: "link", "marker-end": "url(#schema-arrow)", "data-type": r.type },
        svg("title", {}, title)));
      const text = svg("text", { x: mid[0], y: mid[1] + 4, class: "link-label", "text-anchor": "middle",
        "data-type": r.type }, r.type, svg("title", {}, title));
      edges.append(text);
    }
    for (const l of schema.labels) {
      const [x, y] = place[l.name];
      const g = svg("g", { class: "label-box", transform: `translate(${x - BOX.w / 2},${y - BOX.h / 2})`,
        "data-label": l.name, tabindex: "0" },
      svg("rect", { width: BOX.w, height: BOX.h, rx: 8, fill: colour(l.name) }),
      svg("text", { x: BOX.w / 2, y: 19, "text-anchor": "middle", class: "box-name" }, l.name),
      svg("text", { x: BOX.w / 2, y: 36, "text-anchor": "middle", class: "box-count" },
        `${l.count.toLocaleString("en")} node${l.count === 1 ? "" : "s"}`),
      svg("title", {}, `${l.name}: ${l.meaning}`));
      if (onPick) g.addEventListener("click", () => onPick(l.name));
      boxes.append(g);
    }
    // Link captions are drawn over a white halo so that crossing lines do not hide them.
    container.replaceChildren(root);
    for (const t of root.querySelectorAll(".link-label")) {
      const b = t.getBBox();
      t.before(svg("rect", { x: b.x - 3, y: b.y - 1, width: b.width + 6, height: b.height + 2, rx: 3, class: "halo" }));
    }
    return root;
  }

  // ------------------------------------------------------------------ the timeline

  const NODE_TIMES = { Post: ["time"], Market: ["seized"] };
  const EDGE_TIMES = { MESSAGED: ["first", "last"], CALLED: ["first", "last"], SENT: ["time"],
    VENDOR_ON: ["since", "until"], DETAINED_AT: ["since"] };
  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

  function when(text) {
    if (typeof text !== "string" || !ISO.test(text)) return null;
    const t = Date.parse(text.replace(/\[.*\]$/, ""));
    return Number.isNaN(t) ? null : t;
  }

  function short(text, n = 28) {
    const s = String(text ?? "");
    return s.length > n ? `${s.slice(0, n - 1)}…` : s;
  }

  function nodeCaption(node) {
    if (node.group === "Post") return short(node.properties.text || node.label, 32);
    return node.label;
  }

  // What a run's outcome carries with times: posts, payments, calls and messages (first to last), and datetime
  // cells of the table, each {start, end?, lane, label, ref}.
  function timelineEvents(outcome) {
    const events = [];
    const byId = Object.fromEntries(outcome.graph.nodes.map((n) => [n.id, n]));
    for (const n of outcome.graph.nodes) {
      const [a, b] = (NODE_TIMES[n.group] || []).map((p) => when(n.properties[p]));
      if (a != null) events.push({ start: a, end: b ?? null, lane: n.group, label: nodeCaption(n), ref: { node: n.id } });
    }
    for (const e of outcome.graph.edges) {
      const [a, b] = (EDGE_TIMES[e.label] || []).map((p) => when(e.properties[p]));
      if (a == null) continue;
      const from = byId[e.source], to = byId[e.target];
      const amount = e.properties.amount != null ? ` · ${e.properties.amount}` : "";
      events.push({ start: a, end: b ?? null, lane: e.label,
        label: `${short(from ? from.label : "?", 14)} → ${short(to ? to.label : "?", 14)}${amount}`, ref: { edge: e.id } });
    }
    if (!events.length) {  // datetime columns of a table without nodes
      const cols = outcome.columns.map((c, i) => i).filter((i) => outcome.rows.some((r) => when(r[i]) != null));
      for (const i of cols) {
        for (const r of outcome.rows) {
          const t = when(r[i]);
          const name = r.find((v, j) => j !== i && (typeof v === "string" || typeof v === "number"));
          if (t != null) events.push({ start: t, end: null, lane: outcome.columns[i], label: short(name ?? ""), ref: null });
        }
      }
    }
    return events;
  }

  const STEPS = [3600e3, 6 * 3600e3, 864e5, 7 * 864e5, 30 * 864e5, 91 * 864e5, 365 * 864e5];

  function tickFormat(step) {
    return (t) => {
      const d = new Date(t);
      const iso = d.toISOString();
      if (step < 864e5) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
      if (step < 30 * 864e5) return iso.slice(0, 10);
      return iso.slice(0, 7);
    };
  }

  function drawTimeline(container, events, onPick) {
    const lanes = [...new Set(events.map((e) => e.lane))].sort();
    const width = Math.max((container.clientWidth || 900) - 16, 600), left = 110, right = 30, top = 30, laneH = 46;
    const height = top + lanes.length * laneH + 40;
    let lo = Math.min(...events.map((e) => e.start)), hi = Math.max(...events.map((e) => e.end ?? e.start));
    if (hi - lo < 3600e3) { lo -= 1800e3; hi += 1800e3; }
    const pad = (hi - lo) * 0.03;
    lo -= pad; hi += pad;
    const x = (t) => left + ((t - lo) / (hi - lo)) * (width - left - right);
    const root = svg("svg", { width, height, class: "timeline-svg", role: "img", "aria-label": "Timeline" });
    const step = STEPS.find((s) => (hi - lo) / s <= 9) || STEPS[STEPS.length - 1];
    const fmt = tickFormat(step);
    const axisY = top + lanes.length * laneH + 6;
    root.append(svg("line", { x1: left, x2: width - right, y1: axisY, y2: axisY, class: "axis" }));
    for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) {
      root.append(svg("line", { x1: x(t), x2: x(t), y1: top - 8, y2: axisY + 4, class: "tick" }),
        svg("text", { x: x(t), y: axisY + 18, "text-anchor": "middle", class: "tick-label" }, fmt(t)));
    }
    const placed = [];
    lanes.forEach((lane, i) => {
      const y = top + i * laneH + laneH / 2;
      root.append(svg("text", { x: left - 10, y: y + 4, "text-anchor": "end", class: "lane-label" }, lane),
        svg("line", { x1: left, x2: width - right, y1: y, y2: y, class: "lane" }));
      const here = events.filter((e) => e.lane === lane).sort((a, b) => a.start - b.start);
      const fill = colour(lane === "SENT" ? "Wallet" : lane === "MESSAGED" ? "Account" : lane === "CALLED" ? "Phone" : lane);
      for (const e of here) {
        const g = svg("g", { class: "event", tabindex: "0" });
        const tip = `${e.label} · ${new Date(e.start).toISOString().slice(0, 16).replace("T", " ")}` +
          (e.end ? ` → ${new Date(e.end).toISOString().slice(0, 16).replace("T", " ")}` : "");
        if (e.end && e.end > e.start) {
          g.append(svg("rect", { x: x(e.start), y: y - 4, width: Math.max(2, x(e.end) - x(e.start)), height: 8, rx: 4,
            fill, opacity: 0.45 }));
        }
        g.append(svg("circle", { cx: x(e.start), cy: y, r: 5, fill }), svg("title", {}, tip));
        if (onPick && e.ref) g.addEventListener("click", () => onPick(e.ref));
        root.append(g);
        // A caption above the dot when it has room in its lane (the others: hover)
        const w = e.label.length * 6.2, box = { x: x(e.start) - w / 2, y: y - 22, w, lane: i };
        if (events.length <= 120 && !placed.some((b) => b.lane === i && box.x < b.x + b.w + 6 && b.x < box.x + w + 6)) {
          placed.push(box);
          root.append(svg("text", { x: x(e.start), y: y - 11, "text-anchor": "middle", class: "event-label" }, e.label));
        }
      }
    });
    container.replaceChildren(root);
    return { lanes: lanes.length, events: events.length, captions: placed.length };
  }

  // ------------------------------------------------------------------ the map

  // What a run's outcome carries with coordinates: nodes with latitude and longitude (places, geotagged posts), and
  // point cells of the table, each {lat, lon, label, group, id?}; links are the result's relationships between them.
  function mapPoints(outcome) {
    const points = [];
    for (const n of outcome.graph.nodes) {
      const { latitude: lat, longitude: lon } = n.properties;
      if (typeof lat === "number" && typeof lon === "number") {
        points.push({ lat, lon, label: n.group === "Post" ? short(n.properties.text, 24) : n.label, group: n.group,
          id: n.id, type: n.properties.type || "" });
      }
    }
    if (!points.length) {
      outcome.rows.forEach((r) => r.forEach((v, i) => {
        if (v && typeof v === "object" && typeof v.latitude === "number" && typeof v.longitude === "number") {
          const name = r.find((w, j) => j !== i && (typeof w === "string" || typeof w === "number"));
          points.push({ lat: v.latitude, lon: v.longitude, label: short(name ?? outcome.columns[i], 24), group: "Location" });
        }
      }));
    }
    const ids = new Set(points.map((p) => p.id).filter(Boolean));
    const links = outcome.graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
    return { points, links };
  }

  const NICE = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000];

  function drawMap(container, data, onPick) {
    const { points, links } = data;
    const width = Math.max((container.clientWidth || 900) - 16, 600), height = 460, pad = 50;
    const lat0 = points.reduce((s, p) => s + p.lat, 0) / points.length;
    const lon0 = points.reduce((s, p) => s + p.lon, 0) / points.length;
    // metres east and north of the centre (an equirectangular projection: right at a city's scale)
    const east = (p) => (p.lon - lon0) * 111320 * Math.cos((lat0 * Math.PI) / 180);
    const north = (p) => (p.lat - lat0) * 110540;
    const xs = points.map(east), ys = points.map(north);
    let span = Math.max(Math.max(...xs) - Math.min(...xs), (Math.max(...ys) - Math.min(...ys)) * (width / height), 200);
    const metresPerPx = span / (width - 2 * pad);
    const cx = (Math.max(...xs) + Math.min(...xs)) / 2, cy = (Math.max(...ys) + Math.min(...ys)) / 2;
    const px = (p) => [width / 2 + (east(p) - cx) / metresPerPx, height / 2 - (north(p) - cy) / metresPerPx];
    const root = svg("svg", { width, height, class: "map-svg", role: "img", "aria-label": "Map" });
    root.append(svg("defs", {}, arrowMarker("map-arrow", "#9aa3b2")));
    root.append(svg("rect", { x: 0, y: 0, width, height, class: "map-ground" }));
    // a light grid every scale unit, for distances by eye
    const unit = NICE.find((m) => m / metresPerPx >= width / 6) || NICE[NICE.length - 1];
    for (let gx = width / 2 - Math.ceil(width / 2 / (unit / metresPerPx)) * (unit / metresPerPx); gx < width; gx += unit / metresPerPx) {
      root.append(svg("line", { x1: gx, x2: gx, y1: 0, y2: height, class: "grid" }));
    }
    for (let gy = height / 2 - Math.ceil(height / 2 / (unit / metresPerPx)) * (unit / metresPerPx); gy < height; gy += unit / metresPerPx) {
      root.append(svg("line", { x1: 0, x2: width, y1: gy, y2: gy, class: "grid" }));
    }
    const at = Object.fromEntries(points.filter((p) => p.id).map((p) => [p.id, px(p)]));
    for (const l of links) {
      const [a, b] = [at[l.source], at[l.target]];
      if (a[0] === b[0] && a[1] === b[1]) continue;
      root.append(svg("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], class: "map-link", "marker-end": "url(#map-arrow)" },
        svg("title", {}, l.label)));
    }
    // places first (labelled whenever there is room), then posts
    const order = [...points].sort((a, b) => (a.group === "Location" ? 0 : 1) - (b.group === "Location" ? 0 : 1));
    const boxes = [];
    let named = 0;
    for (const p of order) {
      const [x, y] = px(p);
      const big = p.group === "Location";
      const g = svg("g", { class: `place ${p.group}`, tabindex: "0" },
        svg("circle", { cx: x, cy: y, r: big ? 7 : 4.5, fill: colour(p.group), stroke: "#fff", "stroke-width": 1.5 }),
        svg("title", {}, `${p.label} (${p.lat.toFixed(5)}, ${p.lon.toFixed(5)})`));
      if (onPick && p.id) g.addEventListener("click", () => onPick({ node: p.id }));
      root.append(g);
      const w = p.label.length * 6.4 + 4, box = { x: x + 9, y: y - 8, w, h: 16 };
      const free = !boxes.some((b) => box.x < b.x + b.w && b.x < box.x + box.w && box.y < b.y + b.h && b.y < box.y + box.h);
      if (free && (big || points.length <= 60)) {
        boxes.push(box);
        named++;
        root.append(svg("text", { x: x + 11, y: y + 4, class: big ? "place-label" : "post-label" }, p.label));
      }
    }
    // scale bar and north
    const bar = NICE.slice().reverse().find((m) => m / metresPerPx <= width / 4) || NICE[0];
    const barPx = bar / metresPerPx;
    const sy = height - 22;
    root.append(svg("rect", { x: 14, y: sy - 18, width: barPx + 70, height: 30, rx: 4, class: "scale-back" }),
      svg("line", { x1: 20, x2: 20 + barPx, y1: sy, y2: sy, class: "scale" }),
      svg("line", { x1: 20, x2: 20, y1: sy - 5, y2: sy + 5, class: "scale" }),
      svg("line", { x1: 20 + barPx, x2: 20 + barPx, y1: sy - 5, y2: sy + 5, class: "scale" }),
      svg("text", { x: 26 + barPx, y: sy + 4, class: "scale-label" }, bar >= 1000 ? `${bar / 1000} km` : `${bar} m`),
      svg("text", { x: width - 24, y: 28, "text-anchor": "middle", class: "north" }, "N"),
      svg("path", { d: `M${width - 24},34 l-6,14 l6,-4 l6,4 z`, class: "north" }));
    container.replaceChildren(root);
    return { points: points.length, named, scale: bar, metresPerPx };
  }

  // ------------------------------------------------------------------ the plan

  function drawPlan(container, tree) {
    const item = (node) => {
      const li = document.createElement("li");
      const head = document.createElement("div");
      head.className = "op";
      const name = document.createElement("b");
      name.textContent = node.operator;
      const rows = document.createElement("span");
      rows.className = "rows";
      rows.textContent = `≈ ${node.rows.toLocaleString("en")} rows`;
      head.append(name, " ", rows);
      if (node.details) {
        const d = document.createElement("code");
        d.textContent = node.details;
        head.append(document.createElement("br"), d);
      }
      li.append(head);
      if (node.children.length) {
        const ul = document.createElement("ul");
        node.children.forEach((c) => ul.append(item(c)));
        li.append(ul);
      }
      return li;
    };
    const ul = document.createElement("ul");
    ul.className = "plan-tree";
    ul.append(item(tree));
    const note = document.createElement("p");
    note.className = "note";
    note.textContent = "Neo4j's plan, read from the bottom up: each operator feeds the one above it. Nothing was run.";
    container.replaceChildren(note, ul);
  }

  window.LinklabFigures = { drawSchema, timelineEvents, drawTimeline, mapPoints, drawMap, drawPlan, COLOURS, colour };
})();
