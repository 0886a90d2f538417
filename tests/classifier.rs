//! The shipped digit classifier (`www/models/classifier.bin`, made by `webgan train-classifier`)
//! and the parameter files that carry it.

mod common;

use webgan::device;
use webgan::judge::classifier::{Classifier, held_out_accuracy};
use webgan::train::params::{ParamsError, from_bytes, to_bytes};

const SHIPPED: &[u8] = include_bytes!("../www/models/classifier.bin");

#[test]
fn shipped_weights_classify_the_held_out_digits_at_98_percent() {
    let device = device::cpu().device;
    let model = from_bytes(Classifier::new(&device), SHIPPED).expect("the shipped weights load");
    let accuracy = held_out_accuracy(&model, &common::digits(), &device);
    assert!(accuracy >= 0.98, "held-out accuracy {accuracy}");
    assert!(SHIPPED.len() < 1_000_000, "the weights should stay small: {} bytes", SHIPPED.len());
}

#[test]
fn parameter_files_round_trip_and_damaged_ones_are_refused() {
    let device = device::cpu().device;
    let model = from_bytes(Classifier::new(&device), SHIPPED).unwrap();
    assert_eq!(to_bytes(&model), SHIPPED, "save(load(file)) is the file");

    let fresh = || Classifier::new(&device);
    assert!(matches!(from_bytes(fresh(), b"PK\x03\x04 a zip file"), Err(ParamsError::BadMagic)));
    assert!(matches!(from_bytes(fresh(), &SHIPPED[..SHIPPED.len() - 1]), Err(ParamsError::Truncated)));
    assert!(matches!(from_bytes(fresh(), &SHIPPED[..12]), Err(ParamsError::Truncated)));
    // A generator's file is not a classifier, nor is a classifier with a layer of another shape.
    let mut rng = webgan::rng::Rng::new(0);
    let generator = to_bytes(&webgan::model::mlp::Generator::new(100, 128, webgan::data::PIXELS, &mut rng, &device));
    assert_eq!(from_bytes(fresh(), &generator).err(), Some(ParamsError::Count { found: 6, expected: 8 }));
    let mut reshaped = SHIPPED.to_vec();
    reshaped[16..24].copy_from_slice(&[1, 0, 0, 0, 32, 0, 0, 0]); // conv1's [32, 1, 5, 5] as [1, 32, 5, 5]
    assert!(matches!(from_bytes(fresh(), &reshaped), Err(ParamsError::Shape { index: 0, .. })));
    // A count that lies is refused without trying to allocate it.
    let mut lying = SHIPPED.to_vec();
    lying[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(from_bytes(fresh(), &lying), Err(ParamsError::Truncated)));
}
