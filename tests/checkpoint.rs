//! A saved run comes back with the same weights and continues exactly as it would have; a
//! checkpoint that does not fit is refused.

mod common;

use webgan::config::Architecture;
use webgan::config::GanLoss;
use webgan::config::MAX_D_STEPS;
use webgan::config::{OptimizerConfig, OptimizerKind};
use webgan::tensor::floats;
use webgan::train::checkpoint::{Checkpoint, CheckpointError, MAX_STEP, Network, UNCHECKED_VERSION, VERSION};
use webgan::train::history::{History, HistoryError};
use webgan::train::optim::OptimizerStateError;
use webgan::train::params::{self, ParamsError};
use webgan::train::stats::{ROW, StepValues};
use webgan::{Digits, TrainConfig, Trainer, device};

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
    let device = device::cpu().device;
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
        TrainConfig { model: Architecture::Dcgan, conditional: true, channels: 8, loss: GanLoss::WganGp, ..small };
    assert_resumes_exactly(dcgan, &digits);
}

#[test]
fn a_checkpoint_without_optimiser_state_does_not_resume_exactly() {
    // The control for the test above: drop the optimiser state and the run diverges from the
    // uninterrupted one, so that test would notice state missing from the file.
    let (digits, device) = (common::digits(), device::cpu().device);
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
    let (digits, device) = (common::digits(), device::cpu().device);
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
    let (digits, device) = (common::digits(), device::cpu().device);
    let saved = Trainer::new(TrainConfig::default(), &digits, &device).unwrap().checkpoint();

    let narrower = Checkpoint { config: TrainConfig { hidden: 64, ..saved.config.clone() }, ..saved.clone() };
    let err = Trainer::from_checkpoint(&narrower, &digits, &device).err().unwrap();
    assert!(matches!(err, CheckpointError::Params(Network::Generator, ParamsError::Shape { index: 0, .. })), "{err}");

    let mut bytes = saved.to_bytes();
    let json_at = bytes.windows(6).position(|w| w == b"\"seed\"").unwrap();
    bytes[json_at + 1..json_at + 5].copy_from_slice(b"sead");
    let err = Checkpoint::from_bytes(&sealed(bytes)).err().unwrap();
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
            "the checkpoint's optimiser state of G: it holds 12 tensors where RmsProp keeps 6 for this network"
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
    assert_eq!(err.to_string(), "checkpoint version 1 cannot be read by this build, which reads versions 2 to 3");
}

/// `bytes`, a checkpoint file changed after it was written, with its checksum made to match
/// again: what a deliberate tamperer writes, so that the checks behind the checksum are reached.
fn sealed(mut bytes: Vec<u8>) -> Vec<u8> {
    let end = bytes.len() - 4;
    let checksum = crc32fast::hash(&bytes[..end]);
    bytes[end..].copy_from_slice(&checksum.to_le_bytes());
    bytes
}

/// The checkpoint file `bytes` in version 2's layout: the same, without the checksum.
fn version_2(bytes: &[u8]) -> Vec<u8> {
    [&bytes[..8], &UNCHECKED_VERSION.to_le_bytes(), &bytes[12..bytes.len() - 4]].concat()
}

/// A run of one step with a weight average: every network and both optimisers hold state.
fn one_step(digits: &Digits) -> Trainer {
    let config = TrainConfig { ema: 0.9, ..TrainConfig::default() };
    let mut trainer = Trainer::new(config, digits, &device::cpu().device).unwrap();
    train(&mut trainer, 1);
    trainer
}

/// The parameter file `file` with the first value of its tensor `index` replaced by `value`.
fn with_value(file: &[u8], index: usize, value: f32) -> Vec<u8> {
    let mut stored = params::decode(file).unwrap();
    stored[index].1[0] = value;
    let shapes: Vec<Vec<usize>> = stored.iter().map(|(shape, _)| shape.clone()).collect();
    params::encode(&shapes, &stored.into_iter().flat_map(|(_, values)| values).collect::<Vec<_>>())
}

/// The optimiser state section `state` with its update count replaced by `updates`.
fn counting(state: &[u8], updates: u64) -> Vec<u8> {
    [&updates.to_le_bytes(), &state[8..]].concat()
}

#[test]
fn a_checkpoint_comes_back_as_written_and_a_damaged_one_is_refused() {
    let bytes = one_step(&common::digits()).checkpoint().to_bytes();
    assert_eq!(bytes[8..12], VERSION.to_le_bytes());
    // Compared as bytes: the curves hold NaN where no penalty measures ‖∇ₓD‖.
    let rewritten = |file: &[u8]| Checkpoint::from_bytes(file).unwrap().to_bytes();
    assert!(rewritten(&bytes) == bytes, "a checkpoint reads back as it was written");

    // One bit flipped in the middle of the file, inside a tensor section: the layout still fits,
    // the checksum does not.
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 1;
    let err = Checkpoint::from_bytes(&flipped).err().unwrap();
    assert_eq!(err, CheckpointError::Damaged);
    assert!(err.to_string().contains("damaged"), "{err}");
    // A short file is still called truncated, not damaged.
    assert_eq!(Checkpoint::from_bytes(&bytes[..bytes.len() - 1]), Err(CheckpointError::Length));

    // Files written before the checksum open as they always did, and still end where they end.
    let old = version_2(&bytes);
    assert!(rewritten(&old) == bytes, "a version 2 file reads as the same run");
    assert_eq!(Checkpoint::from_bytes(&[old.as_slice(), &[0; 4]].concat()), Err(CheckpointError::Length));
}

#[test]
fn non_finite_weights_and_moments_are_refused_naming_their_network() {
    let (digits, device) = (common::digits(), device::cpu().device);
    let saved = one_step(&digits).checkpoint();
    let restore = |checkpoint: Checkpoint| Trainer::from_checkpoint(&checkpoint, &digits, &device).err();
    let nan = ParamsError::NonFinite { index: 0 };

    let generator = with_value(&saved.generator, 0, f32::NAN);
    let err = restore(Checkpoint { generator, ..saved.clone() });
    assert_eq!(err, Some(CheckpointError::Params(Network::Generator, nan.clone())));
    let discriminator = with_value(&saved.discriminator, 0, f32::INFINITY);
    let err = restore(Checkpoint { discriminator, ..saved.clone() });
    assert_eq!(err, Some(CheckpointError::Params(Network::Discriminator, nan.clone())));
    let average = Some(with_value(saved.average.as_ref().unwrap(), 0, f32::NAN));
    let err = restore(Checkpoint { average, ..saved.clone() }).unwrap();
    assert_eq!(
        err.to_string(),
        "the checkpoint's weights of G's moving average: parameter 0 holds NaN or infinite values"
    );

    // Adam keeps both moments of each parameter in turn: tensor 0 is a first, 1 a second moment.
    let moment = |state: &[u8], index, value| [&state[..8], with_value(&state[8..], index, value).as_slice()].concat();
    let err = restore(Checkpoint { opt_g: moment(&saved.opt_g, 0, f32::NAN), ..saved.clone() });
    assert_eq!(err, Some(CheckpointError::Optimizer(Network::Generator, OptimizerStateError::Params(nan))));
    let err = restore(Checkpoint { opt_d: moment(&saved.opt_d, 1, -1.0), ..saved.clone() });
    assert_eq!(err, Some(CheckpointError::Optimizer(Network::Discriminator, OptimizerStateError::NegativeSquares)));
    assert!(restore(Checkpoint { opt_d: moment(&saved.opt_d, 0, -1.0), ..saved }).is_none(), "m may be negative");
}

#[test]
fn counts_no_run_reaches_are_refused() {
    let (digits, device) = (common::digits(), device::cpu().device);
    let saved = one_step(&digits).checkpoint();
    let reread = |checkpoint: Checkpoint| Checkpoint::from_bytes(&checkpoint.to_bytes()).map(|c| c.step);
    assert_eq!(reread(Checkpoint { step: u64::MAX, ..saved.clone() }), Err(CheckpointError::Step(u64::MAX)));
    assert_eq!(reread(Checkpoint { step: MAX_STEP + 1, ..saved.clone() }), Err(CheckpointError::Step(MAX_STEP + 1)));
    assert_eq!(reread(Checkpoint { step: MAX_STEP, ..saved.clone() }), Ok(MAX_STEP));

    // One step updates G once and D `d_steps` times, which may have been as many as the
    // settings allow.
    let restore = |checkpoint: Checkpoint| Trainer::from_checkpoint(&checkpoint, &digits, &device).err();
    let updates = |found, most| OptimizerStateError::Updates { found, most };
    let err = restore(Checkpoint { opt_g: counting(&saved.opt_g, 2), ..saved.clone() });
    assert_eq!(err, Some(CheckpointError::Optimizer(Network::Generator, updates(2, 1))));
    let err = restore(Checkpoint { opt_g: counting(&saved.opt_g, u64::MAX), ..saved.clone() });
    assert_eq!(err, Some(CheckpointError::Optimizer(Network::Generator, updates(u64::MAX, 1))));
    assert!(restore(Checkpoint { opt_d: counting(&saved.opt_d, MAX_D_STEPS as u64), ..saved.clone() }).is_none());
    let err = restore(Checkpoint { opt_d: counting(&saved.opt_d, MAX_D_STEPS as u64 + 1), ..saved.clone() });
    assert_eq!(
        err,
        Some(CheckpointError::Optimizer(Network::Discriminator, updates(MAX_D_STEPS as u64 + 1, MAX_D_STEPS as u64)))
    );
    let most = TrainConfig { d_steps: MAX_D_STEPS, ..saved.config.clone() };
    assert!(most.validate().is_ok());
    assert!(
        TrainConfig { d_steps: most.d_steps + 1, ..most }.validate().is_err(),
        "MAX_D_STEPS is the settings' bound"
    );
}

#[test]
fn curves_no_run_records_are_refused() {
    let mut trainer = one_step(&common::digits());
    let history = trainer.checkpoint().history.to_bytes();
    // The header's five words (rows, width, stride, steps skipped, measurements), then the row.
    let with_words = |words: &[(usize, [u8; 4])]| {
        let mut bytes = history.clone();
        for &(index, word) in words {
            bytes[4 * index..4 * index + 4].copy_from_slice(&word);
        }
        History::from_bytes(&bytes)
    };
    let column = |name| 5 + ROW.iter().position(|&c| c == name).unwrap();
    let value = |name, value: f32| with_words(&[(column(name), value.to_le_bytes())]);
    assert_eq!(value("loss_d", f32::NAN), Err(HistoryError::NonFinite));
    assert_eq!(value("lr_g", f32::INFINITY), Err(HistoryError::NonFinite));
    // NaN marks an input-gradient norm that no penalty measured (as here); infinite it never is.
    assert!(value("input_grad_norm", f32::NAN).is_ok());
    assert_eq!(value("input_grad_norm", f32::INFINITY), Err(HistoryError::NonFinite));
    // Every `stride`-th step is kept (a power of two, or none yet), after fewer skipped than that.
    let thinning = |stride: u32, skipped: u32| with_words(&[(2, stride.to_le_bytes()), (3, skipped.to_le_bytes())]);
    assert!(thinning(4, 3).is_ok());
    assert_eq!(thinning(4, 4), Err(HistoryError::Thinning));
    assert_eq!(thinning(3, 0), Err(HistoryError::Thinning));
    assert_eq!(thinning(0, u32::MAX), Err(HistoryError::Thinning));

    trainer.record_measurement(f64::NAN, f64::NAN, f64::NAN);
    let err = Checkpoint::from_bytes(&trainer.checkpoint().to_bytes()).err().unwrap();
    assert_eq!(err.to_string(), "the checkpoint's curves hold NaN or infinite values where a run records none");
}
