//! A training run in one versioned file: the configuration, the step, G, D, the moving average
//! of G, both optimisers' running state, the random generators' positions and the curves. The
//! command line writes it (`webgan train --save`), resumes it (`train --checkpoint`) and judges
//! it (`eval --checkpoint`); the page saves, opens and autosaves the same files. A run resumed
//! from a checkpoint continues exactly as it would have without the interruption (instance
//! noise aside, which the device draws). Everything is checked before anything is used, so a
//! damaged or foreign file is refused with a message and nothing else changes.

use burn::tensor::Tensor;

use crate::config::{ConfigError, TrainConfig};
use crate::history::{History, HistoryError};
use crate::optim::{NetworkOptimizer, OptimizerStateError};
use crate::params::{self, Gathered, ParamsError};

/// The first bytes of a checkpoint file.
const MAGIC: &[u8; 8] = b"WEBGANCK";
/// The layout version this build writes and reads.
pub const VERSION: u32 = 2;
/// The largest checkpoint accepted: these networks' runs take a few MB, so anything much larger
/// is not a checkpoint of them, and is refused before it is read.
pub const MAX_BYTES: usize = 50_000_000;

/// A saved run.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    /// The settings the run trained with.
    pub config: TrainConfig,
    /// Steps taken.
    pub step: u64,
    /// G's parameters, in [`crate::params`] format.
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

/// Why a checkpoint could not be used.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CheckpointError {
    /// Not a checkpoint at all.
    #[error("not a webgan checkpoint")]
    BadMagic,
    /// A checkpoint of a layout this build does not know.
    #[error("checkpoint version {0} cannot be read by this build, which reads version {VERSION}")]
    Version(u32),
    /// Larger than any checkpoint of these networks.
    #[error("{0} bytes is too large for a checkpoint (at most {MAX_BYTES})")]
    TooLarge(usize),
    /// The file ends early or holds bytes past its end.
    #[error("the checkpoint is truncated or has trailing bytes")]
    Length,
    /// Its settings are invalid.
    #[error("the checkpoint's settings: {0}")]
    Config(#[from] ConfigError),
    /// Its weights do not fit the networks its settings describe.
    #[error("the checkpoint's weights: {0}")]
    Params(#[from] ParamsError),
    /// An optimiser's state does not fit its network or algorithm.
    #[error("the checkpoint's optimiser state: {0}")]
    Optimizer(#[from] OptimizerStateError),
    /// The generators' positions are damaged or belong to another data set.
    #[error("the checkpoint's random state does not fit these digits")]
    Random,
    /// The curves are damaged.
    #[error("the checkpoint's {0}")]
    History(#[from] HistoryError),
}

impl Checkpoint {
    /// The file: magic, version (u32), step (u64), then the config JSON, G, D, the average
    /// (empty when none), G's and D's optimiser state, the random state and the curves, each as
    /// a u32 length and its bytes; all little-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend(VERSION.to_le_bytes());
        bytes.extend(self.step.to_le_bytes());
        let (config, history) = (self.config.to_json(), self.history.to_bytes());
        let sections = [
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
        bytes
    }

    /// Reads a file made by [`Checkpoint::to_bytes`]; the settings and curves are validated
    /// here, the weights and optimiser state when they are loaded into networks.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CheckpointError> {
        if bytes.len() > MAX_BYTES {
            return Err(CheckpointError::TooLarge(bytes.len()));
        }
        let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or(CheckpointError::BadMagic)?;
        let (version, rest) = rest.split_first_chunk::<4>().ok_or(CheckpointError::Length)?;
        let version = u32::from_le_bytes(*version);
        if version != VERSION {
            return Err(CheckpointError::Version(version));
        }
        let (step, mut rest) = rest.split_first_chunk::<8>().ok_or(CheckpointError::Length)?;
        let mut section = || -> Result<Vec<u8>, CheckpointError> {
            let (length, tail) = rest.split_first_chunk::<4>().ok_or(CheckpointError::Length)?;
            let (body, tail) =
                tail.split_at_checked(u32::from_le_bytes(*length) as usize).ok_or(CheckpointError::Length)?;
            rest = tail;
            Ok(body.to_vec())
        };
        let config = String::from_utf8(section()?).map_err(|_| ConfigError::Json("not UTF-8 text".into()))?;
        let config = TrainConfig::from_json(&config)?;
        let (generator, discriminator, average) = (section()?, section()?, section()?);
        let (opt_g, opt_d, random) = (section()?, section()?, section()?);
        let history = History::from_bytes(&section()?)?;
        if !rest.is_empty() {
            return Err(CheckpointError::Length);
        }
        Ok(Self {
            config,
            step: u64::from_le_bytes(*step),
            generator,
            discriminator,
            average: (!average.is_empty()).then_some(average),
            opt_g,
            opt_d,
            random,
            history,
        })
    }
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
