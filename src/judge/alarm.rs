//! The mode-collapse alarm: a verdict on each measurement of a run, given the ones before it.
//!
//! Narrow digits alone do not make collapse. A healthy generator is narrow for its first few
//! thousand steps, finding one digit after another: on the defaults the classifier counts 1 to 8
//! classes up to step 3 500 or so (at seed 4, 7 or 8 now and then until step 5 500), while the
//! class distribution keeps getting closer to uniform. A collapsed generator is narrow *and
//! stuck*. So the alarm sounds only when the digits have been narrow for [`NARROW_FOR`] steps
//! and the measurements of the last [`ALARM_WINDOW`] steps draw on average no more classes than
//! those of the window before, counting classes as the *effective* number e^entropy (10 for a
//! uniform histogram, 1 for one digit), which a collapsed generator hopping between one digit
//! and two does not raise by much. Both spans are steps, not measurements: the page measures by
//! the clock, as often as the device allows. Averages, not the best or the latest measurement,
//! because one judgement of 512 digits is noisy. Before two windows have passed the run is too
//! young to tell.
//!
//! Replayed on the defaults' class statistics at seeds 0–4 (512 digits every 250 steps for
//! 10 000 steps) this stays silent, where the verdict by the latest measurement alone sounded at
//! every seed over most of the first 3 500 steps; on the mode-collapse demo it sounds from step
//! 2 000 on.

use serde::Serialize;

use super::ClassReport;
use crate::data::CLASSES;

/// Steps of each of the two windows whose average KL to uniform is compared.
pub const ALARM_WINDOW: u64 = 1000;
/// Steps the digits must have been narrow for: one narrow measurement in a varied run is the
/// noise of judging 512 digits, not collapse.
pub const NARROW_FOR: u64 = 500;
/// How many more effective classes the last window must draw on average than the one before to
/// count as progress. Replayed, 0.3 and 0.5 keep the healthy seeds silent; 0.8 does not.
const PROGRESS: f64 = 0.5;

/// What the page's mode-collapse box says of a measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Alarm {
    /// The digits are varied enough: no box.
    Quiet,
    /// The digits are narrow, but G is still finding new ones (or the run is too young to tell).
    Learning,
    /// The digits have been narrow for [`NARROW_FOR`] steps and the last [`ALARM_WINDOW`] steps
    /// brought no more classes: mode collapse, most likely.
    Collapse,
}

/// What a run's measurements so far say about the next one.
#[derive(Clone, Debug, Default)]
pub struct AlarmWatch {
    /// The measurements of the last two windows, oldest first: (step, effective classes).
    seen: Vec<(u64, f64)>,
    /// The step of the first of the narrow measurements that run up to the latest one.
    narrow_since: Option<u64>,
    /// The verdict on the latest measurement.
    latest: Option<Alarm>,
}

impl AlarmWatch {
    /// Takes the measurement of `report` at `step` and returns its verdict.
    pub fn observe(&mut self, step: u64, report: &ClassReport) -> Alarm {
        self.seen.retain(|&(s, _)| s + 2 * ALARM_WINDOW > step);
        self.seen.push((step, CLASSES as f64 * (-report.kl_uniform).exp()));
        let (last, before): (Vec<_>, Vec<_>) = self.seen.iter().partition(|&&(s, _)| s + ALARM_WINDOW > step);
        let mean =
            |window: &[(u64, f64)]| window.iter().map(|&(_, classes)| classes).sum::<f64>() / window.len() as f64;
        let old_enough = step >= 2 * ALARM_WINDOW && !before.is_empty();
        let stuck = old_enough && mean(&last) < mean(&before) + PROGRESS;
        self.narrow_since = report.collapsed.then(|| self.narrow_since.unwrap_or(step));
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
