// Compresses a file with brotli at its strongest (quality 11, a 16 MB window), as the page ships
// its largest files (the trainer's .wasm and the digits): usage `node tools/brotli.mjs IN OUT`,
// where an IN ending in .gz is inflated first. The page inflates them with the vendored
// brotli-dec-wasm (www/worker.js).
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants, gunzipSync } from "node:zlib";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node tools/brotli.mjs IN OUT");
  process.exit(2);
}
const bytes = input.endsWith(".gz") ? gunzipSync(readFileSync(input)) : readFileSync(input);
const packed = brotliCompressSync(bytes, {
  params: {
    [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
    [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
    [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
  },
});
writeFileSync(`${output}.part`, packed);
renameSync(`${output}.part`, output);
