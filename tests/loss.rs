//! The GAN losses against values computed by hand.

use burn::tensor::{Device, Tensor, TensorData};
use webgan::loss::{discriminator_loss, generator_loss, softplus};
use webgan::stats::floats;

fn column(values: &[f32]) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values.to_vec(), [values.len(), 1]), &Device::flex())
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
    let got = softplus(Tensor::<1>::from_data(TensorData::new(x.to_vec(), [x.len()]), &Device::flex()))
        .into_data();
    let got = floats(got);
    // log(1 + e^x), by hand: e^-100 ≈ 3.7e-44, log(1+e^-1) = 0.3132617, log 2 = 0.6931472,
    // log(1+e^0.5) = 0.9740770, and for large x, x + log(1+e^-x) = x.
    let want = [3.720076e-44f32, 9.357623e-14, 0.3132617, 0.6931472, 0.9740770, 30.0, 100.0];
    for (g, w) in got.iter().zip(want) {
        assert!(close(*g, w), "softplus gave {g}, expected {w}");
    }
}

#[test]
fn discriminator_loss_is_binary_cross_entropy() {
    // d_real = [2, -1]: −log σ(2) = 0.126928, −log σ(−1) = 1.313262 → mean 0.720095.
    // d_fake = [0, -3]: −log(1−σ(0)) = 0.693147, −log(1−σ(−3)) = 0.048587 → mean 0.370867.
    let loss = scalar(discriminator_loss(column(&[2.0, -1.0]), column(&[0.0, -3.0])));
    assert!(close(loss, 0.720095 + 0.370867), "loss_d = {loss}");
}

#[test]
fn generator_loss_is_non_saturating() {
    // −log σ(d_fake) for d_fake = [−2, 1]: 2.126928 and 0.313262 → mean 1.220095.
    let loss = scalar(generator_loss(column(&[-2.0, 1.0])));
    assert!(close(loss, 1.220095), "loss_g = {loss}");
}

#[test]
fn losses_stay_finite_at_extreme_logits() {
    // A perfect, over-confident D: real logits +30, fake −30. L_D ≈ 2·e^−30 ≈ 1.87e-13 (not 0·log 0 = NaN),
    // and the non-saturating L_G ≈ 30 (not inf).
    let loss_d = scalar(discriminator_loss(column(&[30.0]), column(&[-30.0])));
    let loss_g = scalar(generator_loss(column(&[-30.0])));
    assert!(loss_d.is_finite() && loss_d >= 0.0 && loss_d < 1e-12, "loss_d = {loss_d}");
    assert!(close(loss_g, 30.0), "loss_g = {loss_g}");
}
