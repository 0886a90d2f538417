//! Is G copying? G never sees a training digit, only D's verdicts on them, yet a G that has
//! learnt to please D could still end up drawing near-copies. This compares G's digits with the
//! 10 000 training digits in the classifier's feature space (where two writings of the same digit
//! lie close even if shifted) and in pixel space: each shown digit's nearest training digits, and
//! a run-level score. A digit counts as close when it lies nearer to some training digit than
//! τ, the mean distance from a training digit to its nearest other training digit of the same
//! class: two different writings are usually that far apart. The same share is measured for
//! real digits, against the other training digits, so the score has a reference: new real
//! digits are that close this often, and a G far above it is drawing its training set back.
//! Every distance is a matrix product on the device; only the few numbers shown are read back.

use burn::tensor::{Device, Int, Tensor, TensorData};
use serde::Serialize;

use super::Judge;
use super::classifier::FEATURES;
use super::distance::{nearest_squared, own_columns, set_aside, smallest, squared};
use crate::data::{CLASSES, Digits, PIXELS};
use crate::message::{Explain, Message};
use crate::tensor::floats;
use crate::view::grid::{Rgba, digit_grid};

/// Nearest training digits shown for each of G's digits, in each space.
pub const NEIGHBOURS: usize = 3;
/// Real digits (the set's last) whose share of close training digits is the score's reference.
pub const REFERENCE_DIGITS: usize = 512;

/// The training digits' features with τ and the real digits' share, on the device.
#[derive(Clone, Debug)]
pub struct Library {
    features: Tensor<2>,
    /// τ², one value.
    threshold: Tensor<1>,
    /// The share of real digits within τ of another training digit, one value.
    reference: Tensor<1>,
}

impl Library {
    /// The library of training digits with these `features` `[n, f]` and `labels` (one per row).
    pub fn new(features: Tensor<2>, labels: &[u8]) -> Self {
        let n = features.dims()[0];
        let device = features.device();
        // τ: the mean distance to the nearest other digit of the same class, class by class
        // (a tenth of the work of all pairs). A class of one digit has no such neighbour.
        let mut sums = Vec::new();
        let mut counted = 0usize;
        for class in 0..CLASSES as u8 {
            let rows: Vec<i64> = (0..n).filter(|&i| labels[i] == class).map(|i| i as i64).collect();
            if rows.len() < 2 {
                continue;
            }
            counted += rows.len();
            let count = rows.len();
            let rows = Tensor::<1, Int>::from_data(TensorData::new(rows, [count]), &device);
            let own = features.clone().select(0, rows);
            let distances = squared(own.clone(), own);
            let distances = set_aside(distances.clone(), own_columns(0, count, &distances));
            sums.push(distances.min_dim(1).sqrt().sum());
        }
        let tau = if sums.is_empty() {
            Tensor::<1>::zeros([1], &device)
        } else {
            Tensor::cat(sums, 0).sum() / counted as f32
        };
        let threshold = tau.powi_scalar(2);
        // The reference: the set's last digits against all the others.
        let start = n - REFERENCE_DIGITS.min(n);
        let distances = squared(features.clone().slice(start..n), features.clone());
        let nearest = set_aside(distances.clone(), own_columns(start, n, &distances)).min_dim(1).reshape([n - start]);
        let reference = share_below(nearest, &threshold);
        Self { features, threshold, reference }
    }

    /// The library of `digits` with their features computed by `judge`'s classifier, all at
    /// once: 80 GFLOP, seconds natively but minutes on a browser's software or CPU device, which
    /// load the shipped features instead ([`Library::from_file`]). `None` without digits.
    pub fn compute(judge: &Judge, digits: &Digits, device: &Device) -> Option<Self> {
        (!digits.is_empty()).then(|| Self::new(judge.features(&digits.pixels_unit(), device), &digits.labels))
    }

    /// The library of `digits` from the file of their features that `webgan features` writes,
    /// refused when it is damaged or holds another number of digits.
    pub fn from_file(bytes: &[u8], digits: &Digits, device: &Device) -> Result<Self, FeaturesError> {
        let features = decode_features(bytes)?;
        let count = features.len() / FEATURES;
        if count != digits.len() {
            return Err(FeaturesError::Count { found: count, expected: digits.len() });
        }
        Ok(Self::new(Tensor::from_data(TensorData::new(features, [count, FEATURES]), device), &digits.labels))
    }

    /// The training digits' features.
    pub fn features(&self) -> Tensor<2> {
        self.features.clone()
    }

    /// How many training digits the library holds.
    pub fn len(&self) -> usize {
        self.features.dims()[0]
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Three values for digits of these `features`: the share of them within τ of a training
    /// digit, the real digits' share, and τ (see [`Closeness::from_values`]).
    pub fn closeness(&self, features: Tensor<2>) -> Tensor<1> {
        let share = share_below(nearest_squared(features, self.features.clone()), &self.threshold);
        Tensor::cat(vec![share, self.reference.clone(), self.threshold.clone().sqrt()], 0)
    }
}

/// The share of `squared` distances below `threshold` (one value), as one value.
fn share_below(squared: Tensor<1>, threshold: &Tensor<1>) -> Tensor<1> {
    let n = squared.dims()[0];
    squared.lower(threshold.clone().expand([n])).float().mean()
}

/// How close G's digits lie to training digits, next to how close real ones do.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(into = "ClosenessJson")]
pub struct Closeness {
    /// The share of G's digits within τ of a training digit.
    pub share: f64,
    /// The same share for real digits, each against the other training digits.
    pub reference: f64,
    /// τ: the mean distance from a training digit to its nearest other one of the same class,
    /// in the classifier's feature space.
    pub threshold: f64,
}

/// A [`Closeness`] as hosts receive it: with its [`Standing`].
#[derive(Serialize)]
struct ClosenessJson {
    share: f64,
    reference: f64,
    threshold: f64,
    standing: Standing,
}

impl From<Closeness> for ClosenessJson {
    fn from(c: Closeness) -> Self {
        Self { share: c.share, reference: c.reference, threshold: c.threshold, standing: c.standing() }
    }
}

/// What a share says against its reference, in a word the page explains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Far more often close than real digits: G may be drawing its training set back.
    Copying,
    /// About as often as real digits: new digits of the same kind.
    LikeReal,
    /// Far less often: G's digits are not like any training digit yet.
    Apart,
}

impl Closeness {
    /// The three values [`Library::closeness`] gives.
    pub fn from_values(values: [f32; 3]) -> Self {
        let [share, reference, threshold] = values.map(f64::from);
        Self { share, reference, threshold }
    }

    /// Whether the share lies far from the reference, [`MARGIN`] or more either way.
    pub fn standing(&self) -> Standing {
        match self.share - self.reference {
            d if d >= MARGIN => Standing::Copying,
            d if d <= -MARGIN => Standing::Apart,
            _ => Standing::LikeReal,
        }
    }
}

/// How far a share must lie from real digits' to say more than "like real": a sample of 512
/// digits measures a share to about ±0.04, and GANs that draw new digits stay well within this.
pub const MARGIN: f64 = 0.2;

/// How close `images` (784 values in [0, 1] each) lie to `digits`, every training digit's
/// features computed at once (native hosts); `None` when there are no training digits.
pub fn closeness_to(judge: &Judge, images: &[f32], digits: &Digits, device: &Device) -> Option<Closeness> {
    let library = Library::compute(judge, digits, device)?;
    let values = floats(library.closeness(judge.features(images, device)).into_data());
    values.try_into().ok().map(Closeness::from_values)
}

/// The nearest training digits of `query` rows among `library` rows, [`NEIGHBOURS`] of them,
/// queued as one tensor of `[m × k]` distances then `[m × k]` row numbers (as floats: exact up
/// to 2²⁴ rows), row after row. The matrix product finds them; their distances are then taken
/// row against row, since ‖a‖² + ‖b‖² − 2ab loses the last digits of a copy's 0 to rounding.
pub fn nearest(query: Tensor<2>, library: Tensor<2>) -> Tensor<1> {
    let [m, width] = query.dims();
    let k = NEIGHBOURS.min(library.dims()[0]);
    let (_, rows) = smallest(squared(query.clone(), library.clone()), k);
    let found = library.select(0, rows.clone().flatten(0, 1));
    let query = query.unsqueeze_dim::<3>(1).expand([m, k, width]).reshape([m * k, width]);
    let distances = (query - found).powi_scalar(2).sum_dim(1).sqrt();
    Tensor::cat(vec![distances.flatten(0, 1), rows.float().flatten(0, 1)], 0)
}

/// One training digit near one of G's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Match {
    /// Its place among the training digits.
    pub index: usize,
    /// Its distance from G's digit.
    pub distance: f32,
}

/// What [`nearest`] gathered for `queries` rows, read back: for each its matches, nearest first.
pub fn matches(values: &[f32], queries: usize) -> Vec<Vec<Match>> {
    let (distances, rows) = values.split_at(values.len() / 2);
    let k = (distances.len() / queries.max(1)).max(1);
    distances
        .chunks(k)
        .zip(rows.chunks(k))
        .map(|(d, r)| d.iter().zip(r).map(|(&distance, &row)| Match { index: row as usize, distance }).collect())
        .collect()
}

/// The nearest training digits of a row of G's digits, in both spaces, and their picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Neighbours {
    /// For each of G's digits, the training digits nearest in the classifier's feature space.
    pub in_features: Vec<Vec<Match>>,
    /// The same in pixel space (distance over the 784 values in [0, 1]).
    pub in_pixels: Vec<Vec<Match>>,
    /// G's digits in the top row; under each its nearest training digits in features, then in
    /// pixels, nearest first.
    pub picture: Rgba,
}

impl Neighbours {
    /// The values queued for `shown` of G's digits: their matches by [`nearest`] in features,
    /// then in pixels, then their pixels; the training digits are drawn from `digits`.
    pub fn decode(values: &[f32], shown: usize, digits: &Digits) -> Self {
        let (found, pixels) = values.split_at(values.len() - shown * PIXELS);
        let (features, in_pixel_space) = found.split_at(found.len() / 2);
        let (in_features, in_pixels) = (matches(features, shown), matches(in_pixel_space, shown));
        let k = in_features.first().map_or(0, Vec::len);
        let mut rows = pixels.to_vec();
        for space in [&in_features, &in_pixels] {
            for j in 0..k {
                for column in space {
                    let at = column[j].index.min(digits.len().saturating_sub(1));
                    rows.extend(digits.unit(at..at + 1));
                }
            }
        }
        let gray = digit_grid(&rows, shown.max(1)).expect("at least one column");
        let picture = Rgba { width: gray.width, height: gray.height, pixels: gray.to_rgba() };
        Self { in_features, in_pixels, picture }
    }
}

/// The features file: `b"WGFT"`, version `1u8`, count `u32`, width `u32` (little-endian), then a
/// scale per feature (`f32`: its largest value / 255) and `count × width` bytes, each feature
/// divided by its scale and rounded, optionally gzip-compressed as a whole. A byte per value is
/// a quarter of a float's size and moves a distance by far less than τ.
const FEATURES_MAGIC: &[u8; 4] = b"WGFT";
const FEATURES_VERSION: u8 = 1;
const FEATURES_HEADER: usize = 4 + 1 + 4 + 4;
/// Refuse files claiming more values than this, before allocating for them.
const MAX_VALUES: usize = 100_000 * FEATURES;

/// Why a features file was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FeaturesError {
    /// Not a features file, or one of another version.
    #[error("the training digits' features file is not one this version reads; rebuild it with `webgan features`")]
    Foreign,
    /// Its lengths disagree with what it declares.
    #[error("the training digits' features file is damaged: {0}")]
    Corrupt(String),
    /// It describes other digits than those loaded.
    #[error("the training digits' features file holds {found} digits, but {expected} are loaded")]
    Count { found: usize, expected: usize },
}

impl Explain for FeaturesError {
    const KEYS: &'static [&'static str] = &["error.features.foreign", "error.features.corrupt", "error.features.count"];

    fn message(&self) -> Message {
        match self {
            Self::Foreign => Message::new("error.features.foreign"),
            Self::Corrupt(detail) => Message::new("error.features.corrupt").with("detail", detail.as_str()),
            Self::Count { found, expected } => {
                Message::new("error.features.count").with("found", *found).with("expected", *expected)
            }
        }
    }
}

/// The file of `features` (`FEATURES` values per digit, each at least 0 as the classifier's
/// ReLU leaves them), gzip-compressed.
pub fn encode_features(features: &[f32]) -> Vec<u8> {
    let count = features.len() / FEATURES;
    let scales: Vec<f32> = (0..FEATURES)
        .map(|f| features.iter().skip(f).step_by(FEATURES).fold(0.0f32, |m, &v| m.max(v)) / 255.0)
        .collect();
    let mut raw = FEATURES_MAGIC.to_vec();
    raw.push(FEATURES_VERSION);
    raw.extend((count as u32).to_le_bytes());
    raw.extend((FEATURES as u32).to_le_bytes());
    raw.extend(scales.iter().flat_map(|s| s.to_le_bytes()));
    raw.extend(features.chunks_exact(FEATURES).flat_map(|row| {
        row.iter().zip(&scales).map(|(&v, &s)| if s > 0.0 { (v / s).round().clamp(0.0, 255.0) as u8 } else { 0 })
    }));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, &raw).expect("writing to memory");
    gz.finish().expect("writing to memory")
}

/// The features in a file of [`encode_features`], checking every length it declares.
pub fn decode_features(bytes: &[u8]) -> Result<Vec<f32>, FeaturesError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut raw = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(flate2::read::GzDecoder::new(bytes), (FEATURES_HEADER + MAX_VALUES * 5) as u64),
            &mut raw,
        )
        .map_err(|e| FeaturesError::Corrupt(format!("gzip stream: {e}")))?;
        return decode_features(&raw);
    }
    if bytes.len() < FEATURES_HEADER || &bytes[..4] != FEATURES_MAGIC || bytes[4] != FEATURES_VERSION {
        return Err(FeaturesError::Foreign);
    }
    let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("four bytes")) as usize;
    let (count, width) = (word(5), word(9));
    if width != FEATURES {
        return Err(FeaturesError::Corrupt(format!("{width} features a digit, expected {FEATURES}")));
    }
    if count.saturating_mul(width) > MAX_VALUES {
        return Err(FeaturesError::Corrupt(format!("{count} digits are more than a file holds")));
    }
    let expected = FEATURES_HEADER + 4 * width + count * width;
    if bytes.len() != expected {
        return Err(FeaturesError::Corrupt(format!("{} bytes where {count} digits take {expected}", bytes.len())));
    }
    let scales: Vec<f32> = bytes[FEATURES_HEADER..FEATURES_HEADER + 4 * width]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().expect("four bytes")))
        .collect();
    if !scales.iter().all(|s| s.is_finite() && *s >= 0.0) {
        return Err(FeaturesError::Corrupt("a scale is negative or not finite".into()));
    }
    let values = &bytes[FEATURES_HEADER + 4 * width..];
    Ok(values.chunks_exact(width).flat_map(|row| row.iter().zip(&scales).map(|(&q, &s)| f32::from(q) * s)).collect())
}
