//! The mode-collapse alarm: a verdict on each measurement of a run, given the ones before it.
//!
//! Narrow digits alone do not make collapse. A healthy generator is narrow for its first few
//! thousand steps, finding one digit after another: on the defaults the classifier counts 1 to 8
//! classes up to step 3 500 or so, while the class distribution keeps getting closer to uniform.
//! A collapsed generator is narrow *and stuck*. So the alarm sounds only when the digits have
//! been narrow for [`NARROW_FOR`] steps and none of the measurements of the last [`ALARM_WINDOW`]
//! steps came closer to uniform than the run had already been before them. Both spans are steps,
//! not measurements: the page measures by the clock, as often as the device allows.
//!
//! Judged on the defaults at seeds 0–4 every 250 steps for 10 000 steps, this stays silent,
//! where the verdict by the last measurement alone sounded at every seed for much of the first
//! 3 500 steps; on the mode-collapse demo it sounds from step 1 750.

use serde::Serialize;

use super::ClassReport;

/// Steps over which narrow digits must fail to improve before the alarm sounds. A healthy run
/// can dwell 1 250 steps on a plateau while it finds its next digit (seed 2 of the defaults).
pub const ALARM_WINDOW: u64 = 1500;
/// Steps the digits must have been narrow for: one narrow measurement in a varied run is the
/// noise of judging 512 digits, not collapse.
pub const NARROW_FOR: u64 = 500;
/// How much closer to uniform (KL, in nats) the best recent measurement must be than the best
/// earlier one to count as progress: less is the noise of judging 512 digits.
const PROGRESS: f64 = 0.05;

/// What the page's mode-collapse box says of a measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Alarm {
    /// The digits are varied enough: no box.
    Quiet,
    /// The digits are narrow, but G is still finding new ones (or the run is too young to tell).
    Learning,
    /// The digits have been narrow for [`NARROW_FOR`] steps and have not improved for
    /// [`ALARM_WINDOW`]: mode collapse, most likely.
    Collapse,
}

/// What a run's measurements so far say about the next one.
#[derive(Clone, Debug, Default)]
pub struct AlarmWatch {
    /// The lowest KL to uniform measured more than [`ALARM_WINDOW`] steps before the latest
    /// measurement; `None` while the run has no measurement that old.
    best_before: Option<f64>,
    /// The measurements of the last [`ALARM_WINDOW`] steps, oldest first: (step, KL).
    recent: Vec<(u64, f64)>,
    /// The step of the first of the narrow measurements that run up to the latest one.
    narrow_since: Option<u64>,
    /// The verdict on the latest measurement.
    latest: Option<Alarm>,
}

impl AlarmWatch {
    /// Takes the measurement of `report` at `step` and returns its verdict.
    pub fn observe(&mut self, step: u64, report: &ClassReport) -> Alarm {
        self.recent.push((step, report.kl_uniform));
        let old = self.recent.iter().take_while(|&&(s, _)| s + ALARM_WINDOW <= step).count();
        for (_, kl) in self.recent.drain(..old) {
            self.best_before = Some(self.best_before.map_or(kl, |best| best.min(kl)));
        }
        let best_recent = self.recent.iter().map(|&(_, kl)| kl).fold(f64::INFINITY, f64::min);
        self.narrow_since = report.collapsed.then(|| self.narrow_since.unwrap_or(step));
        let stuck = self.best_before.is_some_and(|before| best_recent > before - PROGRESS);
        let lasting = self.narrow_since.is_some_and(|since| step >= since + NARROW_FOR);
        let alarm = match (report.collapsed, stuck && lasting) {
            (false, _) => Alarm::Quiet,
            (true, true) => Alarm::Collapse,
            (true, false) => Alarm::Learning,
        };
        self.latest = Some(alarm);
        alarm
    }

    /// The verdict on the latest measurement; `None` before the first.
    pub fn latest(&self) -> Option<Alarm> {
        self.latest
    }
}
