//! Stacked MNIST: the stacker repeats per seed, real stacked digits cover the 1 000 triples
//! nearly evenly while a collapsed generator covers few, both architectures train on three
//! channels, and `data=stacked` goes through a link and back.

mod common;

use burn::module::Module;
use webgan::config::Architecture;
use webgan::data::PIXELS;
use webgan::data::stacked::{self, CHANNELS, MODES};
use webgan::data::toy::DataSet;
use webgan::device::footprint::{Footprint, parameter_count};
use webgan::judge::Judge;
use webgan::judge::stacked::mode_report;
use webgan::model::{Discriminator, Generator};
use webgan::rng::Rng;
use webgan::session::Session;
use webgan::tensor::floats;
use webgan::{TrainConfig, Trainer, device};

const CLASSIFIER: &[u8] = include_bytes!("../www/models/classifier.bin");
const REFERENCE: &[u8] = include_bytes!("../www/models/fid_reference.bin");

fn judge() -> Judge {
    Judge::new(CLASSIFIER, REFERENCE, &device::cpu().device).expect("the shipped files load")
}

fn stacked(query: &str) -> TrainConfig {
    TrainConfig::from_query(&format!("data=stacked&{query}")).expect("valid settings")
}

#[test]
fn the_stacker_repeats_per_seed_and_differs_between_seeds() {
    let digits = common::digits();
    let a = stacked::triples(&digits, 3, 1000);
    assert_eq!(a, stacked::triples(&digits, 3, 1000));
    assert_ne!(a, stacked::triples(&digits, 4, 1000));
    assert!(a.iter().flatten().all(|&i| i < digits.len()));
    let images = stacked::images(&digits, &a[..2]);
    assert_eq!(images.len(), 2 * CHANNELS * PIXELS);
    let [_, green, _] = a[1];
    let expected: Vec<f32> = digits.pixels[green * PIXELS..][..PIXELS].iter().map(|&p| f32::from(p) / 255.0).collect();
    assert_eq!(images[(CHANNELS + 1) * PIXELS..][..PIXELS], expected[..], "image 1's second channel is its digit");
}

#[test]
fn real_stacked_digits_cover_nearly_every_triple_evenly() {
    let digits = common::digits();
    let images = stacked::images(&digits, &stacked::triples(&digits, 0, stacked::IMAGES));
    let metrics = judge().measure_of(DataSet::Stacked, &images, &device::cpu().device).unwrap();
    let modes = metrics.modes.expect("stacked digits are judged by their triples");
    eprintln!("real: {modes:?}, FID of the channels {:.1}", metrics.fid);
    assert_eq!((metrics.count, modes.modes), (stacked::IMAGES, MODES));
    assert!(modes.covered >= 990, "{modes:?}");
    assert!(modes.kl_uniform < 0.1, "{modes:?}");
    assert!(metrics.fid < 5.0, "each channel is a real digit: FID {}", metrics.fid);
}

#[test]
fn a_collapsed_generator_covers_few_triples() {
    let digits = common::digits();
    let one = stacked::images(&digits, &stacked::triples(&digits, 0, 1));
    let same: Vec<f32> = one.iter().copied().cycle().take(2000 * one.len()).collect();
    let modes = judge().measure_of(DataSet::Stacked, &same, &device::cpu().device).unwrap().modes.unwrap();
    assert_eq!(modes.covered, 1);
    assert!((modes.kl_uniform - (MODES as f64).ln()).abs() < 1e-9, "{modes:?}");
    // Ten triples, equally often, by hand: ln(1000 / 10).
    let mut probabilities = vec![0.0f32; 10 * CHANNELS * 10];
    for (image, row) in probabilities.chunks_exact_mut(CHANNELS * 10).enumerate() {
        row[image] = 1.0; // first channel: class `image`; the others class 0
        row[10] = 1.0;
        row[20] = 1.0;
    }
    let report = mode_report(&probabilities);
    assert_eq!(report.covered, 10);
    assert!((report.kl_uniform - 100f64.ln()).abs() < 1e-9, "{report:?}");
}

#[test]
fn both_architectures_train_on_three_channels() {
    let digits = common::digits();
    for model in ["mlp", "dcgan"] {
        let config = stacked(&format!("model={model}&batch=16&hidden=32&channels=32&loss=wgan_gp"));
        let cpu = device::cpu();
        let mut session = Session::new(config.clone(), digits.clone(), cpu).expect("fits the CPU");
        session.load_judge(CLASSIFIER, REFERENCE).unwrap();
        session.steps(3);
        let rows = session.read_stats().expect("finite statistics");
        assert_eq!(rows.len(), 3, "{model}");
        let trainer: &Trainer = session.trainer();
        let samples = trainer.samples();
        assert_eq!(samples.dims(), [64, CHANNELS * PIXELS], "{model}");
        let values = floats(samples.into_data());
        assert!(values.iter().all(|v| (0.0..=1.0).contains(v)), "{model}");
        let metrics = session.measure(100).expect("a judge").expect("measurable");
        assert_eq!(metrics.count, 100, "{model}");
        assert!(metrics.modes.is_some_and(|m| m.covered >= 1 && m.modes == MODES), "{model}");
        let mnist = TrainConfig { data: DataSet::Mnist, ..config.clone() };
        let mut rng = Rng::new(1);
        let device = device::cpu().device;
        let real = Generator::new(&config, &mut rng, &device).num_params()
            + Discriminator::new(&config, &mut rng, &device).num_params();
        assert_eq!(parameter_count(&config), real as u64, "{model}: the estimate counts every parameter");
        assert!(parameter_count(&config) > parameter_count(&mnist), "{model}");
        let extra_data = 4 * stacked::IMAGES as u64 * ((CHANNELS - 1) * PIXELS) as u64;
        assert!(Footprint::of(&config).total() >= Footprint::of(&mnist).total() + extra_data, "{model}");
    }
}

#[test]
fn stacked_goes_through_a_link_and_refuses_labels() {
    let config = stacked("model=dcgan&seed=5");
    assert_eq!(config.data, DataSet::Stacked);
    assert_eq!(config.model, Architecture::Dcgan);
    let query = config.to_query();
    assert!(query.contains("data=stacked") && query.contains("model=dcgan"), "{query}");
    assert_eq!(TrainConfig::from_query(&query), Ok(config.clone()));
    let json = serde_json::to_string(&config).unwrap();
    assert_eq!(serde_json::from_str::<TrainConfig>(&json).unwrap(), config);
    let err = TrainConfig::from_query("data=stacked&conditional=true").unwrap_err().to_string();
    assert!(err.contains("conditional") && err.contains("stacked digits"), "{err}");
    assert_eq!(DataSet::Stacked.dim(), CHANNELS * PIXELS);
    assert!(!DataSet::Stacked.is_toy());
}
