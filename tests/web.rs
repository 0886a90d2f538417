//! Browser tests: the real burn WebGPU path in headless Chromium, checked against burn's CPU
//! backend in the same page, and the CPU fallback on its own. Run by `./build.sh test` through
//! wasm-bindgen's test runner and chromedriver.
#![cfg(target_arch = "wasm32")]

use burn::tensor::{Device, Tensor, TensorData};
use js_sys::Float32Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use webgan::config::presets;
use webgan::device::{self, BackendKind, ComputeDevice, Fusion};
use webgan::tensor::floats;
use webgan::train::stats::{ROW, StepValues};
use webgan::web::{WebTrainer, webgpu};
use webgan::{Digits, TrainConfig, Trainer};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const DIGITS: &[u8] = include_bytes!("../www/data/mnist.bin.gz");
const CLASSIFIER: &[u8] = include_bytes!("../www/models/classifier.bin");
const REFERENCE: &[u8] = include_bytes!("../www/models/fid_reference.bin");

async fn steps(device: &ComputeDevice, query: &str, count: usize) -> (Vec<StepValues>, Vec<f32>) {
    let digits = Digits::decode(DIGITS).unwrap();
    let mut trainer = Trainer::new(TrainConfig::from_query(query).unwrap(), &digits, &device.device).unwrap();
    for _ in 0..count {
        trainer.step();
    }
    let pending = trainer.take_stats().unwrap();
    let stats = pending.decode(&pending.values.clone().into_data_async().await.unwrap());
    let samples = floats(trainer.samples().into_data_async().await.unwrap());
    (stats, samples)
}

/// The façade's next frame, `{step, rows, samples, plane, side}`.
async fn frame(trainer: &WebTrainer) -> JsValue {
    JsFuture::from(trainer.frame().unchecked_into::<js_sys::Promise>()).await.unwrap()
}

/// One field of an object the façade returned.
fn field<T: JsCast>(object: &JsValue, key: &str) -> T {
    js_sys::Reflect::get(object, &key.into()).unwrap().unchecked_into()
}

/// An object the façade returned, as JSON.
fn json(object: &JsValue) -> serde_json::Value {
    serde_json::from_str(&String::from(js_sys::JSON::stringify(object).unwrap())).unwrap()
}

/// The settings in force.
fn config(trainer: &WebTrainer) -> TrainConfig {
    TrainConfig::from_json(&json(&trainer.config()).to_string()).unwrap()
}

/// Rows of [`ROW`] values from the façade's next frame.
async fn read_rows(trainer: &WebTrainer) -> Vec<[f32; ROW.len()]> {
    let rows: Float32Array = field(&frame(trainer).await, "rows");
    rows.to_vec().chunks_exact(ROW.len()).map(|r| r.try_into().unwrap()).collect()
}

/// The defaults, then a run through the explicit input gradient (WGAN-GP, R1), RMSprop,
/// Nesterov, n_D and the weight average, then a small DCGAN, each checked against the CPU
/// backend step for step.
#[wasm_bindgen_test]
async fn webgpu_steps_match_the_cpu_backend() {
    let gpu = webgpu(Fusion::On).await.expect("WebGPU must be available in the test browser");
    assert_eq!(gpu.kind, BackendKind::Gpu);
    let lab = "loss=wgan_gp&r1=1&d_steps=2&opt_g=rms_prop&opt_d=nesterov&lr_d=0.01&real_label=0.9&ema=0.9";
    // The DCGAN's convolutions, which a software adapter runs as matrix products.
    let dcgan = "model=dcgan&channels=16&batch=8";
    for query in ["", lab, dcgan] {
        let (gpu_stats, gpu_samples) = steps(&gpu, query, 3).await;
        let (cpu_stats, cpu_samples) = steps(&device::cpu(), query, 3).await;
        assert_eq!(gpu_stats.len(), 3);
        for (g, c) in gpu_stats.iter().zip(&cpu_stats) {
            for (a, b) in g.row().into_iter().zip(c.row()).filter(|(_, b)| !b.is_nan()) {
                assert!(
                    (a - b).abs() <= 1e-3 * (1.0 + b.abs()),
                    "`{query}` step {}: webgpu {g:?} vs cpu {c:?}",
                    g.step
                );
            }
        }
        let worst = gpu_samples.iter().zip(&cpu_samples).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(worst < 1e-3, "`{query}`: WebGPU samples differ from the CPU's by up to {worst}");
    }
}

/// A deterministic, sign-mixed operand of `shape` (its last two axes a matrix), made on `device`
/// with those two axes stored the other way round and swapped back where `transposed`: the same
/// values either way, in the other layout.
fn operand<const D: usize>(shape: [usize; D], seed: usize, transposed: bool, device: &Device) -> Tensor<D> {
    let (rows, cols) = (shape[D - 2], shape[D - 1]);
    let value = |m: usize, i: usize, j: usize| ((m * 13 + i * 31 + j * 17 + seed * 7) % 23) as f32 / 11.0 - 1.0;
    let matrices = shape[..D - 2].iter().product::<usize>();
    let mut stored = shape;
    if transposed {
        stored.swap(D - 2, D - 1);
    }
    let values = (0..matrices)
        .flat_map(|m| (0..stored[D - 2]).flat_map(move |a| (0..stored[D - 1]).map(move |b| (m, a, b))))
        .map(|(m, a, b)| if transposed { value(m, b, a) } else { value(m, a, b) })
        .collect::<Vec<_>>();
    assert_eq!(values.len(), matrices * rows * cols);
    let tensor = Tensor::<D>::from_data(TensorData::new(values, stored), device);
    if transposed { tensor.swap_dims(D - 2, D - 1) } else { tensor }
}

/// Runs `product` on WebGPU and on the CPU backend: the two agree element for element.
async fn assert_same_product<const D: usize>(what: &str, gpu: &Device, product: impl Fn(&Device) -> Tensor<D>) {
    let on_gpu = floats(product(gpu).into_data_async().await.unwrap());
    let on_cpu = floats(product(&device::cpu().device).into_data_async().await.unwrap());
    assert_eq!(on_gpu.len(), on_cpu.len(), "{what}");
    for (i, (a, b)) in on_gpu.iter().zip(&on_cpu).enumerate() {
        assert!((a - b).abs() <= 1e-4 * (1.0 + b.abs()), "{what}: element {i} is {a} on WebGPU, {b} on the CPU");
    }
}

/// Matrix products on WebGPU against the CPU backend, in every operand layout a training step
/// hands over (a transposed operand is a view, not a copy), alone and three at once: extents
/// that take the register block a software adapter runs, and ragged ones that take the general
/// routine.
#[wasm_bindgen_test]
async fn webgpu_matrix_products_match_the_cpu_backend_in_every_layout() {
    let gpu = webgpu(Fusion::On).await.expect("WebGPU must be available in the test browser");
    for (m, k, n) in [(64, 128, 784), (784, 64, 128), (8, 100, 12), (5, 7, 3), (64, 128, 1)] {
        for (lhs_t, rhs_t) in [(false, false), (true, false), (false, true), (true, true)] {
            let what = format!("{m}×{k} · {k}×{n}, lhs transposed {lhs_t}, rhs transposed {rhs_t}");
            assert_same_product(&what, &gpu.device, |d| {
                operand([m, k], 1, lhs_t, d).matmul(operand([k, n], 2, rhs_t, d))
            })
            .await;
            assert_same_product(&format!("three of {what}"), &gpu.device, |d| {
                operand([3, m, k], 3, lhs_t, d).matmul(operand([3, k, n], 4, rhs_t, d))
            })
            .await;
        }
    }
}

/// Loss and optimisers switched between steps, as the page's controls do, on WebGPU.
#[wasm_bindgen_test]
async fn webgpu_training_stays_finite_when_loss_and_optimiser_change_mid_run() {
    let trainer = WebTrainer::create(DIGITS.to_vec(), "preset=seed_article".into(), "webgpu".into(), String::new())
        .await
        .unwrap();
    assert_eq!(trainer.backend(), "webgpu", "notice: {:?}", JsValue::from(trainer.notice()));
    trainer.steps(3).unwrap();
    let switches = [
        ("loss=wgan_gp&opt=rms_prop&lr=5e-5&d_steps=2", (true, true)),
        ("loss=least_squares&opt=rms_prop&lr=1e-4&r1=1", (false, false)),
        ("loss=hinge&opt_g=adam&opt_d=momentum&lr_d=0.01&schedule=exponential", (true, true)),
    ];
    for (query, (reset_g, reset_d)) in switches {
        let change = json(&trainer.set_query(query).unwrap());
        let expected = serde_json::json!({ "restarted": false, "reset_g": reset_g, "reset_d": reset_d });
        assert_eq!(change, expected, "{query}");
        trainer.steps(3).unwrap();
    }
    let rows = read_rows(&trainer).await;
    assert_eq!(rows.len(), 12);
    let losses = rows.iter().flat_map(|r| &r[1..8]);
    assert!(losses.into_iter().all(|v| v.is_finite()), "non-finite statistics: {rows:?}");
    assert!(rows[3..6].iter().all(|r| r[8] > 0.0), "WGAN-GP measures ‖∇ₓD‖: {rows:?}");
}

async fn twenty_steps_lower_loss_d(backend: &str) {
    let trainer = WebTrainer::create(DIGITS.to_vec(), "seed=0".into(), backend.into(), String::new()).await.unwrap();
    assert_eq!(trainer.backend(), backend, "notice: {:?}", JsValue::from(trainer.notice()));
    trainer.steps(20).unwrap();
    let rows = read_rows(&trainer).await;
    assert_eq!(rows.len(), 20);
    assert_eq!((rows[0][0], rows[19][0]), (1.0, 20.0));
    assert!(rows.iter().all(|r| r[..8].iter().all(|v| v.is_finite())), "non-finite statistics: {rows:?}");
    assert!(rows[19][1] < rows[0][1] - 0.05, "loss_d went {} → {}", rows[0][1], rows[19][1]);
    assert!(rows[19][3] > rows[19][4], "D(x) {} should exceed D(G(z)) {}", rows[19][3], rows[19][4]);
    assert_eq!(read_rows(&trainer).await.len(), 0, "a second read has no new steps");
}

#[wasm_bindgen_test]
async fn webgpu_training_lowers_the_discriminator_loss() {
    twenty_steps_lower_loss_d("webgpu").await;
}

#[wasm_bindgen_test]
async fn cpu_fallback_trains() {
    twenty_steps_lower_loss_d("cpu").await;
}

/// A read still on its way on the GPU when the page resets the run (or opens a file) must not
/// land in the new run: the façade hands JavaScript promises, so the worker can interleave.
#[wasm_bindgen_test]
async fn a_read_in_flight_during_a_reset_never_mixes_runs() {
    let trainer = WebTrainer::create(DIGITS.to_vec(), "seed=1".into(), "webgpu".into(), String::new()).await.unwrap();
    trainer.steps(5).unwrap();
    let in_flight = trainer.frame().unchecked_into::<js_sys::Promise>();
    // One turn of the microtask queue: the read starts and waits on the GPU, as it does while
    // the worker's loop awaits a frame.
    JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL)).await.unwrap();
    trainer.reset("seed=2").unwrap();
    let rows: Float32Array = field(&JsFuture::from(in_flight).await.unwrap(), "rows");
    assert_eq!(rows.length(), 0, "the replaced run's rows were returned");
    assert_eq!(trainer.history_rows().length(), 0, "the new run's curves took the replaced run's steps");
    trainer.steps(2).unwrap();
    let rows = read_rows(&trainer).await;
    assert_eq!(rows.iter().map(|r| r[0]).collect::<Vec<_>>(), [1.0, 2.0]);
    assert_eq!(trainer.history_rows().length() as usize, 2 * ROW.len());
}

#[wasm_bindgen_test]
async fn bad_settings_are_refused_with_the_field_named() {
    let err = WebTrainer::create(DIGITS.to_vec(), "batch=0".into(), "cpu".into(), String::new()).await.err().unwrap();
    let message = js_sys::Error::from(err).message().as_string().unwrap();
    assert!(message.contains("`batch` = 0") && message.contains("1 to 10000"), "{message}");
    let trainer = WebTrainer::create(DIGITS.to_vec(), String::new(), "cpu".into(), String::new()).await.unwrap();
    assert_eq!(config(&trainer), presets::opening(), "a link that sets nothing opens the opening preset");
    assert!(trainer.set_query("lr_g=2").is_err());
    assert_eq!(config(&trainer), presets::opening(), "the running settings stay");
}

/// What JavaScript hands over is checked: settings that cannot fit the device's memory start the
/// defaults and say why, later ones are refused and the run stays, and counts, digits and dials
/// outside what can be drawn are refused with a message.
#[wasm_bindgen_test]
async fn the_boundary_refuses_what_cannot_run_with_a_message() {
    let message = |e: JsValue| js_sys::Error::from(e).message().as_string().unwrap();
    for backend in ["webgpu", "cpu"] {
        let trainer =
            WebTrainer::create(DIGITS.to_vec(), "model=dcgan&batch=full".into(), backend.into(), String::new())
                .await
                .unwrap();
        let refusal = String::from(js_sys::JSON::stringify(&trainer.settings_refusal().into()).unwrap());
        assert!(refusal.contains("error.footprint.") && refusal.contains(r#""batch":10000"#), "{backend}: {refusal}");
        assert_eq!(config(&trainer), TrainConfig::default(), "{backend}");
        let refused = message(trainer.reset("model=dcgan&batch=full").err().unwrap());
        assert!(refused.contains("`batch` = 10000"), "{refused}");
        assert!(trainer.set_query("model=dcgan&batch=full").is_err());
        assert_eq!(config(&trainer), TrainConfig::default(), "the run stays");
    }
    let trainer =
        WebTrainer::create(DIGITS.to_vec(), "conditional=true".into(), "cpu".into(), String::new()).await.unwrap();
    assert!(JsValue::from(trainer.settings_refusal()).is_null());
    assert!(message(trainer.walk(0, 0, true, 1).err().unwrap()).contains("1 to 64"));
    assert!(message(trainer.walk(0, 5, true, 10).err().unwrap()).contains("0 to 9"));
    assert!(message(trainer.dial(0, vec![f32::NAN], 1).err().unwrap()).contains("finite"));
    assert!(WebTrainer::strip_size(0).is_err() && WebTrainer::strip_size(65).is_err());
    assert!(message(trainer.real_points(10_001).err().unwrap()).contains("at most 10000"));
    let strip: js_sys::Uint8ClampedArray = JsFuture::from(trainer.walk(0, 3, true, 9).unwrap()).await.unwrap().into();
    let size = WebTrainer::strip_size(3).unwrap();
    assert_eq!(strip.length(), size[0] * size[1] * 4, "a strip of three digits, RGBA");
}

/// The digit classifier judges the generator on WebGPU as it does on the CPU backend.
#[wasm_bindgen_test]
async fn webgpu_metrics_match_the_cpu_backend() {
    let mut measured = Vec::new();
    for backend in ["webgpu", "cpu"] {
        let trainer =
            WebTrainer::create(DIGITS.to_vec(), "seed=3".into(), backend.into(), String::new()).await.unwrap();
        assert_eq!(trainer.backend(), backend);
        assert!(
            trainer.load_judge(b"not weights".to_vec(), REFERENCE.to_vec()).is_err(),
            "damaged weights are refused"
        );
        trainer.load_judge(CLASSIFIER.to_vec(), REFERENCE.to_vec()).unwrap();
        trainer.steps(2).unwrap();
        let metrics = JsFuture::from(trainer.measure().unchecked_into::<js_sys::Promise>()).await.unwrap();
        measured.push(json(&metrics));
    }
    let (gpu, cpu) = (&measured[0], &measured[1]);
    assert_eq!((gpu["step"].as_u64(), gpu["count"].as_u64()), (Some(2), Some(webgan::judge::LIVE_SAMPLES as u64)));
    let (fid_gpu, fid_cpu) = (gpu["fid"].as_f64().unwrap(), cpu["fid"].as_f64().unwrap());
    assert!(fid_cpu > 20.0, "two steps in, G draws fog: FID {fid_cpu}");
    assert!((fid_gpu - fid_cpu).abs() < 1e-3 * fid_cpu, "FID webgpu {fid_gpu} vs cpu {fid_cpu}");
    for class in 0..10 {
        let (g, c) = (gpu["histogram"][class].as_f64().unwrap(), cpu["histogram"][class].as_f64().unwrap());
        assert!((g - c).abs() <= 2.0 / 512.0, "class {class}: webgpu {gpu} vs cpu {cpu}");
    }
}

/// A run saved on WebGPU (one asynchronous read) reopens on the CPU backend with the same
/// weights, curves and optimiser state, so the next step agrees; a damaged file is refused and
/// the run stays.
#[wasm_bindgen_test]
async fn a_webgpu_run_saved_and_reopened_draws_the_same_digits() {
    let gpu =
        WebTrainer::create(DIGITS.to_vec(), "seed=2&ema=0.9".into(), "webgpu".into(), String::new()).await.unwrap();
    assert_eq!(gpu.backend(), "webgpu");
    gpu.steps(2).unwrap();
    frame(&gpu).await;
    let bytes = js_sys::Uint8Array::from(JsFuture::from(gpu.checkpoint()).await.unwrap()).to_vec();
    let cpu = WebTrainer::create(DIGITS.to_vec(), String::new(), "cpu".into(), String::new()).await.unwrap();
    cpu.restore(&bytes).unwrap();
    assert_eq!(cpu.step_count(), 2.0);
    assert_eq!(config(&cpu), config(&gpu));
    let pixels = |f: JsValue| field::<js_sys::Uint8ClampedArray>(&f, "samples").to_vec();
    let (on_gpu, on_cpu) = (pixels(frame(&gpu).await), pixels(frame(&cpu).await));
    let worst = on_gpu.iter().zip(&on_cpu).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
    assert!(worst <= 1, "the reopened run draws other digits (pixels differ by up to {worst})");
    let bits = |t: &WebTrainer| t.history_rows().to_vec().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&cpu), bits(&gpu), "the curves come along (NaN where no penalty measures ‖∇ₓD‖)");
    assert_eq!(bits(&cpu).len(), 2 * webgan::train::stats::ROW.len());

    let next = |t: &WebTrainer| {
        t.steps(1).unwrap();
        let frame = t.frame().unchecked_into::<js_sys::Promise>();
        async move { field::<Float32Array>(&JsFuture::from(frame).await.unwrap(), "rows").to_vec() }
    };
    let (on_gpu, on_cpu) = (next(&gpu).await, next(&cpu).await);
    assert_eq!(on_cpu[0], 3.0);
    for (column, (g, c)) in webgan::train::stats::ROW.iter().zip(on_gpu.iter().zip(&on_cpu)).skip(1) {
        assert!(
            (g - c).abs() <= 1e-3 * g.abs().max(1.0) || (g.is_nan() && c.is_nan()),
            "{column}: webgpu {g} vs cpu {c}"
        );
    }

    let err = cpu.restore(&bytes[..bytes.len() / 2]).err().unwrap();
    assert!(js_sys::Error::from(err).message().as_string().unwrap().contains("truncated"));
    assert_eq!(cpu.step_count(), 3.0, "the run stays");
}

/// What D sees is the same on WebGPU as on the CPU, for the MLP and the conditional DCGAN (whose
/// gradient runs back through batch norm and both convolutions).
#[wasm_bindgen_test]
async fn webgpu_saliency_matches_the_cpu_backend() {
    for query in ["", "model=dcgan&channels=16&conditional=true"] {
        let mut seen = Vec::new();
        for device in [webgpu(Fusion::On).await.expect("WebGPU must be available in the test browser"), device::cpu()] {
            let config = TrainConfig::from_query(query).unwrap();
            let session = webgan::Session::new(config, Digits::decode(DIGITS).unwrap(), device).unwrap();
            let read = session.begin_saliency().expect("digits have the view");
            let data = read.values().into_data_async().await.unwrap();
            seen.push(session.finish_saliency(read, data).expect("the run was not replaced"));
        }
        let (gpu, cpu) = (&seen[0], &seen[1]);
        let diff: f64 = gpu.gradient.iter().zip(&cpu.gradient).map(|(a, b)| f64::from(a - b).powi(2)).sum();
        let error = (diff / cpu.gradient.iter().map(|&b| f64::from(b).powi(2)).sum::<f64>()).sqrt();
        assert!(error < 1e-4, "`{query}`: WebGPU's ∇ₓD differs from the CPU's by {error} (relative)");
        for (g, c) in gpu.verdicts.iter().zip(&cpu.verdicts) {
            let (gpu, cpu) = (&gpu.verdicts, &cpu.verdicts);
            assert!((g - c).abs() < 1e-4, "`{query}`: D's verdicts webgpu {gpu:?} vs cpu {cpu:?}");
        }
    }
}
