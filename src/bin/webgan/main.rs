//! `webgan`: the browser's trainer, natively, from the command line.
//!
//! ```text
//! webgan train [--steps N] [--backend wgpu|cpu] [--config FILE.json] [--set KEY=VALUE]...
//!              [--data FILE] [--out GRID.png] [--log-every K]
//! webgan bench [--steps N] [--backend wgpu|cpu] [--repeats R] [--config FILE.json] [--set KEY=VALUE]...
//! ```
//!
//! The command line is native only; a wasm build of this binary does nothing.

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
