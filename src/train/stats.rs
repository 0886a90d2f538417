//! Per-step training statistics. They stay on the device until someone needs to see them:
//! reading a value back is a GPU→CPU round trip, so the steps of one display frame are stacked
//! into one small tensor and read once.

use burn::tensor::{Tensor, TensorData};
use serde::Serialize;

use crate::config::schedule::LearningRates;
use crate::tensor::floats;

/// Values recorded per step on the device, in the order of the columns of a stacked stats tensor.
pub const COLUMNS: [&str; 8] =
    ["loss_d", "loss_g", "d_real", "d_fake", "wasserstein", "grad_norm_d", "grad_norm_g", "input_grad_norm"];

/// Writes a step's [`COLUMNS`] into one vector with element-wise operations, Σ valueᵢ · eᵢ, which
/// fusion joins into one kernel, where a concatenation launches a kernel per value. A value that
/// nothing measured is NaN in the row; a value that overflowed spreads NaN over the row, which is
/// refused as a whole anyway.
pub struct RowWriter {
    /// eᵢ: 1 in column i, 0 elsewhere, on the device.
    basis: Vec<Tensor<1>>,
    /// NaN in column i, 0 elsewhere, for a value that nothing measured.
    unmeasured: Vec<Tensor<1>>,
}

impl RowWriter {
    /// The constant vectors, uploaded once to `device`.
    pub fn new(device: &burn::tensor::Device) -> Self {
        let column = |i: usize, value: f32| {
            let row: Vec<f32> = (0..COLUMNS.len()).map(|j| if j == i { value } else { 0.0 }).collect();
            Tensor::from_data(TensorData::new(row, [COLUMNS.len()]), device)
        };
        Self {
            basis: (0..COLUMNS.len()).map(|i| column(i, 1.0)).collect(),
            unmeasured: (0..COLUMNS.len()).map(|i| column(i, f32::NAN)).collect(),
        }
    }

    /// The row of `values`, one `[1]` tensor (or `None`, unmeasured) per column in order.
    pub fn write(&self, values: [Option<Tensor<1>>; COLUMNS.len()]) -> Tensor<1> {
        let terms = values.into_iter().enumerate().map(|(i, value)| match value {
            Some(value) => self.basis[i].clone() * value,
            None => self.unmeasured[i].clone(),
        });
        terms.reduce(|row, term| row + term).expect("there are columns")
    }
}

/// Every value of a step as the page receives it: the step number, the device [`COLUMNS`], then
/// the learning rates, which the host knows without asking the device.
pub const ROW: [&str; 11] = [
    "step",
    "loss_d",
    "loss_g",
    "d_real",
    "d_fake",
    "wasserstein",
    "grad_norm_d",
    "grad_norm_g",
    "input_grad_norm",
    "lr_d",
    "lr_g",
];

/// One step's statistics: a `[8]` tensor in [`COLUMNS`] order, still on the device, and the
/// learning rates the step used.
#[derive(Clone, Debug)]
pub struct StepStats {
    /// The device-side values.
    pub values: Tensor<1>,
    /// D's and G's learning rates after the schedule.
    pub learning_rates: LearningRates,
}

/// Statistics of several consecutive steps, stacked into one `[steps, 8]` tensor for one read.
#[derive(Clone, Debug)]
pub struct PendingStats {
    /// The step number of the first row.
    pub first_step: u64,
    /// `[steps, 8]`, on the device.
    pub values: Tensor<2>,
    /// The learning rates of each row's step.
    pub learning_rates: Vec<LearningRates>,
}

/// One step's statistics on the host.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StepValues {
    /// 1-based step number.
    pub step: u64,
    /// Discriminator loss, penalties included.
    pub loss_d: f32,
    /// Generator loss.
    pub loss_g: f32,
    /// Mean D(x) = σ(logit) on real digits: how real D finds real data.
    pub d_real: f32,
    /// Mean D(G(z)) on generated digits.
    pub d_fake: f32,
    /// Mean logit on real minus mean logit on fake digits: for a Wasserstein critic, the
    /// estimate of the distance between the real and generated distributions.
    pub wasserstein: f32,
    /// ‖∇θ L_D‖₂ of the step's last discriminator update.
    pub grad_norm_d: f32,
    /// ‖∇θ L_G‖₂ of the generator update.
    pub grad_norm_g: f32,
    /// Mean ‖∇ₓD‖₂ where a penalty measures it (at x̂ for WGAN-GP, at real digits for R1);
    /// NaN when no penalty is on.
    pub input_grad_norm: f32,
    /// D's learning rate.
    pub lr_d: f32,
    /// G's learning rate.
    pub lr_g: f32,
}

impl StepValues {
    /// Whether every measured value is finite (a diverged run yields NaN or ±inf).
    pub fn is_finite(&self) -> bool {
        let measured = [self.loss_d, self.loss_g, self.d_real, self.d_fake, self.grad_norm_d, self.grad_norm_g];
        measured.iter().all(|v| v.is_finite()) && !self.input_grad_norm.is_infinite()
    }

    /// The values of a row in [`ROW`] order, as [`StepValues::row`] writes it (the step, kept
    /// as a float there, comes back as the whole number it was).
    pub fn from_row(row: [f32; ROW.len()]) -> Self {
        let [step, loss_d, loss_g, d_real, d_fake, wasserstein, grad_norm_d, grad_norm_g, input_grad_norm, lr_d, lr_g] =
            row;
        Self {
            step: step as u64,
            loss_d,
            loss_g,
            d_real,
            d_fake,
            wasserstein,
            grad_norm_d,
            grad_norm_g,
            input_grad_norm,
            lr_d,
            lr_g,
        }
    }

    /// The values in [`ROW`] order.
    pub fn row(&self) -> [f32; ROW.len()] {
        [
            self.step as f32,
            self.loss_d,
            self.loss_g,
            self.d_real,
            self.d_fake,
            self.wasserstein,
            self.grad_norm_d,
            self.grad_norm_g,
            self.input_grad_norm,
            self.lr_d,
            self.lr_g,
        ]
    }
}

impl PendingStats {
    /// Stacks consecutive steps' statistics; `None` when there are none.
    pub fn stack(first_step: u64, steps: Vec<StepStats>) -> Option<Self> {
        if steps.is_empty() {
            return None;
        }
        let learning_rates = steps.iter().map(|s| s.learning_rates).collect();
        let rows = steps.into_iter().map(|s| s.values).collect();
        Some(Self { first_step, values: Tensor::stack(rows, 0), learning_rates })
    }

    /// Turns the data read back from [`PendingStats::values`] into one record per step.
    pub fn decode(&self, data: &TensorData) -> Vec<StepValues> {
        let flat = floats(data.clone());
        flat.chunks_exact(COLUMNS.len())
            .zip(&self.learning_rates)
            .enumerate()
            .map(|(i, (row, rates))| StepValues {
                step: self.first_step + i as u64,
                loss_d: row[0],
                loss_g: row[1],
                d_real: row[2],
                d_fake: row[3],
                wasserstein: row[4],
                grad_norm_d: row[5],
                grad_norm_g: row[6],
                input_grad_norm: row[7],
                lr_d: rates.d as f32,
                lr_g: rates.g as f32,
            })
            .collect()
    }

    /// Reads the values back (a blocking GPU round trip: native code only) and decodes them.
    pub fn read(self) -> Vec<StepValues> {
        let data = self.values.clone().into_data();
        self.decode(&data)
    }
}
