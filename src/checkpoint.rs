//! A training run's weights in one versioned file: the configuration, the step, G, D and the
//! moving average of G. The command line writes it (`webgan train --save`) and judges it
//! (`webgan eval --checkpoint`); the page saves and opens the same files. Everything is checked before anything is used,
//! so a damaged or foreign file is refused with a message and nothing else changes.

use burn::tensor::Tensor;

use crate::config::{ConfigError, TrainConfig};
use crate::params::{self, Gathered, ParamsError};

/// The first bytes of a checkpoint file.
const MAGIC: &[u8; 8] = b"WEBGANCK";
/// The layout version this build writes and reads.
pub const VERSION: u32 = 1;

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
    /// The file ends early or holds bytes past its end.
    #[error("the checkpoint is truncated or has trailing bytes")]
    Length,
    /// Its settings are invalid.
    #[error("the checkpoint's settings: {0}")]
    Config(#[from] ConfigError),
    /// Its weights do not fit the networks its settings describe.
    #[error("the checkpoint's weights: {0}")]
    Params(#[from] ParamsError),
}

impl Checkpoint {
    /// The file: magic, version (u32), step (u64), then the config JSON, G, D and the average
    /// (empty when none), each as a u32 length and its bytes; all little-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend(VERSION.to_le_bytes());
        bytes.extend(self.step.to_le_bytes());
        let config = self.config.to_json();
        let sections =
            [config.as_bytes(), &self.generator, &self.discriminator, self.average.as_deref().unwrap_or(&[])];
        for section in sections {
            bytes.extend((section.len() as u32).to_le_bytes());
            bytes.extend_from_slice(section);
        }
        bytes
    }

    /// Reads a file made by [`Checkpoint::to_bytes`]; the settings are validated here, the
    /// weights when they are loaded into networks.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CheckpointError> {
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
        if !rest.is_empty() {
            return Err(CheckpointError::Length);
        }
        Ok(Self {
            config,
            step: u64::from_le_bytes(*step),
            generator,
            discriminator,
            average: (!average.is_empty()).then_some(average),
        })
    }
}

/// A checkpoint whose weights are still on the device, gathered into one tensor so that a single
/// read completes it: a blocking one natively, an asynchronous one in the browser.
pub struct PendingCheckpoint {
    config: TrainConfig,
    step: u64,
    /// The parameter shapes of G, D and, when kept, the average, in that order.
    networks: Vec<Vec<Vec<usize>>>,
    /// All their values, network after network.
    pub values: Tensor<1>,
}

impl PendingCheckpoint {
    /// Gathers G, D and the average (if any) of a run at `step` with `config`.
    pub fn new(config: TrainConfig, step: u64, networks: Vec<Gathered>) -> Self {
        let shapes = networks.iter().map(|n| n.shapes.clone()).collect();
        let values = Tensor::cat(networks.into_iter().map(|n| n.values).collect(), 0);
        Self { config, step, networks: shapes, values }
    }

    /// The checkpoint, from the values read back from [`PendingCheckpoint::values`].
    pub fn finish(self, values: &[f32]) -> Checkpoint {
        let mut rest = values;
        let mut files = self.networks.iter().map(|shapes| {
            let count = shapes.iter().map(|s| s.iter().product::<usize>()).sum();
            let (mine, others) = rest.split_at(count);
            rest = others;
            params::encode(shapes, mine)
        });
        let (generator, discriminator) = (files.next().expect("G is gathered"), files.next().expect("D is gathered"));
        Checkpoint { config: self.config, step: self.step, generator, discriminator, average: files.next() }
    }
}
