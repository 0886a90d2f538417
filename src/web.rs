//! The browser façade: the only module that knows about JavaScript. It owns device start-up
//! (WebGPU, or the CPU backend with a notice), and exposes a [`WebTrainer`] whose reads are
//! asynchronous, because a browser thread must never block on the GPU.

use std::cell::RefCell;
use std::rc::Rc;

use burn::tensor::{Tensor, TensorData};
use js_sys::{Float32Array, Promise, Uint8Array, Uint8ClampedArray};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::config::lesson::{self, Lesson};
use crate::data::toy;
use crate::device::bench;
use crate::device::{self, AdapterFacts, BackendChoice, BackendKind, ComputeDevice, Fusion, NoGpu};
use crate::judge::LIVE_SAMPLES;
use crate::judge::copying::{Match, Neighbours};
use crate::judge::saliency::Saliency;
use crate::message::{Explain, Message};
use crate::session::{Applied, Session};
use crate::tensor::floats;
use crate::train::checkpoint::Checkpoint;
use crate::train::history::MEASURED;
use crate::train::stats::ROW;
use crate::view::grid::{Rgba, digit_grid, sample_grid};
use crate::view::latent;
use crate::view::plane::PlaneView;
use crate::{ConfigChange, Digits, TrainConfig, config::presets};

#[wasm_bindgen(inline_js = r#"
let errors = [];
let lost = "";
let facts = {};
let device = null;

// wgpu (30) does not pass the `subgroups` feature on to the browser when it requests a
// device, yet burn's WGSL kernels read subgroup built-ins and so begin with
// `enable subgroups;`. Without the feature the browser rejects those shaders, the command
// buffers that use them are invalid, and training silently computes garbage. So: request
// the feature whenever the adapter has it, refuse adapters without it, and collect every
// uncaptured GPU error so that none can pass unseen. Answers "", or why WebGPU is unusable
// (a name of `NoGpu`'s, which words it).
export async function prepareWebGpu() {
  const gpu = globalThis.navigator && globalThis.navigator.gpu;
  if (!gpu) return "missing";
  const adapter = await gpu.requestAdapter();
  if (!adapter) return "no_adapter";
  if (!adapter.features.has("subgroups")) return "no_subgroups";
  // Browsers leave the adapter's description empty; vendor and architecture still say what it is.
  const info = adapter.info || {};
  facts = {
    vendor: info.vendor || "", architecture: info.architecture || "", device: info.device || "",
    description: info.description || "", fallback: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
  };
  const proto = Object.getPrototypeOf(adapter);
  if (!proto.webganOriginalRequestDevice) {
    proto.webganOriginalRequestDevice = proto.requestDevice;
    proto.requestDevice = async function (descriptor) {
      const wanted = new Set((descriptor && descriptor.requiredFeatures) || []);
      if (this.features.has("subgroups")) wanted.add("subgroups");
      const opened = await this.webganOriginalRequestDevice({ ...descriptor, requiredFeatures: [...wanted] });
      opened.addEventListener("uncapturederror", (e) => errors.push(e.error.message));
      opened.lost.then((info) => { lost = info.message || String(info.reason); });
      device = opened;
      return opened;
    };
  }
  return "";
}

export function gpuDevice() {
  return device;
}

export function adapterFacts() {
  return JSON.stringify(facts);
}

export function takeGpuError() {
  if (lost) return "the GPU device was lost: " + lost;
  const message = errors.slice(0, 3).join("\n");
  errors = [];
  return message;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = prepareWebGpu)]
    async fn prepare_webgpu() -> JsValue;
    #[wasm_bindgen(js_name = adapterFacts)]
    fn adapter_facts() -> String;
    #[wasm_bindgen(js_name = takeGpuError)]
    fn take_gpu_error() -> String;
    #[wasm_bindgen(js_name = gpuDevice)]
    fn opened_gpu_device() -> JsValue;
}

#[wasm_bindgen(typescript_custom_section)]
const ANSWERS: &str = r#"
/** One frame of a run: the statistics of the steps since the last frame (rows of
 * `stat_columns()`), and the run's picture: the sample grid for digits, the plane for a toy. */
export interface Frame {
  step: number;
  rows: Float32Array;
  samples: Uint8ClampedArray | null;
  plane: Plane | null;
  side: number;
}
/** A toy run's plane: G's points, D's logits on a grid, G's pushes, and the modes covered. */
export interface Plane {
  points: Float32Array;
  logits: Float32Array;
  push: Float32Array;
  resolution: number;
  coverage: { modes_hit: number; modes: number; quality: number } | null;
}
/** Whether a change of settings started a fresh run, and which optimisers started afresh. */
export interface SettingsChange { restarted: boolean; reset_g: boolean; reset_d: boolean }
/** A sentence of the page's (`key`) with its values. */
export interface Reason { key: string; values: Record<string, string> }
/** What the trainer says, to be worded in the reader's language: a sentence of the page's by
 * `key`, and its values, which may be messages themselves or lists of them (one a line). */
export interface Message { key: string; args: Record<string, MessageArg> }
export type MessageArg = string | number | Message | Message[];
/** What the trainer throws: its message, with its English words (`message`) for logs. */
export interface TrainerError extends Message { message: string }
export interface PresetLink { id: string; query: string }
/** A lesson, checked by the trainer: each stage's settings as a query, the names it hides, the
 * step its run pauses at, and its texts in every language the page speaks. */
export interface Lesson {
  title: Record<string, string>;
  stages: {
    preset: string | null;
    query: string;
    hide: string[];
    steps: number;
    text: Record<string, { title: string; read: string; ask: string; observe: string }>;
  }[];
}
/** The judge's verdict on the generator's digits at `step`. */
export interface Metrics {
  step: number;
  count: number;
  fid: number;
  /** Precision and recall against real digits, and what they say together. */
  precision?: number;
  recall?: number;
  reading?: "good" | "narrow" | "blurry" | "poor" | "mixed";
  alarm: "quiet" | "learning" | "collapse";
  /** The share of G's digits within τ of a training digit, beside real digits' share; absent
   * until the training digits' features are computed, and off MNIST. */
  closeness?: { share: number; reference: number; threshold: number; standing: "copying" | "like_real" | "apart" };
  /** What D sees, measured with the digits; absent for a toy, null when another run replaced this one. */
  saliency?: Saliency | null;
  /** The grid's diagonal beside its nearest training digits; absent until they can be found,
   * null when another run replaced this one. */
  neighbours?: Neighbours | null;
  [figure: string]: unknown;
}
/** G's digits (top row) over their nearest training digits, three in features then three in
 * pixels (RGBA, `width` × `height`), and the distance to the nearest in each space, a column each. */
export interface Neighbours {
  rgba: Uint8ClampedArray; width: number; height: number; inFeatures: Float32Array; inPixels: Float32Array;
}
/** What D sees of a few grid digits and a real one: their heat maps side by side (RGBA,
 * `width` × `height`) and D's verdict on each. */
export interface Saliency { rgba: Uint8ClampedArray; width: number; height: number; verdicts: Float32Array }
"#;

#[wasm_bindgen]
extern "C" {
    /// The browser's `GPUDevice` the trainer opened.
    #[wasm_bindgen(typescript_type = "GPUDevice")]
    pub type GpuDevice;
    #[wasm_bindgen(typescript_type = "Promise<Frame>")]
    pub type FramePromise;
    #[wasm_bindgen(typescript_type = "Promise<Metrics>")]
    pub type MetricsPromise;
    #[wasm_bindgen(typescript_type = "SettingsChange")]
    pub type SettingsChangeJs;
    #[wasm_bindgen(typescript_type = "Reason | null")]
    pub type ReasonJs;
    #[wasm_bindgen(typescript_type = "Message | null")]
    pub type MessageJs;
    #[wasm_bindgen(typescript_type = "PresetLink[]")]
    pub type PresetLinks;
    #[wasm_bindgen(typescript_type = "Lesson")]
    pub type LessonJs;
    /// An object of named values, such as the settings or the schema.
    #[wasm_bindgen(typescript_type = "Record<string, any>")]
    pub type Named;
}

/// `value` as a JavaScript object. Every structured answer crosses to the page this way, typed
/// for its type check by the interfaces above, so no script parses JSON from the trainer.
fn to_js<T: wasm_bindgen::JsCast>(value: &impl serde::Serialize) -> T {
    let text = serde_json::to_string(value).expect("answers serialise");
    js_sys::JSON::parse(&text).expect("serde_json writes JSON").unchecked_into()
}

/// A JavaScript object the page built (the benchmark's measurements) as the Rust value it stands for.
fn from_js<T: serde::de::DeserializeOwned>(value: &JsValue) -> Result<T, JsValue> {
    let text = js_sys::JSON::stringify(value).map(String::from).unwrap_or_default();
    serde_json::from_str(&text).map_err(js_error)
}

unsafe extern "C" {
    /// The static constructors, which the linker gathers into one function (burn's kernel IR
    /// registers its types and dialects through them).
    fn __wasm_call_ctors();
}

/// Runs the static constructors, once. A module none of whose exports calls them is, to the
/// WebAssembly linker, a "command", and then it runs every constructor again at the top of
/// every export: wasm-bindgen's allocator and reference-table exports among them, which
/// JavaScript calls for each string, array and GPU object it hands over. That made every kernel
/// launch in the browser cost milliseconds of CPU. Called at start-up and again before a
/// trainer is made, for hosts (such as a test harness) that never run the start function.
fn run_static_constructors() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: the linker-made constructor function, run before anything needs what it registers.
    ONCE.call_once(|| unsafe { __wasm_call_ctors() });
}

#[wasm_bindgen(start)]
fn start() {
    run_static_constructors();
    console_error_panic_hook::set_once();
}

thread_local! {
    /// The GPU can be initialised once per page; its outcome is kept for every later trainer.
    static GPU: RefCell<Option<Result<ComputeDevice, NoGpu>>> = const { RefCell::new(None) };
    /// What preparing the browser's adapter said (nothing, or why WebGPU is unusable), once per page.
    static PREPARED: RefCell<Option<Result<(), NoGpu>>> = const { RefCell::new(None) };
}

/// Prepares the browser's WebGPU adapter on first use, recording what it says of itself:
/// nothing, or why WebGPU is unusable. The choice of a backend and the GPU's start both need it.
async fn prepared() -> Result<(), NoGpu> {
    if let Some(known) = PREPARED.with(|p| p.borrow().clone()) {
        return known;
    }
    let outcome = match prepare_webgpu().await.as_string().unwrap_or_default().as_str() {
        "" => Ok(()),
        "missing" => Err(NoGpu::Missing),
        "no_adapter" => Err(NoGpu::NoAdapter),
        _ => Err(NoGpu::NoSubgroups),
    };
    PREPARED.with(|p| *p.borrow_mut() = Some(outcome.clone()));
    outcome
}

/// The WebGPU device, started on first use, fusing operations unless `fusion` is off (the first
/// request stands for the page); `Err` says why there is none.
pub async fn webgpu(fusion: Fusion) -> Result<ComputeDevice, NoGpu> {
    run_static_constructors();
    if let Some(known) = GPU.with(|g| g.borrow().clone()) {
        return known;
    }
    let outcome = match prepared().await {
        Ok(()) => device::gpu_async(&reported_facts(), fusion).await,
        Err(why) => Err(why),
    };
    GPU.with(|g| *g.borrow_mut() = Some(outcome.clone()));
    outcome
}

/// What the browser said of its WebGPU adapter when it was prepared.
fn reported_facts() -> AdapterFacts {
    serde_json::from_str(&adapter_facts()).unwrap_or_default()
}

/// The device for a link that names no backend, by [`device::choose`]: WebGPU, or the CPU
/// backend where the adapter runs on the processor (then with its choice, to explain it).
/// Where WebGPU is unusable, the CPU with why, as for `"webgpu"`.
async fn automatic(fusion: Fusion) -> (ComputeDevice, Option<NoGpu>, Option<BackendChoice>) {
    if let Err(why) = prepared().await {
        return (device::cpu(), Some(why), None);
    }
    let choice = device::choose(&reported_facts());
    if choice.kind == BackendKind::Cpu {
        return (device::cpu(), None, Some(choice));
    }
    match webgpu(fusion).await {
        Ok(device) => (device, None, None),
        Err(why) => (device::cpu(), Some(why), None),
    }
}

/// What "Check this computer" runs (see [`bench::plan`]): measuring windows of
/// `seconds`, or the default.
#[wasm_bindgen]
pub fn bench_plan(seconds: Option<f64>) -> Named {
    to_js(&bench::plan(seconds))
}

/// The benchmark's report `{lines, verdict}` (see [`bench::report`]), from the machine the
/// page describes and what it measured of each run.
#[wasm_bindgen]
pub fn bench_report(machine: JsValue, measured: JsValue) -> Result<Named, JsValue> {
    let machine: bench::Machine = from_js(&machine)?;
    let measured: Vec<bench::Measured> = from_js(&measured)?;
    Ok(to_js(&bench::report(&machine, &measured)))
}

/// Checks URL-hash style settings without starting anything: `null` when they are valid,
/// otherwise the refusal, naming each field and what it accepts.
#[wasm_bindgen]
pub fn check_settings(query: &str) -> MessageJs {
    to_js(&TrainConfig::from_query(query).err().map(|e| e.message()))
}

/// Every key of a message the trainer may give (`Message.key`, nested ones included), for the
/// page's test that each has words in every language.
#[wasm_bindgen]
pub fn message_keys() -> Vec<String> {
    crate::session::message_keys().into_iter().chain(WebError::KEYS.iter().copied()).map(Into::into).collect()
}

/// The settings schema (see [`crate::config::schema::schema_json`]): the page's lab builds its
/// groups and controls from it.
#[wasm_bindgen]
pub fn settings_schema() -> Named {
    js_sys::JSON::parse(&crate::config::schema::schema_json()).expect("the schema is JSON").unchecked_into()
}

/// The limits the page's views work to, `{max_drawn, point_decimals, classes,
/// covered_share, alarm_window, page_parts}`: the points a drawing may hold and the decimals
/// each keeps, the classes the digit classifier tells apart, the share that counts a class as
/// drawn, the steps narrow digits must fail to improve for before the mode-collapse alarm
/// sounds, and the parts of the page a link or a lesson may hide (index.html marks each part's
/// elements with `data-part`).
#[wasm_bindgen]
pub fn page_constants() -> Named {
    let (max_drawn, point_decimals) = (toy::MAX_DRAWN, crate::config::POINT_DECIMALS);
    to_js(&serde_json::json!({
        "max_drawn": max_drawn,
        "point_decimals": point_decimals,
        "classes": crate::data::CLASSES,
        "covered_share": crate::judge::COVERED_SHARE,
        "alarm_window": crate::judge::alarm::ALARM_WINDOW,
        "page_parts": lesson::PAGE_PARTS,
    }))
}

/// The presets, `[{id, query}]`, `query` being the settings in URL-hash form.
#[wasm_bindgen]
pub fn preset_links() -> PresetLinks {
    let list: Vec<_> =
        presets::all().into_iter().map(|p| serde_json::json!({ "id": p.id, "query": p.config.to_query() })).collect();
    to_js(&list)
}

/// A lesson file's text, read and checked (see [`crate::config::lesson`]); a lesson with
/// problems is refused with each of them, by stage and field.
#[wasm_bindgen]
pub fn parse_lesson(text: &str) -> Result<LessonJs, JsValue> {
    Lesson::from_json(text).map(|lesson| to_js(&lesson)).map_err(thrown)
}

/// The largest lesson file [`parse_lesson`] reads, in bytes: the page reads no more of a file.
#[wasm_bindgen]
pub fn max_lesson_bytes() -> f64 {
    lesson::MAX_BYTES as f64
}

/// The largest file [`WebTrainer::restore`] reads, in bytes: a larger one is not a checkpoint
/// of these networks, so the page refuses it before reading it.
#[wasm_bindgen]
pub fn max_checkpoint_bytes() -> f64 {
    crate::train::checkpoint::MAX_BYTES as f64
}

/// Panics, which in WebAssembly is a trap that leaves the module unusable: lets the page's test
/// check that a trap costs the visitor no more than the seconds since the last save.
#[wasm_bindgen]
pub fn trap_for_test() {
    panic!("a trap asked for by trap_for_test");
}

/// The names of the values in each row of a [`WebTrainer::frame`]'s statistics, in order.
#[wasm_bindgen]
pub fn stat_columns() -> Vec<String> {
    ROW.iter().map(|c| c.to_string()).collect()
}

/// The names of the values in each row of [`WebTrainer::history_measured`], in order.
#[wasm_bindgen]
pub fn measured_columns() -> Vec<String> {
    MEASURED.iter().map(|c| c.to_string()).collect()
}

/// What the trainer throws (a `TrainerError`): `why`'s message, worded by the page, and its
/// English words for logs. A run whose statistics turned non-finite is one too (`Diverged`).
fn thrown(why: impl Explain + std::fmt::Display) -> JsValue {
    let error: JsValue = to_js::<JsValue>(&why.message());
    js_sys::Reflect::set(&error, &"message".into(), &why.to_string().into()).expect("an object takes properties");
    error
}

/// An error known only by its English words, thrown as [`thrown`] throws the others.
fn js_error(message: impl std::fmt::Display) -> JsValue {
    thrown(WebError::Plain(message.to_string()))
}

/// The browser façade's own errors.
#[derive(Debug, thiserror::Error)]
enum WebError {
    #[error("unknown backend `{0}`; use webgpu, cpu or auto")]
    Backend(String),
    #[error("unknown fusion `{0}`; use on, off or nothing")]
    Fusion(String),
    #[error("the digit classifier is not loaded")]
    NoClassifier,
    #[error("WebGPU reported an error, so the results cannot be trusted: {0}")]
    GpuReported(String),
    /// Words from elsewhere (a tensor that could not be read back, wgpu's own).
    #[error("{0}")]
    Plain(String),
}

impl Explain for WebError {
    const KEYS: &'static [&'static str] =
        &["error.backend", "error.fusion", "error.no_classifier", "error.gpu_reported", "error.plain"];

    fn message(&self) -> Message {
        match self {
            Self::Backend(name) => Message::new("error.backend").with("name", crate::config::shorten(name)),
            Self::Fusion(name) => Message::new("error.fusion").with("name", crate::config::shorten(name)),
            Self::NoClassifier => Message::new("error.no_classifier"),
            Self::GpuReported(detail) => Message::new("error.gpu_reported").with("detail", detail.as_str()),
            Self::Plain(text) => Message::new("error.plain").with("text", text.as_str()),
        }
    }
}

/// Reads a tensor back without blocking the browser thread.
async fn read<const D: usize>(tensor: Tensor<D>) -> Result<TensorData, JsValue> {
    tensor.into_data_async().await.map_err(|e| js_error(format!("{e:?}")))
}

/// A training run driven from JavaScript (the page's worker, or a browser test).
#[wasm_bindgen]
pub struct WebTrainer {
    /// Shared with the futures handed to JavaScript; no borrow is held across an `await`.
    state: Rc<RefCell<Session>>,
    notice: Option<NoGpu>,
    refusal: Option<Message>,
    /// The automatic choice of the CPU, with why; `None` otherwise.
    choice: Option<BackendChoice>,
}

#[wasm_bindgen]
impl WebTrainer {
    /// Starts a run on `digits` (a digit file, raw or gzip) with the settings of `query`
    /// (`seed=7&batch=64`, as in the page's URL hash). `backend` is `"webgpu"` (falling back
    /// to the CPU, with a notice, where WebGPU is unusable), `"cpu"`, or `"auto"`: WebGPU
    /// unless the adapter runs on the processor (see [`device::choose`]). `fusion` is `"off"` to
    /// run a GPU's operations unfused (for measuring, see [`Fusion`]), `"on"` or `""` to fuse them.
    pub async fn create(
        digits: Vec<u8>,
        query: String,
        backend: String,
        fusion: String,
    ) -> Result<WebTrainer, JsValue> {
        run_static_constructors();
        let asked = TrainConfig::from_link(&query).map_err(thrown)?;
        let fusion = Fusion::parse(&fusion).ok_or_else(|| thrown(WebError::Fusion(fusion)))?;
        let digits = Digits::decode(&digits).map_err(thrown)?;
        let (device, notice, choice) = match backend.as_str() {
            "cpu" => (device::cpu(), None, None),
            "webgpu" => match webgpu(fusion).await {
                Ok(device) => (device, None, None),
                Err(why) => (device::cpu(), Some(why), None),
            },
            "auto" => automatic(fusion).await,
            other => return Err(thrown(WebError::Backend(other.into()))),
        };
        // Settings too large for this device must not stop the lesson: the defaults run instead.
        let (session, refusal) = Session::new_or_defaults(asked, digits, device).map_err(thrown)?;
        let refusal = refusal.map(|why| why.message());
        Ok(WebTrainer { state: Rc::new(RefCell::new(session)), notice, refusal, choice })
    }

    /// Why the settings asked for at creation do not fit this device's memory, so that the run
    /// started with the defaults instead; `null` when they fit.
    pub fn settings_refusal(&self) -> MessageJs {
        to_js(&self.refusal)
    }

    /// `"webgpu"` or `"cpu"`: where the maths runs.
    pub fn backend(&self) -> String {
        self.state.borrow().device().kind.name().into()
    }

    /// The GPU adapter's name, or `"CPU"`.
    pub fn adapter(&self) -> String {
        self.state.borrow().device().adapter.clone()
    }

    /// Whether the GPU fuses operations into fewer kernels (never on the CPU).
    pub fn fused(&self) -> bool {
        self.state.borrow().device().fused
    }

    /// Why WebGPU could not be used, when the run is on the CPU although WebGPU was asked for;
    /// `null` otherwise.
    pub fn notice(&self) -> MessageJs {
        to_js(&self.notice.as_ref().map(Explain::message))
    }

    /// The browser's GPU device this run trains on (the page watches it for a loss); `None` on
    /// the CPU.
    pub fn gpu_device(&self) -> Option<GpuDevice> {
        let on_gpu = self.state.borrow().device().kind == BackendKind::Gpu;
        on_gpu.then(opened_gpu_device).filter(|device| !device.is_null()).map(JsCast::unchecked_into)
    }

    /// Why the run is on the CPU by the automatic choice, `{key, values}` (the page's message
    /// and its values); `null` when it was not chosen so.
    pub fn backend_reason(&self) -> ReasonJs {
        let reason = self.choice.as_ref().and_then(|c| Some((c.reason?, &c.adapter)));
        to_js(&reason.map(|(key, adapter)| serde_json::json!({ "key": key, "values": { "adapter": adapter } })))
    }

    /// The settings in force, every field by its JSON name.
    pub fn config(&self) -> Named {
        js_sys::JSON::parse(&self.state.borrow().trainer().config().to_json())
            .expect("settings are JSON")
            .unchecked_into()
    }

    /// The keys of the settings that matter for the run in force: the lab shows their controls.
    pub fn relevant_settings(&self) -> Vec<String> {
        self.state.borrow().trainer().config().relevant_settings().into_iter().map(Into::into).collect()
    }

    /// Whether the run learns points of a toy set in the plane (the page shows the plane, not
    /// digits, and nothing there is measured by the classifier or walked through).
    pub fn toy(&self) -> bool {
        self.state.borrow().trainer().config().data.is_toy()
    }

    /// Whether the run learns the points the student drew (the plane then takes a drawing).
    pub fn drawn(&self) -> bool {
        self.state.borrow().trainer().config().data == toy::DataSet::Drawn
    }

    /// Whether D is a Wasserstein critic, whose scores are unbounded (the page scales the
    /// plane's background to them and charts the distance they estimate).
    pub fn wasserstein(&self) -> bool {
        self.state.borrow().trainer().config().loss.is_wasserstein()
    }

    /// The settings in force as the shortest URL-hash query, for a link that reproduces the run.
    pub fn query(&self) -> String {
        self.state.borrow().trainer().config().to_query()
    }

    /// Steps taken so far.
    pub fn step_count(&self) -> f64 {
        self.state.borrow().trainer().step_count() as f64
    }

    /// Applies new settings as a student changes them mid-run: from the next step on with the
    /// same weights, or as a fresh run where they change the networks (see [`Session::apply`]).
    /// Returns `{restarted, reset_g, reset_d}`: whether a fresh run started, and whether an
    /// optimiser changed algorithm and so started afresh. An invalid query is refused with a
    /// message naming the field, and the run in force stays.
    pub fn set_query(&self, query: &str) -> Result<SettingsChangeJs, JsValue> {
        let config = TrainConfig::from_query(query).map_err(thrown)?;
        let (restarted, change) = match self.state.borrow_mut().apply(config).map_err(thrown)? {
            Applied::Restarted => (true, ConfigChange::default()),
            Applied::Changed(change) => (false, change),
        };
        Ok(to_js(&serde_json::json!({ "restarted": restarted, "reset_g": change.reset_g, "reset_d": change.reset_d })))
    }

    /// Starts over from the seed with the settings of `query`, on the same device. An invalid
    /// query is refused and the current run stays.
    pub fn reset(&self, query: &str) -> Result<(), JsValue> {
        let config = TrainConfig::from_query(query).map_err(thrown)?;
        self.state.borrow_mut().reset(config).map_err(thrown)
    }

    /// Queues `count` training steps. Returns at once on WebGPU (the GPU works on them while
    /// JavaScript goes on); a GPU error reported since the last call is raised here.
    pub fn steps(&self, count: u32) -> Result<(), JsValue> {
        let mut state = self.state.borrow_mut();
        state.steps(count.into());
        self.gpu_health(&state)
    }

    /// The frame after the steps queued since the last one: their statistics, in one GPU round
    /// trip, then the run's picture (the sample grid, 8 × 8 digits or 10 × 10 with a row per
    /// digit for a conditional GAN, as RGBA pixels `side` square; or a toy's plane: G's points,
    /// D's logits on a grid and G's pushes, with the modes covered on the ring and the grid). If any statistic is NaN or infinite the run goes back to its last
    /// good state and the promise rejects with the steps of both, so the page can explain it.
    /// When another run replaced this one while the read was on its way, the frame has no rows.
    pub fn frame(&self) -> FramePromise {
        let state = self.state.clone();
        future_to_promise(async move {
            let rows = read_stats(&state).await?;
            let frame = js_sys::Object::new();
            let (toy, side) = {
                let state = state.borrow();
                let toy = state.trainer().config().data.is_toy();
                (toy, digit_grid(&[], state.trainer().grid_columns()).map_or(0, |grid| grid.width))
            };
            let (samples, plane) =
                if toy { (JsValue::NULL, plane(&state).await?) } else { (samples(&state).await?, JsValue::NULL) };
            let step = state.borrow().trainer().step_count() as f64;
            for (key, value) in [
                ("step", step.into()),
                ("rows", rows.into()),
                ("samples", samples),
                ("plane", plane),
                ("side", (side as f64).into()),
            ] {
                js_sys::Reflect::set(&frame, &key.into(), &value)?;
            }
            Ok(frame.into())
        })
        .unchecked_into()
    }

    /// The run as a checkpoint file (settings, step, weights, optimiser state, random state and
    /// curves), the format `webgan train --save` writes: resolves to a `Uint8Array` after one
    /// GPU read.
    pub fn checkpoint(&self) -> Promise {
        let pending = self.state.borrow().trainer().pending_checkpoint();
        future_to_promise(async move {
            let data = read(pending.values.clone()).await?;
            let bytes = pending.finish(&floats(data)).to_bytes();
            Ok(Uint8Array::from(bytes.as_slice()).into())
        })
    }

    /// Continues from a checkpoint file (from the page, an autosave or the command line) exactly
    /// where it was saved, on the current device. A damaged or foreign file is refused with a
    /// message saying what is wrong, and the current run stays as it is.
    pub fn restore(&self, bytes: &[u8]) -> Result<(), JsValue> {
        let checkpoint = Checkpoint::from_bytes(bytes).map_err(thrown)?;
        self.state.borrow_mut().restore(&checkpoint).map_err(thrown)
    }

    /// The curves so far, for redrawing the chart after a restore: a `Float32Array` of rows of
    /// [`stat_columns`] values (thinned on long runs).
    pub fn history_rows(&self) -> Float32Array {
        Float32Array::from(self.state.borrow().trainer().history().rows().as_slice())
    }

    /// The measurements so far, as a `Float32Array` of rows of [`measured_columns`] values.
    pub fn history_measured(&self) -> Float32Array {
        let rows: Vec<f32> = self.state.borrow().trainer().history().measured().iter().flatten().copied().collect();
        Float32Array::from(rows.as_slice())
    }

    /// Loads the digit classifier's weights and the real digits' feature statistics (the files
    /// `webgan train-classifier` ships) onto the training device, so that [`WebTrainer::measure`]
    /// can judge the generator. Damaged files are refused with a message; training is unaffected.
    pub fn load_judge(&self, classifier: Vec<u8>, reference: Vec<u8>) -> Result<(), JsValue> {
        self.state.borrow_mut().load_judge(&classifier, &reference).map_err(thrown)
    }

    /// Loads the training digits' features (the file `webgan features` writes) onto the training
    /// device, so that each measurement also says how close G's digits lie to training digits and
    /// shows the nearest ones. A damaged file is refused with a message; the rest is unaffected.
    pub fn load_features(&self, features: Vec<u8>) -> Result<(), JsValue> {
        self.state.borrow_mut().load_features(&features).map_err(thrown)
    }

    /// Judges [`LIVE_SAMPLES`] digits of the generator (fixed noise, the weight average if on):
    /// resolves to `{step, count, fid, precision, recall, reading, histogram, covered,
    /// kl_uniform, confidence, collapsed, alarm}` (`alarm`: the [`Session::alarm`] verdict, given the run's earlier
    /// measurements). The classifier runs on the training device and one read brings the result.
    /// Digits that are not finite are not measured: the promise rejects, saying so.
    pub fn measure(&self) -> MetricsPromise {
        let state = self.state.clone();
        future_to_promise(async move {
            let pending = state.borrow_mut().begin_measure(LIVE_SAMPLES);
            let pending = pending.ok_or_else(|| thrown(WebError::NoClassifier))?;
            let step = pending.step();
            let looking = state.borrow().begin_saliency();
            let data = read(pending.values()).await?;
            let metrics = state.borrow_mut().finish_measure(pending, data).map_err(thrown)?;
            let mut json = serde_json::to_value(&metrics).expect("metrics serialise");
            json["step"] = step.into();
            json["alarm"] = serde_json::to_value(state.borrow().alarm()).expect("an alarm serialises");
            let answer = to_js::<JsValue>(&json);
            if let Some(looking) = looking {
                let data = read(looking.values()).await?;
                let view = state.borrow().finish_saliency(looking, data);
                js_sys::Reflect::set(&answer, &"saliency".into(), &view.map_or(JsValue::NULL, |v| saliency_js(&v)))?;
            }
            let searching = state.borrow().begin_neighbours();
            if let Some(searching) = searching {
                let data = read(searching.values()).await?;
                let view = state.borrow().finish_neighbours(searching, data);
                js_sys::Reflect::set(
                    &answer,
                    &"neighbours".into(),
                    &view.map_or(JsValue::NULL, |v| neighbours_js(&v)),
                )?;
            }
            Ok(answer)
        })
        .unchecked_into()
    }

    /// `count` points of the toy data set in force, for the plane to show beside G's; empty
    /// for MNIST. More points than the set holds are refused.
    pub fn real_points(&self, count: usize) -> Result<Float32Array, JsValue> {
        let points = {
            let state = self.state.borrow();
            let config = state.trainer().config();
            toy::display_points(config.data, &config.points, config.seed, count).map_err(thrown)?
        };
        Ok(Float32Array::from(points.as_slice()))
    }

    /// The digits G draws along walk number `pair` between two noise vectors, `count` of them
    /// in a row (linear or `spherical` interpolation), each asked to be `digit` when the GAN is
    /// conditional: resolves to RGBA pixels of a strip [`WebTrainer::strip_size`]`(count)` in size.
    /// A walk of no digits or of too many, or a digit other than 0–9, is refused.
    pub fn walk(&self, pair: u32, count: u32, spherical: bool, digit: u32) -> Result<Promise, JsValue> {
        let (count, digit) = (latent::walk_length(count).map_err(thrown)?, latent::digit(digit).map_err(thrown)?);
        let state = self.state.borrow();
        let config = state.trainer().config();
        let (a, b) = latent::endpoints(config.seed, pair.into(), config.latent_dim);
        Ok(strip(
            state.trainer().generate(latent::walk(&a, &b, count, spherical), &[digit]),
            count,
            config.data.channels(),
        ))
    }

    /// The digit G draws for the first noise vector of walk `pair` with its first coordinates
    /// set to `dials` (the page's sliders), asked to be `digit` when conditional: resolves to
    /// RGBA pixels of one digit. Non-finite dials, or a digit other than 0–9, are refused.
    pub fn dial(&self, pair: u32, dials: Vec<f32>, digit: u32) -> Result<Promise, JsValue> {
        let (dials, digit) = (latent::finite_dials(&dials).map_err(thrown)?, latent::digit(digit).map_err(thrown)?);
        let state = self.state.borrow();
        let config = state.trainer().config();
        let (a, _) = latent::endpoints(config.seed, pair.into(), config.latent_dim);
        Ok(strip(state.trainer().generate(latent::dialled(&a, dials), &[digit]), 1, config.data.channels()))
    }

    /// Width and height in pixels of a strip of `count` digits (1 to [`latent::MAX_WALK`]).
    pub fn strip_size(count: u32) -> Result<Vec<u32>, JsValue> {
        let count = latent::walk_length(count).map_err(thrown)?;
        let strip = digit_grid(&vec![0.0; count * crate::data::PIXELS], count).map_err(thrown)?;
        Ok(vec![strip.width as u32, strip.height as u32])
    }

    fn gpu_health(&self, state: &Session) -> Result<(), JsValue> {
        if state.device().kind != BackendKind::Gpu {
            return Ok(());
        }
        match take_gpu_error() {
            message if message.is_empty() => Ok(()),
            message => Err(thrown(WebError::GpuReported(message))),
        }
    }
}

/// Reads the statistics of the steps since the last read and checks them (see [`Session::finish_stats`]):
/// a `Float32Array` of rows of [`stat_columns`] values, empty when another run replaced this
/// one while the read was on its way.
async fn read_stats(state: &Rc<RefCell<Session>>) -> Result<Float32Array, JsValue> {
    let Some(pending) = state.borrow_mut().begin_stats() else {
        return Ok(Float32Array::new_with_length(0));
    };
    let data = read(pending.values()).await?;
    let rows = state.borrow_mut().finish_stats(pending, &data).map_err(thrown)?;
    let flat: Vec<f32> = rows.iter().flat_map(|r| r.row()).collect();
    Ok(Float32Array::from(flat.as_slice()))
}

/// The fixed-noise sample grid as RGBA pixels, after one read.
async fn samples(state: &Rc<RefCell<Session>>) -> Result<JsValue, JsValue> {
    let (tensor, columns, channels) = {
        let state = state.borrow();
        (state.trainer().samples(), state.trainer().grid_columns(), state.trainer().config().data.channels())
    };
    let rgba = sample_grid(&floats(read(tensor).await?), columns, channels).map_err(thrown)?.pixels;
    Ok(Uint8ClampedArray::from(rgba.as_slice()).into())
}

/// A toy run's plane, after one read: `{points, logits, push, resolution, coverage}`, the
/// generated points, D's logits on the grid and G's pushes as `Float32Array`s (see
/// [`crate::Trainer::plane_view`]) and, for the ring and the grid, the modes covered
/// `{modes_hit, modes, quality}` (`null` otherwise).
async fn plane(state: &Rc<RefCell<Session>>) -> Result<JsValue, JsValue> {
    let (count, resolution) = (toy::VIEW_POINTS, toy::VIEW_RESOLUTION);
    let (tensor, data) = {
        let state = state.borrow();
        (state.trainer().plane_view(count, resolution), state.trainer().config().data)
    };
    let view = PlaneView::new(&floats(read(tensor).await?), count, resolution);
    let object = js_sys::Object::new();
    let fields: [(&str, JsValue); 5] = [
        ("points", Float32Array::from(view.points.as_slice()).into()),
        ("logits", Float32Array::from(view.logits.as_slice()).into()),
        ("push", Float32Array::from(view.push.as_slice()).into()),
        ("resolution", (resolution as f64).into()),
        ("coverage", to_js(&toy::coverage(data, &view.points))),
    ];
    for (key, value) in fields {
        js_sys::Reflect::set(&object, &key.into(), &value)?;
    }
    Ok(object.into())
}

/// Reads `digits` back and lays them out as one row of `count`, in RGBA.
fn strip(digits: Tensor<2>, count: usize, channels: usize) -> Promise {
    future_to_promise(async move {
        let rgba = sample_grid(&floats(read(digits).await?), count, channels).map_err(thrown)?.pixels;
        Ok(Uint8ClampedArray::from(rgba.as_slice()).into())
    })
}

/// What D sees, `{rgba, width, height, verdicts}` (see [`Saliency::picture`]).
fn saliency_js(view: &Saliency) -> JsValue {
    picture_js(&view.picture(), [("verdicts", Float32Array::from(view.verdicts.as_slice()))])
}

/// The nearest training digits, `{rgba, width, height, inFeatures, inPixels}` (see [`Neighbours`]).
fn neighbours_js(view: &Neighbours) -> JsValue {
    let nearest = |space: &[Vec<Match>]| {
        let distances: Vec<f32> = space.iter().map(|m| m.first().map_or(f32::NAN, |m| m.distance)).collect();
        Float32Array::from(distances.as_slice())
    };
    picture_js(&view.picture, [("inFeatures", nearest(&view.in_features)), ("inPixels", nearest(&view.in_pixels))])
}

/// A picture as `{rgba, width, height}` with the `extra` values beside it.
fn picture_js<const N: usize>(picture: &Rgba, extra: [(&str, Float32Array); N]) -> JsValue {
    let object = js_sys::Object::new();
    let fields: [(&str, JsValue); 3] = [
        ("rgba", Uint8ClampedArray::from(picture.pixels.as_slice()).into()),
        ("width", (picture.width as f64).into()),
        ("height", (picture.height as f64).into()),
    ];
    for (key, value) in fields.into_iter().chain(extra.map(|(key, value)| (key, value.into()))) {
        js_sys::Reflect::set(&object, &key.into(), &value).expect("a new object takes properties");
    }
    object.into()
}
