//! The digit file format and the batch sampler.

mod common;

use webgan::Digits;
use webgan::data::{BatchSampler, DataError, PIXELS};
use webgan::rng::Rng;

fn two_digits() -> Digits {
    Digits { labels: vec![3, 7], pixels: (0..2 * PIXELS).map(|i| (i % 256) as u8).collect() }
}

#[test]
fn encode_then_decode_is_the_identity() {
    let d = two_digits();
    assert_eq!(Digits::decode(&d.encode()), Ok(d));
}

#[test]
fn damaged_files_are_refused_with_a_reason() {
    let good = two_digits().encode();
    assert_eq!(Digits::decode(b"<html>"), Err(DataError::BadMagic));
    let mut v2 = good.clone();
    v2[4] = 2;
    assert_eq!(Digits::decode(&v2), Err(DataError::BadVersion(2)));
    let err = Digits::decode(&good[..good.len() - 1]).unwrap_err();
    assert!(err.to_string().contains("1580 bytes where 2 digits need 1581"), "{err}");
    let mut bad_label = good.clone();
    bad_label[11] = 12;
    assert_eq!(Digits::decode(&bad_label), Err(DataError::Corrupt("label 12 is not a digit".into())));
    assert!(matches!(Digits::decode(&[0x1f, 0x8b, 8, 0, 1, 2]), Err(DataError::Corrupt(_))));
}

#[test]
fn shipped_file_holds_ten_thousand_balanced_digits() {
    let d = common::digits();
    assert_eq!(d.len(), 10_000);
    assert_eq!(d.pixels.len(), 10_000 * PIXELS);
    let mut per_class = [0usize; 10];
    d.labels.iter().for_each(|&l| per_class[l as usize] += 1);
    assert!(per_class.iter().all(|&n| (850..1150).contains(&n)), "{per_class:?}");
    // The interleaved order puts one of each class in the first ten.
    let mut first: Vec<u8> = d.labels[..10].to_vec();
    first.sort();
    assert_eq!(first, (0..10).collect::<Vec<u8>>());
    // MNIST ink covers about a fifth of the pixels, with a mean intensity near 0.13.
    let mean = d.pixels.iter().map(|&p| p as f64).sum::<f64>() / d.pixels.len() as f64 / 255.0;
    assert!((0.10..0.16).contains(&mean), "mean pixel {mean}");
}

#[test]
fn sampler_visits_every_digit_once_per_epoch_and_full_batch_is_the_whole_set() {
    let mut s = BatchSampler::new(10, Rng::new(1));
    let mut epoch: Vec<i32> = [s.next_batch(4), s.next_batch(4), s.next_batch(2)].concat();
    epoch.sort();
    assert_eq!(epoch, (0..10).collect::<Vec<i32>>());
    let mut full = BatchSampler::new(10, Rng::new(2)).next_batch(10);
    full.sort();
    assert_eq!(full, (0..10).collect::<Vec<i32>>());
    assert_ne!(BatchSampler::new(10, Rng::new(1)).next_batch(10), BatchSampler::new(10, Rng::new(2)).next_batch(10));
}
