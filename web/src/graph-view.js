// linklab's graph view: sigma.js (WebGL) + graphology behind one small API, bundled as window.LinklabGraph.
//
//   const view = LinklabGraph.render(container, {nodes, edges}, options)
//     nodes:  [{id, label, x?, y?, size?, color?, group?}]   (no x/y anywhere: a ForceAtlas2 layout is computed)
//     edges:  [{source, target, color?, size?, label?}]
//     options: {focus: id, onSelect(id, attributes), labelDensity, seed, iterations, arrows, edgeLabels}
//              iterations: ForceAtlas2 steps to run from the given positions (default 0; without positions 100 from a
//                          radial tree up to 400 nodes, 300 from random ones above)
//              arrows: draw edges as arrows (query results: relationships have a direction)
//              edgeLabels: write each edge's label (its relationship type) along it
//   view.nodeCount(), view.edgeCount()   what is drawn (tests read these)
//   view.labels()                        the names drawn in the last frame: [{label, x, y, w, h, mustShow}]
//   view.search(text) -> [ids]           marks the nodes whose label contains text, moves the camera to the first
//   view.focus(id)                       marks one node as the focus (a ring and a label that always shows)
//   view.clear()                         removes the search marks
//   view.select(ids)                     marks the selected nodes (a blue ring, always named)
//   view.path(nodeIds)                   marks a path: its nodes and the edges between them, the rest dimmed
//   view.add({nodes, edges}, around)     adds what is new, placed in a ring around node `around`, then eases the layout
//   view.setSizes({id: size})            node sizes (by degree, by a measure)
//   view.toPNG(legend) -> data URL       the drawing on white, with a legend [{label, color}] in the corner
//   view.sigma, view.graph               the underlying objects, for anything else
//   view.destroy()
//   options.onClick(id, event), options.onDoubleClick(id), options.onStage(): what the analyst clicks
//
// A small result (a path, a star) starts from a radial tree around its best connected node, so ForceAtlas2 only
// eases it and a path is not drawn crossing itself. Captions longer than MAX_CAPTION are shortened with "…" (a
// wallet address); the full text is in the node's properties.
//
// Why these settings: sigma zooms toward the pointer by default; labels are placed on a grid, one per cell, the
// largest node first (labelGridCellSize, labelDensity), and a label that would still overlap another is skipped,
// so they do not pile up in dense crews; zooming in makes room for more.

import Graph from "graphology";
import forceAtlas2 from "graphology-layout-forceatlas2";
import Sigma from "sigma";

const DIM_NODE = "#e4e6ea";
const DIM_EDGE = "#eef0f2";

// A seeded generator, so a layout computed here is the same on every load.
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MAX_CAPTION = 22;

function caption(text) {
  const t = String(text);
  return t.length > MAX_CAPTION ? `${t.slice(0, MAX_CAPTION - 1)}…` : t;
}

function nodeAttributes(n, x, y) {
  const label = n.label == null ? String(n.id) : String(n.label);
  return { label: caption(label), fullLabel: label, x, y, size: n.size || 5, color: n.color || "#5b8def",
           group: n.group };
}

// Positions for a graph without any: a radial tree (breadth first from the best connected node of each component,
// each subtree in its own slice of the circle), components side by side. Trees and paths come out without crossings.
function radialPositions(graph) {
  const pos = {}, seen = new Set();
  let offset = 0;
  const nodes = graph.nodes().sort((a, b) => graph.degree(b) - graph.degree(a) || (a < b ? -1 : 1));
  for (const root of nodes) {
    if (seen.has(root)) continue;
    const children = {}, order = [root], depth = { [root]: 0 };
    seen.add(root);
    for (let i = 0; i < order.length; i++) {
      const here = order[i];
      children[here] = [];
      for (const next of graph.neighbors(here).sort()) {
        if (seen.has(next)) continue;
        seen.add(next); depth[next] = depth[here] + 1; children[here].push(next); order.push(next);
      }
    }
    const leaves = {};
    for (let i = order.length - 1; i >= 0; i--) {
      const n = order[i];
      leaves[n] = children[n].length ? children[n].reduce((sum, c) => sum + leaves[c], 0) : 1;
    }
    const place = (n, from, to) => {
      const angle = (from + to) / 2, r = depth[n];
      pos[n] = { x: (offset + r * Math.cos(angle)) * 40, y: r * Math.sin(angle) * 40 };  // 40: a level is a few discs apart
      let at = from;
      for (const c of children[n]) {
        const share = ((to - from) * leaves[c]) / leaves[n];
        place(c, at, at + share);
        at += share;
      }
    };
    place(root, 0, 2 * Math.PI);
    const radius = Math.max(...order.map((n) => depth[n]));
    offset += 2 * radius + 2;
  }
  return pos;
}

function buildGraph(data, seed, iterations) {
  const graph = new Graph({ multi: true, type: "mixed" });
  const rand = random(seed);
  const placed = data.nodes.every((n) => typeof n.x === "number" && typeof n.y === "number");
  for (const n of data.nodes) graph.mergeNode(String(n.id), nodeAttributes(n, placed ? n.x : rand(), placed ? n.y : rand()));
  for (const e of data.edges) {
    const source = String(e.source), target = String(e.target);
    if (!graph.hasNode(source) || !graph.hasNode(target)) continue;
    graph.addEdge(source, target, { color: e.color || "#c3c8d0", size: e.size || 1, label: e.label, id: e.id });
  }
  if (!placed && graph.order <= 400) {  // a query result: start from a radial tree, then ease it
    const pos = radialPositions(graph);
    graph.forEachNode((n) => graph.mergeNodeAttributes(n, { x: pos[n].x + rand() * 0.01, y: pos[n].y + rand() * 0.01 }));
  }
  const steps = iterations ?? (placed ? 0 : graph.order <= 400 ? 100 : 300);
  relax(graph, steps);
  return graph;
}

function relax(graph, steps) {
  if (steps > 0 && graph.order > 1) {
    // adjustSizes keeps discs from overlapping once the layout has spread out; deterministic for given positions.
    const settings = { ...forceAtlas2.inferSettings(graph), adjustSizes: true };
    forceAtlas2.assign(graph, { iterations: steps, settings });
  }
}

// A label in a white box with a ring around the node: used for the focus node and for search matches.
function drawMarked(context, data, settings) {
  const size = settings.labelSize, font = settings.labelFont, weight = settings.labelWeight;
  context.font = `${weight} ${size}px ${font}`;
  const width = context.measureText(data.label || "").width + 10;
  context.fillStyle = "#ffffff";
  context.shadowColor = "rgba(0,0,0,0.35)";
  context.shadowBlur = 6;
  context.beginPath();
  context.roundRect(data.x + data.size + 4, data.y - size / 2 - 5, width, size + 10, 4);
  context.fill();
  context.shadowBlur = 0;
  context.lineWidth = 3;
  context.strokeStyle = data.ring || "#111827";
  context.beginPath();
  context.arc(data.x, data.y, data.size + 3, 0, Math.PI * 2);
  context.stroke();
  context.fillStyle = "#111827";
  context.fillText(data.label || "", data.x + data.size + 9, data.y + size / 3);
}

// Sigma picks at most one label per grid cell, but labels in neighbouring cells can still collide. This drawer
// skips a label that would overlap one already drawn in the same frame (the focus and search matches, marked
// `mustShow`, are always drawn).
function labelDrawer() {
  let placed = [];
  const draw = (context, data, settings) => {
    if (!data.label) return;
    const size = settings.labelSize;
    context.font = `${settings.labelWeight} ${size}px ${settings.labelFont}`;
    const box = { x: data.x + data.size + 3, y: data.y - size / 2 - 2, w: context.measureText(data.label).width + 6,
                  h: size + 4 };
    const hits = (b) => box.x < b.x + b.w && b.x < box.x + box.w && box.y < b.y + b.h && b.y < box.y + box.h;
    if (!data.mustShow && placed.some(hits)) return;
    placed.push({ ...box, label: data.label, mustShow: !!data.mustShow });
    // A halo in the background colour keeps a name readable where it crosses discs and links.
    context.lineJoin = "round";
    context.lineWidth = 3;
    context.strokeStyle = "rgba(247, 248, 250, 0.9)";
    context.strokeText(data.label, box.x, data.y + size / 3);
    context.fillStyle = settings.labelColor.color;
    context.fillText(data.label, box.x, data.y + size / 3);
  };
  return { draw, reset: () => { placed = []; }, drawn: () => placed.map((b) => ({ ...b })) };
}

export function render(container, data, options = {}) {
  const graph = buildGraph(data, options.seed ?? 1, options.iterations);
  const state = { focus: null, matches: new Set(), hovered: null, selected: new Set(), path: null };
  const labels = labelDrawer();

  const sigma = new Sigma(graph, container, {
    // A small result names every node that has room; a crowd, the largest of each cell.
    labelDensity: options.labelDensity ?? (graph.order <= 80 ? 50 : 1.5),
    labelGridCellSize: graph.order <= 80 ? 60 : 120,
    labelRenderedSizeThreshold: 0,  // small nodes are named too, where the grid and the collision check leave room
    labelFont: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    labelSize: 13,
    labelColor: { color: "#1f2937" },
    zIndex: true,
    minCameraRatio: 0.03,
    maxCameraRatio: 4,
    stagePadding: 40,
    defaultDrawNodeHover: drawMarked,
    defaultDrawNodeLabel: labels.draw,
    defaultEdgeType: options.arrows ? "arrow" : "line",
    renderEdgeLabels: !!options.edgeLabels,
    edgeLabelSize: 11,
    edgeLabelColor: { color: "#6b7280" },
    nodeReducer(node, attrs) {
      const out = { ...attrs };
      const searching = state.matches.size > 0;
      const neighbourhood = state.hovered && (node === state.hovered || graph.areNeighbors(node, state.hovered));
      if (state.hovered && !neighbourhood) { out.color = DIM_NODE; out.label = ""; out.zIndex = 0; }
      // A few contacts of the hovered person: candidates for a name even when small (a hub's hundreds: no).
      if (neighbourhood && graph.degree(state.hovered) <= 12) { out.forceLabel = true; out.zIndex = 1; }
      if (searching && !state.matches.has(node) && node !== state.focus) { out.color = DIM_NODE; out.zIndex = 0; }
      if (state.matches.has(node)) {
        out.highlighted = true; out.forceLabel = true; out.mustShow = true; out.ring = "#d97706"; out.zIndex = 2;
      }
      if (state.path && !state.path.nodes.has(node)) { out.color = DIM_NODE; out.zIndex = 0; }
      if (state.path && state.path.nodes.has(node)) { out.forceLabel = true; out.mustShow = true; out.zIndex = 2; }
      if (state.selected.has(node)) {
        out.highlighted = true; out.forceLabel = true; out.mustShow = true; out.ring = "#2563eb"; out.zIndex = 3;
      }
      if (node === state.focus) {
        out.highlighted = true; out.forceLabel = true; out.mustShow = true; out.ring = "#111827"; out.zIndex = 3;
        out.size = attrs.size * 1.3;
      }
      return out;
    },
    edgeReducer(edge, attrs) {
      const out = { ...attrs };
      if (state.hovered && !graph.hasExtremity(edge, state.hovered)) out.hidden = true;
      if (state.matches.size && !graph.extremities(edge).some((n) => state.matches.has(n))) out.color = DIM_EDGE;
      if (state.path) {
        if (state.path.edges.has(edge)) { out.color = "#2563eb"; out.size = Math.max(attrs.size, 3); out.zIndex = 2; }
        else out.color = DIM_EDGE;
      }
      return out;
    },
  });

  sigma.on("beforeRender", labels.reset);
  sigma.on("enterNode", ({ node }) => { state.hovered = node; sigma.refresh({ skipIndexation: true }); });
  sigma.on("leaveNode", () => { state.hovered = null; sigma.refresh({ skipIndexation: true }); });
  sigma.on("clickNode", ({ node, event }) => {
    if (options.onSelect) options.onSelect(node, graph.getNodeAttributes(node));
    if (options.onClick) options.onClick(node, event.original || event);
  });
  sigma.on("doubleClickNode", (e) => {
    if (!options.onDoubleClick) return;
    e.preventSigmaDefault();  // no zoom: a double-click on a node expands it
    options.onDoubleClick(e.node);
  });
  sigma.on("clickStage", () => options.onStage && options.onStage());

  function moveTo(node) {
    const position = sigma.getNodeDisplayData(node);
    if (position) sigma.getCamera().animate({ x: position.x, y: position.y, ratio: 0.4 }, { duration: 500 });
  }

  const view = {
    sigma,
    graph,
    nodeCount: () => graph.order,
    edgeCount: () => graph.size,
    labels: () => labels.drawn(),  // the names drawn in the last frame, with their boxes in pixels
    focus(node) {
      state.focus = node != null && graph.hasNode(String(node)) ? String(node) : null;
      sigma.refresh({ skipIndexation: true });
      return state.focus;
    },
    search(text) {
      const needle = String(text || "").trim().toLowerCase();
      state.matches = new Set(needle ? graph.filterNodes((_, a) => (a.fullLabel || a.label).toLowerCase().includes(needle)) : []);
      sigma.refresh({ skipIndexation: true });
      const found = [...state.matches];
      if (found.length) moveTo(found[0]);
      return found;
    },
    clear() { state.matches = new Set(); sigma.refresh({ skipIndexation: true }); },
    select(ids) {
      state.selected = new Set((ids || []).map(String).filter((n) => graph.hasNode(n)));
      sigma.refresh({ skipIndexation: true });
      return [...state.selected];
    },
    path(nodeIds) {
      if (!nodeIds || nodeIds.length < 1) { state.path = null; sigma.refresh({ skipIndexation: true }); return 0; }
      const nodes = new Set(nodeIds.map(String)), edges = new Set();
      for (let i = 1; i < nodeIds.length; i++) {
        const a = String(nodeIds[i - 1]), b = String(nodeIds[i]);
        if (graph.hasNode(a) && graph.hasNode(b)) for (const e of graph.edges(a, b).concat(graph.edges(b, a))) edges.add(e);
      }
      state.path = { nodes, edges };
      sigma.refresh({ skipIndexation: true });
      return edges.size;
    },
    add(data, around) {
      const anchor = around != null && graph.hasNode(String(around)) ? graph.getNodeAttributes(String(around)) : null;
      const fresh = data.nodes.filter((n) => !graph.hasNode(String(n.id)));
      const spread = Math.max(1, Math.sqrt(graph.order) / 4);
      const rand = random(graph.order + 7);
      fresh.forEach((n, i) => {
        const angle = (2 * Math.PI * i) / Math.max(fresh.length, 1);
        const x = anchor ? anchor.x + spread * Math.cos(angle) : rand() * 10, y = anchor ? anchor.y + spread * Math.sin(angle) : rand() * 10;
        graph.addNode(String(n.id), nodeAttributes(n, x, y));
      });
      let edges = 0;
      const known = new Set(graph.mapEdges((e, a) => a.id).filter(Boolean));
      for (const e of data.edges) {
        const source = String(e.source), target = String(e.target);
        if ((e.id && known.has(e.id)) || !graph.hasNode(source) || !graph.hasNode(target)) continue;
        graph.addEdge(source, target, { color: e.color || "#c3c8d0", size: e.size || 1, label: e.label, id: e.id });
        edges++;
      }
      if (fresh.length) relax(graph, 30);
      sigma.refresh();
      return { nodes: fresh.length, edges };
    },
    setSizes(sizes) {
      graph.forEachNode((n) => graph.setNodeAttribute(n, "size", sizes[n] ?? 5));
      sigma.refresh();
    },
    toPNG(legend = []) {
      sigma.refresh();  // draw now, so that the WebGL layers still hold this frame when they are copied
      const { width, height } = sigma.getDimensions();
      const ratio = window.devicePixelRatio || 1;
      const out = document.createElement("canvas");
      out.width = width * ratio; out.height = height * ratio;
      const ctx = out.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, out.width, out.height);
      for (const [name, canvas] of Object.entries(sigma.getCanvases())) {
        if (name !== "mouse") ctx.drawImage(canvas, 0, 0, out.width, out.height);
      }
      ctx.scale(ratio, ratio);
      ctx.font = "12px system-ui, sans-serif";
      legend.forEach((item, i) => {
        ctx.fillStyle = item.color;
        ctx.beginPath(); ctx.arc(16, 16 + i * 18, 5, 0, 2 * Math.PI); ctx.fill();
        ctx.fillStyle = "#1f2937"; ctx.fillText(item.label, 27, 20 + i * 18);
      });
      return out.toDataURL("image/png");
    },
    reset() { sigma.getCamera().animatedReset({ duration: 400 }); },
    destroy() { sigma.kill(); },
  };
  if (options.focus != null) view.focus(options.focus);
  return view;
}

export const versions = __VERSIONS__;
