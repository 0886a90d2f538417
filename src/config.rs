//! The one training configuration that travels everywhere: page controls, URL hash, CLI flags
//! and JSON files all become a [`TrainConfig`], and nothing trains until it has been validated.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Number of digits in the shipped data set: the largest meaningful batch (full-batch descent).
pub const MAX_BATCH: usize = 10_000;

/// Everything that decides how a GAN trains. Defaults are the classic MLP GAN of the seed
/// article: z of 100, hidden layers of 128, non-saturating loss, Adam 2e-4 with β = (0.5, 0.999).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Seeds the weights, the noise and the order of the batches.
    pub seed: u64,
    /// Real and fake digits per step.
    pub batch_size: usize,
    /// Size of the generator's noise vector z.
    pub latent_dim: usize,
    /// Width of both hidden layers in G and in D.
    pub hidden: usize,
    /// Generator learning rate.
    pub lr_g: f64,
    /// Discriminator learning rate.
    pub lr_d: f64,
    /// Adam's first-moment decay, for both networks.
    pub beta1: f64,
    /// Adam's second-moment decay, for both networks.
    pub beta2: f64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            batch_size: 64,
            latent_dim: 100,
            hidden: 128,
            lr_g: 2e-4,
            lr_d: 2e-4,
            beta1: 0.5,
            beta2: 0.999,
        }
    }
}

/// Why a configuration was refused. Each message names the field and what it accepts, so the
/// page and the CLI can show it to a person as it is.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ConfigError {
    /// A field holds a value outside its allowed range.
    #[error("`{field}` = {value} is not allowed: {allowed}")]
    OutOfRange { field: &'static str, value: String, allowed: &'static str },
    /// A field's text could not be read as the type it needs.
    #[error("`{field}` = \"{value}\" is not {expected}")]
    NotANumber { field: String, value: String, expected: &'static str },
    /// A key that no field answers to.
    #[error("unknown setting `{field}`; known settings: {known}")]
    UnknownField { field: String, known: &'static str },
    /// The JSON text itself is malformed.
    #[error("the configuration is not valid JSON: {0}")]
    Json(String),
}

/// The keys a URL hash or a `key=value` list may use, in the order they are documented.
const KNOWN_KEYS: &str = "seed, batch, latent, hidden, lr, lr_g, lr_d, beta1, beta2";

impl TrainConfig {
    /// Checks every field, returning the first problem found.
    pub fn validate(&self) -> Result<(), ConfigError> {
        fn check(ok: bool, field: &'static str, value: impl ToString, allowed: &'static str) -> Result<(), ConfigError> {
            if ok { Ok(()) } else { Err(ConfigError::OutOfRange { field, value: value.to_string(), allowed }) }
        }
        let lr_ok = |lr: f64| lr.is_finite() && lr > 0.0 && lr <= 1.0;
        let beta_ok = |b: f64| b.is_finite() && (0.0..1.0).contains(&b);
        check((1..=MAX_BATCH).contains(&self.batch_size), "batch_size", self.batch_size, "an integer from 1 to 10000")?;
        check((1..=512).contains(&self.latent_dim), "latent_dim", self.latent_dim, "an integer from 1 to 512")?;
        check((4..=1024).contains(&self.hidden), "hidden", self.hidden, "an integer from 4 to 1024")?;
        check(lr_ok(self.lr_g), "lr_g", self.lr_g, "a number greater than 0 and at most 1")?;
        check(lr_ok(self.lr_d), "lr_d", self.lr_d, "a number greater than 0 and at most 1")?;
        check(beta_ok(self.beta1), "beta1", self.beta1, "a number from 0 up to (not including) 1")?;
        check(beta_ok(self.beta2), "beta2", self.beta2, "a number from 0 up to (not including) 1")?;
        Ok(())
    }

    /// Parses and validates a JSON document; missing fields take their defaults.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let config: Self = serde_json::from_str(text).map_err(|e| ConfigError::Json(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// The configuration as pretty JSON, the form files and checkpoints keep.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a config always serialises")
    }

    /// Applies `key=value` pairs (from a URL hash or CLI flags) on top of `self`, then validates.
    /// Keys are the short names of [`KNOWN_KEYS`]; `lr` sets both learning rates.
    pub fn with_pairs<'a>(mut self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, ConfigError> {
        fn num<T: std::str::FromStr>(field: &str, value: &str, expected: &'static str) -> Result<T, ConfigError> {
            value.trim().parse().map_err(|_| ConfigError::NotANumber { field: field.into(), value: value.into(), expected })
        }
        const INT: &str = "a whole number";
        const REAL: &str = "a number";
        for (key, value) in pairs {
            match key {
                "seed" => self.seed = num(key, value, INT)?,
                "batch" | "batch_size" => self.batch_size = num(key, value, INT)?,
                "latent" | "latent_dim" => self.latent_dim = num(key, value, INT)?,
                "hidden" => self.hidden = num(key, value, INT)?,
                "lr" => {
                    self.lr_g = num(key, value, REAL)?;
                    self.lr_d = self.lr_g;
                }
                "lr_g" => self.lr_g = num(key, value, REAL)?,
                "lr_d" => self.lr_d = num(key, value, REAL)?,
                "beta1" => self.beta1 = num(key, value, REAL)?,
                "beta2" => self.beta2 = num(key, value, REAL)?,
                _ => return Err(ConfigError::UnknownField { field: key.into(), known: KNOWN_KEYS }),
            }
        }
        self.validate()?;
        Ok(self)
    }

    /// Parses a URL-hash style query (`seed=7&batch=64`, with or without a leading `#`).
    pub fn from_query(query: &str) -> Result<Self, ConfigError> {
        let pairs: Vec<(&str, &str)> = query
            .trim_start_matches('#')
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .collect();
        Self::default().with_pairs(pairs)
    }

    /// Whether switching from `self` to `other` changes the networks' shapes or seed, which a
    /// running model cannot absorb: such a change needs a fresh start.
    pub fn needs_restart(&self, other: &Self) -> bool {
        (self.seed, self.latent_dim, self.hidden) != (other.seed, other.latent_dim, other.hidden)
    }
}
