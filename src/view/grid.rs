//! Lays generated digits out as one image: the page paints it on a canvas, the CLI saves it as
//! a PNG. A toy run's plane becomes an image here too, for the CLI.

use crate::data::SIDE;
use crate::message::{Explain, Message};
use crate::view::plane::PlaneView;

/// Pixels of background between neighbouring digits.
const GAP: usize = 2;

/// A grayscale image, one byte per pixel, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Gray {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl Gray {
    /// The same image as RGBA bytes (white ink on black), the layout a canvas `ImageData` wants.
    pub fn to_rgba(&self) -> Vec<u8> {
        self.pixels.iter().flat_map(|&p| [p, p, p, 255]).collect()
    }
}

/// A grid asked to be no digits wide: the count comes from outside (the page asks for a strip of
/// so many digits), and a grid of no columns has no layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a grid of digits is at least one digit wide, not 0")]
pub struct NoColumns;

impl Explain for NoColumns {
    const KEYS: &'static [&'static str] = &["error.grid.no_columns"];

    fn message(&self) -> Message {
        Message::new("error.grid.no_columns")
    }
}

/// The places of a square grid's diagonal from the top left, `columns` of them: a conditional
/// grid's diagonal holds the digits 0 to 9 (it asks for one digit per row).
pub fn diagonal(columns: usize) -> impl Iterator<Item = usize> {
    (0..columns).map(move |i| i * (columns + 1))
}

/// Arranges digits given as `[n × 784]` values in [0, 1] into a grid `columns` wide.
pub fn digit_grid(values: &[f32], columns: usize) -> Result<Gray, NoColumns> {
    if columns == 0 {
        return Err(NoColumns);
    }
    let n = values.len() / (SIDE * SIDE);
    let rows = n.div_ceil(columns).max(1);
    let width = columns * SIDE + (columns - 1) * GAP;
    let height = rows * SIDE + (rows - 1) * GAP;
    let mut pixels = vec![0u8; width * height];
    for (i, digit) in values.chunks_exact(SIDE * SIDE).enumerate() {
        let (x0, y0) = ((i % columns) * (SIDE + GAP), (i / columns) * (SIDE + GAP));
        for (j, &v) in digit.iter().enumerate() {
            let byte = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
            pixels[(y0 + j / SIDE) * width + x0 + j % SIDE] = byte;
        }
    }
    Ok(Gray { width, height, pixels })
}

/// An image of RGBA bytes (four per pixel), row-major, the layout a canvas `ImageData` wants.
#[derive(Clone, Debug, PartialEq)]
pub struct Rgba {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

/// Arranges images of `channels` planes each (`channels × 784` values in [0, 1], plane after
/// plane) into a grid `columns` wide: a single digit in gray, as [`digit_grid`] draws it, and
/// stacked digits with their three planes as red, green and blue, so that each of the 1 000
/// triples has its own colours.
pub fn sample_grid(values: &[f32], columns: usize, channels: usize) -> Result<Rgba, NoColumns> {
    let image = channels * SIDE * SIDE;
    let planes = (0..channels)
        .map(|c| {
            let plane: Vec<f32> =
                values.chunks_exact(image).flat_map(|v| &v[c * SIDE * SIDE..][..SIDE * SIDE]).copied().collect();
            digit_grid(&plane, columns)
        })
        .collect::<Result<Vec<Gray>, NoColumns>>()?;
    let (width, height) = (planes[0].width, planes[0].height);
    let pixels = (0..width * height)
        .flat_map(|i| {
            let [r, g, b] = std::array::from_fn(|c| planes[c.min(channels - 1)].pixels[i]);
            [r, g, b, 255]
        })
        .collect();
    Ok(Rgba { width, height, pixels })
}

/// A toy run's plane as a `side`² image: D's verdict σ(logit) as the background (light where D
/// says real) and the generated points as black dots.
pub fn plane_image(view: &PlaneView, side: usize) -> Gray {
    let r = view.resolution;
    let mut pixels: Vec<u8> = (0..side * side)
        .map(|i| {
            let (x, y) = (i % side * r / side, (side - 1 - i / side) * r / side);
            let verdict = 1.0 / (1.0 + (-view.logits[y * r + x]).exp());
            (64.0 + 160.0 * verdict).round() as u8
        })
        .collect();
    for p in view.points.chunks_exact(2) {
        let (x, y) = ((p[0] * side as f32) as isize, ((1.0 - p[1]) * side as f32) as isize);
        for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            let (x, y) = (x + dx, y + dy);
            if (0..side as isize).contains(&x) && (0..side as isize).contains(&y) {
                pixels[y as usize * side + x as usize] = 0;
            }
        }
    }
    Gray { width: side, height: side, pixels }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_digits_row_by_row_with_gaps() {
        let mut values = vec![0.0f32; 3 * SIDE * SIDE];
        values[SIDE * SIDE] = 1.0; // top-left pixel of the second digit
        values[2 * SIDE * SIDE + SIDE * SIDE - 1] = 0.5; // bottom-right pixel of the third
        let g = digit_grid(&values, 2).unwrap();
        assert_eq!((g.width, g.height), (2 * SIDE + GAP, 2 * SIDE + GAP));
        assert_eq!(g.pixels[SIDE + GAP], 255);
        assert_eq!(g.pixels[(2 * SIDE + GAP - 1) * g.width + SIDE - 1], 128);
        assert_eq!(g.pixels.iter().filter(|&&p| p > 0).count(), 2);
        assert_eq!(g.to_rgba()[4 * (SIDE + GAP)..4 * (SIDE + GAP) + 4], [255, 255, 255, 255]);
    }

    #[test]
    fn stacked_digits_are_painted_red_green_blue() {
        let mut values = vec![0.0f32; 2 * 3 * SIDE * SIDE];
        values[0] = 1.0; // top-left pixel of the first image's red plane
        values[3 * SIDE * SIDE + 2 * SIDE * SIDE] = 1.0; // top-left pixel of the second image's blue plane
        let g = sample_grid(&values, 2, 3).unwrap();
        assert_eq!((g.width, g.height), (2 * SIDE + GAP, SIDE));
        assert_eq!(g.pixels[..4], [255, 0, 0, 255]);
        assert_eq!(g.pixels[4 * (SIDE + GAP)..][..4], [0, 0, 255, 255]);
        assert_eq!(sample_grid(&values[..SIDE * SIDE], 1, 1).unwrap().pixels[..4], [255, 255, 255, 255]);
    }

    #[test]
    fn a_grid_of_no_columns_is_refused_with_a_message() {
        assert_eq!(digit_grid(&[0.0; SIDE * SIDE], 0), Err(NoColumns));
        assert!(NoColumns.to_string().contains("at least one digit wide"));
        assert_eq!(digit_grid(&[], 1).map(|g| (g.width, g.height)), Ok((SIDE, SIDE)), "no digits: one empty cell");
    }
}
