//! What can be wrong with a lesson, and where: each problem is a fault in a field of a stage.
//! The page words a problem in the reader's language from its keys (the place, then the fault);
//! `Display` words it in English for the command line.

use std::fmt;

use crate::config::{ConfigError, shorten};
use crate::message::{Explain, Message};

/// One thing wrong with a lesson: where (the stage, counted from 1, and the field) and what.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub stage: Option<usize>,
    /// The field's path in the lesson (`text.zh-CN.ask`); empty for the whole lesson.
    pub field: String,
    pub fault: Fault,
}

/// What is wrong with a field of a lesson (or with the whole file).
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// The file is larger than a lesson may be.
    TooLarge {
        max_kb: usize,
    },
    /// The file is not JSON; the parser's words.
    Json(String),
    NotAnObject,
    UnknownField {
        known: Vec<&'static str>,
    },
    Missing,
    /// A text given in no language.
    NoLanguages {
        languages: Vec<&'static str>,
    },
    Empty,
    TooLong {
        max_chars: usize,
    },
    NotText,
    NoStages,
    TooManyStages {
        count: usize,
        max: usize,
    },
    NotStages,
    UnknownPreset {
        id: String,
        known: Vec<&'static str>,
    },
    NotAPresetName,
    /// A stage's settings query refused by the settings' own rules.
    Settings(ConfigError),
    NotAQuery,
    NoSteps,
    BadSteps {
        max: u64,
    },
    NotNames,
    UnknownPart {
        name: String,
        known: Vec<String>,
    },
    NotAName,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { max_kb } => write!(f, "is larger than {max_kb} kB"),
            Self::Json(detail) => write!(f, "is not valid JSON: {}", shorten(detail)),
            Self::NotAnObject => f.write_str("must be a JSON object"),
            Self::UnknownField { known } => write!(f, "is not a field here; known: {}", known.join(", ")),
            Self::Missing => f.write_str("is missing"),
            Self::NoLanguages { languages } => write!(f, "is missing: give it in {}", languages.join(" and ")),
            Self::Empty => f.write_str("is empty"),
            Self::TooLong { max_chars } => write!(f, "is longer than {max_chars} characters"),
            Self::NotText => f.write_str("must be text"),
            Self::NoStages => f.write_str("is empty: a lesson has at least one stage"),
            Self::TooManyStages { count, max } => write!(f, "has {count} stages; a lesson has at most {max}"),
            Self::NotStages => f.write_str("must be a list of stages"),
            Self::UnknownPreset { id, known } => {
                write!(f, "\"{}\" is not a preset; presets: {}", shorten(id), known.join(", "))
            }
            Self::NotAPresetName => f.write_str("must be a preset's name"),
            Self::Settings(e) => e.fmt(f),
            Self::NotAQuery => f.write_str("must be a settings query, as in a link (`loss=minimax&lr_g=0.0002`)"),
            Self::NoSteps => f.write_str("is missing: the step the stage's run pauses at"),
            Self::BadSteps { max } => write!(f, "must be a whole number from 1 to {max}"),
            Self::NotNames => f.write_str("must be a list of names"),
            Self::UnknownPart { name, known } => {
                write!(f, "\"{}\" is not a part of the page; known: {}", shorten(name), known.join(", "))
            }
            Self::NotAName => f.write_str("must be a name"),
        }
    }
}

impl Explain for Fault {
    const KEYS: &'static [&'static str] = &[
        "error.lesson.too_large",
        "error.lesson.json",
        "error.lesson.not_an_object",
        "error.lesson.unknown_field",
        "error.lesson.missing",
        "error.lesson.no_languages",
        "error.lesson.empty",
        "error.lesson.too_long",
        "error.lesson.not_text",
        "error.lesson.no_stages",
        "error.lesson.too_many_stages",
        "error.lesson.not_stages",
        "error.lesson.unknown_preset",
        "error.lesson.not_a_preset_name",
        "error.lesson.not_a_query",
        "error.lesson.no_steps",
        "error.lesson.bad_steps",
        "error.lesson.not_names",
        "error.lesson.unknown_part",
        "error.lesson.not_a_name",
    ];

    fn message(&self) -> Message {
        let key = |name: &'static str| Message::new(name);
        match self {
            Self::TooLarge { max_kb } => key("error.lesson.too_large").with("max_kb", *max_kb),
            Self::Json(detail) => key("error.lesson.json").with("detail", shorten(detail)),
            Self::NotAnObject => key("error.lesson.not_an_object"),
            Self::UnknownField { known } => key("error.lesson.unknown_field").with("known", known.join(", ")),
            Self::Missing => key("error.lesson.missing"),
            Self::NoLanguages { languages } => key("error.lesson.no_languages").with("languages", languages.join(", ")),
            Self::Empty => key("error.lesson.empty"),
            Self::TooLong { max_chars } => key("error.lesson.too_long").with("max_chars", *max_chars),
            Self::NotText => key("error.lesson.not_text"),
            Self::NoStages => key("error.lesson.no_stages"),
            Self::TooManyStages { count, max } => {
                key("error.lesson.too_many_stages").with("count", *count).with("max", *max)
            }
            Self::NotStages => key("error.lesson.not_stages"),
            Self::UnknownPreset { id, known } => {
                key("error.lesson.unknown_preset").with("id", shorten(id)).with("known", known.join(", "))
            }
            Self::NotAPresetName => key("error.lesson.not_a_preset_name"),
            Self::Settings(e) => e.message(),
            Self::NotAQuery => key("error.lesson.not_a_query"),
            Self::NoSteps => key("error.lesson.no_steps"),
            Self::BadSteps { max } => key("error.lesson.bad_steps").with("max", *max),
            Self::NotNames => key("error.lesson.not_names"),
            Self::UnknownPart { name, known } => {
                key("error.lesson.unknown_part").with("name", shorten(name)).with("known", known.join(", "))
            }
            Self::NotAName => key("error.lesson.not_a_name"),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fault = &self.fault;
        match (self.stage, self.field.as_str()) {
            (Some(stage), "") => write!(f, "stage {stage}: {fault}"),
            (Some(stage), field) => write!(f, "stage {stage}, `{}`: {fault}", shorten(field)),
            (None, "") => write!(f, "the lesson: {fault}"),
            (None, field) => write!(f, "`{}`: {fault}", shorten(field)),
        }
    }
}

impl Explain for Problem {
    const KEYS: &'static [&'static str] =
        &["error.lesson.in_stage_field", "error.lesson.in_stage", "error.lesson.in_field", "error.lesson.whole"];

    fn message(&self) -> Message {
        let fault = self.fault.message();
        match (self.stage, self.field.as_str()) {
            (Some(stage), "") => Message::new("error.lesson.in_stage").with("stage", stage).with("fault", fault),
            (Some(stage), field) => Message::new("error.lesson.in_stage_field")
                .with("stage", stage)
                .with("field", shorten(field))
                .with("fault", fault),
            (None, "") => Message::new("error.lesson.whole").with("fault", fault),
            (None, field) => Message::new("error.lesson.in_field").with("field", shorten(field)).with("fault", fault),
        }
    }
}

/// Why a lesson was refused: every problem found, one a line.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct LessonError(pub Vec<Problem>);

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

impl Explain for LessonError {
    const KEYS: &'static [&'static str] = &["error.lesson.problems"];

    fn message(&self) -> Message {
        Message::new("error.lesson.problems").with("problems", self.0.iter().map(Explain::message).collect::<Vec<_>>())
    }
}

/// Every key a lesson's refusal may give, nested ones included (a stage's settings are refused
/// in the settings' own words).
pub fn message_keys() -> Vec<&'static str> {
    [LessonError::KEYS, Problem::KEYS, Fault::KEYS].concat()
}
