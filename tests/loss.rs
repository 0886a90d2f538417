//! Every GAN loss and penalty against values computed by hand, at ordinary and extreme logits.

use burn::tensor::{Device, Tensor, TensorData};
use webgan::config::GanLoss;
use webgan::tensor::floats;
use webgan::train::loss::{gradient_penalty, r1_penalty, softplus};

fn column(values: &[f32]) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values.to_vec(), [values.len(), 1]), &Device::flex())
}

fn rows(values: &[f32], width: usize) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values.to_vec(), [values.len() / width, width]), &Device::flex())
}

fn scalar(t: Tensor<1>) -> f32 {
    floats(t.into_data())[0]
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-5 * (1.0 + b.abs())
}

#[test]
fn softplus_matches_its_definition_and_never_overflows() {
    let x = [-100.0f32, -30.0, -1.0, 0.0, 0.5, 30.0, 100.0];
    let got =
        floats(softplus(Tensor::<1>::from_data(TensorData::new(x.to_vec(), [x.len()]), &Device::flex())).into_data());
    // log(1 + e^x), by hand: e^-100 ≈ 3.72e-44 (3.8e-44 is the nearest f32, a subnormal),
    // log(1+e^-1) = 0.3132617, log 2, log(1+e^0.5) = 0.974077, and for large x, x + log(1+e^-x) = x.
    let want = [3.8e-44f32, 9.357623e-14, 0.3132617, std::f32::consts::LN_2, 0.974077, 30.0, 100.0];
    for (g, w) in got.iter().zip(want) {
        assert!(close(*g, w), "softplus gave {g}, expected {w}");
    }
}

/// `(loss, d_real, d_fake, real_label, L_D, L_G)`.
type Case = (GanLoss, [f32; 2], [f32; 2], f64, f32, f32);

/// The cases, each worked out by hand in the comment above it.
fn cases() -> Vec<Case> {
    use GanLoss::*;
    vec![
        // Cross-entropy D: real [2, −1]: −log σ(2) = 0.126928, −log σ(−1) = 1.313262 → 0.720095;
        // fake [0, −3]: −log(1 − σ(0)) = 0.693147, −log(1 − σ(−3)) = 0.048587 → 0.370867.
        // Minimax G: mean log(1 − σ(d_fake)) = −0.370867. Non-saturating G: −log σ(0) = 0.693147,
        // −log σ(−3) = 3.048587 → 1.870867.
        (Minimax, [2.0, -1.0], [0.0, -3.0], 1.0, 0.720095 + 0.370867, -0.370867),
        (NonSaturating, [2.0, -1.0], [0.0, -3.0], 1.0, 0.720095 + 0.370867, 1.870867),
        // Label smoothing t = 0.9 adds 0.1·(softplus(d) − softplus(−d)) = 0.1·d on each real:
        // 0.1 · mean(2, −1) = 0.05.
        (NonSaturating, [2.0, -1.0], [0.0, -3.0], 0.9, 0.720095 + 0.370867 + 0.05, 1.870867),
        // LSGAN: ½[mean((2−1)², (−1−1)²) + mean(0², (−3)²)] = ½[2.5 + 4.5] = 3.5;
        // G: ½ mean((0−1)², (−3−1)²) = ½ · 8.5 = 4.25.
        (LeastSquares, [2.0, -1.0], [0.0, -3.0], 1.0, 3.5, 4.25),
        // With t = 0.9: ½[mean(1.1², 1.9²) + 4.5] = ½[(1.21 + 3.61)/2 + 4.5] = 3.455.
        (LeastSquares, [2.0, -1.0], [0.0, -3.0], 0.9, 3.455, 4.25),
        // Hinge: mean(relu(1−2), relu(1+1)) + mean(relu(1+0), relu(1−3)) = 1 + 0.5; G: −mean(0, −3) = 1.5.
        (Hinge, [2.0, -1.0], [0.0, -3.0], 1.0, 1.5, 1.5),
        // Wasserstein: mean d_fake − mean d_real = −1.5 − 0.5 = −2; G: −mean d_fake = 1.5.
        (WganClip, [2.0, -1.0], [0.0, -3.0], 1.0, -2.0, 1.5),
        (WganGp, [2.0, -1.0], [0.0, -3.0], 0.9, -2.0, 1.5),
        // Extreme logits, D perfectly confident (real +30, fake −30) and perfectly fooled (real −30, fake +30).
        // Cross-entropy D: 2·softplus(−30) = 1.87e-13 (not 0·log 0 = NaN); fooled: 2·30 = 60.
        // Minimax G: −softplus(−30) = −9.36e-14; fooled: −softplus(30) = −30. NS G: softplus(30) = 30; fooled: ≈ 0.
        (Minimax, [30.0, 30.0], [-30.0, -30.0], 1.0, 1.871525e-13, -9.357623e-14),
        (Minimax, [-30.0, -30.0], [30.0, 30.0], 1.0, 60.0, -30.0),
        (NonSaturating, [30.0, 30.0], [-30.0, -30.0], 1.0, 1.871525e-13, 30.0),
        (NonSaturating, [-30.0, -30.0], [30.0, 30.0], 1.0, 60.0, 9.357623e-14),
        // LSGAN: ½[(30−1)² + 30²] = 870.5, G: ½(−31)² = 480.5. Hinge: 0 and G 30. WGAN: −60 and G 30.
        (LeastSquares, [30.0, 30.0], [-30.0, -30.0], 1.0, 870.5, 480.5),
        (Hinge, [30.0, 30.0], [-30.0, -30.0], 1.0, 0.0, 30.0),
        (Hinge, [-30.0, -30.0], [30.0, 30.0], 1.0, 62.0, -30.0),
        (WganGp, [30.0, 30.0], [-30.0, -30.0], 1.0, -60.0, 30.0),
    ]
}

#[test]
fn every_loss_matches_hand_computed_values_and_stays_finite() {
    for (loss, real, fake, label, want_d, want_g) in cases() {
        let got_d = scalar(loss.discriminator(column(&real), column(&fake), label));
        let got_g = scalar(loss.generator(column(&fake)));
        assert!(got_d.is_finite() && got_g.is_finite(), "{loss:?} at {real:?}/{fake:?}: {got_d}, {got_g}");
        assert!(close(got_d, want_d), "{loss:?} L_D at {real:?}/{fake:?} (t = {label}): {got_d}, expected {want_d}");
        assert!(close(got_g, want_g), "{loss:?} L_G at {fake:?}: {got_g}, expected {want_g}");
    }
}

#[test]
fn every_loss_is_covered() {
    let covered: Vec<GanLoss> = cases().iter().map(|c| c.0).collect();
    assert!(GanLoss::ALL.iter().all(|l| covered.contains(l)));
}

#[test]
fn penalties_match_hand_computed_values() {
    // Input gradients with norms 5 (3-4-0) and 0.5 (0-0.3-0.4).
    let grads = [3.0, 4.0, 0.0, 0.0, 0.3, 0.4];
    // WGAN-GP: λ · mean((5 − 1)², (0.5 − 1)²) = 10 · (16 + 0.25) / 2 = 81.25.
    assert!(close(scalar(gradient_penalty(rows(&grads, 3), 10.0)), 81.25));
    // R1: γ/2 · mean(25, 0.25) = 0.5 · 12.625 = 6.3125 for γ = 1.
    assert!(close(scalar(r1_penalty(rows(&grads, 3), 1.0)), 6.3125));
}
