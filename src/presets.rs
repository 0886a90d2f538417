//! Ready-made experiments, one click each on the page and `--preset NAME` on the command line:
//! each sets up one lesson of GAN optimisation and says what a student should see.

use crate::config::{MAX_BATCH, TrainConfig};
use crate::loss::GanLoss;
use crate::optim::{OptimizerConfig, OptimizerKind};

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

/// Every preset, in the order the page shows them.
pub fn all() -> Vec<Preset> {
    let base = TrainConfig::default();
    let both = |optimizer: OptimizerConfig| TrainConfig { g: optimizer, d: optimizer, ..base.clone() };
    let adam = OptimizerConfig::default();
    let sgd = OptimizerConfig { kind: OptimizerKind::Sgd, lr: 0.05, ..adam };
    vec![
        Preset {
            id: "seed_article",
            outcome: "Digit-like strokes appear within a few hundred steps and sharpen over thousands; \
                      D(x) and D(G(z)) settle between 0.3 and 0.8 instead of running to 1 and 0.",
            config: base.clone(),
        },
        Preset {
            id: "minimax",
            outcome: "D wins at once and G's loss log(1 − D(G(z))) sits flat near 0: its gradient vanishes, so G \
                      learns far slower than with the non-saturating loss.",
            config: TrainConfig { loss: GanLoss::Minimax, ..base.clone() },
        },
        Preset {
            id: "wgan_clip",
            outcome: "The critic's Wasserstein estimate rises from 0, then falls slowly as G improves; digits \
                      come slower than with Adam, but the losses never saturate.",
            config: TrainConfig {
                loss: GanLoss::WganClip,
                clip: 0.01,
                d_steps: 5,
                ..both(OptimizerConfig { kind: OptimizerKind::RmsProp, lr: 5e-5, ..adam })
            },
        },
        Preset {
            id: "wgan_gp",
            outcome: "The penalty holds ‖∇ₓD‖ near 1 and the Wasserstein estimate falls steadily as the digits \
                      sharpen: a loss curve that tracks quality.",
            config: TrainConfig {
                loss: GanLoss::WganGp,
                gp_lambda: 10.0,
                d_steps: 5,
                ..both(OptimizerConfig { lr: 1e-4, beta1: 0.0, beta2: 0.9, ..adam })
            },
        },
        Preset {
            id: "plain_sgd",
            outcome: "Plain SGD (lr 0.05) moves slowly and unevenly: blobs take thousands of steps to become \
                      strokes, showing why GANs are trained with Adam.",
            config: both(sgd),
        },
        Preset {
            id: "full_batch",
            outcome: "Every step uses all 10 000 digits: the loss curves are smooth, but each step costs about \
                      150 mini-batch steps, and far fewer steps fit in a minute.",
            config: TrainConfig { batch_size: MAX_BATCH, ..both(sgd) },
        },
        Preset {
            id: "mode_collapse",
            outcome: "With G's learning rate ten times D's, the sample grid soon fills with near-copies of a \
                      few shapes: mode collapse.",
            config: TrainConfig { g: OptimizerConfig { lr: 2e-3, ..adam }, ..base.clone() },
        },
    ]
}

/// The preset called `id`.
pub fn find(id: &str) -> Option<Preset> {
    all().into_iter().find(|p| p.id == id)
}
