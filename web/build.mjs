// Builds linklab's browser bundles from the packages that `npm ci` installed from package-lock.json.
// Run through `python -m linklab.web.build` (or `make assets`). Output, committed to git:
//   linklab/web/static/graph-view-<sigma version>.js
//   linklab/web/static/cypher-editor-<@neo4j-cypher/codemirror version>.js and .css
//   linklab/web/static/manifest.json   bundle files, the package versions inside them, sha256 of the inputs
//   linklab/web/static/THIRD-PARTY.txt every bundled package with its version, licence and licence text
// Bundle names carry the version of their main library, so a page that loads them never gets a stale cache.

import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "linklab", "web", "static");
const lock = JSON.parse(readFileSync(join(here, "package-lock.json"), "utf8"));
const installed = (name) => lock.packages[`node_modules/${name}`].version;

const BUNDLES = [
  { name: "graph-view", entry: "src/graph-view.js", global: "LinklabGraph", main: "sigma" },
  { name: "cypher-editor", entry: "src/cypher-editor.js", global: "LinklabCypher", main: "@neo4j-cypher/codemirror" },
];

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

// The npm package a bundled file came from: node_modules/@scope/name/... or node_modules/name/...
function packageOf(path) {
  const parts = path.split("/");
  const i = parts.lastIndexOf("node_modules");
  if (i < 0) return null;
  const name = parts[i + 1].startsWith("@") ? `${parts[i + 1]}/${parts[i + 2]}` : parts[i + 1];
  return { name, dir: join(here, ...parts.slice(0, i + 1), ...name.split("/")) };
}

function licenceText(dir) {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying|notice)(\.|$)/i.test(f));
  return file ? readFileSync(join(dir, file), "utf8").trim() : null;
}

mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) {
  if (BUNDLES.some((b) => f.startsWith(`${b.name}-`))) rmSync(join(out, f));
}

const manifest = {
  lockfile_sha256: sha256(readFileSync(join(here, "package-lock.json"))),
  build_sha256: sha256(readFileSync(join(here, "build.mjs"))),
  bundles: {},
};
const thirdParty = new Map();

for (const b of BUNDLES) {
  const version = installed(b.main);
  const file = `${b.name}-${version}.js`;
  const result = await esbuild.build({
    absWorkingDir: here,
    entryPoints: [b.entry],
    outfile: join(out, file),
    bundle: true,
    minify: true,
    format: "iife",
    globalName: b.global,
    target: ["es2020"],
    metafile: true,
    legalComments: "eof",
    charset: "utf8",
    logLevel: "warning",
    banner: { js: `/* ${file}: linklab's ${b.name} bundle. Bundled packages and their licences: THIRD-PARTY.txt in linklab/web/static */` },
    define: { __VERSIONS__: JSON.stringify({ [b.main]: version }) },
  });
  const packages = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const pkg = packageOf(input);
    if (!pkg) continue;
    const meta = JSON.parse(readFileSync(join(pkg.dir, "package.json"), "utf8"));
    packages[pkg.name] = meta.version;
    thirdParty.set(`${pkg.name}@${meta.version}`, { name: pkg.name, version: meta.version, licence: meta.license, text: licenceText(pkg.dir) });
  }
  const files = Object.keys(result.metafile.outputs).map((p) => relative(out, join(here, p))).sort();
  manifest.bundles[b.name] = {
    global: b.global,
    js: file,
    css: files.find((f) => f.endsWith(".css")) || null,
    main: b.main,
    version,
    source_sha256: sha256(readFileSync(join(here, b.entry))),
    packages: Object.fromEntries(Object.entries(packages).sort()),
    bytes: Object.fromEntries(files.map((f) => [f, readFileSync(join(out, f)).length])),
  };
}

const notice = [
  "Third-party packages bundled into linklab/web/static (built by web/build.mjs from web/package-lock.json).",
  "",
  ...[...thirdParty.values()].sort((a, b) => a.name.localeCompare(b.name)).map((p) => `${p.name} ${p.version}  ${p.licence}`),
  "",
  ...[...thirdParty.values()].sort((a, b) => a.name.localeCompare(b.name)).flatMap((p) => [
    "=".repeat(78), `${p.name} ${p.version} (${p.licence})`, "=".repeat(78),
    p.text || `No licence file in the package; its package.json declares ${p.licence}.`, "",
  ]),
].join("\n");
writeFileSync(join(out, "THIRD-PARTY.txt"), notice);
writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
for (const b of Object.values(manifest.bundles)) console.log(b.js, JSON.stringify(b.bytes));
