//! Each optimiser's update against hand-computed values on a two-weight "network", and what
//! retuning a running optimiser keeps.

use burn::module::{Module, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};
use webgan::optim::{NetworkOptimizer, OptimizerConfig, OptimizerKind};
use webgan::stats::floats;

/// Two weights w; the loss ½‖w‖² has gradient w, so updates are easy to follow by hand.
#[derive(Module, Debug)]
struct Weights {
    w: Param<Tensor<1>>,
}

fn start() -> Weights {
    let device = Device::flex().autodiff();
    Weights { w: Param::from_tensor(Tensor::from_data(TensorData::new(vec![1.0f32, -2.0], [2]), &device)) }
}

fn step(optimizer: &mut NetworkOptimizer, weights: Weights) -> Weights {
    let loss = weights.w.val().square().sum().mul_scalar(0.5);
    let grads = GradientsParams::from_grads(loss.backward(), &weights);
    let lr = optimizer.config().lr;
    optimizer.step(lr, weights, grads)
}

fn values(weights: &Weights) -> Vec<f32> {
    floats(weights.w.val().into_data())
}

fn assert_close(got: &[f32], want: [f64; 2], what: &str) {
    for (g, w) in got.iter().zip(want) {
        assert!((*g as f64 - w).abs() < 1e-5, "{what}: got {got:?}, expected {want:?}");
    }
}

/// The weights after one and after two steps from w = (1, −2).
fn two_steps(config: OptimizerConfig) -> (Vec<f32>, Vec<f32>) {
    let mut optimizer = NetworkOptimizer::new(config);
    let once = step(&mut optimizer, start());
    let first = values(&once);
    (first, values(&step(&mut optimizer, once)))
}

#[test]
fn each_update_rule_matches_the_hand_computed_steps() {
    let base = OptimizerConfig { lr: 0.1, ..OptimizerConfig::default() };
    // (kind, w after step 1, w after step 2), worked out in the comments.
    let cases = [
        // SGD: w ← w − 0.1·w = 0.9·w each step.
        (OptimizerKind::Sgd, base, [0.9, -1.8], [0.81, -1.62]),
        // Momentum μ = 0.9: v₁ = g₀ = (1, −2), w₁ = (0.9, −1.8); v₂ = 0.9·v₁ + w₁ = (1.8, −3.6),
        // w₂ = w₁ − 0.1·v₂ = (0.72, −1.44).
        (OptimizerKind::Momentum, base, [0.9, -1.8], [0.72, -1.44]),
        // Nesterov: step along g + μ·v. Step 1: 1.9·g₀ → w₁ = (0.81, −1.62). Step 2: v₂ = 0.9·(1, −2)
        // + (0.81, −1.62) = (1.71, −3.42); g + μ·v₂ = (2.349, −4.698) → w₂ = (0.5751, −1.1502).
        (OptimizerKind::Nesterov, base, [0.81, -1.62], [0.5751, -1.1502]),
        // Adam β = (0.5, 0.999), ε = 1e-8: the first bias-corrected step is lr·g/|g| = ±0.1;
        // the second, m̂ = (0.25·g₀ + 0.5·g₁)/0.75, v̂ = (0.000999·g₀² + 0.001·g₁²)/0.001999.
        (OptimizerKind::Adam, base, [0.9, -1.9], [0.8018876, -1.8008860]),
        // RMSprop α = 0.99, lr 0.01: a₁ = 0.01·g₀², so the first step is 0.01·g/(0.1·|g|) = ±0.1;
        // then a₂ = 0.99·a₁ + 0.01·g₁² and w₂ = w₁ − 0.01·g₁/√a₂.
        (OptimizerKind::RmsProp, OptimizerConfig { lr: 0.01, ..base }, [0.9, -1.9], [0.8329180, -1.8309433]),
    ];
    for (kind, config, want_1, want_2) in cases {
        let (first, second) = two_steps(OptimizerConfig { kind, ..config });
        assert_close(&first, want_1, &format!("{kind:?}, step 1"));
        assert_close(&second, want_2, &format!("{kind:?}, step 2"));
    }
}

#[test]
fn retuning_keeps_the_state_and_a_new_algorithm_starts_afresh() {
    let momentum =
        OptimizerConfig { kind: OptimizerKind::Momentum, lr: 0.1, momentum: 0.9, ..OptimizerConfig::default() };

    // μ 0.9 → 0.5 after one step keeps the velocity v₁ = (1, −2): v₂ = 0.5·v₁ + w₁ = (1.4, −2.8),
    // w₂ = (0.9, −1.8) − 0.1·v₂ = (0.76, −1.52).
    let mut optimizer = NetworkOptimizer::new(momentum);
    let weights = step(&mut optimizer, start());
    assert!(!optimizer.configure(OptimizerConfig { momentum: 0.5, ..momentum }), "same algorithm: no reset");
    assert_close(&values(&step(&mut optimizer, weights)), [0.76, -1.52], "retuned momentum");

    // Momentum → Nesterov is a new algorithm: had the velocity been kept, step 2 would move by
    // 0.1·(g₁ + 0.9·(0.9·v₁ + g₁)) to (0.648, −1.296); started afresh, v₂ = g₁ and it moves by
    // 0.1·1.9·g₁, to 0.81·w₁ = (0.729, −1.458).
    let mut optimizer = NetworkOptimizer::new(momentum);
    let weights = step(&mut optimizer, start());
    assert!(
        optimizer.configure(OptimizerConfig { kind: OptimizerKind::Nesterov, ..momentum }),
        "a new algorithm resets"
    );
    assert_close(&values(&step(&mut optimizer, weights)), [0.729, -1.458], "fresh Nesterov");
}
