//! Stacked MNIST, the standard benchmark of mode collapse (Metz et al. 2017, VEEGAN, PacGAN):
//! three digits drawn at random from the 10 000 become the red, green and blue channels of one
//! 28×28 image, so the data has 10³ = 1 000 modes, one per triple of digits, where MNIST has 10.
//! The images are stacked when a run starts, from its seed, not stored: 10 000 of them, as many
//! as there are digits, so that a batch size means the same on every data set.

use crate::data::{CLASSES, Digits};
use crate::rng::Rng;

/// Digits stacked in one image: its channels.
pub const CHANNELS: usize = 3;
/// Triples of digit classes: the modes.
pub const MODES: usize = CLASSES * CLASSES * CLASSES;
/// Stacked images a run trains on.
pub const IMAGES: usize = 10_000;

/// The digits stacked into each of `count` images: `CHANNELS` indices into `digits` per image,
/// drawn uniformly from the stream `seed` gives, so a seed always stacks the same images.
pub fn triples(digits: &Digits, seed: u64, count: usize) -> Vec<[usize; CHANNELS]> {
    let mut rng = Rng::stream(seed, STACKING);
    (0..count).map(|_| std::array::from_fn(|_| rng.below(digits.len()))).collect()
}

/// The images of `triples`, flattened channel after channel (`CHANNELS × 784` values in [0, 1]
/// per image), the layout the networks and the judge read.
pub fn images(digits: &Digits, triples: &[[usize; CHANNELS]]) -> Vec<f32> {
    triples.iter().flatten().flat_map(|&i| digits.unit(i..i + 1)).collect()
}

/// The mode of a triple of digit classes: the three digits read as one number from 0 to 999.
pub fn mode(classes: [usize; CHANNELS]) -> usize {
    classes.iter().fold(0, |mode, &class| mode * CLASSES + class)
}

/// The stream of the seed that stacks the digits, apart from those of weights, noise and batches.
const STACKING: u64 = 8;
