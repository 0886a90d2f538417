//! A saved run comes back with the same weights and continues exactly as it would have; a
//! checkpoint that does not fit is refused.

mod common;

use webgan::checkpoint::{Checkpoint, CheckpointError};
use webgan::loss::GanLoss;
use webgan::model::Architecture;
use webgan::optim::{OptimizerConfig, OptimizerKind};
use webgan::params::ParamsError;
use webgan::stats::{StepValues, floats};
use webgan::{Digits, TrainConfig, Trainer, backend};

/// Takes `steps` steps, accepts their statistics into the curves and returns them bit for bit
/// (NaN, where no penalty measures ‖∇ₓD‖, must compare equal too).
fn train(trainer: &mut Trainer, steps: usize) -> Vec<Vec<u32>> {
    for _ in 0..steps {
        trainer.step();
    }
    let stats: Vec<StepValues> = trainer.take_stats().unwrap().read();
    trainer.accept(&stats);
    stats.iter().map(|s| s.row().iter().map(|v| v.to_bits()).collect()).collect()
}

/// A run of 12 steps, and the same run saved after 7, restored from the file's bytes and taken
/// on for 5: the last 5 steps' statistics and the final weights must be identical.
fn assert_resumes_exactly(config: TrainConfig, digits: &Digits) {
    let device = backend::cpu().device;
    let mut straight = Trainer::new(config.clone(), digits, &device).unwrap();
    let all = train(&mut straight, 12);

    let mut first = Trainer::new(config.clone(), digits, &device).unwrap();
    train(&mut first, 7);
    let bytes = first.checkpoint().to_bytes();
    drop(first);
    let mut resumed = Trainer::from_checkpoint(&Checkpoint::from_bytes(&bytes).unwrap(), digits, &device).unwrap();
    let rest = train(&mut resumed, 5);
    assert_eq!(rest, all[7..], "{config:?}: the resumed steps differ from the uninterrupted run");
    // Compared as bytes: the curves hold NaN where no penalty measures ‖∇ₓD‖.
    assert!(resumed.history().to_bytes() == straight.history().to_bytes(), "the curves continue where they stopped");
    assert!(
        resumed.checkpoint().to_bytes() == straight.checkpoint().to_bytes(),
        "weights, optimiser state and generators agree"
    );
}

#[test]
fn a_resumed_run_continues_exactly() {
    let digits = common::digits();
    let small = TrainConfig { batch_size: 16, ema: 0.9, ..TrainConfig::default() };
    // Adam on both networks (two moments and the update count), then the one-tensor rules.
    assert_resumes_exactly(small.clone(), &digits);
    let with = |kind| OptimizerConfig { kind, lr: 0.01, ..OptimizerConfig::default() };
    assert_resumes_exactly(
        TrainConfig { g: with(OptimizerKind::Nesterov), d: with(OptimizerKind::RmsProp), ..small.clone() },
        &digits,
    );
    assert_resumes_exactly(
        TrainConfig { g: with(OptimizerKind::Sgd), d: with(OptimizerKind::Momentum), ..small.clone() },
        &digits,
    );
    // A conditional DCGAN: batch norm's running statistics and the labels must come back too.
    let dcgan =
        TrainConfig { model: Architecture::Dcgan, conditional: true, hidden: 8, loss: GanLoss::WganGp, ..small };
    assert_resumes_exactly(dcgan, &digits);
}

#[test]
fn a_checkpoint_without_optimiser_state_does_not_resume_exactly() {
    // The control for the test above: drop the optimiser state and the run diverges from the
    // uninterrupted one, so that test would notice state missing from the file.
    let (digits, device) = (common::digits(), backend::cpu().device);
    let config = TrainConfig { batch_size: 16, ..TrainConfig::default() };
    let mut straight = Trainer::new(config.clone(), &digits, &device).unwrap();
    let all = train(&mut straight, 12);
    let mut first = Trainer::new(config, &digits, &device).unwrap();
    train(&mut first, 7);
    let stateless = Checkpoint { opt_g: Vec::new(), opt_d: Vec::new(), ..first.checkpoint() };
    let mut resumed = Trainer::from_checkpoint(&stateless, &digits, &device).unwrap();
    assert_ne!(train(&mut resumed, 5), all[7..]);
}

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

    // Optimiser state of another algorithm (Adam's two moments where RMSprop keeps one).
    let mut trainer = Trainer::new(TrainConfig::default(), &digits, &device).unwrap();
    train(&mut trainer, 1);
    let adam = trainer.checkpoint();
    let config =
        TrainConfig { g: OptimizerConfig { kind: OptimizerKind::RmsProp, ..adam.config.g }, ..adam.config.clone() };
    let err = Trainer::from_checkpoint(&Checkpoint { config, ..adam.clone() }, &digits, &device).err().unwrap();
    assert!(
        err.to_string().starts_with(
            "the checkpoint's optimiser state: it holds 12 tensors where RmsProp keeps 6 for this network"
        ),
        "{err}"
    );
    // Random state for another number of digits.
    let err = Trainer::from_checkpoint(
        &Checkpoint { random: adam.random[..adam.random.len() - 4].to_vec(), ..adam.clone() },
        &digits,
        &device,
    );
    assert_eq!(err.err(), Some(CheckpointError::Random));
    // Version 1 files (weights only) are named as such.
    let mut old = adam.to_bytes();
    old[8..12].copy_from_slice(&1u32.to_le_bytes());
    let err = Checkpoint::from_bytes(&old).err().unwrap();
    assert_eq!(err.to_string(), "checkpoint version 1 cannot be read by this build, which reads version 2");
}
