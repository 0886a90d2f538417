//! Drawing from a run must not leave memory behind. burn's autodiff keeps the graph of a forward
//! pass on tracked parameters until a backward pass consumes it, so a sampling pass that records
//! one leaks it: once about 460 KB per run of the default settings (a page resetting, the fuzzer).

mod common;

use webgan::{TrainConfig, Trainer, device};

/// This process's resident memory in MB (Linux).
fn resident_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|l| l.starts_with("VmRSS")).expect("a VmRSS line");
    line.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()).expect("VmRSS in kB") / 1024
}

#[test]
fn runs_that_only_draw_leave_no_memory_behind() {
    let (digits, device) = (common::digits(), device::cpu().device);
    let draw = |seed: u64| {
        let trainer = Trainer::new(TrainConfig { seed, ..TrainConfig::default() }, &digits, &device).unwrap();
        let _ = trainer.generate(vec![0.0; 3 * 100], &[]).into_data();
        let _ = trainer.samples().into_data();
    };
    (0..100).for_each(draw); // the allocator's pools fill up first
    let before = resident_mb();
    (100..1100).for_each(draw);
    let grown = resident_mb().saturating_sub(before);
    assert!(grown < 100, "1 000 runs that only drew grew the process by {grown} MB (a leak grows it by about 450)");
}
