//! The command line as a user runs it: every preset exported with `webgan config`, trained from
//! that JSON file with `webgan train --config`, and bad input refused with a message.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use webgan::train::checkpoint::Checkpoint;
use webgan::{TrainConfig, config::presets, train::params};

fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_webgan"));
    command.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

fn webgan(args: &[&str]) -> Output {
    command(args).output().expect("the webgan binary runs")
}

/// [`webgan`], killed and failed after `seconds`: for input that an unbounded read would never
/// finish (and would fill the memory with).
fn webgan_within(seconds: u64, args: &[&str]) -> Output {
    let mut child = command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("webgan starts");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("`webgan {}` still ran after {seconds} s", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stderr(run: &Output) -> String {
    String::from_utf8_lossy(&run.stderr).into_owned()
}

/// Asserts that `run` failed as the command line fails (exit status 1, not a panic's 101),
/// saying `message`.
fn assert_refused(run: &Output, message: &str) {
    assert_eq!(run.status.code(), Some(1), "{}", stderr(run));
    assert!(stderr(run).contains(message), "wanted `{message}` in: {}", stderr(run));
}

/// Trains `steps` CPU steps with `extra` flags, saves the run to `name` and returns its path.
fn trained_run(name: &str, steps: &str, extra: &[&str]) -> String {
    let (saved, grid) = (scratch(name), scratch(&format!("{name}.png")));
    let (saved, grid) = (saved.to_str().unwrap(), grid.to_str().unwrap());
    let run =
        webgan(&[&["train", "--steps", steps, "--backend", "cpu", "--out", grid, "--save", saved], extra].concat());
    assert!(run.status.success(), "{}", stderr(&run));
    saved.to_string()
}

fn read_run(path: &str) -> Checkpoint {
    Checkpoint::from_bytes(&std::fs::read(path).unwrap()).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("webgan-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn every_preset_trains_from_its_json_file() {
    for preset in presets::all() {
        let exported = webgan(&["config", "--preset", preset.id]);
        assert!(exported.status.success(), "{}: {}", preset.id, String::from_utf8_lossy(&exported.stderr));
        let json = String::from_utf8(exported.stdout).unwrap();
        assert_eq!(TrainConfig::from_json(&json), Ok(preset.config.clone()), "{}", preset.id);

        let (config, grid) = (scratch(&format!("{}.json", preset.id)), scratch(&format!("{}.png", preset.id)));
        std::fs::write(&config, json).unwrap();
        let run = webgan(&[
            "train",
            "--config",
            config.to_str().unwrap(),
            "--steps",
            "2",
            "--log-every",
            "1",
            "--backend",
            "cpu",
            "--out",
            grid.to_str().unwrap(),
        ]);
        assert!(run.status.success(), "{}: {}", preset.id, String::from_utf8_lossy(&run.stderr));
        let lines: Vec<serde_json::Value> =
            String::from_utf8(run.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2, "{}: one line per step", preset.id);
        for key in ["loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d", "grad_norm_g", "lr_d", "lr_g"] {
            assert!(lines[1][key].as_f64().is_some_and(f64::is_finite), "{}: {key} in {}", preset.id, lines[1]);
        }
        assert!(std::fs::read(&grid).unwrap().starts_with(b"\x89PNG"), "{}: no PNG grid", preset.id);
    }
}

#[test]
fn bad_settings_and_unknown_presets_are_refused_by_name() {
    let run = webgan(&["train", "--preset", "wgan", "--steps", "1"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(stderr.contains("no preset `wgan`; presets: first_minute, seed_article, minimax"), "{stderr}");

    // `--set preset=NAME`, as a link writes it, is `--preset NAME`.
    let (flag, set) = (webgan(&["config", "--preset", "minimax"]), webgan(&["config", "--set", "preset=minimax"]));
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    assert_eq!(set.stdout, flag.stdout);
    let run = webgan(&["train", "--set", "preset=wgan", "--steps", "1"]);
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("no preset `wgan`"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    let run = webgan(&["train", "--set", "d_steps=0", "--steps", "1"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && stderr.contains("`d_steps` = 0 is not allowed"), "{stderr}");

    let bad = scratch("bad.json");
    std::fs::write(&bad, r#"{"loss": "wasserstein"}"#).unwrap();
    let run = webgan(&["train", "--config", bad.to_str().unwrap(), "--steps", "1"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && stderr.contains("wasserstein"), "{stderr}");
}

#[test]
fn eval_scores_raw_digit_files_and_refuses_ragged_ones() {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/data/mnist.bin.gz")).unwrap();
    let digits = webgan::Digits::decode(&bytes).unwrap();
    // The first 1 000 real digits, as any other implementation could write them.
    let images = scratch("real.u8");
    std::fs::write(&images, &digits.pixels[..1000 * webgan::data::PIXELS]).unwrap();
    let run = webgan(&["eval", "--images", images.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(report["count"], 1000);
    assert_eq!(report["covered"], 10);
    assert_eq!(report["collapsed"], false);
    assert!(report["confidence"].as_f64().unwrap() > 0.9, "{report}");
    assert!(report["fid"].as_f64().unwrap() < 10.0, "real digits lie close to the reference: {report}");

    let ragged = scratch("ragged.u8");
    std::fs::write(&ragged, [0u8; 1000]).unwrap();
    let run = webgan(&["eval", "--images", ragged.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        !run.status.success() && stderr.contains("1000 values are not a whole number of digits of 784 values each"),
        "{stderr}"
    );
}

#[test]
fn a_saved_run_is_judged_from_its_checkpoint_and_damaged_ones_are_refused() {
    let (checkpoint, grid) = (scratch("run.ckpt"), scratch("run.png"));
    let run = webgan(&[
        "train",
        "--steps",
        "3",
        "--backend",
        "cpu",
        "--set",
        "ema=0.9",
        "--out",
        grid.to_str().unwrap(),
        "--save",
        checkpoint.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let saved = webgan::train::checkpoint::Checkpoint::from_bytes(&std::fs::read(&checkpoint).unwrap()).unwrap();
    assert_eq!((saved.step, saved.config.ema), (3, 0.9));
    assert!(saved.average.is_some(), "the weight average is saved");

    let run = webgan(&["eval", "--checkpoint", checkpoint.to_str().unwrap(), "--eval-samples", "200"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(report["count"], 200);
    // Three steps in, G draws grey fog: far from the real digits.
    assert!(report["fid"].as_f64().unwrap() > 20.0, "{report}");

    let bytes = std::fs::read(&checkpoint).unwrap();
    let damaged = scratch("damaged.ckpt");
    for (bytes, message) in [
        (bytes[..bytes.len() - 10].to_vec(), "truncated"),
        ([&bytes[..8], &[9, 0, 0, 0], &bytes[12..]].concat(), "version 9"),
        (b"PNG".to_vec(), "not a webgan checkpoint"),
    ] {
        std::fs::write(&damaged, bytes).unwrap();
        let run = webgan(&["eval", "--checkpoint", damaged.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success() && stderr.contains(message), "{message}: {stderr}");
    }
}

#[test]
fn train_resumes_a_checkpoint_where_it_stopped() {
    // 30 steps straight, and 20 saved then 10 resumed: the last logged line must be the same
    // (apart from the timing), and the resumed run must start counting at step 21.
    let last_line = |run: &Output| {
        let out = String::from_utf8_lossy(&run.stdout).to_string();
        let mut line: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
        line.as_object_mut().unwrap().remove("ms_per_step");
        line
    };
    let common = ["--backend", "cpu", "--set", "batch=16", "--log-every", "10"];
    let (saved, grid) = (scratch("resume.ckpt"), scratch("resume.png"));
    let (saved, grid) = (saved.to_str().unwrap(), grid.to_str().unwrap());
    let straight = webgan(&[&["train", "--steps", "30", "--out", grid], &common[..]].concat());
    let first = webgan(&[&["train", "--steps", "20", "--out", grid, "--save", saved], &common[..]].concat());
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let resumed = webgan(&[
        "train",
        "--checkpoint",
        saved,
        "--steps",
        "10",
        "--out",
        grid,
        "--backend",
        "cpu",
        "--log-every",
        "10",
    ]);
    assert!(resumed.status.success(), "{}", String::from_utf8_lossy(&resumed.stderr));
    assert!(String::from_utf8_lossy(&resumed.stderr).contains("for 10 steps from step 20"));
    assert_eq!(last_line(&resumed), last_line(&straight));
    assert_eq!(last_line(&resumed)["step"], 30);

    std::fs::write(saved, b"WEBGANCK\x02\x00\x00\x00").unwrap();
    let damaged = webgan(&["train", "--checkpoint", saved, "--steps", "1"]);
    assert!(!damaged.status.success());
    assert!(
        String::from_utf8_lossy(&damaged.stderr).contains("truncated"),
        "{}",
        String::from_utf8_lossy(&damaged.stderr)
    );
}

#[test]
fn help_is_printed_on_request() {
    for args in [&["--help"][..], &["-h"], &["help"], &["train", "--help"], &["eval", "-h"]] {
        let run = webgan(args);
        assert_eq!(run.status.code(), Some(0), "{args:?}: {}", stderr(&run));
        let usage = String::from_utf8_lossy(&run.stdout);
        assert!(usage.starts_with("usage:") && usage.contains("webgan train --checkpoint FILE"), "{args:?}: {usage}");
        assert!(run.stderr.is_empty(), "{args:?}: {}", stderr(&run));
    }
    let run = webgan(&[]);
    assert_refused(&run, "no command given");
    assert!(stderr(&run).contains("`webgan --help` lists the commands"), "{}", stderr(&run));
}

#[test]
fn counts_that_cannot_work_are_refused() {
    for (args, message) in [
        (&["bench", "--steps", "0"][..], "`--steps` needs at least 1, not 0"),
        (&["bench", "--repeats", "0"], "`--repeats` needs at least 1, not 0"),
        (&["train", "--log-every", "0"], "`--log-every` needs at least 1, not 0"),
        (&["eval", "--eval-samples", "1"], "`--eval-samples` needs at least 2, not 1"),
        (&["train", "--steps", "-3"], "`--steps` needs a whole number, not `-3`"),
    ] {
        let run = webgan(&[args, &["--backend", "cpu"]].concat());
        assert_refused(&run, message);
        assert!(run.stdout.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&run.stdout));
    }
}

#[test]
fn like_browser_is_refused_by_a_binary_that_autotunes() {
    let run = webgan(&["bench", "--like-browser", "--backend", "cpu"]);
    assert_refused(&run, "`--like-browser`: this binary autotunes kernels");
    assert!(stderr(&run).contains("--cfg webgan_like_browser"), "{}", stderr(&run));
    assert_refused(&webgan(&["train", "--like-browser"]), "`--like-browser` goes with `bench` only");
}

#[test]
fn fusion_is_on_or_off_and_only_for_a_gpu() {
    assert_refused(&webgan(&["bench", "--fusion", "maybe"]), "`--fusion maybe` is not one of: on, off");
    assert_refused(&webgan(&["bench", "--fusion", ""]), "`--fusion ` is not one of: on, off");
    assert_refused(&webgan(&["train", "--backend", "cpu", "--fusion", "off"]), "`--fusion` goes with `--backend wgpu`");
}

/// Devices and pipes report a size of 0: every input is bounded by the bytes actually read.
#[test]
fn endless_inputs_are_cut_off() {
    let real = scratch("two.u8");
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/data/mnist.bin.gz")).unwrap();
    std::fs::write(&real, &webgan::Digits::decode(&bytes).unwrap().pixels[..2 * webgan::data::PIXELS]).unwrap();
    let real = real.to_str().unwrap();
    let checkpoint_limit = format!("/dev/zero is too large: more than {} bytes", webgan::train::checkpoint::MAX_BYTES);
    let input_limit = "/dev/zero is too large: more than 100000000 bytes";
    for (args, message) in [
        (&["train", "--config", "/dev/zero"][..], "/dev/zero is too large: more than 1000000 bytes"),
        (&["train", "--data", "/dev/zero", "--backend", "cpu"], input_limit),
        (&["eval", "--checkpoint", "/dev/zero"], &checkpoint_limit),
        (&["train", "--checkpoint", "/dev/zero", "--backend", "cpu"], &checkpoint_limit),
        (&["eval", "--images", "/dev/zero"], input_limit),
        (&["eval", "--images", real, "--classifier", "/dev/zero"], input_limit),
        (&["eval", "--images", real, "--reference", "/dev/zero"], input_limit),
    ] {
        assert_refused(&webgan_within(60, args), message);
    }
}

#[test]
fn a_toy_run_is_not_judged_as_digits() {
    let ring = trained_run("ring.ckpt", "5", &["--set", "data=ring"]);
    // 784 points of two values each are as many values as two digits: still refused.
    for samples in ["10000", "784"] {
        let run = webgan(&["eval", "--checkpoint", &ring, "--eval-samples", samples]);
        assert_refused(&run, "is a run on the toy data set \"ring\": eval judges MNIST digits only");
        assert!(run.stdout.is_empty());
    }
}

/// NaN weights, and weights so large that the generator's sums overflow into NaN: no metric
/// of such digits is reported.
#[test]
fn a_generator_that_draws_non_finite_digits_is_not_judged() {
    let saved = read_run(&trained_run("finite.ckpt", "2", &[]));
    let (shapes, values): (Vec<_>, Vec<_>) = params::decode(&saved.generator).unwrap().into_iter().unzip();
    let count = values.concat().len();
    let tampered = scratch("tampered.ckpt");
    for (weights, message) in [
        (vec![f32::NAN; count], "NaN or infinite"),
        (
            (0..count).map(|i| if i % 2 == 0 { 3e38 } else { -3e38 }).collect(),
            "digit 0 holds values that are not finite",
        ),
    ] {
        let generator = params::encode(&shapes, &weights);
        std::fs::write(&tampered, Checkpoint { generator, ..saved.clone() }.to_bytes()).unwrap();
        let run = webgan(&["eval", "--checkpoint", tampered.to_str().unwrap(), "--eval-samples", "100"]);
        assert_refused(&run, message);
        assert!(run.stdout.is_empty(), "no metrics of such digits: {}", String::from_utf8_lossy(&run.stdout));
    }
}

#[test]
fn a_picture_that_cannot_be_written_still_leaves_the_run_saved() {
    let saved = scratch("kept.ckpt");
    let _ = std::fs::remove_file(&saved);
    let run = webgan(&[
        "train",
        "--steps",
        "2",
        "--backend",
        "cpu",
        "--out",
        "/nonexistent/grid.png",
        "--save",
        saved.to_str().unwrap(),
    ]);
    assert_refused(&run, "cannot write /nonexistent/grid.png");
    assert_eq!(read_run(saved.to_str().unwrap()).step, 2);
}

#[test]
fn a_diverged_run_keeps_its_picture_and_last_finite_state() {
    let (saved, grid) = (scratch("diverged.ckpt"), scratch("diverged.png"));
    let (saved, grid) = (saved.to_str().unwrap(), grid.to_str().unwrap());
    let _ = (std::fs::remove_file(saved), std::fs::remove_file(grid));
    let run = webgan(&[
        "train",
        "--steps",
        "200",
        "--backend",
        "cpu",
        "--log-every",
        "1",
        "--set",
        "loss=least_squares",
        "--set",
        "opt=sgd",
        "--set",
        "lr=1",
        "--out",
        grid,
        "--save",
        saved,
    ]);
    assert_refused(&run, "losses became NaN or infinite at step");
    let message = stderr(&run);
    let back: u64 =
        message.split("the last finite state, step ").nth(1).unwrap().split('.').next().unwrap().parse().unwrap();
    assert!(back < 200, "{message}");
    let kept = read_run(saved);
    assert_eq!(kept.step, back, "{message}");
    let curves = kept.history.rows();
    assert_eq!(
        curves[curves.len() - webgan::train::stats::ROW.len()],
        back as f32,
        "the curves end at the finite state"
    );
    assert!(std::fs::read(grid).unwrap().starts_with(b"\x89PNG"), "the picture of the last finite state");
}

#[test]
fn set_changes_a_resumed_runs_live_settings_and_refuses_the_others() {
    let saved = trained_run("live.ckpt", "3", &[]);
    let (resumed, grid) = (scratch("live-resumed.ckpt"), scratch("live-resumed.png"));
    let (resumed, grid) = (resumed.to_str().unwrap(), grid.to_str().unwrap());
    let run = webgan(&[
        "train",
        "--checkpoint",
        &saved,
        "--steps",
        "1",
        "--log-every",
        "1",
        "--backend",
        "cpu",
        "--set",
        "lr_d=5e-4",
        "--set",
        "ema=0.5",
        "--out",
        grid,
        "--save",
        resumed,
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let line: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let rate = |key: &str| line[key].as_f64().map(|v| v as f32);
    assert_eq!((line["step"].as_u64(), rate("lr_d"), rate("lr_g")), (Some(4), Some(5e-4), Some(1e-3)));
    let kept = read_run(resumed);
    assert_eq!((kept.step, kept.config.d.lr, kept.config.g.lr, kept.config.ema), (4, 5e-4, 1e-3, 0.5));

    let run = webgan(&[
        "train",
        "--checkpoint",
        &saved,
        "--steps",
        "1",
        "--backend",
        "cpu",
        "--set",
        "seed=3",
        "--set",
        "lr=1e-4",
        "--set",
        "hidden=64",
    ]);
    assert_refused(&run, "--set seed, hidden: a resumed run cannot change these");
    assert!(run.stdout.is_empty());

    let json = scratch("live.json");
    std::fs::write(&json, "{}").unwrap();
    for flags in [["--preset", "minimax"], ["--config", json.to_str().unwrap()]] {
        let run = webgan(&[&["train", "--checkpoint", &saved, "--steps", "1"], &flags[..]].concat());
        assert_refused(&run, &format!("`{}` does not go with `--checkpoint`", flags[0]));
    }
}

#[test]
fn messages_repeat_no_long_value_whole() {
    let long = "x".repeat(5000);
    let (value, key, flag, path) =
        (format!("lr={long}"), format!("{long}=1"), format!("--{long}"), format!("/nonexistent/{long}"));
    let config = scratch("long.json");
    std::fs::write(&config, format!(r#"{{"loss": "{long}"}}"#)).unwrap();
    for args in [
        &[long.as_str()][..],
        &["train", &flag],
        &["train", "--preset", &long],
        &["train", "--set", &long],
        &["train", "--set", &value],
        &["train", "--set", &key],
        &["train", "--steps", &long],
        &["train", "--backend", &long],
        &["train", "--config", config.to_str().unwrap()],
        &["eval", "--images", &path],
    ] {
        let run = webgan(args);
        let message = stderr(&run);
        assert_eq!(run.status.code(), Some(1), "{message}");
        assert!(message.contains('…') && message.chars().count() < 1000, "{} chars: {message}", message.len());
    }
}

#[test]
fn help_lists_every_setting_with_what_it_accepts() {
    let run = webgan(&["--help"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let usage = String::from_utf8_lossy(&run.stdout);
    let settings = usage.split_once("settings (--set KEY=VALUE").map(|(_, rest)| rest).expect("a settings section");
    for setting in webgan::config::schema::settings() {
        let key = setting.both().unwrap_or(setting.key);
        let line = settings
            .lines()
            .find(|line| line.trim_start().starts_with(key))
            .unwrap_or_else(|| panic!("{key}: {usage}"));
        assert!(line.contains(&setting.accepts()), "{key}: {line}");
        assert_eq!(line.contains('*'), setting.restarts, "{key} is marked as needing a fresh run: {line}");
    }
    assert!(
        settings.contains(
            "one of minimax, non_saturating, least_squares, hinge, wgan_clip, wgan_gp (default non_saturating)"
        ),
        "{settings}"
    );
    assert!(settings.contains("lr, lr_g, lr_d") && settings.contains("(default G 0.001, D 0.0002)"), "{settings}");
}

#[test]
fn a_reader_that_stops_reading_ends_the_program_quietly() {
    use std::io::{BufRead, BufReader};
    // `webgan train ... | head -1`: a line per step for far longer than the reader stays.
    let grid = scratch("closed-pipe.png");
    let args = ["train", "--backend", "cpu", "--steps", "100000", "--log-every", "1", "--out", grid.to_str().unwrap()];
    let mut child = command(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("webgan starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with('{'), "{first}");
    let run = child.wait_with_output().unwrap();
    assert_eq!(run.status.code(), Some(0), "a closed pipe is no failure: {}", stderr(&run));
    assert!(!stderr(&run).contains("panicked"), "{}", stderr(&run));
}
