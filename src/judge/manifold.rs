//! Improved precision and recall (Kynkäänniemi et al. 2019). FID mixes how real G's digits look
//! with how varied they are; these two numbers separate them. A set of feature vectors is taken
//! as a union of balls, one around each point reaching its k-th nearest neighbour in the set:
//! precision is the share of generated digits inside the real digits' balls, recall the share
//! of real digits inside the generated ones'. A collapsing G keeps its precision and loses
//! recall; a blurry G the opposite. Everything runs on the device, in matrix products: only
//! the two shares are read back.

use burn::tensor::{Int, Tensor};
use serde::Serialize;

/// The neighbour each ball reaches (the paper's k).
pub const NEIGHBOURS: usize = 3;
/// Rows of a distance matrix computed at once: bounds the memory to `CHUNK × n` values.
const CHUNK: usize = 1024;
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
        let device = points.device();
        let radii = row_chunks(n)
            .map(|(start, end)| {
                let distances = squared_distances(points.clone().slice(start..end), points.clone());
                // A point is not its own neighbour.
                let own = Tensor::<1, Int>::arange(start as i64..end as i64, &device).reshape([end - start, 1]);
                kth_smallest(set_aside(distances, own), k)
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
                let distances = squared_distances(points.clone().slice(start..end), self.points.clone());
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

/// Squared Euclidean distances between the rows of `a` `[m, f]` and of `b` `[n, f]`: `[m, n]`,
/// as ‖a‖² + ‖b‖² − 2ab (one matrix product), clamped at 0 against rounding.
fn squared_distances(a: Tensor<2>, b: Tensor<2>) -> Tensor<2> {
    let (m, n) = (a.dims()[0], b.dims()[0]);
    let aa = a.clone().powi_scalar(2).sum_dim(1).expand([m, n]);
    let bb = b.clone().powi_scalar(2).sum_dim(1).reshape([1, n]).expand([m, n]);
    (aa + bb - a.matmul(b.transpose()) * 2.0).clamp_min(0.0)
}

/// The `k`-th smallest value of each row of `values` `[m, n]`: `[m]`. The smallest is set aside
/// `k − 1` times, one entry at a time, so that equal values count once each (copies of a digit
/// are each other's neighbours at distance 0).
fn kth_smallest(mut values: Tensor<2>, k: usize) -> Tensor<1> {
    let m = values.dims()[0];
    for _ in 1..k {
        let at = values.clone().argmin(1);
        values = set_aside(values, at);
    }
    values.min_dim(1).reshape([m])
}

/// `values` `[m, n]` with the entry of column `at[i]` of each row `i` (`at` `[m, 1]`) made
/// larger than any distance.
fn set_aside(values: Tensor<2>, at: Tensor<2, Int>) -> Tensor<2> {
    let [m, n] = values.dims();
    let columns = Tensor::<1, Int>::arange(0..n as i64, &values.device()).reshape([1, n]).expand([m, n]);
    values.mask_fill(columns.equal(at.expand([m, n])), f32::MAX)
}

/// `[start, end)` row ranges of at most [`CHUNK`] rows covering `n`.
fn row_chunks(n: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..n).step_by(CHUNK).map(move |start| (start, (start + CHUNK).min(n)))
}
