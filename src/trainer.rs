//! One GAN training run: the two networks, their optimisers, the data on the device and the
//! step loop. The same code trains in the browser (WebGPU or CPU) and natively.

use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::config::TrainConfig;
use crate::data::{BatchSampler, Digits, PIXELS};
use crate::loss;
use crate::model::{Discriminator, Generator};
use crate::rng::Rng;
use crate::stats::{PendingStats, StepStats};

/// Digits in the fixed-noise sample grid (8 × 8).
pub const SAMPLE_COUNT: usize = 64;

// Independent random streams per purpose, so e.g. a larger batch never changes the weights.
const WEIGHTS: u64 = 1;
const NOISE: u64 = 2;
const BATCHES: u64 = 3;
const FIXED_NOISE: u64 = 4;

/// The state worth keeping when a step goes wrong: weights and optimiser moments.
#[derive(Clone)]
struct Snapshot {
    step: u64,
    generator: Generator,
    discriminator: Discriminator,
    opt_g: ModuleOptimizer,
    opt_d: ModuleOptimizer,
}

/// A GAN being trained: call [`Trainer::step`] repeatedly and read statistics and samples
/// whenever they are to be shown.
pub struct Trainer {
    config: TrainConfig,
    device: Device,
    generator: Generator,
    discriminator: Discriminator,
    opt_g: ModuleOptimizer,
    opt_d: ModuleOptimizer,
    /// Every digit, uploaded once as `[count, 784]` in [0, 1]; batches are gathered on the device.
    digits: Tensor<2>,
    sampler: BatchSampler,
    noise: Rng,
    fixed_noise: Tensor<2>,
    step: u64,
    unread: Vec<StepStats>,
    last_good: Snapshot,
}

impl Trainer {
    /// A fresh run of `config` on `device` (which must have autodiff enabled). The config is
    /// validated first; an invalid one is returned as an error and nothing is allocated.
    pub fn new(config: TrainConfig, digits: &Digits, device: &Device) -> Result<Self, crate::ConfigError> {
        config.validate()?;
        let mut weights = Rng::stream(config.seed, WEIGHTS);
        let generator = Generator::new(config.latent_dim, config.hidden, &mut weights, device);
        let discriminator = Discriminator::new(config.hidden, &mut weights, device);
        let all = Tensor::from_data(TensorData::new(digits.pixels_unit(), [digits.len(), PIXELS]), device);
        let fixed = Rng::stream(config.seed, FIXED_NOISE).normals(SAMPLE_COUNT * config.latent_dim);
        let fixed_noise = Tensor::from_data(TensorData::new(fixed, [SAMPLE_COUNT, config.latent_dim]), device);
        let (opt_g, opt_d) = (adam(&config), adam(&config));
        let last_good = Snapshot {
            step: 0,
            generator: generator.clone(),
            discriminator: discriminator.clone(),
            opt_g: opt_g.clone(),
            opt_d: opt_d.clone(),
        };
        Ok(Self {
            sampler: BatchSampler::new(digits.len(), Rng::stream(config.seed, BATCHES)),
            noise: Rng::stream(config.seed, NOISE),
            config,
            device: device.clone(),
            generator,
            discriminator,
            opt_g,
            opt_d,
            digits: all,
            fixed_noise,
            step: 0,
            unread: Vec::new(),
            last_good,
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Steps taken so far.
    pub fn step_count(&self) -> u64 {
        self.step
    }

    /// Switches to `config` from the next step on, keeping the weights. Learning rates and batch
    /// size apply as they are; new Adam betas start the optimisers afresh. A change of seed or
    /// network size cannot keep the weights: it is refused here and needs a new trainer.
    pub fn set_config(&mut self, config: TrainConfig) -> Result<(), crate::ConfigError> {
        config.validate()?;
        if self.config.needs_restart(&config) {
            return Err(crate::ConfigError::OutOfRange {
                field: "seed/latent_dim/hidden",
                value: "changed".into(),
                allowed: "these change the networks themselves; press Reset to start over with them",
            });
        }
        if (config.beta1, config.beta2) != (self.config.beta1, self.config.beta2) {
            self.opt_g = adam(&config);
            self.opt_d = adam(&config);
        }
        self.config = config;
        Ok(())
    }

    /// One training step: one discriminator update, then one generator update, both on the same
    /// noise. Nothing is read back: the statistics stay on the device until
    /// [`Trainer::take_stats`] is called.
    pub fn step(&mut self) {
        let batch = self.config.batch_size;
        let indices = Tensor::<1, Int>::from_data(TensorData::new(self.sampler.next_batch(batch), [batch]), &self.device);
        let real = self.digits.clone().select(0, indices);
        let z = Tensor::from_data(TensorData::new(self.noise.normals(batch * self.config.latent_dim), [batch, self.config.latent_dim]), &self.device);

        // D ascends log D(x) + log(1 − D(G(z))); G's output is a constant here.
        let fake = self.generator.forward(z.clone()).detach();
        let d_real = self.discriminator.forward(real);
        let d_fake = self.discriminator.forward(fake);
        let loss_d = loss::discriminator_loss(d_real.clone(), d_fake.clone());
        let grads = GradientsParams::from_grads(loss_d.backward(), &self.discriminator);
        self.discriminator = self.opt_d.step(self.config.lr_d, self.discriminator.clone(), grads);

        // G descends −log D(G(z)) through the freshly updated D.
        let d_fake_for_g = self.discriminator.forward(self.generator.forward(z));
        let loss_g = loss::generator_loss(d_fake_for_g);
        let grads = GradientsParams::from_grads(loss_g.backward(), &self.generator);
        self.generator = self.opt_g.step(self.config.lr_g, self.generator.clone(), grads);

        let stats = Tensor::cat(
            vec![loss_d, loss_g, sigmoid(d_real).mean(), sigmoid(d_fake).mean()],
            0,
        );
        self.step += 1;
        self.unread.push(StepStats(stats.detach()));
    }

    /// The statistics of the steps taken since the last call, stacked for a single read.
    pub fn take_stats(&mut self) -> Option<PendingStats> {
        let first = self.step + 1 - self.unread.len() as u64;
        PendingStats::stack(first, std::mem::take(&mut self.unread))
    }

    /// Remembers the current weights as good: call after reading finite statistics.
    pub fn mark_good(&mut self) {
        self.last_good = Snapshot {
            step: self.step,
            generator: self.generator.clone(),
            discriminator: self.discriminator.clone(),
            opt_g: self.opt_g.clone(),
            opt_d: self.opt_d.clone(),
        };
    }

    /// Returns to the last weights marked good (after NaN or infinite losses) and says which
    /// step that was. Statistics not yet read are dropped with the steps they describe.
    pub fn rollback(&mut self) -> u64 {
        let good = self.last_good.clone();
        self.step = good.step;
        self.generator = good.generator;
        self.discriminator = good.discriminator;
        self.opt_g = good.opt_g;
        self.opt_d = good.opt_d;
        self.unread.clear();
        self.step
    }

    /// The generator's digits for the fixed noise, `[64, 784]` in [0, 1], still on the device.
    /// The same noise every time, so successive grids show how G changes.
    pub fn samples(&self) -> Tensor<2> {
        self.generator.forward(self.fixed_noise.clone()).detach()
    }
}

/// Adam as configured (ε = 1e-8, as in the seed article's PyTorch code).
fn adam(config: &TrainConfig) -> ModuleOptimizer {
    AdamConfig::new()
        .with_beta_1(config.beta1 as f32)
        .with_beta_2(config.beta2 as f32)
        .with_epsilon(1e-8)
        .init()
}
