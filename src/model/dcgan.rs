//! The deep convolutional GAN of Radford et al. (2016), sized for 28×28 digits: G grows a 7×7
//! feature map to 28×28 with two stride-2 transposed convolutions, D shrinks the digit with two
//! stride-2 convolutions. Batch normalisation in both, as in the paper, except on D's input
//! layer and G's output layer; a critic under a gradient penalty normalises each digit on its
//! own instead (see [`Discriminator::statistics`]). `channels` (the config's) is the widest layer: 128 gives
//! DESIGN.md's `dcgan` workload.

use burn::module::{Module, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{Linear, PaddingConfig2d};
use burn::tensor::activation::{leaky_relu, relu, sigmoid};
use burn::tensor::module::conv_transpose2d;
use burn::tensor::ops::ConvTransposeOptions;
use burn::tensor::{Device, Tensor, TensorData};

use super::batch_norm::{BatchNorm, Normalised, Statistics};
use super::{LEAKY_SLOPE, leaky_relu_slope};
use crate::data::SIDE;
use crate::rng::Rng;

/// Side of the smallest feature map: 28 halved twice.
const BASE: usize = SIDE / 4;
/// Every convolution: 4×4 kernels, stride 2, padding 1, which exactly halves (or doubles) a side.
const KERNEL: usize = 4;
const STRIDE: usize = 2;
const PADDING: usize = 1;

/// G: z → linear to `channels`×7×7 → BN → ReLU → transposed conv to `channels/2`×14×14 → BN →
/// ReLU → transposed conv to `planes`×28×28 (1 for a digit, 3 for stacked digits) → sigmoid.
#[derive(Module, Debug)]
pub struct Generator {
    pub project: Linear,
    pub norm0: BatchNorm,
    pub up1: ConvTranspose2d,
    pub norm1: BatchNorm,
    pub up2: ConvTranspose2d,
}

/// D: `planes`×28×28 image (plus one constant plane per label for a conditional GAN) → conv to
/// `channels/2`×14×14 → LeakyReLU → conv to `channels`×7×7 → BN → LeakyReLU → linear to a logit.
#[derive(Module, Debug)]
pub struct Discriminator {
    pub down1: Conv2d,
    pub down2: Conv2d,
    pub norm: BatchNorm,
    pub output: Linear,
    /// What `norm` normalises over. A gradient penalty asks each digit's ∇ₓD(x) to be small,
    /// but with a batch's statistics D scores a batch as a whole and can tell a real batch
    /// from a generated one by their statistics, which no per-digit penalty restrains: the
    /// critic's scores then run away (Gulrajani et al. 2017 drop batch norm from the critic for
    /// this reason and suggest layer norm). Chosen by [`crate::model::Discriminator::normalise_for`].
    #[module(skip)]
    pub statistics: Statistics,
}

impl Generator {
    /// A generator of `latent` inputs with the DCGAN paper's initialisation (weights N(0, 0.02),
    /// biases 0), drawn from `rng` on the host so a seed gives the same weights on every backend.
    /// It draws images of `planes` channels.
    pub fn new(latent: usize, channels: usize, planes: usize, rng: &mut Rng, device: &Device) -> Self {
        let half = (channels / 2).max(1);
        Self {
            project: linear(latent, channels * BASE * BASE, rng, device),
            norm0: BatchNorm::new(channels, device),
            up1: up(channels, half, rng, device),
            norm1: BatchNorm::new(half, device),
            up2: up(half, planes, rng, device),
        }
    }

    /// Sampling mode (batch norm with its running statistics): `[batch, latent]` →
    /// `[batch, planes × 784]`, channel after channel.
    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        self.layers(z, None)
    }

    /// Training mode: batch norm with each batch's statistics, which also update the running ones.
    pub fn forward_train(&mut self, z: Tensor<2>) -> Tensor<2> {
        let mut batches = Vec::new();
        let output = self.layers(z, Some(&mut batches));
        self.norm0.track(&batches[0]);
        self.norm1.track(&batches[1]);
        output
    }

    /// The layers; with `batches`, batch norm uses (and records) each batch's statistics.
    fn layers(&self, z: Tensor<2>, mut batches: Option<&mut Vec<Normalised>>) -> Tensor<2> {
        let batch = z.dims()[0];
        let channels = self.norm0.gamma.dims()[0];
        let mut norm = |layer: &BatchNorm, x: Tensor<4>| match batches.as_deref_mut() {
            Some(batches) => {
                let normalised = layer.normalise(x, Statistics::Batch);
                let output = normalised.output.clone();
                batches.push(normalised);
                output
            }
            None => layer.forward(x),
        };
        let x = self.project.forward(z).reshape([batch, channels, BASE, BASE]);
        let x = relu(norm(&self.norm0, x));
        let x = relu(norm(&self.norm1, self.up1.forward(x)));
        let image = sigmoid(self.up2.forward(x));
        let planes = image.dims()[1];
        image.reshape([batch, planes * SIDE * SIDE])
    }
}

/// D's activations on one batch, kept for its input gradient.
struct Pass {
    pre1: Tensor<4>,
    normalised: Normalised,
    logits: Tensor<2>,
}

impl Discriminator {
    /// A discriminator of images of `planes` channels with `labels` extra input planes (0, or
    /// 10 for a conditional GAN), initialised like [`Generator::new`].
    pub fn new(planes: usize, labels: usize, channels: usize, rng: &mut Rng, device: &Device) -> Self {
        let half = (channels / 2).max(1);
        Self {
            down1: down(planes + labels, half, rng, device),
            down2: down(half, channels, rng, device),
            norm: BatchNorm::new(channels, device),
            output: linear(channels * BASE * BASE, 1, rng, device),
            statistics: Statistics::Batch,
        }
    }

    /// Sampling mode: the realness logits `[batch, 1]` of digits `[batch, 784]` with their
    /// one-hot `labels` `[batch, 10]` in a conditional GAN.
    pub fn forward(&self, x: Tensor<2>, labels: Option<Tensor<2>>) -> Tensor<2> {
        let (_, pre2) = self.convolutions(x, labels);
        let normalised = match self.statistics {
            Statistics::Batch => self.norm.forward(pre2),
            Statistics::Sample => self.norm.normalise(pre2, Statistics::Sample).output,
        };
        self.head(normalised)
    }

    /// Training mode: batch norm with the batch's statistics, which also update the running
    /// ones (or each digit's own statistics).
    pub fn forward_train(&mut self, x: Tensor<2>, labels: Option<Tensor<2>>) -> Tensor<2> {
        let pass = self.pass(x, labels);
        self.norm.track(&pass.normalised);
        pass.logits
    }

    /// Training mode, with the gradient of Σ D(x) with respect to each digit's pixels:
    /// (`[batch, 1]`, `[batch, planes × 784]`). burn differentiates only once, so the chain rule is
    /// written out: back through the linear layer (its weights as a map), LeakyReLU (its slope),
    /// the normalisation (whose statistics depend on every digit of the batch, or on every
    /// value of the digit, see [`BatchNorm::input_gradient`]), and each strided convolution, whose adjoint is the
    /// transposed convolution with the same kernel. Autodiff then differentiates this
    /// expression with respect to the weights like any other.
    pub fn forward_with_input_gradient(&mut self, x: Tensor<2>, labels: Option<Tensor<2>>) -> (Tensor<2>, Tensor<2>) {
        let [batch, dim] = x.dims();
        let pass = self.pass(x, labels);
        self.norm.track(&pass.normalised);
        let channels = self.norm.gamma.dims()[0];
        let outward = self.output.weight.val().reshape([1, channels, BASE, BASE]);
        let grad = leaky_relu_slope(pass.normalised.output.clone()) * outward;
        let grad = self.norm.input_gradient(&pass.normalised, grad);
        let grad = conv_transpose2d(grad, self.down2.weight.val(), None, adjoint());
        let grad = leaky_relu_slope(pass.pre1) * grad;
        let grad = conv_transpose2d(grad, self.down1.weight.val(), None, adjoint());
        (pass.logits, grad.narrow(1, 0, dim / (SIDE * SIDE)).reshape([batch, dim]))
    }

    fn pass(&self, x: Tensor<2>, labels: Option<Tensor<2>>) -> Pass {
        let (pre1, pre2) = self.convolutions(x, labels);
        let normalised = self.norm.normalise(pre2, self.statistics);
        let logits = self.head(normalised.output.clone());
        Pass { pre1, normalised, logits }
    }

    /// Both convolutions, before their activation and batch norm: (`pre1`, `pre2`).
    fn convolutions(&self, x: Tensor<2>, labels: Option<Tensor<2>>) -> (Tensor<4>, Tensor<4>) {
        let pre1 = self.down1.forward(input_planes(x, labels));
        let pre2 = self.down2.forward(leaky_relu(pre1.clone(), LEAKY_SLOPE));
        (pre1, pre2)
    }

    fn head(&self, normalised: Tensor<4>) -> Tensor<2> {
        self.output.forward(leaky_relu(normalised, LEAKY_SLOPE).flatten::<2>(1, 3))
    }
}

/// Images `[batch, planes × 784]` as `[batch, planes + labels, 28, 28]`: the pixels, then each
/// one-hot label value as a constant plane, so every convolution sees which digit is meant.
fn input_planes(x: Tensor<2>, labels: Option<Tensor<2>>) -> Tensor<4> {
    let [batch, dim] = x.dims();
    let image = x.reshape([batch, dim / (SIDE * SIDE), SIDE, SIDE]);
    match labels {
        Some(labels) => {
            let classes = labels.dims()[1];
            let ones = Tensor::<4>::ones([1, 1, SIDE, SIDE], &image.device());
            Tensor::cat(vec![image, labels.reshape([batch, classes, 1, 1]) * ones], 1)
        }
        None => image,
    }
}

/// The transposed convolution that maps a gradient at a convolution's output back to its input.
fn adjoint() -> ConvTransposeOptions<2> {
    ConvTransposeOptions::new([STRIDE; 2], [PADDING; 2], [0; 2], [1; 2], 1)
}

/// Weights N(0, 0.02) of the given shape, from the host generator.
fn normal_weights<const D: usize>(shape: [usize; D], rng: &mut Rng, device: &Device) -> Param<Tensor<D>> {
    let values: Vec<f32> = rng.normals(shape.iter().product()).iter().map(|v| v * 0.02).collect();
    Param::from_tensor(Tensor::from_data(TensorData::new(values, shape), device))
}

fn zero_bias(n: usize, device: &Device) -> Option<Param<Tensor<1>>> {
    Some(Param::from_tensor(Tensor::zeros([n], device)))
}

fn linear(fan_in: usize, fan_out: usize, rng: &mut Rng, device: &Device) -> Linear {
    Linear { weight: normal_weights([fan_in, fan_out], rng, device), bias: zero_bias(fan_out, device) }
}

/// A 4×4, stride-2 convolution halving each side.
fn down(from: usize, to: usize, rng: &mut Rng, device: &Device) -> Conv2d {
    let config = Conv2dConfig::new([from, to], [KERNEL; 2])
        .with_stride([STRIDE; 2])
        .with_padding(PaddingConfig2d::Explicit(PADDING, PADDING, PADDING, PADDING));
    Conv2d {
        weight: normal_weights([to, from, KERNEL, KERNEL], rng, device),
        bias: zero_bias(to, device),
        ..config.init(device)
    }
}

/// A 4×4, stride-2 transposed convolution doubling each side.
fn up(from: usize, to: usize, rng: &mut Rng, device: &Device) -> ConvTranspose2d {
    let config =
        ConvTranspose2dConfig::new([from, to], [KERNEL; 2]).with_stride([STRIDE; 2]).with_padding([PADDING; 2]);
    ConvTranspose2d {
        weight: normal_weights([from, to, KERNEL, KERNEL], rng, device),
        bias: zero_bias(to, device),
        ..config.init(device)
    }
}
