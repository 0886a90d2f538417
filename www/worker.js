// The training loop, in a module Web Worker so that the page never stalls. It owns the wasm
// trainer, takes commands from app.js and sends back a frame (the new steps' statistics and the
// sample grid) several times a second. It saves the run to IndexedDB every few seconds, and a
// new worker resumes from that save after a reload, a lost GPU device or a trap.
import init, {
  WebTrainer, check_settings, max_checkpoint_bytes, max_lesson_bytes, page_constants, parse_lesson, preset_links, settings_schema,
  stat_columns, measured_columns, trap_for_test,
} from "./pkg/webgan.js";
import { benchmark } from "./bench.js";
import initBrotli, { brotli_dec } from "./vendor/brotli_dec_wasm.js";
import { forgetRun, loadRun, saveRun } from "./store.js";
import "./pkg/precache.js"; // self.PRECACHE: this build's version and files (see sw.js)

/** Target time between frames, in milliseconds. */
const FRAME_MS = 150;
/** Shortest time between two measurements of the generator's digits, in milliseconds. */
const METRICS_MS = 4000;
/** Measuring may take at most this share of the time (slow devices measure less often). */
const METRICS_SHARE = 0.05;
/** Real points the plane of a toy run shows. */
const REAL_POINTS = 512;
/** Time between automatic saves while the run advances, in milliseconds. */
const AUTOSAVE_MS = 15000;

/** The trainer, from the "init" command on: no other command runs before it (see onmessage).
 * @type {WebTrainer} */
let trainer = /** @type {any} */ (null);
/** The trainer's WebAssembly memory, reported with each frame so a soak test can watch it.
 * @type {WebAssembly.Memory | null} */
let wasmMemory = null;
let running = false;
/** The step the run pauses at (a lesson's stage ends there); Infinity when it trains on. */
let stopAt = Infinity;
/** The number of the page's last Train or Pause carried out, which each frame carries back. */
let pressed = 0;
let looping = false;
let stepsPerFrame = 1;
let judgeReady = false;
let nextMetricsAt = 0;
let measuredOnce = false;
/** Whether the run is on a 2-D toy data set: its frames carry the plane instead of digits. */
let toyRun = false;
/** When the run was last saved automatically, and under which settings at which step. */
let savedAt = 0;
/** @type {{query: string | null, step: number}} */
let saved = { query: null, step: -1 };
/** Set once the wasm instance has trapped: its state is then broken (later calls panic), so
 * nothing calls it again and the page replaces this worker. */
let crashed = false;

/** GPU buffers alive: created, and neither destroyed nor garbage-collected. Reported with each
 * frame so that a leak of device memory is visible (see bench/soak.mjs). wgpu's WebGPU backend
 * does not destroy a buffer it drops (its `Drop` is empty; cubecl's memory pool releases pages by
 * dropping them), so such a buffer lives until the JavaScript collector takes it: counting only
 * `destroy()` would count every page the pool ever released as alive. */
let liveGpuBuffers = 0;
/** Compute dispatches since start-up: kernel launches per step are what a software adapter
 * (and a browser's validation of each call) charges for (see bench/browser.mjs). */
let gpuDispatches = 0;
/** Queue submissions, buffers created and buffers mapped for reading since start-up: per step,
 * "Check this computer" reports them beside the dispatches (see bench.js). */
const gpuCalls = { submits: 0, buffers: 0, readbacks: 0 };
if (globalThis.GPUDevice) {
  const { dispatchWorkgroups } = GPUComputePassEncoder.prototype;
  GPUComputePassEncoder.prototype.dispatchWorkgroups = function (...counts) {
    gpuDispatches += 1;
    return dispatchWorkgroups.apply(this, counts);
  };
  const { submit } = GPUQueue.prototype;
  GPUQueue.prototype.submit = function (buffers) {
    gpuCalls.submits += 1;
    return submit.call(this, buffers);
  };
  const { mapAsync } = GPUBuffer.prototype;
  GPUBuffer.prototype.mapAsync = function (mode, ...range) {
    if (mode & 1) gpuCalls.readbacks += 1; // GPUMapMode.READ
    return mapAsync.call(this, mode, ...range);
  };
  // A buffer leaves the count once: destroyed (which unregisters it) or else collected.
  const collected = new FinalizationRegistry(() => { liveGpuBuffers -= 1; });
  const { createBuffer } = GPUDevice.prototype;
  const { destroy } = GPUBuffer.prototype;
  GPUDevice.prototype.createBuffer = function (descriptor) {
    liveGpuBuffers += 1;
    gpuCalls.buffers += 1;
    const buffer = createBuffer.call(this, descriptor);
    collected.register(buffer, undefined, buffer);
    return buffer;
  };
  GPUBuffer.prototype.destroy = function () {
    if (collected.unregister(this)) liveGpuBuffers -= 1;
    return destroy.call(this);
  };
}

const post = (message, transfer) => self.postMessage(message, transfer || []);
const progress = (key, fraction) => post({ type: "progress", key, fraction });
/** What the trainer threw, as the message the page words (see `TrainerError`); anything else
 * by its own words, which come from the browser. */
const detail = (error) =>
  typeof error?.key === "string" && typeof error.args === "object" ? { key: error.key, args: error.args } : String(error?.message ?? error);
/** Whether the trainer threw its divergence: it went back to its last good state. */
const diverged = (error) => error?.key === "error.diverged";

/** What Rust's panic hook last wrote to the console: it says more than the trap that follows
 * it, whose message is only "unreachable". */
let lastPanic = "";
const consoleError = console.error;
console.error = (...args) => {
  const text = String(args[0]);
  if (text.startsWith("panicked at")) lastPanic = text.split("\n\nStack")[0].replaceAll("\n", " ");
  consoleError(...args);
};

/** Tells the page, once, that the wasm instance trapped or an error escaped every handler. */
function crash(error) {
  if (crashed) return;
  crashed = true;
  running = false;
  post({ type: "crashed", detail: lastPanic || detail(error) });
}
// A panic inside a wasm future surfaces here, and the promise awaiting it never settles.
self.addEventListener("error", (e) => {
  e.preventDefault();
  crash(e.error ?? e.message);
});
self.addEventListener("unhandledrejection", (e) => {
  e.preventDefault();
  crash(e.reason);
});

/** An error worded by the page in the reader's language: `key` names the sentence and `values`
 * fill it in; the trainer's own message (`detail`) is one of them, worded by the page too. */
class Explained extends Error {
  constructor(key, values) {
    super(key);
    this.key = key;
    this.values = values;
  }
}

/** `error` as an error the page words: itself if it is one already, otherwise the trainer's or
 * the browser's own message under `key`. */
const explained = (error, key = "failed") => (error instanceof Explained ? error : new Explained(key, { detail: detail(error) }));

/** Lets a trap through a handler of ordinary failures: after one the instance is unusable, so
 * no handler may go on with it. */
const rethrowTrap = (error) => {
  if (error instanceof WebAssembly.RuntimeError) throw error;
};

/** Reports an error. A failed start is `fatal`; a failed training step `stop`s the run, while a
 * refused setting leaves it going. `key` words errors that are not already explained. */
const fail = async (error, { fatal = false, stop = true, key = "failed" } = {}) => {
  if (error instanceof WebAssembly.RuntimeError) return crash(error);
  if (stop) running = false;
  if (diverged(error)) {
    // The trainer went back to its last good state: the run pauses and the page explains.
    running = false;
    return post({ type: "diverged", step: error.args.step, back: error.args.back, detail: detail(error) });
  }
  // A failure caused by losing the GPU device is that loss, which the page recovers from.
  if (!(error instanceof Explained) && (await gpuDeviceLost())) return;
  const { key: worded, values } = explained(error, key);
  post({ type: "error", key: worded, values, fatal, stopped: !running });
};

/** How long a failure waits for the GPU device to report its loss: a read in flight fails a
 * moment before the device says it is lost. */
const LOSS_GRACE_MS = 1000;

/** Whether the trainer's GPU device is lost, or reports its loss within LOSS_GRACE_MS. */
function gpuDeviceLost() {
  const device = trainer?.gpu_device();
  if (!device) return Promise.resolve(false);
  return Promise.race([device.lost.then(() => true), new Promise((r) => setTimeout(() => r(false), LOSS_GRACE_MS))]);
}

/** This build's cache (see sw.js), or null where the browser keeps none (a page on plain http).
 * The worker reads its files there first, and puts there what it had to download: on the first
 * visit the service worker, registered once this worker is ready, then finds them and downloads
 * nothing twice. */
const buildCache = self.caches ? caches.open(`webgan-${self.PRECACHE.version}`).catch(() => null) : Promise.resolve(null);
/** Where sw.js and the paths of PRECACHE.files start. */
const ROOT = new URL("../", import.meta.url).href;

/** The SHA-256 of `blob`, in hex. */
async function sha256(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Fetches a file of the build with a visible progress bar (by the bytes that travel), from this
 * build's cache when it is there; a downloaded file is kept there when its bytes are the build's
 * (never a wrong or damaged copy). A missing file gets a message that says what to do. */
async function fetchWithProgress(url, key, from, to) {
  const cache = await buildCache;
  const cached = await cache?.match(url);
  const response = cached ?? (await fetch(url));
  if (!response.ok) throw new Explained("file_missing", { path: url.pathname, status: response.status });
  const total = Number(response.headers.get("content-length")) || 0;
  const reader = /** @type {ReadableStream<Uint8Array>} */ (response.body).getReader(); // an ok response has one
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    if (total) progress(key, from + ((to - from) * Math.min(received, total)) / total);
  }
  const blob = new Blob(chunks);
  if (cache && !cached && (await sha256(blob)) === self.PRECACHE.files[url.href.slice(ROOT.length)]) {
    const type = response.headers.get("content-type") ?? "application/octet-stream";
    await cache.put(url, new Response(blob, { headers: { "content-type": type } })).catch(() => {}); // a full disk costs only the next visit
  }
  return blob;
}

/** Starts the brotli decoder (brotli-dec-wasm, vendored by build.sh: browsers' DecompressionStream
 * has no brotli), from this build's files like the rest. */
async function loadBrotli() {
  const decoder = await fetchWithProgress(new URL("vendor/brotli_dec_wasm_bg.wasm", import.meta.url), "loading_wasm", 0, 0.02);
  await initBrotli({ module_or_path: await decoder.arrayBuffer() });
}

/** The bytes of a brotli file, inflated: the .wasm and the digits ship so (see build.sh), since
 * static hosts may not compress them on the way. */
const inflate = async (blob) => brotli_dec(new Uint8Array(await blob.arrayBuffer()));

async function loadDigits() {
  const url = new URL("data/mnist.bin.br", import.meta.url);
  const blob = await fetchWithProgress(url, "loading_data", 0.5, 0.7);
  try {
    return await inflate(blob);
  } catch (e) {
    throw new Explained("data_corrupt", { path: url.pathname, detail: detail(e) });
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
    const classifier = await file("classifier.bin", 0.9, 0.96);
    const reference = await file("fid_reference.bin", 0.96, 0.97);
    trainer.load_judge(classifier, reference);
    judgeReady = true;
    // The training digits' features, for "Is G copying?": without them the rest is measured.
    try {
      trainer.load_features(await file("train_features.bin", 0.97, 1));
    } catch (e) {
      rethrowTrap(e);
      const { key, values } = explained(e);
      post({ type: "features_unavailable", key, values });
    }
  } catch (e) {
    rethrowTrap(e);
    const { key, values } = explained(e);
    post({ type: "metrics_unavailable", key, values });
  }
}

/** Judges the generator's digits when it is time to: every METRICS_MS at most, and never more
 * than METRICS_SHARE of the time (the first measurement, which compiles the classifier's
 * kernels, does not count). */
async function maybeMeasure() {
  if (!judgeReady || toyRun || performance.now() < nextMetricsAt) return;
  const t0 = performance.now();
  let metrics;
  try {
    metrics = await trainer.measure();
  } catch (e) {
    // Digits that cannot be judged (not finite) have no metrics; training goes on.
    rethrowTrap(e);
    nextMetricsAt = performance.now() + METRICS_MS;
    return post({ type: "metrics_unavailable", key: "failed", values: { detail: detail(e) } });
  }
  const costMs = performance.now() - t0;
  const wait = measuredOnce ? Math.max(METRICS_MS, (costMs * (1 - METRICS_SHARE)) / METRICS_SHARE) : METRICS_MS;
  measuredOnce = true;
  nextMetricsAt = performance.now() + wait;
  const [history, transfer] = curves(); // with the new FID
  post({ type: "metrics", metrics, costMs, curves: history }, transfer);
}

/** Saves the run to IndexedDB when AUTOSAVE_MS have passed (or at once when `now`) and its
 * settings or step differ from the last save's. Only runs whose statistics were read as finite
 * get here, so a save is always good. A browser without storage is told once and training goes on. */
async function autosave(now = false) {
  if (crashed) return; // a trapped instance's state is no run to keep
  const step = trainer.step_count();
  const query = trainer.query();
  if ((query === saved.query && step === saved.step) || (!now && performance.now() - savedAt < AUTOSAVE_MS)) return;
  savedAt = performance.now();
  try {
    const bytes = await trainer.checkpoint();
    if (crashed) return;
    await saveRun(query, bytes, step);
    saved = { query, step };
    post({ type: "autosaved", step });
  } catch (e) {
    rethrowTrap(e);
    savedAt = Infinity; // do not try again
    post({ type: "autosave_unavailable", detail: detail(e) });
  }
}

/** Continues the run saved automatically under the settings in force, if there is one. A save
 * that cannot be restored is deleted and named; the fresh run stays. */
async function resumeAutosave() {
  const query = trainer.query();
  let run;
  try {
    run = await loadRun(query);
  } catch (e) {
    return post({ type: "autosave_unavailable", detail: detail(e) });
  }
  if (!run) return;
  try {
    trainer.restore(run.bytes);
    saved = { query, step: run.step };
    post({ type: "resumed", step: run.step, savedAt: run.savedAt });
  } catch (e) {
    rethrowTrap(e);
    await forgetRun(query).catch(() => {});
    fail(new Explained("autosave_damaged", { detail: detail(e) }), { stop: false });
  }
}

/** After the trainer took on another run (a reset, or a file opened): the page gets its settings,
 * `news` if any, its curves (empty for a fresh run, so the page drops what the old run still
 * sent) and a frame, and the run is saved at once under its settings.
 * @param {object | null} [news] */
async function showNewRun(news = null) {
  stepsPerFrame = 1;
  nextMetricsAt = performance.now() + METRICS_MS; // the new run's first judgement comes soon
  postConfig();
  if (news) post(news);
  postHistory();
  await frame(0);
  saved = { query: null, step: -1 };
  await autosave(true);
}

/** The run's curves so far, as the trainer keeps them (thinned on long runs), for the chart:
 * `[{rows, measured}, the buffers to transfer]`.
 * @returns {[{rows: Float32Array, measured: Float32Array}, ArrayBufferLike[]]} */
function curves() {
  const rows = trainer.history_rows();
  const measured = trainer.history_measured();
  return [{ rows, measured }, [rows.buffer, measured.buffer]];
}

/** Sends the curves of a run that was opened or resumed, so the chart continues them. */
function postHistory() {
  const [history, transfer] = curves();
  post({ type: "history", ...history }, transfer);
}

/** Downloads (or takes from the cache) and starts the WebAssembly trainer. */
async function loadTrainer() {
  await loadBrotli();
  const wasm = await fetchWithProgress(new URL("pkg/webgan_bg.wasm.br", import.meta.url), "loading_wasm", 0.02, 0.5);
  wasmMemory = (await init({ module_or_path: await inflate(wasm) })).memory;
  // The settings and limits the page's controls and views are built from, as soon as they are known.
  post({ type: "schema", schema: settings_schema(), constants: page_constants() });
}

/** `backend` is "webgpu", "cpu" or "auto" (the trainer chooses by the adapter, src/device/mod.rs);
 * `fusion` "off" runs a GPU's operations unfused, for measuring (else "on" or ""). */
async function start({ query: q, backend, fusion }) {
  await loadTrainer();
  // Bad settings in a link must not stop the lesson: say what was wrong and open as a link
  // without settings does.
  const problem = check_settings(q);
  const query = problem ? "" : q;
  if (problem) fail(new Explained("link_settings_ignored", { detail: problem }), { stop: false });
  const digits = await loadDigits();
  progress({ cpu: "starting_cpu", webgpu: "starting_gpu" }[backend] ?? "starting_trainer", 0.75);
  const t0 = performance.now();
  trainer = await WebTrainer.create(digits, query, backend, fusion);
  // Settings too large for this device: the trainer took the defaults, and the lesson goes on.
  const refusal = trainer.settings_refusal();
  if (refusal) fail(new Explained("link_settings_refused", { detail: refusal }), { stop: false });
  const taken = trainer.query(); // the settings the trainer took
  // One real step compiles every kernel training needs; then the run restarts from the seed,
  // so the students' step 1 is not the one that waited for the compiler.
  progress(trainer.backend() === "webgpu" ? "warming" : "warming_cpu", 0.8);
  trainer.steps(1);
  await trainer.frame();
  trainer.reset(taken);
  const firstStepMs = performance.now() - t0;
  watchGpuDevice();
  await loadJudge();
  post({
    type: "ready",
    backend: trainer.backend(),
    adapter: trainer.adapter(),
    fused: trainer.fused(),
    notice: trainer.notice(),
    reason: trainer.backend_reason(),
    columns: stat_columns(),
    measuredColumns: measured_columns(),
    presets: preset_links(),
    firstStepMs,
  });
  await resumeAutosave();
  postConfig();
  postHistory();
  await frame(0);
}

/** Tells the page when the GPU device is lost (a driver reset, a long time in the background):
 * the page then starts a new worker, with a new device, that resumes from the last save. */
function watchGpuDevice() {
  const device = trainer.gpu_device();
  if (!device) return;
  device.lost.then((info) => {
    running = false;
    post({ type: "device_lost", detail: info.message || String(info.reason) });
  });
}

/** Tells the page the settings in force; `change`, after the page changed them, says which
 * optimisers started afresh. */
function postConfig(change = null) {
  const config = trainer.config();
  toyRun = trainer.toy();
  const real = trainer.real_points(REAL_POINTS);
  const facts = { relevant: trainer.relevant_settings(), wasserstein: trainer.wasserstein(), toy: toyRun, drawn: trainer.drawn() };
  post({ type: "config", config, query: trainer.query(), step: trainer.step_count(), change, real, ...facts }, [real.buffer]);
}

/** Reads what the steps since the last frame produced and sends it to the page. `since` is when
 * those steps were queued: the rate counts until their results reached JavaScript. */
async function frame(stepsTaken, since = 0) {
  // The statistics, and the run's picture: a digit run's sample grid, a toy run's plane.
  const { step, rows, samples, plane, side } = await trainer.frame();
  const elapsedMs = performance.now() - since;
  const picture = plane ? [plane.points.buffer, plane.logits.buffer, plane.push.buffer] : samples ? [samples.buffer] : [];
  const [history, historyBuffers] = curves();
  post(
    {
      type: "frame",
      step,
      rows,
      curves: history,
      samples,
      plane,
      side,
      stepsPerSecond: stepsTaken ? (1000 * stepsTaken) / elapsedMs : 0,
      running,
      pressed,
      memory: { wasmBytes: wasmMemory?.buffer.byteLength ?? 0, gpuBuffers: liveGpuBuffers, gpuDispatches },
    },
    [rows.buffer, ...picture, ...historyBuffers],
  );
}

/** Aims for one frame every FRAME_MS: more steps per frame on a fast device. */
const nextStepsPerFrame = (steps, elapsedMs) => Math.max(1, Math.min(256, Math.round((steps * FRAME_MS) / Math.max(elapsedMs, 1))));

async function loop() {
  if (looping) return;
  looping = true;
  try {
    while (running) {
      const steps = Math.min(stepsPerFrame, stopAt - trainer.step_count());
      if (steps <= 0) {
        running = false;
        await frame(0);
        post({ type: "reached", step: trainer.step_count(), pressed });
        await autosave(true);
        break;
      }
      const t0 = performance.now();
      trainer.steps(steps);
      await frame(steps, t0);
      const elapsed = performance.now() - t0;
      await maybeMeasure();
      await autosave();
      stepsPerFrame = nextStepsPerFrame(steps, elapsed);
      // Let queued commands (pause, settings) in between frames.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } catch (e) {
    fail(e);
    if (!crashed) await frame(0).catch(() => {}); // the grid shows the state the run is in now
  } finally {
    looping = false;
  }
  // A Train pressed while this loop was winding down (its last frame, the save at a stage's end)
  // found it still looping: carry it out.
  if (running && !crashed) loop();
}

const commands = {
  init: (m) => start(m),
  // "Check this computer", in a worker of its own that the page starts for it (see bench.js).
  bench: async (m) => {
    await loadTrainer();
    const gpu = () => ({ dispatches: gpuDispatches, ...gpuCalls });
    await benchmark(m.seconds, { digits: await loadDigits(), gpu, nextStepsPerFrame, post });
  },
  // `until`: the step to pause at, for a lesson's stage; without it the run trains on.
  run: (m) => {
    running = true;
    stopAt = m.until ?? Infinity;
    pressed = m.pressed;
    loop();
  },
  pause: async (m) => {
    running = false;
    pressed = m.pressed;
    await frame(0); // tells the page the run has stopped, after any frame still on its way
    await autosave(true);
  },
  step: async () => {
    if (running) return;
    trainer.steps(1);
    await frame(0);
    await maybeMeasure();
    await autosave();
  },
  reset: async (m) => {
    try {
      trainer.reset(m.query);
    } catch (e) {
      rethrowTrap(e);
      postConfig(); // the run on screen stays, and the controls go back to its settings
      throw new Explained("setting_refused", { detail: detail(e) });
    }
    await showNewRun();
  },
  save: async () => {
    const bytes = await trainer.checkpoint();
    post({ type: "checkpoint", bytes, step: trainer.step_count() }, [bytes.buffer]);
  },
  open: async (m) => {
    // Checkpoints of these networks are a few MB; a huge file is not one, so it is never read.
    const limit = max_checkpoint_bytes();
    if (m.file.size > limit) throw new Explained("file_too_large", { name: m.file.name, mb: limit / 1e6 });
    const bytes = new Uint8Array(await m.file.arrayBuffer());
    try {
      trainer.restore(bytes);
    } catch (e) {
      rethrowTrap(e);
      throw new Explained("open_refused", { detail: detail(e) }); // the run on screen stays
    }
    await showNewRun({ type: "opened", step: trainer.step_count() });
  },
  // A changed control: the trainer keeps the weights, or starts a fresh run where the change
  // needs other networks (its decision, not this file's).
  config: async (m) => {
    let change;
    try {
      change = trainer.set_query(m.query);
    } catch (e) {
      rethrowTrap(e);
      postConfig(); // the controls go back to the settings still in force
      throw new Explained("setting_refused", { detail: detail(e) });
    }
    if (change.restarted) return showNewRun();
    postConfig(change);
    await autosave(true); // a reload must find the run under its new settings
  },
  // Digits along a walk between two noise vectors, and the digit for the dialled noise.
  latent: async (m) => {
    if (toyRun) return;
    const walk = await trainer.walk(m.pair, m.count, m.spherical, m.digit ?? 0);
    const dial = await trainer.dial(m.pair, Float32Array.from(m.dials), m.digit ?? 0);
    const [width, height] = WebTrainer.strip_size(m.count);
    post({ type: "latent", walk, dial, width, height, pair: m.pair, step: trainer.step_count() }, [walk.buffer, dial.buffer]);
  },
  // A lesson's file or text, checked by the trainer; the page walks through what comes back.
  lesson: async (m) => {
    const text = m.file ? await m.file.slice(0, max_lesson_bytes() + 1).text() : m.text;
    try {
      post({ type: "lesson", lesson: parse_lesson(text), id: m.id ?? "" });
    } catch (e) {
      rethrowTrap(e);
      throw new Explained("lesson_refused", { detail: detail(e) });
    }
  },
  // Simulates a driver reset, as WEBGL_lose_context does for WebGL: lets a teacher (and the
  // page test) check that a run survives one.
  lose_device: async () => trainer.gpu_device()?.destroy(),
  // A real trap (a Rust panic), for the page test of the recovery from one.
  trap: () => trap_for_test(),
};

// Commands run one after another. The training loop runs beside them, taking turns at its awaits:
// a read it began before a reset or an opened file comes back dropped, since each read carries the
// run it was taken from (src/session.rs), so two runs never mix.
let queue = Promise.resolve();
self.onmessage = ({ data }) => {
  queue = queue.then(async () => {
    if (crashed || !Object.hasOwn(commands, data.type) || (!["init", "bench"].includes(data.type) && !trainer)) return;
    try {
      await commands[data.type](data);
    } catch (e) {
      fail(e, { fatal: data.type === "init", stop: !["config", "reset", "open", "save", "lesson"].includes(data.type) });
      if (diverged(e)) await frame(0).catch(() => {});
    }
  });
};
