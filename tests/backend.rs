//! The backend a page trains on when its link names none, decided from what the adapter reports,
//! and what "Check this computer" makes of its measurements.

use webgan::device::bench::{self, Machine, Measured};
use webgan::device::{self, AdapterFacts, BackendKind};

fn adapter(vendor: &str, architecture: &str, description: &str, fallback: bool) -> AdapterFacts {
    AdapterFacts {
        vendor: vendor.into(),
        architecture: architecture.into(),
        device: String::new(),
        description: description.into(),
        fallback,
    }
}

#[test]
fn software_adapters_train_on_the_cpu_and_say_why() {
    let cases = [
        // What headless Chromium reports of SwiftShader (it also sets isFallbackAdapter).
        (adapter("google", "swiftshader", "", false), "auto_cpu_software"),
        (adapter("google", "swiftshader", "", true), "auto_cpu_fallback"),
        (adapter("", "", "SwiftShader Device (Subzero)", false), "auto_cpu_software"),
        (adapter("mesa", "", "lavapipe", false), "auto_cpu_software"),
        (adapter("mesa", "", "llvmpipe (LLVM 19.1.7, 256 bits)", false), "auto_cpu_software"),
        (adapter("microsoft", "", "Microsoft Basic Render Driver", false), "auto_cpu_software"),
        (adapter("microsoft", "warp", "", false), "auto_cpu_software"),
        // An adapter that names nothing but says it is a fallback one.
        (adapter("", "", "", true), "auto_cpu_fallback"),
    ];
    for (facts, reason) in cases {
        let choice = device::choose(&facts);
        assert_eq!(choice.kind, BackendKind::Cpu, "{facts:?}");
        assert_eq!(choice.reason, Some(reason), "{facts:?}");
        assert!(!choice.adapter.is_empty(), "the message names the adapter: {facts:?}");
    }
    assert_eq!(device::choose(&adapter("google", "swiftshader", "", false)).adapter, "google swiftshader");
}

#[test]
fn hardware_adapters_train_on_the_gpu() {
    for facts in [
        adapter("intel", "gen-12lp", "", false),
        adapter("intel", "xe-lpg", "Intel(R) Arc(TM) Graphics", false),
        adapter("nvidia", "ampere", "NVIDIA GeForce RTX 3060", false),
        adapter("apple", "metal-3", "Apple M2", false),
        adapter("amd", "rdna-3", "", false),
        adapter("qualcomm", "adreno-7xx", "", false),
        // Software names are whole words: a hardware name that merely contains one is hardware.
        adapter("acme", "warpdrive", "Hyperwarp 9000", false),
    ] {
        let choice = device::choose(&facts);
        assert_eq!(choice.kind, BackendKind::Gpu, "{facts:?}");
        assert_eq!(choice.reason, None, "{facts:?}");
    }
}

#[test]
fn the_plan_measures_both_workloads_on_both_backends_cpu_first() {
    let plan = bench::plan(Some(2.0));
    assert_eq!(plan.measure_ms, 2000.0);
    let runs: Vec<_> = plan.runs.iter().map(|r| (r.backend, r.workload)).collect();
    let gpu = BackendKind::Gpu.name();
    let workloads = ["mlp", "opening", "dcgan"];
    let expected: Vec<_> = ["cpu", gpu].into_iter().flat_map(|b| workloads.map(|w| (b, w))).collect();
    assert_eq!(runs, expected);
    for run in &plan.runs {
        let config = webgan::TrainConfig::from_query(run.query).expect("a workload's settings are valid");
        let opening = webgan::config::presets::opening();
        match run.workload {
            "opening" => assert_eq!(config, opening, "the run a bare link opens"),
            _ => assert_eq!(config.batch_size, 64, "{}", run.query),
        }
    }
    assert_eq!(bench::plan(None).measure_ms, bench::DEFAULT_SECONDS * 1000.0);
    assert_eq!(bench::plan(Some(f64::NAN)).measure_ms, bench::DEFAULT_SECONDS * 1000.0);
    assert_eq!(bench::plan(Some(1e9)).measure_ms, 30_000.0, "a window is bounded");
}

fn run(backend: &str, workload: &str, steps: u64, elapsed_ms: f64) -> Measured {
    Measured {
        backend: backend.into(),
        workload: workload.into(),
        adapter: "CPU".into(),
        first_step_ms: Some(800.4),
        steps,
        elapsed_ms,
        ..Measured::default()
    }
}

fn swiftshader() -> Machine {
    Machine {
        adapter: Some(adapter("google", "swiftshader", "", true)),
        features: ["subgroups", "timestamp-query", "float32-filterable"].map(String::from).to_vec(),
        user_agent: "HeadlessChrome".into(),
        threads: 2,
    }
}

#[test]
fn the_report_gives_rates_per_line_and_names_the_faster_backend() {
    let gpu = BackendKind::Gpu.name();
    let measured = [
        run("cpu", "mlp", 300, 3000.0),
        run("cpu", "opening", 42, 3000.0),
        run("cpu", "dcgan", 3, 3000.0),
        Measured {
            dispatches: 3780,
            submits: 40,
            buffers: 20,
            readbacks: 30,
            fused: true,
            ..run(gpu, "mlp", 10, 2000.0)
        },
        run(gpu, "opening", 3, 3000.0),
        // A DCGAN step on a software adapter misses the deadline.
        Measured { first_step_ms: None, waited_ms: 20_001.0, ..run(gpu, "dcgan", 0, 0.0) },
    ];
    let report = bench::report(&swiftshader(), &measured);
    assert_eq!(report.lines.len(), 6);
    let [cpu_mlp, cpu_opening, cpu_dcgan, gpu_mlp, _, gpu_dcgan] = &report.lines[..] else { unreachable!() };
    assert_eq!((cpu_mlp.ms_per_step, cpu_mlp.steps_per_s), (Some(10.0), Some(100.0)));
    assert_eq!(cpu_mlp.first_step_ms, Some(800.0));
    assert_eq!((cpu_mlp.dispatches_per_step, cpu_mlp.fused), (None, None), "the CPU dispatches nothing");
    assert_eq!((gpu_mlp.fused, gpu_dcgan.fused), (Some(true), None), "fusion is said of a measured GPU run");
    assert_eq!(cpu_dcgan.steps_per_s, Some(1.0));
    assert_eq!(cpu_opening.steps_per_s, Some(14.0));
    assert_eq!((gpu_mlp.dispatches_per_step, gpu_mlp.submits_per_step), (Some(378.0), Some(4.0)));
    assert_eq!((gpu_mlp.buffers_per_step, gpu_mlp.readbacks_per_step), (Some(2.0), Some(3.0)));
    assert_eq!(gpu_mlp.steps_per_s, Some(5.0));
    assert_eq!(
        (gpu_dcgan.first_step_ms, gpu_dcgan.first_step_over_ms, gpu_dcgan.steps_per_s),
        (None, Some(20_001.0), None)
    );
    for line in &report.lines {
        assert_eq!((line.architecture.as_str(), line.fallback, line.page_default), ("swiftshader", Some(true), "cpu"));
        assert_eq!(line.features, ["subgroups", "timestamp-query"], "only the features that matter");
        assert_eq!(line.batch, if line.workload == "opening" { 128 } else { 64 }, "{}", line.workload);
    }

    let verdict = &report.verdict;
    assert_eq!(verdict.key, "bench_verdict");
    assert_eq!(verdict.mlp.as_ref().map(|b| (b.backend.as_str(), b.steps_per_s)), Some(("cpu", 100.0)));
    assert_eq!(verdict.opening.as_ref().map(|b| (b.backend.as_str(), b.steps_per_s)), Some(("cpu", 14.0)));
    assert_eq!(verdict.digits_s, Some(89.0), "the opening run's 1 250 steps at 14 steps/s: 89.3 s");
    assert_eq!(verdict.dcgan.as_ref().map(|b| b.backend.as_str()), Some("cpu"));

    // Where the GPU is the faster, the verdict says so.
    let fast_gpu = [
        run("cpu", "mlp", 30, 3000.0),
        run("cpu", "opening", 3, 3000.0),
        run(gpu, "mlp", 1200, 3000.0),
        run(gpu, "opening", 900, 3000.0),
        run(gpu, "dcgan", 30, 3000.0),
    ];
    let verdict = bench::report(&swiftshader(), &fast_gpu).verdict;
    assert_eq!(verdict.mlp.map(|b| b.backend), Some(gpu.to_string()));
    assert_eq!(verdict.opening.map(|b| b.backend), Some(gpu.to_string()));
    assert_eq!(verdict.digits_s, Some(4.2), "1 250 / 300 = 4.17 s, to two digits");
}

#[test]
fn a_dcgan_that_never_finished_a_step_is_named_by_the_time_it_was_given() {
    let gpu = BackendKind::Gpu.name();
    let slow = Measured { first_step_ms: None, waited_ms: 20_400.0, ..run(gpu, "dcgan", 0, 0.0) };
    let busy = Measured { error: Some("the CPU was busy".into()), ..run("cpu", "dcgan", 0, 0.0) };
    let mlps = [run("cpu", "mlp", 300, 3000.0), run("cpu", "opening", 40, 3000.0)];
    let verdict = bench::report(&swiftshader(), &[mlps[0].clone(), mlps[1].clone(), busy.clone(), slow]).verdict;
    assert_eq!((verdict.key, verdict.dcgan_over_s), ("bench_verdict_dcgan_slow", Some(20.0)));

    let verdict = bench::report(&swiftshader(), &[mlps[0].clone(), mlps[1].clone(), busy]).verdict;
    assert_eq!(verdict.key, "bench_verdict_mlp_only");
    let verdict = bench::report(&swiftshader(), &mlps[..1]).verdict;
    assert_eq!(verdict.key, "bench_verdict_none", "the opening run is what the verdict's time is of");
    let nothing = bench::report(&Machine::default(), &[]);
    assert_eq!(nothing.verdict.key, "bench_verdict_none");
}

#[test]
fn without_webgpu_the_report_says_the_page_uses_the_cpu() {
    let unavailable =
        Measured { error: Some("this browser has no WebGPU".into()), ..run(BackendKind::Gpu.name(), "mlp", 0, 0.0) };
    let report = bench::report(&Machine::default(), &[run("cpu", "mlp", 10, 1000.0), unavailable]);
    assert_eq!(report.lines[1].fallback, None);
    assert_eq!(report.lines[1].page_default, "cpu");
    assert_eq!((report.lines[1].steps_per_s, report.lines[1].first_step_over_ms), (None, None));
}
