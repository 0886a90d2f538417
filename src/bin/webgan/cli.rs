//! The command line's parsing and commands.

use std::process::ExitCode;
use std::time::Instant;

use burn::tensor::{Tensor, TensorData};
use webgan::backend::{self, ComputeDevice};
use webgan::classifier::Classifier;
use webgan::config::KNOWN_KEYS;
use webgan::data::PIXELS;
use webgan::grid::digit_grid;
use webgan::stats::{StepValues, floats};
use webgan::{Digits, TrainConfig, Trainer, classifier, eval, params, presets};

const USAGE: &str = "usage:
  webgan train [--steps N] [--backend wgpu|cpu] [--preset NAME | --config FILE.json] [--set KEY=VALUE]...
               [--data FILE] [--out GRID.png] [--log-every K]
  webgan bench [--steps N] [--repeats R] [--backend wgpu|cpu] [--preset NAME | --config FILE.json] [--set KEY=VALUE]...
  webgan train-classifier [--epochs N] [--out FILE]
                          train the digit classifier on the first 8000 digits (CPU, seed 0)
                          and write its weights (default www/models/classifier.bin)
  webgan eval --images FILE [--classifier FILE]
                          the class statistics of raw digits (u8, N×784, row-major), as JSON
  webgan presets          list the presets with their settings and expected outcome
  webgan config           print the settings (after --preset, --config, --set) as JSON";

/// Everything the command line said.
struct Args {
    command: String,
    steps: u64,
    repeats: usize,
    epochs: usize,
    backend: String,
    config: TrainConfig,
    data: String,
    out: String,
    images: String,
    classifier: String,
    log_every: u64,
}

fn parse_args(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let command = argv.next().ok_or("no command given")?;
    if !["train", "bench", "presets", "config", "train-classifier", "eval"].contains(&command.as_str()) {
        return Err(format!("unknown command `{command}`"));
    }
    let mut args = Args {
        steps: if command == "bench" { 50 } else { 1000 },
        repeats: 3,
        epochs: 20,
        backend: "wgpu".into(),
        config: TrainConfig::default(),
        data: "www/data/mnist.bin.gz".into(),
        out: if command == "train-classifier" { "www/models/classifier.bin" } else { "samples.png" }.into(),
        log_every: 100,
        images: String::new(),
        classifier: "www/models/classifier.bin".into(),
        command,
    };
    let mut sets: Vec<String> = Vec::new();
    while let Some(flag) = argv.next() {
        let mut value = || argv.next().ok_or(format!("`{flag}` needs a value"));
        let number = |v: String| v.parse::<u64>().map_err(|_| format!("`{flag}` needs a whole number, not `{v}`"));
        match flag.as_str() {
            "--steps" => args.steps = number(value()?)?,
            "--repeats" => args.repeats = number(value()?)?.max(1) as usize,
            "--epochs" => args.epochs = number(value()?)?.max(1) as usize,
            "--log-every" => args.log_every = number(value()?)?.max(1),
            "--backend" => args.backend = value()?,
            "--data" => args.data = value()?,
            "--images" => args.images = value()?,
            "--classifier" => args.classifier = value()?,
            "--out" => args.out = value()?,
            "--config" => {
                let path = value()?;
                let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
                args.config = TrainConfig::from_json(&text).map_err(|e| format!("{path}: {e}"))?;
            }
            "--preset" => {
                let name = value()?;
                let known = || presets::all().iter().map(|p| p.id).collect::<Vec<_>>().join(", ");
                args.config =
                    presets::find(&name).ok_or_else(|| format!("no preset `{name}`; presets: {}", known()))?.config;
            }
            "--set" => sets.push(value()?),
            "-h" | "--help" => return Err(String::new()),
            _ => return Err(format!("unknown flag `{flag}`")),
        }
    }
    let pairs = sets
        .iter()
        .map(|s| s.split_once('=').ok_or(format!("`--set {s}` needs the form KEY=VALUE")))
        .collect::<Result<Vec<_>, _>>()?;
    args.config =
        args.config.clone().with_pairs(pairs).map_err(|e| format!("{e}\nsettings for --set: {KNOWN_KEYS}"))?;
    if !["wgpu", "cpu"].contains(&args.backend.as_str()) {
        return Err(format!("`--backend {}` is not one of: wgpu, cpu", args.backend));
    }
    Ok(args)
}

fn device(name: &str) -> Result<ComputeDevice, String> {
    match name {
        "cpu" => Ok(backend::cpu()),
        _ => backend::gpu(),
    }
}

/// Reads the statistics of the steps since the last read (one device round trip).
fn read_stats(trainer: &mut Trainer) -> Vec<StepValues> {
    trainer.take_stats().map(|pending| pending.read()).unwrap_or_default()
}

fn train(args: &Args, device: &ComputeDevice, digits: &Digits) -> Result<(), String> {
    let mut trainer = Trainer::new(args.config.clone(), digits, &device.device).map_err(|e| e.to_string())?;
    eprintln!("training on {device} for {} steps", args.steps);
    let started = Instant::now();
    while trainer.step_count() < args.steps {
        trainer.step();
        if trainer.step_count() % args.log_every == 0 || trainer.step_count() == args.steps {
            let values = read_stats(&mut trainer);
            let last = values.last().copied().expect("a step was taken");
            if let Some(bad) = values.iter().find(|v| !v.is_finite()) {
                let back = trainer.rollback();
                return Err(format!(
                    "losses became non-finite at step {} (loss_d {}, loss_g {}); the last finite state was step {back}. \
                     Try a smaller learning rate.",
                    bad.step, bad.loss_d, bad.loss_g
                ));
            }
            trainer.mark_good();
            let ms = started.elapsed().as_secs_f64() * 1e3 / trainer.step_count() as f64;
            let mut line = serde_json::to_value(last).expect("stats serialise");
            if line["input_grad_norm"].is_null() {
                line.as_object_mut().expect("stats are an object").remove("input_grad_norm");
            }
            line["ms_per_step"] = serde_json::json!((ms * 100.0).round() / 100.0);
            println!("{line}");
        }
    }
    write_png(&args.out, &digit_grid(&floats(trainer.samples().into_data()), 8))?;
    eprintln!("wrote the sample grid to {}", args.out);
    Ok(())
}

/// Times training steps: one warm-up run of `steps` (kernel compilation, autotune), then
/// `repeats` timed runs, each ending with the loss values read on the host.
fn bench(args: &Args, device: &ComputeDevice, digits: &Digits) -> Result<(), String> {
    let first = Instant::now();
    let mut trainer = Trainer::new(args.config.clone(), digits, &device.device).map_err(|e| e.to_string())?;
    trainer.step();
    read_stats(&mut trainer);
    let first_step_ms = first.elapsed().as_secs_f64() * 1e3;
    let mut run = || {
        let t = Instant::now();
        for _ in 0..args.steps {
            trainer.step();
        }
        read_stats(&mut trainer);
        t.elapsed().as_secs_f64() * 1e3 / args.steps as f64
    };
    run();
    let mut times: Vec<f64> = (0..args.repeats).map(|_| run()).collect();
    times.sort_by(f64::total_cmp);
    let line = serde_json::json!({
        "implementation": "webgan", "backend": device.kind.name(), "adapter": device.adapter,
        "workload": "mlp", "batch": args.config.batch_size, "steps": args.steps,
        "ms_per_step": {"min": times[0], "median": times[times.len() / 2], "max": times[times.len() - 1]},
        "first_step_ms": first_step_ms,
    });
    println!("{line}");
    Ok(())
}

fn write_png(path: &str, image: &webgan::grid::Gray) -> Result<(), String> {
    let file = std::fs::File::create(path).map_err(|e| format!("cannot write {path}: {e}"))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), image.width as u32, image.height as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(&image.pixels).map_err(|e| e.to_string())
}

fn run() -> Result<(), String> {
    let args = parse_args(std::env::args().skip(1))?;
    match args.command.as_str() {
        "presets" => {
            list_presets();
            return Ok(());
        }
        "eval" => return evaluate(&args),
        "config" => {
            println!("{}", args.config.to_json());
            return Ok(());
        }
        _ => {}
    }
    let bytes = std::fs::read(&args.data)
        .map_err(|e| format!("cannot read the digits at {}: {e} (./build.sh data makes them)", args.data))?;
    let digits = Digits::decode(&bytes).map_err(|e| format!("{}: {e}", args.data))?;
    match args.command.as_str() {
        "train" => train(&args, &device(&args.backend)?, &digits),
        "train-classifier" => train_classifier(&args, &digits),
        _ => bench(&args, &device(&args.backend)?, &digits),
    }
}

/// Trains the digit classifier on the CPU backend (deterministic for the seed), reports its
/// held-out accuracy and writes its weights.
fn train_classifier(args: &Args, digits: &Digits) -> Result<(), String> {
    let device = backend::cpu();
    let model = classifier::train(digits, args.epochs, 0, &device.device, |epoch, loss| {
        eprintln!("epoch {epoch}: last batch loss {loss:.4}");
    });
    let accuracy = classifier::held_out_accuracy(&model, digits, &device.device);
    println!("{}", serde_json::json!({ "held_out_accuracy": accuracy, "epochs": args.epochs }));
    std::fs::write(&args.out, params::to_bytes(&model)).map_err(|e| format!("cannot write {}: {e}", args.out))?;
    eprintln!("wrote the classifier's weights to {}", args.out);
    Ok(())
}

/// Prints the class statistics of a raw digit file, so samples from any implementation can be
/// judged by the same classifier.
fn evaluate(args: &Args) -> Result<(), String> {
    if args.images.is_empty() {
        return Err("`eval` needs --images FILE".into());
    }
    let images = std::fs::read(&args.images).map_err(|e| format!("cannot read {}: {e}", args.images))?;
    if images.is_empty() || images.len() % PIXELS != 0 {
        return Err(format!(
            "{} holds {} bytes, not a whole number of 28×28 digits ({PIXELS} bytes each, one byte per pixel)",
            args.images,
            images.len()
        ));
    }
    let weights = std::fs::read(&args.classifier).map_err(|e| format!("cannot read {}: {e}", args.classifier))?;
    let device = backend::cpu().device;
    let model =
        params::from_bytes(Classifier::new(&device), &weights).map_err(|e| format!("{}: {e}", args.classifier))?;
    let pixels: Vec<f32> = images.iter().map(|&p| f32::from(p) / 255.0).collect();
    let count = images.len() / PIXELS;
    let report = eval::class_report(&model, Tensor::from_data(TensorData::new(pixels, [count, PIXELS]), &device));
    let mut line = serde_json::to_value(report).expect("a report serialises");
    line["count"] = serde_json::json!(count);
    println!("{line}");
    Ok(())
}

fn list_presets() {
    for preset in presets::all() {
        let query = preset.config.to_query();
        println!(
            "{}\n  settings: {}\n  expect: {}\n",
            preset.id,
            if query.is_empty() { "the defaults" } else { &query },
            preset.outcome
        );
    }
}

/// Runs the command line, printing any error with the usage.
pub fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("webgan: {message}");
            }
            eprintln!("{USAGE}");
            ExitCode::FAILURE
        }
    }
}
