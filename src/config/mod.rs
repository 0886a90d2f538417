//! The one training configuration that travels everywhere: page controls, URL hash, CLI flags
//! and JSON files all become a [`TrainConfig`], and nothing trains until it has been validated.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::data::toy::{DataSet, MAX_DRAWN};
use crate::message::{Explain, Message};

mod allowed;
mod choices;
pub mod lesson;
pub mod presets;
pub mod schedule;
pub mod schema;

pub use allowed::Allowed;
pub use choices::{Architecture, GanLoss, OptimizerConfig, OptimizerKind};
use schedule::{Anneal, Decay, LearningRates, LrSchedule};

/// The most discriminator updates per generator update: past this D simply wins.
pub const MAX_D_STEPS: usize = 20;

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
    /// Width of both hidden layers of the MLP's G.
    pub hidden: usize,
    /// Width of both hidden layers of the MLP's D: a width of its own, since D's passes cost
    /// about twice G's per step (it sees real and generated digits, and G's update goes through
    /// it), while G's width is what its digits need.
    pub hidden_d: usize,
    /// Channels of the DCGAN's widest convolutional layer (the other has half as many): a width
    /// of its own, since a convolution's cost grows with its square and the MLP's width would be
    /// far too wide for it.
    pub channels: usize,
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
            hidden_d: 128,
            channels: 128,
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

/// The largest seed: 2^53 − 1, JavaScript's `Number.MAX_SAFE_INTEGER`. The page holds the
/// settings as JavaScript numbers, which round larger integers (18446744073709551615 reads as
/// 18446744073709552000), so a larger seed would be shown, and shared in links, as another one.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// Why a configuration was refused. Each message names the setting by the key a link or `--set`
/// uses (a JSON file's own problems by its keys) and says what it accepts, so the page and the
/// CLI can show it to a person as it is.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ConfigError {
    /// A setting holds a value outside its allowed range.
    #[error("`{}` = {} is not allowed: {allowed}", shorten(.field), shorten(.value))]
    OutOfRange { field: String, value: String, allowed: Allowed },
    /// A setting's text could not be read as the type it needs.
    #[error("`{}` = \"{}\" is not {expected}", shorten(.field), shorten(.value))]
    BadValue { field: String, value: String, expected: Allowed },
    /// A key that no setting answers to.
    #[error("unknown setting `{}`; known settings: {known}", shorten(.field))]
    UnknownField { field: String, known: &'static str },
    /// A link's `preset` that names no preset.
    #[error("no preset `{}`; presets: {known}", shorten(.id))]
    UnknownPreset { id: String, known: String },
    /// A key given more than once in one query or list, which leaves unclear which value is meant.
    #[error("`{}` is given more than once; give each setting once", shorten(.field))]
    Repeated { field: String },
    /// A JSON configuration, or one of its parts that holds named settings (`g`, `d`), is
    /// not an object; `field` is `None` for the whole configuration.
    #[error("{} must be a JSON object of named settings, not {found}", json_place(.field.as_deref()))]
    NotAnObject { field: Option<String>, found: &'static str },
    /// The JSON text is malformed or does not describe a configuration.
    #[error("the configuration is not valid JSON: {}", shorten_quoted(.0))]
    Json(String),
    /// Two or more of the problems above, all found in one configuration.
    #[error("{}", list(.0))]
    Several(Vec<ConfigError>),
}

/// The most characters of a person's own text that a message repeats: enough to recognise it,
/// while a value pasted by mistake (a whole file, say) cannot flood the page's error box.
const ECHOED_CHARS: usize = 80;

/// The most problems [`ConfigError::Several`] lists one by one; the rest are counted.
const LISTED_PROBLEMS: usize = 10;

/// `text` cut to `ECHOED_CHARS` characters, with "…" where it was cut: how every message,
/// here and in the command line, repeats what a person typed.
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(ECHOED_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// `message` with each stretch between quotes (backticks or double quotes) cut by [`shorten`]: a
/// JSON parser's message quotes the document's own text, which may be a whole file, while its
/// own words between the quotes are short.
fn shorten_quoted(message: &str) -> String {
    const QUOTES: [char; 2] = ['`', '"'];
    message
        .split_inclusive(QUOTES)
        .map(|piece| {
            let text = piece.strip_suffix(QUOTES).unwrap_or(piece);
            shorten(text) + &piece[text.len()..]
        })
        .collect()
}

/// How a message names the part of a JSON configuration at `field`.
fn json_place(field: Option<&str>) -> String {
    field.map_or_else(|| "the configuration".to_string(), |field| format!("`{}`", shorten(field)))
}

/// Each problem on its own line, the first [`LISTED_PROBLEMS`] of them, then how many more.
fn list(problems: &[ConfigError]) -> String {
    let mut lines: Vec<String> = problems.iter().take(LISTED_PROBLEMS).map(ToString::to_string).collect();
    if problems.len() > LISTED_PROBLEMS {
        lines.push(format!("… and {} more problems", problems.len() - LISTED_PROBLEMS));
    }
    lines.join("\n")
}

impl Explain for ConfigError {
    const KEYS: &'static [&'static str] = &[
        "error.config.out_of_range",
        "error.config.bad_value",
        "error.config.unknown_field",
        "error.config.unknown_preset",
        "error.config.repeated",
        "error.config.not_an_object",
        "error.config.root_not_an_object",
        "error.config.json",
        "error.config.several",
        "error.config.more_problems",
        "json.null",
        "json.bool",
        "json.number",
        "json.string",
        "json.array",
        "json.object",
    ];

    fn message(&self) -> Message {
        match self {
            Self::OutOfRange { field, value, allowed } => Message::new("error.config.out_of_range")
                .with("field", shorten(field))
                .with("value", shorten(value))
                .with("allowed", allowed.message()),
            Self::BadValue { field, value, expected } => Message::new("error.config.bad_value")
                .with("field", shorten(field))
                .with("value", shorten(value))
                .with("expected", expected.message()),
            Self::UnknownField { field, .. } => Message::new("error.config.unknown_field")
                .with("field", shorten(field))
                .with("known", schema::key_names()),
            Self::UnknownPreset { id, known } => {
                Message::new("error.config.unknown_preset").with("id", shorten(id)).with("known", known.clone())
            }
            Self::Repeated { field } => Message::new("error.config.repeated").with("field", shorten(field)),
            Self::NotAnObject { field, found } => {
                let found = Message::new(json_kind_key(found));
                match field {
                    Some(field) => {
                        Message::new("error.config.not_an_object").with("field", shorten(field)).with("found", found)
                    }
                    None => Message::new("error.config.root_not_an_object").with("found", found),
                }
            }
            Self::Json(detail) => Message::new("error.config.json").with("detail", shorten_quoted(detail)),
            Self::Several(problems) => {
                let mut lines: Vec<Message> = problems.iter().take(LISTED_PROBLEMS).map(Explain::message).collect();
                if problems.len() > LISTED_PROBLEMS {
                    lines.push(
                        Message::new("error.config.more_problems").with("count", problems.len() - LISTED_PROBLEMS),
                    );
                }
                Message::new("error.config.several").with("problems", lines)
            }
        }
    }
}

/// The key of the words [`json_kind`] gives.
fn json_kind_key(kind: &str) -> &'static str {
    match kind {
        "null" => "json.null",
        "true or false" => "json.bool",
        "a number" => "json.number",
        "a string" => "json.string",
        "an array" => "json.array",
        _ => "json.object",
    }
}

/// `x` as a message writes it: plainly where that is short, in exponent form (`1e308`,
/// `2.5e-7`) for magnitudes that plain form would write out digit by digit.
fn number(x: f64) -> String {
    if x.is_finite() && x != 0.0 && !(1e-4..1e6).contains(&x.abs()) { format!("{x:e}") } else { x.to_string() }
}

/// The problems found in one configuration, so that it is refused with all of them at once.
#[derive(Default)]
struct Problems(Vec<ConfigError>);

impl Problems {
    /// Keeps `problem`, or each of them if it holds several.
    fn push(&mut self, problem: ConfigError) {
        match problem {
            ConfigError::Several(problems) => self.0.extend(problems),
            problem => self.0.push(problem),
        }
    }

    /// Keeps the problem of `result`, if it has one.
    fn note(&mut self, result: Result<(), ConfigError>) {
        if let Err(problem) = result {
            self.push(problem);
        }
    }

    /// Notes that `key` = `value` is out of range.
    fn refuse(&mut self, key: impl Into<String>, value: impl ToString, allowed: Allowed) {
        self.0.push(ConfigError::OutOfRange { field: key.into(), value: value.to_string(), allowed });
    }

    /// Notes that `key` = `value` is out of range unless `ok`.
    fn require(&mut self, ok: bool, key: impl Into<String>, value: impl ToString, allowed: Allowed) {
        if !ok {
            self.refuse(key, value, allowed);
        }
    }

    /// Success when nothing was found, else the one problem or all of them.
    fn into_result(mut self) -> Result<(), ConfigError> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(self.0.remove(0)),
            _ => Err(ConfigError::Several(self.0)),
        }
    }
}

impl TrainConfig {
    /// Checks every setting, returning every problem found.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Problems::default();
        schema::check(self, &mut problems);
        problems.into_result()
    }

    /// The generator's and discriminator's learning rates at step `t` (0-based), after the schedule.
    pub fn learning_rates(&self, t: u64) -> LearningRates {
        let decay = Decay { k: self.decay_k, gamma: self.decay_gamma, step_size: self.decay_steps };
        LearningRates { g: self.schedule.lr(self.g.lr, t, decay), d: self.schedule.lr(self.d.lr, t, decay) }
    }

    /// Whether D's loss penalises its input gradient (WGAN-GP's penalty or R1), which asks for
    /// each sample's own gradient.
    pub fn penalises_input_gradient(&self) -> bool {
        self.loss == GanLoss::WganGp || self.r1_gamma > 0.0
    }

    /// The instance-noise standard deviation at step `t`.
    pub fn noise_sigma(&self, t: u64) -> f64 {
        self.noise_anneal.sigma(self.instance_noise, t, self.noise_steps)
    }

    /// Parses and validates a JSON document: an object of named settings, never an array of them
    /// by position. Missing fields take their defaults at every depth: `{"g": {"kind": "sgd"}}`
    /// keeps G's default learning rate, which differs from D's.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let json_error = |e: serde_json::Error| ConfigError::Json(e.to_string());
        let mut given: serde_json::Value = serde_json::from_str(text).map_err(json_error)?;
        carry_widths(&mut given);
        let mut merged = serde_json::to_value(Self::default()).expect("a config always serialises");
        overlay(&mut merged, given, None)?;
        let config: Self = serde_json::from_value(merged).map_err(json_error)?;
        config.validate()?;
        Ok(config)
    }

    /// The configuration as pretty JSON, the form files and checkpoints keep.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a config always serialises")
    }

    /// Applies `key=value` pairs (from a URL hash or CLI flags) on top of `self`, then validates.
    /// Keys are those of [`schema::settings`] (or their top-level JSON names), each given once; a
    /// value's type is checked as it is set, its range once all are. Every problem is reported,
    /// not only the first, so that a link's mistakes are fixed in one go.
    pub fn with_pairs<'a>(mut self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, ConfigError> {
        let mut problems = Problems::default();
        let mut times_given: HashMap<&str, usize> = HashMap::new();
        for (key, value) in pairs {
            let key = schema::short_key(key);
            let times = times_given.entry(key).or_default();
            *times += 1;
            match *times {
                1 => problems.note(schema::set(&mut self, key, value)),
                2 => problems.push(ConfigError::Repeated { field: key.into() }),
                _ => {}
            }
        }
        problems.note(self.validate());
        problems.into_result().map(|()| self)
    }

    /// Parses a URL-hash style query (`seed=7&batch=64`, with or without a leading `#`), its
    /// keys and values percent-encoded or not, as browsers and `URLSearchParams` write them.
    /// `preset=ID`, wherever it stands, starts from that preset's settings instead of the
    /// defaults, and the other keys apply on top.
    pub fn from_query(query: &str) -> Result<Self, ConfigError> {
        let pairs = query_pairs(query);
        let mut presets = pairs.iter().filter(|(key, _)| key == PRESET_KEY);
        let base = match (presets.next(), presets.next()) {
            (None, _) => Self::default(),
            (Some((_, id)), None) => presets::find(id).map(|p| p.config).ok_or_else(|| ConfigError::UnknownPreset {
                id: id.clone(),
                known: presets::all().iter().map(|p| p.id).collect::<Vec<_>>().join(", "),
            })?,
            (Some(_), Some(_)) => return Err(ConfigError::Repeated { field: PRESET_KEY.into() }),
        };
        base.with_pairs(pairs.iter().filter(|(key, _)| key != PRESET_KEY).map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// What a page's link opens: the run its settings describe, or the opening preset
    /// ([`presets::OPENING`]) where it sets none, so that a bare address gives a newcomer the
    /// recipe that draws digits soonest.
    pub fn from_link(query: &str) -> Result<Self, ConfigError> {
        if query_pairs(query).is_empty() { Ok(presets::opening()) } else { Self::from_query(query) }
    }

    /// Applies a URL-hash style query (as [`TrainConfig::from_query`] reads it, but without a
    /// `preset`) on top of `self`, then validates: a lesson's stage sets a few settings over a
    /// preset's.
    pub fn with_query(self, query: &str) -> Result<Self, ConfigError> {
        let pairs = query_pairs(query);
        self.with_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The shortest query that [`TrainConfig::from_query`] turns back into `self`: only the
    /// settings that differ from the defaults, so a shared link stays readable. The defaults
    /// themselves are `preset=seed_article`, not nothing, since a link that sets nothing opens
    /// the opening preset ([`TrainConfig::from_link`]).
    pub fn to_query(&self) -> String {
        let pairs = schema::query_pairs(self);
        if pairs.is_empty() {
            return format!("{PRESET_KEY}={}", presets::DEFAULTS);
        }
        pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
    }

    /// Whether switching from `self` to `other` changes a setting that shapes or seeds the
    /// networks or their data, which a running model cannot absorb: such a change needs a fresh
    /// start.
    pub fn needs_restart(&self, other: &Self) -> bool {
        !self.restarting_changes(other).is_empty()
    }

    /// The keys of the settings whose change from `self` to `other` makes
    /// [`TrainConfig::needs_restart`] true.
    pub fn restarting_changes(&self, other: &Self) -> Vec<&'static str> {
        schema::restarting_changes(self, other)
    }

    /// The keys of the settings that matter for this configuration (the page's lab shows them).
    pub fn relevant_settings(&self) -> Vec<&'static str> {
        schema::relevant(self)
    }
}

/// Writes `given` over `base`, object by object, so that keys absent from `given` keep `base`'s
/// values; `field` is the key of `base` (`None` for the whole configuration). Where `base` is an
/// object `given` must be one too, since serde would read an array as the fields in order (`["ring"]`
/// as `data`). Other values replace `base`'s as they are (and unknown keys stay, for
/// deserialisation to refuse by name).
fn overlay(base: &mut serde_json::Value, given: serde_json::Value, field: Option<&str>) -> Result<(), ConfigError> {
    use serde_json::Value;
    match (base, given) {
        (Value::Object(base), Value::Object(given)) => {
            for (key, value) in given {
                match base.get_mut(&key) {
                    Some(slot) => overlay(slot, value, Some(&key))?,
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (Value::Object(_), given) => {
            return Err(ConfigError::NotAnObject { field: field.map(Into::into), found: json_kind(&given) });
        }
        (base, given) => *base = given,
    }
    Ok(())
}

/// The link key that starts from a preset's settings.
pub const PRESET_KEY: &str = "preset";

/// The decoded `key=value` pairs of a URL-hash style query, with or without a leading `#`.
fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('#')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .map(|(key, value)| (percent_decode(key), percent_decode(value)))
        .collect()
}

/// Files written while `hidden` was the width of both MLPs (before D had `hidden_d`) and of the
/// DCGAN (before it had `channels`) keep meaning the networks they describe, so that their
/// checkpoints still load.
fn carry_widths(given: &mut serde_json::Value) {
    let Some(object) = given.as_object_mut() else { return };
    let Some(hidden) = object.get("hidden").cloned() else { return };
    if !object.contains_key("hidden_d") {
        object.insert("hidden_d".into(), hidden.clone());
    }
    if object.get("model").and_then(|m| m.as_str()) == Some("dcgan") && !object.contains_key("channels") {
        object.insert("channels".into(), hidden);
    }
}

/// What kind of JSON value `value` is, as a message names it.
fn json_kind(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
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

/// The decimals a drawn point keeps in a link (and the page keeps as it is drawn): a thousandth
/// of the plane is finer than a mouse or a finger draws.
pub const POINT_DECIMALS: i32 = 3;

/// Drawn points as a query value: `x,y;x,y;...`, [`POINT_DECIMALS`] decimals each.
fn points_text(points: &[[f32; 2]]) -> String {
    points.iter().map(|[x, y]| format!("{},{}", round_point(*x), round_point(*y))).collect::<Vec<_>>().join(";")
}

/// `v` to [`POINT_DECIMALS`] decimals, written as short as it reads back.
fn round_point(v: f32) -> f32 {
    let scale = 10f32.powi(POINT_DECIMALS);
    (v * scale).round() / scale
}

/// Reads [`points_text`]' form; the range is checked by [`TrainConfig::validate`].
fn parse_points(value: &str) -> Result<Vec<[f32; 2]>, ConfigError> {
    let bad = || ConfigError::BadValue { field: "points".into(), value: value.into(), expected: Allowed::PointList };
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
