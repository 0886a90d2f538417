//! Each optimiser's update against hand-computed values on a two-weight "network", and what
//! retuning a running optimiser keeps.

use burn::module::{Module, Param, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};
use webgan::config::{OptimizerConfig, OptimizerKind};
use webgan::tensor::floats;
use webgan::train::optim::{Averaged, NetworkOptimizer, OptimizerStateError};
use webgan::train::params::ParamsError;

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
    optimizer.step(lr, weights, grads).module
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

/// A matrix, a vector and an untrained tensor of sizes that are not multiples of anything, so
/// that the update must lay the network's parameters end to end and put each back in place.
#[derive(Module, Debug)]
struct Net {
    matrix: Param<Tensor<2>>,
    vector: Param<Tensor<1>>,
    fixed: Param<Tensor<1>>,
}

fn net() -> Net {
    let device = Device::flex().autodiff();
    Net {
        matrix: Param::from_data(TensorData::new(vec![1.0f32, 2.0, 2.0, 0.0, -1.0, 3.0], [2, 3]), &device),
        vector: Param::from_data(TensorData::new(vec![5.0f32, -5.0, 0.5], [3]), &device),
        // Like batch norm's running statistics: a tensor of the network that is not trained.
        fixed: Param::initialized(ParamId::new(), Tensor::from_data(TensorData::new(vec![7.0f32], [1]), &device)),
    }
}

#[test]
fn a_whole_network_moves_parameter_by_parameter_and_reports_its_gradient_norm() {
    // L = Σ m²/2 + 2·Σ v: ∇m = m, ∇v = (2, 2, 2); ‖∇‖ = √(1 + 4 + 4 + 0 + 1 + 9 + 3·4) = √31.
    let n = net();
    let loss = n.matrix.val().square().sum().mul_scalar(0.5) + n.vector.val().sum().mul_scalar(2.0);
    let grads = GradientsParams::from_grads(loss.backward(), &n);
    let mut optimizer =
        NetworkOptimizer::new(OptimizerConfig { kind: OptimizerKind::Sgd, lr: 0.5, ..Default::default() });
    let stepped = optimizer.step(0.5, n, grads);
    let norm = floats(stepped.grad_norm.into_data())[0];
    assert!((norm - 31f32.sqrt()).abs() < 1e-5, "{norm}");
    // SGD with lr 0.5: m ← m/2, v ← v − 1; the untrained tensor stays.
    let n = stepped.module;
    assert_eq!(floats(n.matrix.val().into_data()), vec![0.5, 1.0, 1.0, 0.0, -0.5, 1.5]);
    assert_eq!(floats(n.vector.val().into_data()), vec![4.0, -6.0, -0.5]);
    assert_eq!(floats(n.fixed.val().into_data()), vec![7.0]);
    assert!(n.matrix.val().is_require_grad() && !n.fixed.val().is_require_grad());
}

#[test]
fn weight_clipping_clamps_the_update_and_the_next_update_starts_from_the_clamped_weights() {
    // The loss of the test above with SGD at lr 0.5 and c = 1. Step 1: m ← m/2 = (0.5, 1, 1, 0,
    // −0.5, 1.5) and v ← v − 1 = (4, −6, −0.5), clamped to m = (0.5, 1, 1, 0, −0.5, 1) and
    // v = (1, −1, −0.5). Step 2 from there: m ← m/2 and v ← v − 1 = (0, −2, −1.5), clamped to
    // (0, −1, −1); starting from the unclamped weights would give m₆ = 1.5 − 0.5 = 1.
    let sgd = OptimizerConfig { kind: OptimizerKind::Sgd, lr: 0.5, ..Default::default() };
    let loss = |n: &Net| n.matrix.val().square().sum().mul_scalar(0.5) + n.vector.val().sum().mul_scalar(2.0);
    let update = |optimizer: &mut NetworkOptimizer, n: Net| {
        let grads = GradientsParams::from_grads(loss(&n).backward(), &n);
        optimizer.step_clipped(0.5, 1.0, n, grads).module
    };
    let mut optimizer = NetworkOptimizer::new(sgd);
    let once = update(&mut optimizer, net());
    assert_eq!(floats(once.matrix.val().into_data()), vec![0.5, 1.0, 1.0, 0.0, -0.5, 1.0]);
    assert_eq!(floats(once.vector.val().into_data()), vec![1.0, -1.0, -0.5]);
    assert!(once.matrix.val().is_require_grad(), "clipped weights are trained on");
    let twice = update(&mut optimizer, once);
    assert_eq!(floats(twice.matrix.val().into_data()), vec![0.25, 0.5, 0.5, 0.0, -0.25, 0.5]);
    assert_eq!(floats(twice.vector.val().into_data()), vec![0.0, -1.0, -1.0]);
    assert_eq!(floats(twice.fixed.val().into_data()), vec![7.0], "untrained tensors are not clipped");
}

#[test]
fn the_weight_average_blends_each_update_and_the_untrained_tensors() {
    // The loss of the tests above with SGD at lr 0.5 and decay 0.9, the average starting at the
    // network. Step 1: m = (0.5, 1, 1, 0, −0.5, 1.5), v = (4, −6, −0.5), and the untrained tensor
    // becomes 9 meanwhile (as batch norm's statistics change in a forward pass). Blend 1:
    // 0.9·(1, 2, 2, 0, −1, 3) + 0.1·m = (0.95, 1.9, 1.9, 0, −0.95, 2.85), v̄ = (4.9, −5.1, 0.4),
    // fixed 0.9·7 + 0.1·9 = 7.2. Step 2 halves m and takes 1 off v; blend 2: m̄ = (0.88, 1.76,
    // 1.76, 0, −0.88, 2.64), v̄ = (4.71, −5.29, 0.21), fixed 7.38.
    let sgd = OptimizerConfig { kind: OptimizerKind::Sgd, lr: 0.5, ..Default::default() };
    let loss = |n: &Net| n.matrix.val().square().sum().mul_scalar(0.5) + n.vector.val().sum().mul_scalar(2.0);
    let mut optimizer = NetworkOptimizer::new(sgd);
    let mut average = Averaged::new(net());
    assert_eq!(
        floats(optimizer.blend(average.clone(), &net(), 0.9).module.matrix.val().into_data())[5],
        3.0,
        "no update yet"
    );
    let mut current = net();
    for want in [
        ([0.95, 1.9, 1.9, 0.0, -0.95, 2.85], [4.9, -5.1, 0.4], 7.2),
        ([0.88, 1.76, 1.76, 0.0, -0.88, 2.64], [4.71, -5.29, 0.21], 7.38),
    ] {
        let grads = GradientsParams::from_grads(loss(&current).backward(), &current);
        current = optimizer.step(0.5, current, grads).module;
        let id = current.fixed.id;
        current.fixed = Param::initialized(
            id,
            Tensor::from_data(TensorData::new(vec![9.0f32], [1]), &current.fixed.val().device()),
        );
        average = optimizer.blend(average, &current, 0.9);
        let close = |got: Vec<f32>, want: &[f32]| got.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-5);
        let (m, v, fixed) = (&average.module.matrix, &average.module.vector, &average.module.fixed);
        assert!(close(floats(m.val().into_data()), &want.0), "{:?}", floats(m.val().into_data()));
        assert!(close(floats(v.val().into_data()), &want.1), "{:?}", floats(v.val().into_data()));
        assert!(close(floats(fixed.val().into_data()), &[want.2]), "{:?}", floats(fixed.val().into_data()));
        assert!(!m.val().is_require_grad(), "the average is not trained");
    }
}

#[test]
fn a_saved_state_continues_exactly() {
    // Two Adam steps in one go, against one step, a save and restore of the state, then the second.
    let adam = OptimizerConfig { lr: 0.1, ..OptimizerConfig::default() };
    let loss = |n: &Net| n.matrix.val().square().sum() + n.vector.val().powf_scalar(4.0).sum();
    let update = |optimizer: &mut NetworkOptimizer, n: Net| {
        let grads = GradientsParams::from_grads(loss(&n).backward(), &n);
        optimizer.step(0.1, n, grads).module
    };
    let mut straight = NetworkOptimizer::new(adam);
    let once = update(&mut straight, net());
    let (updates, gathered) = straight.gather();
    let want = update(&mut straight, once.clone());

    let values: Vec<f32> = gathered.values.iter().flat_map(|t| floats(t.clone().into_data())).collect();
    assert_eq!(gathered.shapes, vec![vec![6], vec![6], vec![3], vec![3], vec![1], vec![1]], "two slots per tensor");
    let bytes = NetworkOptimizer::encode(updates, &gathered.shapes, &values);
    let device = Device::flex().autodiff();
    let mut restored = NetworkOptimizer::decode(adam, &bytes, &once, updates, &device).unwrap();
    let got = update(&mut restored, once);
    assert_eq!(floats(got.matrix.val().into_data()), floats(want.matrix.val().into_data()));
    assert_eq!(floats(got.vector.val().into_data()), floats(want.vector.val().into_data()));

    let rms = OptimizerConfig { kind: OptimizerKind::RmsProp, ..adam };
    let decode =
        |config, bytes: &[u8], most_updates| NetworkOptimizer::decode(config, bytes, &net(), most_updates, &device);
    assert!(decode(rms, &bytes, updates).is_err(), "another algorithm's state is refused");
    assert_eq!(decode(adam, &bytes, 0).err(), Some(OptimizerStateError::Updates { found: 1, most: 0 }));

    // The matrix's moments come first: m (values 0..6), then v (6..12), which cannot be negative.
    let changed = |index: usize, value: f32| {
        let mut values = values.clone();
        values[index] = value;
        NetworkOptimizer::encode(updates, &gathered.shapes, &values)
    };
    assert!(decode(adam, &changed(0, -1.0), updates).is_ok(), "a first moment may be negative");
    assert_eq!(decode(adam, &changed(6, -1.0), updates).err(), Some(OptimizerStateError::NegativeSquares));
    let nan = Some(OptimizerStateError::Params(ParamsError::NonFinite { index: 1 }));
    assert_eq!(decode(adam, &changed(6, f32::NAN), updates).err(), nan);
}
