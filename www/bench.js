// "Check this computer", the worker's side: throwaway runs of the benchmark's workloads on each
// backend, timed as the training loop trains, and their report. What is run, for how long, and
// what the figures mean are src/device/bench.rs's; this file only runs and times. It runs in a worker
// of its own (the page starts one for it and ends it after), which never touches a saved run.
import { WebTrainer, bench_plan, bench_report } from "./pkg/webgan.js";

const detail = (error) => String(error && error.message ? error.message : error);

/** The browser's WebGPU adapter, as src/device/bench.rs's `Machine`. */
async function describeMachine() {
  const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
  const info = /** @type {any} */ (adapter?.info);
  return {
    adapter: info ? {
      vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description,
      fallback: Boolean(info.isFallbackAdapter ?? /** @type {any} */ (adapter).isFallbackAdapter),
    } : null,
    features: adapter ? [...adapter.features] : [],
    user_agent: navigator.userAgent,
    threads: navigator.hardwareConcurrency || 0,
  };
}

/** Measures one run of the plan (src/device/bench.rs's `Measured`): the time from asking for a trainer
 * to its first step and sample grid, then frames as the training loop takes them for
 * `plan.measure_ms`, with the GPU's dispatches, submissions, buffers made and readbacks. A first step that misses
 * `plan.deadline_ms` is given up, since a GPU step cannot be interrupted. */
async function measure(run, plan, digits, { gpu, nextStepsPerFrame }, onProgress) {
  /** @type {{backend: string, workload: string, adapter: string, first_step_ms: number | null, waited_ms: number, steps: number,
   *   elapsed_ms: number, dispatches: number, submits: number, buffers: number, readbacks: number, fused: boolean, error: string | null}} */
  const result = {
    backend: run.backend, workload: run.workload, adapter: "", first_step_ms: null, waited_ms: 0, steps: 0, elapsed_ms: 0,
    dispatches: 0, submits: 0, buffers: 0, readbacks: 0, fused: false, error: null,
  };
  const t0 = performance.now();
  let trial;
  try {
    trial = await WebTrainer.create(digits, run.query, run.backend, "");
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw e;
    return { ...result, error: detail(e) };
  }
  try {
    if (trial.backend() !== run.backend) return { ...result, error: trial.notice() }; // no WebGPU here
    result.adapter = trial.adapter();
    result.fused = trial.fused();
    trial.steps(1);
    const first = trial.frame().then(() => null, (e) => e);
    const late = new Promise((r) => setTimeout(() => r("late"), Math.max(0, plan.deadline_ms - (performance.now() - t0))));
    const outcome = await Promise.race([first, late]);
    if (outcome === "late") return { ...result, waited_ms: performance.now() - t0 };
    if (outcome) return { ...result, error: detail(outcome) };
    result.first_step_ms = performance.now() - t0;
    const before = gpu();
    const m0 = performance.now();
    let steps = 1;
    while (performance.now() - m0 < plan.measure_ms) {
      const f0 = performance.now();
      trial.steps(steps);
      await trial.frame();
      result.steps += steps;
      steps = nextStepsPerFrame(steps, performance.now() - f0);
      onProgress(Math.min(1, (performance.now() - m0) / plan.measure_ms));
    }
    const after = gpu();
    const counts = Object.fromEntries(Object.keys(before).map((key) => [key, after[key] - before[key]]));
    return { ...result, ...counts, elapsed_ms: performance.now() - m0 };
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw e;
    return { ...result, error: detail(e) };
  } finally {
    trial.free();
  }
}

/** Runs the plan for windows of `seconds` (the default when undefined) and posts
 * `bench_progress` messages, then `bench_report` with the report. `context` is the worker's:
 * the `digits`, its GPU counters (`gpu()`), its frame rule and `post`. */
export async function benchmark(seconds, context) {
  const { digits, post } = context;
  const plan = bench_plan(seconds);
  const machine = await describeMachine();
  const measured = [];
  /** Backends still working on a first step that missed its deadline: later runs would wait behind it. */
  const busy = new Set();
  for (const [index, run] of plan.runs.entries()) {
    const onProgress = (fraction) => post({ type: "bench_progress", index, count: plan.runs.length, backend: run.backend, workload: run.workload, fraction });
    onProgress(0);
    if (busy.has(run.backend)) {
      measured.push({ backend: run.backend, workload: run.workload, error: "not measured: an earlier step on this backend had not finished" });
      continue;
    }
    const m = await measure(run, plan, digits, context, onProgress);
    if (m.first_step_ms === null && !m.error) busy.add(run.backend);
    measured.push(m);
  }
  post({ type: "bench_report", report: bench_report(machine, measured) });
}
