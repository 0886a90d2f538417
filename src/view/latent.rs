//! Walks through the generator's noise space: the points between two noise vectors, on a
//! straight line or along the sphere where Gaussian noise concentrates, and noise vectors with a
//! few coordinates set by hand. What G draws along them shows how smoothly it maps noise to
//! digits.

use crate::data::CLASSES;
use crate::message::{Explain, Message};
use crate::rng::Rng;

/// The most digits one walk draws: more than a row of the page could show.
pub const MAX_WALK: usize = 64;

/// A walk or dial request that asks for something no generator can draw.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LatentError {
    /// A walk of no digits, or of more than [`MAX_WALK`].
    #[error("a walk draws from 1 to {MAX_WALK} digits, not {0}")]
    Count(u32),
    /// A conditional GAN is asked for a digit that does not exist.
    #[error("the digit to draw is one of 0 to 9, not {0}")]
    Digit(u32),
    /// A dial set to NaN or infinity.
    #[error("the dials must be finite numbers")]
    Dial,
}

impl Explain for LatentError {
    const KEYS: &'static [&'static str] = &["error.latent.count", "error.latent.digit", "error.latent.dial"];

    fn message(&self) -> Message {
        match self {
            Self::Count(count) => Message::new("error.latent.count").with("most", MAX_WALK).with("count", *count),
            Self::Digit(digit) => Message::new("error.latent.digit").with("digit", *digit),
            Self::Dial => Message::new("error.latent.dial"),
        }
    }
}

/// `count` digits for a walk, if a walk can be that long.
pub fn walk_length(count: u32) -> Result<usize, LatentError> {
    (1..=MAX_WALK).contains(&(count as usize)).then_some(count as usize).ok_or(LatentError::Count(count))
}

/// `digit` as a label, if it is one of the ten.
pub fn digit(digit: u32) -> Result<u8, LatentError> {
    u8::try_from(digit).ok().filter(|&d| usize::from(d) < CLASSES).ok_or(LatentError::Digit(digit))
}

/// `dials`, if every one is a finite number.
pub fn finite_dials(dials: &[f32]) -> Result<&[f32], LatentError> {
    dials.iter().all(|d| d.is_finite()).then_some(dials).ok_or(LatentError::Dial)
}

/// The random stream the endpoints are drawn from, apart from training's.
const ENDPOINTS: u64 = 8;

/// The two endpoints of walk number `pair` of a run with `seed`, each of `latent` N(0, 1) values.
pub fn endpoints(seed: u64, pair: u64, latent: usize) -> (Vec<f32>, Vec<f32>) {
    let mut rng = Rng::stream(seed ^ pair.wrapping_mul(0x9E37_79B9_7F4A_7C15), ENDPOINTS);
    (rng.normals(latent), rng.normals(latent))
}

/// `count` noise vectors from `a` to `b` (both included), flattened. Linear interpolation cuts
/// through the middle of the ball, where Gaussian noise is rarely found (its norm is about
/// √latent); spherical interpolation (slerp) follows the great circle, keeping the norm typical.
pub fn walk(a: &[f32], b: &[f32], count: usize, spherical: bool) -> Vec<f32> {
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let cos = a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>() / (norm(a) * norm(b)).max(f32::MIN_POSITIVE);
    let omega = cos.clamp(-1.0, 1.0).acos();
    (0..count)
        .flat_map(|i| {
            let t = if count > 1 { i as f32 / (count - 1) as f32 } else { 0.0 };
            let (wa, wb) = if spherical && omega.sin() > 1e-6 {
                (((1.0 - t) * omega).sin() / omega.sin(), (t * omega).sin() / omega.sin())
            } else {
                (1.0 - t, t)
            };
            a.iter().zip(b).map(move |(x, y)| wa * x + wb * y).collect::<Vec<_>>()
        })
        .collect()
}

/// `base` with its first coordinates replaced by `dials` (the page's sliders).
pub fn dialled(base: &[f32], dials: &[f32]) -> Vec<f32> {
    let mut z = base.to_vec();
    z.iter_mut().zip(dials).for_each(|(v, d)| *v = *d);
    z
}
