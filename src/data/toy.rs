//! Two-dimensional toy distributions, the clearest stage for GAN dynamics: a ring of 8
//! Gaussians, a 5×5 grid of Gaussians, two moons, or points a student draws. Points live in the
//! unit square, where the generator's sigmoid output can reach them, so the MNIST networks serve
//! unchanged with two outputs instead of 784. For the ring and the grid, [`coverage`] counts the
//! modes the generator hits, the standard measure of mode collapse on these sets.

use serde::{Deserialize, Serialize};

use crate::data::{PIXELS, stacked};
use crate::message::{Explain, Message};
use crate::rng::Rng;

/// What the GAN learns to draw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSet {
    /// The 10 000 MNIST digits, 784 pixels each.
    #[default]
    Mnist,
    /// 8 Gaussians on a circle.
    Ring,
    /// 25 Gaussians on a 5×5 grid.
    Grid,
    /// Two interleaved half circles.
    Moons,
    /// Gaussians around the points a student drew.
    Drawn,
    /// Three random digits as the channels of one image: 1 000 modes (see [`stacked`]).
    Stacked,
}

impl DataSet {
    /// Values per sample: pixels for MNIST (of every channel for stacked digits), coordinates
    /// for the toys.
    pub fn dim(self) -> usize {
        if self.is_toy() { 2 } else { self.channels() * PIXELS }
    }

    /// Whether this is one of the 2-D toys.
    pub fn is_toy(self) -> bool {
        !matches!(self, Self::Mnist | Self::Stacked)
    }

    /// Digit images per sample: 3 stacked as channels, else 1.
    pub fn channels(self) -> usize {
        if self == Self::Stacked { stacked::CHANNELS } else { 1 }
    }
}

/// Points drawn for a toy data set, as many as MNIST has digits so batch sizes mean the same.
pub const TOY_POINTS: usize = 10_000;
/// Standard deviation of each Gaussian mode (and of the spread around drawn points).
pub const SIGMA: f32 = 0.015;
/// Generated points in a toy run's picture and in its coverage.
pub const VIEW_POINTS: usize = 512;
/// Side of the grid on which a toy run's picture shows D's verdict.
pub const VIEW_RESOLUTION: usize = 48;
/// The most points a drawing may hold.
pub const MAX_DRAWN: usize = 256;

/// The centres of the ring's or the grid's Gaussians; empty for the sets without modes.
pub fn modes(data: DataSet) -> Vec<[f32; 2]> {
    match data {
        DataSet::Ring => (0..8)
            .map(|k| {
                let angle = k as f32 * std::f32::consts::TAU / 8.0;
                [0.5 + 0.3 * angle.cos(), 0.5 + 0.3 * angle.sin()]
            })
            .collect(),
        DataSet::Grid => (0..25).map(|k| [0.2 + 0.15 * (k % 5) as f32, 0.2 + 0.15 * (k / 5) as f32]).collect(),
        _ => Vec::new(),
    }
}

/// `count` points of the toy set `data` (`drawn` holds the anchors of [`DataSet::Drawn`]),
/// flattened `[x, y, x, y, ...]`, drawn from `rng`.
pub fn sample(data: DataSet, drawn: &[[f32; 2]], count: usize, rng: &mut Rng) -> Vec<f32> {
    let centres = modes(data);
    (0..count)
        .flat_map(|_| {
            let centre = match data {
                DataSet::Ring | DataSet::Grid => centres[rng.below(centres.len())],
                DataSet::Drawn => drawn[rng.below(drawn.len())],
                DataSet::Moons => {
                    // The upper moon centred at (0.4, 0.45), the lower one shifted right and down.
                    let t = std::f32::consts::PI * rng.uniform();
                    if rng.uniform() < 0.5 {
                        [0.4 + 0.25 * t.cos(), 0.45 + 0.25 * t.sin()]
                    } else {
                        [0.6 - 0.25 * t.cos(), 0.55 - 0.25 * t.sin()]
                    }
                }
                DataSet::Mnist | DataSet::Stacked => unreachable!("digits are not a toy"),
            };
            [centre[0] + SIGMA * rng.normal(), centre[1] + SIGMA * rng.normal()]
        })
        .collect()
}

/// A request for more real points than a toy set holds.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("the plane shows at most {TOY_POINTS} real points, not {0}")]
pub struct PointCountError(pub usize);

impl Explain for PointCountError {
    const KEYS: &'static [&'static str] = &["error.point_count"];

    fn message(&self) -> Message {
        Message::new("error.point_count").with("most", TOY_POINTS).with("count", self.0)
    }
}

/// `count` points of the toy set `data` to show beside G's, drawn from a stream of `seed` of
/// their own (so the same run shows the same points); empty for MNIST. At most as many as the
/// set trains on: the count comes from outside, and each point costs memory.
pub fn display_points(data: DataSet, drawn: &[[f32; 2]], seed: u64, count: usize) -> Result<Vec<f32>, PointCountError> {
    const DISPLAY: u64 = 7;
    if count > TOY_POINTS {
        return Err(PointCountError(count));
    }
    if !data.is_toy() {
        return Ok(Vec::new());
    }
    Ok(sample(data, drawn, count, &mut Rng::stream(seed, DISPLAY)))
}

/// How well generated points cover the modes of the ring or the grid.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Coverage {
    /// Modes holding at least a quarter of their fair share of the points (within 3σ).
    pub modes_hit: usize,
    /// Modes in the data set.
    pub modes: usize,
    /// Share of the points within 3σ of some mode: the high-quality samples.
    pub quality: f64,
}

/// The [`Coverage`] of `points` (flattened pairs) on `data`; `None` for sets without modes.
pub fn coverage(data: DataSet, points: &[f32]) -> Option<Coverage> {
    let centres = modes(data);
    if centres.is_empty() {
        return None;
    }
    let mut near = vec![0usize; centres.len()];
    for p in points.chunks_exact(2) {
        let closest = centres
            .iter()
            .enumerate()
            .map(|(i, c)| (i, (p[0] - c[0]).hypot(p[1] - c[1])))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((i, _)) = closest.filter(|&(_, d)| d <= 3.0 * SIGMA) {
            near[i] += 1;
        }
    }
    let count = points.len() / 2;
    let fair_quarter = count as f64 / centres.len() as f64 / 4.0;
    Some(Coverage {
        modes_hit: near.iter().filter(|&&n| n as f64 >= fair_quarter).count(),
        modes: centres.len(),
        quality: near.iter().sum::<usize>() as f64 / count.max(1) as f64,
    })
}
