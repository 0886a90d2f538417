//! The one training configuration that travels everywhere: page controls, URL hash, CLI flags
//! and JSON files all become a [`TrainConfig`], and nothing trains until it has been validated.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::loss::GanLoss;
use crate::model::Architecture;
use crate::optim::OptimizerConfig;
use crate::schedule::{Anneal, Decay, LrSchedule};
use crate::toy::{DataSet, MAX_DRAWN};

/// Number of digits in the shipped data set: the largest meaningful batch (full-batch descent).
pub const MAX_BATCH: usize = 10_000;

/// Everything that decides how a GAN trains. Defaults are the classic MLP GAN of the seed
/// article: z of 100, hidden layers of 128, non-saturating loss, Adam with β = (0.5, 0.999),
/// D at 2e-4 and G at 1e-3. G learns five times faster than D because with 2e-4 for both this
/// small MLP collapses to a single pattern within a few hundred steps (the mode-collapse preset
/// shows it), while 1e-3 for G draws varied, recognisable digits by 10 000 steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// What G learns to draw: MNIST digits or a 2-D toy distribution.
    pub data: DataSet,
    /// The points a student drew, in the unit square, for [`DataSet::Drawn`].
    pub points: Vec<[f32; 2]>,
    /// Fully connected networks or the DCGAN's convolutions.
    pub model: Architecture,
    /// Whether G and D are told which digit is meant (a conditional GAN), so G draws the digit
    /// it is asked for.
    pub conditional: bool,
    /// Seeds the weights, the noise and the order of the batches.
    pub seed: u64,
    /// Real and fake digits per step; [`MAX_BATCH`] is full-batch gradient descent.
    pub batch_size: usize,
    /// Size of the generator's noise vector z.
    pub latent_dim: usize,
    /// Width of both hidden layers in G and in D; for the DCGAN, the channels of its widest
    /// convolutional layer (the other has half as many).
    pub hidden: usize,
    /// The objective.
    pub loss: GanLoss,
    /// WGAN-clip: D's weights are clamped to [−clip, clip] after every update.
    pub clip: f64,
    /// WGAN-GP: weight λ of the gradient penalty.
    pub gp_lambda: f64,
    /// R1 penalty weight γ on real data, with any loss; 0 turns it off.
    pub r1_gamma: f64,
    /// The generator's optimiser.
    pub g: OptimizerConfig,
    /// The discriminator's optimiser.
    pub d: OptimizerConfig,
    /// How both learning rates decay over the steps.
    pub schedule: LrSchedule,
    /// k of time-based decay lr₀/(1 + k·t).
    pub decay_k: f64,
    /// γ of exponential and step decay.
    pub decay_gamma: f64,
    /// s of exponential and step decay, in steps.
    pub decay_steps: u64,
    /// Discriminator updates per generator update (n_D).
    pub d_steps: usize,
    /// Target for real digits in the cross-entropy and least-squares losses: below 1 is
    /// one-sided label smoothing (fakes keep target 0).
    pub real_label: f64,
    /// Initial standard deviation of the Gaussian noise added to every input D sees; 0 is off.
    pub instance_noise: f64,
    /// How the instance noise fades.
    pub noise_anneal: Anneal,
    /// Horizon T of the anneal, in steps.
    pub noise_steps: u64,
    /// Decay of the moving average of G's weights used for the sample grid; 0 shows G itself.
    pub ema: f64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            data: DataSet::Mnist,
            points: Vec::new(),
            model: Architecture::Mlp,
            conditional: false,
            seed: 0,
            batch_size: 64,
            latent_dim: 100,
            hidden: 128,
            loss: GanLoss::NonSaturating,
            clip: 0.01,
            gp_lambda: 10.0,
            r1_gamma: 0.0,
            g: OptimizerConfig { lr: 1e-3, ..OptimizerConfig::default() },
            d: OptimizerConfig::default(),
            schedule: LrSchedule::Constant,
            decay_k: 1e-3,
            decay_gamma: 0.5,
            decay_steps: 1000,
            d_steps: 1,
            real_label: 1.0,
            instance_noise: 0.0,
            noise_anneal: Anneal::Linear,
            noise_steps: 5000,
            ema: 0.0,
        }
    }
}

/// Why a configuration was refused. Each message names the field and what it accepts, so the
/// page and the CLI can show it to a person as it is.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ConfigError {
    /// A field holds a value outside its allowed range.
    #[error("`{field}` = {value} is not allowed: {allowed}")]
    OutOfRange { field: String, value: String, allowed: &'static str },
    /// A field's text could not be read as the type it needs.
    #[error("`{field}` = \"{value}\" is not {expected}")]
    BadValue { field: String, value: String, expected: &'static str },
    /// A key that no field answers to.
    #[error("unknown setting `{field}`; known settings: {known}")]
    UnknownField { field: String, known: &'static str },
    /// The JSON text itself is malformed.
    #[error("the configuration is not valid JSON: {0}")]
    Json(String),
}

/// The keys a URL hash or a `key=value` list may use. The optimiser keys set both networks, or
/// one with a `_g` or `_d` suffix (`lr_d=1e-4`).
pub const KNOWN_KEYS: &str = "data, points, model, conditional, seed, batch (a number or `full`), latent, hidden, loss, clip, gp, r1, \
    opt, lr, beta1, beta2, eps, momentum, alpha (each also with _g or _d), schedule, decay_k, decay_gamma, \
    decay_steps, d_steps, real_label, noise, anneal, noise_steps, ema";

/// The optimiser fields, by the short key that sets them.
const OPTIMIZER_KEYS: [&str; 7] = ["opt", "lr", "beta1", "beta2", "eps", "momentum", "alpha"];

impl TrainConfig {
    /// Checks every field, returning the first problem found.
    pub fn validate(&self) -> Result<(), ConfigError> {
        fn check(
            ok: bool,
            field: impl Into<String>,
            value: impl ToString,
            allowed: &'static str,
        ) -> Result<(), ConfigError> {
            if ok {
                Ok(())
            } else {
                Err(ConfigError::OutOfRange { field: field.into(), value: value.to_string(), allowed })
            }
        }
        let within = |x: f64, lo: f64, hi: f64| x.is_finite() && (lo..=hi).contains(&x);
        let fraction = |x: f64| x.is_finite() && (0.0..1.0).contains(&x);
        check(self.points.len() <= MAX_DRAWN, "points", self.points.len(), "at most 256 points")?;
        for point in &self.points {
            let inside = point.iter().all(|v| (0.0..=1.0).contains(v));
            check(inside, "points", format!("{point:?}"), "coordinates from 0 to 1 (the unit square)")?;
        }
        check(
            self.data != DataSet::Drawn || !self.points.is_empty(),
            "points",
            "none",
            "at least one point for data = drawn",
        )?;
        check((1..=MAX_BATCH).contains(&self.batch_size), "batch_size", self.batch_size, "an integer from 1 to 10000")?;
        check((1..=512).contains(&self.latent_dim), "latent_dim", self.latent_dim, "an integer from 1 to 512")?;
        check((4..=1024).contains(&self.hidden), "hidden", self.hidden, "an integer from 4 to 1024")?;
        let convolutional = self.model == Architecture::Dcgan;
        check(!convolutional || self.hidden <= 256, "hidden", self.hidden, "an integer from 4 to 256 for the DCGAN")?;
        check(
            !convolutional || !self.data.is_toy(),
            "model",
            "dcgan",
            "mlp for 2-D points (the DCGAN's convolutions draw 28×28 digits)",
        )?;
        check(
            !self.conditional || !self.data.is_toy(),
            "conditional",
            "true",
            "false for 2-D points (only digits have labels to condition on)",
        )?;
        check(within(self.clip, 1e-4, 10.0), "clip", self.clip, "a number from 0.0001 to 10")?;
        check(within(self.gp_lambda, 0.0, 1000.0), "gp_lambda", self.gp_lambda, "a number from 0 to 1000")?;
        check(within(self.r1_gamma, 0.0, 1000.0), "r1_gamma", self.r1_gamma, "a number from 0 (off) to 1000")?;
        for (net, o) in [("g", &self.g), ("d", &self.d)] {
            let field = |name: &str| format!("{net}.{name}");
            check(
                o.lr.is_finite() && o.lr > 0.0 && o.lr <= 1.0,
                field("lr"),
                o.lr,
                "a number greater than 0 and at most 1",
            )?;
            check(fraction(o.beta1), field("beta1"), o.beta1, "a number from 0 up to (not including) 1")?;
            check(fraction(o.beta2), field("beta2"), o.beta2, "a number from 0 up to (not including) 1")?;
            check(within(o.epsilon, 1e-12, 1.0), field("epsilon"), o.epsilon, "a number from 1e-12 to 1")?;
            check(fraction(o.momentum), field("momentum"), o.momentum, "a number from 0 up to (not including) 1")?;
            check(fraction(o.alpha), field("alpha"), o.alpha, "a number from 0 up to (not including) 1")?;
        }
        check(within(self.decay_k, 0.0, 1.0), "decay_k", self.decay_k, "a number from 0 to 1")?;
        check(
            self.decay_gamma.is_finite() && self.decay_gamma > 0.0 && self.decay_gamma <= 1.0,
            "decay_gamma",
            self.decay_gamma,
            "a number greater than 0 and at most 1",
        )?;
        check(
            (1..=10_000_000).contains(&self.decay_steps),
            "decay_steps",
            self.decay_steps,
            "an integer from 1 to 10000000",
        )?;
        check((1..=20).contains(&self.d_steps), "d_steps", self.d_steps, "an integer from 1 to 20")?;
        check(
            within(self.real_label, 0.5, 1.0),
            "real_label",
            self.real_label,
            "a number from 0.5 to 1 (1 is no smoothing)",
        )?;
        check(
            within(self.instance_noise, 0.0, 2.0),
            "instance_noise",
            self.instance_noise,
            "a number from 0 (off) to 2",
        )?;
        check(
            (1..=10_000_000).contains(&self.noise_steps),
            "noise_steps",
            self.noise_steps,
            "an integer from 1 to 10000000",
        )?;
        check(fraction(self.ema), "ema", self.ema, "0 (off) or a decay below 1, such as 0.999")?;
        Ok(())
    }

    /// The generator's and discriminator's learning rates at step `t` (0-based), after the schedule.
    pub fn learning_rates(&self, t: u64) -> (f64, f64) {
        let decay = Decay { k: self.decay_k, gamma: self.decay_gamma, step_size: self.decay_steps };
        (self.schedule.lr(self.g.lr, t, decay), self.schedule.lr(self.d.lr, t, decay))
    }

    /// The instance-noise standard deviation at step `t`.
    pub fn noise_sigma(&self, t: u64) -> f64 {
        self.noise_anneal.sigma(self.instance_noise, t, self.noise_steps)
    }

    /// Parses and validates a JSON document. Missing fields take their defaults at every depth:
    /// `{"g": {"kind": "sgd"}}` keeps G's default learning rate, which differs from D's.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let json_error = |e: serde_json::Error| ConfigError::Json(e.to_string());
        let given: serde_json::Value = serde_json::from_str(text).map_err(json_error)?;
        let mut merged = serde_json::to_value(Self::default()).expect("a config always serialises");
        overlay(&mut merged, given);
        let config: Self = serde_json::from_value(merged).map_err(json_error)?;
        config.validate()?;
        Ok(config)
    }

    /// The configuration as pretty JSON, the form files and checkpoints keep.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a config always serialises")
    }

    /// Applies `key=value` pairs (from a URL hash or CLI flags) on top of `self`, then validates.
    /// Keys are those of [`KNOWN_KEYS`].
    pub fn with_pairs<'a>(mut self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, ConfigError> {
        for (key, value) in pairs {
            self.set(key, value)?;
        }
        self.validate()?;
        Ok(self)
    }

    /// Parses a URL-hash style query (`seed=7&batch=64`, with or without a leading `#`), its
    /// keys and values percent-encoded or not, as browsers and `URLSearchParams` write them.
    pub fn from_query(query: &str) -> Result<Self, ConfigError> {
        let pairs: Vec<(String, String)> = query
            .trim_start_matches('#')
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .map(|(key, value)| (percent_decode(key), percent_decode(value)))
            .collect();
        Self::default().with_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The shortest query that [`TrainConfig::from_query`] turns back into `self`: only the
    /// settings that differ from the defaults, so a shared link stays readable.
    pub fn to_query(&self) -> String {
        let default = Self::default();
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut differs = |key: &str, value: String, default: String| {
            if value != default {
                pairs.push((key.to_string(), value));
            }
        };
        differs("data", enum_name(&self.data), enum_name(&default.data));
        if self.data == DataSet::Drawn {
            differs("points", points_text(&self.points), String::new());
        }
        differs("model", enum_name(&self.model), enum_name(&default.model));
        differs("conditional", self.conditional.to_string(), default.conditional.to_string());
        differs("seed", self.seed.to_string(), default.seed.to_string());
        differs("batch", self.batch_size.to_string(), default.batch_size.to_string());
        differs("latent", self.latent_dim.to_string(), default.latent_dim.to_string());
        differs("hidden", self.hidden.to_string(), default.hidden.to_string());
        differs("loss", enum_name(&self.loss), enum_name(&default.loss));
        differs("clip", self.clip.to_string(), default.clip.to_string());
        differs("gp", self.gp_lambda.to_string(), default.gp_lambda.to_string());
        differs("r1", self.r1_gamma.to_string(), default.r1_gamma.to_string());
        for key in OPTIMIZER_KEYS {
            let (g, d) = (optimizer_field(&self.g, key), optimizer_field(&self.d, key));
            let (default_g, default_d) = (optimizer_field(&default.g, key), optimizer_field(&default.d, key));
            if g == d && g != default_g && d != default_d {
                differs(key, g, String::new());
            } else {
                differs(&format!("{key}_g"), g, default_g);
                differs(&format!("{key}_d"), d, default_d);
            }
        }
        differs("schedule", enum_name(&self.schedule), enum_name(&default.schedule));
        differs("decay_k", self.decay_k.to_string(), default.decay_k.to_string());
        differs("decay_gamma", self.decay_gamma.to_string(), default.decay_gamma.to_string());
        differs("decay_steps", self.decay_steps.to_string(), default.decay_steps.to_string());
        differs("d_steps", self.d_steps.to_string(), default.d_steps.to_string());
        differs("real_label", self.real_label.to_string(), default.real_label.to_string());
        differs("noise", self.instance_noise.to_string(), default.instance_noise.to_string());
        differs("anneal", enum_name(&self.noise_anneal), enum_name(&default.noise_anneal));
        differs("noise_steps", self.noise_steps.to_string(), default.noise_steps.to_string());
        differs("ema", self.ema.to_string(), default.ema.to_string());
        pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
    }

    /// Whether switching from `self` to `other` changes the networks' shapes or seed, which a
    /// running model cannot absorb: such a change needs a fresh start.
    pub fn needs_restart(&self, other: &Self) -> bool {
        (self.seed, self.latent_dim, self.hidden, self.data, self.model, self.conditional)
            != (other.seed, other.latent_dim, other.hidden, other.data, other.model, other.conditional)
            || (self.data == DataSet::Drawn && self.points != other.points)
    }

    /// Sets one field from its short key; the value is checked for type here and for range by
    /// [`TrainConfig::validate`].
    fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        match key {
            "data" => self.data = choice(key, value, "one of mnist, ring, grid, moons, drawn")?,
            "points" => self.points = parse_points(value)?,
            "model" => self.model = choice(key, value, "one of mlp, dcgan")?,
            "conditional" => {
                self.conditional = match value.trim() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    _ => {
                        return Err(ConfigError::BadValue {
                            field: key.into(),
                            value: value.into(),
                            expected: "true or false",
                        });
                    }
                }
            }
            "seed" => self.seed = parse(key, value)?,
            "batch" | "batch_size" => {
                self.batch_size = if value.trim() == "full" { MAX_BATCH } else { parse(key, value)? }
            }
            "latent" | "latent_dim" => self.latent_dim = parse(key, value)?,
            "hidden" => self.hidden = parse(key, value)?,
            "loss" => {
                self.loss =
                    choice(key, value, "one of minimax, non_saturating, least_squares, hinge, wgan_clip, wgan_gp")?
            }
            "clip" => self.clip = parse(key, value)?,
            "gp" | "gp_lambda" => self.gp_lambda = parse(key, value)?,
            "r1" | "r1_gamma" => self.r1_gamma = parse(key, value)?,
            "schedule" => self.schedule = choice(key, value, "one of constant, time, exponential, step")?,
            "decay_k" => self.decay_k = parse(key, value)?,
            "decay_gamma" => self.decay_gamma = parse(key, value)?,
            "decay_steps" => self.decay_steps = parse(key, value)?,
            "d_steps" => self.d_steps = parse(key, value)?,
            "real_label" => self.real_label = parse(key, value)?,
            "noise" | "instance_noise" => self.instance_noise = parse(key, value)?,
            "anneal" | "noise_anneal" => self.noise_anneal = choice(key, value, "one of linear, exponential")?,
            "noise_steps" => self.noise_steps = parse(key, value)?,
            "ema" => self.ema = parse(key, value)?,
            _ => {
                let (base, nets): (&str, &mut [&mut OptimizerConfig]) = match key.rsplit_once('_') {
                    Some((base, "g")) if OPTIMIZER_KEYS.contains(&base) => (base, &mut [&mut self.g]),
                    Some((base, "d")) if OPTIMIZER_KEYS.contains(&base) => (base, &mut [&mut self.d]),
                    _ if OPTIMIZER_KEYS.contains(&key) => (key, &mut [&mut self.g, &mut self.d]),
                    _ => return Err(ConfigError::UnknownField { field: key.into(), known: KNOWN_KEYS }),
                };
                for net in nets.iter_mut() {
                    set_optimizer_field(net, base, key, value)?;
                }
            }
        }
        Ok(())
    }
}

/// Writes `given` over `base`, object by object, so that keys absent from `given` keep `base`'s
/// values. Anything that is not an object on both sides replaces the base value as it is (and
/// unknown keys stay, for deserialisation to refuse by name).
fn overlay(base: &mut serde_json::Value, given: serde_json::Value) {
    match (base, given) {
        (serde_json::Value::Object(base), serde_json::Value::Object(given)) => {
            for (key, value) in given {
                match base.get_mut(&key) {
                    Some(slot) => overlay(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, given) => *base = given,
    }
}

/// Sets one optimiser field from its short key (see [`OPTIMIZER_KEYS`]).
fn set_optimizer_field(o: &mut OptimizerConfig, base: &str, key: &str, value: &str) -> Result<(), ConfigError> {
    match base {
        "opt" => o.kind = choice(key, value, "one of sgd, momentum, nesterov, adam, rms_prop")?,
        "lr" => o.lr = parse(key, value)?,
        "beta1" => o.beta1 = parse(key, value)?,
        "beta2" => o.beta2 = parse(key, value)?,
        "eps" => o.epsilon = parse(key, value)?,
        "momentum" => o.momentum = parse(key, value)?,
        _ => o.alpha = parse(key, value)?,
    }
    Ok(())
}

/// One optimiser field as query text, by its short key.
fn optimizer_field(o: &OptimizerConfig, key: &str) -> String {
    match key {
        "opt" => enum_name(&o.kind),
        "lr" => o.lr.to_string(),
        "beta1" => o.beta1.to_string(),
        "beta2" => o.beta2.to_string(),
        "eps" => o.epsilon.to_string(),
        "momentum" => o.momentum.to_string(),
        _ => o.alpha.to_string(),
    }
}

/// A number from query text.
fn parse<T: std::str::FromStr>(field: &str, value: &str) -> Result<T, ConfigError> {
    value.trim().parse().map_err(|_| ConfigError::BadValue {
        field: field.into(),
        value: value.into(),
        expected: if std::any::type_name::<T>() == "f64" { "a number" } else { "a whole number" },
    })
}

/// One of an enum's names (its JSON spelling) from query text.
fn choice<T: DeserializeOwned>(field: &str, value: &str, expected: &'static str) -> Result<T, ConfigError> {
    serde_json::from_value(serde_json::Value::String(value.trim().into())).map_err(|_| ConfigError::BadValue {
        field: field.into(),
        value: value.into(),
        expected,
    })
}

/// An enum's JSON spelling.
fn enum_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => unreachable!("configuration enums serialise as strings"),
    }
}

/// `text` with `+` read as a space and `%XX` escapes as the bytes they stand for (invalid UTF-8
/// replaced, malformed escapes kept as written), as in `application/x-www-form-urlencoded`.
fn percent_decode(text: &str) -> String {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        let escaped = tail
            .get(..2)
            .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match (first, escaped) {
            (b'%', Some(byte)) => {
                bytes.push(byte);
                rest = &tail[2..];
            }
            (b'+', _) => {
                bytes.push(b' ');
                rest = tail;
            }
            (byte, _) => {
                bytes.push(byte);
                rest = tail;
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Drawn points as a query value: `x,y;x,y;...`, three decimals each.
fn points_text(points: &[[f32; 2]]) -> String {
    points.iter().map(|[x, y]| format!("{},{}", round3(*x), round3(*y))).collect::<Vec<_>>().join(";")
}

/// `v` to three decimals, written as short as it reads back.
fn round3(v: f32) -> f32 {
    (v * 1000.0).round() / 1000.0
}

/// Reads [`points_text`]' form; the range is checked by [`TrainConfig::validate`].
fn parse_points(value: &str) -> Result<Vec<[f32; 2]>, ConfigError> {
    let bad = || ConfigError::BadValue {
        field: "points".into(),
        value: value.chars().take(80).collect(),
        expected: "a list of x,y pairs separated by `;`",
    };
    value
        .split(';')
        .filter(|p| !p.trim().is_empty())
        .take(MAX_DRAWN + 1)
        .map(|pair| {
            let (x, y) = pair.split_once(',').ok_or_else(bad)?;
            let number = |t: &str| t.trim().parse::<f32>().ok().filter(|v| v.is_finite()).ok_or_else(bad);
            Ok([number(x)?, number(y)?])
        })
        .collect()
}
