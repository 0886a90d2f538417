//! What D sees: for a few of the sample grid's digits and one real digit, the gradient of D's
//! verdict with respect to each pixel, ∇ₓD(x), painted over the digit. Red marks pixels whose
//! brightening would make D more convinced the digit is real, blue those whose brightening would
//! make it less so. The gradient is the one the penalties already compute
//! ([`Discriminator::forward_with_input_gradient`]), so the view costs one pass of D and its
//! chain rule on five digits.

use burn::module::Module;
use burn::tensor::Tensor;

use crate::data::{PIXELS, SIDE};
use crate::model::Discriminator;
use crate::train::Trainer;
use crate::view::grid::{self, Rgba};

/// Grid digits the view shows: the grid's diagonal from the top left, so a conditional grid
/// (a row per digit) shows the digits 0 to 3.
pub const GRID_DIGITS: usize = 4;
/// The real digit shown beside them: the same one all run long, so that its map shows D change.
pub const REAL_DIGIT: usize = 0;
/// Digits in the view: the grid's, then the real one.
pub const SHOWN: usize = GRID_DIGITS + 1;
/// Pixels of transparent space between neighbouring digits of the picture.
const GAP: usize = 2;

/// D's logits `[n, 1]` and ∇ₓ of their sum `[n, dim]` for samples `x` (with their one-hot
/// `labels` when conditional), in training mode as the penalties see them. D is copied first,
/// so the batch-norm statistics this pass records are the copy's, never the run's.
pub fn input_gradient(d: &Discriminator, x: Tensor<2>, labels: Option<Tensor<2>>) -> (Tensor<2>, Tensor<2>) {
    let (logits, gradient) = d.clone().no_grad().forward_with_input_gradient(x, labels);
    (logits.detach(), gradient.detach())
}

/// The positions in a grid `columns` wide of the digits the view shows.
pub fn grid_positions(columns: usize) -> [usize; GRID_DIGITS] {
    let mut diagonal = grid::diagonal(columns);
    std::array::from_fn(|_| diagonal.next().unwrap_or(0))
}

/// The view of `trainer`'s D, queued on its device as one tensor for one read: the [`SHOWN`]
/// digits' logits, then their pixels, then their gradients (see [`Saliency::decode`]).
pub fn queue(trainer: &Trainer) -> Tensor<1> {
    let (real, real_label) = trainer.training_digit(REAL_DIGIT);
    let x = Tensor::cat(vec![trainer.diagonal_samples(GRID_DIGITS), real], 0);
    // In a conditional grid row r asks for digit r; the real digit comes with its own label.
    let labels: Vec<u8> = (0..GRID_DIGITS as u8).chain([real_label]).collect();
    let (logits, gradient) = input_gradient(trainer.discriminator(), x.clone(), trainer.label_rows(&labels));
    Tensor::cat(vec![logits.flatten(0, 1), x.flatten(0, 1), gradient.flatten(0, 1)], 0)
}

/// The view read back: per digit, D's verdict, the pixels and ∇ₓD.
#[derive(Clone, Debug, PartialEq)]
pub struct Saliency {
    /// D's verdict on each digit: D(x) = σ(logit), or a Wasserstein critic's raw score.
    pub verdicts: Vec<f32>,
    /// The digits, [`PIXELS`] values in [0, 1] each.
    pub pixels: Vec<f32>,
    /// ∇ₓ of D's logit, [`PIXELS`] values per digit.
    pub gradient: Vec<f32>,
}

impl Saliency {
    /// The values [`queue`] gathered, for a critic whose scores are shown raw when
    /// `wasserstein`, else as probabilities.
    pub fn decode(values: &[f32], wasserstein: bool) -> Self {
        let n = values.len() / (1 + 2 * PIXELS);
        let (logits, rest) = values.split_at(n);
        let (pixels, gradient) = rest.split_at(n * PIXELS);
        let verdict = |l: f32| if wasserstein { l } else { 1.0 / (1.0 + (-l).exp()) };
        Self {
            verdicts: logits.iter().map(|&l| verdict(l)).collect(),
            pixels: pixels.to_vec(),
            gradient: gradient.to_vec(),
        }
    }

    /// The digits side by side, each in dim grey with its map over it: red where ∂D/∂x > 0,
    /// blue where < 0, as strongly as |∂D/∂x| against the digit's largest. Each digit has its
    /// own scale: D's gradient shrinks and grows by orders of magnitude as it learns, and the
    /// pattern, not the size, is what the view shows (the size is ‖∇ₓD‖ on the chart).
    pub fn picture(&self) -> Rgba {
        let n = self.verdicts.len();
        let width = n * SIDE + n.saturating_sub(1) * GAP;
        let mut pixels = vec![0u8; width * SIDE * 4];
        for (i, (digit, gradient)) in
            self.pixels.chunks_exact(PIXELS).zip(self.gradient.chunks_exact(PIXELS)).enumerate()
        {
            let scale = gradient.iter().fold(0.0f32, |m, g| m.max(g.abs()));
            for (j, (&v, &g)) in digit.iter().zip(gradient).enumerate() {
                let grey = 40.0 + 120.0 * v.clamp(0.0, 1.0);
                let share = if scale > 0.0 { g.abs() / scale } else { 0.0 };
                let tint = if g > 0.0 { [235.0, 60.0, 40.0] } else { [40.0, 120.0, 245.0] };
                let at = ((j / SIDE) * width + i * (SIDE + GAP) + j % SIDE) * 4;
                for c in 0..3 {
                    pixels[at + c] = (grey * (1.0 - share) + tint[c] * share).round() as u8;
                }
                pixels[at + 3] = 255;
            }
        }
        Rgba { width, height: SIDE, pixels }
    }
}
