//! The seed article's multilayer-perceptron GAN: a generator that turns noise into a 28×28
//! digit (or a point of a 2-D toy set) and a discriminator that scores its realness as a logit.
//! A conditional GAN feeds both the one-hot label as extra inputs (see [`super`]).

use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::activation::{leaky_relu, sigmoid};
use burn::tensor::{Device, Tensor, TensorData};

use super::{LEAKY_SLOPE, leaky_relu_slope};
use crate::rng::Rng;

/// G: z → hidden → hidden → 784 pixels (or 2 coordinates) in [0, 1] (LeakyReLU, LeakyReLU,
/// sigmoid).
#[derive(Module, Debug)]
pub struct Generator {
    pub input: Linear,
    pub hidden: Linear,
    pub output: Linear,
}

/// D: 784 pixels (or 2 coordinates) → hidden → hidden → one logit (LeakyReLU between layers; the loss applies
/// the sigmoid, in a numerically stable form).
#[derive(Module, Debug)]
pub struct Discriminator {
    pub input: Linear,
    pub hidden: Linear,
    pub output: Linear,
}

impl Generator {
    /// A generator with PyTorch's default initialisation, drawn from `rng` on the host so a
    /// seed gives the same weights on every backend.
    pub fn new(latent: usize, hidden: usize, output: usize, rng: &mut Rng, device: &Device) -> Self {
        Self {
            input: linear(latent, hidden, rng, device),
            hidden: linear(hidden, hidden, rng, device),
            output: linear(hidden, output, rng, device),
        }
    }

    /// Samples for a batch of noise vectors: `[batch, latent]` → `[batch, output]`.
    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        let h = leaky_relu(self.input.forward(z), LEAKY_SLOPE);
        let h = leaky_relu(self.hidden.forward(h), LEAKY_SLOPE);
        sigmoid(self.output.forward(h))
    }
}

impl Discriminator {
    /// A discriminator of `input`-value samples, initialised like [`Generator::new`].
    pub fn new(input: usize, hidden: usize, rng: &mut Rng, device: &Device) -> Self {
        Self {
            input: linear(input, hidden, rng, device),
            hidden: linear(hidden, hidden, rng, device),
            output: linear(hidden, 1, rng, device),
        }
    }

    /// Realness logits for a batch of samples: `[batch, input]` → `[batch, 1]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let h = leaky_relu(self.input.forward(x), LEAKY_SLOPE);
        let h = leaky_relu(self.hidden.forward(h), LEAKY_SLOPE);
        self.output.forward(h)
    }

    /// The logits and, for each digit, the gradient ∇ₓD(x) of its logit with respect to its
    /// values: `[batch, input]` → (`[batch, 1]`, `[batch, input]`). (Its first `input` columns
    /// are the sample's own, when a label was appended to it.)
    ///
    /// burn differentiates only once, so the gradient penalties cannot ask autodiff for ∇ₓD and
    /// then differentiate that again. Instead the chain rule is written out as ordinary tensor
    /// operations, back through each layer (a linear layer x·W contributes Wᵀ, a LeakyReLU its
    /// slope, 1 or 0.2, at the pre-activation), and autodiff differentiates *that* expression
    /// with respect to the weights like any other.
    pub fn forward_with_input_gradient(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let pre1 = self.input.forward(x);
        let pre2 = self.hidden.forward(leaky_relu(pre1.clone(), LEAKY_SLOPE));
        let logits = self.output.forward(leaky_relu(pre2.clone(), LEAKY_SLOPE));
        // ∂D/∂pre2 = w_outᵀ ⊙ slope(pre2), a [batch, hidden] tensor (w_out is [hidden, 1]).
        let grad = leaky_relu_slope(pre2) * self.output.weight.val().transpose();
        let grad = grad.matmul(self.hidden.weight.val().transpose()) * leaky_relu_slope(pre1);
        (logits, grad.matmul(self.input.weight.val().transpose()))
    }
}

/// A fully connected layer with weights and bias uniform in ±1/√fan_in.
fn linear(fan_in: usize, fan_out: usize, rng: &mut Rng, device: &Device) -> Linear {
    let bound = 1.0 / (fan_in as f32).sqrt();
    let mut uniform = |n: usize| -> Vec<f32> { (0..n).map(|_| (2.0 * rng.uniform() - 1.0) * bound).collect() };
    let weight = TensorData::new(uniform(fan_in * fan_out), [fan_in, fan_out]);
    let bias = TensorData::new(uniform(fan_out), [fan_out]);
    Linear {
        weight: Param::from_tensor(Tensor::from_data(weight, device)),
        bias: Some(Param::from_tensor(Tensor::from_data(bias, device))),
    }
}
