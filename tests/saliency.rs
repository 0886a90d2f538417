//! What D sees: the view's gradient is autodiff's ∇ₓD for every kind of D, leaves the run
//! untouched, and paints red where D wants more ink and blue where it wants less.

mod common;

use burn::tensor::{Tensor, TensorData};
use webgan::data::{PIXELS, SIDE};
use webgan::judge::saliency::{self, GRID_DIGITS, REAL_DIGIT, SHOWN, Saliency};
use webgan::model::Discriminator;
use webgan::rng::Rng;
use webgan::tensor::floats;
use webgan::{Session, TrainConfig, Trainer, device};

/// A run of `query` after a few steps, so that D (and its batch-norm statistics) moved.
fn trained(query: &str) -> Trainer {
    let config = TrainConfig::from_query(query).unwrap();
    let mut trainer = Trainer::new(config, &common::digits(), &device::cpu().device).unwrap();
    for _ in 0..3 {
        trainer.step();
    }
    trainer
}

/// ∇ₓ Σ D(x) in training mode by burn's autodiff on the input.
fn autodiff(d: &Discriminator, x: &Tensor<2>, labels: Option<Tensor<2>>) -> Vec<f32> {
    let leaf = x.clone().detach().require_grad();
    let mut grads = d.clone().forward_train(leaf.clone(), labels).sum().backward();
    floats(leaf.grad_remove(&mut grads).expect("x has a gradient").into_data())
}

fn uniforms(rng: &mut Rng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.uniform()).collect()
}

fn relative_error(got: &[f32], want: &[f32]) -> f64 {
    let diff: f64 = got.iter().zip(want).map(|(a, b)| f64::from(a - b).powi(2)).sum();
    (diff / want.iter().map(|&b| f64::from(b).powi(2)).sum::<f64>()).sqrt()
}

#[test]
fn the_view_is_autodiffs_input_gradient_for_every_discriminator() {
    for query in ["", "conditional=true", "model=dcgan&channels=16", "model=dcgan&channels=16&conditional=true"] {
        let trainer = trained(query);
        let device = device::cpu().device;
        let mut rng = Rng::new(11);
        for count in [1, SHOWN] {
            let x =
                Tensor::<2>::from_data(TensorData::new(uniforms(&mut rng, count * PIXELS), [count, PIXELS]), &device);
            let labels: Vec<u8> = (0..count as u8).map(|i| (3 * i + 1) % 10).collect();
            let (_, view) = saliency::input_gradient(trainer.discriminator(), x.clone(), trainer.label_rows(&labels));
            let view = floats(view.into_data());
            let want = autodiff(trainer.discriminator(), &x, trainer.label_rows(&labels));
            let error = relative_error(&view, &want);
            assert!(error < 1e-4, "`{query}`, {count} digits: relative error {error}");
            assert!(want.iter().any(|&g| g != 0.0), "`{query}`: a gradient of zeros proves nothing");
        }
    }
}

#[test]
fn looking_leaves_the_run_as_it_was() {
    let trainer = trained("model=dcgan&channels=16");
    let device = device::cpu().device;
    let x = Tensor::<2>::from_data(TensorData::new(uniforms(&mut Rng::new(5), 2 * PIXELS), [2, PIXELS]), &device);
    let before = floats(trainer.discriminator().forward(x.clone(), None).into_data());
    let _ = floats(saliency::queue(&trainer).into_data());
    let after = floats(trainer.discriminator().forward(x, None).into_data());
    assert_eq!(before, after, "D's running batch-norm statistics must not move");
}

#[test]
fn the_session_shows_the_grids_diagonal_and_a_real_digit_and_nothing_for_toys_or_stacked_digits() {
    let digits = common::digits();
    for (query, columns) in [("", 8), ("conditional=true", 10)] {
        let config = TrainConfig::from_query(query).unwrap();
        let session = Session::new(config, digits.clone(), device::cpu()).unwrap();
        let view = session.saliency().expect("a digit run has the view");
        assert_eq!(
            (view.verdicts.len(), view.pixels.len(), view.gradient.len()),
            (SHOWN, SHOWN * PIXELS, SHOWN * PIXELS)
        );
        assert!(view.verdicts.iter().all(|v| (0.0..=1.0).contains(v)), "{:?}", view.verdicts);
        let grid = floats(session.trainer().samples().into_data());
        for (i, at) in saliency::grid_positions(columns).into_iter().enumerate() {
            assert_eq!(&view.pixels[i * PIXELS..][..PIXELS], &grid[at * PIXELS..][..PIXELS], "`{query}` digit {i}");
        }
        let real = &digits.pixels_unit()[REAL_DIGIT * PIXELS..][..PIXELS];
        assert_eq!(&view.pixels[GRID_DIGITS * PIXELS..], real);
    }
    for query in ["data=ring", "data=stacked"] {
        let other = Session::new(TrainConfig::from_query(query).unwrap(), digits.clone(), device::cpu()).unwrap();
        assert!(other.saliency().is_none(), "`{query}` has no view of D over one-channel digits");
    }
}

#[test]
fn the_picture_is_red_where_d_wants_ink_blue_where_it_wants_less() {
    // Two digits: the first's gradient +1 at pixel 0, −0.5 at pixel 1, 0 elsewhere; the second's 0.
    let mut gradient = vec![0.0f32; 2 * PIXELS];
    gradient[0] = 1.0;
    gradient[1] = -0.5;
    let mut values = vec![0.0f32, 2.0];
    values.extend(vec![1.0f32; 2 * PIXELS]);
    values.extend(&gradient);
    let view = Saliency::decode(&values, false);
    assert!((view.verdicts[0] - 0.5).abs() < 1e-6 && (view.verdicts[1] - 0.880797).abs() < 1e-5);
    assert_eq!(Saliency::decode(&values, true).verdicts, vec![0.0, 2.0], "a critic's scores stay raw");
    let picture = view.picture();
    assert_eq!((picture.width, picture.height), (2 * SIDE + 2, SIDE));
    let pixel = |x: usize, y: usize| &picture.pixels[(y * picture.width + x) * 4..][..4];
    assert_eq!(pixel(0, 0), [235, 60, 40, 255], "the strongest push up is fully red");
    let half_blue = pixel(1, 0);
    assert!(half_blue[2] > half_blue[0] && half_blue[0] > 40, "half as strong, half blue: {half_blue:?}");
    assert_eq!(pixel(2, 0), [160, 160, 160, 255], "no gradient: the digit's grey");
    assert_eq!(pixel(SIDE + 2, 0), [160, 160, 160, 255], "a digit of zero gradient has no colour");
    assert_eq!(pixel(SIDE, 0)[3], 0, "the gap between digits is transparent");
}

/// The view rides on each measurement of the digits, so it must cost a small part of one: here
/// under a third of judging 512 digits, for the MLP and the default DCGAN (natively, on the CPU).
#[test]
fn the_view_costs_a_small_part_of_a_measurement() {
    let classifier = include_bytes!("../www/models/classifier.bin");
    let reference = include_bytes!("../www/models/fid_reference.bin");
    for query in ["", "model=dcgan"] {
        let config = TrainConfig::from_query(query).unwrap();
        let mut session = Session::new(config, common::digits(), device::cpu()).unwrap();
        session.load_judge(classifier, reference).unwrap();
        session.steps(1);
        session.read_stats().unwrap();
        let _ = (session.saliency(), session.measure(webgan::judge::LIVE_SAMPLES)); // warm up
        let time = |f: &mut dyn FnMut()| {
            let start = std::time::Instant::now();
            for _ in 0..3 {
                f();
            }
            start.elapsed().as_secs_f64() / 3.0
        };
        let view = time(&mut || assert!(session.saliency().is_some()));
        let measure = time(&mut || assert!(session.measure(webgan::judge::LIVE_SAMPLES).unwrap().is_ok()));
        let step = time(&mut || {
            session.steps(1);
            session.read_stats().unwrap();
        });
        eprintln!(
            "`{query}`: view {:.1} ms, measurement {:.1} ms, step {:.1} ms",
            view * 1e3,
            measure * 1e3,
            step * 1e3
        );
        assert!(view < measure / 3.0, "`{query}`: the view takes {view:.4} s against {measure:.4} s for a measurement");
    }
}
