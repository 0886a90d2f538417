//! A training run in one versioned file: the configuration, the step, G, D, the moving average
//! of G, both optimisers' running state, the random generators' positions and the curves. The
//! command line writes it (`webgan train --save`), resumes it (`train --checkpoint`) and judges
//! it (`eval --checkpoint`); the page saves, opens and autosaves the same files. A run resumed
//! from a checkpoint continues exactly as it would have without the interruption (instance
//! noise aside, which the device draws). Everything is checked before anything is used, so a
//! damaged or foreign file is refused with a message and nothing else changes.

use burn::tensor::Tensor;

use crate::config::{ConfigError, MAX_D_STEPS, TrainConfig};
use crate::message::{Explain, Message};
use crate::train::history::{History, HistoryError};
use crate::train::optim::{NetworkOptimizer, OptimizerStateError};
use crate::train::params::{self, Gathered, ParamsError};

/// The first bytes of a checkpoint file.
const MAGIC: &[u8; 8] = b"WEBGANCK";
/// The layout version this build writes: version 2's layout followed by a checksum.
pub const VERSION: u32 = 3;
/// The oldest layout this build reads: the current one without the checksum.
pub const UNCHECKED_VERSION: u32 = 2;
/// The largest checkpoint accepted: these networks' runs take a few MB, so anything much larger
/// is not a checkpoint of them, and is refused before it is read.
pub const MAX_BYTES: usize = 50_000_000;
/// The most steps a checkpoint may claim: the page shows the step as a JavaScript number, which
/// holds every integer exactly only up to 2⁵³ − 1 (`Number.MAX_SAFE_INTEGER`).
pub const MAX_STEP: u64 = (1 << 53) - 1;
/// The sections that follow the step, each a u32 length and its bytes.
const SECTIONS: usize = 8;

/// A saved run.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    /// The settings the run trained with.
    pub config: TrainConfig,
    /// Steps taken.
    pub step: u64,
    /// G's parameters, in [`crate::train::params`] format.
    pub generator: Vec<u8>,
    /// D's parameters.
    pub discriminator: Vec<u8>,
    /// The moving average of G's weights, when the run kept one.
    pub average: Option<Vec<u8>>,
    /// G's optimiser state ([`NetworkOptimizer::encode`]); empty for a fresh optimiser.
    pub opt_g: Vec<u8>,
    /// D's optimiser state.
    pub opt_d: Vec<u8>,
    /// Where the noise and batch generators are; empty to start them from the seed.
    pub random: Vec<u8>,
    /// The curves so far.
    pub history: History,
}

/// A network of a checkpoint, to say which one is at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Network {
    /// G.
    Generator,
    /// D.
    Discriminator,
    /// The moving average of G's weights (it has no optimiser).
    Average,
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(match self {
            Self::Generator => "G",
            Self::Discriminator => "D",
            Self::Average => "G's moving average",
        })
    }
}

/// Why a checkpoint could not be used.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CheckpointError {
    /// Not a checkpoint at all.
    #[error("not a webgan checkpoint")]
    BadMagic,
    /// A checkpoint of a layout this build does not know.
    #[error(
        "checkpoint version {0} cannot be read by this build, which reads versions {UNCHECKED_VERSION} to {VERSION}"
    )]
    Version(u32),
    /// Larger than any checkpoint of these networks.
    #[error("{0} bytes is too large for a checkpoint (at most {MAX_BYTES})")]
    TooLarge(usize),
    /// The file ends early or holds bytes past its end.
    #[error("the checkpoint is truncated or has trailing bytes")]
    Length,
    /// The checksum does not match the contents: some bytes changed since the file was written.
    #[error("the checkpoint file is damaged: its checksum does not match its contents")]
    Damaged,
    /// More steps than a run can count.
    #[error("the checkpoint's step {0} is more than a run can reach (at most {MAX_STEP})")]
    Step(u64),
    /// Its settings are invalid.
    #[error("the checkpoint's settings: {0}")]
    Config(#[from] ConfigError),
    /// A network's weights do not fit the network its settings describe, or are not finite.
    #[error("the checkpoint's weights of {0}: {1}")]
    Params(Network, ParamsError),
    /// An optimiser's state does not fit its network, algorithm or step count.
    #[error("the checkpoint's optimiser state of {0}: {1}")]
    Optimizer(Network, OptimizerStateError),
    /// The generators' positions are damaged or belong to another data set.
    #[error("the checkpoint's random state does not fit these digits")]
    Random,
    /// The curves are damaged.
    #[error("the checkpoint's {0}")]
    History(#[from] HistoryError),
}

impl Explain for CheckpointError {
    const KEYS: &'static [&'static str] = &[
        "error.checkpoint.bad_magic",
        "error.checkpoint.version",
        "error.checkpoint.too_large",
        "error.checkpoint.length",
        "error.checkpoint.damaged",
        "error.checkpoint.step",
        "error.checkpoint.config",
        "error.checkpoint.params",
        "error.checkpoint.optimizer",
        "error.checkpoint.random",
        "error.checkpoint.history",
        "network.generator",
        "network.discriminator",
        "network.average",
    ];

    fn message(&self) -> Message {
        let network = |n: &Network| {
            Message::new(match n {
                Network::Generator => "network.generator",
                Network::Discriminator => "network.discriminator",
                Network::Average => "network.average",
            })
        };
        match self {
            Self::BadMagic => Message::new("error.checkpoint.bad_magic"),
            Self::Version(found) => Message::new("error.checkpoint.version")
                .with("version", *found)
                .with("oldest", UNCHECKED_VERSION)
                .with("newest", VERSION),
            Self::TooLarge(bytes) => {
                Message::new("error.checkpoint.too_large").with("bytes", *bytes).with("most", MAX_BYTES)
            }
            Self::Length => Message::new("error.checkpoint.length"),
            Self::Damaged => Message::new("error.checkpoint.damaged"),
            Self::Step(step) => Message::new("error.checkpoint.step").with("step", *step).with("most", MAX_STEP),
            Self::Config(e) => Message::new("error.checkpoint.config").with("cause", e.message()),
            Self::Params(n, e) => {
                Message::new("error.checkpoint.params").with("network", network(n)).with("cause", e.message())
            }
            Self::Optimizer(n, e) => {
                Message::new("error.checkpoint.optimizer").with("network", network(n)).with("cause", e.message())
            }
            Self::Random => Message::new("error.checkpoint.random"),
            Self::History(e) => Message::new("error.checkpoint.history").with("cause", e.message()),
        }
    }
}

impl Checkpoint {
    /// The file: magic, version (u32), step (u64), then the config JSON, G, D, the average
    /// (empty when none), G's and D's optimiser state, the random state and the curves, each as
    /// a u32 length and its bytes, and last the CRC-32 of everything before it; all
    /// little-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend(VERSION.to_le_bytes());
        bytes.extend(self.step.to_le_bytes());
        let (config, history) = (self.config.to_json(), self.history.to_bytes());
        let sections: [&[u8]; SECTIONS] = [
            config.as_bytes(),
            &self.generator,
            &self.discriminator,
            self.average.as_deref().unwrap_or(&[]),
            &self.opt_g,
            &self.opt_d,
            &self.random,
            &history,
        ];
        for section in sections {
            bytes.extend((section.len() as u32).to_le_bytes());
            bytes.extend_from_slice(section);
        }
        bytes.extend(crc32fast::hash(&bytes).to_le_bytes());
        bytes
    }

    /// Reads a file made by [`Checkpoint::to_bytes`], or one of version 2, which lacks the
    /// checksum. The layout is checked first, so that a short file is called truncated, then
    /// the checksum, then the step, settings and curves; the weights and optimiser state are
    /// checked when they are loaded into networks ([`Checkpoint::most_updates`] bounds the
    /// optimisers' counts).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CheckpointError> {
        if bytes.len() > MAX_BYTES {
            return Err(CheckpointError::TooLarge(bytes.len()));
        }
        let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or(CheckpointError::BadMagic)?;
        let (version, rest) = rest.split_first_chunk::<4>().ok_or(CheckpointError::Length)?;
        let version = u32::from_le_bytes(*version);
        if !(UNCHECKED_VERSION..=VERSION).contains(&version) {
            return Err(CheckpointError::Version(version));
        }
        let (step, rest) = rest.split_first_chunk::<8>().ok_or(CheckpointError::Length)?;
        let (sections, tail) = split_sections(rest)?;
        check_tail(version, bytes, tail)?;
        let step = u64::from_le_bytes(*step);
        if step > MAX_STEP {
            return Err(CheckpointError::Step(step));
        }
        let [config, generator, discriminator, average, opt_g, opt_d, random, history] = sections;
        let config = std::str::from_utf8(config).map_err(|_| ConfigError::Json("not UTF-8 text".into()))?;
        Ok(Self {
            config: TrainConfig::from_json(config)?,
            step,
            generator: generator.to_vec(),
            discriminator: discriminator.to_vec(),
            average: (!average.is_empty()).then(|| average.to_vec()),
            opt_g: opt_g.to_vec(),
            opt_d: opt_d.to_vec(),
            random: random.to_vec(),
            history: History::from_bytes(history)?,
        })
    }

    /// The most updates G's and D's optimisers can have taken in the checkpoint's steps: G is
    /// updated once a step and D `d_steps` times, a setting that may have changed during the
    /// run, so up to [`MAX_D_STEPS`] times.
    pub fn most_updates(&self) -> (u64, u64) {
        (self.step, self.step.saturating_mul(MAX_D_STEPS as u64))
    }
}

/// The [`SECTIONS`] sections at the start of `rest`, and the bytes after them.
fn split_sections(mut rest: &[u8]) -> Result<([&[u8]; SECTIONS], &[u8]), CheckpointError> {
    let mut sections = [&[][..]; SECTIONS];
    for section in &mut sections {
        let (length, tail) = rest.split_first_chunk::<4>().ok_or(CheckpointError::Length)?;
        (*section, rest) =
            tail.split_at_checked(u32::from_le_bytes(*length) as usize).ok_or(CheckpointError::Length)?;
    }
    Ok((sections, rest))
}

/// Checks what follows the sections of file `bytes` of `version`: nothing in version 2, the
/// CRC-32 of all the bytes before it since.
fn check_tail(version: u32, bytes: &[u8], tail: &[u8]) -> Result<(), CheckpointError> {
    if version == UNCHECKED_VERSION {
        return if tail.is_empty() { Ok(()) } else { Err(CheckpointError::Length) };
    }
    let checksum = u32::from_le_bytes(tail.try_into().map_err(|_| CheckpointError::Length)?);
    let covered = &bytes[..bytes.len() - tail.len()];
    if crc32fast::hash(covered) != checksum {
        return Err(CheckpointError::Damaged);
    }
    Ok(())
}

/// A checkpoint whose tensors are still on the device, joined into one tensor so that a single
/// read completes it: a blocking one natively, an asynchronous one in the browser.
pub struct PendingCheckpoint {
    /// The checkpoint with every tensor section still empty.
    host: Checkpoint,
    /// The shapes of G, D and, when kept, the average, in that order.
    networks: Vec<Vec<Vec<usize>>>,
    /// The update counts and state shapes of G's and D's optimisers.
    optimizers: [(u64, Vec<Vec<usize>>); 2],
    /// All their values, networks then optimisers.
    pub values: Tensor<1>,
}

impl PendingCheckpoint {
    /// Joins the gathered networks (G, D and the average, if any) and optimisers (G's, D's)
    /// of `host`, a checkpoint whose tensor sections are left empty.
    pub fn new(host: Checkpoint, networks: Vec<Gathered>, optimizers: [(u64, Gathered); 2]) -> Self {
        let mut values = Vec::new();
        let mut shapes = |gathered: Gathered| {
            values.extend(gathered.values);
            gathered.shapes
        };
        let networks = networks.into_iter().map(&mut shapes).collect();
        let optimizers = optimizers.map(|(updates, gathered)| (updates, shapes(gathered)));
        Self { host, networks, optimizers, values: Tensor::cat(values, 0) }
    }

    /// The checkpoint, from the values read back from [`PendingCheckpoint::values`].
    pub fn finish(self, values: &[f32]) -> Checkpoint {
        let mut rest = values;
        let mut take = |shapes: &[Vec<usize>]| {
            let count = shapes.iter().map(|s| s.iter().product::<usize>()).sum();
            let (mine, others) = rest.split_at(count);
            rest = others;
            mine
        };
        let mut networks = self.networks.iter().map(|shapes| params::encode(shapes, take(shapes))).collect::<Vec<_>>();
        let [opt_g, opt_d] =
            self.optimizers.map(|(updates, shapes)| NetworkOptimizer::encode(updates, &shapes, take(&shapes)));
        let average = (networks.len() > 2).then(|| networks.pop().expect("three networks"));
        let discriminator = networks.pop().expect("D is gathered");
        let generator = networks.pop().expect("G is gathered");
        Checkpoint { generator, discriminator, average, opt_g, opt_d, ..self.host }
    }
}
