//! A whole checkpoint restored into a run, as the page's Open run and the command line's
//! `--checkpoint` do: the networks, optimisers, random generators and curves of arbitrary bytes.
//! Either the run is restored or an error says why; nothing may panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use webgan::train::checkpoint::Checkpoint;
use webgan::{Digits, Trainer, device};

fn digits() -> &'static Digits {
    static DIGITS: OnceLock<Digits> = OnceLock::new();
    DIGITS.get_or_init(|| Digits::decode(include_bytes!("../../www/data/mnist.bin.gz")).expect("./build.sh data"))
}

fuzz_target!(|data: &[u8]| {
    if let Ok(checkpoint) = Checkpoint::from_bytes(data) {
        let _ = Trainer::from_checkpoint(&checkpoint, digits(), &device::cpu().device);
    }
});
