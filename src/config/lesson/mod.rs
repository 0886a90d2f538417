//! Lessons: a short sequence of stages a teacher writes once, as JSON, and the page walks students
//! through. Each stage has its settings (a preset, a settings query over it, or both), the parts
//! of the page it hides, how many steps it runs, and in every language the page speaks a title,
//! a paragraph to read, a question to ask and what students should observe.
//!
//! ```json
//! {"title": {"en": "…", "zh-CN": "…"},
//!  "stages": [{"preset": "minimax", "settings": "seed=1", "hide": ["bench"], "steps": 1500,
//!              "text": {"en": {"title": "…", "read": "…", "ask": "…", "observe": "…"},
//!                       "zh-CN": {"title": "…", "read": "…", "ask": "…", "observe": "…"}}}]}
//! ```
//!
//! A lesson is read once and checked whole: every problem is reported with the stage (counted
//! from 1) and the field it is in, so a teacher fixes a file in one go.

mod problem;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

pub use self::problem::{Fault, LessonError, Problem, message_keys};
use super::{ConfigError, TrainConfig, presets, schema};

/// The languages every text of a lesson must be given in: those the page speaks.
pub const LANGUAGES: [&str; 2] = ["en", "zh-CN"];

/// The most stages a lesson may have: a lesson is a class period, not a course.
pub const MAX_STAGES: usize = 12;

/// The most steps one stage may run (a few minutes of the page on a laptop's CPU).
pub const MAX_STEPS: u64 = 20_000;

/// The most characters of one text: a paragraph, not a chapter.
pub const MAX_TEXT_CHARS: usize = 2_000;

/// The largest lesson file read, in bytes.
pub const MAX_BYTES: usize = 256_000;

/// The page's parts that a stage may hide besides the lab's groups and controls: those of the
/// page's `hide=` link key (index.html marks each part's elements with `data-part`).
pub const PAGE_PARTS: [&str; 8] = ["presets", "lab", "metrics", "chart", "explain", "timeline", "orientation", "bench"];

/// The texts of a stage, in the order the page shows them.
const STAGE_TEXTS: [&str; 4] = ["title", "read", "ask", "observe"];

/// A lesson, checked: every stage's settings are valid and every text is there in every language.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lesson {
    /// The lesson's title in each of [`LANGUAGES`].
    pub title: BTreeMap<&'static str, String>,
    pub stages: Vec<Stage>,
}

/// One stage of a [`Lesson`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stage {
    /// The preset the settings start from, if any.
    pub preset: Option<String>,
    /// The stage's settings: the preset's (or the defaults) with the stage's query over them.
    #[serde(skip)]
    pub config: TrainConfig,
    /// The settings as the shortest query, which the page starts the stage's run with.
    pub query: String,
    /// The page parts, lab groups and controls the stage hides.
    pub hide: Vec<String>,
    /// The step the stage's run pauses at.
    pub steps: u64,
    /// The stage's texts in each of [`LANGUAGES`], `{title, read, ask, observe}`.
    pub text: BTreeMap<&'static str, BTreeMap<&'static str, String>>,
}

/// The problems found so far, each in the stage being read.
struct Found {
    stage: Option<usize>,
    problems: Vec<Problem>,
}

impl Found {
    fn note(&mut self, field: &str, fault: Fault) {
        self.problems.push(Problem { stage: self.stage, field: field.into(), fault });
    }

    /// The object at `field` (keys other than `known` refused by name), or `None` after noting
    /// that it is something else.
    fn object<'a>(&mut self, value: &'a Value, field: &str, known: &[&'static str]) -> Option<&'a Map<String, Value>> {
        let Some(object) = value.as_object() else {
            self.note(field, Fault::NotAnObject);
            return None;
        };
        for key in object.keys().filter(|k| !known.contains(&k.as_str())) {
            let place = if field.is_empty() { key.clone() } else { format!("{field}.{key}") };
            self.note(&place, Fault::UnknownField { known: known.to_vec() });
        }
        Some(object)
    }

    /// The non-empty text `key` of `object`, at most [`MAX_TEXT_CHARS`] long; `field` names it in a refusal.
    fn text(&mut self, object: &Map<String, Value>, key: &str, field: &str) -> String {
        match object.get(key) {
            None => self.note(field, Fault::Missing),
            Some(Value::String(text)) if text.trim().is_empty() => self.note(field, Fault::Empty),
            Some(Value::String(text)) if text.chars().count() > MAX_TEXT_CHARS => {
                self.note(field, Fault::TooLong { max_chars: MAX_TEXT_CHARS });
            }
            Some(Value::String(text)) => return text.clone(),
            Some(_) => self.note(field, Fault::NotText),
        }
        String::new()
    }

    /// The object at `field` of `object` that holds a text for each of [`LANGUAGES`].
    fn languages<'a>(&mut self, object: &'a Map<String, Value>, field: &str) -> Option<&'a Map<String, Value>> {
        let Some(given) = object.get(field) else {
            self.note(field, Fault::NoLanguages { languages: LANGUAGES.to_vec() });
            return None;
        };
        self.object(given, field, &LANGUAGES)
    }

    /// The texts `keys` of a stage at `field` of `object`, in each of [`LANGUAGES`].
    fn stage_texts(
        &mut self,
        object: &Map<String, Value>,
        field: &str,
        keys: &[&'static str],
    ) -> BTreeMap<&'static str, BTreeMap<&'static str, String>> {
        let mut texts = BTreeMap::new();
        let Some(given) = self.languages(object, field) else { return texts };
        for language in LANGUAGES {
            let place = format!("{field}.{language}");
            let Some(entry) = given.get(language) else {
                self.note(&place, Fault::Missing);
                continue;
            };
            let Some(entry) = self.object(entry, &place, keys) else { continue };
            let text = keys.iter().map(|key| (*key, self.text(entry, key, &format!("{place}.{key}")))).collect();
            texts.insert(language, text);
        }
        texts
    }
}

impl Lesson {
    /// Reads and checks a lesson file's text.
    pub fn from_json(text: &str) -> Result<Self, LessonError> {
        let whole = |fault| LessonError(vec![Problem { stage: None, field: String::new(), fault }]);
        if text.len() > MAX_BYTES {
            return Err(whole(Fault::TooLarge { max_kb: MAX_BYTES / 1000 }));
        }
        let value: Value = serde_json::from_str(text).map_err(|e| whole(Fault::Json(e.to_string())))?;
        let mut found = Found { stage: None, problems: Vec::new() };
        let lesson = read_lesson(&value, &mut found);
        match lesson {
            Some(lesson) if found.problems.is_empty() => Ok(lesson),
            _ => Err(LessonError(found.problems)),
        }
    }
}

fn read_lesson(value: &Value, found: &mut Found) -> Option<Lesson> {
    let object = found.object(value, "", &["title", "stages"])?;
    let title = match found.languages(object, "title") {
        Some(given) => LANGUAGES.iter().map(|&l| (l, found.text(given, l, &format!("title.{l}")))).collect(),
        None => BTreeMap::new(),
    };
    let stages = match object.get("stages") {
        None => {
            found.note("stages", Fault::Missing);
            Vec::new()
        }
        Some(Value::Array(stages)) if stages.is_empty() => {
            found.note("stages", Fault::NoStages);
            Vec::new()
        }
        Some(Value::Array(stages)) if stages.len() > MAX_STAGES => {
            found.note("stages", Fault::TooManyStages { count: stages.len(), max: MAX_STAGES });
            Vec::new()
        }
        Some(Value::Array(stages)) => {
            let stages = stages.iter().enumerate().map(|(i, stage)| {
                found.stage = Some(i + 1);
                read_stage(stage, found)
            });
            let stages = stages.collect::<Vec<_>>();
            found.stage = None;
            stages.into_iter().flatten().collect()
        }
        Some(_) => {
            found.note("stages", Fault::NotStages);
            Vec::new()
        }
    };
    Some(Lesson { title, stages })
}

fn read_stage(value: &Value, found: &mut Found) -> Option<Stage> {
    let object = found.object(value, "", &["preset", "settings", "hide", "steps", "text"])?;
    let preset = match object.get("preset") {
        None => None,
        Some(Value::String(id)) => match presets::find(id) {
            Some(preset) => Some(preset),
            None => {
                let known = presets::all().iter().map(|p| p.id).collect();
                found.note("preset", Fault::UnknownPreset { id: id.clone(), known });
                None
            }
        },
        Some(_) => {
            found.note("preset", Fault::NotAPresetName);
            None
        }
    };
    let base = preset.as_ref().map_or_else(TrainConfig::default, |p| p.config.clone());
    let config = match object.get("settings") {
        None => Some(base),
        Some(Value::String(query)) => match base.with_query(query) {
            Ok(config) => Some(config),
            Err(e) => {
                // Each of the query's problems on its own line, as those of the other fields.
                let each = match e {
                    ConfigError::Several(each) => each,
                    one => vec![one],
                };
                for e in each {
                    found.note("settings", Fault::Settings(e));
                }
                None
            }
        },
        Some(_) => {
            found.note("settings", Fault::NotAQuery);
            None
        }
    };
    let hide = read_hide(object.get("hide"), found);
    let steps = match object.get("steps").map(Value::as_u64) {
        Some(Some(steps @ 1..=MAX_STEPS)) => Some(steps),
        None => {
            found.note("steps", Fault::NoSteps);
            None
        }
        Some(_) => {
            found.note("steps", Fault::BadSteps { max: MAX_STEPS });
            None
        }
    };
    let text = found.stage_texts(object, "text", &STAGE_TEXTS);
    let (config, steps) = (config?, steps?);
    Some(Stage { preset: preset.map(|p| p.id.to_string()), query: config.to_query(), config, hide, steps, text })
}

/// The names a stage may hide: the page's parts, the lab's groups and its controls' keys.
fn hideable() -> Vec<String> {
    let groups =
        schema::Group::ALL.iter().map(|g| serde_json::to_value(g).ok().and_then(|v| v.as_str().map(Into::into)));
    let keys = schema::settings().iter().filter(|s| s.group.is_some()).map(|s| Some(s.key.to_string()));
    PAGE_PARTS.iter().map(|p| Some(p.to_string())).chain(groups).chain(keys).flatten().collect()
}

fn read_hide(value: Option<&Value>, found: &mut Found) -> Vec<String> {
    let Some(value) = value else { return Vec::new() };
    let Some(names) = value.as_array() else {
        found.note("hide", Fault::NotNames);
        return Vec::new();
    };
    let known = hideable();
    let mut hide = Vec::new();
    for (i, name) in names.iter().enumerate() {
        match name.as_str() {
            Some(name) if known.iter().any(|k| k == name) => {
                if !hide.iter().any(|h| h == name) {
                    hide.push(name.to_string());
                }
            }
            Some(name) => {
                found.note(&format!("hide[{i}]"), Fault::UnknownPart { name: name.into(), known: known.clone() });
            }
            None => found.note(&format!("hide[{i}]"), Fault::NotAName),
        }
    }
    hide
}
