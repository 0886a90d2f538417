//! GAN objectives, on the discriminator's logits and in numerically stable forms.
//!
//! With σ the sigmoid, D's cross-entropy is L_D = −log σ(d_real) − log(1 − σ(d_fake)), and the
//! non-saturating generator loss is L_G = −log σ(d_fake). Using −log σ(x) = softplus(−x) and
//! −log(1 − σ(x)) = softplus(x), and softplus(x) = max(x, 0) + log(1 + e^(−|x|)), nothing
//! overflows however large the logits grow.

use burn::tensor::Tensor;
use burn::tensor::activation::relu;

/// softplus(x) = log(1 + eˣ), computed without overflow for any finite x.
pub fn softplus<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    relu(x.clone()) + x.abs().neg().exp().log1p()
}

/// Discriminator cross-entropy, averaged over the batch: mean softplus(−d_real) + mean softplus(d_fake).
pub fn discriminator_loss(d_real: Tensor<2>, d_fake: Tensor<2>) -> Tensor<1> {
    softplus(d_real.neg()).mean() + softplus(d_fake).mean()
}

/// Non-saturating generator loss, mean softplus(−d_fake): strong gradients while D still wins.
pub fn generator_loss(d_fake: Tensor<2>) -> Tensor<1> {
    softplus(d_fake.neg()).mean()
}
