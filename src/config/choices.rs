//! The choices a run is made of: which networks, which game and which update rule. They are
//! settings first, so they live with the configuration; the code that acts on them (the
//! networks, the losses' tensor maths, the update rules) is in `model` and `train`.

use serde::{Deserialize, Serialize};

/// Which networks play the game.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// Fully connected layers: fast everywhere, works on digits and 2-D points.
    #[default]
    Mlp,
    /// Convolutions with batch norm (digits only; a critic under a gradient penalty uses layer
    /// norm instead): sharper strokes per step, more work per step.
    Dcgan,
}

/// The game G and D play. D minimises [`GanLoss::discriminator`], G minimises [`GanLoss::generator`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GanLoss {
    /// Goodfellow et al. (2014) as written: G minimises log(1 − σ(d_fake)), whose gradient
    /// vanishes exactly when D confidently rejects the fakes, i.e. early in training.
    Minimax,
    /// The same D, but G maximises log σ(d_fake): strong gradients while D still wins.
    #[default]
    NonSaturating,
    /// LSGAN (Mao et al. 2017): squared distance of the raw output to the targets 1 (real) and 0 (fake).
    LeastSquares,
    /// Hinge loss (as in SN-GAN and BigGAN): D only cares about margins of 1.
    Hinge,
    /// Wasserstein GAN (Arjovsky et al. 2017); D (the critic) is kept 1-Lipschitz by clipping its weights.
    WganClip,
    /// Wasserstein GAN with a gradient penalty instead of clipping (Gulrajani et al. 2017).
    WganGp,
}

impl GanLoss {
    /// Every loss, in the order the page lists them.
    pub const ALL: [GanLoss; 6] =
        [Self::Minimax, Self::NonSaturating, Self::LeastSquares, Self::Hinge, Self::WganClip, Self::WganGp];

    /// Whether D is a Wasserstein critic, whose output difference estimates the distance.
    pub fn is_wasserstein(self) -> bool {
        matches!(self, Self::WganClip | Self::WganGp)
    }

    /// Whether the real data has a target label that one-sided smoothing can lower.
    pub fn has_real_label(self) -> bool {
        matches!(self, Self::Minimax | Self::NonSaturating | Self::LeastSquares)
    }
}

/// The update rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    /// θ ← θ − lr·g.
    Sgd,
    /// Heavy-ball momentum: v ← μ·v + g, θ ← θ − lr·v.
    Momentum,
    /// Nesterov momentum: v ← μ·v + g, θ ← θ − lr·(g + μ·v).
    Nesterov,
    /// Adam: per-weight step sizes from running moments of g and g².
    #[default]
    Adam,
    /// RMSprop: g divided by a running root-mean-square of g.
    RmsProp,
}

impl OptimizerKind {
    /// Every kind, in the order the page lists them.
    pub const ALL: [OptimizerKind; 5] = [Self::Sgd, Self::Momentum, Self::Nesterov, Self::Adam, Self::RmsProp];
}

/// One network's optimiser settings. Each kind reads the fields it needs and ignores the rest,
/// so switching kinds on the page never loses a value the student typed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimizerConfig {
    /// The update rule.
    pub kind: OptimizerKind,
    /// Base learning rate (before any schedule).
    pub lr: f64,
    /// Adam's decay of the first moment.
    pub beta1: f64,
    /// Adam's decay of the second moment.
    pub beta2: f64,
    /// Adam's and RMSprop's ε, added to the root-mean-square.
    pub epsilon: f64,
    /// μ of momentum and Nesterov.
    pub momentum: f64,
    /// RMSprop's decay α of the mean square.
    pub alpha: f64,
}

impl Default for OptimizerConfig {
    /// Adam 2e-4, β = (0.5, 0.999), ε = 1e-8: the DCGAN paper's choice, used by the seed article.
    fn default() -> Self {
        Self {
            kind: OptimizerKind::Adam,
            lr: 2e-4,
            beta1: 0.5,
            beta2: 0.999,
            epsilon: 1e-8,
            momentum: 0.9,
            alpha: 0.99,
        }
    }
}
