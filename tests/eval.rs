//! Class statistics of digits: by hand, on the real held-out digits, and on a collapsed generator.

mod common;

use burn::tensor::{Tensor, TensorData};
use webgan::classifier::Classifier;
use webgan::data::PIXELS;
use webgan::eval::{class_report, report_from_probabilities};
use webgan::params::from_bytes;
use webgan::{Trainer, backend, presets};

const SHIPPED: &[u8] = include_bytes!("../www/models/classifier.bin");

#[test]
fn report_matches_hand_computed_values() {
    // Four digits, classified 0, 0, 1, 2 with top probabilities 0.9, 0.7, 0.6, 1.0.
    let mut rows = vec![0.0f32; 40];
    for (digit, (class, p)) in [(0, 0.9), (0, 0.7), (1, 0.6), (2, 1.0)].into_iter().enumerate() {
        rows[digit * 10 + class] = p;
        rows[digit * 10 + 9] = 1.0 - p; // the runner-up
    }
    let report = report_from_probabilities(&rows);
    assert_eq!(&report.histogram[..4], &[0.5, 0.25, 0.25, 0.0]);
    assert_eq!(report.covered, 3);
    // KL(h ‖ uniform) = ln 10 − H(h) = 2.302585 − (0.5 ln 2 + 2 · 0.25 ln 4) = 1.262864.
    assert!((report.kl_uniform - 1.262864).abs() < 1e-6, "{}", report.kl_uniform);
    assert!((report.confidence - 0.8).abs() < 1e-6);
    assert!(report.collapsed);
}

#[test]
fn real_digits_cover_every_class_evenly() {
    // All 10 000 digits: the held-out 2 000 alone are not balanced (from 3 % fives to 17 % ones).
    let device = backend::cpu().device;
    let model = from_bytes(Classifier::new(&device), SHIPPED).unwrap();
    let digits = common::digits();
    let all = Tensor::from_data(TensorData::new(digits.pixels_unit(), [digits.len(), PIXELS]), &device);
    let report = class_report(&model, all);
    assert_eq!(report.covered, 10, "{report:?}");
    assert!(report.kl_uniform < 0.01 && !report.collapsed, "{report:?}");
    assert!(report.confidence > 0.9, "{report:?}");
}

#[test]
fn a_collapsed_generator_is_flagged() {
    let device = backend::cpu().device;
    let model = from_bytes(Classifier::new(&device), SHIPPED).unwrap();
    let mut trainer = Trainer::new(presets::find("mode_collapse").unwrap().config, &common::digits(), &device).unwrap();
    for _ in 0..500 {
        trainer.step();
    }
    let report = class_report(&model, trainer.samples());
    assert!(report.collapsed && report.covered <= 3, "{report:?}");
}
