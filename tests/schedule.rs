//! Learning-rate schedules and the instance-noise anneal at chosen steps, by hand and against
//! burn's own (stateful) schedulers.

use burn::lr_scheduler::exponential::ExponentialLrSchedulerConfig;
use burn::lr_scheduler::step::StepLrSchedulerConfig;
use webgan::TrainConfig;
use webgan::config::schedule::{Anneal, Decay, LearningRates, LrSchedule};

const DECAY: Decay = Decay { k: 0.01, gamma: 0.5, step_size: 100 };

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

#[test]
fn each_schedule_gives_its_formula_at_chosen_steps() {
    // (schedule, t, lr) for lr₀ = 0.1, k = 0.01, γ = 0.5, s = 100.
    let cases = [
        (LrSchedule::Constant, 0, 0.1),
        (LrSchedule::Constant, 12_345, 0.1),
        // 0.1 / (1 + 0.01·t): t = 100 → 0.05, t = 300 → 0.025.
        (LrSchedule::Time, 0, 0.1),
        (LrSchedule::Time, 100, 0.05),
        (LrSchedule::Time, 300, 0.025),
        // 0.1 · 0.5^(t/100): t = 50 → 0.1/√2, t = 200 → 0.025.
        (LrSchedule::Exponential, 50, 0.1 / std::f64::consts::SQRT_2),
        (LrSchedule::Exponential, 200, 0.025),
        // 0.1 · 0.5^⌊t/100⌋: flat until 99, halved at 100, quartered at 250.
        (LrSchedule::Step, 99, 0.1),
        (LrSchedule::Step, 100, 0.05),
        (LrSchedule::Step, 250, 0.025),
    ];
    for (schedule, t, want) in cases {
        let got = schedule.lr(0.1, t, DECAY);
        assert!(close(got, want), "{schedule:?} at t = {t}: {got}, expected {want}");
    }
}

#[test]
fn exponential_and_step_decay_agree_with_burns_schedulers() {
    let mut burn_exp = ExponentialLrSchedulerConfig::new(0.1, 0.99).init().unwrap();
    let mut burn_step = StepLrSchedulerConfig::new(0.1, 7).with_gamma(0.5).init().unwrap();
    for t in 0..50 {
        let exp = LrSchedule::Exponential.lr(0.1, t, Decay { gamma: 0.99, step_size: 1, ..DECAY });
        let step = LrSchedule::Step.lr(0.1, t, Decay { gamma: 0.5, step_size: 7, ..DECAY });
        let (want_exp, want_step) = (burn_exp.step().base(), burn_step.step().base());
        assert!((exp - want_exp).abs() < 1e-12, "exponential at {t}: {exp} vs burn's {want_exp}");
        assert!((step - want_step).abs() < 1e-15, "step at {t}: {step} vs burn's {want_step}");
    }
}

#[test]
fn instance_noise_fades_as_announced() {
    // σ₀ = 0.2, T = 1000: linear 0.1 at 500 and 0 from 1000 on; exponential 0.2·e^−1 at 1000.
    assert!(close(Anneal::Linear.sigma(0.2, 0, 1000), 0.2));
    assert!(close(Anneal::Linear.sigma(0.2, 500, 1000), 0.1));
    assert_eq!(Anneal::Linear.sigma(0.2, 1000, 1000), 0.0);
    assert_eq!(Anneal::Linear.sigma(0.2, 5000, 1000), 0.0);
    assert!(close(Anneal::Exponential.sigma(0.2, 1000, 1000), 0.2 * (-1.0f64).exp()));
}

#[test]
fn the_config_applies_one_schedule_to_both_networks() {
    let config = TrainConfig::from_query("schedule=step&decay_gamma=0.1&decay_steps=10&lr_g=0.01&lr_d=0.02").unwrap();
    let LearningRates { g, d } = config.learning_rates(25);
    assert!(close(g, 0.0001) && close(d, 0.0002), "{g}, {d}");
    let off = TrainConfig::from_query("noise=0.3&anneal=linear&noise_steps=10").unwrap();
    assert!(close(off.noise_sigma(5), 0.15));
}
