//! Ready-made experiments, one click each on the page and `--preset NAME` on the command line:
//! each sets up one lesson of GAN optimisation and says what a student should see.

use crate::config::GanLoss;
use crate::config::{MAX_BATCH, TrainConfig};
use crate::config::{OptimizerConfig, OptimizerKind};
use crate::data::toy::DataSet;

/// A named configuration and the outcome it is expected to show.
#[derive(Clone, Debug, PartialEq)]
pub struct Preset {
    /// The name used on the command line and in the page's translations.
    pub id: &'static str,
    /// What a run shows, in one sentence (the page has it in every language it speaks).
    pub outcome: &'static str,
    /// The settings.
    pub config: TrainConfig,
}

/// The preset a page link that sets nothing opens: the recipe that draws all ten digits soonest.
pub const OPENING: &str = "first_minute";
/// The preset whose settings are the defaults, which every other preset changes a little.
pub const DEFAULTS: &str = "seed_article";

/// Every preset, in the order the page shows them.
pub fn all() -> Vec<Preset> {
    let base = TrainConfig::default();
    let both = |optimizer: OptimizerConfig| TrainConfig { g: optimizer, d: optimizer, ..base.clone() };
    let adam = OptimizerConfig::default();
    let sgd = OptimizerConfig { kind: OptimizerKind::Sgd, lr: 0.05, ..adam };
    vec![
        Preset {
            id: "first_minute",
            outcome: "The classic MLP GAN with G's layers 512 units wide and D's 256 instead of 128, batches of 128 digits instead of 64, D's real label smoothed to 0.9 and the grid drawn by G's weight average (0.99): all 10 digits in near-equal shares by 3 000 steps, FID about 50 (the classic MLP GAN: 8 digits, about 380).",
            // The seed article's G four times as wide and its D twice (the DCGAN keeps its own 128
            // channels, which four times as many would make sixteen times as costly): D's passes
            // cost twice G's per step, and a D as wide as G drew all ten digits no sooner (at
            // seed 0 later). Twice the batch
            // evens out the digits G draws (each step's gradient sees every class more often);
            // smoothing keeps D from growing sure too fast; the average (about the last 100
            // steps) steadies the digits that are shown and measured. Measured at seeds 0–4 in
            // the README.
            config: TrainConfig {
                hidden: 512,
                hidden_d: 256,
                batch_size: 128,
                real_label: 0.9,
                ema: 0.99,
                ..base.clone()
            },
        },
        Preset {
            id: "seed_article",
            outcome: "Varied, noisy digits by 2 000 steps that sharpen by 10 000; D(x) and D(G(z)) hover around 0.65 and 0.35 instead of running to 1 and 0 (G learns at 1e-3, five times D's rate).",
            config: base.clone(),
        },
        Preset {
            id: "minimax",
            outcome: "D wins within a few hundred steps (D(G(z)) near 0.01) and G's loss log(1 − D(G(z))) flattens at 0: its gradient ‖∇L_G‖ sinks to about 0.3, some thirty times smaller than the non-saturating loss gets in the same run (the mode-collapse preset).",
            config: TrainConfig { loss: GanLoss::Minimax, g: adam, ..base.clone() },
        },
        Preset {
            id: "wgan_clip",
            outcome: "The critic's Wasserstein estimate grows from 0 to about 0.15 and D's verdicts stay near 0.5; clipped to ±0.01 the critic is weak, so after 2 000 steps G draws only a blurry average digit: weight clipping is slow.",
            config: TrainConfig {
                loss: GanLoss::WganClip,
                clip: 0.01,
                d_steps: 5,
                ..both(OptimizerConfig { kind: OptimizerKind::RmsProp, lr: 5e-5, ..adam })
            },
        },
        Preset {
            id: "wgan_gp",
            outcome: "‖∇ₓD‖ stays near 1 (about 1.1) and the Wasserstein estimate falls steadily (about 4.9 at step 500, 2.7 at 2 000) as the digits sharpen: the cleanest, smoothest digits of all the presets, at about four times the cost per step.",
            config: TrainConfig {
                loss: GanLoss::WganGp,
                gp_lambda: 10.0,
                d_steps: 5,
                ..both(OptimizerConfig { lr: 1e-4, beta1: 0.0, beta2: 0.9, ..adam })
            },
        },
        Preset {
            id: "plain_sgd",
            outcome: "With one learning rate (0.05) for every weight, D wins (D(x) near 1, D(G(z)) near 0.06) and G settles on a single noisy pattern: this is why GANs are trained with adaptive optimisers such as Adam.",
            config: both(sgd),
        },
        Preset {
            id: "full_batch",
            outcome: "Every step uses all 10 000 digits (batch gradient descent) and costs as much as about 150 ordinary steps (0.7 s natively on one CPU core); with plain gradient descent at 0.05, D still wins and G settles on one shape, as with mini-batch SGD: removing the sampling noise does not fix the game.",
            config: TrainConfig { batch_size: MAX_BATCH, ..both(sgd) },
        },
        Preset {
            id: "mode_collapse",
            outcome: "The textbook 2e-4 for both networks is too slow for this small generator: within a few hundred steps every noise vector draws the same speckled shape, and it stays that way (D(x) near 1, D(G(z)) near 0.01): mode collapse.",
            config: TrainConfig { g: adam, ..base.clone() },
        },
        Preset {
            id: "conditional",
            outcome: "G and D are told the digit: the grid gets a row per digit, 0 at the top. For about 2 000 steps the rows ignore their labels; then they sort themselves out, and by 4 000 steps about two thirds of the digits, by 5 000 about four fifths, are the digit their row asks for (as the classifier judges them).",
            config: TrainConfig { conditional: true, ..base.clone() },
        },
        Preset {
            id: "toy_ring",
            outcome: "A ring of 8 Gaussians with a 2-D noise vector: G's points spread from one blob along the ring and reach all 8 modes by about 1 500 steps (about two thirds of the points within 3σ of a mode by 2 000); D's landscape is light over the modes and dark where G's points sit, and the arrows show G's points being pushed towards the light.",
            config: TrainConfig {
                data: DataSet::Ring,
                latent_dim: 2,
                batch_size: 256,
                ..both(OptimizerConfig { lr: 1e-3, ..adam })
            },
        },
        Preset {
            id: "toy_mode_hopping",
            outcome: "The same ring with the digit settings (100-D noise, batch 64, G at 1e-3 and D at 2e-4): for about 4 000 steps G covers one or two modes at a time and hops between them as D learns to reject each; only by about 6 000 steps does it spread over all 8.",
            config: TrainConfig { data: DataSet::Ring, ..base.clone() },
        },
    ]
}

/// The preset called `id`.
pub fn find(id: &str) -> Option<Preset> {
    all().into_iter().find(|p| p.id == id)
}

/// The settings of the [`OPENING`] preset.
pub fn opening() -> TrainConfig {
    find(OPENING).expect("the opening preset is one of them").config
}
