//! The judge of stacked digits: the classifier reads each channel as a digit, so an image gets
//! one of the 1 000 triples of classes, and the triples G draws show how many of the data's
//! modes it reaches and how evenly: the figures the Stacked MNIST benchmark reports.

use burn::tensor::Device;
use serde::Serialize;

use super::{JUDGED, Judge, MeasureError, Metrics, check_digits, in_chunks};
use crate::data::stacked::{CHANNELS, MODES, mode};
use crate::data::toy::DataSet;
use crate::data::{CLASSES, PIXELS};

/// The triples of digit classes a set of stacked images falls in.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ModeReport {
    /// Triples drawn at least once (the benchmark's "modes captured").
    pub covered: usize,
    /// Triples there are: 1 000.
    pub modes: usize,
    /// KL(distribution of the triples ‖ uniform over the 1 000), in nats: ln 1000 ≈ 6.91 when
    /// every image is one triple, and about (1 000 − 1) / (2 n) for n images of a perfect
    /// generator, sampling's own unevenness.
    pub kl_uniform: f64,
}

/// The [`ModeReport`] of class probabilities given channel by channel (`CLASSES` values per
/// channel, [`CHANNELS`] channels per image), each channel taken as its likeliest class.
pub fn mode_report(probabilities: &[f32]) -> ModeReport {
    let mut counts = vec![0usize; MODES];
    let images = probabilities.chunks_exact(CHANNELS * CLASSES);
    let n = images.len().max(1) as f64;
    for image in images {
        let mut classes = [0; CHANNELS];
        for (class, channel) in classes.iter_mut().zip(image.chunks_exact(CLASSES)) {
            *class = (0..CLASSES).fold(0, |best, i| if channel[i] > channel[best] { i } else { best });
        }
        counts[mode(classes)] += 1;
    }
    let kl_uniform =
        counts.iter().filter(|&&c| c > 0).map(|&c| c as f64 / n * (c as f64 / n * MODES as f64).ln()).sum();
    ModeReport { covered: counts.iter().filter(|&&c| c > 0).count(), modes: MODES, kl_uniform }
}

impl Judge {
    /// The metrics of images of `data` whose [`Judge::judge`] rows were read back (a row per
    /// channel). For stacked digits the FID, the class histogram and the confidence are those of
    /// every channel taken as a digit (each channel of real stacked images is a real digit), the
    /// count is of images, and the triples' [`ModeReport`] comes with them.
    pub fn metrics_of(&self, data: DataSet, judged: &[f32]) -> Result<Metrics, MeasureError> {
        let channels = data.channels();
        check_digits(judged, channels * JUDGED)?;
        let mut metrics = self.metrics(judged)?;
        if data == DataSet::Stacked {
            let probabilities: Vec<f32> =
                judged.chunks_exact(JUDGED).flat_map(|row| &row[JUDGED - CLASSES..]).copied().collect();
            metrics.count /= channels;
            metrics.modes = Some(mode_report(&probabilities));
        }
        Ok(metrics)
    }

    /// [`Judge::measure`] for images of `data` (`data.dim()` values each).
    pub fn measure_of(&self, data: DataSet, images: &[f32], device: &Device) -> Result<Metrics, MeasureError> {
        self.metrics_of(data, &self.judged_rows(data, images, device)?)
    }

    /// The [`Judge::judge`] rows of images of `data`, judged and read back chunk by chunk
    /// (native hosts, or the CPU backend), after the checks of [`Judge::measure`].
    pub fn judged_rows(&self, data: DataSet, images: &[f32], device: &Device) -> Result<Vec<f32>, MeasureError> {
        check_digits(images, data.channels() * PIXELS)?;
        Ok(in_chunks(images, device, |chunk| self.judge(chunk)))
    }
}
