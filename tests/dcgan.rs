//! The DCGAN and the conditional GAN: shapes in both modes, batch norm in training and sampling
//! mode against hand-computed values, the convolutional discriminator's explicit input gradient
//! and the penalties built on it against autodiff and finite differences, and what short runs
//! learn.

mod common;

use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};
use webgan::config::Architecture;
use webgan::config::GanLoss;
use webgan::data::CLASSES;
use webgan::data::PIXELS;
use webgan::judge::Judge;
use webgan::model::batch_norm::{BatchNorm, Statistics};
use webgan::model::{Discriminator, Generator};
use webgan::rng::Rng;
use webgan::tensor::floats;
use webgan::train::loss::{gradient_penalty, r1_penalty};
use webgan::{TrainConfig, Trainer, device};

const CLASSIFIER: &[u8] = include_bytes!("../www/models/classifier.bin");
const REFERENCE: &[u8] = include_bytes!("../www/models/fid_reference.bin");

fn device() -> Device {
    Device::flex().autodiff()
}

fn values(t: Tensor<2>) -> Vec<f32> {
    floats(t.into_data())
}

fn one_hot(labels: &[usize]) -> Tensor<2> {
    let v: Vec<f32> = labels.iter().flat_map(|&l| (0..CLASSES).map(move |c| (c == l) as u8 as f32)).collect();
    Tensor::from_data(TensorData::new(v, [labels.len(), CLASSES]), &device())
}

fn uniform(rng: &mut Rng, shape: [usize; 2]) -> Tensor<2> {
    let v: Vec<f32> = (0..shape[0] * shape[1]).map(|_| rng.uniform()).collect();
    Tensor::from_data(TensorData::new(v, shape), &device())
}

fn dcgan(conditional: bool) -> TrainConfig {
    TrainConfig { model: Architecture::Dcgan, conditional, channels: 8, latent_dim: 12, ..TrainConfig::default() }
}

#[test]
fn every_model_has_the_right_shapes_in_both_modes() {
    for model in [Architecture::Mlp, Architecture::Dcgan] {
        for conditional in [false, true] {
            let config = TrainConfig {
                model,
                conditional,
                hidden: 8,
                hidden_d: 8,
                channels: 8,
                latent_dim: 12,
                ..TrainConfig::default()
            };
            let mut rng = Rng::new(1);
            let (mut g, mut d) =
                (Generator::new(&config, &mut rng, &device()), Discriminator::new(&config, &mut rng, &device()));
            let labels = || conditional.then(|| one_hot(&[0, 3, 9, 3, 5]));
            let z = uniform(&mut rng, [5, 12]);
            for x in [g.forward(z.clone(), labels()), g.forward_train(z.clone(), labels())] {
                assert_eq!(x.dims(), [5, PIXELS], "{config:?}");
                assert!(values(x).iter().all(|v| (0.0..=1.0).contains(v)), "G draws pixels in [0, 1]");
            }
            let x = uniform(&mut rng, [5, PIXELS]);
            assert_eq!(d.forward(x.clone(), labels()).dims(), [5, 1]);
            assert_eq!(d.forward_train(x.clone(), labels()).dims(), [5, 1]);
            let (logits, grad) = d.forward_with_input_gradient(x, labels());
            assert_eq!((logits.dims(), grad.dims()), ([5, 1], [5, PIXELS]));
        }
    }
}

#[test]
fn batch_norm_trains_on_the_batch_and_samples_with_running_statistics() {
    let mut norm = BatchNorm::new(2, &device());
    // Four samples, one pixel, two channels: channel 0 holds 1, 2, 3, 4 and channel 1 0, 0, 0, 8.
    let x = Tensor::<4>::from_data(
        TensorData::new(vec![1.0f32, 0.0, 2.0, 0.0, 3.0, 0.0, 4.0, 8.0], [4, 2, 1, 1]),
        &device(),
    );
    let frozen = norm.clone();
    let out = floats(norm.forward_train(x.clone()).into_data());
    // Channel 0: mean 2.5, biased variance 1.25; channel 1: mean 2, biased variance 12.
    let want = [-1.5 / 1.25f32.sqrt(), -2.0 / 12f32.sqrt(), -0.5 / 1.25f32.sqrt(), -2.0 / 12f32.sqrt()];
    for (got, want) in out.iter().zip(want) {
        assert!((got - want).abs() < 1e-4, "training output {out:?}");
    }
    // Running statistics: 0.9·(0, 1) + 0.1·(mean, unbiased variance 5/3 and 16).
    let mean = floats(norm.running_mean.val().into_data());
    let var = floats(norm.running_var.val().into_data());
    assert!((mean[0] - 0.25).abs() < 1e-6 && (mean[1] - 0.2).abs() < 1e-6, "{mean:?}");
    assert!((var[0] - (0.9 + 1.0 / 6.0)).abs() < 1e-5 && (var[1] - 2.5).abs() < 1e-5, "{var:?}");
    // The copy taken before is untouched: every copy of a network owns its statistics.
    assert_eq!(floats(frozen.running_mean.val().into_data()), [0.0, 0.0]);

    // Sampling: (x − running mean)/√(running var + ε), each sample on its own.
    let sampled = floats(norm.forward(x.clone()).into_data());
    assert!((sampled[0] - (1.0 - 0.25) / (0.9f32 + 1.0 / 6.0 + 1e-5).sqrt()).abs() < 1e-5, "{sampled:?}");
    let alone = floats(norm.forward(x.clone().narrow(0, 0, 1)).into_data());
    assert_eq!(alone[..2], sampled[..2], "a sample's output does not depend on its batch when sampling");
    let trained_alone = floats(norm.normalise(x.clone().narrow(0, 0, 2), Statistics::Batch).output.into_data());
    assert_ne!(trained_alone[..2], out[..2], "while training it does");

    // Per sample (γ = 1, β = 0 still): sample 0 holds 1, 0 (mean 0.5, variance 0.25), sample 3
    // holds 4, 8 (mean 6, variance 4), so each becomes about −1, +1 in some order.
    let per_sample = floats(norm.normalise(x.clone(), Statistics::Sample).output.into_data());
    let unit = |v: f32| (v.abs() - 1.0).abs() < 1e-4;
    assert!(per_sample[0] > 0.0 && per_sample[6] < 0.0 && per_sample.iter().all(|&v| unit(v)), "{per_sample:?}");
    let alone = floats(norm.normalise(x.narrow(0, 3, 1), Statistics::Sample).output.into_data());
    assert_eq!(alone[..], per_sample[6..], "per sample, the batch does not matter while training either");
}

/// Statistics of a trained D's layer of normalisation: a gradient penalty makes it normalise each
/// digit on its own, in training and sampling alike, and switching the loss switches it back.
#[test]
fn a_critic_under_a_gradient_penalty_scores_each_digit_on_its_own() {
    let statistics = |trainer: &Trainer| match trainer.discriminator() {
        Discriminator::Dcgan(d) => d.statistics,
        Discriminator::Mlp(_) => unreachable!("the run is a DCGAN"),
    };
    let digits = common::digits();
    let config = TrainConfig { loss: GanLoss::WganGp, batch_size: 8, ..dcgan(false) };
    let mut trainer = Trainer::new(config.clone(), &digits, &device()).unwrap();
    assert_eq!(statistics(&trainer), Statistics::Sample);
    trainer.step();
    let Discriminator::Dcgan(d) = trainer.discriminator() else { unreachable!() };
    assert_eq!(floats(d.norm.running_mean.val().into_data()), vec![0.0; 8], "nothing is tracked per digit");
    let mut d = trainer.discriminator().clone();
    let mut rng = Rng::new(5);
    let x = uniform(&mut rng, [6, PIXELS]);
    let alone = values(d.forward_train(x.clone().narrow(0, 0, 2), None));
    let batch = values(d.forward_train(x.clone(), None));
    let sampled = values(d.forward(x.clone(), None));
    for i in 0..2 {
        assert!((alone[i] - batch[i]).abs() < 1e-5 && (sampled[i] - batch[i]).abs() < 1e-5, "{alone:?} {batch:?}");
    }
    for (loss, r1_gamma, want) in [
        (GanLoss::Hinge, 0.0, Statistics::Batch),
        (GanLoss::Hinge, 1.0, Statistics::Sample),
        (GanLoss::WganGp, 0.0, Statistics::Sample),
    ] {
        trainer.set_config(TrainConfig { loss, r1_gamma, ..config.clone() }).unwrap();
        assert_eq!(statistics(&trainer), want, "{loss:?} with R1 γ = {r1_gamma}");
    }
    trainer.set_config(TrainConfig { loss: GanLoss::Hinge, ..config }).unwrap();
    let mut d = trainer.discriminator().clone();
    let alone = values(d.forward_train(x.clone().narrow(0, 0, 2), None));
    assert!((alone[0] - values(d.forward_train(x, None))[0]).abs() > 1e-6, "over the batch, the batch matters");
}

#[test]
fn dcgan_generator_samples_independently_of_the_batch_only_when_sampling() {
    let config = dcgan(false);
    let mut rng = Rng::new(2);
    let mut g = Generator::new(&config, &mut rng, &device());
    let z = uniform(&mut rng, [6, 12]).sub_scalar(0.5).mul_scalar(4.0);
    let first = |t: Tensor<2>| values(t)[..PIXELS].to_vec();
    assert_eq!(first(g.forward(z.clone(), None)), first(g.forward(z.clone().narrow(0, 0, 1), None)));
    let mut other = g.clone();
    assert_ne!(first(g.forward_train(z.clone(), None)), first(other.forward_train(z.narrow(0, 0, 3), None)));
}

/// The gradient of Σ D(x) (training mode) by burn's autodiff on the input.
fn autodiff_input_gradient(d: &Discriminator, x: &Tensor<2>, labels: Option<Tensor<2>>) -> Vec<f64> {
    let leaf = x.clone().detach().require_grad();
    let mut grads = d.clone().forward_train(leaf.clone(), labels).sum().backward();
    values(leaf.grad_remove(&mut grads).expect("x has a gradient")).into_iter().map(f64::from).collect()
}

fn relative_error(got: &[f64], want: &[f64]) -> f64 {
    let diff: f64 = got.iter().zip(want).map(|(a, b)| (a - b).powi(2)).sum();
    (diff / want.iter().map(|b| b * b).sum::<f64>()).sqrt()
}

#[test]
fn dcgan_input_gradient_matches_autodiff_and_finite_differences() {
    for (conditional, loss) in
        [(false, GanLoss::NonSaturating), (true, GanLoss::NonSaturating), (true, GanLoss::WganGp)]
    {
        let config = TrainConfig { loss, ..dcgan(conditional) };
        let mut rng = Rng::new(3);
        let d = Discriminator::new(&config, &mut rng, &device());
        let x = uniform(&mut rng, [4, PIXELS]);
        let labels = || conditional.then(|| one_hot(&[1, 7, 7, 2]));
        let (_, grad) = d.clone().forward_with_input_gradient(x.clone(), labels());
        let grad: Vec<f64> = values(grad).into_iter().map(f64::from).collect();
        let autodiff = autodiff_input_gradient(&d, &x, labels());
        let error = relative_error(&grad, &autodiff);
        assert!(error < 1e-4, "conditional {conditional}, {loss:?}: explicit vs autodiff, relative error {error}");

        // Central differences of Σ D(x) at 64 pixels: batch norm couples the digits, so each
        // probe is a whole batch (layer norm does not, and the sum is the same).
        let xs = values(x);
        let h = 1e-2f32;
        let sum = |probe: Vec<f32>| -> f64 {
            let t = Tensor::from_data(TensorData::new(probe, [4, PIXELS]), &device());
            f64::from(floats(d.clone().forward_train(t, labels()).sum().into_data())[0])
        };
        let (mut numeric, mut explicit) = (Vec::new(), Vec::new());
        for k in 0..64 {
            let i = (k * 9973) % (4 * PIXELS);
            let (mut plus, mut minus) = (xs.clone(), xs.clone());
            plus[i] += h;
            minus[i] -= h;
            numeric.push((sum(plus) - sum(minus)) / (2.0 * f64::from(h)));
            explicit.push(grad[i]);
        }
        let error = relative_error(&explicit, &numeric);
        assert!(error < 1e-2, "conditional {conditional}, {loss:?}: relative error {error} against finite differences");
    }
}

/// The signs of every LeakyReLU input of an unconditional DCGAN D on `x`: while they stay
/// the same, the input gradient is smooth in the weights and central differences are exact up
/// to rounding.
fn pattern(d: &webgan::model::dcgan::Discriminator, x: &Tensor<2>) -> Vec<bool> {
    let pre1 = d.down1.forward(x.clone().reshape([4, 1, 28, 28]));
    let pre2 = d.down2.forward(burn::tensor::activation::leaky_relu(pre1.clone(), 0.2));
    let normalised = d.norm.normalise(pre2, d.statistics).output;
    let signs = |t: Tensor<4>| floats(t.into_data()).into_iter().map(|v| v > 0.0);
    signs(pre1).chain(signs(normalised)).collect()
}

#[test]
fn dcgan_penalty_gradients_match_finite_differences() {
    type Penalty = fn(Tensor<2>) -> Tensor<1>;
    let penalties: [(&str, Penalty); 2] =
        [("gradient penalty", |g| gradient_penalty(g, 10.0)), ("R1", |g| r1_penalty(g, 1e4))];
    // The penalty's own loss normalises each digit on its own; over the batch, as when the
    // saliency view asks an unpenalised D, the chain rule holds all the same.
    let runs = penalties.into_iter().flat_map(|p| [(p, GanLoss::WganGp), (p, GanLoss::NonSaturating)]);
    for ((name, penalty), loss) in runs {
        let mut rng = Rng::new(4);
        let config = TrainConfig { loss, ..dcgan(false) };
        let Discriminator::Dcgan(d) = Discriminator::new(&config, &mut rng, &device()) else { unreachable!() };
        let x = uniform(&mut rng, [4, PIXELS]);
        let labels = || None;
        let value = |d: &webgan::model::dcgan::Discriminator| {
            penalty(d.clone().forward_with_input_gradient(x.clone(), labels()).1)
        };
        let grads = GradientsParams::from_grads(value(&d).backward(), &d);
        let read_4 = |id| grads.get::<4>(id).map(|g| floats(g.into_data()));
        let weights = [
            ("conv 1", d.down1.weight.id, read_4(d.down1.weight.id)),
            ("conv 2", d.down2.weight.id, read_4(d.down2.weight.id)),
            ("batch norm γ", d.norm.gamma.id, grads.get::<1>(d.norm.gamma.id).map(|g| floats(g.into_data()))),
            ("linear", d.output.weight.id, grads.get::<2>(d.output.weight.id).map(|g| floats(g.into_data()))),
        ];
        for (layer, id, gradient) in weights {
            // Along the gradient's own direction u, autodiff's derivative is ‖∇P‖ and the
            // numeric one (P(W + hu) − P(W − hu)) / 2h.
            let gradient = gradient.unwrap_or_else(|| panic!("{name}: {layer} has a gradient"));
            let norm = gradient.iter().map(|g| g * g).sum::<f32>().sqrt();
            let u: Vec<f32> = gradient.iter().map(|g| g / norm).collect();
            let (plus, minus, h) = common::smooth_pair(&d, id, &u, 1e-3, |d| pattern(d, &x));
            let read = |d: webgan::model::dcgan::Discriminator| f64::from(floats(value(&d).into_data())[0]);
            let numeric = (read(plus) - read(minus)) / (2.0 * f64::from(h));
            let error = (f64::from(norm) - numeric).abs() / f64::from(norm);
            assert!(error < 2e-3, "{name}, {loss:?}, {layer}: autodiff {norm} vs finite differences {numeric}");
        }
    }
}

#[test]
fn a_short_dcgan_run_learns_and_every_loss_stays_finite() {
    let digits = common::digits();
    let device = device::cpu().device;
    for loss in [GanLoss::WganGp, GanLoss::Hinge, GanLoss::LeastSquares] {
        let config = TrainConfig { loss, r1_gamma: 1.0, batch_size: 16, ..dcgan(true) };
        let mut trainer = Trainer::new(config, &digits, &device).unwrap();
        for _ in 0..5 {
            trainer.step();
        }
        let stats = trainer.take_stats().unwrap().read();
        assert!(stats.iter().all(|s| s.is_finite() && s.input_grad_norm.is_finite()), "{loss:?}: {stats:?}");
    }
    // Non-saturating from the defaults but narrower: the discriminator's verdicts on the
    // samples and the samples themselves move.
    let config = TrainConfig { model: Architecture::Dcgan, channels: 32, batch_size: 32, ..TrainConfig::default() };
    let mut trainer = Trainer::new(config, &digits, &device).unwrap();
    let before = values(trainer.samples());
    for _ in 0..60 {
        trainer.step();
    }
    let stats = trainer.take_stats().unwrap().read();
    let (first, last) = (&stats[..10], &stats[50..]);
    let mean = |s: &[webgan::train::stats::StepValues]| s.iter().map(|v| v.loss_d).sum::<f32>() / s.len() as f32;
    assert!(mean(last) < mean(first), "D learns to tell: loss {} → {}", mean(first), mean(last));
    let after = values(trainer.samples());
    assert_eq!(after.len(), 64 * PIXELS);
    let change = before.iter().zip(&after).map(|(a, b)| (a - b).abs()).sum::<f32>() / before.len() as f32;
    assert!(change > 0.01, "the samples move: mean change {change}");
}

#[test]
fn a_conditional_gan_draws_the_digit_it_is_asked_for() {
    let digits = common::digits();
    let device = device::cpu().device;
    let config = TrainConfig { conditional: true, ..TrainConfig::default() };
    let mut trainer = Trainer::new(config, &digits, &device).unwrap();
    assert_eq!(trainer.grid_columns(), 10);
    assert_eq!(values(trainer.samples()).len(), 100 * PIXELS, "a row of ten per digit");
    for _ in 0..STEPS {
        trainer.step();
    }
    trainer.take_stats();
    // The metrics' samples ask for digit i % 10; the classifier says which digit each shows.
    let count = 500;
    let judge = Judge::new(CLASSIFIER, REFERENCE, &device).unwrap();
    let judged = values(judge.judge(trainer.eval_samples(count)));
    let hits = judged
        .chunks_exact(webgan::judge::classifier::FEATURES + CLASSES)
        .enumerate()
        .filter(|(i, row)| {
            let p = &row[webgan::judge::classifier::FEATURES..];
            (0..CLASSES).max_by(|&a, &b| p[a].total_cmp(&p[b])) == Some(i % CLASSES)
        })
        .count();
    let accuracy = hits as f64 / count as f64;
    assert!(accuracy > 0.4, "after {STEPS} steps {accuracy} of the digits are the asked-for one (chance 0.1)");
}

/// Steps of the conditional run.
const STEPS: usize = 4000;
