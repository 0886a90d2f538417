//! What the generator's digits look like to the digit classifier: which classes it draws, how
//! evenly, how sure the classifier is, and how far the digits' features lie from the real
//! digits' (MNIST-FID). A loss curve cannot show mode collapse; these can. The same code
//! judges digits natively and in the browser.

use burn::module::Module;
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor, TensorData};
use serde::Serialize;

use crate::data::{CLASSES, PIXELS};
use crate::message::{Explain, Message};
use classifier::{Classifier, FEATURES};
use fid::{FeatureStats, FidError, frechet_distance};
use manifold::Manifold;

pub mod alarm;
pub mod classifier;
pub mod copying;
mod distance;
pub mod fid;
pub mod manifold;
pub mod saliency;
pub mod stacked;
use crate::tensor::floats;
use crate::train::params::{self, ParamsError};

/// A class counts as covered when at least this share of the samples falls in it.
pub const COVERED_SHARE: f64 = 0.02;
/// Fewer covered classes than this raises the mode-collapse alarm.
pub const ALARM_COVERAGE: usize = 8;
/// A KL divergence from uniform above this raises the alarm too (ln 10 ≈ 2.3 is one class only).
pub const ALARM_KL: f64 = 0.5;
/// Generated digits the page judges each time: enough for a stable histogram and FID, few
/// enough to cost a fraction of a second on a software GPU. FID is biased upwards for small
/// samples, so only values measured with the same count compare.
pub const LIVE_SAMPLES: usize = 512;
/// Digits per pass through the classifier when judging many natively (bounds the memory).
const CHUNK: usize = 500;
/// Values per judged digit: its features, then its class probabilities.
const JUDGED: usize = FEATURES + CLASSES;

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
    /// Whether the digits are narrow (too few classes, or too uneven): mode collapse if it lasts
    /// (see [`alarm`]).
    pub collapsed: bool,
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

/// Everything measured of a set of digits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metrics {
    /// How many digits were judged.
    pub count: usize,
    /// Fréchet distance of their classifier features from the real digits' (MNIST-FID).
    pub fid: f64,
    /// Their class statistics.
    #[serde(flatten)]
    pub classes: ClassReport,
    /// Their precision and recall against real digits (see [`manifold`]), where real ones were
    /// at hand.
    #[serde(flatten)]
    pub fidelity: Option<manifold::Fidelity>,
    /// How close they lie to training digits (see [`copying`]), once the training digits'
    /// features are at hand; absent for stacked digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closeness: Option<copying::Closeness>,
    /// The triples of classes stacked digits fall in; absent for single digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modes: Option<stacked::ModeReport>,
}

/// Why the judge could not be set up from its files.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum JudgeError {
    /// The classifier's weights are unusable.
    #[error("digit classifier: {0}")]
    Classifier(#[from] ParamsError),
    /// The real digits' feature statistics are unusable.
    #[error("{0}")]
    Reference(#[from] FidError),
}

/// Why a set of digits could not be measured. A measure of values that are not finite would be
/// a number without meaning (NaN features make FID 0), so such values are refused, not judged.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MeasureError {
    /// The values do not split into whole digits.
    #[error("{values} values are not a whole number of digits of {width} values each")]
    Ragged { values: usize, width: usize },
    /// Too few digits for a covariance, which FID needs.
    #[error("{0} digits are too few to measure (at least 2)")]
    TooFew(usize),
    /// A digit holds NaN or an infinity: a diverged or damaged generator (or classifier).
    #[error("digit {0} holds values that are not finite (NaN or infinite), so it cannot be measured")]
    NonFinite(usize),
}

impl Explain for JudgeError {
    const KEYS: &'static [&'static str] = &["error.judge.classifier"];

    fn message(&self) -> Message {
        match self {
            Self::Classifier(e) => Message::new("error.judge.classifier").with("cause", e.message()),
            Self::Reference(e) => e.message(),
        }
    }
}

impl Explain for MeasureError {
    const KEYS: &'static [&'static str] =
        &["error.measure.ragged", "error.measure.too_few", "error.measure.non_finite"];

    fn message(&self) -> Message {
        match self {
            Self::Ragged { values, width } => {
                Message::new("error.measure.ragged").with("values", *values).with("width", *width)
            }
            Self::TooFew(count) => Message::new("error.measure.too_few").with("count", *count),
            Self::NonFinite(digit) => Message::new("error.measure.non_finite").with("digit", *digit),
        }
    }
}

/// The digit classifier together with the real digits' feature statistics: everything needed
/// to measure generated digits.
pub struct Judge {
    classifier: Classifier,
    reference: FeatureStats,
}

impl Judge {
    /// A judge on `device` from the shipped files: the classifier's weights (made by
    /// `webgan train-classifier`) and the real digits' statistics ([`reference_stats`]).
    pub fn new(classifier: &[u8], reference: &[u8], device: &Device) -> Result<Self, JudgeError> {
        // Judging never trains the classifier: no autodiff graph is recorded for its weights.
        let classifier = params::from_bytes(Classifier::new(device), classifier)?.no_grad();
        Ok(Self { classifier, reference: FeatureStats::from_bytes(reference, FEATURES)? })
    }

    /// The classifier's view of digits `[n, 784]` in [0, 1]: `[n, FEATURES + CLASSES]`, each
    /// row the digit's features then its class probabilities, still on the device so that the
    /// caller chooses how to read it (the browser cannot block). Images of several channels
    /// (`[n, c × 784]`) are judged channel by channel, a row each.
    pub fn judge(&self, pixels: Tensor<2>) -> Tensor<2> {
        let [n, width] = pixels.dims();
        let pixels = pixels.reshape([n * width / PIXELS, PIXELS]);
        let features = self.classifier.features(pixels);
        let probabilities = softmax(self.classifier.output.forward(features.clone()), 1);
        Tensor::cat(vec![features, probabilities], 1)
    }

    /// The metrics of digits whose [`Judge::judge`] rows were read back, refusing rows that
    /// are ragged, fewer than two or not finite (see [`MeasureError`]).
    pub fn metrics(&self, judged: &[f32]) -> Result<Metrics, MeasureError> {
        check_digits(judged, JUDGED)?;
        let (mut features, mut probabilities) = (Vec::new(), Vec::new());
        for row in judged.chunks_exact(JUDGED) {
            features.extend_from_slice(&row[..FEATURES]);
            probabilities.extend_from_slice(&row[FEATURES..]);
        }
        let stats = FeatureStats::from_rows(&features, FEATURES);
        Ok(Metrics {
            count: stats.count,
            fid: frechet_distance(&stats, &self.reference),
            classes: report_from_probabilities(&probabilities),
            fidelity: None,
            closeness: None,
            modes: None,
        })
    }

    /// Judges any number of digits (`pixels` row-major, 784 values in [0, 1] each), chunk by
    /// chunk, reading each chunk back synchronously: native code, or the CPU backend. The
    /// pixels are checked as [`Judge::metrics`] checks its rows, before the classifier runs.
    pub fn measure(&self, pixels: &[f32], device: &Device) -> Result<Metrics, MeasureError> {
        check_digits(pixels, PIXELS)?;
        self.metrics(&in_chunks(pixels, device, |chunk| self.judge(chunk)))
    }

    /// The balls of real digits (`pixels` as in [`Judge::measure`]) in the classifier's feature
    /// space, which generated digits are measured against for precision and recall. Nothing is
    /// read back: the features stay on the device.
    pub fn real_manifold(&self, pixels: &[f32], device: &Device) -> Manifold {
        Manifold::new(self.features(pixels, device))
    }

    /// The classifier's features of digits (`pixels` as in [`Judge::measure`]), `[n, FEATURES]`,
    /// computed 500 digits at a time (`CHUNK`) and left on the device.
    pub fn features(&self, pixels: &[f32], device: &Device) -> Tensor<2> {
        let features = pixels
            .chunks(CHUNK * PIXELS)
            .map(|chunk| {
                let rows = chunk.len() / PIXELS;
                self.classifier.features(Tensor::from_data(TensorData::new(chunk.to_vec(), [rows, PIXELS]), device))
            })
            .collect();
        Tensor::cat(features, 0)
    }

    /// The classifier's features of digits already on the device, `[n, 784]` → `[n, FEATURES]`.
    pub fn features_on_device(&self, pixels: Tensor<2>) -> Tensor<2> {
        self.classifier.features(pixels)
    }
}

/// The balls of generated digits from their [`Judge::judge`] rows, on the device.
pub fn generated_manifold(judged: Tensor<2>) -> Manifold {
    Manifold::new(judged_features(judged))
}

/// The features of [`Judge::judge`] rows, on the device.
pub fn judged_features(judged: Tensor<2>) -> Tensor<2> {
    let rows = judged.dims()[0];
    judged.slice([0..rows, 0..FEATURES])
}

/// The features of judged rows read back (`FEATURES` values per row, row after row).
pub fn features_of(judged: &[f32]) -> Vec<f32> {
    judged.chunks_exact(JUDGED).flat_map(|row| &row[..FEATURES]).copied().collect()
}

/// Checks that `values` are at least two whole digits of `width` values, all finite.
fn check_digits(values: &[f32], width: usize) -> Result<(), MeasureError> {
    if !values.len().is_multiple_of(width) {
        return Err(MeasureError::Ragged { values: values.len(), width });
    }
    let count = values.len() / width;
    if count < 2 {
        return Err(MeasureError::TooFew(count));
    }
    match values.chunks_exact(width).position(|digit| !digit.iter().all(|v| v.is_finite())) {
        Some(digit) => Err(MeasureError::NonFinite(digit)),
        None => Ok(()),
    }
}

/// The feature statistics of real digits (`pixels` as in [`Judge::measure`]), which FID
/// measures generated digits against; `webgan train-classifier` ships them beside its weights.
pub fn reference_stats(classifier: &Classifier, pixels: &[f32], device: &Device) -> FeatureStats {
    FeatureStats::from_rows(&in_chunks(pixels, device, |chunk| classifier.features(chunk)), FEATURES)
}

/// `per_chunk` applied to the digits [`CHUNK`] at a time, its results read back and joined.
fn in_chunks(pixels: &[f32], device: &Device, per_chunk: impl Fn(Tensor<2>) -> Tensor<2>) -> Vec<f32> {
    pixels
        .chunks(CHUNK * PIXELS)
        .flat_map(|chunk| {
            let rows = chunk.len() / PIXELS;
            floats(per_chunk(Tensor::from_data(TensorData::new(chunk.to_vec(), [rows, PIXELS]), device)).into_data())
        })
        .collect()
}
