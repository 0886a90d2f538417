//! The generator and discriminator a run trains, of either architecture, and conditioned on the
//! digit's label or not. Training code sees one `Generator` and one `Discriminator` and asks
//! for training or sampling mode; only the DCGAN's normalisation tells them apart.

pub mod batch_norm;
pub mod dcgan;
pub mod mlp;

use burn::module::Module;
use burn::tensor::Tensor;

use crate::config::{Architecture, TrainConfig};
use crate::data::CLASSES;
use crate::rng::Rng;
use batch_norm::Statistics;

/// Slope of LeakyReLU for negative inputs, as in the seed article and the DCGAN paper.
pub const LEAKY_SLOPE: f64 = 0.2;

/// G of either architecture.
// A run holds one of each network, built once and not moved on any hot path: boxing the larger
// variant, as clippy advises, would save nothing that matters.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Generator {
    Mlp(mlp::Generator),
    Dcgan(dcgan::Generator),
}

/// D of either architecture.
#[allow(clippy::large_enum_variant)] // as for Generator
#[derive(Module, Debug)]
pub enum Discriminator {
    Mlp(mlp::Discriminator),
    Dcgan(dcgan::Discriminator),
}

/// How many label values a network of `config` takes beside its input: 10 for a conditional
/// GAN (the one-hot digit), else 0.
pub fn label_width(config: &TrainConfig) -> usize {
    if config.conditional { CLASSES } else { 0 }
}

impl Generator {
    /// The generator `config` describes, its weights drawn from `rng`.
    pub fn new(config: &TrainConfig, rng: &mut Rng, device: &burn::tensor::Device) -> Self {
        let latent = config.latent_dim + label_width(config);
        match config.model {
            Architecture::Mlp => Self::Mlp(mlp::Generator::new(latent, config.hidden, config.data.dim(), rng, device)),
            Architecture::Dcgan => {
                Self::Dcgan(dcgan::Generator::new(latent, config.channels, config.data.channels(), rng, device))
            }
        }
    }

    /// Sampling mode: `[batch, latent]` noise (and `[batch, 10]` one-hot labels when
    /// conditional) → `[batch, dim]` samples in [0, 1].
    pub fn forward(&self, z: Tensor<2>, labels: Option<Tensor<2>>) -> Tensor<2> {
        let z = with_labels(z, labels);
        match self {
            Self::Mlp(g) => g.forward(z),
            Self::Dcgan(g) => g.forward(z),
        }
    }

    /// Training mode: batch norm, where there is any, uses and records each batch's statistics.
    pub fn forward_train(&mut self, z: Tensor<2>, labels: Option<Tensor<2>>) -> Tensor<2> {
        let z = with_labels(z, labels);
        match self {
            Self::Mlp(g) => g.forward(z),
            Self::Dcgan(g) => g.forward_train(z),
        }
    }
}

impl Discriminator {
    /// The discriminator `config` describes, its weights drawn from `rng`.
    pub fn new(config: &TrainConfig, rng: &mut Rng, device: &burn::tensor::Device) -> Self {
        let labels = label_width(config);
        let mut d = match config.model {
            Architecture::Mlp => {
                Self::Mlp(mlp::Discriminator::new(config.data.dim() + labels, config.hidden_d, rng, device))
            }
            Architecture::Dcgan => {
                Self::Dcgan(dcgan::Discriminator::new(config.data.channels(), labels, config.channels, rng, device))
            }
        };
        d.normalise_for(config);
        d
    }

    /// Sets how D normalises for `config`'s objective: each digit on its own under a gradient
    /// penalty (see [`dcgan::Discriminator::statistics`]), else over the batch. The weights are
    /// the same either way, so the objective can change mid-run.
    pub fn normalise_for(&mut self, config: &TrainConfig) {
        if let Self::Dcgan(d) = self {
            d.statistics = if config.penalises_input_gradient() { Statistics::Sample } else { Statistics::Batch };
        }
    }

    /// Sampling mode: realness logits `[batch, 1]` of samples `[batch, dim]` (with their one-hot
    /// labels when conditional).
    pub fn forward(&self, x: Tensor<2>, labels: Option<Tensor<2>>) -> Tensor<2> {
        match self {
            Self::Mlp(d) => d.forward(with_labels(x, labels)),
            Self::Dcgan(d) => d.forward(x, labels),
        }
    }

    /// Training mode (see [`Generator::forward_train`]).
    pub fn forward_train(&mut self, x: Tensor<2>, labels: Option<Tensor<2>>) -> Tensor<2> {
        match self {
            Self::Mlp(d) => d.forward(with_labels(x, labels)),
            Self::Dcgan(d) => d.forward_train(x, labels),
        }
    }

    /// Training mode, with the gradient of Σ D(x) with respect to each sample's values, which
    /// the gradient penalties need: (`[batch, 1]`, `[batch, dim]`). Each architecture writes
    /// its chain rule out, because burn cannot differentiate a gradient again.
    pub fn forward_with_input_gradient(&mut self, x: Tensor<2>, labels: Option<Tensor<2>>) -> (Tensor<2>, Tensor<2>) {
        let [batch, dim] = x.dims();
        match self {
            Self::Mlp(d) => {
                let (logits, grad) = d.forward_with_input_gradient(with_labels(x, labels));
                (logits, grad.slice([0..batch, 0..dim]))
            }
            Self::Dcgan(d) => d.forward_with_input_gradient(x, labels),
        }
    }
}

/// `x` with the one-hot `labels` appended to each row, when there are labels.
fn with_labels(x: Tensor<2>, labels: Option<Tensor<2>>) -> Tensor<2> {
    match labels {
        Some(labels) => Tensor::cat(vec![x, labels], 1),
        None => x,
    }
}

/// LeakyReLU's derivative at each pre-activation: 1 where positive, [`LEAKY_SLOPE`] elsewhere.
/// It is piecewise constant, so it carries no gradient of its own.
fn leaky_relu_slope<const D: usize>(pre: Tensor<D>) -> Tensor<D> {
    pre.greater_elem(0.0).float().mul_scalar(1.0 - LEAKY_SLOPE).add_scalar(LEAKY_SLOPE)
}
