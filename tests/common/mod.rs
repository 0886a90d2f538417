//! Helpers shared by the native integration tests.

use webgan::Digits;

/// The 10 000 shipped digits, as `./build.sh data` packs them.
pub fn digits() -> Digits {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/www/data/mnist.bin.gz");
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}; run `./build.sh data` first"));
    Digits::decode(&bytes).expect("the packed digits decode")
}
