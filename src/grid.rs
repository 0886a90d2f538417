//! Lays generated digits out as one image: the page paints it on a canvas, the CLI saves it as
//! a PNG.

use crate::data::SIDE;

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

/// Arranges digits given as `[n × 784]` values in [0, 1] into a grid `columns` wide.
pub fn digit_grid(values: &[f32], columns: usize) -> Gray {
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
    Gray { width, height, pixels }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_digits_row_by_row_with_gaps() {
        let mut values = vec![0.0f32; 3 * SIDE * SIDE];
        values[SIDE * SIDE] = 1.0; // top-left pixel of the second digit
        values[2 * SIDE * SIDE + SIDE * SIDE - 1] = 0.5; // bottom-right pixel of the third
        let g = digit_grid(&values, 2);
        assert_eq!((g.width, g.height), (2 * SIDE + GAP, 2 * SIDE + GAP));
        assert_eq!(g.pixels[SIDE + GAP], 255);
        assert_eq!(g.pixels[(2 * SIDE + GAP - 1) * g.width + SIDE - 1], 128);
        assert_eq!(g.pixels.iter().filter(|&&p| p > 0).count(), 2);
        assert_eq!(g.to_rgba()[4 * (SIDE + GAP)..4 * (SIDE + GAP) + 4], [255, 255, 255, 255]);
    }
}
