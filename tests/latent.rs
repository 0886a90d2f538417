//! Walks through noise space: their ends, their norms, and what the generator draws along them.

mod common;

use webgan::tensor::floats;
use webgan::view::latent;
use webgan::{TrainConfig, Trainer, device};

fn norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

#[test]
fn walks_start_and_end_at_their_endpoints_and_slerp_keeps_the_norm() {
    let (a, b) = latent::endpoints(3, 0, 100);
    assert_ne!(a, b);
    assert_eq!(latent::endpoints(3, 0, 100), (a.clone(), b.clone()), "the same pair every time");
    assert_ne!(latent::endpoints(3, 1, 100).0, a, "another pair, other endpoints");
    for spherical in [false, true] {
        let path = latent::walk(&a, &b, 9, spherical);
        assert_eq!(path.len(), 900);
        assert_eq!(path[..100], a[..], "starts at a");
        for (p, q) in path[800..].iter().zip(&b) {
            assert!((p - q).abs() < 1e-5, "ends at b");
        }
    }
    // Two independent 100-D Gaussian vectors are nearly orthogonal, so halfway along the line the
    // norm shrinks by about 1/√2; along the great circle it stays between the ends' norms.
    let middle = |spherical| norm(&latent::walk(&a, &b, 3, spherical)[100..200]);
    let ends = (norm(&a).min(norm(&b)), norm(&a).max(norm(&b)));
    assert!(middle(false) < 0.85 * ends.0, "linear: {} vs {ends:?}", middle(false));
    assert!(middle(true) >= 0.99 * ends.0 && middle(true) <= 1.01 * ends.1, "slerp: {} vs {ends:?}", middle(true));
    assert_eq!(latent::dialled(&a, &[1.5, -2.0])[..3], [1.5, -2.0, a[2]]);
}

#[test]
fn the_generator_draws_a_digit_for_every_point_of_a_walk() {
    let (digits, device) = (common::digits(), device::cpu().device);
    let trainer = Trainer::new(TrainConfig::default(), &digits, &device).unwrap();
    let (a, b) = latent::endpoints(0, 0, 100);
    let drawn = floats(trainer.generate(latent::walk(&a, &b, 5, true), &[]).into_data());
    assert_eq!(drawn.len(), 5 * webgan::data::PIXELS);
    let first = floats(trainer.generate(a, &[]).into_data());
    assert_eq!(drawn[..webgan::data::PIXELS], first[..], "the walk's first digit is G(a)");
}

#[test]
fn requests_from_outside_are_bounded() {
    assert_eq!(latent::walk_length(1), Ok(1));
    assert_eq!(latent::walk_length(latent::MAX_WALK as u32), Ok(latent::MAX_WALK));
    assert_eq!(latent::walk_length(0), Err(latent::LatentError::Count(0)));
    assert_eq!(latent::walk_length(u32::MAX), Err(latent::LatentError::Count(u32::MAX)));
    assert_eq!(latent::digit(9), Ok(9));
    assert_eq!(latent::digit(10), Err(latent::LatentError::Digit(10)));
    assert_eq!(latent::digit(266), Err(latent::LatentError::Digit(266)), "not read as 266 mod 256");
    assert_eq!(latent::finite_dials(&[0.5, -2.0]), Ok(&[0.5, -2.0][..]));
    assert_eq!(latent::finite_dials(&[0.5, f32::NAN]), Err(latent::LatentError::Dial));
    assert!(latent::LatentError::Count(0).to_string().contains("1 to 64"));
}
