//! Is G copying: nearest training digits in order and at the hand-computed distances, τ and the
//! closeness share hand-computed on a few points, a training digit found as itself, a share of 1
//! for a G that returns training digits and near 0 for noise, and a session that reports both.

mod common;

use burn::tensor::{Tensor, TensorData};
use webgan::data::PIXELS;
use webgan::judge::Judge;
use webgan::judge::copying::{self, Closeness, Library, Match, NEIGHBOURS, Standing};
use webgan::rng::Rng;
use webgan::session::Session;
use webgan::tensor::floats;
use webgan::{TrainConfig, device};

const CLASSIFIER: &[u8] = include_bytes!("../www/models/classifier.bin");
const REFERENCE: &[u8] = include_bytes!("../www/models/fid_reference.bin");

fn rows(values: &[f32], width: usize) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values.to_vec(), [values.len() / width, width]), &device::cpu().device)
}

fn closeness(library: &Library, features: Tensor<2>) -> Closeness {
    Closeness::from_values(floats(library.closeness(features).into_data()).try_into().expect("three values"))
}

#[test]
fn the_nearest_of_five_points_come_in_the_hand_computed_order() {
    let points = rows(&[0.0, 0.0, 3.0, 0.0, 10.0, 0.0, 10.0, 1.0, 10.0, 3.0], 2);
    // From (9, 1): (10, 1) at 1, (10, 0) at √2, (10, 3) at √5; then (3, 0) and (0, 0), unshown.
    let found = copying::matches(&floats(copying::nearest(rows(&[9.0, 1.0], 2), points).into_data()), 1);
    let expected = [(3, 1.0f32), (2, 2f32.sqrt()), (4, 5f32.sqrt())];
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].len(), NEIGHBOURS);
    for (got, (index, distance)) in found[0].iter().zip(expected) {
        assert_eq!(got.index, index, "{found:?}");
        assert!((got.distance - distance).abs() < 1e-5, "{found:?}");
    }
}

#[test]
fn tau_and_the_shares_of_a_hand_made_set() {
    // Class 0 at (0, 0) and (3, 0); class 1 at (10, 0), (10, 1), (10, 3). Nearest of the same
    // class: 3, 3, 1, 1, 2, so τ = 10 / 5 = 2. Nearest of any class is the same here, and two of
    // the five (the 1s) lie nearer than τ: the real digits' share is 0.4.
    let library = Library::new(rows(&[0.0, 0.0, 3.0, 0.0, 10.0, 0.0, 10.0, 1.0, 10.0, 3.0], 2), &[0, 0, 1, 1, 1]);
    // (0, 0.5) lies 0.5 from (0, 0), (20, 20) about 14.1 from (10, 3): one of two is close.
    let c = closeness(&library, rows(&[0.0, 0.5, 20.0, 20.0], 2));
    assert!((c.threshold - 2.0).abs() < 1e-5, "{c:?}");
    assert!((c.reference - 0.4).abs() < 1e-6, "{c:?}");
    assert!((c.share - 0.5).abs() < 1e-6, "{c:?}");
    // 0.5 against 0.4 is within the margin; a share of 1 or 0 is not.
    assert_eq!(c.standing(), Standing::LikeReal);
    assert_eq!(closeness(&library, rows(&[0.0, 0.5, 3.0, 0.5], 2)).standing(), Standing::Copying);
    assert_eq!(closeness(&library, rows(&[50.0, 0.0], 2)).standing(), Standing::Apart);
}

#[test]
fn training_digits_are_found_as_themselves_and_copies_score_one_noise_zero() {
    let cpu = device::cpu().device;
    let judge = Judge::new(CLASSIFIER, REFERENCE, &cpu).expect("the shipped files load");
    let digits = common::digits();
    let pixels = digits.pixels_unit();
    let count = 2000;
    let features = judge.features(&pixels[..count * PIXELS], &cpu);
    let library = Library::new(features.clone(), &digits.labels[..count]);

    // Training digits 100..110, in both spaces: each is its own nearest, at distance 0.
    let query = rows(&pixels[100 * PIXELS..110 * PIXELS], PIXELS);
    for (space, library_rows) in [("features", features.clone()), ("pixels", rows(&pixels[..count * PIXELS], PIXELS))] {
        let query = if space == "features" { judge.features_on_device(query.clone()) } else { query.clone() };
        let found = copying::matches(&floats(copying::nearest(query, library_rows).into_data()), 10);
        for (i, matches) in found.iter().enumerate() {
            let Match { index, distance } = matches[0];
            assert_eq!(index, 100 + i, "{space}: {matches:?}");
            assert!(distance < 1e-3, "{space}: {matches:?}");
            assert!(matches.windows(2).all(|w| w[0].distance <= w[1].distance), "{space}: {matches:?}");
        }
    }

    // A G that returns training digits: every one within τ.
    let copies = closeness(&library, features.clone().slice(500..1000));
    assert_eq!(copies.share, 1.0, "{copies:?}");
    assert_eq!(copies.standing(), Standing::Copying);
    // Real digits against the other training digits: closer than τ often, but not always.
    assert!(copies.threshold > 0.0 && (0.05..0.95).contains(&copies.reference), "{copies:?}");
    // New real digits (not in the library) sit near the reference, far below copies.
    let unseen = closeness(&library, judge.features(&pixels[8000 * PIXELS..8500 * PIXELS], &cpu));
    assert!(unseen.share < 0.95 && (unseen.share - unseen.reference).abs() < 0.25, "{unseen:?}");
    // Uniform noise is nowhere near a digit.
    let mut rng = Rng::new(9);
    let noise: Vec<f32> = (0..500 * PIXELS).map(|_| rng.uniform()).collect();
    let noise = closeness(&library, judge.features(&noise, &cpu));
    assert!(noise.share < 0.02, "{noise:?}");
    assert_eq!(noise.standing(), Standing::Apart);
    assert_eq!(unseen.standing(), Standing::LikeReal, "{unseen:?}");
}

#[test]
fn a_session_reports_closeness_and_the_nearest_training_digits_of_the_diagonal() {
    let config = TrainConfig::from_query("seed=4").expect("valid settings");
    let mut session = Session::new(config, common::digits(), device::cpu()).expect("a run");
    session.load_judge(CLASSIFIER, REFERENCE).expect("the shipped files load");
    session.steps(10);
    session.read_stats().expect("finite steps");
    let metrics = session.measure(256).expect("a judge").expect("finite digits");
    let c = metrics.closeness.expect("measured against the training digits");
    // Ten steps in, G draws a blob: nothing like a training digit.
    assert!(c.share < 0.05 && c.threshold > 0.0 && c.reference > 0.05, "{c:?}");

    let view = session.neighbours().expect("MNIST has neighbours");
    // The diagonal of the 8 × 8 grid, and under it three neighbours in each space.
    assert_eq!(view.in_features.len(), 8);
    assert_eq!(view.in_pixels.len(), 8);
    assert!(view.in_features.iter().chain(&view.in_pixels).all(|m| m.len() == NEIGHBOURS));
    assert_eq!((view.picture.width, view.picture.height), (8 * 28 + 7 * 2, 7 * 28 + 6 * 2));
    assert_eq!(view.picture.pixels.len(), view.picture.width * view.picture.height * 4);

    // A toy run has no training digits to copy.
    session.reset(TrainConfig::from_query("data=ring").expect("valid")).expect("a toy run");
    assert!(session.neighbours().is_none());
}

#[test]
fn the_shipped_features_are_the_shipped_classifiers_and_damaged_files_are_refused() {
    let cpu = device::cpu().device;
    let shipped = include_bytes!("../www/models/train_features.bin");
    let features = copying::decode_features(shipped).expect("the shipped file reads");
    let digits = common::digits();
    assert_eq!(features.len(), digits.len() * webgan::judge::classifier::FEATURES);
    // The same as the classifier computes now, to a byte's rounding (a stale file would not be).
    let judge = Judge::new(CLASSIFIER, REFERENCE, &cpu).expect("the shipped files load");
    let computed = floats(judge.features(&digits.pixels_unit()[..200 * PIXELS], &cpu).into_data());
    let largest = computed.iter().fold(0.0f32, |m, &v| m.max(v));
    let worst = computed.iter().zip(&features).fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
    assert!(worst <= largest / 255.0, "shipped features differ by {worst} (largest value {largest})");
    // Encoding what was decoded gives the same values back.
    assert_eq!(copying::decode_features(&copying::encode_features(&features)).expect("reads"), features);

    let raw = {
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&shipped[..]), &mut raw).expect("gzip");
        raw
    };
    use copying::FeaturesError;
    assert_eq!(copying::decode_features(b"WGMN\x01rest"), Err(FeaturesError::Foreign));
    assert!(matches!(copying::decode_features(&raw[..raw.len() - 1]), Err(FeaturesError::Corrupt(_))));
    assert!(matches!(copying::decode_features(&shipped[..shipped.len() / 2]), Err(FeaturesError::Corrupt(_))));
    let mut huge = raw.clone();
    huge[5..9].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(copying::decode_features(&huge), Err(FeaturesError::Corrupt(_))));
    // Features of other digits than those loaded are refused too, and the session keeps none.
    let few = copying::encode_features(&features[..10 * webgan::judge::classifier::FEATURES]);
    assert_eq!(
        Library::from_file(&few, &digits, &cpu).err(),
        Some(FeaturesError::Count { found: 10, expected: digits.len() })
    );
    let mut session = Session::new(TrainConfig::default(), digits, device::cpu()).expect("a run");
    session.load_judge(CLASSIFIER, REFERENCE).expect("the shipped files load");
    assert!(session.load_features(&few).is_err());
    session.load_features(shipped).expect("the shipped features load");
    let c = session.measure(128).expect("a judge").expect("finite").closeness.expect("from the shipped features");
    assert!(c.threshold > 0.0 && c.reference > 0.05, "{c:?}");
}
