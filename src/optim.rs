//! One network's optimiser, chosen and tuned by configuration while training runs.
//!
//! The update rules are burn's own (`Sgd` with momentum, `Adam`, `RmsProp`). What burn lacks is
//! changing a hyper-parameter mid-run: its optimisers are immutable once built. [`Live`] wraps a
//! burn optimiser behind a shared handle, so β₁ or ε can change between two steps while the
//! moments the optimiser has accumulated are kept; only a change of algorithm starts afresh.

use std::sync::{Arc, RwLock};

use burn::module::Module;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{
    Adam, AdamConfig, GradientsParams, LearningRate, ModuleOptimizer, Optimizer, RmsProp, RmsPropConfig, Sgd, SgdConfig,
};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

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

/// A burn optimiser whose hyper-parameters can be replaced while its state is kept. burn copies
/// the optimiser into every parameter's context; the copies share one handle.
#[derive(Clone)]
pub struct Live<O>(Arc<RwLock<O>>);

impl<O: Optimizer> Optimizer for Live<O> {
    type State<const D: usize> = O::State<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        self.0.read().expect("no writer panics").step(lr, tensor, grad, state)
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        O::to_device(state, device)
    }
}

/// The handle through which a running optimiser is retuned.
#[derive(Clone)]
enum Tuner {
    Sgd(Arc<RwLock<Sgd>>),
    Adam(Arc<RwLock<Adam>>),
    RmsProp(Arc<RwLock<RmsProp>>),
}

/// A network's optimiser with its configuration: [`NetworkOptimizer::step`] updates the
/// network, [`NetworkOptimizer::configure`] applies new settings between steps.
#[derive(Clone)]
pub struct NetworkOptimizer {
    config: OptimizerConfig,
    optimizer: ModuleOptimizer,
    tuner: Tuner,
}

impl NetworkOptimizer {
    /// A fresh optimiser with no accumulated state.
    pub fn new(config: OptimizerConfig) -> Self {
        let (optimizer, tuner) = match config.kind {
            OptimizerKind::Sgd | OptimizerKind::Momentum | OptimizerKind::Nesterov => {
                let handle = Arc::new(RwLock::new(sgd(&config)));
                (ModuleOptimizer::from(Live(handle.clone())), Tuner::Sgd(handle))
            }
            OptimizerKind::Adam => {
                let handle = Arc::new(RwLock::new(adam(&config)));
                (ModuleOptimizer::from(Live(handle.clone())), Tuner::Adam(handle))
            }
            OptimizerKind::RmsProp => {
                let handle = Arc::new(RwLock::new(rms_prop(&config)));
                (ModuleOptimizer::from(Live(handle.clone())), Tuner::RmsProp(handle))
            }
        };
        Self { config, optimizer, tuner }
    }

    /// The settings in force.
    pub fn config(&self) -> &OptimizerConfig {
        &self.config
    }

    /// Applies `config` from the next step on. Returns `true` when the algorithm changed, which
    /// starts it afresh (its moments mean nothing to another algorithm); otherwise the
    /// accumulated state is kept and only the hyper-parameters change.
    pub fn configure(&mut self, config: OptimizerConfig) -> bool {
        if config.kind != self.config.kind {
            *self = Self::new(config);
            return true;
        }
        match &self.tuner {
            Tuner::Sgd(handle) => *handle.write().expect("no writer panics") = sgd(&config),
            Tuner::Adam(handle) => *handle.write().expect("no writer panics") = adam(&config),
            Tuner::RmsProp(handle) => *handle.write().expect("no writer panics") = rms_prop(&config),
        }
        self.config = config;
        false
    }

    /// One update of `module` along `grads` with learning rate `lr`.
    pub fn step<M: Module>(&mut self, lr: f64, module: M, grads: GradientsParams) -> M {
        self.optimizer.step(lr, module, grads)
    }
}

fn sgd(config: &OptimizerConfig) -> Sgd {
    let momentum =
        |nesterov| MomentumConfig::new().with_momentum(config.momentum).with_dampening(0.0).with_nesterov(nesterov);
    let sgd = SgdConfig::new();
    match config.kind {
        OptimizerKind::Momentum => sgd.with_momentum(Some(momentum(false))),
        OptimizerKind::Nesterov => sgd.with_momentum(Some(momentum(true))),
        _ => sgd,
    }
    .build()
}

fn adam(config: &OptimizerConfig) -> Adam {
    AdamConfig::new()
        .with_beta_1(config.beta1 as f32)
        .with_beta_2(config.beta2 as f32)
        .with_epsilon(config.epsilon as f32)
        .build()
}

/// RMSprop as in Tieleman & Hinton's lecture and PyTorch: no momentum, not centred.
fn rms_prop(config: &OptimizerConfig) -> RmsProp {
    RmsPropConfig::new().with_alpha(config.alpha as f32).with_epsilon(config.epsilon as f32).with_momentum(0.0).build()
}
