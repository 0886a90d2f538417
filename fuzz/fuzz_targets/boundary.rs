//! The page's entry points into a run, natively: settings from a link admitted against the
//! browser's memory limits, then walks, dials and real points with arbitrary counts, digits and
//! dials, as JavaScript may hand them over. Each is drawn or refused with a message; none may
//! panic or allocate more than its bound.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use webgan::config::Architecture;
use webgan::device::footprint::{Footprint, MemoryLimits};
use webgan::tensor::floats;
use webgan::view::grid::digit_grid;
use webgan::{Digits, TrainConfig, Trainer, data::toy, device, view::latent};

/// WebGPU's default binding limit, the smallest a browser offers.
const SMALLEST_GPU: MemoryLimits = MemoryLimits { max_buffer_bytes: Some(128 << 20), max_total_bytes: None };

fn digits() -> &'static Digits {
    static DIGITS: OnceLock<Digits> = OnceLock::new();
    DIGITS.get_or_init(|| Digits::decode(include_bytes!("../../www/data/mnist.bin.gz")).expect("./build.sh data"))
}

fuzz_target!(|data: &[u8]| {
    let Some((head, query)) = data.split_first_chunk::<20>() else { return };
    let word = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    let (count, digit, points, pair) = (word(0), word(4), word(8), word(12));
    let dials = [f32::from_le_bytes([head[16], head[17], head[18], head[19]]), 0.5];
    let Ok(config) = TrainConfig::from_query(&String::from_utf8_lossy(query)) else { return };
    let footprint = Footprint::of(&config);
    let _ = (footprint.check(MemoryLimits::WASM_CPU), footprint.check(SMALLEST_GPU));
    let _ = toy::display_points(config.data, &config.points, config.seed, points as usize);
    // Runs are built only for small networks, so that each input takes milliseconds.
    if config.batch_size > 64 || config.hidden > 64 || config.model == Architecture::Dcgan {
        return;
    }
    let (seed, latent_dim) = (config.seed, config.latent_dim);
    let trainer = Trainer::new(config, digits(), &device::cpu().device).expect("validated settings make a run");
    if let (Ok(count), Ok(digit)) = (latent::walk_length(count), latent::digit(digit)) {
        let (a, b) = latent::endpoints(seed, pair.into(), latent_dim);
        let strip = floats(trainer.generate(latent::walk(&a, &b, count, pair % 2 == 0), &[digit]).into_data());
        assert_eq!(digit_grid(&strip, count).map(|g| g.width), Ok(count * 28 + (count - 1) * 2), "one row of {count}");
        if let Ok(dials) = latent::finite_dials(&dials) {
            let _ = trainer.generate(latent::dialled(&a, dials), &[digit]).into_data();
        }
    }
});
