//! One GAN training run: the two networks, their optimisers, the data on the device and the
//! step loop. The same code trains in the browser (WebGPU or CPU) and natively, on MNIST digits
//! or on a 2-D toy distribution.

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Distribution, Int, Tensor, TensorData};

use crate::config::GanLoss;
use crate::config::TrainConfig;
use crate::data::CLASSES;
use crate::data::stacked;
use crate::data::toy::{self, DataSet, TOY_POINTS};
use crate::data::{BatchSampler, Digits};
use crate::model::{Discriminator, Generator};
use crate::rng::Rng;
use crate::tensor::floats;
use crate::train::checkpoint::{Checkpoint, CheckpointError, PendingCheckpoint};
use crate::train::history::History;
use crate::train::loss;
use crate::train::optim::{Averaged, NetworkOptimizer};
use crate::train::params;
use crate::train::stats::{PendingStats, RowWriter, StepStats, StepValues};
use crate::view::grid;

/// Columns of the fixed-noise sample grid of an unconditional run (8 × 8 digits).
const GRID_COLUMNS: usize = 8;

// Independent random streams per purpose, so e.g. a larger batch never changes the weights.
const WEIGHTS: u64 = 1;
const NOISE: u64 = 2;
const BATCHES: u64 = 3;
const FIXED_NOISE: u64 = 4;
const EVAL_NOISE: u64 = 5;
const TOY_DATA: u64 = 6;

/// What training has learned by a step: the weights, their average and the optimisers' moments.
/// A copy of it is the state a run goes back to when a step goes wrong.
#[derive(Clone)]
struct Learned {
    step: u64,
    generator: Generator,
    discriminator: Discriminator,
    /// The moving average of G's weights, while [`TrainConfig::ema`] is on.
    average: Option<Averaged<Generator>>,
    opt_g: NetworkOptimizer,
    opt_d: NetworkOptimizer,
}

/// What applying a new configuration to a running trainer did to the optimisers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ConfigChange {
    /// G's optimiser algorithm changed, so its state (moments, velocity) started afresh.
    pub reset_g: bool,
    /// The same for D.
    pub reset_d: bool,
}

/// The results of one discriminator update that the step's statistics report.
struct CriticUpdate {
    loss: Tensor<1>,
    d_real: Tensor<2>,
    d_fake: Tensor<2>,
    grad_norm: Tensor<1>,
    /// `None` where no penalty measured D's input gradient.
    input_grad_norm: Option<Tensor<1>>,
    /// G's digits of this update, with the graph that made them: G's own update differentiates
    /// through them, since its weights have not changed since (as PyTorch's DCGAN example reuses
    /// them), which spares it a forward pass per step.
    generated: Tensor<2>,
    /// The one-hot labels the generated digits were asked for (a conditional GAN's).
    labels: Option<Tensor<2>>,
}

/// A GAN being trained: call [`Trainer::step`] repeatedly and read statistics and samples
/// whenever they are to be shown.
pub struct Trainer {
    config: TrainConfig,
    device: Device,
    state: Learned,
    /// Every digit (or toy point), uploaded once as `[count, dim]` in [0, 1]; batches are
    /// gathered on the device.
    digits: Tensor<2>,
    /// Each digit's label, for a conditional GAN's batches (none for toy points).
    labels: Vec<u8>,
    sampler: BatchSampler,
    noise: Rng,
    fixed_noise: Tensor<2>,
    /// The labels of the sample grid's rows when conditional: one row per digit.
    fixed_labels: Option<Tensor<2>>,
    unread: Vec<StepStats>,
    rows: RowWriter,
    /// The state of the last step whose statistics were read as finite.
    last_good: Learned,
    /// The curves of the statistics read so far.
    history: History,
}

impl Trainer {
    /// A fresh run of `config` on `device` (which must have autodiff enabled), on `digits` or,
    /// for a toy data set, on points drawn from the seed. The config is validated first; an
    /// invalid one is returned as an error and nothing is allocated.
    pub fn new(config: TrainConfig, digits: &Digits, device: &Device) -> Result<Self, crate::ConfigError> {
        config.validate()?;
        device.seed(config.seed);
        let dim = config.data.dim();
        let mut weights = Rng::stream(config.seed, WEIGHTS);
        let generator = Generator::new(&config, &mut weights, device);
        let discriminator = Discriminator::new(&config, &mut weights, device);
        let (values, count, labels) = if config.data.is_toy() {
            let mut rng = Rng::stream(config.seed, TOY_DATA);
            (toy::sample(config.data, &config.points, TOY_POINTS, &mut rng), TOY_POINTS, Vec::new())
        } else if config.data == DataSet::Stacked {
            let triples = stacked::triples(digits, config.seed, stacked::IMAGES);
            (stacked::images(digits, &triples), stacked::IMAGES, Vec::new())
        } else {
            (digits.pixels_unit(), digits.len(), digits.labels.clone())
        };
        let all = Tensor::from_data(TensorData::new(values, [count, dim]), device);
        let samples = grid_columns(&config).pow(2);
        let fixed = Rng::stream(config.seed, FIXED_NOISE).normals(samples * config.latent_dim);
        let fixed_noise = Tensor::from_data(TensorData::new(fixed, [samples, config.latent_dim]), device);
        let grid_labels: Vec<u8> = (0..samples).map(|i| (i / CLASSES) as u8).collect();
        let fixed_labels = one_hot(&config, &grid_labels, device);
        let (opt_g, opt_d) = (NetworkOptimizer::new(config.g), NetworkOptimizer::new(config.d));
        let average = (config.ema > 0.0).then(|| Averaged::new(generator.clone()));
        let state = Learned { step: 0, generator, discriminator, average, opt_g, opt_d };
        Ok(Self {
            sampler: BatchSampler::new(count, Rng::stream(config.seed, BATCHES)),
            noise: Rng::stream(config.seed, NOISE),
            config,
            device: device.clone(),
            last_good: state.clone(),
            state,
            digits: all,
            labels,
            fixed_noise,
            fixed_labels,
            unread: Vec::new(),
            rows: RowWriter::new(device),
            history: History::default(),
        })
    }

    /// The run saved in `checkpoint`, on `device`: its settings, step, weights, optimiser
    /// state, random generators and curves, so that it continues as if never interrupted.
    /// Anything that does not fit the networks the settings describe, is not finite or counts
    /// more updates than the steps allow is refused, so the restored state is a good one.
    pub fn from_checkpoint(checkpoint: &Checkpoint, digits: &Digits, device: &Device) -> Result<Self, CheckpointError> {
        use crate::train::checkpoint::Network::{Average, Discriminator, Generator};
        let mut trainer = Self::new(checkpoint.config.clone(), digits, device)?;
        trainer.state.generator = params::from_bytes(trainer.state.generator, &checkpoint.generator)
            .map_err(|e| CheckpointError::Params(Generator, e))?;
        trainer.state.discriminator = params::from_bytes(trainer.state.discriminator, &checkpoint.discriminator)
            .map_err(|e| CheckpointError::Params(Discriminator, e))?;
        trainer.state.average = match (trainer.state.average.take(), &checkpoint.average) {
            (Some(fresh), Some(saved)) => Some(Averaged::new(
                params::from_bytes(fresh.module, saved).map_err(|e| CheckpointError::Params(Average, e))?,
            )),
            (Some(_), None) => Some(Averaged::new(trainer.state.generator.clone())),
            (None, _) => None,
        };
        let (config, (most_g, most_d)) = (&checkpoint.config, checkpoint.most_updates());
        if !checkpoint.opt_g.is_empty() {
            trainer.state.opt_g =
                NetworkOptimizer::decode(config.g, &checkpoint.opt_g, &trainer.state.generator, most_g, device)
                    .map_err(|e| CheckpointError::Optimizer(Generator, e))?;
        }
        if !checkpoint.opt_d.is_empty() {
            trainer.state.opt_d =
                NetworkOptimizer::decode(config.d, &checkpoint.opt_d, &trainer.state.discriminator, most_d, device)
                    .map_err(|e| CheckpointError::Optimizer(Discriminator, e))?;
        }
        if !checkpoint.random.is_empty() {
            let (noise, sampler) = checkpoint.random.split_first_chunk::<8>().ok_or(CheckpointError::Random)?;
            trainer.noise = Rng::new(u64::from_le_bytes(*noise));
            let count = trainer.digits.dims()[0];
            trainer.sampler = BatchSampler::from_bytes(count, sampler).ok_or(CheckpointError::Random)?;
        }
        trainer.history = checkpoint.history.clone();
        trainer.state.step = checkpoint.step;
        trainer.mark_good();
        Ok(trainer)
    }

    /// The whole run, its tensors gathered on the device for one read.
    pub fn pending_checkpoint(&self) -> PendingCheckpoint {
        let mut networks = vec![params::gather(&self.state.generator), params::gather(&self.state.discriminator)];
        networks.extend(self.state.average.as_ref().map(|average| params::gather(&average.module)));
        let mut random = self.noise.state().to_le_bytes().to_vec();
        random.extend(self.sampler.to_bytes());
        let host = Checkpoint {
            config: self.config.clone(),
            step: self.state.step,
            generator: Vec::new(),
            discriminator: Vec::new(),
            average: None,
            opt_g: Vec::new(),
            opt_d: Vec::new(),
            random,
            history: self.history.clone(),
        };
        PendingCheckpoint::new(host, networks, [self.state.opt_g.gather(), self.state.opt_d.gather()])
    }

    /// The whole run, read back synchronously (native code).
    pub fn checkpoint(&self) -> Checkpoint {
        let pending = self.pending_checkpoint();
        let values = floats(pending.values.clone().into_data());
        pending.finish(&values)
    }

    /// The curves of the statistics accepted so far.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Records a measurement of the current weights in the curves: FID, precision and recall
    /// (NaN where not measured).
    pub fn record_measurement(&mut self, fid: f64, precision: f64, recall: f64) {
        self.history.record_measurement(self.state.step, fid, precision, recall);
    }

    /// The configuration in force.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Steps taken so far.
    pub fn step_count(&self) -> u64 {
        self.state.step
    }

    /// Switches to `config` from the next step on, keeping the weights: the loss, penalties,
    /// tricks, batch size, schedule and optimiser hyper-parameters all apply as they are. An
    /// optimiser whose algorithm changes starts afresh, and the result says so. A change of seed
    /// or network size cannot keep the weights: it is refused here and needs a new trainer.
    pub fn set_config(&mut self, config: TrainConfig) -> Result<ConfigChange, crate::ConfigError> {
        config.validate()?;
        let changed = self.config.restarting_changes(&config);
        if !changed.is_empty() {
            return Err(crate::ConfigError::OutOfRange {
                field: changed.join(", "),
                value: "changed".into(),
                allowed: crate::config::Allowed::Unchanged,
            });
        }
        let change = ConfigChange {
            reset_g: self.state.opt_g.configure(config.g),
            reset_d: self.state.opt_d.configure(config.d),
        };
        self.state.average = match (self.state.average.take(), config.ema > 0.0) {
            (Some(average), true) => Some(average),
            (None, true) => Some(Averaged::new(self.state.generator.clone())),
            (_, false) => None,
        };
        self.state.discriminator.normalise_for(&config);
        self.config = config;
        Ok(change)
    }

    /// One training step: [`TrainConfig::d_steps`] discriminator updates, each on a fresh batch
    /// of real digits and noise, then one generator update on the last update's noise. Nothing
    /// is read back: the statistics stay on the device until [`Trainer::take_stats`] is called.
    pub fn step(&mut self) {
        let rates = self.config.learning_rates(self.state.step);
        let sigma = self.config.noise_sigma(self.state.step);
        let mut critic = self.update_discriminator(rates.d, sigma);
        for _ in 1..self.config.d_steps {
            critic = self.update_discriminator(rates.d, sigma);
        }

        // G descends its loss through the freshly updated D, whose weights are constants here:
        // G's gradient needs D's input gradient only.
        let fake = self.with_instance_noise(critic.generated, sigma);
        let mut frozen = params::freeze(self.state.discriminator.clone());
        let loss_g = self.config.loss.generator(frozen.module.forward_train(fake, critic.labels));
        self.state.discriminator = frozen.thaw();
        let grads = GradientsParams::from_grads(loss_g.backward(), &self.state.generator);
        let stepped = self.state.opt_g.step(rates.g, self.state.generator.clone(), grads);
        let grad_norm_g = stepped.grad_norm;
        self.state.generator = stepped.module;
        if let Some(average) = self.state.average.take() {
            self.state.average = Some(self.state.opt_g.blend(average, &self.state.generator, self.config.ema));
        }

        let wasserstein = critic.d_real.clone().mean() - critic.d_fake.clone().mean();
        let values = self.rows.write([
            Some(critic.loss),
            Some(loss_g),
            Some(sigmoid(critic.d_real).mean()),
            Some(sigmoid(critic.d_fake).mean()),
            Some(wasserstein),
            Some(critic.grad_norm),
            Some(grad_norm_g),
            critic.input_grad_norm,
        ]);
        self.state.step += 1;
        self.unread.push(StepStats { values: values.detach(), learning_rates: rates });
    }

    /// One update of D: its loss on a real and a generated batch (G's output is a constant
    /// here), plus the penalties the configuration asks for, and WGAN's clipping after it. In a
    /// conditional GAN the generated digits are asked for the real batch's labels, so both
    /// batches hold the same digits and WGAN-GP's mixtures mix like with like.
    fn update_discriminator(&mut self, lr: f64, sigma: f64) -> CriticUpdate {
        let batch = self.config.batch_size;
        let chosen = self.sampler.next_batch(batch);
        let batch_labels: Vec<u8> = if self.config.conditional {
            chosen.iter().map(|&i| self.labels[i as usize]).collect()
        } else {
            Vec::new()
        };
        let labels = one_hot(&self.config, &batch_labels, &self.device);
        let indices = Tensor::<1, Int>::from_data(TensorData::new(chosen, [batch]), &self.device);
        let real = self.with_instance_noise(self.digits.clone().select(0, indices), sigma);
        let z = self.noise_batch(batch);
        let generated = self.state.generator.forward_train(z, labels.clone());
        let fake = self.with_instance_noise(generated.clone().detach(), sigma);
        // ε ~ U(0, 1) per digit for WGAN-GP's x̂ = εx + (1 − ε)G(z), drawn on the host like z.
        let eps: Vec<f32> = (0..batch).map(|_| self.noise.uniform()).collect();

        let config = &self.config;
        let (d_real, real_grad) = if config.r1_gamma > 0.0 {
            let (d_real, grad) = self.state.discriminator.forward_with_input_gradient(real.clone(), labels.clone());
            (d_real, Some(grad))
        } else {
            (self.state.discriminator.forward_train(real.clone(), labels.clone()), None)
        };
        let d_fake = self.state.discriminator.forward_train(fake.clone(), labels.clone());
        let mut loss_d = config.loss.discriminator(d_real.clone(), d_fake.clone(), config.real_label);
        // The input gradients whose norm the statistics report: x̂'s for WGAN-GP, else R1's.
        let mut measured = None;
        if let Some(grad) = real_grad {
            loss_d = loss_d + loss::r1_penalty(grad.clone(), config.r1_gamma);
            measured = Some(grad);
        }
        if config.loss == GanLoss::WganGp {
            let eps = Tensor::<2>::from_data(TensorData::new(eps, [batch, 1]), &self.device);
            let mixed = real * eps.clone() + fake * eps.neg().add_scalar(1.0);
            let (_, grad) = self.state.discriminator.forward_with_input_gradient(mixed, labels.clone());
            loss_d = loss_d + loss::gradient_penalty(grad.clone(), config.gp_lambda);
            measured = Some(grad);
        }
        let input_grad_norm = measured.map(|grad| loss::row_norms(grad).mean());

        let grads = GradientsParams::from_grads(loss_d.backward(), &self.state.discriminator);
        let discriminator = self.state.discriminator.clone();
        let stepped = match self.config.loss {
            GanLoss::WganClip => self.state.opt_d.step_clipped(lr, self.config.clip, discriminator, grads),
            _ => self.state.opt_d.step(lr, discriminator, grads),
        };
        let grad_norm = stepped.grad_norm;
        self.state.discriminator = stepped.module;
        CriticUpdate { loss: loss_d, d_real, d_fake, grad_norm, input_grad_norm, generated, labels }
    }

    /// A batch of noise vectors z ~ N(0, I), `[batch, latent]`, drawn on the host from the
    /// run's seed so every backend sees the same noise.
    fn noise_batch(&mut self, batch: usize) -> Tensor<2> {
        let latent = self.config.latent_dim;
        Tensor::from_data(TensorData::new(self.noise.normals(batch * latent), [batch, latent]), &self.device)
    }

    /// `x` plus Gaussian noise of standard deviation `sigma` (instance noise), drawn on the
    /// device: it is as large as the batch of digits, too much to draw and upload every step.
    fn with_instance_noise(&self, x: Tensor<2>, sigma: f64) -> Tensor<2> {
        if sigma > 0.0 {
            let noise = Tensor::random(x.shape(), Distribution::Normal(0.0, sigma), &self.device);
            x + noise
        } else {
            x
        }
    }

    /// The statistics of the steps taken since the last call, stacked for a single read.
    pub fn take_stats(&mut self) -> Option<PendingStats> {
        let first = self.state.step + 1 - self.unread.len() as u64;
        PendingStats::stack(first, std::mem::take(&mut self.unread))
    }

    /// Takes the statistics read back from [`Trainer::take_stats`] into the curves and remembers
    /// the current weights as good: call it once they are known to be finite.
    pub fn accept(&mut self, stats: &[StepValues]) {
        self.history.record(stats);
        self.mark_good();
    }

    fn mark_good(&mut self) {
        self.last_good = self.state.clone();
    }

    /// Returns to the last weights marked good (after NaN or infinite losses) and says which
    /// step that was. Statistics not yet read are dropped with the steps they describe. The
    /// configuration in force stays in force.
    pub fn rollback(&mut self) -> u64 {
        self.state = self.last_good.clone();
        self.unread.clear();
        self.history.forget_after(self.state.step);
        self.set_config(self.config.clone()).expect("the configuration in force is valid");
        self.state.step
    }

    /// The generator's digits for the fixed noise, [`Trainer::grid_columns`]² of them,
    /// `[n, 784]` in [0, 1], still on the device. The same noise every time, so successive
    /// grids show how G changes; in a conditional GAN row `r` asks for digit `r`.
    pub fn samples(&self) -> Tensor<2> {
        self.sampling_generator().forward(self.fixed_noise.clone(), self.fixed_labels.clone()).detach()
    }

    /// The first `count` digits of the sample grid's diagonal from the top left, `[count, dim]`,
    /// still on the device: the few digits the views of D and of copying look at (a conditional
    /// grid's diagonal holds the digits 0, 1, 2, …).
    pub fn diagonal_samples(&self, count: usize) -> Tensor<2> {
        let positions: Vec<i64> = grid::diagonal(self.grid_columns()).take(count).map(|p| p as i64).collect();
        let count = positions.len();
        self.samples().select(0, Tensor::<1, Int>::from_data(TensorData::new(positions, [count]), &self.device))
    }

    /// Columns (and rows) of the sample grid: 8, or 10 for a conditional GAN (a row per digit).
    pub fn grid_columns(&self) -> usize {
        grid_columns(&self.config)
    }

    /// `count` digits for the metrics, `[count, 784]`, still on the device. Their noise is fixed
    /// for the run too (drawn from the seed on each call), so the metrics change only because G
    /// does. A conditional GAN is asked for every digit in turn.
    pub fn eval_samples(&self, count: usize) -> Tensor<2> {
        let latent = self.config.latent_dim;
        let z = Rng::stream(self.config.seed, EVAL_NOISE).normals(count * latent);
        let labels: Vec<u8> = (0..count).map(|i| (i % CLASSES) as u8).collect();
        self.generate(z, &labels)
    }

    /// The picture of a toy run, gathered in one tensor for one read: `count` generated points
    /// (`2·count` values, the fixed evaluation noise), D's logit at the centres of a
    /// `resolution`² grid over the unit square (row by row from the bottom, `resolution²`
    /// values), and for each generated point the step G's loss asks of it, −∂L_G/∂x summed over
    /// the batch (`2·count` values): GAN Lab's view of the game.
    pub fn plane_view(&self, count: usize, resolution: usize) -> Tensor<1> {
        let points = self.eval_samples(count);
        let cells: Vec<f32> = (0..resolution * resolution)
            .flat_map(|i| [(i % resolution) as f32 + 0.5, (i / resolution) as f32 + 0.5].map(|v| v / resolution as f32))
            .collect();
        let cells = Tensor::from_data(TensorData::new(cells, [resolution * resolution, 2]), &self.device);
        let critic = self.state.discriminator.clone().no_grad(); // see Trainer::sampling_generator
        let heat = critic.forward(cells, None).detach();
        let x = points.clone().require_grad();
        let grads = self.config.loss.generator(critic.forward(x.clone(), None)).backward();
        let push = x.grad(&grads).expect("the generated points require gradients").mul_scalar(-(count as f64));
        Tensor::cat(vec![points.inner().flatten(0, 1), heat.inner().flatten(0, 1), push.flatten(0, 1)], 0)
    }

    /// What the generator draws (the weight average, when kept) for the noise vectors `z`,
    /// flattened `latent` values each: `[n, dim]`, still on the device. A conditional GAN draws
    /// digit `labels[i % labels.len()]` for vector `i` (0 when `labels` is empty); an
    /// unconditional one ignores `labels`.
    pub fn generate(&self, z: Vec<f32>, labels: &[u8]) -> Tensor<2> {
        let n = z.len() / self.config.latent_dim;
        let z = Tensor::from_data(TensorData::new(z, [n, self.config.latent_dim]), &self.device);
        let labels = if labels.is_empty() { &[0][..] } else { labels };
        let labels: Vec<u8> = labels.iter().copied().cycle().take(n).collect();
        self.sampling_generator().forward(z, one_hot(&self.config, &labels, &self.device)).detach()
    }

    /// D as it stands, for views of what it sees (they clone it, so the run is untouched).
    pub fn discriminator(&self) -> &Discriminator {
        &self.state.discriminator
    }

    /// `labels` as the one-hot rows D and G take when the run is conditional; `None` otherwise.
    pub fn label_rows(&self, labels: &[u8]) -> Option<Tensor<2>> {
        one_hot(&self.config, labels, &self.device)
    }

    /// Every training image, `[n, dim]` in [0, 1], on the device (for MNIST the 10 000 digits in
    /// the order of the data file).
    pub fn training_digits(&self) -> Tensor<2> {
        self.digits.clone()
    }

    /// Training digit `index` as `[1, dim]` on the device, with its label.
    pub fn training_digit(&self, index: usize) -> (Tensor<2>, u8) {
        let dim = self.digits.dims()[1];
        (self.digits.clone().slice([index..index + 1, 0..dim]), self.labels.get(index).copied().unwrap_or(0))
    }

    /// The generator that draws what is shown and measured: with [`TrainConfig::ema`] on, the
    /// moving average of G's weights. Its parameters are untracked, so drawing records no
    /// autodiff graph: no backward pass would ever consume one, and burn would keep it alive.
    fn sampling_generator(&self) -> Generator {
        self.state.average.as_ref().map_or(&self.state.generator, |a| &a.module).clone().no_grad()
    }
}

/// Columns (and rows) of the sample grid for `config`.
fn grid_columns(config: &TrainConfig) -> usize {
    if config.conditional { CLASSES } else { GRID_COLUMNS }
}

/// `labels` as one-hot rows `[n, 10]` on `device` when `config` is conditional; otherwise none.
fn one_hot(config: &TrainConfig, labels: &[u8], device: &Device) -> Option<Tensor<2>> {
    config.conditional.then(|| {
        let values: Vec<f32> =
            labels.iter().flat_map(|&l| (0..CLASSES).map(move |c| if c == l as usize { 1.0 } else { 0.0 })).collect();
        Tensor::from_data(TensorData::new(values, [labels.len(), CLASSES]), device)
    })
}
