// The training loop, in a module Web Worker so that the page never stalls. It owns the wasm
// trainer, takes commands from app.js and sends back a frame (the new steps' statistics and the
// sample grid) several times a second.
import init, { WebTrainer, check_settings, presets_json, stat_columns } from "./pkg/webgan.js";

/** Target time between frames, in milliseconds. */
const FRAME_MS = 150;
/** Shortest time between two measurements of the generator's digits, in milliseconds. */
const METRICS_MS = 4000;
/** Measuring may take at most this share of the time (slow devices measure less often). */
const METRICS_SHARE = 0.05;

let trainer = null;
let running = false;
let looping = false;
let stepsPerFrame = 1;
let judgeReady = false;
let nextMetricsAt = 0;
let measuredOnce = false;

const post = (message, transfer) => self.postMessage(message, transfer || []);
const progress = (key, fraction) => post({ type: "progress", key, fraction });
/** Reports an error. A failed start is `fatal`; a failed training step `stop`s the run, while a
 * refused setting leaves it going. */
const fail = (error, { fatal = false, stop = true } = {}) => {
  if (stop) running = false;
  post({ type: "error", message: String(error && error.message ? error.message : error), fatal, stopped: !running });
};

/** Fetches a file with a visible progress bar; a missing file gets a message that says what to do. */
async function fetchWithProgress(url, key, from, to) {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`${url.pathname} could not be loaded (HTTP ${response.status}); build the page with ./build.sh`);
  }
  const total = Number(response.headers.get("content-length")) || 0;
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    if (total) progress(key, from + ((to - from) * received) / total);
  }
  return new Blob(chunks);
}

async function loadDigits() {
  const url = new URL("data/mnist.bin.gz", import.meta.url);
  const blob = await fetchWithProgress(url, "loading_data", 0.5, 0.7);
  try {
    const inflated = blob.stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(inflated).arrayBuffer());
  } catch (e) {
    throw new Error(`the digit data ${url.pathname} is corrupt (${e.message}); rebuild it with ./build.sh`);
  }
}

/** Loads the digit classifier that measures the generator. Without it training still works, and
 * the page says why there are no metrics. */
async function loadJudge() {
  try {
    const file = async (name, from, to) => {
      const blob = await fetchWithProgress(new URL(`models/${name}`, import.meta.url), "loading_models", from, to);
      return new Uint8Array(await blob.arrayBuffer());
    };
    const classifier = await file("classifier.bin", 0.9, 0.98);
    const reference = await file("fid_reference.bin", 0.98, 1);
    trainer.load_judge(classifier, reference);
    judgeReady = true;
  } catch (e) {
    post({ type: "metrics_unavailable", message: String(e && e.message ? e.message : e) });
  }
}

/** Judges the generator's digits when it is time to: every METRICS_MS at most, and never more
 * than METRICS_SHARE of the time (the first measurement, which compiles the classifier's
 * kernels, does not count). */
async function maybeMeasure() {
  if (!judgeReady || performance.now() < nextMetricsAt) return;
  const t0 = performance.now();
  const metrics = JSON.parse(await trainer.measure());
  const costMs = performance.now() - t0;
  const wait = measuredOnce ? Math.max(METRICS_MS, (costMs * (1 - METRICS_SHARE)) / METRICS_SHARE) : METRICS_MS;
  measuredOnce = true;
  nextMetricsAt = performance.now() + wait;
  post({ type: "metrics", metrics, costMs });
}

async function start({ query: q, backend }) {
  const wasm = await fetchWithProgress(new URL("pkg/webgan_bg.wasm", import.meta.url), "loading_wasm", 0, 0.5);
  await init({ module_or_path: await wasm.arrayBuffer() });
  // Bad settings in a link must not stop the lesson: say what was wrong and use the defaults.
  const problem = check_settings(q);
  const query = problem ? "" : q;
  if (problem) fail(`${problem}. Using the default settings instead.`, { stop: false });
  const digits = await loadDigits();
  progress("starting_gpu", 0.75);
  const t0 = performance.now();
  trainer = await WebTrainer.create(digits, query, backend);
  // One real step compiles every kernel training needs; then the run restarts from the seed,
  // so the students' step 1 is not the one that waited for the compiler.
  progress("warming", 0.8);
  trainer.steps(1);
  await trainer.read_stats();
  await trainer.samples();
  trainer.reset(query);
  const firstStepMs = performance.now() - t0;
  await loadJudge();
  post({
    type: "ready",
    backend: trainer.backend(),
    adapter: trainer.adapter(),
    notice: trainer.notice(),
    columns: stat_columns(),
    presets: JSON.parse(presets_json()),
    firstStepMs,
  });
  postConfig();
  await frame(0);
}

/** Tells the page the settings in force; `change` says which optimisers started afresh. */
function postConfig(change = { reset_g: false, reset_d: false }) {
  post({ type: "config", config: JSON.parse(trainer.config()), query: trainer.query(), step: trainer.step_count(), change });
}

/** Reads what the steps since the last frame produced and sends it to the page. `since` is when
 * those steps were queued: the rate counts until their results reached JavaScript. */
async function frame(stepsTaken, since = 0) {
  const rows = await trainer.read_stats();
  const samples = await trainer.samples();
  const elapsedMs = performance.now() - since;
  post(
    {
      type: "frame",
      step: trainer.step_count(),
      rows,
      samples,
      side: WebTrainer.sample_grid_side(),
      stepsPerSecond: stepsTaken ? (1000 * stepsTaken) / elapsedMs : 0,
      running,
    },
    [rows.buffer, samples.buffer],
  );
}

async function loop() {
  if (looping) return;
  looping = true;
  try {
    while (running) {
      const t0 = performance.now();
      trainer.steps(stepsPerFrame);
      await frame(stepsPerFrame, t0);
      const elapsed = performance.now() - t0;
      await maybeMeasure();
      // Aim for one frame every FRAME_MS: more steps per frame on a fast device.
      stepsPerFrame = Math.max(1, Math.min(256, Math.round((stepsPerFrame * FRAME_MS) / Math.max(elapsed, 1))));
      // Let queued commands (pause, settings) in between frames.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } catch (e) {
    fail(e);
    await frame(0).catch(() => {});
  } finally {
    looping = false;
  }
}

const commands = {
  init: (m) => start(m),
  run: () => { running = true; loop(); },
  pause: async () => { running = false; },
  step: async () => {
    if (running) return;
    trainer.steps(1);
    await frame(0);
    await maybeMeasure();
  },
  reset: async (m) => {
    trainer.reset(m.query); // throws, and keeps the run, if the settings are invalid
    stepsPerFrame = 1;
    nextMetricsAt = performance.now() + METRICS_MS; // the fresh run's first judgement comes soon
    postConfig();
    await frame(0);
  },
  save: async () => {
    const bytes = await trainer.checkpoint();
    post({ type: "checkpoint", bytes, step: trainer.step_count() }, [bytes.buffer]);
  },
  open: async (m) => {
    trainer.restore(new Uint8Array(m.bytes)); // throws, and keeps the run, if the file is refused
    stepsPerFrame = 1;
    nextMetricsAt = performance.now() + METRICS_MS;
    postConfig();
    post({ type: "opened", step: trainer.step_count() });
    await frame(0);
  },
  config: async (m) => {
    try {
      const change = JSON.parse(trainer.set_query(m.query));
      postConfig(change);
    } catch (e) {
      postConfig(); // the controls go back to the settings still in force
      throw e;
    }
  },
};

// Commands run one after another, so a frame and a reset never interleave.
let queue = Promise.resolve();
self.onmessage = ({ data }) => {
  queue = queue.then(async () => {
    if (data.type !== "init" && !trainer) return;
    try {
      await commands[data.type](data);
    } catch (e) {
      fail(e, { fatal: data.type === "init", stop: !["config", "reset", "open", "save"].includes(data.type) });
    }
  });
};
