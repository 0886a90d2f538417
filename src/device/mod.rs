//! Where the tensors live: a GPU through wgpu (WebGPU in a browser; Vulkan, Metal or DX12
//! natively) or burn's pure-Rust CPU backend.

use std::fmt;

use burn::tensor::Device;
use serde::Deserialize;

use crate::config::TrainConfig;
use crate::message::{Explain, Message};
use footprint::{Footprint, FootprintError, MemoryLimits};

pub mod bench;
pub mod footprint;

/// The kind of compute device a trainer runs on, as the page and the CLI name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    /// A GPU through wgpu: WebGPU in a browser, Vulkan/Metal/DX12 natively.
    Gpu,
    /// burn's pure-Rust CPU backend (`flex`).
    Cpu,
}

impl BackendKind {
    /// The stable name used by the page's status API and the CLI's `--backend` flag.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gpu if cfg!(target_arch = "wasm32") => "webgpu",
            Self::Gpu => "wgpu",
            Self::Cpu => "cpu",
        }
    }
}

/// What a GPU adapter says about itself. In a browser these are `GPUAdapterInfo`'s fields
/// (browsers usually leave `device` and `description` empty); natively wgpu's adapter name is
/// the description and its driver the architecture.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct AdapterFacts {
    pub vendor: String,
    pub architecture: String,
    pub device: String,
    pub description: String,
    /// `GPUAdapterInfo.isFallbackAdapter`, or natively a CPU device type: the adapter itself
    /// says that it runs on the processor.
    pub fallback: bool,
}

/// Words (lower case) that name a GPU API implemented on the processor: Chromium's SwiftShader,
/// Mesa's lavapipe, llvmpipe and softpipe, and Windows' WARP ("Microsoft Basic Render Driver").
const SOFTWARE_NAMES: [&str; 6] = ["swiftshader", "lavapipe", "llvmpipe", "softpipe", "warp", "basic render driver"];

impl AdapterFacts {
    /// Facts from wgpu's description of an adapter (in a browser wgpu knows only the
    /// description and the fallback flag).
    fn of(info: &wgpu::AdapterInfo) -> Self {
        Self {
            description: info.name.clone(),
            architecture: info.driver.clone(),
            fallback: info.device_type == wgpu::DeviceType::Cpu,
            ..Self::default()
        }
    }

    /// The adapter's name for people: its non-empty fields, in the order a browser gives them.
    pub fn label(&self) -> String {
        let fields = [&self.vendor, &self.architecture, &self.device, &self.description];
        fields.into_iter().map(|f| f.trim()).filter(|f| !f.is_empty()).collect::<Vec<_>>().join(" ")
    }

    /// Whether this adapter runs on the processor: it says so, or it is a known software
    /// implementation by one of its names (matched as whole words, so "warp" is not "warpage").
    pub fn runs_on_processor(&self) -> bool {
        let words: String =
            self.label().to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
        let words = format!(" {} ", words.split_whitespace().collect::<Vec<_>>().join(" "));
        self.fallback || SOFTWARE_NAMES.iter().any(|name| words.contains(&format!(" {name} ")))
    }
}

/// Why WebGPU cannot train here, so that the run is on the CPU.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoGpu {
    /// The browser has no WebGPU.
    #[error("this browser has no WebGPU (navigator.gpu is missing)")]
    Missing,
    /// The browser's WebGPU gives no adapter.
    #[error("WebGPU is present but offers no adapter")]
    NoAdapter,
    /// The adapter cannot run burn's kernels.
    #[error("the WebGPU adapter lacks the 'subgroups' feature that burn's GPU kernels need")]
    NoSubgroups,
    /// The device would not start; wgpu's words.
    #[error("could not start the GPU device: {0}")]
    Start(String),
}

impl Explain for NoGpu {
    const KEYS: &'static [&'static str] =
        &["notice.no_webgpu", "notice.no_adapter", "notice.no_subgroups", "notice.gpu_start"];

    fn message(&self) -> Message {
        match self {
            Self::Missing => Message::new("notice.no_webgpu"),
            Self::NoAdapter => Message::new("notice.no_adapter"),
            Self::NoSubgroups => Message::new("notice.no_subgroups"),
            Self::Start(detail) => Message::new("notice.gpu_start").with("detail", detail.as_str()),
        }
    }
}

/// Where a page whose link names no backend trains, and why, when that is not the GPU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendChoice {
    pub kind: BackendKind,
    /// The message (an i18n key of the page) that explains a choice of the CPU, with the
    /// adapter's name as its `{adapter}`; `None` for the GPU.
    pub reason: Option<&'static str>,
    /// The adapter's name, for the message.
    pub adapter: String,
}

/// The rule for a page whose link names no backend: the GPU, unless the adapter runs on the
/// processor, where burn's CPU backend is many times faster than a software WebGPU (48–110
/// against 3.5–5.7 steps/s of the default run on SwiftShader; a DCGAN step about 1 s against
/// 40 s). A software adapter's WebGPU pays for every kernel launch and buffer on the processor
/// that then also does the arithmetic, while the CPU backend calls SIMD kernels directly.
pub fn choose(facts: &AdapterFacts) -> BackendChoice {
    let adapter = match facts.label() {
        label if label.is_empty() => "WebGPU".to_string(),
        label => label,
    };
    let (kind, reason) = if facts.fallback {
        (BackendKind::Cpu, Some("auto_cpu_fallback"))
    } else if facts.runs_on_processor() {
        (BackendKind::Cpu, Some("auto_cpu_software"))
    } else {
        (BackendKind::Gpu, None)
    };
    BackendChoice { kind, reason, adapter }
}

/// Whether a GPU fuses operations (burn's fusion: chains of element-wise operations, reductions
/// and the matrix products they feed become one kernel each). A small GAN's step is a few
/// hundred kernel launches of little arithmetic each, so launches and their host work set the
/// pace on a hardware GPU; fusion cuts them by more than half (394 to 166 per MLP step, 884 to
/// 586 per DCGAN step), and even on a software adapter, where the same processor records and
/// runs every launch, it made both steps faster (bench/README.md). Off is for measuring that.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fusion {
    #[default]
    On,
    Off,
}

impl Fusion {
    /// The request a link's `fusion=` or the command line's `--fusion` names: `on` or `off`, or
    /// nothing for on.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "" | "on" => Some(Self::On),
            "off" => Some(Self::Off),
            _ => None,
        }
    }
}

/// A ready device together with what a person should be told about it.
#[derive(Clone, Debug)]
pub struct ComputeDevice {
    /// The autodiff-enabled burn device that trainers allocate on.
    pub device: Device,
    /// Which backend this is.
    pub kind: BackendKind,
    /// The adapter's own name (e.g. "SwiftShader Device (Subzero)"), or "CPU".
    pub adapter: String,
    /// What one step may allocate here.
    pub limits: MemoryLimits,
    /// Whether operations are fused into fewer kernels ([`Fusion`]); never on the CPU.
    pub fused: bool,
}

impl ComputeDevice {
    /// Whether a run of `config` fits this device's memory; if not, why, and which batch would.
    pub fn admit(&self, config: &TrainConfig) -> Result<(), FootprintError> {
        Footprint::of(config).check(self.limits)
    }
}

impl fmt::Display for ComputeDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            BackendKind::Gpu => write!(f, "{}: {}", self.kind.name(), self.adapter),
            BackendKind::Cpu => f.write_str("CPU"),
        }
    }
}

/// burn's CPU backend, always available. Natively it has the machine's memory; in a browser,
/// WebAssembly's.
pub fn cpu() -> ComputeDevice {
    let limits = if cfg!(target_arch = "wasm32") { MemoryLimits::WASM_CPU } else { MemoryLimits::NONE };
    ComputeDevice {
        device: Device::flex().autodiff(),
        kind: BackendKind::Cpu,
        adapter: "CPU".into(),
        limits,
        fused: false,
    }
}

/// Acquires the default GPU adapter through wgpu, blocking until it is ready (native only;
/// a browser cannot block: use [`gpu_async`]). The runtime can be initialised once per process,
/// so callers keep the returned device and clone it.
#[cfg(not(target_arch = "wasm32"))]
pub fn gpu(fusion: Fusion) -> Result<ComputeDevice, NoGpu> {
    describe(Device::wgpu_options().init_with_setup(), &AdapterFacts::default(), fusion)
}

/// Acquires the default GPU adapter through wgpu without blocking, as a browser requires.
/// `reported` is what the browser says of its adapter, which wgpu cannot read (browsers leave
/// the description wgpu names an adapter by empty): it names the adapter and tells a software one.
pub async fn gpu_async(reported: &AdapterFacts, fusion: Fusion) -> Result<ComputeDevice, NoGpu> {
    describe(Device::wgpu_options().init_with_setup_async().await, reported, fusion)
}

fn describe(
    init: Result<(Device, burn_wgpu::WgpuSetup), burn_wgpu::WgpuInitError>,
    reported: &AdapterFacts,
    fusion: Fusion,
) -> Result<ComputeDevice, NoGpu> {
    let (device, setup) = init.map_err(|e| NoGpu::Start(e.to_string()))?;
    let info = setup.adapter.get_info();
    let name = if info.name.is_empty() { reported.label() } else { info.name.clone() };
    // Software adapters (SwiftShader, lavapipe) are worth naming: they explain slow steps. On
    // them, matrix products that stage tiles through shared memory run many times slower than
    // register blocks read straight from memory, and convolutions run fastest as such products
    // (vendor/cubek-matmul/PATCHED.md, vendor/burn-cubecl/PATCHED.md).
    let software = AdapterFacts::of(&info).runs_on_processor() || reported.runs_on_processor();
    cubek_matmul::strategy::set_unstaged_fallback(software);
    let fused = settle_fusion(fusion == Fusion::On);
    let adapter = if software { format!("{name} (software)") } else { name };
    // A kernel binds each tensor as one storage buffer: the smaller of the two limits caps it.
    let device_limits = setup.device.limits();
    let max_buffer = device_limits.max_storage_buffer_binding_size.min(device_limits.max_buffer_size);
    let limits = MemoryLimits::gpu(max_buffer);
    Ok(ComputeDevice { device: device.autodiff(), kind: BackendKind::Gpu, adapter, limits, fused })
}

/// Whether this process's GPU fuses operations: `wanted`, as the first GPU started asked. Fusion
/// is left off by taking every fusion optimisation out of burn's registry, which burn allows
/// until the GPU's first operation only, so the first choice stands for the process.
fn settle_fusion(wanted: bool) -> bool {
    static SETTLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let unfuse = || burn_cubecl::fusion::BUILTIN_NAMES.iter().all(|name| burn_cubecl::fusion::remove(name).is_ok());
    *SETTLED.get_or_init(|| wanted || !unfuse())
}
