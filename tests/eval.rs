//! Measures of digits: class statistics by hand, and the sanity anchors of MNIST-FID and the
//! mode-collapse alarm on real digits, noise, one repeated digit and a collapsed generator.

mod common;

use burn::tensor::{Tensor, TensorData};
use webgan::data::CLASSES;
use webgan::data::PIXELS;
use webgan::judge::alarm::{Alarm, AlarmWatch};
use webgan::judge::classifier::{Classifier, FEATURES, TRAINING_DIGITS};
use webgan::judge::fid::{FeatureStats, frechet_distance};
use webgan::judge::{
    ALARM_COVERAGE, ALARM_KL, ClassReport, Judge, LIVE_SAMPLES, MeasureError, Metrics, reference_stats,
    report_from_probabilities,
};
use webgan::rng::Rng;
use webgan::tensor::floats;
use webgan::train::params::from_bytes;
use webgan::{Trainer, config::presets, device};

const CLASSIFIER: &[u8] = include_bytes!("../www/models/classifier.bin");
const REFERENCE: &[u8] = include_bytes!("../www/models/fid_reference.bin");

fn judge() -> Judge {
    Judge::new(CLASSIFIER, REFERENCE, &device::cpu().device).expect("the shipped files load")
}

fn measure(pixels: &[f32]) -> Metrics {
    judge().measure(pixels, &device::cpu().device).expect("the digits can be measured")
}

#[test]
fn report_matches_hand_computed_values() {
    // Four digits, classified 0, 0, 1, 2 with top probabilities 0.9, 0.7, 0.6, 1.0.
    let mut rows = vec![0.0f32; 40];
    for (digit, (class, p)) in [(0, 0.9), (0, 0.7), (1, 0.6), (2, 1.0)].into_iter().enumerate() {
        rows[digit * 10 + class] = p;
        rows[digit * 10 + 9] = 1.0 - p; // the runner-up
    }
    let report = report_from_probabilities(&rows);
    assert_eq!(&report.histogram[..4], &[0.5, 0.25, 0.25, 0.0]);
    assert_eq!(report.covered, 3);
    // KL(h ‖ uniform) = ln 10 − H(h) = 2.302585 − (0.5 ln 2 + 2 · 0.25 ln 4) = 1.262864.
    assert!((report.kl_uniform - 1.262864).abs() < 1e-6, "{}", report.kl_uniform);
    assert!((report.confidence - 0.8).abs() < 1e-6);
    assert!(report.collapsed);
}

#[test]
fn shipped_reference_is_what_the_shipped_classifier_makes_of_the_digits() {
    let device = device::cpu().device;
    let classifier = from_bytes(Classifier::new(&device), CLASSIFIER).unwrap();
    let digits = common::digits();
    let fresh = reference_stats(&classifier, &digits.pixels_unit(), &device);
    let shipped = FeatureStats::from_bytes(REFERENCE, FEATURES).unwrap();
    assert_eq!(shipped.count, digits.len());
    assert!(frechet_distance(&fresh, &shipped) < 1e-6, "{}", frechet_distance(&fresh, &shipped));
    let worst = fresh.covariance.iter().zip(shipped.covariance.iter()).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-4 * shipped.covariance.amax(), "covariances differ by up to {worst}");
}

/// Real digits sit next to the reference; noise and a single repeated digit are far away; every
/// class of the real digits is covered evenly.
#[test]
fn fid_and_coverage_anchors() {
    let digits = common::digits();
    let pixels = digits.pixels_unit();
    let all = measure(&pixels);
    assert_eq!((all.count, all.classes.covered), (10_000, 10), "{all:?}");
    assert!(all.classes.kl_uniform < 0.01 && !all.classes.collapsed, "{all:?}");
    assert!(all.classes.confidence > 0.9, "{all:?}");
    assert!(all.fid < 1e-6, "the reference's own digits: {}", all.fid);

    // 2 000 real digits drawn at random, and the 2 000 held out from the classifier's training
    // (which hold 3 % fives and 17 % ones, so their features sit further from the whole set's).
    let mut rng = Rng::new(1);
    let random: Vec<f32> =
        (0..2_000).flat_map(|_| pixels[rng.below(digits.len()) * PIXELS..][..PIXELS].to_vec()).collect();
    let random = measure(&random);
    let held_out = measure(&pixels[TRAINING_DIGITS * PIXELS..]);
    let noise: Vec<f32> = (0..2_000 * PIXELS).map(|_| rng.uniform()).collect();
    let noise = measure(&noise);
    let one_digit: Vec<f32> = pixels[..PIXELS].repeat(2_000);
    let one_digit = measure(&one_digit);
    println!(
        "FID: random real {:.2}, held-out {:.2}, noise {:.1}, one digit {:.1}",
        random.fid, held_out.fid, noise.fid, one_digit.fid
    );
    assert!(random.fid < 3.0, "random real digits: {random:?}");
    assert!(held_out.fid < 25.0, "held-out real digits: {held_out:?}");
    assert!(noise.fid > 50.0 * held_out.fid, "uniform noise: {noise:?}");
    assert!(one_digit.fid > 50.0 * held_out.fid, "one repeated digit: {one_digit:?}");
    assert!(one_digit.classes.collapsed && one_digit.classes.covered == 1);
}

#[test]
fn a_collapsed_generator_is_flagged() {
    let device = device::cpu().device;
    let mut trainer = Trainer::new(presets::find("mode_collapse").unwrap().config, &common::digits(), &device).unwrap();
    for _ in 0..500 {
        trainer.step();
    }
    let samples = floats(trainer.eval_samples(LIVE_SAMPLES).into_data());
    let metrics = measure(&samples);
    assert_eq!(metrics.count, LIVE_SAMPLES);
    assert!(metrics.classes.collapsed && metrics.classes.covered <= 3, "{metrics:?}");
}

/// Ragged input, a single digit and non-finite values are refused by name: a metric of NaN
/// features would read as a perfect FID.
#[test]
fn digits_that_cannot_be_measured_are_refused() {
    let (judge, device) = (judge(), device::cpu().device);
    let pixels = common::digits().pixels_unit();
    assert_eq!(judge.measure(&pixels[..1000], &device), Err(MeasureError::Ragged { values: 1000, width: PIXELS }));
    assert_eq!(judge.measure(&pixels[..PIXELS], &device), Err(MeasureError::TooFew(1)));
    assert_eq!(judge.measure(&[], &device), Err(MeasureError::TooFew(0)));
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let mut tampered = pixels[..3 * PIXELS].to_vec();
        tampered[2 * PIXELS + 400] = bad;
        assert_eq!(judge.measure(&tampered, &device), Err(MeasureError::NonFinite(2)), "{bad}");
    }
    assert!(judge.measure(&pixels[..3 * PIXELS], &device).is_ok());

    // The page's path: the classifier's rows as read back from the device.
    let three = Tensor::from_data(TensorData::new(pixels[..3 * PIXELS].to_vec(), [3, PIXELS]), &device);
    let mut judged = floats(judge.judge(three).into_data());
    let width = judged.len() / 3;
    assert_eq!(judge.metrics(&judged).map(|m| m.count), Ok(3));
    assert_eq!(judge.metrics(&judged[1..]), Err(MeasureError::Ragged { values: 3 * width - 1, width }));
    assert_eq!(judge.metrics(&judged[..width]), Err(MeasureError::TooFew(1)));
    judged[width + 3] = f32::NAN;
    assert_eq!(judge.metrics(&judged), Err(MeasureError::NonFinite(1)));
}

/// A class report with `covered` classes and `kl` to uniform, narrow as the judge decides it.
fn report(covered: usize, kl: f64) -> ClassReport {
    let collapsed = covered < ALARM_COVERAGE || kl > ALARM_KL;
    ClassReport { histogram: [0.1; CLASSES], covered, kl_uniform: kl, confidence: 0.9, collapsed }
}

/// The verdicts of a run's measurements `(step, covered, kl)`, in order.
fn verdicts(measured: &[(u64, usize, f64)]) -> Vec<Alarm> {
    let mut watch = AlarmWatch::default();
    measured.iter().map(|&(step, covered, kl)| watch.observe(step, &report(covered, kl))).collect()
}

/// The defaults at seed 0 as the page judges them (512 digits every 250 steps, measured with
/// `webgan train --eval-every 250 --eval-samples 512`): narrow until step 3 500, but closer to
/// uniform with every thousand steps, so the alarm never sounds; the collapse demo's generator
/// draws one or two digits from step 250 on, and the alarm sounds from step 2 000.
#[test]
fn the_alarm_sounds_for_digits_that_stay_narrow_not_for_a_generator_still_learning() {
    let healthy = [
        (250, 1, 2.303),
        (500, 1, 2.303),
        (750, 2, 2.01),
        (1000, 3, 1.661),
        (1250, 4, 1.183),
        (1500, 5, 0.911),
        (1750, 8, 0.529),
        (2000, 4, 0.959),
        (2250, 9, 0.295),
        (2500, 8, 0.574),
        (2750, 7, 0.939),
        (3000, 7, 0.65),
        (3250, 10, 0.097),
        (3500, 8, 0.563),
        (3750, 9, 0.402),
    ];
    let alarms = verdicts(&healthy);
    assert!(!alarms.contains(&Alarm::Collapse), "{alarms:?}");
    assert_eq!((alarms[0], alarms[8], alarms[12]), (Alarm::Learning, Alarm::Quiet, Alarm::Quiet));

    // One digit, and now and then two: still collapse.
    let stuck: Vec<_> =
        (1..=12).map(|k| (250 * k, 1 + usize::from(k % 5 == 0), if k % 5 == 0 { 1.78 } else { 2.303 })).collect();
    let alarms = verdicts(&stuck);
    assert_eq!(alarms[..7], [Alarm::Learning; 7], "before two windows have passed the run is too young");
    assert_eq!(alarms[7..], [Alarm::Collapse; 5], "a thousand steps without more classes");

    // A run that was varied and narrows again has lost ground: collapse, once it lasts.
    let relapse = verdicts(&[(1000, 10, 0.05), (2000, 10, 0.06), (2250, 3, 1.4), (2500, 3, 1.4), (2750, 2, 1.6)]);
    assert_eq!(relapse, [Alarm::Quiet, Alarm::Quiet, Alarm::Learning, Alarm::Learning, Alarm::Collapse]);
    // Seed 4's slow stretch: 7 or 8 classes for a while, but better on average than before.
    let slow = verdicts(&[
        (3000, 6, 0.68),
        (3250, 7, 0.61),
        (3500, 9, 0.292),
        (3750, 8, 0.59),
        (4000, 10, 0.524),
        (4250, 9, 0.462),
        (4500, 8, 0.587),
        (4750, 10, 0.397),
        (5000, 7, 0.508),
        (5250, 7, 0.439),
        (5500, 7, 0.383),
    ]);
    assert!(!slow.contains(&Alarm::Collapse), "{slow:?}");
    // One narrow measurement in a varied run is noise.
    let blip = verdicts(&[(3000, 9, 0.3), (4500, 9, 0.3), (4750, 7, 0.5), (5000, 9, 0.3)]);
    assert_eq!(blip, [Alarm::Quiet, Alarm::Quiet, Alarm::Learning, Alarm::Quiet]);
    // Varied digits are quiet whatever came before.
    assert_eq!(verdicts(&[(5000, 10, 0.02)]), [Alarm::Quiet]);
}
