//! Every parser of outside input, fed arbitrary bytes: URL-hash settings, config JSON, checkpoint
//! files and their sections, parameter files and digit files. None may panic, hang or allocate
//! more than its input justifies; each must return a value or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webgan::train::checkpoint::Checkpoint;
use webgan::train::history::History;
use webgan::{Digits, TrainConfig, train::params};

fuzz_target!(|data: &[u8]| {
    let Some((&which, input)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(input);
    match which % 6 {
        0 => drop(TrainConfig::from_query(&text)),
        1 => drop(TrainConfig::from_json(&text)),
        2 => {
            if let Ok(checkpoint) = Checkpoint::from_bytes(input) {
                // What it holds is read further when a run is restored: check that too.
                let _ = params::decode(&checkpoint.generator);
                let _ = params::decode(&checkpoint.discriminator);
                let _ = checkpoint.to_bytes();
            }
        }
        3 => drop(params::decode(input)),
        4 => drop(History::from_bytes(input)),
        _ => drop(Digits::decode(input)),
    }
});
