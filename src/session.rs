//! One run on one device, and the policy every host applies to it: settings are admitted only if
//! they fit the device; the statistics of each batch of steps are read, checked and either
//! accepted into the curves or answered by going back to the last good state; a measurement is
//! recorded only for the weights it measured. The page's worker (through `web`) and the command
//! line both drive a [`Session`], so neither holds any of these decisions.
//!
//! Reads are split in two, as the browser needs (it cannot block on the device): a `begin_*`
//! call queues the work and returns a ticket, the host reads the ticket's tensor its own way
//! (asynchronously in the browser, blocking natively), and a `finish_*` call applies the policy.
//! Each ticket carries the identity of the run it was taken from: when another run has replaced
//! that one in between (a reset, a file opened), its values are dropped, never mixed into the
//! new run's curves or used to roll it back.

use std::rc::Rc;

use burn::tensor::{Tensor, TensorData};
use thiserror::Error;

use crate::data::toy::DataSet;
use crate::device::ComputeDevice;
use crate::device::footprint::FootprintError;
use crate::judge::alarm::{Alarm, AlarmWatch};
use crate::judge::classifier::FEATURES;
use crate::judge::copying::{self, Closeness, FeaturesError, Library, Neighbours};
use crate::judge::manifold::{self, Fidelity, Manifold};
use crate::judge::saliency::{self, Saliency};
use crate::judge::{self, Judge, JudgeError, MeasureError, Metrics};
use crate::message::{Explain, Message};
use crate::tensor::floats;
use crate::train::checkpoint::{Checkpoint, CheckpointError};
use crate::train::stats::{PendingStats, StepValues};
use crate::{ConfigChange, ConfigError, Digits, TrainConfig, Trainer};

/// Why settings or a saved run were not taken; the run in force stays.
#[derive(Debug, Error)]
pub enum Refusal {
    /// The settings are not valid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The settings' steps do not fit this device.
    #[error(transparent)]
    Footprint(#[from] FootprintError),
    /// The file is not a checkpoint this version can continue.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
}

/// The statistics of a batch of steps turned NaN or infinite: the run went back to the last
/// state whose statistics were finite.
#[derive(Clone, Copy, Debug, PartialEq, Error)]
#[error(
    "the losses became NaN or infinite at step {step} (loss_d {loss_d}, loss_g {loss_g}); the run went back to the \
     last finite state, step {back}. Likely causes: a learning rate too high for the optimiser (try 10x smaller), or \
     a loss without bounds on its gradients (least squares or WGAN without a penalty) under plain SGD."
)]
pub struct Diverged {
    /// The first step whose statistics were not finite.
    pub step: u64,
    /// Its losses, as they came out.
    pub loss_d: f32,
    /// G's loss at that step.
    pub loss_g: f32,
    /// The step the run went back to.
    pub back: u64,
}

impl Explain for Refusal {
    const KEYS: &'static [&'static str] = &[];

    fn message(&self) -> Message {
        match self {
            Self::Config(e) => e.message(),
            Self::Footprint(e) => e.message(),
            Self::Checkpoint(e) => e.message(),
        }
    }
}

impl Explain for Diverged {
    const KEYS: &'static [&'static str] = &["error.diverged"];

    fn message(&self) -> Message {
        Message::new("error.diverged")
            .with("step", self.step)
            .with("back", self.back)
            .with("loss_d", self.loss_d.to_string())
            .with("loss_g", self.loss_g.to_string())
    }
}

/// Every key of every message the library gives a host, for the page's test that each has words
/// in every language.
pub fn message_keys() -> Vec<&'static str> {
    use crate::{config, data, device, judge, train, view};
    [
        config::Allowed::KEYS,
        ConfigError::KEYS,
        data::DataError::KEYS,
        data::toy::PointCountError::KEYS,
        view::grid::NoColumns::KEYS,
        view::latent::LatentError::KEYS,
        train::params::ParamsError::KEYS,
        train::optim::OptimizerStateError::KEYS,
        train::history::HistoryError::KEYS,
        CheckpointError::KEYS,
        judge::fid::FidError::KEYS,
        JudgeError::KEYS,
        MeasureError::KEYS,
        FeaturesError::KEYS,
        FootprintError::KEYS,
        device::NoGpu::KEYS,
        Diverged::KEYS,
        &config::lesson::message_keys(),
    ]
    .concat()
}

/// What [`Session::apply`] did with new settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Applied {
    /// They went on with the same weights; the change says which optimisers started afresh.
    Changed(ConfigChange),
    /// They needed other networks, so a fresh run started.
    Restarted,
}

/// The statistics of the steps since the last read, being read back from the device.
pub struct StatsRead {
    run: u64,
    pending: PendingStats,
}

impl StatsRead {
    /// The tensor to read: `[steps, 8]`, on the device.
    pub fn values(&self) -> Tensor<2> {
        self.pending.values.clone()
    }
}

/// The classifier's verdicts on the generator's digits at one step of one run, being read back.
pub struct MeasureRead {
    run: u64,
    step: u64,
    data: DataSet,
    judge: Rc<Judge>,
    judged: Tensor<2>,
    /// Precision and recall, two values.
    fidelity: Tensor<1>,
    /// How close the digits lie to training digits, three values, once that can be measured.
    closeness: Option<Tensor<1>>,
}

impl MeasureRead {
    /// The tensor to read, on the device: the classifier's output for each digit, row after
    /// row, then the digits' precision and recall, then their closeness to training digits.
    pub fn values(&self) -> Tensor<1> {
        let parts = [self.judged.clone().flatten(0, 1), self.fidelity.clone()];
        Tensor::cat(parts.into_iter().chain(self.closeness.clone()).collect(), 0)
    }

    /// The step whose weights are measured.
    pub fn step(&self) -> u64 {
        self.step
    }
}

/// What D sees of a few digits at one step of one run (see [`saliency`]), being read back.
pub struct SaliencyRead {
    run: u64,
    values: Tensor<1>,
}

impl SaliencyRead {
    /// The tensor to read, on the device.
    pub fn values(&self) -> Tensor<1> {
        self.values.clone()
    }
}

/// The nearest training digits of a row of the grid at one step of one run, being read back.
pub struct NeighboursRead {
    run: u64,
    shown: usize,
    values: Tensor<1>,
}

impl NeighboursRead {
    /// The tensor to read, on the device.
    pub fn values(&self) -> Tensor<1> {
        self.values.clone()
    }
}

/// A run, the device it runs on, the digits it learns from and, once loaded, the judge of its
/// digits.
pub struct Session {
    trainer: Trainer,
    digits: Digits,
    device: ComputeDevice,
    judge: Option<Rc<Judge>>,
    /// Which run `trainer` is: a new number whenever another run replaces it.
    run: u64,
    /// The run's measurements so far, for the mode-collapse alarm.
    watch: AlarmWatch,
    /// The real digits' balls that precision and recall are measured against, once needed.
    real: Option<Manifold>,
    /// The training digits' features that G's digits are compared with, once loaded or computed.
    library: Option<Library>,
}

impl Session {
    /// A fresh run of `config` on `device`, refused when the settings are invalid or their
    /// steps do not fit the device.
    pub fn new(config: TrainConfig, digits: Digits, device: ComputeDevice) -> Result<Self, Refusal> {
        device.admit(&config)?;
        let trainer = Trainer::new(config, &digits, &device.device)?;
        Ok(Self::started(trainer, digits, device))
    }

    /// A fresh run of `config`, or of the defaults where `config`'s steps do not fit the
    /// device, with the reason: a host that must not stop (a lesson) runs something.
    pub fn new_or_defaults(
        config: TrainConfig,
        digits: Digits,
        device: ComputeDevice,
    ) -> Result<(Self, Option<FootprintError>), Refusal> {
        match device.admit(&config) {
            Ok(()) => Ok((Self::new(config, digits, device)?, None)),
            Err(why) => Ok((Self::new(TrainConfig::default(), digits, device)?, Some(why))),
        }
    }

    /// A run continued from `checkpoint`, refused like [`Session::restore`].
    pub fn resume(checkpoint: &Checkpoint, digits: Digits, device: ComputeDevice) -> Result<Self, Refusal> {
        device.admit(&checkpoint.config)?;
        let trainer = Trainer::from_checkpoint(checkpoint, &digits, &device.device)?;
        Ok(Self::started(trainer, digits, device))
    }

    /// A session of `trainer`'s run, with nothing measured yet.
    fn started(trainer: Trainer, digits: Digits, device: ComputeDevice) -> Self {
        Self { trainer, digits, device, judge: None, run: 0, watch: AlarmWatch::default(), real: None, library: None }
    }

    /// The run.
    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// The device the run is on.
    pub fn device(&self) -> &ComputeDevice {
        &self.device
    }

    /// Whether a judge is loaded.
    pub fn has_judge(&self) -> bool {
        self.judge.is_some()
    }

    /// Loads the judge of the generator's digits onto the run's device, from the classifier's
    /// weights and the real digits' statistics (the files `webgan train-classifier` ships).
    pub fn load_judge(&mut self, classifier: &[u8], reference: &[u8]) -> Result<(), JudgeError> {
        self.judge = Some(Rc::new(Judge::new(classifier, reference, &self.device.device)?));
        self.real = None;
        Ok(())
    }

    /// The balls of `count` real digits (fewer when the set holds fewer) in `judge`'s feature
    /// space, kept for the next measurement of as many. They are the set's last digits, which
    /// the classifier was not trained on while there are enough of them.
    fn real_manifold(&mut self, judge: &Judge, count: usize) -> Manifold {
        let count = count.min(self.digits.len());
        if let Some(real) = self.real.as_ref().filter(|real| real.len() == count) {
            return real.clone();
        }
        let pixels: Vec<f32> = self.digits.unit(self.digits.len() - count..self.digits.len()).collect();
        let real = judge.real_manifold(&pixels, &self.device.device);
        self.real = Some(real.clone());
        real
    }

    /// `config`, if it is valid for this device; nothing changes.
    pub fn admit(&self, config: TrainConfig) -> Result<TrainConfig, Refusal> {
        self.device.admit(&config)?;
        Ok(config)
    }

    /// Applies `config` from the next step on, keeping the weights; refused settings leave the
    /// run as it is.
    pub fn set_config(&mut self, config: TrainConfig) -> Result<ConfigChange, Refusal> {
        let config = self.admit(config)?;
        Ok(self.trainer.set_config(config)?)
    }

    /// Takes settings the way a student changes them mid-run: kept with the weights where the
    /// networks can absorb them, as a fresh run where they change the networks' shapes, seed
    /// or data ([`TrainConfig::needs_restart`]). Refused settings keep the run as it is.
    pub fn apply(&mut self, config: TrainConfig) -> Result<Applied, Refusal> {
        if self.trainer.config().needs_restart(&config) {
            self.reset(config)?;
            Ok(Applied::Restarted)
        } else {
            self.set_config(config).map(Applied::Changed)
        }
    }

    /// Starts a fresh run of `config` in place of this one; refused settings keep this one.
    pub fn reset(&mut self, config: TrainConfig) -> Result<(), Refusal> {
        let config = self.admit(config)?;
        let fresh = Trainer::new(config, &self.digits, &self.device.device)?;
        self.replace(fresh);
        Ok(())
    }

    /// Continues the run saved in `checkpoint` in place of this one; a file that cannot be
    /// continued here keeps this one.
    pub fn restore(&mut self, checkpoint: &Checkpoint) -> Result<(), Refusal> {
        self.device.admit(&checkpoint.config)?;
        let restored = Trainer::from_checkpoint(checkpoint, &self.digits, &self.device.device)?;
        self.replace(restored);
        Ok(())
    }

    fn replace(&mut self, trainer: Trainer) {
        self.trainer = trainer;
        self.run += 1;
        self.watch = AlarmWatch::default();
    }

    /// Queues `count` training steps.
    pub fn steps(&mut self, count: u64) {
        for _ in 0..count {
            self.trainer.step();
        }
    }

    /// Starts reading the statistics of the steps since the last read; `None` when there are
    /// none.
    pub fn begin_stats(&mut self) -> Option<StatsRead> {
        self.trainer.take_stats().map(|pending| StatsRead { run: self.run, pending })
    }

    /// Applies the policy to statistics read back for `read`: finite ones go into the curves
    /// and mark the weights good; a non-finite one sends the run back to its last good state.
    /// Statistics of a run that has since been replaced are dropped (an empty list).
    pub fn finish_stats(&mut self, read: StatsRead, data: &TensorData) -> Result<Vec<StepValues>, Diverged> {
        if read.run != self.run {
            return Ok(Vec::new());
        }
        let rows = read.pending.decode(data);
        if let Some(bad) = rows.iter().find(|r| !r.is_finite()) {
            let back = self.trainer.rollback();
            return Err(Diverged { step: bad.step, loss_d: bad.loss_d, loss_g: bad.loss_g, back });
        }
        self.trainer.accept(&rows);
        Ok(rows)
    }

    /// Reads and applies the statistics in one blocking round trip (native hosts only).
    pub fn read_stats(&mut self) -> Result<Vec<StepValues>, Diverged> {
        match self.begin_stats() {
            Some(read) => {
                let data = read.values().into_data();
                self.finish_stats(read, &data)
            }
            None => Ok(Vec::new()),
        }
    }

    /// Starts judging `count` of the generator's digits at the current step; `None` until a
    /// judge is loaded.
    pub fn begin_measure(&mut self, count: usize) -> Option<MeasureRead> {
        let judge = self.judge.clone()?;
        let judged = judge.judge(self.trainer.eval_samples(count));
        let real = self.real_manifold(&judge, judged.dims()[0]);
        let fidelity = manifold::precision_recall(&real, &judge::generated_manifold(judged.clone()));
        let (step, data) = (self.trainer.step_count(), self.trainer.config().data);
        let closeness = self.library().map(|l| l.closeness(judge::judged_features(judged.clone())));
        Some(MeasureRead { run: self.run, step, data, judge, judged, fidelity, closeness })
    }

    /// The library of training digits G's digits are compared with, once there is one; `None`
    /// for runs on other data than MNIST too (stacked digits are made afresh, not drawn from a
    /// set G could copy).
    fn library(&self) -> Option<&Library> {
        (self.trainer.config().data == DataSet::Mnist).then_some(self.library.as_ref()).flatten()
    }

    /// The library, computed from `judge`'s classifier first when none was loaded (native hosts:
    /// see [`Library::compute`]).
    fn computed_library(&mut self, judge: &Judge) -> Option<&Library> {
        if self.library.is_none() {
            self.library = Library::compute(judge, &self.digits, &self.device.device);
        }
        self.library()
    }

    /// Loads the training digits' features from the file `webgan features` writes (the page
    /// does; native hosts compute them), to compare G's digits with; a damaged file or one of
    /// other digits is refused and comparing waits for another.
    pub fn load_features(&mut self, bytes: &[u8]) -> Result<(), FeaturesError> {
        self.library = Some(Library::from_file(bytes, &self.digits, &self.device.device)?);
        Ok(())
    }

    /// The metrics of the verdicts read back for `read`. Their FID goes into the curves only if
    /// the weights measured are still those in force (same run, same step), and they count for
    /// the alarm only if they are this run's.
    pub fn finish_measure(&mut self, read: MeasureRead, data: TensorData) -> Result<Metrics, MeasureError> {
        let values = floats(data);
        let tail = 2 + if read.closeness.is_some() { 3 } else { 0 };
        let (judged, tail) = values.split_at(values.len().saturating_sub(tail));
        let (fidelity, closeness) = tail.split_at(tail.len().min(2));
        let mut metrics = read.judge.metrics_of(read.data, judged)?;
        metrics.fidelity = fidelity.try_into().ok().map(Fidelity::from_values);
        metrics.closeness = closeness.try_into().ok().map(Closeness::from_values);
        if read.run == self.run {
            self.watch.observe(read.step, &metrics.classes);
            if read.step == self.trainer.step_count() {
                record(&mut self.trainer, &metrics);
            }
        }
        Ok(metrics)
    }

    /// The mode-collapse alarm's verdict on the run's latest measurement (see [`AlarmWatch`]);
    /// quiet before the first.
    pub fn alarm(&self) -> Alarm {
        self.watch.latest().unwrap_or(Alarm::Quiet)
    }

    /// Measures `count` digits, reading them back chunk by chunk in blocking round trips
    /// (native hosts only, where `count` may be the whole 10 000), and records the FID; `None`
    /// without a judge.
    pub fn measure(&mut self, count: usize) -> Option<Result<Metrics, MeasureError>> {
        let judge = self.judge.clone()?;
        let samples = floats(self.trainer.eval_samples(count).into_data());
        let data = self.trainer.config().data;
        let judged = match judge.judged_rows(data, &samples, &self.device.device) {
            Ok(judged) => judged,
            Err(why) => return Some(Err(why)),
        };
        let mut metrics = match judge.metrics_of(data, &judged) {
            Ok(metrics) => metrics,
            Err(why) => return Some(Err(why)),
        };
        let features = judge::features_of(&judged);
        let rows = features.len() / FEATURES;
        let features = Tensor::from_data(TensorData::new(features, [rows, FEATURES]), &self.device.device);
        let real = self.real_manifold(&judge, rows);
        let values = floats(manifold::precision_recall(&real, &Manifold::new(features.clone())).into_data());
        metrics.fidelity = values.try_into().ok().map(Fidelity::from_values);
        if let Some(library) = self.computed_library(&judge) {
            let values = floats(library.closeness(features).into_data());
            metrics.closeness = values.try_into().ok().map(Closeness::from_values);
        }
        self.watch.observe(self.trainer.step_count(), &metrics.classes);
        record(&mut self.trainer, &metrics);
        Some(Ok(metrics))
    }

    /// Starts computing what D sees of a few of the grid's digits and a real one; `None` for a
    /// toy run, whose plane shows D's view already, or for stacked digits (the view is of one digit).
    pub fn begin_saliency(&self) -> Option<SaliencyRead> {
        let digits = self.trainer.config().data == DataSet::Mnist;
        digits.then(|| SaliencyRead { run: self.run, values: saliency::queue(&self.trainer) })
    }

    /// The view read back for `read`; `None` when another run has replaced the one it shows.
    pub fn finish_saliency(&self, read: SaliencyRead, data: TensorData) -> Option<Saliency> {
        let wasserstein = self.trainer.config().loss.is_wasserstein();
        (read.run == self.run).then(|| Saliency::decode(&floats(data), wasserstein))
    }

    /// What D sees now, in one blocking round trip (native hosts only); `None` for a toy run.
    pub fn saliency(&self) -> Option<Saliency> {
        let read = self.begin_saliency()?;
        let data = read.values().into_data();
        self.finish_saliency(read, data)
    }

    /// Starts finding the nearest training digits of the grid's diagonal (a row of G's digits;
    /// in a conditional grid the digits 0 to 9); `None` until the training digits' features are
    /// all computed, and for runs not on MNIST.
    pub fn begin_neighbours(&self) -> Option<NeighboursRead> {
        let (Some(library), Some(judge)) = (self.library(), &self.judge) else { return None };
        let digits = self.trainer.diagonal_samples(self.trainer.grid_columns());
        let shown = digits.dims()[0];
        let values = Tensor::cat(
            vec![
                copying::nearest(judge.features_on_device(digits.clone()), library.features()),
                copying::nearest(digits.clone(), self.trainer.training_digits()),
                digits.flatten(0, 1),
            ],
            0,
        );
        Some(NeighboursRead { run: self.run, shown, values })
    }

    /// The neighbours read back for `read`; `None` when another run has replaced the one shown.
    pub fn finish_neighbours(&self, read: NeighboursRead, data: TensorData) -> Option<Neighbours> {
        (read.run == self.run).then(|| Neighbours::decode(&floats(data), read.shown, &self.digits))
    }

    /// The nearest training digits now, in one blocking round trip (native hosts only), after
    /// computing every training digit's features; `None` without a judge or off MNIST.
    pub fn neighbours(&mut self) -> Option<Neighbours> {
        let judge = self.judge.clone()?;
        self.computed_library(&judge)?;
        let read = self.begin_neighbours()?;
        let data = read.values().into_data();
        self.finish_neighbours(read, data)
    }
}

/// Records `metrics` in the run's curves.
fn record(trainer: &mut Trainer, metrics: &Metrics) {
    let (precision, recall) = metrics.fidelity.map_or((f64::NAN, f64::NAN), |f| (f.precision, f.recall));
    trainer.record_measurement(metrics.fid, precision, recall);
}
