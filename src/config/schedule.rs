//! Values that change with the step count: the learning-rate schedules of the classic texts and
//! the annealing of instance noise.
//!
//! Both are pure functions of the step `t`, not stateful iterators like burn's `LrScheduler`s:
//! a run can be rolled back, resumed from a checkpoint or switched to another schedule mid-run,
//! and in every case the value at step `t` must be the one the formula gives at `t`.

use serde::{Deserialize, Serialize};

/// G's and D's learning rates at one step, after the schedule: named, since the two networks'
/// rates are easy to swap when passed as a pair.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LearningRates {
    /// The generator's.
    pub g: f64,
    /// The discriminator's.
    pub d: f64,
}

/// How the learning rate decays from its base value lr₀ as steps `t` pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LrSchedule {
    /// lr₀ for ever.
    #[default]
    Constant,
    /// Time-based decay lr₀ / (1 + k·t): fast at first, ever slower.
    Time,
    /// Exponential decay lr₀ · γ^(t/s): a smooth curve that passes through the step schedule's
    /// values at every multiple of s (with s = 1 it is the textbook lr₀ · γ^t).
    Exponential,
    /// Step decay lr₀ · γ^⌊t/s⌋: constant stretches of s steps, each γ times the previous.
    Step,
}

/// The parameters of a schedule; which ones matter depends on the [`LrSchedule`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decay {
    /// k of time-based decay.
    pub k: f64,
    /// γ of exponential and step decay.
    pub gamma: f64,
    /// s of exponential and step decay, in steps.
    pub step_size: u64,
}

impl LrSchedule {
    /// The learning rate at step `t` (0 for the first step) for base rate `base`.
    pub fn lr(self, base: f64, t: u64, decay: Decay) -> f64 {
        let t = t as f64;
        match self {
            Self::Constant => base,
            Self::Time => base / (1.0 + decay.k * t),
            Self::Exponential => base * decay.gamma.powf(t / decay.step_size as f64),
            Self::Step => base * decay.gamma.powf((t / decay.step_size as f64).floor()),
        }
    }
}

/// How instance noise fades from its initial standard deviation σ₀ over a horizon of T steps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anneal {
    /// σ₀ · max(0, 1 − t/T): gone after T steps.
    #[default]
    Linear,
    /// σ₀ · e^(−t/T): never quite gone, down to 37 % after T steps.
    Exponential,
}

impl Anneal {
    /// The noise standard deviation at step `t` for σ₀ = `initial` and horizon `steps` (≥ 1).
    pub fn sigma(self, initial: f64, t: u64, steps: u64) -> f64 {
        let fraction = t as f64 / steps as f64;
        match self {
            Self::Linear => initial * (1.0 - fraction).max(0.0),
            Self::Exponential => initial * (-fraction).exp(),
        }
    }
}
