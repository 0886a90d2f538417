//! A toy run's plane as the host receives it: generated points, D's verdict over the unit
//! square and the push G's loss gives each point, split out of one read-back buffer.

/// A toy run's picture on the host, as [`crate::Trainer::plane_view`] gathered it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaneView {
    /// Generated points, flattened pairs.
    pub points: Vec<f32>,
    /// D's logits on the grid, row by row from the bottom.
    pub logits: Vec<f32>,
    /// Side of the grid.
    pub resolution: usize,
    /// The step G's loss asks of each generated point, flattened pairs.
    pub push: Vec<f32>,
}

impl PlaneView {
    /// Splits the values read back from [`crate::Trainer::plane_view`]`(count, resolution)`.
    pub fn new(values: &[f32], count: usize, resolution: usize) -> Self {
        let (points, rest) = values.split_at(2 * count);
        let (logits, push) = rest.split_at(resolution * resolution);
        Self { points: points.to_vec(), logits: logits.to_vec(), resolution, push: push.to_vec() }
    }
}
