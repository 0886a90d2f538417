//! What a setting accepts, as a refusal says it: structured, so that the page words it in the
//! reader's language, and most of it read from the setting's own limits.

use std::fmt;

use crate::message::{Explain, Message};

/// What a setting accepts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Allowed {
    /// A whole number from `min` to `max`.
    Integers { min: u64, max: u64 },
    /// A number from `min` to `max`.
    Numbers { min: f64, max: f64 },
    /// A number greater than `min`, at most `max`.
    Above { min: f64, max: f64 },
    /// A number from `min` up to, not including, `max`.
    Below { min: f64, max: f64 },
    /// A number from 0, which turns the trick off, to `max`.
    OffTo { max: f64 },
    /// A seed: up to the largest integer a web page holds exactly.
    Seed { max: u64 },
    /// A target for real digits from `min` to `max`, the largest being no smoothing.
    Smoothing { min: f64, max: f64 },
    /// 0, or a decay below 1.
    Decay,
    /// The MLP, for 2-D points.
    MlpForPoints,
    /// No labels, for 2-D points and stacked digits.
    UnlabelledPoints,
    /// At most `max` points in the unit square.
    Drawing { max: usize },
    /// At most `max` points.
    AtMostPoints { max: usize },
    /// Coordinates in the unit square.
    UnitSquare,
    /// Some points, for a drawn data set.
    SomePoints,
    /// One of the names.
    OneOf(&'static [&'static str]),
    /// `true` or `false`.
    Bool,
    /// Any number (a text that is none).
    Number,
    /// Any whole number.
    Whole,
    /// Points written `x,y;x,y`.
    PointList,
    /// No change of the settings that shape the networks, within a run.
    Unchanged,
}

impl fmt::Display for Allowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use super::number as n;
        match *self {
            Self::Integers { min, max } => write!(f, "an integer from {min} to {max}"),
            Self::Numbers { min, max } => write!(f, "a number from {} to {}", n(min), n(max)),
            Self::Above { min, max } => write!(f, "a number greater than {} and at most {}", n(min), n(max)),
            Self::Below { min, max } => write!(f, "a number from {} up to (not including) {}", n(min), n(max)),
            Self::OffTo { max } => write!(f, "a number from 0 (off) to {}", n(max)),
            Self::Seed { max } => {
                write!(f, "an integer from 0 to {max} (2^53 − 1, the largest a web page holds exactly)")
            }
            Self::Smoothing { min, max } => write!(f, "a number from {} to {} (1 is no smoothing)", n(min), n(max)),
            Self::Decay => write!(f, "0 (off) or a decay below 1, such as 0.999"),
            Self::MlpForPoints => write!(f, "mlp for 2-D points (the DCGAN's convolutions draw 28×28 digits)"),
            Self::UnlabelledPoints => {
                write!(f, "false for 2-D points and stacked digits (only a single digit has a label to condition on)")
            }
            Self::Drawing { max } => write!(f, "up to {max} points x,y;x,y;... in the unit square"),
            Self::AtMostPoints { max } => write!(f, "at most {max} points"),
            Self::UnitSquare => write!(f, "coordinates from 0 to 1 (the unit square)"),
            Self::SomePoints => write!(f, "at least one point for data = drawn"),
            Self::OneOf(names) => write!(f, "one of {}", names.join(", ")),
            Self::Bool => write!(f, "true or false"),
            Self::Number => write!(f, "a number"),
            Self::Whole => write!(f, "a whole number"),
            Self::PointList => write!(f, "a list of x,y pairs separated by `;`"),
            Self::Unchanged => write!(f, "these change the networks themselves; press Reset to start over with them"),
        }
    }
}

impl Explain for Allowed {
    const KEYS: &'static [&'static str] = &[
        "allowed.integers",
        "allowed.numbers",
        "allowed.above",
        "allowed.below",
        "allowed.off_to",
        "allowed.seed",
        "allowed.smoothing",
        "allowed.decay",
        "allowed.mlp_for_points",
        "allowed.unlabelled_points",
        "allowed.drawing",
        "allowed.at_most_points",
        "allowed.unit_square",
        "allowed.some_points",
        "allowed.one_of",
        "allowed.bool",
        "allowed.number",
        "allowed.whole",
        "allowed.point_list",
        "allowed.unchanged",
    ];

    fn message(&self) -> Message {
        use super::number as n;
        let range = |key, min: String, max: String| Message::new(key).with("min", min).with("max", max);
        match *self {
            Self::Integers { min, max } => range("allowed.integers", min.to_string(), max.to_string()),
            Self::Numbers { min, max } => range("allowed.numbers", n(min), n(max)),
            Self::Above { min, max } => range("allowed.above", n(min), n(max)),
            Self::Below { min, max } => range("allowed.below", n(min), n(max)),
            Self::OffTo { max } => Message::new("allowed.off_to").with("max", n(max)),
            Self::Seed { max } => Message::new("allowed.seed").with("max", max.to_string()),
            Self::Smoothing { min, max } => range("allowed.smoothing", n(min), n(max)),
            Self::Decay => Message::new("allowed.decay"),
            Self::MlpForPoints => Message::new("allowed.mlp_for_points"),
            Self::UnlabelledPoints => Message::new("allowed.unlabelled_points"),
            Self::Drawing { max } => Message::new("allowed.drawing").with("max", max),
            Self::AtMostPoints { max } => Message::new("allowed.at_most_points").with("max", max),
            Self::UnitSquare => Message::new("allowed.unit_square"),
            Self::SomePoints => Message::new("allowed.some_points"),
            Self::OneOf(names) => Message::new("allowed.one_of").with("options", names.join(", ")),
            Self::Bool => Message::new("allowed.bool"),
            Self::Number => Message::new("allowed.number"),
            Self::Whole => Message::new("allowed.whole"),
            Self::PointList => Message::new("allowed.point_list"),
            Self::Unchanged => Message::new("allowed.unchanged"),
        }
    }
}
