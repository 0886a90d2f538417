//! The command line's parsing and commands.

use std::process::ExitCode;
use std::time::Instant;

use webgan::backend::{self, ComputeDevice};
use webgan::checkpoint::{self, Checkpoint};
use webgan::config::KNOWN_KEYS;
use webgan::data::PIXELS;
use webgan::eval::{self, Judge};
use webgan::grid::{digit_grid, plane_image};
use webgan::stats::{StepValues, floats};
use webgan::toy::{self, PlaneView};
use webgan::{Digits, TrainConfig, Trainer, classifier, params, presets};

const USAGE: &str = "usage:
  webgan train [--steps N] [--backend wgpu|cpu] [--preset NAME | --config FILE.json] [--set KEY=VALUE]...
               [--data FILE] [--out GRID.png] [--save CHECKPOINT] [--log-every K]
               [--eval-every K [--eval-samples N]]
  webgan train --checkpoint FILE [--steps N] [...]
                          resume a saved run (from the page or --save) for N more steps,
                          exactly where it stopped: weights, optimiser state, curves
  webgan bench [--steps N] [--repeats R] [--backend wgpu|cpu] [--preset NAME | --config FILE.json] [--set KEY=VALUE]...
  webgan train-classifier [--epochs N] [--out FILE] [--reference FILE]
                          train the digit classifier on the first 8000 digits (CPU, seed 0),
                          write its weights (default www/models/classifier.bin) and the real
                          digits' feature statistics for FID (default www/models/fid_reference.bin)
  webgan eval (--images FILE | --checkpoint FILE [--eval-samples N]) [--classifier FILE] [--reference FILE]
                          FID and class statistics, as JSON, of raw digits (u8, N×784, row-major)
                          or of N digits (default 10000) drawn by a checkpoint's generator
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
    checkpoint: String,
    save: String,
    classifier: String,
    reference: String,
    log_every: u64,
    /// Steps between measurements of the samples during `train`; 0 for none.
    eval_every: u64,
    eval_samples: usize,
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
        checkpoint: String::new(),
        save: String::new(),
        classifier: "www/models/classifier.bin".into(),
        reference: "www/models/fid_reference.bin".into(),
        eval_every: 0,
        eval_samples: 10_000,
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
            "--eval-every" => args.eval_every = number(value()?)?,
            "--eval-samples" => args.eval_samples = number(value()?)?.max(2) as usize,
            "--backend" => args.backend = value()?,
            "--data" => args.data = value()?,
            "--images" => args.images = value()?,
            "--checkpoint" => args.checkpoint = value()?,
            "--save" => args.save = value()?,
            "--classifier" => args.classifier = value()?,
            "--reference" => args.reference = value()?,
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

/// The digit classifier and the real digits' statistics, from the files the arguments name.
fn judge(args: &Args, device: &ComputeDevice) -> Result<Judge, String> {
    let read = |path: &str| std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"));
    Judge::new(&read(&args.classifier)?, &read(&args.reference)?, &device.device)
        .map_err(|e| format!("{} / {}: {e}", args.classifier, args.reference))
}

/// Reads a checkpoint file, refusing one larger than any checkpoint before reading it.
fn read_checkpoint(path: &str) -> Result<Checkpoint, String> {
    let size = std::fs::metadata(path).map_err(|e| format!("cannot read {path}: {e}"))?.len();
    if size > checkpoint::MAX_BYTES as u64 {
        return Err(format!("{path}: {}", checkpoint::CheckpointError::TooLarge(size as usize)));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    Checkpoint::from_bytes(&bytes).map_err(|e| format!("{path}: {e}"))
}

/// The run `args` asks for: resumed from `--checkpoint`, or fresh from the settings.
fn trainer(args: &Args, device: &ComputeDevice, digits: &Digits) -> Result<Trainer, String> {
    if args.checkpoint.is_empty() {
        return Trainer::new(args.config.clone(), digits, &device.device).map_err(|e| e.to_string());
    }
    let path = &args.checkpoint;
    Trainer::from_checkpoint(&read_checkpoint(path)?, digits, &device.device).map_err(|e| format!("{path}: {e}"))
}

fn train(args: &Args, device: &ComputeDevice, digits: &Digits) -> Result<(), String> {
    let mut trainer = trainer(args, device, digits)?;
    let toy_data = trainer.config().data.is_toy();
    let judge = if args.eval_every > 0 && !toy_data { Some(judge(args, device)?) } else { None };
    let (first, last) = (trainer.step_count(), trainer.step_count() + args.steps);
    eprintln!("training on {device} for {} steps from step {first}", args.steps);
    let started = Instant::now();
    while trainer.step_count() < last {
        trainer.step();
        if trainer.step_count() % args.log_every == 0 || trainer.step_count() == last {
            let values = read_stats(&mut trainer);
            let last = values.last().copied().expect("a step was taken");
            if let Some(bad) = values.iter().find(|v| !v.is_finite()) {
                let back = trainer.rollback();
                return Err(format!(
                    "losses became non-finite at step {} (loss_d {}, loss_g {}); the last finite state was step {back}. \
                     Likely causes: a learning rate too high for the optimiser (try 10x smaller), or a loss without \
                     bounds on its gradients (least squares or WGAN without a penalty) under plain SGD.",
                    bad.step, bad.loss_d, bad.loss_g
                ));
            }
            trainer.accept(&values);
            let ms = started.elapsed().as_secs_f64() * 1e3 / (trainer.step_count() - first) as f64;
            let mut line = serde_json::to_value(last).expect("stats serialise");
            if line["input_grad_norm"].is_null() {
                line.as_object_mut().expect("stats are an object").remove("input_grad_norm");
            }
            line["ms_per_step"] = serde_json::json!((ms * 100.0).round() / 100.0);
            if toy_data {
                let points = floats(trainer.eval_samples(toy::VIEW_POINTS).into_data());
                line["coverage"] =
                    serde_json::to_value(toy::coverage(trainer.config().data, &points)).expect("serialises");
            }
            if let Some(judge) = judge.as_ref().filter(|_| trainer.step_count() % args.eval_every == 0) {
                let samples = floats(trainer.eval_samples(args.eval_samples).into_data());
                let metrics = judge.measure(&samples, &device.device);
                trainer.record_fid(metrics.fid);
                line["metrics"] = serde_json::to_value(metrics).expect("metrics serialise");
            }
            println!("{line}");
        }
    }
    let picture = if toy_data {
        let (count, resolution) = (toy::VIEW_POINTS, toy::VIEW_RESOLUTION);
        let values = floats(trainer.plane_view(count, resolution).into_data());
        plane_image(&PlaneView::new(&values, count, resolution), 256)
    } else {
        digit_grid(&floats(trainer.samples().into_data()), trainer.grid_columns())
    };
    write_png(&args.out, &picture)?;
    eprintln!("wrote the {} to {}", if toy_data { "plane" } else { "sample grid" }, args.out);
    if !args.save.is_empty() {
        std::fs::write(&args.save, trainer.checkpoint().to_bytes())
            .map_err(|e| format!("cannot write {}: {e}", args.save))?;
        eprintln!("saved the run to {}", args.save);
    }
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
        "implementation": "webgan", "where": "native", "backend": device.kind.name(), "adapter": device.adapter,
        "workload": args.config.model, "batch": args.config.batch_size, "steps": args.steps,
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
        "eval" => evaluate(&args, &digits),
        "train-classifier" => train_classifier(&args, &digits),
        _ => bench(&args, &device(&args.backend)?, &digits),
    }
}

/// Trains the digit classifier on the CPU backend (deterministic for the seed), reports its
/// held-out accuracy and writes its weights and the real digits' feature statistics.
fn train_classifier(args: &Args, digits: &Digits) -> Result<(), String> {
    let device = backend::cpu();
    let model = classifier::train(digits, args.epochs, 0, &device.device, |epoch, loss| {
        eprintln!("epoch {epoch}: last batch loss {loss:.4}");
    });
    let accuracy = classifier::held_out_accuracy(&model, digits, &device.device);
    println!("{}", serde_json::json!({ "held_out_accuracy": accuracy, "epochs": args.epochs }));
    std::fs::write(&args.out, params::to_bytes(&model)).map_err(|e| format!("cannot write {}: {e}", args.out))?;
    eprintln!("wrote the classifier's weights to {}", args.out);
    let reference = eval::reference_stats(&model, &digits.pixels_unit(), &device.device);
    std::fs::write(&args.reference, reference.to_bytes())
        .map_err(|e| format!("cannot write {}: {e}", args.reference))?;
    eprintln!("wrote the real digits' feature statistics to {}", args.reference);
    Ok(())
}

/// Prints FID and the class statistics of a raw digit file, so samples from any implementation
/// can be judged by the same classifier.
fn evaluate(args: &Args, digits: &Digits) -> Result<(), String> {
    let device = backend::cpu();
    let pixels = match (args.images.is_empty(), args.checkpoint.is_empty()) {
        (false, true) => image_file(&args.images)?,
        (true, false) => floats(trainer(args, &device, digits)?.eval_samples(args.eval_samples).into_data()),
        _ => return Err("`eval` needs either --images FILE or --checkpoint FILE".into()),
    };
    let metrics = judge(args, &device)?.measure(&pixels, &device.device);
    println!("{}", serde_json::to_value(metrics).expect("metrics serialise"));
    Ok(())
}

/// Raw digits (one byte per pixel, 784 per digit) as values in [0, 1].
fn image_file(path: &str) -> Result<Vec<f32>, String> {
    let images = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    if images.len() < 2 * PIXELS || images.len() % PIXELS != 0 {
        return Err(format!(
            "{path} holds {} bytes, not a whole number of 28×28 digits (at least two, {PIXELS} bytes each, one byte per pixel)",
            images.len()
        ));
    }
    Ok(images.iter().map(|&p| f32::from(p) / 255.0).collect())
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
