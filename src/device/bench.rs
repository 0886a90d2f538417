//! "Check this computer": which runs the page's benchmark makes, and what their measurements
//! mean. The page schedules the runs and times them; this module decides what is run, for how
//! long, and turns the figures into report lines and a verdict in words.

use serde::{Deserialize, Serialize};

use crate::config::TrainConfig;
use crate::device::{self, AdapterFacts, BackendKind};

/// The workloads measured, in the page's link form: DESIGN.md's `mlp` and `dcgan` at batch 64,
/// which compare machines and peers, and the run a bare link opens, whose speed says how soon a
/// newcomer sees digits.
pub const WORKLOADS: [(&str, &str); 3] =
    [("mlp", "batch=64"), ("opening", "preset=first_minute"), ("dcgan", "model=dcgan&batch=64")];
/// The measuring window of each run unless the caller asks for another, in seconds.
pub const DEFAULT_SECONDS: f64 = 3.0;
/// How long a first step may take before its run is given up: on a software adapter the
/// DCGAN's first step (its kernels compiled) takes more than a minute.
pub const FIRST_STEP_DEADLINE_MS: f64 = 20_000.0;
/// Steps by which the opening run shows all ten digits in the page: at step 1 261 of seed 0, the
/// page's, on this project's machine (natively, judged every 50 steps, seeds 0–4 drew them by
/// steps 750–1 200: README, "Presets").
pub const OPENING_TEN_DIGITS_STEPS: f64 = 1_250.0;
/// The adapter features that decide how fast the kernels can be: subgroup operations (which
/// burn's kernels require), half precision and GPU timestamps (for profiling).
pub const FEATURES: [&str; 3] = ["subgroups", "shader-f16", "timestamp-query"];
/// Bumped when a report line changes meaning, so that pasted lines of many machines can be told apart.
const REPORT_VERSION: u32 = 3;

/// One run of the plan: a workload on a backend.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlannedRun {
    /// `"cpu"`, or the GPU's name (`"webgpu"` in a browser).
    pub backend: &'static str,
    pub workload: &'static str,
    /// The workload's settings, as a link gives them.
    pub query: &'static str,
}

/// What the benchmark runs, in order, and for how long.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    /// Each run's measuring window after its first step, in milliseconds.
    pub measure_ms: f64,
    /// How long a run's first step may take, from asking for the trainer.
    pub deadline_ms: f64,
    pub runs: Vec<PlannedRun>,
}

/// The plan for windows of `seconds` (the default when `None` or not finite; 0.5 to 30). The
/// CPU runs come first and the DCGAN after the MLP: a GPU step cannot be interrupted, so a run
/// given up at its deadline leaves the GPU busy for the runs after it on that backend.
pub fn plan(seconds: Option<f64>) -> Plan {
    let seconds = seconds.filter(|s| s.is_finite()).unwrap_or(DEFAULT_SECONDS).clamp(0.5, 30.0);
    let runs = [BackendKind::Cpu, BackendKind::Gpu]
        .into_iter()
        .flat_map(|kind| WORKLOADS.map(|(workload, query)| PlannedRun { backend: kind.name(), workload, query }))
        .collect();
    Plan { measure_ms: seconds * 1000.0, deadline_ms: FIRST_STEP_DEADLINE_MS, runs }
}

/// The machine the benchmark ran on, as the page gathered it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Machine {
    /// The WebGPU adapter, when the browser offers one.
    pub adapter: Option<AdapterFacts>,
    /// Every feature the adapter offers.
    pub features: Vec<String>,
    pub user_agent: String,
    /// `navigator.hardwareConcurrency`.
    pub threads: u32,
}

/// What the page measured of one planned run.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Measured {
    pub backend: String,
    pub workload: String,
    /// The adapter the trainer ran on (`"CPU"` on the CPU).
    pub adapter: String,
    /// From asking for the trainer to the first step's statistics in JavaScript (device
    /// start-up and kernel compilation included); `None` if it missed the deadline.
    pub first_step_ms: Option<f64>,
    /// How long the page waited for a first step that missed the deadline.
    pub waited_ms: f64,
    /// Steps in the measuring window, as the page trains: steps, their statistics and the
    /// sample grid read back each frame.
    pub steps: u64,
    pub elapsed_ms: f64,
    /// GPU compute dispatches, queue submissions, buffers created and buffers mapped for
    /// reading in the window.
    pub dispatches: u64,
    pub submits: u64,
    pub buffers: u64,
    pub readbacks: u64,
    /// Whether the GPU fused operations (see [`device::Fusion`]).
    pub fused: bool,
    /// Why the run measured nothing (no WebGPU here, an error, an earlier run still busy).
    pub error: Option<String>,
}

/// One line of the report: a backend × workload, with the machine, so that lines from many
/// machines can be pasted into one file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Line {
    pub webgan_bench: u32,
    pub backend: String,
    pub workload: String,
    pub batch: u32,
    /// What the run ran on.
    pub adapter: String,
    pub vendor: String,
    pub architecture: String,
    pub device: String,
    pub description: String,
    /// `None` where the browser offers no WebGPU adapter.
    pub fallback: Option<bool>,
    /// Those of [`FEATURES`] the adapter offers.
    pub features: Vec<String>,
    /// The backend the page trains on here when its link names none.
    pub page_default: &'static str,
    pub user_agent: String,
    pub threads: u32,
    pub first_step_ms: Option<f64>,
    /// A first step that missed the deadline took longer than this.
    pub first_step_over_ms: Option<f64>,
    pub steps: u64,
    pub ms_per_step: Option<f64>,
    pub steps_per_s: Option<f64>,
    /// Whether the GPU fused operations, which sets the dispatch count (`None` on the CPU).
    pub fused: Option<bool>,
    /// GPU calls per step (`None` on the CPU), sample grid and statistics read back included.
    pub dispatches_per_step: Option<f64>,
    pub submits_per_step: Option<f64>,
    pub buffers_per_step: Option<f64>,
    pub readbacks_per_step: Option<f64>,
    pub error: Option<String>,
}

/// The fastest backend measured for a workload.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Best {
    pub backend: String,
    pub steps_per_s: f64,
}

/// The report's conclusion: an i18n key of the page and the figures its sentence names.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    /// `bench_verdict` (every workload measured), `bench_verdict_dcgan_slow` (no DCGAN step
    /// finished before the deadline), `bench_verdict_mlp_only` (the DCGAN failed everywhere)
    /// or `bench_verdict_none` (no step of the MLP or of the opening run measured).
    pub key: &'static str,
    pub mlp: Option<Best>,
    pub opening: Option<Best>,
    /// Seconds of training until the opening run draws all ten digits, at its best rate.
    pub digits_s: Option<f64>,
    pub dcgan: Option<Best>,
    /// Where no DCGAN step finished: it takes more than this many seconds.
    pub dcgan_over_s: Option<f64>,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub lines: Vec<Line>,
    pub verdict: Verdict,
}

/// `x` to `digits` significant digits, so that a report says no more than was measured.
fn significant(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(digits - 1 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

/// The report of `measured` on `machine`.
pub fn report(machine: &Machine, measured: &[Measured]) -> Report {
    let facts = machine.adapter.clone().unwrap_or_default();
    let page_default = match &machine.adapter {
        Some(facts) => device::choose(facts).kind.name(),
        None => BackendKind::Cpu.name(),
    };
    let features: Vec<String> =
        FEATURES.iter().filter(|f| machine.features.iter().any(|g| g == *f)).map(|f| f.to_string()).collect();
    let lines: Vec<Line> = measured
        .iter()
        .map(|m| {
            let rated = m.error.is_none() && m.steps > 0 && m.elapsed_ms > 0.0;
            let on_gpu = rated && m.backend != BackendKind::Cpu.name();
            let per_step = |count: u64| on_gpu.then(|| significant(count as f64 / m.steps as f64, 4));
            Line {
                webgan_bench: REPORT_VERSION,
                backend: m.backend.clone(),
                workload: m.workload.clone(),
                batch: batch(&m.workload),
                adapter: m.adapter.clone(),
                vendor: facts.vendor.clone(),
                architecture: facts.architecture.clone(),
                device: facts.device.clone(),
                description: facts.description.clone(),
                fallback: machine.adapter.as_ref().map(|a| a.fallback),
                features: features.clone(),
                page_default,
                user_agent: machine.user_agent.clone(),
                threads: machine.threads,
                first_step_ms: m.first_step_ms.map(|ms| ms.round()),
                first_step_over_ms: (m.error.is_none() && m.first_step_ms.is_none()).then(|| m.waited_ms.round()),
                steps: m.steps,
                ms_per_step: rated.then(|| significant(m.elapsed_ms / m.steps as f64, 4)),
                steps_per_s: rated.then(|| significant(1000.0 * m.steps as f64 / m.elapsed_ms, 4)),
                fused: on_gpu.then_some(m.fused),
                dispatches_per_step: per_step(m.dispatches),
                submits_per_step: per_step(m.submits),
                buffers_per_step: per_step(m.buffers),
                readbacks_per_step: per_step(m.readbacks),
                error: m.error.clone(),
            }
        })
        .collect();
    let verdict = verdict(&lines);
    Report { lines, verdict }
}

/// The fastest measured line of `workload`.
fn best(lines: &[Line], workload: &str) -> Option<Best> {
    lines
        .iter()
        .filter(|l| l.workload == workload)
        .filter_map(|l| Some(Best { backend: l.backend.clone(), steps_per_s: l.steps_per_s? }))
        .max_by(|a, b| a.steps_per_s.total_cmp(&b.steps_per_s))
}

fn verdict(lines: &[Line]) -> Verdict {
    let mlp = best(lines, "mlp");
    let opening = best(lines, "opening");
    let dcgan = best(lines, "dcgan");
    let dcgan_over_s = match dcgan {
        Some(_) => None,
        None => lines.iter().filter(|l| l.workload == "dcgan").filter_map(|l| l.first_step_over_ms).reduce(f64::min),
    }
    .map(|ms| (ms / 1000.0).floor());
    let digits_s = opening.as_ref().map(|b| significant(OPENING_TEN_DIGITS_STEPS / b.steps_per_s, 2));
    let key = match (&mlp, &opening, &dcgan, dcgan_over_s) {
        (None, _, _, _) | (_, None, _, _) => "bench_verdict_none",
        (Some(_), Some(_), Some(_), _) => "bench_verdict",
        (Some(_), Some(_), None, Some(_)) => "bench_verdict_dcgan_slow",
        (Some(_), Some(_), None, None) => "bench_verdict_mlp_only",
    };
    Verdict { key, mlp, opening, digits_s, dcgan, dcgan_over_s }
}

/// The batch of `workload`'s steps, as its settings give it (0 for a workload not planned).
fn batch(workload: &str) -> u32 {
    WORKLOADS
        .iter()
        .find(|(name, _)| *name == workload)
        .and_then(|(_, query)| TrainConfig::from_query(query).ok())
        .map_or(0, |config| config.batch_size as u32)
}
