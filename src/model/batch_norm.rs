//! Batch normalisation over the channels of `[batch, channels, height, width]` activations,
//! written out so that the discriminator's input gradient can pass back through it; the same
//! layer normalises each sample on its own (layer normalisation) for a critic under a gradient
//! penalty, see [`Statistics`].
//!
//! burn's `BatchNorm` keeps its running statistics in a shared, interior-mutable cell: copies
//! of a network (the generator's weight average, the last good state kept for a rollback) would
//! then share one set of statistics. Here they are plain, untrained parameters that
//! [`BatchNorm::forward_train`] replaces, so every copy owns its own; checkpoints, the weight
//! average and the parameter visitors see them like any other tensor.

use burn::module::{Module, Param, ParamId};
use burn::tensor::{Device, Tensor};

/// ε added to the variance, as in PyTorch.
const EPSILON: f64 = 1e-5;
/// Weight of the newest batch in the running statistics, as in PyTorch.
const MOMENTUM: f64 = 0.1;

/// γ·(x − μ)/√(σ² + ε) + β per channel: with the batch's own μ and σ² while training, with
/// their running averages when sampling.
#[derive(Module, Debug)]
pub struct BatchNorm {
    pub gamma: Param<Tensor<1>>,
    pub beta: Param<Tensor<1>>,
    /// Running mean of the channels (not trained: updated by [`BatchNorm::forward_train`]).
    pub running_mean: Param<Tensor<1>>,
    /// Running unbiased variance of the channels (likewise).
    pub running_var: Param<Tensor<1>>,
}

/// Which activations a training-mode normalisation takes its μ and σ² over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Statistics {
    /// Each channel over the batch and the pixels: batch norm, as DCGAN has it.
    #[default]
    Batch,
    /// Each sample over its channels and pixels: layer norm. No sample depends on the others
    /// in its batch, in training as in sampling, so nothing is tracked.
    Sample,
}

impl Statistics {
    /// The mean over these activations, shaped to broadcast back over `x`.
    fn mean(self, x: Tensor<4>) -> Tensor<4> {
        match self {
            Self::Batch => x.mean_dim(0).mean_dim(2).mean_dim(3),
            Self::Sample => x.mean_dim(1).mean_dim(2).mean_dim(3),
        }
    }
}

/// A training-mode normalisation and what its input gradient needs again.
pub struct Normalised {
    /// γ·x̂ + β.
    pub output: Tensor<4>,
    /// x̂ = (x − μ)/√(σ² + ε), with the batch's μ and σ².
    pub standardised: Tensor<4>,
    /// 1/√(σ² + ε): per channel `[1, channels, 1, 1]` or per sample `[batch, 1, 1, 1]`.
    pub inverse_std: Tensor<4>,
    over: Statistics,
    mean: Tensor<4>,
    variance: Tensor<4>,
}

impl BatchNorm {
    /// γ = 1, β = 0, running mean 0 and variance 1: the identity until trained.
    pub fn new(channels: usize, device: &Device) -> Self {
        let buffer = |value: f32| Param::initialized(ParamId::new(), Tensor::full([channels], value, device));
        Self {
            gamma: Param::from_tensor(Tensor::ones([channels], device)),
            beta: Param::from_tensor(Tensor::zeros([channels], device)),
            running_mean: buffer(0.0),
            running_var: buffer(1.0),
        }
    }

    /// Sampling mode: each sample is normalised with the running statistics, so it does not
    /// depend on the others in its batch.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let inverse_std = channels(self.running_var.val()).add_scalar(EPSILON).sqrt().recip();
        (x - channels(self.running_mean.val())) * inverse_std * channels(self.gamma.val()) + channels(self.beta.val())
    }

    /// Training mode: normalises with the batch's statistics, through which gradients flow,
    /// and folds them into the running ones.
    pub fn forward_train(&mut self, x: Tensor<4>) -> Tensor<4> {
        let normalised = self.normalise(x, Statistics::Batch);
        self.track(&normalised);
        normalised.output
    }

    /// The training-mode normalisation with statistics `over`, without touching the running ones.
    pub fn normalise(&self, x: Tensor<4>, over: Statistics) -> Normalised {
        let mean = over.mean(x.clone());
        let centred = x - mean.clone();
        let variance = over.mean(centred.clone().square());
        let inverse_std = variance.clone().add_scalar(EPSILON).sqrt().recip();
        let standardised = centred * inverse_std.clone();
        let output = standardised.clone() * channels(self.gamma.val()) + channels(self.beta.val());
        Normalised { output, standardised, inverse_std, over, mean, variance }
    }

    /// Folds a batch's statistics into the running ones (PyTorch's rule, with the unbiased
    /// variance); per-sample statistics have no running counterpart and leave them as they are.
    pub fn track(&mut self, normalised: &Normalised) {
        if normalised.over == Statistics::Sample {
            return;
        }
        let [batch, _, height, width] = normalised.standardised.dims();
        let n = (batch * height * width) as f64;
        let unbiased = normalised.variance.clone().detach().mul_scalar(n / (n - 1.0).max(1.0));
        let blend = |running: &Param<Tensor<1>>, batch: Tensor<4>| {
            let value = running.val().mul_scalar(1.0 - MOMENTUM) + batch.flatten(0, 3).mul_scalar(MOMENTUM);
            Param::initialized(running.id, value.detach())
        };
        self.running_mean = blend(&self.running_mean, normalised.mean.clone().detach());
        self.running_var = blend(&self.running_var, unbiased);
    }

    /// The gradient with respect to the input of Σ (upstream ⊙ output) in training mode, where
    /// each input moves the statistics too: γ/σ · (g − mean(g) − x̂ · mean(g ⊙ x̂)), the means
    /// taken over the same activations as the statistics.
    pub fn input_gradient(&self, normalised: &Normalised, upstream: Tensor<4>) -> Tensor<4> {
        let (x_hat, over) = (normalised.standardised.clone(), normalised.over);
        let g = upstream;
        let centred = g.clone() - over.mean(g.clone()) - x_hat.clone() * over.mean(g * x_hat);
        centred * normalised.inverse_std.clone() * channels(self.gamma.val())
    }
}

/// A per-channel vector shaped `[1, channels, 1, 1]` to broadcast over activations.
fn channels(v: Tensor<1>) -> Tensor<4> {
    let [c] = v.dims();
    v.reshape([1, c, 1, 1])
}
