//! GAN objectives, on the discriminator's logits `d` and in numerically stable forms.
//!
//! With σ the sigmoid, −log σ(x) = softplus(−x) and −log(1 − σ(x)) = softplus(x), and
//! softplus(x) = max(x, 0) + log(1 + e^(−|x|)) never overflows, so the cross-entropy losses stay
//! finite however large the logits grow. The penalties (gradient penalty, R1) are in
//! terms of the gradient [`crate::model::Discriminator::forward_with_input_gradient`] returns: see
//! [`gradient_penalty`] and [`r1_penalty`].

use burn::tensor::Tensor;
use burn::tensor::activation::relu;

use crate::config::GanLoss;

impl GanLoss {
    /// D's loss, averaged over the batch. `real_label` is the target for real digits (1, or
    /// less with one-sided label smoothing); losses without targets ignore it.
    pub fn discriminator(self, d_real: Tensor<2>, d_fake: Tensor<2>, real_label: f64) -> Tensor<1> {
        match self {
            Self::Minimax | Self::NonSaturating => {
                // −[t·log σ(d) + (1 − t)·log(1 − σ(d))] on real, −log(1 − σ(d)) on fake.
                let real = softplus(d_real.clone().neg()).mul_scalar(real_label)
                    + softplus(d_real).mul_scalar(1.0 - real_label);
                real.mean() + softplus(d_fake).mean()
            }
            Self::LeastSquares => {
                (d_real.sub_scalar(real_label).square().mean() + d_fake.square().mean()).mul_scalar(0.5)
            }
            Self::Hinge => relu(d_real.neg().add_scalar(1.0)).mean() + relu(d_fake.add_scalar(1.0)).mean(),
            Self::WganClip | Self::WganGp => d_fake.mean() - d_real.mean(),
        }
    }

    /// G's loss on D's logits for generated digits, averaged over the batch.
    pub fn generator(self, d_fake: Tensor<2>) -> Tensor<1> {
        match self {
            Self::Minimax => softplus(d_fake).mean().neg(),
            Self::NonSaturating => softplus(d_fake.neg()).mean(),
            Self::LeastSquares => d_fake.sub_scalar(1.0).square().mean().mul_scalar(0.5),
            Self::Hinge | Self::WganClip | Self::WganGp => d_fake.mean().neg(),
        }
    }
}

/// softplus(x) = log(1 + eˣ), computed without overflow for any finite x.
pub fn softplus<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    relu(x.clone()) + x.abs().neg().exp().log1p()
}

/// WGAN-GP's penalty λ · mean (‖∇ₓD(x̂)‖₂ − 1)², given the input gradients `[batch, pixels]`.
pub fn gradient_penalty(input_gradient: Tensor<2>, lambda: f64) -> Tensor<1> {
    row_norms(input_gradient).sub_scalar(1.0).square().mean().mul_scalar(lambda)
}

/// R1's penalty (γ/2) · mean ‖∇ₓD(x)‖₂², given the input gradients on real digits.
pub fn r1_penalty(input_gradient: Tensor<2>, gamma: f64) -> Tensor<1> {
    input_gradient.square().sum_dim(1).mean().mul_scalar(gamma / 2.0)
}

/// The Euclidean norm of each row: `[batch, n]` → `[batch, 1]`. A tiny floor inside the square
/// root keeps the derivative finite for an all-zero row.
pub fn row_norms(x: Tensor<2>) -> Tensor<2> {
    x.square().sum_dim(1).add_scalar(1e-12).sqrt()
}
