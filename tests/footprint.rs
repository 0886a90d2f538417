//! The memory estimate that refuses runs too large for a device: its counts against the real
//! networks and hand-computed sizes, and what it admits and refuses.

use burn::module::Module;
use webgan::device::footprint::{Footprint, FootprintError, MemoryLimits, parameter_count};
use webgan::model::{Discriminator, Generator};
use webgan::rng::Rng;
use webgan::{TrainConfig, config::presets, device};

/// WebGPU's default `maxStorageBufferBindingSize`, the smallest any adapter offers.
const SMALLEST_GPU: MemoryLimits = MemoryLimits { max_buffer_bytes: Some(128 << 20), max_total_bytes: None };

fn config(query: &str) -> TrainConfig {
    TrainConfig::from_query(query).expect("valid settings")
}

#[test]
fn parameter_count_matches_the_networks_it_describes() {
    let device = device::cpu().device;
    for query in [
        "",
        "hidden=32&latent=7",
        "hidden_g=48&hidden_d=20",
        "data=ring",
        "conditional=true",
        "model=dcgan",
        "model=dcgan&channels=16&conditional=true",
    ] {
        let config = config(query);
        let mut rng = Rng::new(1);
        let real = Generator::new(&config, &mut rng, &device).num_params()
            + Discriminator::new(&config, &mut rng, &device).num_params();
        assert_eq!(parameter_count(&config), real as u64, "{query:?}");
    }
}

#[test]
fn the_default_mlp_step_is_sized_by_hand() {
    let footprint = Footprint::of(&TrainConfig::default());
    // G keeps z (100), two hidden layers before and after LeakyReLU (4 × 128) and the output
    // before and after the sigmoid (2 × 784): 2 180 floats; D keeps its input (784), 4 × 128
    // and the logit: 1 297. A step: 2 passes of G and 3 of D, doubled by backward.
    assert_eq!(footprint.total_per_sample, 4 * 2 * (2 * 2_180 + 3 * 1_297));
    assert_eq!(footprint.largest_per_sample, 4 * 784);
    assert_eq!(footprint.fixed, 4 * (10_000 * 784 + 8 * 247_697));
    assert_eq!(footprint.batch, 64);
}

#[test]
fn a_full_batch_dcgan_is_refused_with_the_batch_that_fits() {
    let footprint = Footprint::of(&config("model=dcgan&batch=full"));
    // D's second convolution lowers to im2col columns of 49 cells × 64 channels × 16 taps.
    assert_eq!(footprint.largest_per_sample, 4 * 49 * 64 * 16);
    let Err(FootprintError::Buffer { batch, fits, .. }) = footprint.check(SMALLEST_GPU) else {
        panic!("a 2 GB buffer passed a 128 MiB limit");
    };
    assert_eq!((batch, fits), (10_000, (128 << 20) / (4 * 49 * 64 * 16)));
    let Err(error @ FootprintError::Total { fits, .. }) = footprint.check(MemoryLimits::WASM_CPU) else {
        panic!("a step of tens of GB passed the browser's CPU budget");
    };
    assert!(Footprint { batch: fits, ..footprint }.check(MemoryLimits::WASM_CPU).is_ok());
    assert!(Footprint { batch: fits + 1, ..footprint }.check(MemoryLimits::WASM_CPU).is_err());
    let message = error.to_string();
    assert!(message.contains("`batch` = 10000") && message.contains(&format!("at most {fits}")), "{message}");
    assert!(footprint.check(MemoryLimits::NONE).is_ok());
}

#[test]
fn every_preset_and_the_full_batch_mlp_fit_the_smallest_devices() {
    let configs =
        presets::all().into_iter().map(|p| p.config).chain([config("batch=full"), config("batch=full&loss=wgan_gp")]);
    for config in configs {
        let footprint = Footprint::of(&config);
        assert_eq!(footprint.check(SMALLEST_GPU), Ok(()), "{}", config.to_query());
        assert_eq!(footprint.check(MemoryLimits::WASM_CPU), Ok(()), "{}", config.to_query());
    }
}

#[test]
fn a_gradient_penalty_costs_two_more_passes_of_d() {
    let plain = Footprint::of(&config("loss=wgan_clip"));
    let penalised = Footprint::of(&config("loss=wgan_gp"));
    assert_eq!(penalised.total_per_sample - plain.total_per_sample, 4 * 2 * 2 * 1_297);
}
