//! Improved precision and recall (Kynkäänniemi et al. 2019). FID mixes how real G's digits look
//! with how varied they are; these two numbers separate them. A set of feature vectors is taken
//! as a union of balls, one around each point reaching its k-th nearest neighbour in the set:
//! precision is the share of generated digits inside the real digits' balls, recall the share
//! of real digits inside the generated ones'. A collapsing G keeps its precision and loses
//! recall; a blurry G the opposite. Everything runs on the device, in matrix products: only
//! the two shares are read back.

use burn::tensor::Tensor;
use serde::Serialize;

use super::distance::{own_columns, row_chunks, set_aside, smallest, squared};

/// The neighbour each ball reaches (the paper's k).
pub const NEIGHBOURS: usize = 3;
/// Precision and recall at or above this are high, below [`LOW`] low (see [`Fidelity::reading`]).
const HIGH: f64 = 0.5;
const LOW: f64 = 0.25;

/// A set of feature vectors as a union of balls (see the module's doc), on the device.
#[derive(Clone, Debug)]
pub struct Manifold {
    points: Tensor<2>,
    /// The squared radius of each point's ball.
    radii: Tensor<1>,
}

impl Manifold {
    /// The balls around `points` `[n, features]`, each reaching the [`NEIGHBOURS`]th nearest
    /// other point (the farthest other one when there are fewer).
    pub fn new(points: Tensor<2>) -> Self {
        let n = points.dims()[0];
        let k = NEIGHBOURS.min(n.saturating_sub(1)).max(1);
        let radii = row_chunks(n)
            .map(|(start, end)| {
                let distances = squared(points.clone().slice(start..end), points.clone());
                // A point is not its own neighbour.
                let own = own_columns(start, end, &distances);
                let (nearest, _) = smallest(set_aside(distances, own), k);
                nearest.slice([0..end - start, k - 1..k]).reshape([end - start])
            })
            .collect();
        Self { points, radii: Tensor::cat(radii, 0) }
    }

    /// How many points the balls are around.
    pub fn len(&self) -> usize {
        self.points.dims()[0]
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The share of `points` inside at least one ball, as a tensor of one value.
    pub fn share_within(&self, points: Tensor<2>) -> Tensor<1> {
        let (m, n) = (points.dims()[0], self.len());
        let radii = self.radii.clone().reshape([1, n]);
        let inside = row_chunks(m)
            .map(|(start, end)| {
                let distances = squared(points.clone().slice(start..end), self.points.clone());
                distances.lower_equal(radii.clone().expand([end - start, n])).any_dim(1).float().sum()
            })
            .collect();
        Tensor::cat(inside, 0).sum() / m as f32
    }
}

/// Precision and recall of generated digits against real ones.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Fidelity {
    /// The share of generated digits that lie among real ones: how real they look.
    pub precision: f64,
    /// The share of real digits that generated ones reach: how much of their variety G draws.
    pub recall: f64,
    /// What the two say together.
    pub reading: Reading,
}

/// What a pair of values says, in a word the page explains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// Both high: real-looking and varied.
    Good,
    /// Real-looking but not varied: the signature of mode collapse.
    Narrow,
    /// Varied but not real-looking: blurry or noisy digits.
    Blurry,
    /// Both low: the digits are not digits yet.
    Poor,
    /// In between: nothing to name yet.
    Mixed,
}

impl Fidelity {
    /// The values read back from [`precision_recall`].
    pub fn from_values(values: [f32; 2]) -> Self {
        let (precision, recall) = (f64::from(values[0]), f64::from(values[1]));
        Self { precision, recall, reading: reading(precision, recall) }
    }
}

/// What precision `p` and recall `r` say together (the thresholds are `HIGH` and `LOW`).
fn reading(p: f64, r: f64) -> Reading {
    {
        match () {
            _ if p >= HIGH && r >= HIGH => Reading::Good,
            _ if p >= HIGH && r < LOW => Reading::Narrow,
            _ if p < LOW && r >= HIGH => Reading::Blurry,
            _ if p < LOW && r < LOW => Reading::Poor,
            _ => Reading::Mixed,
        }
    }
}

/// Precision and recall of `generated` against `real`, as a tensor of two values.
pub fn precision_recall(real: &Manifold, generated: &Manifold) -> Tensor<1> {
    Tensor::cat(vec![real.share_within(generated.points.clone()), generated.share_within(real.points.clone())], 0)
}
