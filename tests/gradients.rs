//! The discriminator's explicit input gradient ∇ₓD(x), and the parameter gradients of the
//! penalties built on it, against central finite differences (and burn's own autodiff).

mod common;

use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};
use webgan::data::PIXELS;
use webgan::model::mlp::Discriminator;
use webgan::rng::Rng;
use webgan::tensor::floats;
use webgan::train::loss::{gradient_penalty, r1_penalty};

const BATCH: usize = 4;
const HIDDEN: usize = 16;

fn device() -> Device {
    Device::flex().autodiff()
}

fn setup(seed: u64) -> (Discriminator, Tensor<2>) {
    let mut rng = Rng::new(seed);
    let d = Discriminator::new(webgan::data::PIXELS, HIDDEN, &mut rng, &device());
    let x: Vec<f32> = (0..BATCH * PIXELS).map(|_| rng.uniform()).collect();
    (d, Tensor::from_data(TensorData::new(x, [BATCH, PIXELS]), &device()))
}

fn relative_error(got: &[f64], want: &[f64]) -> f64 {
    let diff: f64 = got.iter().zip(want).map(|(a, b)| (a - b).powi(2)).sum();
    let norm: f64 = want.iter().map(|b| b * b).sum();
    (diff / norm).sqrt()
}

fn f64s(t: Tensor<2>) -> Vec<f64> {
    floats(t.into_data()).into_iter().map(f64::from).collect()
}

/// The signs of every hidden pre-activation: while they stay the same, D is linear in x and the
/// input gradient smooth in the weights, so central differences are exact up to rounding.
fn pattern(d: &Discriminator, x: &Tensor<2>) -> Vec<bool> {
    let pre1 = d.input.forward(x.clone());
    let pre2 = d.hidden.forward(burn::tensor::activation::leaky_relu(pre1.clone(), 0.2));
    floats(Tensor::cat(vec![pre1, pre2], 1).into_data()).into_iter().map(|v| v > 0.0).collect()
}

#[test]
fn input_gradient_matches_finite_differences_and_autodiff() {
    for seed in 0..3 {
        let (d, x) = setup(seed);
        let (_, grad) = d.forward_with_input_gradient(x.clone());
        let grad = f64s(grad);

        // burn's autodiff on the input, as a second witness.
        let x_leaf = x.clone().detach().require_grad();
        let mut grads = d.forward(x_leaf.clone()).sum().backward();
        let autodiff = f64s(x_leaf.grad_remove(&mut grads).expect("x has a gradient"));
        assert!(relative_error(&grad, &autodiff) < 1e-5, "seed {seed}: explicit vs autodiff");

        // Central differences, every pixel of every digit: rows x ± h·eᵢ evaluated as one batch.
        let h = 1e-2f32;
        let xs = floats(x.into_data());
        let mut numeric = Vec::with_capacity(BATCH * PIXELS);
        for digit in xs.chunks_exact(PIXELS) {
            let mut probes = Vec::with_capacity(2 * PIXELS * PIXELS);
            for i in 0..PIXELS {
                for sign in [1.0, -1.0] {
                    let mut probe = digit.to_vec();
                    probe[i] += sign * h;
                    probes.extend(probe);
                }
            }
            let probes = Tensor::from_data(TensorData::new(probes, [2 * PIXELS, PIXELS]), &device());
            let logits = floats(d.forward(probes).into_data());
            numeric.extend(logits.chunks_exact(2).map(|pair| f64::from(pair[0] - pair[1]) / (2.0 * f64::from(h))));
        }
        let error = relative_error(&grad, &numeric);
        assert!(error < 1e-3, "seed {seed}: relative error {error} against finite differences");
    }
}

#[test]
fn penalty_parameter_gradients_match_finite_differences() {
    type Penalty = fn(&Discriminator, &Tensor<2>) -> Tensor<1>;
    let penalties: [(&str, Penalty); 2] = [
        ("gradient penalty", |d, x| gradient_penalty(d.forward_with_input_gradient(x.clone()).1, 10.0)),
        ("R1", |d, x| r1_penalty(d.forward_with_input_gradient(x.clone()).1, 10.0)),
    ];
    for (name, penalty) in penalties {
        let (d, x) = setup(7);
        let grads = GradientsParams::from_grads(penalty(&d, &x).backward(), &d);
        let layers = [&d.input, &d.hidden, &d.output];
        for (layer, linear) in layers.into_iter().enumerate() {
            // Directions in this layer's weights: the gradient's own (the best-conditioned check of
            // its length) and the unit vectors of its three largest entries (of single entries).
            // Along each unit direction U autodiff's derivative is ⟨∇W P, U⟩, the numeric one
            // (P(W + hU) − P(W − hU)) / 2h.
            let weight_grad = floats(grads.get::<2>(linear.weight.id).expect("the weight has a gradient").into_data());
            let norm = weight_grad.iter().map(|g| g * g).sum::<f32>().sqrt();
            let mut largest: Vec<usize> = (0..weight_grad.len()).collect();
            largest.sort_by(|&i, &j| weight_grad[j].abs().total_cmp(&weight_grad[i].abs()));
            let mut directions = vec![weight_grad.iter().map(|g| g / norm).collect::<Vec<f32>>()];
            for &i in &largest[..3] {
                let mut unit = vec![0.0; weight_grad.len()];
                unit[i] = 1.0;
                directions.push(unit);
            }
            for u in directions {
                let analytic: f64 = weight_grad.iter().zip(&u).map(|(g, u)| f64::from(*g) * f64::from(*u)).sum();
                let (plus, minus, h) = common::smooth_pair(&d, linear.weight.id, &u, 1e-2, |d| pattern(d, &x));
                let value = |d: &Discriminator| f64::from(floats(penalty(d, &x).into_data())[0]);
                let numeric = (value(&plus) - value(&minus)) / (2.0 * f64::from(h));
                let error = (analytic - numeric).abs() / analytic.abs();
                assert!(
                    error < 1e-3,
                    "{name}, layer {layer}: autodiff {analytic} vs finite differences {numeric} (h = {h})"
                );
            }
        }
    }
}
