//! The command line as a user runs it: every preset exported with `webgan config`, trained from
//! that JSON file with `webgan train --config`, and bad input refused with a message.

use std::path::PathBuf;
use std::process::{Command, Output};

use webgan::{TrainConfig, presets};

fn webgan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_webgan"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the webgan binary runs")
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
    assert!(stderr.contains("no preset `wgan`; presets: seed_article, minimax"), "{stderr}");

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
    assert!(!run.status.success() && stderr.contains("not a whole number of 28×28 digits"), "{stderr}");
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
    let saved = webgan::checkpoint::Checkpoint::from_bytes(&std::fs::read(&checkpoint).unwrap()).unwrap();
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
