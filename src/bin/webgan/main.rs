//! `webgan`: the browser's trainer, natively, from the command line: `train`, `bench`,
//! `train-classifier`, `eval`, `presets` and `config` (`webgan --help` lists their flags).
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
