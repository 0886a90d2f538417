//! A saved run comes back with the same weights; a checkpoint that does not fit is refused.

mod common;

use webgan::checkpoint::{Checkpoint, CheckpointError};
use webgan::params::ParamsError;
use webgan::stats::floats;
use webgan::{TrainConfig, Trainer, backend};

#[test]
fn a_restored_run_draws_the_same_digits() {
    let (digits, device) = (common::digits(), backend::cpu().device);
    let config = TrainConfig { ema: 0.5, ..TrainConfig::default() };
    let mut trainer = Trainer::new(config, &digits, &device).unwrap();
    for _ in 0..5 {
        trainer.step();
    }
    let bytes = trainer.checkpoint().to_bytes();
    let restored = Trainer::from_checkpoint(&Checkpoint::from_bytes(&bytes).unwrap(), &digits, &device).unwrap();
    assert_eq!(restored.step_count(), 5);
    assert_eq!(restored.config(), trainer.config());
    assert_eq!(floats(restored.samples().into_data()), floats(trainer.samples().into_data()));
    assert_eq!(floats(restored.eval_samples(16).into_data()), floats(trainer.eval_samples(16).into_data()));
    // The average differs from G itself after five steps, so the samples above came from it.
    let raw = Checkpoint { average: None, ..trainer.checkpoint() };
    let without = Trainer::from_checkpoint(&raw, &digits, &device).unwrap();
    assert_ne!(floats(without.samples().into_data()), floats(trainer.samples().into_data()));
}

#[test]
fn checkpoints_that_do_not_fit_are_refused() {
    let (digits, device) = (common::digits(), backend::cpu().device);
    let saved = Trainer::new(TrainConfig::default(), &digits, &device).unwrap().checkpoint();

    let narrower = Checkpoint { config: TrainConfig { hidden: 64, ..saved.config.clone() }, ..saved.clone() };
    let err = Trainer::from_checkpoint(&narrower, &digits, &device).err().unwrap();
    assert!(matches!(err, CheckpointError::Params(ParamsError::Shape { index: 0, .. })), "{err}");

    let mut bytes = saved.to_bytes();
    let json_at = bytes.windows(6).position(|w| w == b"\"seed\"").unwrap();
    bytes[json_at + 1..json_at + 5].copy_from_slice(b"sead");
    let err = Checkpoint::from_bytes(&bytes).err().unwrap();
    assert!(err.to_string().contains("settings") && err.to_string().contains("unknown field `sead`"), "{err}");
    assert_eq!(Checkpoint::from_bytes(&[saved.to_bytes().as_slice(), b"x"].concat()), Err(CheckpointError::Length));
}
