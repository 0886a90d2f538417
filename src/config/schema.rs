//! Every setting, once: the key a link or `--set` uses, its name in JSON, what it holds and
//! accepts, its group in the page's lab, whether a change needs a fresh run and when it matters.
//! Parsing, the refusals' wording, the keys a link may use, the shortest link, the restart rule,
//! the command line's settings help and the page's lab (through [`schema_json`]) are all read
//! from [`settings`], so a new setting is one row of it, plus its words in the page's languages.
//! Default values are not kept here: they are [`TrainConfig::default`]'s.

use std::sync::LazyLock;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::{Allowed, ConfigError, MAX_BATCH, MAX_D_STEPS, MAX_SEED, Problems, number};
use crate::config::Architecture;
use crate::config::GanLoss;
use crate::config::OptimizerKind;
use crate::config::TrainConfig;
use crate::config::schedule::LrSchedule;
use crate::data::toy::{DataSet, MAX_DRAWN};

/// The lab's groups of controls, in the page's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Objective,
    OptimizerG,
    OptimizerD,
    Schedule,
    Batches,
    Tricks,
    Restart,
}

impl Group {
    /// Every group, in the page's order.
    pub const ALL: [Group; 7] = [
        Self::Objective,
        Self::OptimizerG,
        Self::OptimizerD,
        Self::Schedule,
        Self::Batches,
        Self::Tricks,
        Self::Restart,
    ];
}

/// What a setting holds: how its text is read and written. Whole numbers are read as `u64` and
/// refused, rather than wrapped, where they do not fit the field.
#[derive(Clone, Copy)]
pub enum Value {
    /// A number.
    Number(fn(&TrainConfig) -> f64, fn(&mut TrainConfig) -> &mut f64),
    /// A whole number; the setter says whether it fit the field.
    Whole(fn(&TrainConfig) -> u64, fn(&mut TrainConfig, u64) -> bool),
    /// `true` or `false` (also `1` or `0`).
    Bool(fn(&TrainConfig) -> bool, fn(&mut TrainConfig) -> &mut bool),
    /// One of an enum's names, its JSON spelling; the setter says whether the name was one.
    Choice(&'static [&'static str], fn(&TrainConfig) -> String, fn(&mut TrainConfig, &str) -> bool),
    /// The drawn points, `x,y;x,y;...`.
    Points,
}

/// The numbers a setting accepts: from `min` to `max`, each end included unless excluded.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Limits {
    pub min: f64,
    pub max: f64,
    pub min_excluded: bool,
    pub max_excluded: bool,
}

impl Limits {
    /// From `min` to `max`, both included.
    const fn closed(min: f64, max: f64) -> Self {
        Self { min, max, min_excluded: false, max_excluded: false }
    }

    /// Greater than `min`, at most `max`.
    const fn above(min: f64, max: f64) -> Self {
        Self { min_excluded: true, ..Self::closed(min, max) }
    }

    /// From `min` up to, not including, `max`.
    const fn below(min: f64, max: f64) -> Self {
        Self { max_excluded: true, ..Self::closed(min, max) }
    }

    /// Whether `x` is a finite number within the limits.
    pub fn contain(&self, x: f64) -> bool {
        x.is_finite()
            && if self.min_excluded { x > self.min } else { x >= self.min }
            && if self.max_excluded { x < self.max } else { x <= self.max }
    }
}

/// A check that needs more than the setting's own limits (other settings, or a list's items);
/// when given it is the whole check.
type Rule = fn(&TrainConfig, &mut Problems);

/// One setting: a row of [`settings`].
#[derive(Clone, Copy)]
pub struct Setting {
    /// The key of a link and of `--set`; messages name the setting by it.
    pub key: &'static str,
    /// Where a JSON configuration holds it (`batch_size`, `g.lr`); a top-level name is also
    /// accepted as a key.
    pub json: &'static str,
    /// The name it shares with its twin, for a setting of each network's optimiser (`lr` for
    /// `lr_g` and `lr_d`, which the lab shows in each network's group); otherwise the key. The
    /// page names and explains the setting by it.
    pub label: &'static str,
    /// The key that sets it and its twin at once, for a setting of each network (`lr`, `hidden`).
    both: Option<&'static str>,
    /// What it holds.
    pub value: Value,
    /// The numbers it accepts.
    pub limits: Option<Limits>,
    /// What a refusal says it accepts, where its limits alone do not say it.
    worded: Option<Allowed>,
    /// A word that stands for its largest value (`batch=full`).
    pub all: Option<&'static str>,
    /// Its group in the lab; `None` for a setting with no control of its own (the drawing).
    pub group: Option<Group>,
    /// Whether a change needs a fresh run: it shapes or seeds the networks or their data.
    pub restarts: bool,
    /// Whether the lab explains it in a paragraph (for a choice, the chosen option's).
    pub explained: bool,
    /// Another setting's key and the values of which it must have one for this one to mean
    /// anything; otherwise this one is left out of links and takes its default.
    pub needs: Option<(&'static str, &'static [&'static str])>,
    /// When it matters for the run, beyond `needs`: the lab shows it then.
    pub when: fn(&TrainConfig) -> bool,
    rule: Option<Rule>,
}

impl Setting {
    /// A setting of the group `group`, always relevant, with no limits.
    fn new(key: &'static str, json: &'static str, value: Value, group: Group) -> Self {
        Self {
            key,
            json,
            label: key,
            both: None,
            value,
            limits: None,
            worded: None,
            all: None,
            group: Some(group),
            restarts: false,
            explained: false,
            needs: None,
            when: |_| true,
            rule: None,
        }
    }

    fn limits(self, limits: Limits) -> Self {
        Self { limits: Some(limits), ..self }
    }

    fn worded(self, allowed: Allowed) -> Self {
        Self { worded: Some(allowed), ..self }
    }

    fn when(self, when: fn(&TrainConfig) -> bool) -> Self {
        Self { when, ..self }
    }

    fn needs(self, key: &'static str, values: &'static [&'static str]) -> Self {
        Self { needs: Some((key, values)), ..self }
    }

    fn rule(self, rule: Rule) -> Self {
        Self { rule: Some(rule), ..self }
    }

    fn restarts(self) -> Self {
        Self { restarts: true, ..self }
    }

    fn explained(self) -> Self {
        Self { explained: true, ..self }
    }

    /// The key that sets this setting and its twin at once (`lr`), for a setting of each network.
    pub fn both(&self) -> Option<&'static str> {
        self.both
    }

    /// One of a pair of settings, G's (its key ending `_g`) and D's (`_d`), that the key `both`
    /// sets at once.
    fn paired(self, both: &'static str) -> Self {
        Self { both: Some(both), ..self }
    }

    /// The discriminator's twin of a generator's setting.
    fn twin(&self) -> Option<&'static Setting> {
        self.key.strip_suffix("_g").and(self.both()).and_then(|both| setting(&format!("{both}_d")))
    }

    /// The value in `config` as a link writes it.
    pub fn text(&self, config: &TrainConfig) -> String {
        match self.value {
            Value::Number(get, _) => get(config).to_string(),
            Value::Whole(get, _) => get(config).to_string(),
            Value::Bool(get, _) => get(config).to_string(),
            Value::Choice(_, get, _) => get(config),
            Value::Points => super::points_text(&config.points),
        }
    }

    /// The value in `config` as a message writes it (large and small numbers in exponent form).
    fn echo(&self, config: &TrainConfig) -> String {
        match self.value {
            Value::Number(get, _) => number(get(config)),
            _ => self.text(config),
        }
    }

    /// The value as a number, for its limits.
    fn amount(&self, config: &TrainConfig) -> Option<f64> {
        match self.value {
            Value::Number(get, _) => Some(get(config)),
            Value::Whole(get, _) => Some(get(config) as f64),
            _ => None,
        }
    }

    /// Whether the value in `config` is within the limits (true when there are none).
    fn fits(&self, config: &TrainConfig) -> bool {
        match (self.limits, self.amount(config)) {
            (Some(limits), Some(x)) => limits.contain(x),
            _ => true,
        }
    }

    /// Whether the setting means anything for `config`.
    pub fn relevant(&self, config: &TrainConfig) -> bool {
        self.needs_met(config) && (self.when)(config)
    }

    /// Whether the setting `needs` names holds the value it needs.
    fn needs_met(&self, config: &TrainConfig) -> bool {
        self.needs.is_none_or(|(key, values)| setting(key).is_some_and(|s| values.contains(&s.text(config).as_str())))
    }

    /// What the setting accepts: its own words where it has them, else read from its type and
    /// limits.
    pub fn allowed(&self) -> Allowed {
        match (self.worded, self.value, self.limits) {
            (Some(allowed), ..) => allowed,
            (None, Value::Choice(names, ..), _) => Allowed::OneOf(names),
            (None, Value::Bool(..), _) => Allowed::Bool,
            (None, Value::Whole(..), Some(l)) => Allowed::Integers { min: l.min as u64, max: l.max as u64 },
            (None, _, Some(l)) if l.min_excluded => Allowed::Above { min: l.min, max: l.max },
            (None, _, Some(l)) if l.max_excluded => Allowed::Below { min: l.min, max: l.max },
            (None, _, Some(l)) => Allowed::Numbers { min: l.min, max: l.max },
            (None, Value::Whole(..), None) => Allowed::Whole,
            (None, Value::Points, None) => Allowed::PointList,
            (None, Value::Number(..), None) => Allowed::Number,
        }
    }

    /// What the setting accepts, in words: for the command line's help and type refusals.
    pub fn accepts(&self) -> String {
        self.allowed().to_string()
    }

    /// Sets the value from `text`, a refusal naming it `name` (the key given). The type is
    /// checked here, the range by [`TrainConfig::validate`].
    fn set(&self, config: &mut TrainConfig, name: &str, text: &str) -> Result<(), ConfigError> {
        let bad = |expected: Allowed| ConfigError::BadValue { field: name.into(), value: text.into(), expected };
        let trimmed = text.trim();
        match self.value {
            Value::Number(_, field) => *field(config) = trimmed.parse().map_err(|_| bad(Allowed::Number))?,
            Value::Whole(_, set) => {
                let whole = match (self.all, self.limits) {
                    (Some(word), Some(limits)) if trimmed == word => limits.max as u64,
                    _ => trimmed.parse().map_err(|_| bad(Allowed::Whole))?,
                };
                if !set(config, whole) {
                    let value = whole.to_string();
                    return Err(ConfigError::OutOfRange { field: name.into(), value, allowed: self.allowed() });
                }
            }
            Value::Bool(_, field) => {
                *field(config) = match trimmed {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    _ => return Err(bad(Allowed::Bool)),
                }
            }
            Value::Choice(_, _, set) => {
                if !set(config, trimmed) {
                    return Err(bad(self.allowed()));
                }
            }
            Value::Points => config.points = super::parse_points(text)?,
        }
        Ok(())
    }
}

/// `value` as a `u64`, for the table's getters (every whole-number field fits one).
fn wide<T: TryInto<u64>>(value: T) -> u64 {
    value.try_into().unwrap_or(u64::MAX)
}

/// Puts `value` into `field` if it fits there; says whether it did.
fn narrow<T: TryFrom<u64>>(value: u64, field: &mut T) -> bool {
    T::try_from(value).map(|value| *field = value).is_ok()
}

/// The enum value whose JSON spelling is `name`.
fn choose<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.into())).ok()
}

macro_rules! number {
    ($($field:ident).+) => {
        Value::Number(|c| c.$($field).+, |c| &mut c.$($field).+)
    };
}

macro_rules! whole {
    ($field:ident) => {
        Value::Whole(|c| wide(c.$field), |c, v| narrow(v, &mut c.$field))
    };
}

macro_rules! choice {
    ([$($name:literal),+], $($field:ident).+) => {
        Value::Choice(
            &[$($name),+],
            |c| super::enum_name(&c.$($field).+),
            |c, v| choose(v).map(|v| c.$($field).+ = v).is_some(),
        )
    };
}

/// A setting of each network's optimiser: the generator's, then the discriminator's, which
/// matter when `when` holds for that network's algorithm.
macro_rules! twins {
    ($label:literal, $field:ident, $value:ident $(($($names:literal),+))?, $when:ident) => {
        [
            Setting {
                label: $label,
                ..Setting::new(
                    concat!($label, "_g"),
                    concat!("g.", stringify!($field)),
                    $value!($([$($names),+],)? g.$field),
                    Group::OptimizerG,
                )
            }
            .paired($label)
            .when(|c| $when(c.g.kind)),
            Setting {
                label: $label,
                ..Setting::new(
                    concat!($label, "_d"),
                    concat!("d.", stringify!($field)),
                    $value!($([$($names),+],)? d.$field),
                    Group::OptimizerD,
                )
            }
            .paired($label)
            .when(|c| $when(c.d.kind)),
        ]
    };
}

/// Every optimiser reads its algorithm and learning rate.
fn every(_: OptimizerKind) -> bool {
    true
}

/// Adam reads β₁ and β₂.
fn adam(kind: OptimizerKind) -> bool {
    kind == OptimizerKind::Adam
}

/// Adam and RMSprop read ε.
fn adaptive(kind: OptimizerKind) -> bool {
    matches!(kind, OptimizerKind::Adam | OptimizerKind::RmsProp)
}

/// Momentum and Nesterov read μ.
fn with_momentum(kind: OptimizerKind) -> bool {
    matches!(kind, OptimizerKind::Momentum | OptimizerKind::Nesterov)
}

/// RMSprop reads α.
fn rms_prop(kind: OptimizerKind) -> bool {
    kind == OptimizerKind::RmsProp
}

/// The most steps a decay or an anneal may span.
const MAX_HORIZON: f64 = 10_000_000.0;

/// Every setting, in the order of links, of `--set` help and of the refusals.
pub fn settings() -> &'static [Setting] {
    static SETTINGS: LazyLock<Vec<Setting>> = LazyLock::new(table);
    &SETTINGS
}

/// The setting with key `key`.
pub fn setting(key: &str) -> Option<&'static Setting> {
    settings().iter().find(|s| s.key == key)
}

fn table() -> Vec<Setting> {
    use Group::*;
    let mut rows = vec![
        Setting::new("data", "data", choice!(["mnist", "ring", "grid", "moons", "drawn", "stacked"], data), Restart)
            .restarts()
            .explained(),
        Setting {
            group: None,
            worded: Some(Allowed::Drawing { max: MAX_DRAWN }),
            ..Setting::new("points", "points", Value::Points, Restart)
        }
        .needs("data", &["drawn"])
        .restarts()
        .rule(check_points),
        Setting::new("model", "model", choice!(["mlp", "dcgan"], model), Restart)
            .needs("data", &["mnist", "stacked"])
            .restarts()
            .explained()
            .rule(|c, problems| {
                let ok = c.model != Architecture::Dcgan || !c.data.is_toy();
                problems.require(ok, "model", "dcgan", Allowed::MlpForPoints);
            }),
        Setting::new("conditional", "conditional", Value::Bool(|c| c.conditional, |c| &mut c.conditional), Restart)
            .needs("data", &["mnist"])
            .restarts()
            .explained()
            .rule(|c, problems| {
                let ok = !c.conditional || c.data == DataSet::Mnist;
                problems.require(ok, "conditional", "true", Allowed::UnlabelledPoints);
            }),
        Setting::new("seed", "seed", whole!(seed), Restart)
            .limits(Limits::closed(0.0, MAX_SEED as f64))
            .worded(Allowed::Seed { max: MAX_SEED })
            .restarts()
            .explained(),
        Setting { all: Some("full"), ..Setting::new("batch", "batch_size", whole!(batch_size), Batches) }
            .limits(Limits::closed(1.0, MAX_BATCH as f64))
            .explained(),
        Setting::new("latent", "latent_dim", whole!(latent_dim), Restart).limits(Limits::closed(1.0, 512.0)).restarts(),
        Setting::new("hidden_g", "hidden", whole!(hidden), Restart)
            .paired("hidden")
            .limits(Limits::closed(4.0, 1024.0))
            .needs("model", &["mlp"])
            .restarts(),
        Setting::new("hidden_d", "hidden_d", whole!(hidden_d), Restart)
            .paired("hidden")
            .limits(Limits::closed(4.0, 1024.0))
            .needs("model", &["mlp"])
            .restarts(),
        Setting::new("channels", "channels", whole!(channels), Restart)
            .limits(Limits::closed(4.0, 256.0))
            .needs("model", &["dcgan"])
            .restarts(),
        Setting::new(
            "loss",
            "loss",
            choice!(["minimax", "non_saturating", "least_squares", "hinge", "wgan_clip", "wgan_gp"], loss),
            Objective,
        )
        .explained(),
        Setting::new("clip", "clip", number!(clip), Objective)
            .limits(Limits::closed(1e-4, 10.0))
            .when(|c| c.loss == GanLoss::WganClip),
        Setting::new("gp", "gp_lambda", number!(gp_lambda), Objective)
            .limits(Limits::closed(0.0, 1000.0))
            .when(|c| c.loss == GanLoss::WganGp),
        Setting::new("r1", "r1_gamma", number!(r1_gamma), Objective)
            .limits(Limits::closed(0.0, 1000.0))
            .worded(Allowed::OffTo { max: 1000.0 })
            .explained(),
    ];
    let rate = Limits::above(0.0, 1.0);
    let fraction = Limits::below(0.0, 1.0);
    rows.extend(
        twins!("opt", kind, choice("sgd", "momentum", "nesterov", "adam", "rms_prop"), every).map(Setting::explained),
    );
    rows.extend(twins!("lr", lr, number, every).map(|s| s.limits(rate)));
    rows.extend(twins!("beta1", beta1, number, adam).map(|s| s.limits(fraction)));
    rows.extend(twins!("beta2", beta2, number, adam).map(|s| s.limits(fraction)));
    let eps = Limits::closed(1e-12, 1.0);
    rows.extend(twins!("eps", epsilon, number, adaptive).map(|s| s.limits(eps)));
    rows.extend(twins!("momentum", momentum, number, with_momentum).map(|s| s.limits(fraction)));
    rows.extend(twins!("alpha", alpha, number, rms_prop).map(|s| s.limits(fraction)));
    let noisy = |c: &TrainConfig| c.instance_noise > 0.0;
    let decays = |c: &TrainConfig| matches!(c.schedule, LrSchedule::Exponential | LrSchedule::Step);
    rows.extend([
        Setting::new("d_steps", "d_steps", whole!(d_steps), Batches)
            .limits(Limits::closed(1.0, MAX_D_STEPS as f64))
            .explained(),
        Setting::new("real_label", "real_label", number!(real_label), Objective)
            .limits(Limits::closed(0.5, 1.0))
            .worded(Allowed::Smoothing { min: 0.5, max: 1.0 })
            .when(|c| c.loss.has_real_label())
            .explained(),
        Setting::new("noise", "instance_noise", number!(instance_noise), Tricks)
            .limits(Limits::closed(0.0, 2.0))
            .worded(Allowed::OffTo { max: 2.0 })
            .explained(),
        Setting::new("anneal", "noise_anneal", choice!(["linear", "exponential"], noise_anneal), Tricks).when(noisy),
        Setting::new("noise_steps", "noise_steps", whole!(noise_steps), Tricks)
            .limits(Limits::closed(1.0, MAX_HORIZON))
            .when(noisy),
        Setting::new("ema", "ema", number!(ema), Tricks)
            .limits(Limits::below(0.0, 1.0))
            .worded(Allowed::Decay)
            .explained(),
        Setting::new("schedule", "schedule", choice!(["constant", "time", "exponential", "step"], schedule), Schedule)
            .explained(),
        Setting::new("decay_k", "decay_k", number!(decay_k), Schedule)
            .limits(Limits::closed(0.0, 1.0))
            .when(|c| c.schedule == LrSchedule::Time),
        Setting::new("decay_gamma", "decay_gamma", number!(decay_gamma), Schedule)
            .limits(Limits::above(0.0, 1.0))
            .when(decays),
        Setting::new("decay_steps", "decay_steps", whole!(decay_steps), Schedule)
            .limits(Limits::closed(1.0, MAX_HORIZON))
            .when(decays),
    ]);
    rows
}

/// The drawing: at most [`MAX_DRAWN`] points, in the unit square, and some for `data = drawn`.
fn check_points(c: &TrainConfig, problems: &mut Problems) {
    problems.require(c.points.len() <= MAX_DRAWN, "points", c.points.len(), Allowed::AtMostPoints { max: MAX_DRAWN });
    if let Some(point) = c.points.iter().find(|point| point.iter().any(|v| !(0.0..=1.0).contains(v))) {
        problems.refuse("points", format!("{point:?}"), Allowed::UnitSquare);
    }
    problems.require(c.data != DataSet::Drawn || !c.points.is_empty(), "points", "none", Allowed::SomePoints);
}

/// Checks every setting against its limits and rules, in the table's order. A problem both
/// networks share is named by the key that sets both (`lr`), one network's alone by its own key
/// (`lr_d`), as a link would write them.
pub(super) fn check(config: &TrainConfig, problems: &mut Problems) {
    for s in settings() {
        if let Some(rule) = s.rule {
            rule(config, problems);
        } else if s.key.ends_with("_d") && s.both().is_some() {
            // Checked with its generator's twin.
        } else if let (Some(twin), Some(both)) = (s.twin(), s.both()) {
            let (g, d) = (s.echo(config), twin.echo(config));
            if !s.fits(config) && !twin.fits(config) && g == d {
                problems.refuse(both, g, s.allowed());
            } else {
                problems.require(s.fits(config), s.key, g, s.allowed());
                problems.require(twin.fits(config), twin.key, d, twin.allowed());
            }
        } else {
            problems.require(s.fits(config), s.key, s.echo(config), s.allowed());
        }
    }
}

/// Sets the setting `key` (or both networks' setting of a key that sets both) from `text`.
pub(super) fn set(config: &mut TrainConfig, key: &str, text: &str) -> Result<(), ConfigError> {
    if let Some(s) = setting(key) {
        return s.set(config, key, text);
    }
    let twins: Vec<&Setting> = settings().iter().filter(|s| s.both() == Some(key)).collect();
    if twins.is_empty() {
        return Err(ConfigError::UnknownField { field: key.into(), known: known_keys() });
    }
    twins.iter().try_for_each(|s| s.set(config, key, text))
}

/// The key for `key`: a setting may also be given by its top-level JSON name (`batch_size`).
/// A link's own keys, a setting's or a pair's, come first: `hidden` sets both widths, though G's
/// is `hidden` in JSON.
pub(super) fn short_key(key: &str) -> &str {
    if settings().iter().any(|s| s.key == key || s.both() == Some(key)) {
        return key;
    }
    settings().iter().find(|s| s.json == key && !s.json.contains('.')).map_or(key, |s| s.key)
}

/// The pairs of the shortest link to `config`: the settings that differ from the defaults,
/// both networks' by one key where they agree, and none whose `needs` is unmet.
pub(super) fn query_pairs(config: &TrainConfig) -> Vec<(&'static str, String)> {
    let default = TrainConfig::default();
    let mut pairs = Vec::new();
    for s in settings().iter().filter(|s| s.needs_met(config)) {
        let (value, default_value) = (s.text(config), s.text(&default));
        match (s.twin(), s.both()) {
            (Some(twin), Some(both)) => {
                let (twin_value, twin_default) = (twin.text(config), twin.text(&default));
                if value == twin_value && value != default_value && twin_value != twin_default {
                    pairs.push((both, value));
                    continue;
                }
                if value != default_value {
                    pairs.push((s.key, value));
                }
                if twin_value != twin_default {
                    pairs.push((twin.key, twin_value));
                }
            }
            (None, Some(_)) if s.key.ends_with("_d") => {}
            _ if value != default_value => pairs.push((s.key, value)),
            _ => {}
        }
    }
    pairs
}

/// The keys of the settings that need a fresh run and differ between `from` and `to`, where
/// they matter.
pub(super) fn restarting_changes(from: &TrainConfig, to: &TrainConfig) -> Vec<&'static str> {
    settings()
        .iter()
        .filter(|s| s.restarts && (s.relevant(from) || s.relevant(to)) && s.text(from) != s.text(to))
        .map(|s| s.key)
        .collect()
}

/// The keys a link or `--set` may use, plainly listed, for the page's words of the refusal of an
/// unknown one (which say in the reader's language what [`known_keys`]' notes say).
pub fn key_names() -> String {
    let mut names: Vec<&str> = settings()
        .iter()
        .filter(|s| !s.key.ends_with("_d") || s.both().is_none())
        .map(|s| s.both().unwrap_or(s.key))
        .collect();
    names.dedup();
    names.join(", ")
}

/// The keys a link or `--set` may use, for the refusal of an unknown one.
pub fn known_keys() -> &'static str {
    static KNOWN: LazyLock<String> = LazyLock::new(|| {
        // Each name, and whether it also comes with _g and _d.
        let mut names: Vec<(String, bool)> = Vec::new();
        for s in settings() {
            match (s.both(), s.key.ends_with("_g")) {
                (Some(both), true) => names.push((both.into(), true)),
                (Some(_), false) => {}
                (None, _) => names.push((
                    match s.all {
                        Some(word) => format!("{} (a number or `{word}`)", s.key),
                        None => s.key.into(),
                    },
                    false,
                )),
            }
        }
        // A note after each run of names that come with _g and _d.
        let mut words = Vec::new();
        let mut run = 0;
        for (i, (name, paired)) in names.iter().enumerate() {
            run = if *paired { run + 1 } else { 0 };
            let ends_run = *paired && !names.get(i + 1).is_some_and(|(_, next)| *next);
            words.push(match (ends_run, run) {
                (true, 1) => format!("{name} (also with _g or _d)"),
                (true, _) => format!("{name} (each also with _g or _d)"),
                (false, _) => name.clone(),
            });
        }
        words.push("preset (a preset's name: its settings, which the others change)".into());
        words.join(", ")
    });
    &KNOWN
}

/// The settings for the command line's help: each key, what it accepts and its default.
pub fn help() -> String {
    let default = TrainConfig::default();
    let mut lines = vec![
        "settings (--set KEY=VALUE, as in a link's #KEY=VALUE; * needs a fresh run, so not with --checkpoint):".into(),
    ];
    for s in settings() {
        let (key, value) = match (s.both(), s.key.ends_with("_g")) {
            (Some(both), true) => (
                format!("{both}, {both}_g, {both}_d"),
                format!("G {}, D {}", s.text(&default), s.twin().map_or(String::new(), |d| d.text(&default))),
            ),
            (Some(_), false) => continue,
            (None, _) => (s.key.to_string(), s.text(&default)),
        };
        let shown = if value.is_empty() { String::new() } else { format!(" (default {value})") };
        let mark = if s.restarts { "*" } else { " " };
        lines.push(format!("  {key:<26}{mark} {}{shown}", s.accepts()));
    }
    lines.join("\n")
}

/// The schema as JSON for the page: the groups in order, and each setting's key, JSON path,
/// label, group, type, options or limits, default (as a link writes it), whether it restarts
/// the run, is explained, and what it needs.
pub fn schema_json() -> String {
    let default = TrainConfig::default();
    let rows: Vec<serde_json::Value> = settings()
        .iter()
        .map(|s| {
            let (kind, options): (&str, Vec<&str>) = match s.value {
                Value::Number(..) => ("number", Vec::new()),
                Value::Whole(..) => ("integer", Vec::new()),
                Value::Bool(..) => ("choice", vec!["false", "true"]),
                Value::Choice(names, ..) => ("choice", names.to_vec()),
                Value::Points => ("points", Vec::new()),
            };
            json!({
                "key": s.key,
                "json": s.json,
                "label": s.label,
                "group": s.group,
                "type": kind,
                "options": options,
                "limits": s.limits,
                "all": s.all,
                "default": s.text(&default),
                "restarts": s.restarts,
                "explained": s.explained,
                "needs": s.needs.map(|(key, values)| json!({ "key": key, "values": values })),
            })
        })
        .collect();
    json!({ "groups": Group::ALL, "settings": rows }).to_string()
}

/// The keys of the settings that matter for `config`, which the page's lab shows.
pub fn relevant(config: &TrainConfig) -> Vec<&'static str> {
    settings().iter().filter(|s| s.relevant(config)).map(|s| s.key).collect()
}
