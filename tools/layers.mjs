// The module graph of src/, and a check that it keeps its layers.
//
// Each top-level module of the library may use only modules of lower layers (and its own
// files); the layers are those src/lib.rs's documentation lists. Uses are read from `crate::`
// paths outside comments, so a doc link does not count; names re-exported at the crate root
// (capitalised) are not modules.
//
//   node tools/layers.mjs        prints what each module uses, exits 1 on a use of a higher layer
//   node tools/layers.mjs --dot  writes the graph for Graphviz
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

// Lowest first; the modules of one entry share a layer and may not use each other.
const LAYERS = [["rng", "tensor", "message"], ["data"], ["config"], ["model", "view"], ["train"], ["judge"], ["device"],
  ["session"], ["web"]];
const RANK = new Map(LAYERS.flatMap((layer, rank) => layer.map((module) => [module, rank])));

const files = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".rs") ? [join(dir, e.name)] : []);

const graph = new Map();
for (const path of files("src")) {
  const module = relative("src", path).split("/")[0].replace(/\.rs$/, "");
  if (module === "lib" || module === "bin") continue;
  const code = readFileSync(path, "utf8").split("\n").filter((l) => !l.trimStart().startsWith("//")).join("\n");
  const used = graph.get(module) ?? new Set();
  for (const [, name] of code.matchAll(/\bcrate::([a-z_]+)/g)) used.add(name);
  for (const [, group] of code.matchAll(/\bcrate::\{([^}]*)\}/g))
    for (const item of group.split(",")) if (/^\s*[a-z_]/.test(item)) used.add(item.trim().split("::")[0]);
  used.delete(module);
  used.delete("self");
  graph.set(module, used);
}

const byRank = (a, b) => (RANK.get(a) ?? -1) - (RANK.get(b) ?? -1) || a.localeCompare(b);
if (process.argv.includes("--dot")) {
  console.log("digraph src {\n  rankdir=BT;");
  for (const [module, used] of [...graph].sort(([a], [b]) => byRank(a, b)))
    for (const other of [...used].sort(byRank)) console.log(`  ${module} -> ${other};`);
  console.log("}");
} else {
  let failed = false;
  for (const [module, used] of [...graph].sort(([a], [b]) => byRank(a, b))) {
    console.log(`${module.padEnd(8)} uses ${[...used].sort(byRank).join(", ") || "nothing"}`);
    if (!RANK.has(module)) {
      console.error(`error: \`${module}\` is in no layer: add it to LAYERS in tools/layers.mjs`);
      failed = true;
    }
    for (const other of used)
      if (RANK.has(module) && RANK.has(other) && RANK.get(other) >= RANK.get(module)) {
        console.error(`error: \`${module}\` uses \`${other}\`, which is not in a lower layer`);
        failed = true;
      }
  }
  process.exitCode = failed ? 1 : 0;
}
