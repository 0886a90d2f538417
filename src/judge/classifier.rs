//! A small convolutional digit classifier, trained by the project's own code on the first
//! 8 000 shipped digits and checked on the other 2 000. It is the judge of generated digits:
//! which class a sample looks like, and (its penultimate layer) the feature space that
//! MNIST-FID measures distances in.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Linear, LinearConfig};
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::activation::{log_softmax, relu};
use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::data::{BatchSampler, CLASSES, Digits, PIXELS, SIDE};
use crate::rng::Rng;

/// Digits used for training; the rest of the shipped 10 000 are held out.
pub const TRAINING_DIGITS: usize = 8_000;
/// Width of the penultimate layer: the feature vector FID compares.
pub const FEATURES: usize = 64;

/// conv 5×5 (1→32) → ReLU → max-pool 2 → conv 5×5 (32→64) → ReLU → max-pool 2 → linear 1024→64
/// → ReLU (the features) → linear 64→10 (the class logits).
#[derive(Module, Debug)]
pub struct Classifier {
    pub conv1: Conv2d,
    pub conv2: Conv2d,
    pub pool: MaxPool2d,
    pub features: Linear,
    pub output: Linear,
}

impl Classifier {
    /// An untrained classifier with burn's default initialisation (drawn on `device`).
    pub fn new(device: &Device) -> Self {
        Self {
            conv1: Conv2dConfig::new([1, 32], [5, 5]).init(device),
            conv2: Conv2dConfig::new([32, 64], [5, 5]).init(device),
            pool: MaxPool2dConfig::new([2, 2]).init(),
            features: LinearConfig::new(64 * 4 * 4, FEATURES).init(device),
            output: LinearConfig::new(FEATURES, CLASSES).init(device),
        }
    }

    /// Penultimate-layer features of digits `[batch, 784]` in [0, 1] → `[batch, 64]`.
    pub fn features(&self, pixels: Tensor<2>) -> Tensor<2> {
        let batch = pixels.dims()[0];
        let x = pixels.reshape([batch, 1, SIDE, SIDE]);
        let x = self.pool.forward(relu(self.conv1.forward(x)));
        let x = self.pool.forward(relu(self.conv2.forward(x)));
        relu(self.features.forward(x.reshape([batch, 64 * 4 * 4])))
    }

    /// Class logits `[batch, 10]`.
    pub fn forward(&self, pixels: Tensor<2>) -> Tensor<2> {
        self.output.forward(self.features(pixels))
    }
}

/// Mean cross-entropy of `logits` against `labels`.
fn cross_entropy(logits: Tensor<2>, labels: &[u8], device: &Device) -> Tensor<1> {
    let mut one_hot = vec![0.0f32; labels.len() * CLASSES];
    for (row, &label) in labels.iter().enumerate() {
        one_hot[row * CLASSES + label as usize] = 1.0;
    }
    let one_hot = Tensor::<2>::from_data(TensorData::new(one_hot, [labels.len(), CLASSES]), device);
    (log_softmax(logits, 1) * one_hot).sum_dim(1).mean().neg()
}

/// Trains a classifier on the first [`TRAINING_DIGITS`] digits: Adam, batches of 64, each digit
/// shifted by up to two pixels at random (8 000 digits are few; the shifts keep the network
/// from memorising them), learning rate 1e-3 decayed tenfold over the run, for `epochs`
/// passes. `device` must have autodiff; the run is deterministic for a given `seed` and
/// backend. `progress` hears each finished epoch and its last batch's loss.
pub fn train(
    digits: &Digits,
    epochs: usize,
    seed: u64,
    device: &Device,
    mut progress: impl FnMut(usize, f32),
) -> Classifier {
    const BATCH: usize = 64;
    device.seed(seed);
    let mut model = Classifier::new(device);
    let mut optimizer = AdamConfig::new().init();
    let pixels = digits.pixels_unit();
    let mut sampler = BatchSampler::new(TRAINING_DIGITS, Rng::stream(seed, 1));
    let mut shifts = Rng::stream(seed, 2);
    let steps_per_epoch = TRAINING_DIGITS / BATCH;
    let total = (epochs * steps_per_epoch) as f64;
    for epoch in 1..=epochs {
        let mut loss = None;
        for step in 0..steps_per_epoch {
            let indices = sampler.next_batch(BATCH);
            let labels: Vec<u8> = indices.iter().map(|&i| digits.labels[i as usize]).collect();
            let mut batch = Vec::with_capacity(BATCH * PIXELS);
            for &i in &indices {
                let digit = &pixels[i as usize * PIXELS..][..PIXELS];
                let (dx, dy) = (shifts.below(5) as isize - 2, shifts.below(5) as isize - 2);
                batch.extend(shifted(digit, dx, dy));
            }
            let batch = Tensor::<2>::from_data(TensorData::new(batch, [BATCH, PIXELS]), device);
            let step_loss = cross_entropy(model.forward(batch), &labels, device);
            let grads = GradientsParams::from_grads(step_loss.backward(), &model);
            let progress_through = ((epoch - 1) * steps_per_epoch + step) as f64 / total;
            model = optimizer.step(1e-3 * 0.1f64.powf(progress_through), model, grads);
            loss = Some(step_loss);
        }
        let last = loss.map(|l| crate::tensor::floats(l.into_data())[0]).unwrap_or(f32::NAN);
        progress(epoch, last);
    }
    model
}

/// A digit moved `dx` pixels right and `dy` down, with black filling in.
fn shifted(digit: &[f32], dx: isize, dy: isize) -> impl Iterator<Item = f32> + '_ {
    (0..PIXELS).map(move |i| {
        let (x, y) = ((i % SIDE) as isize - dx, (i / SIDE) as isize - dy);
        let inside = (0..SIDE as isize).contains(&x) && (0..SIDE as isize).contains(&y);
        if inside { digit[y as usize * SIDE + x as usize] } else { 0.0 }
    })
}

/// The classes the classifier assigns to digits `[n, 784]` in [0, 1], still on the device.
pub fn classify(model: &Classifier, pixels: Tensor<2>) -> Tensor<1, Int> {
    model.forward(pixels).argmax(1).flatten(0, 1)
}

/// The share of the held-out digits (those after the first [`TRAINING_DIGITS`]) that `model`
/// classifies correctly.
pub fn held_out_accuracy(model: &Classifier, digits: &Digits, device: &Device) -> f64 {
    let held_out = digits.len() - TRAINING_DIGITS;
    let pixels = digits.pixels_unit()[TRAINING_DIGITS * PIXELS..].to_vec();
    let predicted = classify(model, Tensor::from_data(TensorData::new(pixels, [held_out, PIXELS]), device));
    let predicted = predicted.into_data().convert::<i64>().try_to_vec::<i64>().expect("classes read as integers");
    let correct = predicted.iter().zip(&digits.labels[TRAINING_DIGITS..]).filter(|&(p, &l)| *p == l as i64).count();
    correct as f64 / held_out as f64
}
