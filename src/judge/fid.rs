//! The Fréchet distance between two sets of feature vectors, each summarised by its mean and
//! covariance: FID, computed here in the digit classifier's feature space (MNIST-FID). The
//! statistics of the real digits are computed once and shipped, so every measurement of
//! generated digits compares against the same reference.

use crate::message::{Explain, Message};
use nalgebra::{DMatrix, DVector, SymmetricEigen};

/// The first bytes of a reference statistics file, with its format version.
const MAGIC: &[u8; 8] = b"WGFIDREF";

/// The mean and covariance of a set of feature vectors, in f64: the covariance of a few hundred
/// samples loses digits quickly in f32.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureStats {
    /// How many vectors the statistics summarise.
    pub count: usize,
    /// Their mean, `dim` values.
    pub mean: DVector<f64>,
    /// Their unbiased covariance (divided by `count − 1`), `dim × dim`.
    pub covariance: DMatrix<f64>,
}

/// Why a reference statistics file could not be read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FidError {
    /// The file does not start with the expected magic bytes and version.
    #[error("not a webgan FID reference file (or a version this build cannot read)")]
    BadMagic,
    /// The file is shorter or longer than its dimension says.
    #[error("the FID reference file has {found} bytes where its header promises {expected}")]
    Length { found: usize, expected: usize },
    /// The file's statistics are for another feature space.
    #[error("the FID reference has {found} features but the classifier gives {expected}")]
    Dimension { found: usize, expected: usize },
}

impl Explain for FidError {
    const KEYS: &'static [&'static str] = &["error.fid.bad_magic", "error.fid.length", "error.fid.dimension"];

    fn message(&self) -> Message {
        match self {
            Self::BadMagic => Message::new("error.fid.bad_magic"),
            Self::Length { found, expected } => {
                Message::new("error.fid.length").with("found", *found).with("expected", *expected)
            }
            Self::Dimension { found, expected } => {
                Message::new("error.fid.dimension").with("found", *found).with("expected", *expected)
            }
        }
    }
}

impl FeatureStats {
    /// The statistics of `rows`, given row after row, `dim` values each (at least two rows):
    /// Σ = (XᵀX − n·μμᵀ) / (n − 1), in f64.
    pub fn from_rows(rows: &[f32], dim: usize) -> Self {
        let x = DMatrix::from_row_iterator(rows.len() / dim, dim, rows.iter().map(|&v| f64::from(v)));
        let n = x.nrows() as f64;
        let mean = x.row_sum().transpose() / n.max(1.0);
        let covariance = (x.transpose() * &x - &mean * mean.transpose() * n) / (n - 1.0).max(1.0);
        Self { count: x.nrows(), mean, covariance }
    }

    /// The statistics as bytes: the magic, the dimension and count (u32 each), then the mean and
    /// the covariance (row-major) as little-endian f64.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend((self.mean.len() as u32).to_le_bytes());
        bytes.extend((self.count as u32).to_le_bytes());
        let rows = self.covariance.transpose(); // column-major storage of Σᵀ is Σ row by row
        self.mean.iter().chain(rows.iter()).for_each(|v| bytes.extend(v.to_le_bytes()));
        bytes
    }

    /// Statistics made by [`FeatureStats::to_bytes`], checked to have `dim` features.
    pub fn from_bytes(bytes: &[u8], dim: usize) -> Result<Self, FidError> {
        let body = bytes.strip_prefix(MAGIC.as_slice()).ok_or(FidError::BadMagic)?;
        let (header, values) = body.split_at_checked(8).ok_or(FidError::BadMagic)?;
        let found = u32::from_le_bytes(header[..4].try_into().expect("4 bytes")) as usize;
        let count = u32::from_le_bytes(header[4..].try_into().expect("4 bytes")) as usize;
        if found != dim {
            return Err(FidError::Dimension { found, expected: dim });
        }
        let expected = MAGIC.len() + 8 + 8 * dim * (dim + 1);
        if bytes.len() != expected {
            return Err(FidError::Length { found: bytes.len(), expected });
        }
        let mut values = values.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")));
        let mean = DVector::from_iterator(dim, values.by_ref().take(dim));
        let covariance = DMatrix::from_row_iterator(dim, dim, values);
        Ok(Self { count, mean, covariance })
    }
}

/// The Fréchet distance between Gaussians with the statistics `a` and `b`:
/// ‖μa − μb‖² + Tr(Σa + Σb − 2(ΣaΣb)^½).
///
/// ΣaΣb is not symmetric, but it has the eigenvalues of the symmetric √Σa·Σb·√Σa, so
/// Tr((ΣaΣb)^½) is the sum of the square roots of those: two symmetric eigen-decompositions,
/// with round-off's tiny negative eigenvalues treated as the zeros they are.
pub fn frechet_distance(a: &FeatureStats, b: &FeatureStats) -> f64 {
    let root_a = symmetric_sqrt(&a.covariance);
    let product = &root_a * &b.covariance * &root_a;
    let symmetric = (&product + product.transpose()) * 0.5;
    let trace_root: f64 = SymmetricEigen::new(symmetric).eigenvalues.iter().map(|&l| l.max(0.0).sqrt()).sum();
    let fid = (&a.mean - &b.mean).norm_squared() + a.covariance.trace() + b.covariance.trace() - 2.0 * trace_root;
    fid.max(0.0)
}

/// √M of a symmetric positive semi-definite matrix: V·diag(√λ)·Vᵀ from its eigen-decomposition.
fn symmetric_sqrt(m: &DMatrix<f64>) -> DMatrix<f64> {
    let eigen = SymmetricEigen::new((m + m.transpose()) * 0.5);
    let roots = eigen.eigenvalues.map(|l| l.max(0.0).sqrt());
    &eigen.eigenvectors * DMatrix::from_diagonal(&roots) * eigen.eigenvectors.transpose()
}
