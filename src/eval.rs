//! What the generator's digits look like to the classifier: which classes it draws, how evenly,
//! and how sure the classifier is. A loss curve cannot show mode collapse; this can.

use burn::tensor::Tensor;
use burn::tensor::activation::softmax;
use serde::Serialize;

use crate::classifier::{CLASSES, Classifier};
use crate::stats::floats;

/// A class counts as covered when at least this share of the samples falls in it.
pub const COVERED_SHARE: f64 = 0.02;
/// Fewer covered classes than this raises the mode-collapse alarm.
pub const ALARM_COVERAGE: usize = 8;
/// A KL divergence from uniform above this raises the alarm too (ln 10 ≈ 2.3 is one class only).
pub const ALARM_KL: f64 = 0.5;

/// Class statistics of a set of digits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassReport {
    /// Share of the digits classified as each class, summing to 1.
    pub histogram: [f64; CLASSES],
    /// Classes holding at least [`COVERED_SHARE`] of the digits.
    pub covered: usize,
    /// KL(class distribution ‖ uniform) = ln 10 − entropy, in nats: 0 when every class is equally
    /// frequent, ln 10 when all digits are one class.
    pub kl_uniform: f64,
    /// Mean of the classifier's highest class probability: how digit-like the digits are.
    pub confidence: f64,
    /// Whether the digits look mode-collapsed (too few classes, or too uneven).
    pub collapsed: bool,
}

/// Classifies `pixels` (`[n, 784]` in [0, 1]) and summarises the classes. Reads the result
/// back synchronously: native code, or the CPU backend.
pub fn class_report(model: &Classifier, pixels: Tensor<2>) -> ClassReport {
    let probabilities = floats(softmax(model.forward(pixels), 1).into_data());
    report_from_probabilities(&probabilities)
}

/// The [`ClassReport`] of class probabilities given row by row (`CLASSES` values per digit).
pub fn report_from_probabilities(probabilities: &[f32]) -> ClassReport {
    let mut counts = [0usize; CLASSES];
    let mut confidence = 0.0;
    let rows = probabilities.chunks_exact(CLASSES);
    let n = rows.len().max(1) as f64;
    for row in rows {
        let (best, p) = row.iter().enumerate().fold((0, f32::MIN), |a, (i, &p)| if p > a.1 { (i, p) } else { a });
        counts[best] += 1;
        confidence += f64::from(p);
    }
    let histogram = counts.map(|c| c as f64 / n);
    let covered = histogram.iter().filter(|&&h| h >= COVERED_SHARE).count();
    let entropy: f64 = histogram.iter().filter(|&&h| h > 0.0).map(|&h| -h * h.ln()).sum();
    let kl_uniform = (CLASSES as f64).ln() - entropy;
    ClassReport {
        histogram,
        covered,
        kl_uniform,
        confidence: confidence / n,
        collapsed: covered < ALARM_COVERAGE || kl_uniform > ALARM_KL,
    }
}
