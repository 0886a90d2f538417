//! The command line's parsing and commands.

use std::fs::File;
use std::io::Read;
use std::process::ExitCode;
use std::time::Instant;

use webgan::config::lesson::{self, Lesson};
use webgan::config::{PRESET_KEY, presets, schema, shorten};
use webgan::data::toy::{self, DataSet};
use webgan::device::{self, ComputeDevice, Fusion};
use webgan::judge::{self, Judge, copying};
use webgan::session::Session;
use webgan::tensor::floats;
use webgan::train::checkpoint::{self, Checkpoint};
use webgan::train::stats::StepValues;
use webgan::view::grid::{digit_grid, plane_image, sample_grid};
use webgan::view::plane::PlaneView;
use webgan::{Digits, TrainConfig, Trainer, judge::classifier, train::params};

const USAGE: &str = "usage:
  webgan train [--steps N] [--backend wgpu|cpu] [--preset NAME | --config FILE.json] [--set KEY=VALUE]...
               [--data FILE] [--out GRID.png] [--saliency VIEW.png] [--neighbours VIEW.png]
               [--save CHECKPOINT] [--log-every K] [--eval-every K [--eval-samples N]]
                          a run that fails (non-finite losses, a PNG that cannot be written)
                          still writes what it can: the picture and the last finite state;
                          --saliency writes what D sees at the end (its gradient over four
                          grid digits and a real one) and prints D's verdicts on them;
                          --neighbours writes the grid's diagonal over its three nearest
                          training digits in the classifier's features, then in pixels, and
                          prints the distances
  webgan train --checkpoint FILE [--steps N] [--set KEY=VALUE]... [...]
                          resume a saved run (from the page or --save) for N more steps,
                          exactly where it stopped: weights, optimiser state, curves; --set
                          changes its live settings, not those that shape or seed its
                          networks (marked * below); it keeps its own settings, so --preset
                          and --config are refused
  webgan bench [--steps N] [--repeats R] [--backend wgpu|cpu] [--fusion on|off] [--like-browser]
               [--preset NAME | --config FILE.json] [--set KEY=VALUE]...
                          ms/step as JSON; --like-browser insists on a binary built with the
                          browser's kernel choices (no autotuning: burn fixes it at compile
                          time), RUSTFLAGS=\"--cfg webgan_like_browser\" cargo build --release;
                          --fusion off: the GPU runs each operation as its own kernel instead
                          of fusing them (train too)
  webgan train-classifier [--epochs N] [--out FILE] [--reference FILE]
                          train the digit classifier on the first 8000 digits (CPU, seed 0),
                          write its weights (default www/models/classifier.bin) and the real
                          digits' feature statistics for FID (default www/models/fid_reference.bin);
                          then run `webgan features`
  webgan features [--classifier FILE] [--out FILE]
                          write the classifier's features of the 10 000 digits (default
                          www/models/train_features.bin), which the page compares G's digits
                          with to see whether G copies them
  webgan eval (--images FILE | --checkpoint FILE [--eval-samples N]) [--classifier FILE] [--reference FILE]
                          FID and class statistics, as JSON, of raw digits (u8, N×784, row-major)
                          or of N digits (default 10000) drawn by an MNIST run's checkpoint
  webgan presets          list the presets with their settings and expected outcome
  webgan lesson FILE...   check lessons (www/lessons/*.json) and print their stages
  webgan config           print the settings (after --preset, --config, --set) as JSON
  webgan help             print this (so do --help and -h, after any command too)";

/// Whether this binary was built with the browser build's kernel choices: no autotuning
/// (Cargo.toml), so that a native run approximates the page on the same GPU.
const LIKE_BROWSER: bool = cfg!(webgan_like_browser);

/// Writes a line to standard output. A reader that has gone (`webgan presets | head`) ends the
/// program quietly, as a closed pipe ends a Unix tool, where `println!` would panic.
macro_rules! out {
    ($($arg:tt)*) => { write_line(format_args!($($arg)*)) };
}

fn write_line(line: std::fmt::Arguments) {
    use std::io::{ErrorKind, Write};
    match writeln!(std::io::stdout(), "{line}") {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            eprintln!("webgan: cannot write to standard output: {e}");
            std::process::exit(1)
        }
    }
}

/// The commands, as the first argument names them.
const COMMANDS: [&str; 8] = ["train", "bench", "presets", "config", "train-classifier", "features", "eval", "help"];
/// The flags that ask for the usage, in place of a command or after one.
const HELP_FLAGS: [&str; 2] = ["--help", "-h"];
/// The largest settings file read: a configuration is a few hundred bytes of JSON.
const MAX_CONFIG_BYTES: u64 = 1_000_000;
/// The largest digits, raw images, classifier or reference file read: above the largest digit
/// file that [`Digits::decode`] accepts (100 000 digits, 78.5 MB uncompressed) and far above
/// the models (well under 1 MB), while a device or pipe that never ends is cut off.
const MAX_INPUT_BYTES: u64 = 100_000_000;

/// Everything the command line said.
struct Args {
    command: String,
    steps: u64,
    repeats: usize,
    epochs: usize,
    backend: String,
    config: TrainConfig,
    /// The flag that replaced the default settings (`--preset` or `--config`), if any.
    settings_from: Option<&'static str>,
    /// The `--set` pairs as given, to apply again to a resumed run's own settings.
    sets: Vec<(String, String)>,
    data: String,
    out: String,
    /// `train --saliency`: where to write what D sees at the end; empty for nowhere.
    saliency: String,
    /// `train --neighbours`: where to write the nearest training digits at the end; empty for
    /// nowhere.
    neighbours: String,
    images: String,
    checkpoint: String,
    save: String,
    classifier: String,
    reference: String,
    log_every: u64,
    /// Steps between measurements of the samples during `train`; 0 for none.
    eval_every: u64,
    eval_samples: usize,
    /// `bench --like-browser`: refuse unless this binary makes the browser build's choices.
    like_browser: bool,
    /// Whether the GPU fuses operations, as `--fusion` says (`None`: not given, so it fuses).
    fusion: Option<Fusion>,
}

impl Args {
    /// What `command` does when no flag says otherwise.
    fn defaults(command: String) -> Self {
        Self {
            steps: if command == "bench" { 50 } else { 1000 },
            repeats: 3,
            epochs: 20,
            backend: "wgpu".into(),
            config: TrainConfig::default(),
            settings_from: None,
            sets: Vec::new(),
            data: "www/data/mnist.bin.gz".into(),
            out: match command.as_str() {
                "train-classifier" => "www/models/classifier.bin",
                "features" => "www/models/train_features.bin",
                _ => "samples.png",
            }
            .into(),
            log_every: 100,
            saliency: String::new(),
            neighbours: String::new(),
            images: String::new(),
            checkpoint: String::new(),
            save: String::new(),
            classifier: "www/models/classifier.bin".into(),
            reference: "www/models/fid_reference.bin".into(),
            eval_every: 0,
            eval_samples: 10_000,
            like_browser: false,
            fusion: None,
            command,
        }
    }

    /// The `--set` pairs, borrowed.
    fn pairs(&self) -> Vec<(&str, &str)> {
        self.sets.iter().map(|(key, value)| (key.as_str(), value.as_str())).collect()
    }
}

/// How a command failed.
enum Failure {
    /// The command line itself is wrong.
    Usage(String),
    /// The command could not do its work.
    Run(String),
}

fn parse_args(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let command = argv.next().ok_or("no command given")?;
    let command = if HELP_FLAGS.contains(&command.as_str()) { "help".into() } else { command };
    if !COMMANDS.contains(&command.as_str()) {
        return Err(format!("unknown command `{}`", shorten(&command)));
    }
    let mut args = Args::defaults(command);
    // bench divides by the steps it times; train may take none, to draw or re-save a run.
    let min_steps = if args.command == "bench" { 1 } else { 0 };
    while let Some(flag) = argv.next() {
        if HELP_FLAGS.contains(&flag.as_str()) {
            return Ok(Args::defaults("help".into()));
        }
        let mut value = || argv.next().ok_or(format!("`{flag}` needs a value"));
        match flag.as_str() {
            "--steps" => args.steps = whole_number(&flag, &value()?, min_steps)?,
            "--repeats" => args.repeats = whole_number(&flag, &value()?, 1)? as usize,
            "--epochs" => args.epochs = whole_number(&flag, &value()?, 1)? as usize,
            "--log-every" => args.log_every = whole_number(&flag, &value()?, 1)?,
            "--eval-every" => args.eval_every = whole_number(&flag, &value()?, 0)?,
            "--eval-samples" => args.eval_samples = whole_number(&flag, &value()?, 2)? as usize,
            "--backend" => args.backend = value()?,
            "--data" => args.data = value()?,
            "--images" => args.images = value()?,
            "--checkpoint" => args.checkpoint = value()?,
            "--save" => args.save = value()?,
            "--classifier" => args.classifier = value()?,
            "--reference" => args.reference = value()?,
            "--out" => args.out = value()?,
            "--saliency" => args.saliency = value()?,
            "--neighbours" => args.neighbours = value()?,
            "--config" => (args.config, args.settings_from) = (config_file(&value()?)?, Some("--config")),
            "--preset" => (args.config, args.settings_from) = (preset(&value()?)?, Some("--preset")),
            // A link's `preset=NAME` is a setting like the others, and here too.
            "--set" => match key_value(value()?)? {
                (key, name) if key == PRESET_KEY => {
                    (args.config, args.settings_from) = (preset(&name)?, Some("--preset"))
                }
                pair => args.sets.push(pair),
            },
            "--like-browser" => args.like_browser = true,
            "--fusion" => {
                let name = value()?;
                args.fusion = match Fusion::parse(&name) {
                    Some(fusion) if !name.is_empty() => Some(fusion),
                    _ => return Err(format!("`--fusion {}` is not one of: on, off", shorten(&name))),
                };
            }
            _ => return Err(format!("unknown flag `{}`", shorten(&flag))),
        }
    }
    args.config = args.config.clone().with_pairs(args.pairs()).map_err(|e| e.to_string())?;
    check_combination(&args)?;
    Ok(args)
}

/// The whole number `text` given for `flag`, refused below `min`.
fn whole_number(flag: &str, text: &str, min: u64) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(n) if n >= min => Ok(n),
        Ok(n) => Err(format!("`{flag}` needs at least {min}, not {n}")),
        Err(_) => Err(format!("`{flag}` needs a whole number, not `{}`", shorten(text))),
    }
}

/// The settings of a JSON file.
fn config_file(path: &str) -> Result<TrainConfig, String> {
    let text = String::from_utf8(read_file(path, MAX_CONFIG_BYTES)?)
        .map_err(|_| format!("{} is not UTF-8 text", shorten(path)))?;
    TrainConfig::from_json(&text).map_err(|e| format!("{}: {}", shorten(path), e))
}

/// The settings of the preset `name`.
fn preset(name: &str) -> Result<TrainConfig, String> {
    let known = || presets::all().iter().map(|p| p.id).collect::<Vec<_>>().join(", ");
    let preset = presets::find(name).ok_or_else(|| format!("no preset `{}`; presets: {}", shorten(name), known()))?;
    Ok(preset.config)
}

/// One `--set KEY=VALUE`.
fn key_value(text: String) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) => Ok((key.into(), value.into())),
        None => Err(format!("`--set {}` needs the form KEY=VALUE", shorten(&text))),
    }
}

/// Refuses flags that contradict each other.
fn check_combination(args: &Args) -> Result<(), String> {
    if let (Some(flag), false) = (args.settings_from, args.checkpoint.is_empty()) {
        return Err(format!(
            "`{flag}` does not go with `--checkpoint`: a resumed run keeps its own settings (--set changes the live ones)"
        ));
    }
    if args.like_browser && args.command != "bench" {
        return Err("`--like-browser` goes with `bench` only".into());
    }
    if args.like_browser && !LIKE_BROWSER {
        return Err("`--like-browser`: this binary autotunes kernels, which burn fixes when it is compiled; \
             build one as the browser is built: RUSTFLAGS=\"--cfg webgan_like_browser\" cargo build --release \
             (in a target directory of its own)"
            .into());
    }
    if args.fusion.is_some() && args.backend == "cpu" {
        return Err("`--fusion` goes with `--backend wgpu`: the CPU backend runs no GPU kernels to fuse".into());
    }
    if !["wgpu", "cpu"].contains(&args.backend.as_str()) {
        return Err(format!("`--backend {}` is not one of: wgpu, cpu", shorten(&args.backend)));
    }
    Ok(())
}

/// The bytes of the file at `path`, refused past `limit` bytes. The limit counts the bytes as
/// they are read, since the size a file system reports is 0 for a device or a pipe.
fn read_file(path: &str, limit: u64) -> Result<Vec<u8>, String> {
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", shorten(path));
    let mut bytes = Vec::new();
    File::open(path).map_err(cannot)?.take(limit + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(format!("{} is too large: more than {limit} bytes", shorten(path)));
    }
    Ok(bytes)
}

fn device(args: &Args) -> Result<ComputeDevice, String> {
    match args.backend.as_str() {
        "cpu" => Ok(device::cpu()),
        _ => device::gpu(args.fusion.unwrap_or_default()).map_err(|e| e.to_string()),
    }
}

/// The bytes of the digit classifier's weights and of the real digits' statistics, from the
/// files the arguments name.
fn judge_files(args: &Args) -> Result<(Vec<u8>, Vec<u8>), String> {
    Ok((read_file(&args.classifier, MAX_INPUT_BYTES)?, read_file(&args.reference, MAX_INPUT_BYTES)?))
}

/// A problem with the judge's files, naming them.
fn in_judge_files(args: &Args, problem: impl std::fmt::Display) -> String {
    format!("{} / {}: {problem}", shorten(&args.classifier), shorten(&args.reference))
}

fn read_checkpoint(path: &str) -> Result<Checkpoint, String> {
    let bytes = read_file(path, checkpoint::MAX_BYTES as u64)?;
    Checkpoint::from_bytes(&bytes).map_err(|e| format!("{}: {e}", shorten(path)))
}

/// The run `args` asks for: resumed from `--checkpoint` with the `--set` changes it can take,
/// or fresh from the settings, if its steps fit the device (a GPU's largest buffer).
fn session(args: &Args, device: &ComputeDevice, digits: &Digits) -> Result<Session, String> {
    if args.checkpoint.is_empty() {
        return Session::new(args.config.clone(), digits.clone(), device.clone()).map_err(|e| e.to_string());
    }
    let path = &args.checkpoint;
    let in_path = |e: &dyn std::fmt::Display| format!("{}: {e}", shorten(path));
    let mut session =
        Session::resume(&read_checkpoint(path)?, digits.clone(), device.clone()).map_err(|e| in_path(&e))?;
    resume_with(&mut session, &args.pairs()).map_err(|e| in_path(&e))?;
    Ok(session)
}

/// Applies `--set` pairs to a resumed run from its next step on. Those that shape or seed the
/// networks are refused by name: the run's weights cannot take them.
fn resume_with(session: &mut Session, pairs: &[(&str, &str)]) -> Result<(), String> {
    if pairs.is_empty() {
        return Ok(());
    }
    let saved = session.trainer().config().clone();
    let config = saved.clone().with_pairs(pairs.iter().copied()).map_err(|e| e.to_string())?;
    let fixed: Vec<&str> = pairs.iter().filter(|&&pair| shapes_the_run(&saved, pair)).map(|&(key, _)| key).collect();
    if !fixed.is_empty() {
        return Err(format!(
            "--set {}: a resumed run cannot change these (they shape or seed its networks); start a new run for them",
            fixed.join(", ")
        ));
    }
    let change = session.set_config(config).map_err(|e| e.to_string())?;
    for (network, reset) in [("G", change.reset_g), ("D", change.reset_d)] {
        if reset {
            eprintln!("{network}'s optimiser changed algorithm: its state starts afresh");
        }
    }
    Ok(())
}

/// Whether the setting `pair` alone makes [`TrainConfig::needs_restart`] true, or is valid
/// only together with another such setting (as `data=drawn` with its `points`).
fn shapes_the_run(config: &TrainConfig, pair: (&str, &str)) -> bool {
    config.clone().with_pairs([pair]).map_or(true, |changed| config.needs_restart(&changed))
}

/// Trains, then keeps what there is to keep even when training failed: the picture and, with
/// `--save`, the run (after non-finite losses, its last finite state).
fn train(args: &Args, device: &ComputeDevice, digits: &Digits) -> Result<(), String> {
    let mut session = session(args, device, digits)?;
    if (args.eval_every > 0 || !args.neighbours.is_empty()) && !session.trainer().config().data.is_toy() {
        let (weights, statistics) = judge_files(args)?;
        session.load_judge(&weights, &statistics).map_err(|e| in_judge_files(args, e))?;
    }
    let trained = train_steps(args, &mut session);
    let kept = [
        write_picture(&args.out, session.trainer()),
        write_saliency(&args.saliency, &session),
        write_neighbours(&args.neighbours, &mut session),
        save_run(&args.save, session.trainer()),
    ];
    let failures: Vec<String> = [trained].into_iter().chain(kept).filter_map(Result::err).collect();
    if failures.is_empty() { Ok(()) } else { Err(failures.join("\n")) }
}

/// Takes `--steps` steps, printing a JSON line every `--log-every`. Non-finite losses end it,
/// with the run rolled back to its last finite state.
fn train_steps(args: &Args, session: &mut Session) -> Result<(), String> {
    let step = |session: &Session| session.trainer().step_count();
    let (first, last) = (step(session), step(session) + args.steps);
    eprintln!("training on {} for {} steps from step {first}", session.device(), args.steps);
    let started = Instant::now();
    while step(session) < last {
        session.steps(1);
        if step(session).is_multiple_of(args.log_every) || step(session) == last {
            let values = session.read_stats().map_err(|e| e.to_string())?;
            let ms_per_step = started.elapsed().as_secs_f64() * 1e3 / (step(session) - first) as f64;
            let last = values.last().copied().expect("a step was taken");
            let mut line = log_line(session.trainer(), last, ms_per_step);
            if step(session).is_multiple_of(args.eval_every)
                && let Some(metrics) = session.measure(args.eval_samples)
            {
                let metrics = metrics.map_err(|e| format!("the samples at step {}: {e}", step(session)))?;
                line["metrics"] = serde_json::to_value(metrics).expect("metrics serialise");
                line["alarm"] = serde_json::to_value(session.alarm()).expect("an alarm serialises");
            }
            out!("{line}");
        }
    }
    Ok(())
}

/// The JSON line of one step: its statistics, the time per step and, for a toy run, the
/// modes its points cover.
fn log_line(trainer: &Trainer, last: StepValues, ms_per_step: f64) -> serde_json::Value {
    let mut line = serde_json::to_value(last).expect("stats serialise");
    if line["input_grad_norm"].is_null() {
        line.as_object_mut().expect("stats are an object").remove("input_grad_norm");
    }
    line["ms_per_step"] = serde_json::json!((ms_per_step * 100.0).round() / 100.0);
    if trainer.config().data.is_toy() {
        let points = floats(trainer.eval_samples(toy::VIEW_POINTS).into_data());
        line["coverage"] = serde_json::to_value(toy::coverage(trainer.config().data, &points)).expect("serialises");
    }
    line
}

/// Writes the run's picture to `path`: the sample grid, or a toy run's plane.
fn write_picture(path: &str, trainer: &Trainer) -> Result<(), String> {
    let data = trainer.config().data;
    let toy_data = data.is_toy();
    if toy_data {
        let (count, resolution) = (toy::VIEW_POINTS, toy::VIEW_RESOLUTION);
        let values = floats(trainer.plane_view(count, resolution).into_data());
        let picture = plane_image(&PlaneView::new(&values, count, resolution), 256);
        write_png(path, picture.width, picture.height, png::ColorType::Grayscale, &picture.pixels)?;
    } else if data.channels() == 1 {
        let picture =
            digit_grid(&floats(trainer.samples().into_data()), trainer.grid_columns()).map_err(|e| e.to_string())?;
        write_png(path, picture.width, picture.height, png::ColorType::Grayscale, &picture.pixels)?;
    } else {
        let samples = floats(trainer.samples().into_data());
        let picture = sample_grid(&samples, trainer.grid_columns(), data.channels()).map_err(|e| e.to_string())?;
        write_png(path, picture.width, picture.height, png::ColorType::Rgba, &picture.pixels)?;
    }
    eprintln!("wrote the {} to {}", if toy_data { "plane" } else { "sample grid" }, shorten(path));
    Ok(())
}

/// Saves the run as a checkpoint at `path`; nothing when `path` is empty.
fn save_run(path: &str, trainer: &Trainer) -> Result<(), String> {
    if path.is_empty() {
        return Ok(());
    }
    std::fs::write(path, trainer.checkpoint().to_bytes())
        .map_err(|e| format!("cannot write {}: {e}", shorten(path)))?;
    eprintln!("saved the run at step {} to {}", trainer.step_count(), shorten(path));
    Ok(())
}

/// Times training steps: one warm-up run of `steps` (kernel compilation, autotune), then
/// `repeats` timed runs, each ending with the loss values read on the host.
fn bench(args: &Args, device: &ComputeDevice, digits: &Digits) -> Result<(), String> {
    let first = Instant::now();
    let mut session = Session::new(args.config.clone(), digits.clone(), device.clone()).map_err(|e| e.to_string())?;
    let mut run = |steps: u64| -> Result<f64, String> {
        let t = Instant::now();
        session.steps(steps);
        session.read_stats().map_err(|e| e.to_string())?;
        Ok(t.elapsed().as_secs_f64() * 1e3 / steps as f64)
    };
    run(1)?;
    let first_step_ms = first.elapsed().as_secs_f64() * 1e3;
    run(args.steps)?;
    let mut times = (0..args.repeats).map(|_| run(args.steps)).collect::<Result<Vec<f64>, String>>()?;
    times.sort_by(f64::total_cmp);
    let line = serde_json::json!({
        "implementation": "webgan", "where": "native", "backend": device.kind.name(), "adapter": device.adapter,
        "workload": args.config.model, "batch": args.config.batch_size, "steps": args.steps,
        "ms_per_step": {"min": times[0], "median": times[times.len() / 2], "max": times[times.len() - 1]},
        "first_step_ms": first_step_ms,
        "execution": if LIKE_BROWSER { "like-browser" } else { "native-default" },
        "fused": device.fused,
    });
    out!("{line}");
    Ok(())
}

/// Writes the grid's diagonal over its nearest training digits at the end of the run to `path`
/// (see [`webgan::judge::copying::Neighbours`]) and prints their distances; nothing when `path`
/// is empty. Only MNIST runs draw from a set G could copy.
fn write_neighbours(path: &str, session: &mut Session) -> Result<(), String> {
    if path.is_empty() {
        return Ok(());
    }
    let view = session.neighbours().ok_or("--neighbours: only a run on MNIST has training digits to compare with")?;
    write_png(path, view.picture.width, view.picture.height, png::ColorType::Rgba, &view.picture.pixels)?;
    let nearest = |space: &[Vec<copying::Match>]| {
        space
            .iter()
            .map(|m| m.first().map_or("-".into(), |m| format!("{:.2}", m.distance)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    eprintln!(
        "wrote the nearest training digits to {} (nearest in features: {}; in pixels: {})",
        shorten(path),
        nearest(&view.in_features),
        nearest(&view.in_pixels)
    );
    Ok(())
}

/// Writes what D sees at the end of the run to `path` (see
/// [`webgan::judge::saliency::Saliency::picture`]) and prints its verdicts; nothing when `path`
/// is empty. A toy run has no digits to look at.
fn write_saliency(path: &str, session: &Session) -> Result<(), String> {
    if path.is_empty() {
        return Ok(());
    }
    let view = session.saliency().ok_or("--saliency: a toy run has no digits; its plane shows what D sees")?;
    let picture = view.picture();
    write_png(path, picture.width, picture.height, png::ColorType::Rgba, &picture.pixels)?;
    let verdicts: Vec<String> = view.verdicts.iter().map(|v| format!("{v:.3}")).collect();
    eprintln!(
        "wrote what D sees to {} (D on four grid digits, then a real one: {})",
        shorten(path),
        verdicts.join(", ")
    );
    Ok(())
}

fn write_png(path: &str, width: usize, height: usize, color: png::ColorType, pixels: &[u8]) -> Result<(), String> {
    let cannot = |e: &dyn std::fmt::Display| format!("cannot write {}: {e}", shorten(path));
    let file = File::create(path).map_err(|e| cannot(&e))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width as u32, height as u32);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| cannot(&e))?;
    writer.write_image_data(pixels).map_err(|e| cannot(&e))
}

fn run() -> Result<(), Failure> {
    let mut argv = std::env::args().skip(1).peekable();
    if argv.next_if_eq("lesson").is_some() {
        return show_lessons(&argv.collect::<Vec<_>>());
    }
    let args = parse_args(argv).map_err(Failure::Usage)?;
    match args.command.as_str() {
        "help" => out!("{USAGE}\n\n{}", schema::help()),
        "presets" => list_presets(),
        "config" => out!("{}", args.config.to_json()),
        _ => execute(&args).map_err(Failure::Run)?,
    }
    Ok(())
}

/// Runs a command that needs the digits.
fn execute(args: &Args) -> Result<(), String> {
    let bytes =
        read_file(&args.data, MAX_INPUT_BYTES).map_err(|e| format!("the digits: {e} (./build.sh data makes them)"))?;
    let digits = Digits::decode(&bytes).map_err(|e| format!("{}: {e}", shorten(&args.data)))?;
    match args.command.as_str() {
        "train" => train(args, &device(args)?, &digits),
        "eval" => evaluate(args, &digits),
        "train-classifier" => train_classifier(args, &digits),
        "features" => write_features(args, &digits),
        _ => bench(args, &device(args)?, &digits),
    }
}

/// Trains the digit classifier on the CPU backend (deterministic for the seed), reports its
/// held-out accuracy and writes its weights and the real digits' feature statistics.
fn train_classifier(args: &Args, digits: &Digits) -> Result<(), String> {
    let device = device::cpu();
    let model = classifier::train(digits, args.epochs, 0, &device.device, |epoch, loss| {
        eprintln!("epoch {epoch}: last batch loss {loss:.4}");
    });
    let accuracy = classifier::held_out_accuracy(&model, digits, &device.device);
    out!("{}", serde_json::json!({ "held_out_accuracy": accuracy, "epochs": args.epochs }));
    std::fs::write(&args.out, params::to_bytes(&model))
        .map_err(|e| format!("cannot write {}: {e}", shorten(&args.out)))?;
    eprintln!("wrote the classifier's weights to {}", shorten(&args.out));
    let reference = judge::reference_stats(&model, &digits.pixels_unit(), &device.device);
    std::fs::write(&args.reference, reference.to_bytes())
        .map_err(|e| format!("cannot write {}: {e}", shorten(&args.reference)))?;
    eprintln!("wrote the real digits' feature statistics to {}", shorten(&args.reference));
    Ok(())
}

/// Writes the classifier's features of the digits, the file the page loads to compare G's digits
/// with them (computing them there would take minutes on a slow device).
fn write_features(args: &Args, digits: &Digits) -> Result<(), String> {
    let device = device::cpu();
    let (weights, statistics) = judge_files(args)?;
    let judge = Judge::new(&weights, &statistics, &device.device).map_err(|e| in_judge_files(args, e))?;
    let features = floats(judge.features(&digits.pixels_unit(), &device.device).into_data());
    let bytes = copying::encode_features(&features);
    std::fs::write(&args.out, &bytes).map_err(|e| format!("cannot write {}: {e}", shorten(&args.out)))?;
    eprintln!("wrote the features of {} digits to {} ({} bytes)", digits.len(), shorten(&args.out), bytes.len());
    Ok(())
}

/// Prints FID and the class statistics of a raw digit file, so samples from any implementation
/// can be judged by the same classifier.
fn evaluate(args: &Args, digits: &Digits) -> Result<(), String> {
    let device = device::cpu();
    let (source, (data, pixels)) = match (args.images.is_empty(), args.checkpoint.is_empty()) {
        (false, true) => (&args.images, (DataSet::Mnist, image_file(&args.images)?)),
        (true, false) => (&args.checkpoint, checkpoint_digits(args, &device, digits)?),
        _ => return Err("`eval` needs either --images FILE or --checkpoint FILE".into()),
    };
    let (weights, statistics) = judge_files(args)?;
    let judge = Judge::new(&weights, &statistics, &device.device).map_err(|e| in_judge_files(args, e))?;
    let mut metrics =
        judge.measure_of(data, &pixels, &device.device).map_err(|e| format!("{}: {e}", shorten(source)))?;
    if data == DataSet::Mnist {
        metrics.closeness = copying::closeness_to(&judge, &pixels, digits, &device.device);
    }
    out!("{}", serde_json::to_value(metrics).expect("metrics serialise"));
    Ok(())
}

/// `--eval-samples` digits (or stacked digits) drawn by the checkpoint's generator, with its
/// data set. A toy run's are 2-D points, which the digit classifier cannot judge.
fn checkpoint_digits(args: &Args, device: &ComputeDevice, digits: &Digits) -> Result<(DataSet, Vec<f32>), String> {
    let session = session(args, device, digits)?;
    let trainer = session.trainer();
    let data = trainer.config().data;
    if data.is_toy() {
        return Err(format!(
            "{} is a run on the toy data set {}: eval judges MNIST digits only",
            shorten(&args.checkpoint),
            serde_json::json!(data)
        ));
    }
    Ok((data, floats(trainer.eval_samples(args.eval_samples).into_data())))
}

/// Raw digits (one byte per pixel, 784 per digit) as values in [0, 1].
fn image_file(path: &str) -> Result<Vec<f32>, String> {
    Ok(read_file(path, MAX_INPUT_BYTES)?.iter().map(|&p| f32::from(p) / 255.0).collect())
}

/// Checks each lesson file and prints its stages; a lesson with problems is refused with each,
/// by stage and field.
fn show_lessons(files: &[String]) -> Result<(), Failure> {
    if files.is_empty() {
        return Err(Failure::Usage("`lesson` needs one or more lesson files (www/lessons/*.json)".into()));
    }
    for path in files {
        let name = shorten(path);
        let bytes = read_file(path, lesson::MAX_BYTES as u64).map_err(Failure::Run)?;
        let text = String::from_utf8(bytes).map_err(|_| Failure::Run(format!("{name} is not UTF-8 text")))?;
        let lesson = Lesson::from_json(&text).map_err(|e| {
            Failure::Run(e.to_string().lines().map(|line| format!("{name}: {line}")).collect::<Vec<_>>().join("\n"))
        })?;
        out!("{name}: {}", lesson.title["en"]);
        for (n, stage) in lesson.stages.iter().enumerate() {
            let settings = &stage.query;
            let preset = stage.preset.as_ref().map_or(String::new(), |id| format!(" (preset {id})"));
            let hides = if stage.hide.is_empty() { "nothing".into() } else { stage.hide.join(", ") };
            let words = &stage.text["en"];
            out!("  stage {}: {}\n    settings: {settings}{preset}", n + 1, words["title"]);
            out!("    pauses at step {}, hides {hides}\n    asks: {}\n", stage.steps, words["ask"]);
        }
    }
    Ok(())
}

fn list_presets() {
    for preset in presets::all() {
        out!("{}\n  settings: {}\n  expect: {}\n", preset.id, preset.config.to_query(), preset.outcome);
    }
}

/// Runs the command line. A failure is said line by line; a wrong command line also points
/// to the usage.
pub fn main() -> ExitCode {
    let message = match run() {
        Ok(()) => return ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => format!("{message}\n`webgan --help` lists the commands and their flags"),
        Err(Failure::Run(message)) => message,
    };
    for line in message.lines() {
        eprintln!("webgan: {line}");
    }
    ExitCode::FAILURE
}
