//! The 2-D toy data sets: their points, the mode-coverage measure, a ring run that reaches the
//! modes, and the plane view's arrows against the gradient worked out by hand.

mod common;

use burn::tensor::{Tensor, TensorData};
use webgan::data::toy::{self, Coverage, DataSet, SIGMA};
use webgan::model::mlp::Discriminator;
use webgan::rng::Rng;
use webgan::tensor::floats;
use webgan::train::params;
use webgan::view::plane::PlaneView;
use webgan::{TrainConfig, Trainer, config::presets, device};

#[test]
fn toy_points_lie_around_their_modes() {
    let mut rng = Rng::new(1);
    for data in [DataSet::Ring, DataSet::Grid] {
        let points = toy::sample(data, &[], 4000, &mut rng);
        assert_eq!(points.len(), 8000);
        // A 2-D Gaussian keeps 98.9 % of its mass within 3σ; every mode gets its share.
        let c = toy::coverage(data, &points).unwrap();
        assert_eq!(c.modes_hit, c.modes, "{data:?}");
        assert!(c.quality > 0.98, "{data:?}: {c:?}");
    }
    let drawn = toy::sample(DataSet::Drawn, &[[0.2, 0.7]], 1000, &mut rng);
    let mean = |axis: usize| drawn.iter().skip(axis).step_by(2).sum::<f32>() / 1000.0;
    assert!((mean(0) - 0.2).abs() < 3.0 * SIGMA / 10.0 && (mean(1) - 0.7).abs() < 3.0 * SIGMA / 10.0);
    let moons = toy::sample(DataSet::Moons, &[], 1000, &mut rng);
    assert!(moons.iter().all(|v| (0.05..0.95).contains(v)), "moons leave the unit square");
    assert_eq!(toy::coverage(DataSet::Moons, &moons), None, "no modes, no coverage");
}

#[test]
fn coverage_counts_modes_and_high_quality_points() {
    let modes = toy::modes(DataSet::Ring);
    // 90 points on mode 0, 10 on mode 1 (a quarter of the fair share is 200/8/4 = 6.25 points,
    // so both count), and 100 points far from every mode.
    let mut points: Vec<f32> = Vec::new();
    points.extend(std::iter::repeat_n(modes[0], 90).flatten());
    points.extend(std::iter::repeat_n(modes[1], 10).flatten());
    points.extend(std::iter::repeat_n([0.5, 0.5], 100).flatten());
    let c = toy::coverage(DataSet::Ring, &points).unwrap();
    assert_eq!(c, Coverage { modes_hit: 2, modes: 8, quality: 0.5 });
    // A mode with fewer than a quarter of its fair share (200/8/4 = 6.25 points) is not hit.
    points.truncate(2 * 95);
    points.extend(std::iter::repeat_n([0.5, 0.5], 105).flatten());
    let c = toy::coverage(DataSet::Ring, &points).unwrap();
    assert_eq!((c.modes_hit, c.quality), (1, 95.0 / 200.0));
}

#[test]
fn the_toy_ring_preset_reaches_the_modes() {
    let (digits, device) = (common::digits(), device::cpu().device);
    let config = presets::find("toy_ring").unwrap().config;
    assert_eq!(config.data, DataSet::Ring);
    let mut trainer = Trainer::new(config, &digits, &device).unwrap();
    for _ in 0..2000 {
        trainer.step();
    }
    let points = floats(trainer.eval_samples(toy::VIEW_POINTS).into_data());
    let c = toy::coverage(DataSet::Ring, &points).unwrap();
    assert!(c.modes_hit >= 6, "only {} of 8 modes after 2 000 steps: {c:?}", c.modes_hit);
    assert!(c.quality > 0.4, "{c:?}");
}

#[test]
fn the_plane_shows_d_and_the_pushes_of_the_generator_loss() {
    let (digits, device) = (common::digits(), device::cpu().device);
    let config = TrainConfig { data: DataSet::Grid, latent_dim: 2, batch_size: 32, ..TrainConfig::default() };
    let mut trainer = Trainer::new(config.clone(), &digits, &device).unwrap();
    for _ in 0..30 {
        trainer.step();
    }
    let (count, resolution) = (16, 5);
    let view = PlaneView::new(&floats(trainer.plane_view(count, resolution).into_data()), count, resolution);
    assert_eq!((view.points.len(), view.logits.len(), view.push.len()), (32, 25, 32));

    // The same D, rebuilt from the run's checkpoint, on the same points and grid cells.
    let d = params::from_bytes(
        Discriminator::new(2, config.hidden_d, &mut Rng::new(0), &device),
        &trainer.checkpoint().discriminator,
    )
    .unwrap();
    let cell = |i: usize| [(i % 5) as f32 * 0.2 + 0.1, (i / 5) as f32 * 0.2 + 0.1];
    let cells: Vec<f32> = (0..25).flat_map(cell).collect();
    let logits = floats(d.forward(Tensor::from_data(TensorData::new(cells, [25, 2]), &device)).into_data());
    for (a, b) in logits.iter().zip(&view.logits) {
        assert!((a - b).abs() < 1e-5, "grid logits {logits:?} vs {:?}", view.logits);
    }
    // Non-saturating G loss mean(softplus(−D(x))): −count·∂L/∂xᵢ = σ(−D(xᵢ))·∇ₓD(xᵢ).
    let x = Tensor::from_data(TensorData::new(view.points.clone(), [count, 2]), &device);
    let (d_x, grad) = d.forward_with_input_gradient(x);
    let (d_x, grad) = (floats(d_x.into_data()), floats(grad.into_data()));
    for i in 0..count {
        let weight = 1.0 / (1.0 + d_x[i].exp());
        for axis in 0..2 {
            let want = weight * grad[2 * i + axis];
            assert!(
                (view.push[2 * i + axis] - want).abs() < 1e-5 * want.abs().max(1.0),
                "point {i}: {} vs {want}",
                view.push[2 * i + axis]
            );
        }
    }
}

#[test]
fn real_points_for_the_plane_are_bounded_by_the_set() {
    let ring = TrainConfig { data: DataSet::Ring, ..TrainConfig::default() };
    assert_eq!(toy::display_points(ring.data, &ring.points, ring.seed, 5).map(|p| p.len()), Ok(10));
    assert_eq!(
        toy::display_points(ring.data, &ring.points, ring.seed, toy::TOY_POINTS + 1),
        Err(toy::PointCountError(toy::TOY_POINTS + 1))
    );
    assert_eq!(toy::display_points(DataSet::Mnist, &[], 0, 5), Ok(Vec::new()));
}
