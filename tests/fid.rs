//! The Fréchet distance and its statistics against values worked out by hand.

use nalgebra::{DMatrix, DVector};
use webgan::judge::fid::{FeatureStats, FidError, frechet_distance};

fn stats(mean: &[f64], covariance: &[f64]) -> FeatureStats {
    let dim = mean.len();
    FeatureStats {
        count: 100,
        mean: DVector::from_column_slice(mean),
        covariance: DMatrix::from_row_slice(dim, dim, covariance),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * (1.0 + b.abs())
}

#[test]
fn distance_of_diagonal_gaussians_is_hand_computed() {
    // ‖μa − μb‖² = 1 + 4; Σ(√σa − √σb)² over the diagonals (4, 1) and (1, 9) = 1 + 4.
    let a = stats(&[0.0, 0.0], &[4.0, 0.0, 0.0, 1.0]);
    let b = stats(&[1.0, 2.0], &[1.0, 0.0, 0.0, 9.0]);
    assert!(close(frechet_distance(&a, &b), 10.0), "{}", frechet_distance(&a, &b));
    assert!(close(frechet_distance(&b, &a), 10.0), "symmetric");
    assert!(frechet_distance(&a, &a).abs() < 1e-9, "a Gaussian is at distance 0 from itself");

    // A rotation of both changes nothing.
    let (c, s) = (0.6f64, 0.8f64);
    let rotation = DMatrix::from_row_slice(2, 2, &[c, -s, s, c]);
    let rotate = |x: &FeatureStats| FeatureStats {
        count: x.count,
        mean: &rotation * &x.mean,
        covariance: &rotation * &x.covariance * rotation.transpose(),
    };
    assert!(close(frechet_distance(&rotate(&a), &rotate(&b)), 10.0));
}

#[test]
fn distance_of_non_commuting_covariances_is_hand_computed() {
    // ΣaΣb = [[2, 4], [1, 8]] has trace 10 and determinant 12, so Tr((ΣaΣb)^½) = √(10 + 2√12)
    // and the distance is Tr Σa + Tr Σb − 2√(10 + 2√12) = 9 − 2√(10 + 2√12).
    let a = stats(&[3.0, 3.0], &[2.0, 1.0, 1.0, 2.0]);
    let b = stats(&[3.0, 3.0], &[1.0, 0.0, 0.0, 4.0]);
    let expected = 9.0 - 2.0 * (10.0 + 2.0 * 12f64.sqrt()).sqrt();
    assert!(close(frechet_distance(&a, &b), expected), "{} vs {expected}", frechet_distance(&a, &b));
}

#[test]
fn statistics_of_rows_are_the_unbiased_mean_and_covariance() {
    // The corners of a 2×2 square: mean (1, 1), variance 4/3 on each axis (n − 1 = 3), no covariance.
    let s = FeatureStats::from_rows(&[0.0, 0.0, 2.0, 0.0, 0.0, 2.0, 2.0, 2.0], 2);
    assert_eq!(s.count, 4);
    assert_eq!(s.mean.as_slice(), &[1.0, 1.0]);
    let expected = [4.0 / 3.0, 0.0, 0.0, 4.0 / 3.0];
    assert!(s.covariance.iter().zip(expected).all(|(a, b)| close(*a, b)), "{}", s.covariance);
}

#[test]
fn reference_files_round_trip_and_damaged_ones_are_refused() {
    let a = stats(&[0.5, -1.0], &[2.0, 1.0, 1.0, 2.0]);
    let bytes = a.to_bytes();
    assert_eq!(FeatureStats::from_bytes(&bytes, 2), Ok(a));
    assert_eq!(FeatureStats::from_bytes(b"WGPARAM1....", 2), Err(FidError::BadMagic));
    assert_eq!(
        FeatureStats::from_bytes(&bytes[..bytes.len() - 1], 2),
        Err(FidError::Length { found: 63, expected: 64 })
    );
    assert_eq!(FeatureStats::from_bytes(&bytes, 64), Err(FidError::Dimension { found: 2, expected: 64 }));
    assert_eq!(FeatureStats::from_bytes(&bytes[..10], 2), Err(FidError::BadMagic));
}
