//! The first-minute preset against what a lesson's first minute needs: after 3 000 steps the
//! classifier finds every kind of digit in 10 000 of G's samples, near evenly, where
//! the seed article's narrower MLP, trained alike, finds 8 with FID 380 (seed 0). The README's
//! table gives the figures for five seeds.

mod common;

use webgan::judge::{Judge, Metrics};
use webgan::tensor::floats;
use webgan::{TrainConfig, Trainer, config::presets, device};

const CLASSIFIER: &[u8] = include_bytes!("../www/models/classifier.bin");
const REFERENCE: &[u8] = include_bytes!("../www/models/fid_reference.bin");

/// The metrics of 10 000 samples after `steps` steps of `config` on the CPU backend.
fn quality_after(config: TrainConfig, steps: u64) -> Metrics {
    let (digits, device) = (common::digits(), device::cpu());
    let mut trainer = Trainer::new(config, &digits, &device.device).unwrap();
    while trainer.step_count() < steps {
        trainer.step();
        if trainer.step_count().is_multiple_of(100) {
            assert!(
                trainer.take_stats().unwrap().read().iter().all(|s| s.is_finite()),
                "step {}",
                trainer.step_count()
            );
        }
    }
    let judge = Judge::new(CLASSIFIER, REFERENCE, &device.device).unwrap();
    judge.measure(&floats(trainer.eval_samples(10_000).into_data()), &device.device).unwrap()
}

#[test]
fn the_first_minute_preset_draws_varied_digits_by_three_thousand_steps() {
    let opening = quality_after(presets::find("first_minute").unwrap().config, 3_000);
    eprintln!("first-minute preset after 3 000 steps: {opening:?}");
    assert_eq!(opening.classes.covered, 10, "classes: {opening:?}");
    // The first minute's targets: every digit, in near-equal shares, and FID below 150.
    assert!(opening.classes.kl_uniform < 0.1 && !opening.classes.collapsed, "{opening:?}");
    assert!(opening.fid < 150.0, "FID {}", opening.fid);
}
