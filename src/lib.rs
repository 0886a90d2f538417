//! # webgan
//!
//! Generative adversarial networks trained on MNIST with burn, written once and run in three
//! places: in a browser Web Worker on WebGPU, in the same worker on burn's CPU backend when
//! WebGPU is missing, and natively from the `webgan` command-line tool.
//!
//! Everything here except `web` (built for WebAssembly only) is independent of the browser:
//! the tensor device decides where the maths runs, so the same [`Trainer`] serves the page, the
//! CLI and the tests.

pub mod backend;
pub mod bench;
pub mod checkpoint;
pub mod classifier;
pub mod config;
pub mod data;
pub mod eval;
pub mod fid;
pub mod footprint;
pub mod grid;
pub mod history;
pub mod latent;
pub mod loss;
pub mod model;
pub mod optim;
pub mod params;
pub mod presets;
pub mod rng;
pub mod schedule;
pub mod session;
pub mod stats;
pub mod toy;
pub mod trainer;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use config::{ConfigError, TrainConfig};
pub use data::{DataError, Digits};
pub use presets::Preset;
pub use session::Session;
pub use stats::StepStats;
pub use trainer::{ConfigChange, Trainer};
