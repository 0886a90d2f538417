//! How much memory a training step of a configuration needs, estimated from the shapes it
//! implies, and whether a device can hold it. A run too large for the device would otherwise
//! abort the WebAssembly module (out of memory) or fail inside the GPU driver (a buffer over the
//! device's binding limit), so it is refused first, with the largest batch that fits.

use crate::config::Architecture;
use crate::config::GanLoss;
use crate::config::TrainConfig;
use crate::data::CLASSES;
use crate::data::PIXELS;
use crate::data::toy::TOY_POINTS;
use crate::message::{Explain, Message};

/// Bytes of one `f32`.
const FLOAT: u64 = 4;
/// The DCGAN's kernels are 4×4: an im2col column holds 16 taps per input channel.
const TAPS: u64 = 16;
/// Cells of the DCGAN's 7×7 and 14×14 feature maps.
const CELLS_7: u64 = 49;
const CELLS_14: u64 = 196;

/// What a device can hold; `None` is no limit worth checking (a native process's memory).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryLimits {
    /// The largest buffer one kernel may bind (WebGPU's `maxStorageBufferBindingSize`).
    pub max_buffer_bytes: Option<u64>,
    /// All the memory a step may hold at once.
    pub max_total_bytes: Option<u64>,
}

impl MemoryLimits {
    /// Nothing to check.
    pub const NONE: Self = Self { max_buffer_bytes: None, max_total_bytes: None };
    /// burn's CPU backend inside a browser: WebAssembly's 32-bit memory ends at 4 GiB, and the
    /// allocator needs room to spare, so a step may hold 3 GiB.
    pub const WASM_CPU: Self = Self { max_buffer_bytes: None, max_total_bytes: Some(3 << 30) };

    /// A GPU that binds at most `max_buffer_bytes` in one buffer. In a browser WebGPU states no
    /// memory size, and a school laptop's integrated GPU or a phone shares a few GB with
    /// everything else, so a step may hold 4 GiB there; natively the device's owner knows best.
    pub fn gpu(max_buffer_bytes: u64) -> Self {
        let max_total_bytes = cfg!(target_arch = "wasm32").then_some(4 << 30);
        Self { max_buffer_bytes: Some(max_buffer_bytes), max_total_bytes }
    }
}

/// A step's estimated memory: linear in the batch, so the largest batch that fits follows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Footprint {
    /// Bytes of the largest tensor, per digit of the batch.
    pub largest_per_sample: u64,
    /// Bytes of everything a step holds at its peak, per digit of the batch.
    pub total_per_sample: u64,
    /// Bytes held whatever the batch: the data set on the device, and the parameters with their
    /// gradients, optimiser moments, last good copy and moving average.
    pub fixed: u64,
    /// The batch the estimate is for.
    pub batch: u64,
}

/// Why a configuration does not fit the device.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FootprintError {
    /// One tensor exceeds what a kernel may bind.
    #[error(
        "`batch` = {batch} needs a buffer of about {needed} for these networks, and this GPU allows {allowed} in one buffer: use a batch of at most {fits}"
    )]
    Buffer { batch: u64, needed: Bytes, allowed: Bytes, fits: u64 },
    /// The step as a whole exceeds the memory.
    #[error(
        "`batch` = {batch} needs about {needed} of memory for these networks, more than the {allowed} available here: use a batch of at most {fits}"
    )]
    Total { batch: u64, needed: Bytes, allowed: Bytes, fits: u64 },
}

impl Explain for FootprintError {
    const KEYS: &'static [&'static str] = &["error.footprint.buffer", "error.footprint.total"];

    fn message(&self) -> Message {
        let (key, batch, needed, allowed, fits) = match *self {
            Self::Buffer { batch, needed, allowed, fits } => ("error.footprint.buffer", batch, needed, allowed, fits),
            Self::Total { batch, needed, allowed, fits } => ("error.footprint.total", batch, needed, allowed, fits),
        };
        Message::new(key)
            .with("batch", batch)
            .with("needed", needed.to_string())
            .with("allowed", allowed.to_string())
            .with("fits", fits)
    }
}

/// A byte count, shown to a person in MB or GB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bytes(pub u64);

impl std::fmt::Display for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bytes = self.0 as f64;
        if bytes >= 1e9 { write!(f, "{:.1} GB", bytes / 1e9) } else { write!(f, "{:.0} MB", (bytes / 1e6).max(1.0)) }
    }
}

/// Floats of the tensors one forward pass keeps per sample, and of its largest one.
struct Pass {
    kept: u64,
    largest: u64,
}

impl Footprint {
    /// The estimate for `config`. It counts what burn keeps for the backward pass (each layer's
    /// output and activation, a normalisation's copies, the im2col columns the convolutions are
    /// lowered to), for the passes of a step: D's update runs G once and D on both batches (and
    /// again for a gradient penalty), G's update runs both once, and backward doubles each.
    pub fn of(config: &TrainConfig) -> Self {
        let (g, d) = match config.model {
            Architecture::Mlp => mlp_passes(config),
            Architecture::Dcgan => dcgan_passes(config),
        };
        let penalised = config.loss == GanLoss::WganGp || config.r1_gamma > 0.0;
        let d_passes = if penalised { 5 } else { 3 };
        let total_floats = 2 * (2 * g.kept + d_passes * d.kept);
        let dim = config.data.dim() as u64;
        let examples = if config.data.is_toy() { TOY_POINTS as u64 } else { 10_000 };
        let parameters = parameter_count(config);
        Self {
            largest_per_sample: FLOAT * g.largest.max(d.largest),
            total_per_sample: FLOAT * total_floats,
            fixed: FLOAT * (examples * dim + 8 * parameters),
            batch: config.batch_size as u64,
        }
    }

    /// Bytes of the largest tensor.
    pub fn largest(&self) -> u64 {
        self.largest_per_sample * self.batch
    }

    /// Bytes of the whole step.
    pub fn total(&self) -> u64 {
        self.fixed + self.total_per_sample * self.batch
    }

    /// Whether the step fits `limits`; if not, the error says by how much and which batch fits.
    pub fn check(&self, limits: MemoryLimits) -> Result<(), FootprintError> {
        if let Some(allowed) = limits.max_buffer_bytes.filter(|&a| self.largest() > a) {
            return Err(FootprintError::Buffer {
                batch: self.batch,
                needed: Bytes(self.largest()),
                allowed: Bytes(allowed),
                fits: allowed / self.largest_per_sample,
            });
        }
        if let Some(allowed) = limits.max_total_bytes.filter(|&a| self.total() > a) {
            return Err(FootprintError::Total {
                batch: self.batch,
                needed: Bytes(self.total()),
                allowed: Bytes(allowed),
                fits: allowed.saturating_sub(self.fixed) / self.total_per_sample,
            });
        }
        Ok(())
    }
}

/// G's and D's passes for the MLP: three layers each, a pre-activation and an activation apiece.
fn mlp_passes(config: &TrainConfig) -> (Pass, Pass) {
    let (hidden_g, hidden_d) = (config.hidden as u64, config.hidden_d as u64);
    let (dim, labels) = (config.data.dim() as u64, labels(config));
    let latent = config.latent_dim as u64 + labels;
    let g = Pass { kept: latent + 4 * hidden_g + 2 * dim, largest: latent.max(hidden_g).max(dim) };
    let d = Pass { kept: dim + labels + 4 * hidden_d + 1, largest: (dim + labels).max(hidden_d) };
    (g, d)
}

/// G's and D's passes for the DCGAN: its feature maps (output, normalised, activated) and the
/// im2col columns of each 4×4 convolution, the largest tensors of all.
fn dcgan_passes(config: &TrainConfig) -> (Pass, Pass) {
    let channels = config.channels as u64;
    let half = (channels / 2).max(1);
    let image = config.data.channels() as u64;
    let planes = image + labels(config);
    let pixels = image * PIXELS as u64;
    let (columns_g1, columns_g2) = (CELLS_7 * half * TAPS, CELLS_14 * image * TAPS);
    let g = Pass {
        kept: config.latent_dim as u64
            + 3 * channels * CELLS_7
            + 3 * half * CELLS_14
            + 2 * pixels
            + columns_g1
            + columns_g2,
        largest: columns_g1.max(columns_g2),
    };
    let (columns_d1, columns_d2) = (CELLS_14 * planes * TAPS, CELLS_7 * half * TAPS);
    let d = Pass {
        kept: planes * PIXELS as u64 + columns_d1 + 2 * half * CELLS_14 + columns_d2 + 3 * channels * CELLS_7 + 1,
        largest: columns_d1.max(columns_d2),
    };
    (g, d)
}

/// Label planes or inputs beside the data: the one-hot digit of a conditional GAN.
fn labels(config: &TrainConfig) -> u64 {
    if config.conditional { CLASSES as u64 } else { 0 }
}

/// Parameters of G and D together: weights, biases, and batch norm's γ, β and running statistics.
pub fn parameter_count(config: &TrainConfig) -> u64 {
    let (channels, dim, labels) = (config.channels as u64, config.data.dim() as u64, labels(config));
    let latent = config.latent_dim as u64 + labels;
    let dense = |inputs: u64, outputs: u64| (inputs + 1) * outputs;
    match config.model {
        Architecture::Mlp => {
            let (g, d) = (config.hidden as u64, config.hidden_d as u64);
            dense(latent, g) + dense(g, g) + dense(g, dim) + dense(dim + labels, d) + dense(d, d) + dense(d, 1)
        }
        Architecture::Dcgan => {
            let half = (channels / 2).max(1);
            let image = config.data.channels() as u64;
            let conv = |inputs: u64, outputs: u64| inputs * outputs * TAPS + outputs;
            dense(latent, channels * CELLS_7)
                + conv(channels, half)
                + conv(half, image)
                + conv(image + labels, half)
                + conv(half, channels)
                + dense(channels * CELLS_7, 1)
                + 4 * (2 * channels + half)
        }
    }
}
