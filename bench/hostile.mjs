// Hostile input, re-run on demand: the classes of odd input that once broke the page or the
// command line, each tried many ways, with a count of tries and of failures per class. A failure
// is a panic (exit 101) or a crash, a dead page (never ready, Train disabled, no lab), a metric
// reported from non-finite samples, a read that grows without bound, or a run thrown away.
//
// usage: node bench/hostile.mjs [cli|page|all=all]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { launchChromium } from "../tools/chromium.mjs";
import { serve } from "../tools/serve.mjs";

const which = process.argv[2] || "all";
const build = process.env.WEBGAN_BUILD_DIR || join(homedir(), ".cache/webgan");
const WEBGAN = join(build, "native/release/webgan");
const dir = mkdtempSync(join(tmpdir(), "webgan-hostile-"));
const results = [];

/** Runs `check` on every input of a class and records how many failed, with the first reasons. */
async function attack(name, inputs, check) {
  let failures = 0;
  const reasons = [];
  for (const input of inputs) {
    const why = await check(input);
    if (why) {
      failures += 1;
      if (reasons.length < 3) reasons.push(`${JSON.stringify(input).slice(0, 80)}: ${why}`);
    }
  }
  results.push({ class: name, tried: inputs.length, failures, reasons });
  console.log(`${name}: ${inputs.length} tried, ${failures} failed${reasons.length ? `\n  ${reasons.join("\n  ")}` : ""}`);
}

/** The CLI under a 2 GB address-space cap, so that an unbounded read fails fast instead of paging. */
function cli(args, timeout = 120_000) {
  const run = spawnSync("bash", ["-c", `ulimit -v 2000000; exec "$0" "$@"`, WEBGAN, ...args], { timeout, encoding: "utf8" });
  return { code: run.status, signal: run.signal, out: run.stdout || "", err: run.stderr || "" };
}

/** Why a CLI run counts as broken: a panic, a signal, or a crash-like message. */
function broken(run, { mayFail = true } = {}) {
  if (run.signal) return `killed by ${run.signal}`;
  if (run.code === 101 || /panicked at/.test(run.err)) return `panic: ${run.err.split("\n").find((l) => /panicked/.test(l))}`;
  if (!mayFail && run.code !== 0) return `exit ${run.code}: ${run.err.slice(0, 200)}`;
  if (run.code !== 0 && !/^webgan: /m.test(run.err)) return `exit ${run.code} without a message`;
  return "";
}

/** Bytes of `bytes` with `count` seeded random bytes changed. */
function mutate(bytes, seed, count) {
  const copy = Buffer.from(bytes);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < count; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    copy[x % copy.length] ^= 1 + (x >>> 24) % 255;
  }
  return copy;
}

async function attackCli() {
  const good = join(dir, "good.ckpt");
  const ring = join(dir, "ring.ckpt");
  cli(["train", "--backend", "cpu", "--steps", "20", "--set", "hidden=16", "--out", join(dir, "g.png"), "--save", good]);
  cli(["train", "--backend", "cpu", "--steps", "20", "--set", "data=ring", "--out", join(dir, "r.png"), "--save", ring]);
  const bytes = readFileSync(good);

  const commands = [
    [], ["--help"], ["-h"], ["help"], ["nonsense"], ["train", "--steps"], ["train", "--steps", "-1"], ["train", "--steps", "abc"],
    ["train", "--steps", "99999999999999999999999"], ["train", "--backend", "tpu"], ["train", "--set"], ["train", "--set", "lr"],
    ["train", "--set", "lr=abc"], ["train", "--set", "lr=1e308"], ["train", "--set", `lr=${"9".repeat(110_000)}`],
    ["train", "--set", "seed=18446744073709551615"], ["train", "--set", "seed=1", "--set", "seed=2"], ["train", "--preset", "nope"],
    ["train", "--config", "/nonexistent.json"], ["train", "--config", "/dev/null"], ["train", "--config", "/dev/zero"],
    ["train", "--config", "/dev/urandom"], ["train", "--data", "/dev/zero"], ["train", "--data", "/etc/passwd"],
    ["eval"], ["eval", "--images", "/dev/zero"], ["eval", "--images", "/etc/passwd"], ["eval", "--checkpoint", "/dev/zero"],
    ["eval", "--checkpoint", "/dev/urandom"], ["eval", "--checkpoint", ring], ["eval", "--checkpoint", good, "--classifier", "/dev/zero"],
    ["eval", "--checkpoint", good, "--reference", "/etc/passwd"], ["bench", "--steps", "0"], ["bench", "--repeats", "0"],
    ["train", "--checkpoint", good, "--set", "seed=5", "--steps", "1"], ["train", "--checkpoint", good, "--set", "hidden=8", "--steps", "1"],
    ["train", "--eval-every", "abc"], ["presets", "--steps", "x"], ["config", "--set", "batch=full", "--set", "model=dcgan"],
    ["train", "--steps", "2", "--set", "model=dcgan", "--set", "data=ring"], ["train", "--steps", "1", "--log-every", "0"],
  ];
  await attack("bad CLI commands", commands, (args) => broken(cli(args, 60_000)));

  const tampered = [];
  for (let seed = 0; seed < 40; seed += 1) tampered.push({ kind: "bytes", seed, count: 1 + (seed % 8) });
  for (const where of ["step", "updates", "weight"]) tampered.push({ kind: where });
  await attack("tampered checkpoints (eval and train)", tampered, (t) => {
    const file = join(dir, `t-${t.kind}-${t.seed ?? 0}.ckpt`);
    const copy = Buffer.from(bytes);
    if (t.kind === "bytes") writeFileSync(file, mutate(bytes, t.seed, t.count));
    else if (t.kind === "step") { copy.writeBigUInt64LE(0xffffffffffffffffn, 12); writeFileSync(file, copy); }
    else if (t.kind === "weight") { copy.writeFloatLE(NaN, Math.floor(copy.length / 3)); writeFileSync(file, copy); }
    else { copy.fill(0xff, copy.length - 40, copy.length - 20); writeFileSync(file, copy); }
    for (const args of [["eval", "--checkpoint", file, "--eval-samples", "100"], ["train", "--checkpoint", file, "--steps", "2", "--out", join(dir, "t.png")]]) {
      const run = cli(args);
      const why = broken(run);
      if (why) return why;
      if (run.code === 0 && /"fid":\s*(0(\.0)?|null|NaN)\b/.test(run.out)) return `a metric from non-finite samples: ${run.out.slice(0, 120)}`;
    }
    return "";
  });

  await attack("failed outputs keep the trained run", ["/nonexistent/x.png", dir], (out) => {
    const save = join(dir, `kept-${results.length}-${out.length}.ckpt`);
    const run = cli(["train", "--backend", "cpu", "--steps", "5", "--set", "hidden=8", "--out", out, "--save", save]);
    if (run.code === 0) return "a failed PNG write exited 0";
    return existsSync(save) ? broken(run) : "no checkpoint was saved";
  });
}

async function attackPage() {
  const server = await serve(0, "127.0.0.1", "/h/");
  const base = `http://127.0.0.1:${server.address().port}/h/`;
  const browser = await launchChromium();
  const page = await browser.newPage();
  const offsite = [];
  page.on("request", (r) => { if (!r.url().startsWith(base) && !r.url().startsWith("data:") && !r.url().startsWith("blob:")) offsite.push(r.url()); });
  page.on("dialog", (d) => { offsite.push(`dialog: ${d.message()}`); d.dismiss(); });
  const hashes = [];
  for (const key of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf", "hide", "lang", "backend", "autostart"]) {
    hashes.push(`${key}=1`, `${key}=`, `${key}=${"x".repeat(5000)}`);
  }
  for (const [key, values] of Object.entries({
    seed: ["abc", "-1", "18446744073709551615", "9007199254740993", "1e3", "0x10", ""],
    batch: ["0", "full", "10001", "1.5", "-3"], lr: ["abc", "1e308", "NaN", "Infinity", "-1", "0"], model: ["dcgan&batch=full", "cnn", ""],
    data: ["drawn", "ring&model=dcgan", "drawn&points=2,2", "drawn&points=" + "0.5,0.5;".repeat(300)], loss: ["<img src=x onerror=alert(1)>", "wgan"],
    hide: ["nope", "lab,lab", "lab&hide=chart"], lang: ["xx", "zh-CN", "en&lang=zh-CN"],
  })) for (const value of values) hashes.push(`${key}=${value}`);
  hashes.push("lang=xx&hide=nope&seed=abc", "%E0%A4%A", "a=1&b=2&c=3", "#", "&&&", "=1", "seed=1&seed=2", "points=%00%00", "lr=1e-3&lr_g=abc&lr_d=");
  await attack("odd URL hashes", hashes, async (hash) => {
    await page.goto("about:blank"); // a new fragment alone would not load the page again
    await page.goto(`${base}#backend=cpu&${hash}`);
    try {
      await page.waitForFunction(() => window.webgan && window.webgan.status().ready, null, { timeout: 60_000 });
    } catch {
      return `never ready: ${JSON.stringify(await page.evaluate(() => window.webgan?.status().error))}`;
    }
    const state = await page.evaluate(() => ({
      // Train, or Pause while a run autostarted.
      train: !document.getElementById("train").disabled || !document.getElementById("pause").disabled,
      lab: document.querySelectorAll("#settings input, #settings select").length,
      injected: document.querySelectorAll("img[src=x]").length,
    }));
    if (!state.train) return "neither Train nor Pause can be pressed";
    if (!state.lab && !/hide=lab/.test(hash)) return "the lab is empty";
    if (state.injected) return "HTML was injected";
    if (offsite.length) return `off-site request or dialog: ${offsite.splice(0).join(", ")}`;
    return "";
  });
  await browser.close();
  server.close();
}

if (which === "cli" || which === "all") await attackCli();
if (which === "page" || which === "all") await attackPage();
const failed = results.reduce((n, r) => n + r.failures, 0);
console.log(`\n${results.reduce((n, r) => n + r.tried, 0)} tried, ${failed} failed`);
process.exit(failed ? 1 : 0);
