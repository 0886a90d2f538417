//! Per-step training statistics. They stay on the device until someone needs to see them:
//! reading a value back is a GPU→CPU round trip, so the steps of one display frame are stacked
//! into one small tensor and read once.

use burn::tensor::{Tensor, TensorData};
use serde::Serialize;

/// Values recorded per step, in the order of the columns of a stacked stats tensor.
pub const COLUMNS: [&str; 4] = ["loss_d", "loss_g", "d_real", "d_fake"];

/// One step's statistics, still on the device: a `[4]` tensor in [`COLUMNS`] order.
#[derive(Clone, Debug)]
pub struct StepStats(pub Tensor<1>);

/// Statistics of several consecutive steps, stacked into one `[steps, 4]` tensor for one read.
#[derive(Clone, Debug)]
pub struct PendingStats {
    /// The step number of the first row.
    pub first_step: u64,
    /// `[steps, 4]`, on the device.
    pub values: Tensor<2>,
}

/// One step's statistics on the host.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StepValues {
    /// 1-based step number.
    pub step: u64,
    /// Discriminator loss.
    pub loss_d: f32,
    /// Generator loss.
    pub loss_g: f32,
    /// Mean D(x) = σ(logit) on real digits: how real D finds real data.
    pub d_real: f32,
    /// Mean D(G(z)) on generated digits.
    pub d_fake: f32,
}

impl StepValues {
    /// Whether every value is finite (a diverged run yields NaN or ±inf).
    pub fn is_finite(&self) -> bool {
        [self.loss_d, self.loss_g, self.d_real, self.d_fake].iter().all(|v| v.is_finite())
    }
}

impl PendingStats {
    /// Stacks consecutive steps' statistics; `None` when there are none.
    pub fn stack(first_step: u64, steps: Vec<StepStats>) -> Option<Self> {
        if steps.is_empty() {
            return None;
        }
        let rows = steps.into_iter().map(|s| s.0).collect();
        Some(Self { first_step, values: Tensor::stack(rows, 0) })
    }

    /// Turns the data read back from [`PendingStats::values`] into one record per step.
    pub fn decode(first_step: u64, data: &TensorData) -> Vec<StepValues> {
        let flat = floats(data.clone());
        flat.chunks_exact(COLUMNS.len())
            .enumerate()
            .map(|(i, row)| StepValues {
                step: first_step + i as u64,
                loss_d: row[0],
                loss_g: row[1],
                d_real: row[2],
                d_fake: row[3],
            })
            .collect()
    }
}

/// Tensor data as `f32` values, whatever float type the backend computed in.
pub fn floats(data: TensorData) -> Vec<f32> {
    data.convert::<f32>().try_to_vec::<f32>().expect("data converted to f32 reads as f32")
}
