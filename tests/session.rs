//! The run policy every host shares: reads that land after another run took over are dropped,
//! divergence sends the run back, refused settings keep the run, and a measurement counts only
//! for the weights it measured.

mod common;

use webgan::config::Architecture;
use webgan::device;
use webgan::device::footprint::MemoryLimits;
use webgan::session::{Applied, Diverged, Refusal, Session};
use webgan::train::stats::ROW;
use webgan::{ConfigChange, Digits, TrainConfig};

fn small() -> TrainConfig {
    TrainConfig { batch_size: 16, ..TrainConfig::default() }
}

fn session(digits: &Digits) -> Session {
    Session::new(small(), digits.clone(), device::cpu()).unwrap()
}

fn curve_steps(session: &Session) -> Vec<f32> {
    session.trainer().history().rows().chunks(ROW.len()).map(|row| row[0]).collect()
}

#[test]
fn statistics_read_across_a_reset_never_reach_the_new_run() {
    let digits = common::digits();
    let mut session = session(&digits);
    session.steps(3);
    let read = session.begin_stats().unwrap();
    let data = read.values().into_data();
    // Another run takes over while the read is on its way (a student pressed Reset).
    session.reset(TrainConfig { seed: 5, ..small() }).unwrap();
    assert_eq!(session.finish_stats(read, &data), Ok(Vec::new()), "the old run's rows were taken");
    assert!(curve_steps(&session).is_empty(), "the new run's curves hold the old run's steps");
    // The new run's own reads are accepted as usual.
    session.steps(2);
    let rows = session.read_stats().unwrap();
    assert_eq!(rows.iter().map(|r| r.step).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(curve_steps(&session), [1.0, 2.0]);
}

#[test]
fn statistics_read_across_a_restore_never_reach_the_restored_run() {
    let digits = common::digits();
    let mut saved = session(&digits);
    saved.steps(4);
    saved.read_stats().unwrap();
    let checkpoint = saved.trainer().checkpoint();

    let mut session = session(&digits);
    session.steps(7);
    let read = session.begin_stats().unwrap();
    let data = read.values().into_data();
    session.restore(&checkpoint).unwrap();
    assert_eq!(session.finish_stats(read, &data), Ok(Vec::new()));
    assert_eq!(curve_steps(&session), [1.0, 2.0, 3.0, 4.0], "only the restored run's own curves");
    assert_eq!(session.trainer().step_count(), 4);
}

#[test]
fn a_refused_reset_keeps_the_run_and_its_pending_read() {
    let digits = common::digits();
    // A device that binds at most 64 MB in one buffer, as a small GPU does.
    let small_gpu = device::ComputeDevice { limits: MemoryLimits::gpu(64 << 20), ..device::cpu() };
    let mut session = Session::new(small(), digits, small_gpu).unwrap();
    session.steps(2);
    let read = session.begin_stats().unwrap();
    let data = read.values().into_data();
    let full_batch_dcgan = TrainConfig { model: Architecture::Dcgan, batch_size: 10_000, ..small() };
    assert!(matches!(session.reset(full_batch_dcgan), Err(Refusal::Footprint(_))), "a full-batch DCGAN fit in 64 MB");
    assert!(matches!(session.reset(TrainConfig { seed: u64::MAX, ..small() }), Err(Refusal::Config(_))));
    // Nothing replaced the run, so its read still counts.
    assert_eq!(session.finish_stats(read, &data).unwrap().len(), 2);
    assert_eq!(curve_steps(&session), [1.0, 2.0]);
}

#[test]
fn divergence_goes_back_to_the_last_finite_state_and_says_where() {
    let digits = common::digits();
    let config = TrainConfig::from_query("loss=least_squares&opt=sgd&lr=1&batch=16").unwrap();
    let mut session = Session::new(config, digits, device::cpu()).unwrap();
    session.steps(1);
    session.read_stats().expect("one step at lr 1 stays finite");
    let diverged: Diverged = loop {
        session.steps(1);
        match session.read_stats() {
            Ok(_) => assert!(session.trainer().step_count() < 500, "no divergence in 500 steps"),
            Err(why) => break why,
        }
    };
    assert!(diverged.back < diverged.step, "{diverged}");
    assert_eq!(session.trainer().step_count(), diverged.back);
    assert_eq!(*curve_steps(&session).last().unwrap(), diverged.back as f32, "the curves end at the state kept");
    assert!(diverged.to_string().contains(&format!("last finite state, step {}", diverged.back)), "{diverged}");
}

#[test]
fn a_change_the_networks_can_absorb_keeps_the_weights_and_one_they_cannot_starts_afresh() {
    let digits = common::digits();
    let mut session = session(&digits);
    session.steps(3);
    session.read_stats().unwrap();
    let faster = TrainConfig::from_query("batch=16&lr_d=0.001&opt_g=rms_prop").unwrap();
    assert_eq!(session.apply(faster).unwrap(), Applied::Changed(ConfigChange { reset_g: true, reset_d: false }));
    assert_eq!(session.trainer().step_count(), 3, "a learning rate and an optimiser keep the run");
    let wider = TrainConfig::from_query("batch=16&hidden=64").unwrap();
    assert_eq!(session.apply(wider).unwrap(), Applied::Restarted);
    assert_eq!(session.trainer().step_count(), 0, "other networks are a fresh run");
    assert_eq!(session.trainer().config().hidden, 64);
    assert!(curve_steps(&session).is_empty());
}
