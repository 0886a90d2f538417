//! One network's optimiser, chosen and tuned by configuration while training runs.
//!
//! The update rules are those of burn and PyTorch (SGD with heavy-ball or Nesterov momentum
//! without dampening, Adam, uncentred RMSprop), written here over plain tensors for two reasons
//! burn's optimisers cannot serve: a hyper-parameter may change between two steps while the
//! accumulated state is kept, and that state (velocity, moments, mean squares) must be read back
//! asynchronously into a checkpoint and restored exactly, which burn's ParamId-keyed records,
//! read synchronously, do not allow in a browser.

use burn::module::{Module, ModuleMapper, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::params::{self, Gathered, ParamsError};

/// The update rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    /// θ ← θ − lr·g.
    Sgd,
    /// Heavy-ball momentum: v ← μ·v + g, θ ← θ − lr·v.
    Momentum,
    /// Nesterov momentum: v ← μ·v + g, θ ← θ − lr·(g + μ·v).
    Nesterov,
    /// Adam: per-weight step sizes from running moments of g and g².
    #[default]
    Adam,
    /// RMSprop: g divided by a running root-mean-square of g.
    RmsProp,
}

impl OptimizerKind {
    /// Every kind, in the order the page lists them.
    pub const ALL: [OptimizerKind; 5] = [Self::Sgd, Self::Momentum, Self::Nesterov, Self::Adam, Self::RmsProp];

    /// How many running tensors the rule keeps per parameter: none for SGD, the velocity for
    /// momentum and Nesterov, both moments for Adam, the mean square for RMSprop.
    pub fn slots(self) -> usize {
        match self {
            Self::Sgd => 0,
            Self::Momentum | Self::Nesterov | Self::RmsProp => 1,
            Self::Adam => 2,
        }
    }
}

/// One network's optimiser settings. Each kind reads the fields it needs and ignores the rest,
/// so switching kinds on the page never loses a value the student typed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimizerConfig {
    /// The update rule.
    pub kind: OptimizerKind,
    /// Base learning rate (before any schedule).
    pub lr: f64,
    /// Adam's decay of the first moment.
    pub beta1: f64,
    /// Adam's decay of the second moment.
    pub beta2: f64,
    /// Adam's and RMSprop's ε, added to the root-mean-square.
    pub epsilon: f64,
    /// μ of momentum and Nesterov.
    pub momentum: f64,
    /// RMSprop's decay α of the mean square.
    pub alpha: f64,
}

impl Default for OptimizerConfig {
    /// Adam 2e-4, β = (0.5, 0.999), ε = 1e-8: the DCGAN paper's choice, used by the seed article.
    fn default() -> Self {
        Self {
            kind: OptimizerKind::Adam,
            lr: 2e-4,
            beta1: 0.5,
            beta2: 0.999,
            epsilon: 1e-8,
            momentum: 0.9,
            alpha: 0.99,
        }
    }
}

/// A network's optimiser with its configuration and running state: [`NetworkOptimizer::step`]
/// updates the network, [`NetworkOptimizer::configure`] applies new settings between steps.
#[derive(Clone, Debug)]
pub struct NetworkOptimizer {
    config: OptimizerConfig,
    /// Updates taken since the state began (Adam's bias correction depends on it).
    updates: u64,
    /// Per parameter, in the network's visiting order, its running tensors flattened; empty
    /// until the first update.
    state: Vec<Vec<Tensor<1>>>,
}

/// Why a saved optimiser state could not be restored.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OptimizerStateError {
    /// Its tensors are unreadable or do not match the network's parameters.
    #[error("{0}")]
    Params(#[from] ParamsError),
    /// The section is too short to hold the update count.
    #[error("the optimiser state is truncated")]
    Truncated,
    /// State of another algorithm or network.
    #[error("it holds {found} tensors where {kind:?} keeps {expected} for this network")]
    Count { found: usize, kind: OptimizerKind, expected: usize },
}

impl NetworkOptimizer {
    /// A fresh optimiser with no accumulated state.
    pub fn new(config: OptimizerConfig) -> Self {
        Self { config, updates: 0, state: Vec::new() }
    }

    /// The settings in force.
    pub fn config(&self) -> &OptimizerConfig {
        &self.config
    }

    /// Applies `config` from the next step on. Returns `true` when the algorithm changed, which
    /// starts it afresh (its moments mean nothing to another algorithm); otherwise the
    /// accumulated state is kept and only the hyper-parameters change.
    pub fn configure(&mut self, config: OptimizerConfig) -> bool {
        let reset = config.kind != self.config.kind;
        if reset {
            *self = Self::new(config);
        }
        self.config = config;
        reset
    }

    /// One update of `module` along `grads` with learning rate `lr`.
    pub fn step<M: Module>(&mut self, lr: f64, module: M, grads: GradientsParams) -> M {
        self.updates += 1;
        let fresh = self.state.is_empty();
        let mut update =
            Update { rule: Rule::new(&self.config, self.updates, lr), grads, state: &mut self.state, index: 0, fresh };
        module.map(&mut update)
    }

    /// The running state, gathered for one read: the update count and the tensors, parameter
    /// by parameter. A file is made of it with [`params::encode`] after the read.
    pub fn gather(&self) -> (u64, Gathered) {
        let tensors: Vec<Tensor<1>> = self.state.iter().flatten().cloned().collect();
        let shapes = tensors.iter().map(|t| t.dims().to_vec()).collect();
        (self.updates, Gathered { shapes, values: tensors })
    }

    /// The state section of a checkpoint: the update count (u64) and the state's parameter file,
    /// made from `shapes` and `values` as [`NetworkOptimizer::gather`] gathered and read them.
    pub fn encode(updates: u64, shapes: &[Vec<usize>], values: &[f32]) -> Vec<u8> {
        let mut bytes = updates.to_le_bytes().to_vec();
        bytes.extend(params::encode(shapes, values));
        bytes
    }

    /// An optimiser with `config` continuing from a state section made by
    /// [`NetworkOptimizer::encode`] for `module`. Every tensor is checked against the parameter
    /// it belongs to; a state of another algorithm or network is refused.
    pub fn decode<M: Module>(
        config: OptimizerConfig,
        bytes: &[u8],
        module: &M,
        device: &Device,
    ) -> Result<Self, OptimizerStateError> {
        let (updates, file) = bytes.split_first_chunk::<8>().ok_or(OptimizerStateError::Truncated)?;
        let stored = params::decode(file)?;
        let slots = config.kind.slots();
        let expected: Vec<Vec<usize>> = if stored.is_empty() {
            Vec::new()
        } else {
            params::shapes(module).iter().flat_map(|s| std::iter::repeat_n(vec![s.iter().product()], slots)).collect()
        };
        if stored.len() != expected.len() {
            return Err(OptimizerStateError::Count {
                found: stored.len(),
                kind: config.kind,
                expected: expected.len(),
            });
        }
        params::check_shapes(&expected, &stored)?;
        let mut tensors =
            stored.into_iter().map(|(shape, values)| Tensor::from_data(TensorData::new(values, shape), device));
        let parameters = if slots == 0 { 0 } else { expected.len() / slots };
        let state = (0..parameters).map(|_| tensors.by_ref().take(slots).collect()).collect();
        Ok(Self { config, updates: u64::from_le_bytes(*updates), state })
    }
}

/// One update rule with its hyper-parameters for the step at hand.
struct Rule {
    kind: OptimizerKind,
    lr: f64,
    config: OptimizerConfig,
    /// Adam's bias corrections: √(1 − β₂ᵗ) and √(1 − β₂ᵗ)/(1 − β₁ᵗ).
    adam: (f64, f64),
}

impl Rule {
    fn new(config: &OptimizerConfig, updates: u64, lr: f64) -> Self {
        let t = updates.min(i32::MAX as u64) as i32;
        let correction2 = (1.0 - config.beta2.powi(t)).sqrt();
        Self { kind: config.kind, lr, config: *config, adam: (correction2, correction2 / (1.0 - config.beta1.powi(t))) }
    }

    /// The new weights `w` (flattened) for gradient `g`, updating the running `state` in place.
    fn apply(&self, w: Tensor<1>, g: Tensor<1>, state: &mut [Tensor<1>]) -> Tensor<1> {
        let c = &self.config;
        let step = match (self.kind, state) {
            (OptimizerKind::Sgd, _) => g,
            (OptimizerKind::Momentum, [v]) => {
                *v = v.clone().mul_scalar(c.momentum) + g;
                v.clone()
            }
            (OptimizerKind::Nesterov, [v]) => {
                *v = v.clone().mul_scalar(c.momentum) + g.clone();
                g + v.clone().mul_scalar(c.momentum)
            }
            (OptimizerKind::Adam, [m, v]) => {
                *m = m.clone().mul_scalar(c.beta1) + g.clone().mul_scalar(1.0 - c.beta1);
                *v = v.clone().mul_scalar(c.beta2) + g.square().mul_scalar(1.0 - c.beta2);
                let (correction2, factor) = self.adam;
                m.clone().mul_scalar(factor) / v.clone().sqrt().add_scalar(c.epsilon * correction2)
            }
            (OptimizerKind::RmsProp, [s]) => {
                *s = s.clone().mul_scalar(c.alpha) + g.clone().square().mul_scalar(1.0 - c.alpha);
                g / s.clone().sqrt().add_scalar(c.epsilon)
            }
            (kind, state) => unreachable!("{kind:?} keeps {} tensors, not {}", kind.slots(), state.len()),
        };
        w - step.mul_scalar(self.lr)
    }
}

/// Applies a [`Rule`] to every parameter that has a gradient.
struct Update<'a> {
    rule: Rule,
    grads: GradientsParams,
    state: &'a mut Vec<Vec<Tensor<1>>>,
    /// The parameter being visited.
    index: usize,
    /// The state is being created on this update (zeros, which every rule's first step expects).
    fresh: bool,
}

impl ModuleMapper for Update<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let index = self.index;
        self.index += 1;
        let grad = self.grads.remove::<D>(param.id);
        param.map(|w| {
            if self.fresh {
                let zeros = Tensor::<1>::zeros([w.shape().num_elements()], &w.device()).inner();
                self.state.push(vec![zeros; self.rule.kind.slots()]);
            }
            let Some(grad) = grad else { return w };
            let shape = w.shape();
            let flat = w.inner().flatten(0, D - 1);
            let updated = self.rule.apply(flat, grad.flatten(0, D - 1), &mut self.state[index]);
            Tensor::from_inner(updated.reshape(shape)).require_grad()
        })
    }
}
