//! Precision and recall (quality and variety, apart): hand-computed on points of one feature,
//! near 1 for real digits against real ones, precision without recall for one digit repeated,
//! neither for noise; what a pair says; the curves keep them, and older files read without.

mod common;

use burn::tensor::{Tensor, TensorData};
use webgan::data::PIXELS;
use webgan::judge::manifold::{Fidelity, Manifold, Reading, precision_recall};
use webgan::judge::{self, Judge};
use webgan::rng::Rng;
use webgan::session::Session;
use webgan::tensor::floats;
use webgan::train::history::History;
use webgan::{TrainConfig, device};

const CLASSIFIER: &[u8] = include_bytes!("../www/models/classifier.bin");
const REFERENCE: &[u8] = include_bytes!("../www/models/fid_reference.bin");

fn points(values: &[f32]) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values.to_vec(), [values.len(), 1]), &device::cpu().device)
}

fn measured(real: &Manifold, generated: &Manifold) -> [f32; 2] {
    floats(precision_recall(real, generated).into_data()).try_into().expect("two values")
}

#[test]
fn precision_and_recall_of_points_on_a_line_are_the_hand_computed_ones() {
    // Squared radii to the third neighbour: 0 → 9 (it reaches 3), 1 → 4, 2 → 4, 3 → 9, 10 → 81.
    let real = Manifold::new(points(&[0.0, 1.0, 2.0, 3.0, 10.0]));
    // 0.5 lies in 0's ball, 5.5 in 3's and 10's, −2 in 0's; 30 and 100 in none: precision 3/5.
    // The generated balls reach far (100's third neighbour is 0.5), so every real point is in one.
    let [precision, recall] = measured(&real, &Manifold::new(points(&[0.5, 5.5, 30.0, 100.0, -2.0])));
    assert!((precision - 0.6).abs() < 1e-6, "{precision}");
    assert!((recall - 1.0).abs() < 1e-6, "{recall}");
    // Five points bunched near 0 reach 0.3 at most: all look real, and only the real 0 is reached.
    let [precision, recall] = measured(&real, &Manifold::new(points(&[0.0, 0.1, 0.2, 0.3, 0.4])));
    assert!((precision - 1.0).abs() < 1e-6, "{precision}");
    assert!((recall - 0.2).abs() < 1e-6, "{recall}");
}

#[test]
fn copies_of_a_point_are_each_others_neighbours_at_distance_zero() {
    let real = Manifold::new(points(&[0.0, 1.0, 2.0, 3.0, 10.0]));
    // Four copies of 2: each ball has radius 0, so it reaches the real 2 alone.
    let [precision, recall] = measured(&real, &Manifold::new(points(&[2.0; 4])));
    assert_eq!((precision, recall), (1.0, 0.2));
}

#[test]
fn real_digits_against_real_ones_one_digit_repeated_and_noise() {
    let cpu = device::cpu().device;
    let judge = Judge::new(CLASSIFIER, REFERENCE, &cpu).expect("the shipped files load");
    let pixels = common::digits().pixels_unit();
    let real = judge.real_manifold(&pixels[..1000 * PIXELS], &cpu);
    let generated = |images: Vec<f32>| {
        let rows = images.len() / PIXELS;
        judge::generated_manifold(judge.judge(Tensor::from_data(TensorData::new(images, [rows, PIXELS]), &cpu)))
    };

    let [precision, recall] = measured(&real, &generated(pixels[5000 * PIXELS..6000 * PIXELS].to_vec()));
    assert!(precision > 0.8 && recall > 0.8, "real against real: precision {precision}, recall {recall}");

    let one = pixels[7000 * PIXELS..7001 * PIXELS].repeat(1000);
    let [precision, recall] = measured(&real, &generated(one));
    assert!(precision > 0.9 && recall < 0.01, "one digit repeated: precision {precision}, recall {recall}");

    let mut rng = Rng::new(5);
    let noise: Vec<f32> = (0..1000 * PIXELS).map(|_| rng.uniform()).collect();
    let [precision, recall] = measured(&real, &generated(noise));
    assert!(precision < 0.05 && recall < 0.05, "noise: precision {precision}, recall {recall}");
}

#[test]
fn a_pair_is_named_by_which_of_the_two_is_high() {
    let reading = |p: f32, r: f32| Fidelity::from_values([p, r]).reading;
    assert_eq!(reading(0.9, 0.8), Reading::Good);
    assert_eq!(reading(0.9, 0.1), Reading::Narrow);
    assert_eq!(reading(0.1, 0.7), Reading::Blurry);
    assert_eq!(reading(0.05, 0.1), Reading::Poor);
    assert_eq!(reading(0.4, 0.4), Reading::Mixed);
}

#[test]
fn the_curves_keep_precision_and_recall_and_older_files_read_without_them() {
    let mut history = History::default();
    history.record_measurement(250, 120.5, 0.75, 0.25);
    history.record_measurement(500, 90.0, f64::NAN, f64::NAN);
    let bytes = history.to_bytes();
    let back = History::from_bytes(&bytes).expect("reads back");
    assert_eq!(back.measured()[0], [250.0, 120.5, 0.75, 0.25]);
    assert!(back.measured()[1][2].is_nan() && back.measured()[1][3].is_nan());

    // A file of before: the same without its tail (the count again and two values a measurement).
    let older = History::from_bytes(&bytes[..bytes.len() - 4 * (1 + 2 * 2)]).expect("an older file reads");
    assert_eq!(older.measured().len(), 2);
    assert_eq!(&older.measured()[0][..2], &[250.0, 120.5]);
    assert!(older.measured().iter().all(|m| m[2].is_nan() && m[3].is_nan()));
    // A tail cut short, or whose count disagrees, is refused; a share above 1 too.
    assert!(History::from_bytes(&bytes[..bytes.len() - 4]).is_err());
    let mut wrong = bytes.clone();
    let at = bytes.len() - 4 * (1 + 2 * 2);
    wrong[at..at + 4].copy_from_slice(&3u32.to_le_bytes());
    assert!(History::from_bytes(&wrong).is_err());
    let mut above = History::default();
    above.record_measurement(1, 1.0, 1.5, 0.5);
    assert!(History::from_bytes(&above.to_bytes()).is_err());
}

#[test]
fn a_session_measures_precision_and_recall_and_keeps_them_in_the_curves() {
    let config = TrainConfig::from_query("seed=3").expect("valid settings");
    let mut session = Session::new(config, common::digits(), device::cpu()).expect("a run");
    session.load_judge(CLASSIFIER, REFERENCE).expect("the shipped files load");
    session.steps(20);
    session.read_stats().expect("finite steps");
    let metrics = session.measure(256).expect("a judge").expect("finite digits");
    let fidelity = metrics.fidelity.expect("measured against real digits");
    assert!((0.0..=1.0).contains(&fidelity.precision) && (0.0..=1.0).contains(&fidelity.recall), "{fidelity:?}");
    let last = *session.trainer().history().measured().last().expect("recorded");
    assert_eq!(last[2], fidelity.precision as f32);
    assert_eq!(last[3], fidelity.recall as f32);
    // Twenty steps in, G draws one blob whatever the noise: none of the real digits' variety.
    assert!(fidelity.recall < 0.05, "{fidelity:?}");
}
