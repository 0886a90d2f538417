//! Every preset trains on the CPU backend, and the statistics respond to its objective as the
//! theory says they must.

mod common;

use webgan::config::GanLoss;
use webgan::config::MAX_BATCH;
use webgan::train::stats::StepValues;
use webgan::{TrainConfig, Trainer, config::presets, device};

fn train(config: TrainConfig, steps: u64) -> Vec<StepValues> {
    let digits = common::digits();
    let device = device::cpu();
    let mut trainer = Trainer::new(config, &digits, &device.device).unwrap();
    let mut stats = Vec::new();
    while trainer.step_count() < steps {
        trainer.step();
        if trainer.step_count().is_multiple_of(50) || trainer.step_count() == steps {
            stats.extend(trainer.take_stats().unwrap().read());
        }
    }
    stats
}

fn mean(values: impl Iterator<Item = f32>) -> f32 {
    let v: Vec<f32> = values.collect();
    v.iter().sum::<f32>() / v.len() as f32
}

#[test]
fn every_preset_trains_with_finite_statistics_of_the_right_sign() {
    for preset in presets::all() {
        let steps = if preset.config.batch_size == MAX_BATCH { 3 } else { 40 };
        let stats = train(preset.config.clone(), steps);
        assert_eq!(stats.len() as u64, steps, "{}", preset.id);
        assert!(stats.iter().all(StepValues::is_finite), "{}: {stats:?}", preset.id);
        let all = |f: fn(&StepValues) -> bool| stats.iter().all(f);
        let ok = match preset.config.loss {
            // log(1 − σ(d)) < 0 for the minimax G; −log σ(d) > 0 for the non-saturating one.
            GanLoss::Minimax => all(|s| s.loss_g < 0.0 && s.loss_d > 0.0),
            GanLoss::NonSaturating => all(|s| s.loss_g > 0.0 && s.loss_d > 0.0),
            GanLoss::LeastSquares | GanLoss::Hinge => all(|s| s.loss_d >= 0.0),
            // A critic's loss is the negated distance estimate (plus the penalty for GP).
            GanLoss::WganClip => all(|s| (s.loss_d + s.wasserstein).abs() < 1e-5),
            GanLoss::WganGp => all(|s| s.loss_d + s.wasserstein >= -1e-5 && s.input_grad_norm > 0.0),
        };
        assert!(ok, "{}: statistics of the wrong sign: {:?}", preset.id, stats.last());
    }
}

/// The minimax generator's gradient vanishes while D wins; the non-saturating one's does not.
/// The mode-collapse preset is the minimax preset with the non-saturating loss.
#[test]
fn minimax_saturates_where_the_non_saturating_loss_does_not() {
    let minimax = presets::find("minimax").unwrap().config;
    let non_saturating = presets::find("mode_collapse").unwrap().config;
    assert_eq!(TrainConfig { loss: GanLoss::NonSaturating, ..minimax.clone() }, non_saturating);
    let late = |s: &[StepValues]| mean(s[900..].iter().map(|v| v.grad_norm_g));
    let (minimax, non_saturating) = (train(minimax, 1000), train(non_saturating, 1000));
    // Averaged over the last 100 steps: single steps of this chaotic game still spike.
    let (d_fake, loss_g) =
        (mean(minimax[900..].iter().map(|s| s.d_fake)), mean(minimax[900..].iter().map(|s| s.loss_g)));
    assert!(d_fake < 0.1 && loss_g > -0.1, "D should win, G's loss stay near 0: D(G(z)) {d_fake}, loss_g {loss_g}");
    assert!(
        late(&minimax) < 0.2 * late(&non_saturating),
        "‖∇L_G‖ minimax {} vs non-saturating {}",
        late(&minimax),
        late(&non_saturating)
    );
}

/// The critic learns to tell real from fake: its distance estimate grows from 0.
#[test]
fn wgan_critic_estimate_grows_from_zero() {
    let stats = train(presets::find("wgan_clip").unwrap().config, 100);
    let (first, late) = (stats[0].wasserstein, mean(stats[80..].iter().map(|s| s.wasserstein)));
    assert!(late > 0.0 && late > 10.0 * first.abs(), "W estimate {first} → {late}");
}

/// The gradient penalty holds the critic's input gradient near norm 1.
#[test]
fn gradient_penalty_keeps_the_input_gradient_near_one() {
    let stats = train(presets::find("wgan_gp").unwrap().config, 300);
    let late = mean(stats[250..].iter().map(|s| s.input_grad_norm));
    assert!((late - 1.0).abs() < 0.3, "mean ‖∇ₓD(x̂)‖ over the last 50 steps: {late}");
}
