//! A run's curves kept on the host, so that a checkpoint carries them and a resumed run shows
//! where it came from. Long runs are thinned rather than cut: past [`MAX_ROWS`] every other row
//! is dropped and from then on only every second step is kept (then every fourth, ...), the way
//! the page's chart thins its points.

use crate::message::{Explain, Message};
use crate::train::stats::{ROW, StepValues};

/// At most this many step rows are kept.
pub const MAX_ROWS: usize = 2000;

/// Values per kept row: [`ROW`].
const WIDTH: usize = ROW.len();

/// The values of each measurement, in order. Precision and recall are NaN where they were not
/// measured (runs saved before they were).
pub const MEASURED: [&str; 4] = ["step", "fid", "precision", "recall"];

/// The curves of one run: per-step statistics (thinned) and the measurements of its digits.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Kept rows in [`ROW`] order.
    rows: Vec<[f32; WIDTH]>,
    /// Every `stride`-th step is kept.
    stride: u32,
    /// Steps seen since the last kept one.
    skipped: u32,
    /// Each measurement, in [`MEASURED`] order.
    measured: Vec<[f32; 4]>,
}

/// Why a saved history could not be read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum HistoryError {
    /// The section is not made of 4-byte values.
    #[error("curves are not a whole number of 4-byte values")]
    Words,
    /// The section ends before its header does.
    #[error("curves have no header")]
    Header,
    /// The rows have another number of columns than [`ROW`].
    #[error("curves have rows of another width")]
    Width,
    /// The header's counts disagree with the values that follow.
    #[error("curves' counts do not match the values present")]
    Counts,
    /// A thinning state [`History::record`] never reaches.
    #[error("curves' thinning state is impossible")]
    Thinning,
    /// A value NaN or infinite where every recorded one is finite.
    #[error("curves hold NaN or infinite values where a run records none")]
    NonFinite,
}

impl Explain for HistoryError {
    const KEYS: &'static [&'static str] = &[
        "error.history.words",
        "error.history.header",
        "error.history.width",
        "error.history.counts",
        "error.history.thinning",
        "error.history.non_finite",
    ];

    fn message(&self) -> Message {
        Message::new(match self {
            Self::Words => "error.history.words",
            Self::Header => "error.history.header",
            Self::Width => "error.history.width",
            Self::Counts => "error.history.counts",
            Self::Thinning => "error.history.thinning",
            Self::NonFinite => "error.history.non_finite",
        })
    }
}

impl History {
    /// Records the statistics of consecutive steps.
    pub fn record(&mut self, steps: &[StepValues]) {
        for step in steps {
            self.skipped += 1;
            if self.skipped < self.stride.max(1) {
                continue;
            }
            self.skipped = 0;
            self.rows.push(step.row());
            if self.rows.len() > MAX_ROWS {
                self.rows = self.rows.iter().step_by(2).copied().collect();
                self.stride = self.stride.max(1) * 2;
            }
        }
    }

    /// Records one measurement at `step`: its FID, precision and recall (NaN if not measured).
    pub fn record_measurement(&mut self, step: u64, fid: f64, precision: f64, recall: f64) {
        self.measured.push([step as f32, fid as f32, precision as f32, recall as f32]);
    }

    /// Forgets whatever was recorded after `step` (the run went back to it).
    pub fn forget_after(&mut self, step: u64) {
        let step = step as f32;
        self.rows.retain(|row| row[0] <= step);
        self.measured.retain(|&[at, ..]| at <= step);
    }

    /// The kept rows, flattened in [`ROW`] order.
    pub fn rows(&self) -> Vec<f32> {
        self.rows.iter().flatten().copied().collect()
    }

    /// The measurements, in [`MEASURED`] order.
    pub fn measured(&self) -> &[[f32; 4]] {
        &self.measured
    }

    /// The section of a checkpoint: counts of rows and measurements, the row width, the
    /// thinning state, the rows, each measurement's `(step, FID)`; then, once more, the count of
    /// measurements and each one's `(precision, recall)`, a tail older files lack; all
    /// little-endian u32 or f32.
    pub fn to_bytes(&self) -> Vec<u8> {
        let count = self.measured.len() as u32;
        let header = [self.rows.len() as u32, WIDTH as u32, self.stride, self.skipped, count];
        let values = self.rows.iter().flatten().chain(self.measured.iter().flat_map(|m| &m[..2]));
        let fidelity = self.measured.iter().flat_map(|m| &m[2..]);
        let words = header.iter().flat_map(|w| w.to_le_bytes()).chain(values.flat_map(|v| v.to_le_bytes()));
        words.chain(count.to_le_bytes()).chain(fidelity.flat_map(|v| v.to_le_bytes())).collect()
    }

    /// Reads [`History::to_bytes`]' layout; lengths are checked against the bytes present.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, HistoryError> {
        let words: Vec<[u8; 4]> =
            bytes.chunks(4).map(|c| c.try_into()).collect::<Result<_, _>>().map_err(|_| HistoryError::Words)?;
        let [rows, width, stride, skipped, fid] = *words.first_chunk::<5>().ok_or(HistoryError::Header)?;
        let [rows, width, stride, skipped, fid] = [rows, width, stride, skipped, fid].map(u32::from_le_bytes);
        if width as usize != WIDTH {
            return Err(HistoryError::Width);
        }
        let (rows, fid) = (rows as usize, fid as usize);
        let needed = rows.checked_mul(WIDTH).and_then(|n| n.checked_add(fid.checked_mul(2)?));
        let present = words.len() - 5;
        // Without the tail of precision and recall (older files), or with it whole: the count
        // of measurements again, then their pairs.
        let whole =
            |needed: usize| present == needed + 1 + 2 * fid && u32::from_le_bytes(words[5 + needed]) as usize == fid;
        match needed {
            Some(needed) if rows <= MAX_ROWS && (present == needed || whole(needed)) => {}
            _ => return Err(HistoryError::Counts),
        }
        let values: Vec<f32> = words[5..].iter().map(|w| f32::from_le_bytes(*w)).collect();
        let (kept, rest) = values.split_at(rows * WIDTH);
        let (pairs, tail) = rest.split_at(2 * fid);
        let fidelity = if tail.is_empty() { vec![f32::NAN; 2 * fid] } else { tail[1..].to_vec() };
        let history = Self {
            rows: kept.chunks_exact(WIDTH).map(|r| r.try_into().expect("chunks are WIDTH long")).collect(),
            stride,
            skipped,
            measured: pairs
                .chunks_exact(2)
                .zip(fidelity.chunks_exact(2))
                .map(|(a, b)| [a[0], a[1], b[0], b[1]])
                .collect(),
        };
        history.check()?;
        Ok(history)
    }

    /// Refuses what [`History::record`] and [`History::record_measurement`] never keep: a stride
    /// other than none or a power of two, more steps skipped than it allows (either would
    /// overflow as the run goes on), and values a run does not record (a share is NaN or in
    /// [0, 1]).
    fn check(&self) -> Result<(), HistoryError> {
        if !(self.stride == 0 || self.stride.is_power_of_two()) || self.skipped >= self.stride.max(1) {
            return Err(HistoryError::Thinning);
        }
        let share = |v: f32| v.is_nan() || (0.0..=1.0).contains(&v);
        let measured = self.measured.iter().all(|&[step, fid, precision, recall]| {
            step.is_finite() && fid.is_finite() && share(precision) && share(recall)
        });
        if !(measured && self.rows.iter().all(recordable)) {
            return Err(HistoryError::NonFinite);
        }
        Ok(())
    }
}

/// Whether a run can have kept `row`: it records only steps whose [`StepValues::is_finite`]
/// holds (so the input-gradient norm may be NaN, where no penalty measures it), and their step
/// numbers and learning rates, known on the host, are always finite.
fn recordable(row: &[f32; WIDTH]) -> bool {
    let values = StepValues::from_row(*row);
    values.is_finite() && [row[0], values.lr_d, values.lr_g].iter().all(|v| v.is_finite())
}
