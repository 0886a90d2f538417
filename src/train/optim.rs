//! One network's optimiser, chosen and tuned by configuration while training runs.
//!
//! The update rules are those of burn and PyTorch (SGD with heavy-ball or Nesterov momentum
//! without dampening, Adam, uncentred RMSprop), written here over plain tensors for two reasons
//! burn's optimisers cannot serve: a hyper-parameter may change between two steps while the
//! accumulated state is kept, and that state (velocity, moments, mean squares) must be read back
//! asynchronously into a checkpoint and restored exactly, which burn's ParamId-keyed records,
//! read synchronously, do not allow in a browser.

use crate::config::{OptimizerConfig, OptimizerKind};
use crate::message::{Explain, Message};
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};

use crate::train::params::{self, Gathered, ParamsError};

impl OptimizerKind {
    /// How many running tensors the rule keeps per parameter: none for SGD, the velocity for
    /// momentum and Nesterov, both moments for Adam, the mean square for RMSprop.
    pub fn slots(self) -> usize {
        match self {
            Self::Sgd => 0,
            Self::Momentum | Self::Nesterov | Self::RmsProp => 1,
            Self::Adam => 2,
        }
    }

    /// Which of [`OptimizerKind::slots`] is a running mean of squared gradients, which can never
    /// be negative (its square root divides the step): Adam's second moment, RMSprop's mean square.
    fn mean_square_slot(self) -> Option<usize> {
        match self {
            Self::Adam => Some(1),
            Self::RmsProp => Some(0),
            Self::Sgd | Self::Momentum | Self::Nesterov => None,
        }
    }
}

/// A network's optimiser with its configuration and running state: [`NetworkOptimizer::step`]
/// updates the network, [`NetworkOptimizer::configure`] applies new settings between steps.
///
/// The update runs once over all of a network's trained parameters laid end to end, not
/// parameter by parameter: a step of Adam is then a dozen kernel launches for the whole network
/// instead of a dozen per weight matrix and bias, which is what a GPU step of a small network
/// costs (in a browser above all, where every launch is validated).
#[derive(Clone, Debug)]
pub struct NetworkOptimizer {
    config: OptimizerConfig,
    /// Updates taken since the state began (Adam's bias correction depends on it).
    updates: u64,
    /// Per slot of the rule, its running tensor over every trained parameter, in [`Layout`]
    /// order; empty until the first update.
    state: Vec<Tensor<1>>,
    /// Where each parameter lies in the state; known from the first update (or a decoded state) on.
    layout: Layout,
    /// The flat weights the last update gave the network, whose trained parameters are views of
    /// them ([`Unflatten`]): the next update starts from them instead of laying the parameters
    /// end to end again, which saves a copy per parameter on every step.
    weights: Option<Tensor<1>>,
}

/// A moving average of a network's weights (the page draws G's), kept beside the network's
/// optimiser: [`NetworkOptimizer::blend`] moves it after each update.
#[derive(Clone, Debug)]
pub struct Averaged<M> {
    pub module: M,
    /// The average's trained parameters laid out as the optimiser lays the network's, of which
    /// they are views; `None` until the first blend lays them out.
    flat: Option<Tensor<1>>,
}

impl<M> Averaged<M> {
    /// An average that starts at `module`.
    pub fn new(module: M) -> Self {
        Self { module, flat: None }
    }
}

/// One update's result: the updated network and ‖∇θ L‖₂ over its trained parameters, a `[1]`
/// tensor that stays on the device.
pub struct Stepped<M> {
    /// The network after the update.
    pub module: M,
    /// The norm of the gradient the update followed.
    pub grad_norm: Tensor<1>,
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
    /// More updates than the run's steps can have taken.
    #[error("it counts {found} updates where the run's steps allow at most {most}")]
    Updates { found: u64, most: u64 },
    /// A running mean of squared gradients below zero.
    #[error("its mean of squared gradients is negative")]
    NegativeSquares,
}

impl Explain for OptimizerStateError {
    const KEYS: &'static [&'static str] = &[
        "error.optimizer.truncated",
        "error.optimizer.count",
        "error.optimizer.updates",
        "error.optimizer.negative_squares",
    ];

    fn message(&self) -> Message {
        match self {
            Self::Params(e) => e.message(),
            Self::Truncated => Message::new("error.optimizer.truncated"),
            Self::Count { found, kind, expected } => Message::new("error.optimizer.count")
                .with("found", *found)
                .with("kind", format!("{kind:?}"))
                .with("expected", *expected),
            Self::Updates { found, most } => {
                Message::new("error.optimizer.updates").with("found", *found).with("most", *most)
            }
            Self::NegativeSquares => Message::new("error.optimizer.negative_squares"),
        }
    }
}

impl NetworkOptimizer {
    /// A fresh optimiser with no accumulated state.
    pub fn new(config: OptimizerConfig) -> Self {
        Self { config, updates: 0, state: Vec::new(), layout: Layout::default(), weights: None }
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

    /// One update of `module` along `grads` with learning rate `lr`. Every trained parameter
    /// moves (one without a gradient as if its gradient were zero); untrained tensors, such as
    /// batch norm's running statistics, stay as they are.
    ///
    /// `module` is the network the previous update returned, its trained weights untouched since
    /// (its untrained tensors may change), or a network this optimiser has not updated yet while
    /// it is fresh or decoded: the update starts from the weights it last wrote.
    pub fn step<M: Module>(&mut self, lr: f64, module: M, grads: GradientsParams) -> Stepped<M> {
        self.update(lr, None, module, grads)
    }

    /// [`NetworkOptimizer::step`] followed by the original WGAN's weight clipping: every trained
    /// weight clamped to [−`clip`, `clip`], which keeps the critic Lipschitz, crudely. Clamped in
    /// the same pass as the update, so the next update starts from the clamped weights.
    pub fn step_clipped<M: Module>(&mut self, lr: f64, clip: f64, module: M, grads: GradientsParams) -> Stepped<M> {
        self.update(lr, Some(clip), module, grads)
    }

    fn update<M: Module>(&mut self, lr: f64, clip: Option<f64>, module: M, grads: GradientsParams) -> Stepped<M> {
        let mut flat = Flatten::new(Some(&grads));
        module.visit(&mut flat);
        let gradient = flat.layout.join(flat.grads_flat);
        let weights = match self.weights.take() {
            Some(weights) if self.layout == flat.layout => weights,
            _ => flat.layout.join(flat.weights),
        };
        let slots = self.config.kind.slots();
        if self.state.len() != slots {
            self.state = vec![Tensor::<1>::zeros([flat.layout.len], &weights.device()); slots];
        }
        self.layout = flat.layout;
        self.updates += 1;
        // Summed row by row first: on wgpu, cubecl's reduction of a whole tensor to one value
        // counts at most 262 132 of its values, fewer than a DCGAN generator's 766 000.
        let rows = gradient.clone().reshape([self.layout.len / ALIGN, ALIGN]);
        let grad_norm = rows.square().sum_dim(1).sum().sqrt();
        let mut updated = Rule::new(&self.config, self.updates, lr).apply(weights, gradient, &mut self.state);
        if let Some(c) = clip {
            updated = updated.clamp(-c, c);
        }
        self.weights = Some(updated.clone());
        let module = module.map(&mut Unflatten { layout: &self.layout, flat: updated, index: 0 });
        Stepped { module, grad_norm }
    }

    /// `average` moved towards the weights of this optimiser's last update,
    /// `decay · average + (1 − decay) · current`, `current` being the network that update
    /// returned: its trained parameters in one operation over the flat weights, its untrained
    /// tensors (batch norm's running statistics) one by one. Before a first update it stays as
    /// it is.
    pub fn blend<M: Module>(&self, average: Averaged<M>, current: &M, decay: f64) -> Averaged<M> {
        let Some(weights) = &self.weights else { return average };
        let flat = match average.flat {
            Some(flat) => flat,
            None => {
                let tensors = params::gather(&average.module).values;
                let trained = self.layout.entries.iter().zip(tensors).filter(|(e, _)| e.offset.is_some());
                self.layout.join(trained.map(|(_, t)| t.inner()).collect())
            }
        };
        let flat = flat.mul_scalar(decay) + weights.clone().mul_scalar(1.0 - decay);
        let mut blend = Blend {
            layout: &self.layout,
            flat: flat.clone(),
            current: params::gather(current).values,
            decay,
            index: 0,
        };
        Averaged { module: average.module.map(&mut blend), flat: Some(flat) }
    }

    /// The running state, gathered for one read: the update count and, parameter by parameter
    /// (every float tensor of the network, zeros for those not trained), each slot's tensor. A
    /// file is made of it with [`params::encode`] after the read.
    pub fn gather(&self) -> (u64, Gathered) {
        let mut values = Vec::new();
        if !self.state.is_empty() {
            for entry in &self.layout.entries {
                for slot in &self.state {
                    values.push(match entry.offset {
                        Some(offset) => slot.clone().slice(offset..offset + entry.size),
                        None => Tensor::zeros([entry.size], &slot.device()),
                    });
                }
            }
        }
        let shapes = values.iter().map(|t| t.dims().to_vec()).collect();
        (self.updates, Gathered { shapes, values })
    }

    /// The state section of a checkpoint: the update count (u64) and the state's parameter file,
    /// made from `shapes` and `values` as [`NetworkOptimizer::gather`] gathered and read them.
    pub fn encode(updates: u64, shapes: &[Vec<usize>], values: &[f32]) -> Vec<u8> {
        let mut bytes = updates.to_le_bytes().to_vec();
        bytes.extend(params::encode(shapes, values));
        bytes
    }

    /// An optimiser with `config` continuing from a state section made by
    /// [`NetworkOptimizer::encode`] for `module`, after at most `most_updates` updates. Every
    /// tensor is checked against the parameter it belongs to and must be finite, a mean of
    /// squares non-negative; a state of another algorithm or network is refused.
    pub fn decode<M: Module>(
        config: OptimizerConfig,
        bytes: &[u8],
        module: &M,
        most_updates: u64,
        device: &Device,
    ) -> Result<Self, OptimizerStateError> {
        let (updates, file) = bytes.split_first_chunk::<8>().ok_or(OptimizerStateError::Truncated)?;
        let updates = u64::from_le_bytes(*updates);
        if updates > most_updates {
            return Err(OptimizerStateError::Updates { found: updates, most: most_updates });
        }
        let stored = params::decode(file)?;
        let slots = config.kind.slots();
        let mut fresh = Self::new(config);
        fresh.updates = updates;
        if stored.is_empty() {
            return Ok(fresh);
        }
        let mut flat = Flatten::new(None);
        module.visit(&mut flat);
        let expected: Vec<Vec<usize>> =
            flat.layout.entries.iter().flat_map(|e| std::iter::repeat_n(vec![e.size], slots)).collect();
        if stored.len() != expected.len() {
            return Err(OptimizerStateError::Count {
                found: stored.len(),
                kind: config.kind,
                expected: expected.len(),
            });
        }
        params::check_shapes(&expected, &stored)?;
        if let Some(slot) = config.kind.mean_square_slot()
            && stored.iter().skip(slot).step_by(slots).flat_map(|(_, values)| values).any(|&v| v < 0.0)
        {
            return Err(OptimizerStateError::NegativeSquares);
        }
        let mut per_slot = vec![Vec::new(); slots];
        for (i, (shape, values)) in stored.into_iter().enumerate() {
            if flat.layout.entries[i / slots].offset.is_some() {
                per_slot[i % slots].push(Tensor::from_data(TensorData::new(values, shape), device));
            }
        }
        fresh.state = per_slot.into_iter().map(|tensors| flat.layout.join(tensors)).collect();
        fresh.layout = flat.layout;
        Ok(fresh)
    }
}

/// Floats between the starts of two parameters in the flat tensors: 256 bytes, WebGPU's
/// storage-buffer offset alignment, so that each parameter is a view of the updated tensor
/// rather than a copy of it.
const ALIGN: usize = 64;

/// Where the float tensors of a network lie in its flat optimiser tensors, in visiting order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Layout {
    entries: Vec<Entry>,
    /// Length of the flat tensors, a multiple of [`ALIGN`].
    len: usize,
}

/// One float tensor of a network: its number of values and, when it is trained, its offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    size: usize,
    offset: Option<usize>,
}

impl Layout {
    fn push(&mut self, size: usize, trained: bool) {
        let offset = trained.then_some(self.len);
        if trained {
            self.len += size.div_ceil(ALIGN) * ALIGN;
        }
        self.entries.push(Entry { size, offset });
    }

    /// The trained tensors `parts` (flattened, in order) laid end to end, zeros in the gaps:
    /// written into one zeroed tensor, a copy per part, rather than concatenated with a zero
    /// piece per gap, which would cost a fill and a copy more per gap.
    fn join(&self, parts: Vec<Tensor<1>>) -> Tensor<1> {
        let device = parts.first().expect("a trained network has parameters").device();
        let trained = self.entries.iter().filter_map(|e| e.offset.map(|offset| offset..offset + e.size));
        trained
            .zip(parts)
            .fold(Tensor::zeros([self.len], &device), |flat, (range, part)| flat.slice_assign(range, part))
    }
}

/// Collects a network's layout and, for its trained parameters, the weights and (given the
/// gradients) the gradients, flattened and without autodiff.
struct Flatten<'a> {
    grads: Option<&'a GradientsParams>,
    layout: Layout,
    weights: Vec<Tensor<1>>,
    grads_flat: Vec<Tensor<1>>,
}

impl<'a> Flatten<'a> {
    fn new(grads: Option<&'a GradientsParams>) -> Self {
        Self { grads, layout: Layout::default(), weights: Vec::new(), grads_flat: Vec::new() }
    }
}

impl ModuleVisitor for Flatten<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val();
        let trained = value.is_require_grad();
        self.layout.push(value.shape().num_elements(), trained);
        if let (true, Some(grads)) = (trained, self.grads) {
            let weight = value.inner();
            let grad = grads.get::<D>(param.id).unwrap_or_else(|| weight.zeros_like());
            self.weights.push(weight.flatten(0, D - 1));
            self.grads_flat.push(grad.flatten(0, D - 1));
        }
    }
}

/// Puts the updated flat weights back into the network's trained parameters, each a view of
/// its stretch, as new leaves for the next backward pass.
struct Unflatten<'a> {
    layout: &'a Layout,
    flat: Tensor<1>,
    index: usize,
}

impl ModuleMapper for Unflatten<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let entry = self.layout.entries[self.index];
        self.index += 1;
        let Some(offset) = entry.offset else { return param };
        let flat = self.flat.clone();
        param.map(|w| Tensor::from_inner(flat.slice(offset..offset + entry.size).reshape(w.shape())).require_grad())
    }
}

/// Puts a blended flat average back into the average's trained parameters, each an untracked
/// view of its stretch, and blends its untrained tensors with `current`'s one by one.
struct Blend<'a> {
    layout: &'a Layout,
    flat: Tensor<1>,
    /// The current network's float tensors, in visiting order.
    current: Vec<Tensor<1>>,
    decay: f64,
    index: usize,
}

impl ModuleMapper for Blend<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (entry, current) = (self.layout.entries[self.index], self.current[self.index].clone());
        self.index += 1;
        let (flat, decay) = (self.flat.clone(), self.decay);
        param.map(|average| match entry.offset {
            Some(offset) => Tensor::from_inner(flat.slice(offset..offset + entry.size).reshape(average.shape())),
            None => {
                let current = current.reshape(average.shape());
                (average.mul_scalar(decay) + current.mul_scalar(1.0 - decay)).detach()
            }
        })
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
