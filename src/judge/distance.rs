//! Distances between rows of feature or pixel vectors, on the device, in matrix products: what
//! precision and recall ([`super::manifold`]) and the search for G's nearest training digits
//! ([`super::copying`]) are made of.

use burn::tensor::{Int, Tensor};

/// Rows of a distance matrix computed at once: bounds the memory to `CHUNK × n` values.
const CHUNK: usize = 1024;

/// Squared Euclidean distances between the rows of `a` `[m, f]` and of `b` `[n, f]`: `[m, n]`,
/// as ‖a‖² + ‖b‖² − 2ab (one matrix product), clamped at 0 against rounding.
pub fn squared(a: Tensor<2>, b: Tensor<2>) -> Tensor<2> {
    let (m, n) = (a.dims()[0], b.dims()[0]);
    let aa = a.clone().powi_scalar(2).sum_dim(1).expand([m, n]);
    let bb = b.clone().powi_scalar(2).sum_dim(1).reshape([1, n]).expand([m, n]);
    (aa + bb - a.matmul(b.transpose()) * 2.0).clamp_min(0.0)
}

/// The `k` smallest values of each row of `values` `[m, n]` in increasing order, `[m, k]`, with
/// their columns. The smallest is set aside one entry at a time, so that equal values count once
/// each (copies of a digit are each other's neighbours at distance 0).
pub fn smallest(mut values: Tensor<2>, k: usize) -> (Tensor<2>, Tensor<2, Int>) {
    let (mut found, mut columns) = (Vec::with_capacity(k), Vec::with_capacity(k));
    for _ in 0..k {
        let at = values.clone().argmin(1);
        found.push(values.clone().gather(1, at.clone()));
        columns.push(at.clone());
        values = set_aside(values, at);
    }
    (Tensor::cat(found, 1), Tensor::cat(columns, 1))
}

/// The squared distance from each row of `a` `[m, f]` to its nearest row of `b` `[n, f]`:
/// `[m]`, computed [`CHUNK`] rows at a time.
pub fn nearest_squared(a: Tensor<2>, b: Tensor<2>) -> Tensor<1> {
    let m = a.dims()[0];
    let nearest =
        row_chunks(m).map(|(start, end)| squared(a.clone().slice(start..end), b.clone()).min_dim(1)).collect();
    Tensor::cat(nearest, 0).reshape([m])
}

/// `values` `[m, n]` with the entry of column `at[i]` of each row `i` (`at` `[m, 1]`) made
/// larger than any distance.
pub fn set_aside(values: Tensor<2>, at: Tensor<2, Int>) -> Tensor<2> {
    let [m, n] = values.dims();
    let columns = Tensor::<1, Int>::arange(0..n as i64, &values.device()).reshape([1, n]).expand([m, n]);
    values.mask_fill(columns.equal(at.expand([m, n])), f32::MAX)
}

/// The columns `start..end` as a column `[end − start, 1]`: for rows `start..end` of a set
/// measured against itself, each row's own column, which [`set_aside`] keeps from counting as
/// its own neighbour.
pub fn own_columns(start: usize, end: usize, values: &Tensor<2>) -> Tensor<2, Int> {
    Tensor::<1, Int>::arange(start as i64..end as i64, &values.device()).reshape([end - start, 1])
}

/// `[start, end)` row ranges of at most [`CHUNK`] rows covering `n`.
pub fn row_chunks(n: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..n).step_by(CHUNK).map(move |start| (start, (start + CHUNK).min(n)))
}
