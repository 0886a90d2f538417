//! # webgan
//!
//! Generative adversarial networks trained on MNIST with burn, written once and run in three
//! places: in a browser Web Worker on WebGPU, in the same worker on burn's CPU backend when
//! WebGPU is missing, and natively from the `webgan` command-line tool.
//!
//! The modules are layers, each using only those listed before it:
//! - [`rng`], [`tensor`], [`message`]: seeded randomness, reading tensors back, and what an
//!   error says (a key of the page's sentences and its values);
//! - [`data`]: the digits and the 2-D toys;
//! - [`config`]: what a run is (its settings, their schema, the presets);
//! - [`model`]: the networks;
//! - [`view`]: pictures of samples and of the plane, walks through the noise;
//! - [`train`]: one step of the game, its statistics, history and checkpoints;
//! - [`judge`]: the project's classifier, FID, and the verdicts it gives;
//! - [`device`]: where the maths runs and whether a run fits there;
//! - [`session`]: one run as a host sees it, with the per-frame policy;
//! - the hosts: `web` (the browser worker, built for WebAssembly only) and the `webgan` CLI.
//!
//! Everything below the hosts is independent of the browser: the tensor device decides where
//! the maths runs, so the same [`Trainer`] serves the page, the CLI and the tests.

pub mod config;
pub mod data;
pub mod device;
pub mod judge;
pub mod message;
pub mod model;
pub mod rng;
pub mod session;
pub mod tensor;
pub mod train;
pub mod view;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use config::presets::Preset;
pub use config::{ConfigError, TrainConfig};
pub use data::{DataError, Digits};
pub use session::Session;
pub use train::stats::StepStats;
pub use train::{ConfigChange, Trainer};
