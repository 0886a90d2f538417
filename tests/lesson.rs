//! Lessons: the shipped ones are whole (settings valid, presets known, every text in every
//! language), and a malformed lesson is refused with the stage and the field at fault.

use webgan::TrainConfig;
use webgan::config::lesson::{LANGUAGES, Lesson, MAX_STAGES, MAX_STEPS};
use webgan::config::presets;
use webgan::message::{Arg, Explain, Message};

/// The lessons the page ships, `(id, text)`, read from `www/lessons/`.
fn shipped() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/lessons");
    let mut lessons: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("www/lessons exists")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| (path.file_stem().unwrap().to_string_lossy().into(), std::fs::read_to_string(&path).unwrap()))
        .collect();
    lessons.sort();
    lessons
}

/// A valid one-stage lesson, as JSON to break in the tests below.
fn stage_json() -> serde_json::Value {
    let text = |word: &str| serde_json::json!({ "title": word, "read": word, "ask": word, "observe": word });
    serde_json::json!({ "preset": "minimax", "steps": 100, "text": { "en": text("x"), "zh-CN": text("字") } })
}

fn lesson_json(stages: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({ "title": { "en": "A lesson", "zh-CN": "一课" }, "stages": stages })
}

/// The refusal of `lesson`, as the page and the command line show it.
fn refusal(lesson: &serde_json::Value) -> String {
    Lesson::from_json(&lesson.to_string()).expect_err("a broken lesson is refused").to_string()
}

#[test]
fn the_three_shipped_lessons_parse_with_valid_settings_and_both_languages() {
    let lessons = shipped();
    let ids: Vec<&str> = lessons.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["mode_collapse", "optimizers", "saturation"]);
    for (id, text) in &lessons {
        let lesson = Lesson::from_json(text).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!((2..=MAX_STAGES).contains(&lesson.stages.len()), "{id}");
        for language in LANGUAGES {
            assert!(!lesson.title[language].is_empty(), "{id}: title in {language}");
        }
        for (n, stage) in lesson.stages.iter().enumerate() {
            let preset = stage.preset.as_deref().unwrap_or_else(|| panic!("{id} stage {n}: built on a preset"));
            assert!(presets::find(preset).is_some(), "{id} stage {n}: {preset}");
            // What the page starts the stage with reads back as the stage's settings.
            assert_eq!(TrainConfig::from_query(&stage.query).unwrap(), stage.config, "{id} stage {n}");
            stage.config.validate().unwrap();
            assert!((1..=MAX_STEPS).contains(&stage.steps));
            for language in LANGUAGES {
                for field in ["title", "read", "ask", "observe"] {
                    let words = &stage.text[language][field];
                    assert!(words.chars().count() >= 4, "{id} stage {n}: {language}.{field} = {words:?}");
                }
            }
            // The other language is not a copy of English.
            assert_ne!(stage.text["en"]["read"], stage.text["zh-CN"]["read"]);
        }
    }
}

#[test]
fn a_stage_may_set_settings_over_its_preset() {
    let lessons = shipped();
    let (_, text) = lessons.iter().find(|(id, _)| id == "optimizers").unwrap();
    let decay = Lesson::from_json(text).unwrap().stages.pop().unwrap();
    let preset = presets::find("seed_article").unwrap().config;
    assert_eq!(decay.preset.as_deref(), Some("seed_article"));
    assert_eq!(decay.config.decay_steps, 500);
    assert_eq!(decay.config.g, preset.g);
    assert_eq!(decay.query, "schedule=step&decay_steps=500"); // γ = 0.5 is the default
}

#[test]
fn a_bad_preset_names_the_stage_and_field_and_lists_the_presets() {
    let mut bad = stage_json();
    bad["preset"] = "minimaxx".into();
    let message = refusal(&lesson_json(vec![stage_json(), bad]));
    assert!(message.starts_with("stage 2, `preset`: \"minimaxx\" is not a preset"), "{message}");
    assert!(message.contains("toy_ring"), "{message}");
}

#[test]
fn invalid_settings_name_the_stage_and_the_setting() {
    let mut bad = stage_json();
    bad["settings"] = "lr_g=-1&batch=abc".into();
    let message = refusal(&lesson_json(vec![bad]));
    assert!(message.contains("stage 1, `settings`: `batch` = \"abc\""), "{message}");
    assert!(message.contains("stage 1, `settings`: `lr_g` = -1"), "{message}");
}

#[test]
fn missing_text_in_a_language_names_the_stage_and_the_field() {
    let mut bad = stage_json();
    bad["text"]["zh-CN"].as_object_mut().unwrap().remove("ask");
    bad["text"]["en"]["observe"] = " ".into();
    let message = refusal(&lesson_json(vec![stage_json(), stage_json(), bad]));
    assert!(message.contains("stage 3, `text.zh-CN.ask`: is missing"), "{message}");
    assert!(message.contains("stage 3, `text.en.observe`: is empty"), "{message}");
    let mut untranslated = lesson_json(vec![stage_json()]);
    untranslated["title"].as_object_mut().unwrap().remove("zh-CN");
    assert!(refusal(&untranslated).contains("`title.zh-CN`: is missing"));
}

#[test]
fn unknown_fields_too_many_stages_and_bad_lengths_are_refused_by_name() {
    let mut bad = stage_json();
    bad["step"] = 100.into();
    bad["steps"] = 0.into();
    bad["hide"] = serde_json::json!(["lab", "sidebar"]);
    let message = refusal(&lesson_json(vec![bad]));
    assert!(
        message.contains("stage 1, `step`: is not a field here; known: preset, settings, hide, steps, text"),
        "{message}"
    );
    assert!(message.contains(&format!("stage 1, `steps`: must be a whole number from 1 to {MAX_STEPS}")), "{message}");
    assert!(message.contains("stage 1, `hide[1]`: \"sidebar\" is not a part of the page"), "{message}");
    assert!(!message.contains("hide[0]"), "{message}");

    let mut extra = lesson_json(vec![stage_json()]);
    extra["author"] = "me".into();
    assert!(refusal(&extra).contains("`author`: is not a field here"));

    let many = refusal(&lesson_json(vec![stage_json(); MAX_STAGES + 1]));
    assert!(
        many.contains(&format!("`stages`: has {} stages; a lesson has at most {MAX_STAGES}", MAX_STAGES + 1)),
        "{many}"
    );
    assert!(refusal(&lesson_json(Vec::new())).contains("`stages`: is empty"));
    assert!(refusal(&serde_json::json!([1])).contains("the lesson: must be a JSON object"));
    let garbled = Lesson::from_json("{\"stages\": [").unwrap_err().to_string();
    assert!(garbled.starts_with("the lesson: is not valid JSON"), "{garbled}");
}

#[test]
fn a_valid_lesson_is_accepted_and_hidden_names_are_the_pages_and_the_labs() {
    let mut stage = stage_json();
    stage["hide"] = serde_json::json!(["presets", "objective", "lr_g", "presets"]);
    let lesson = Lesson::from_json(&lesson_json(vec![stage]).to_string()).unwrap();
    assert_eq!(lesson.stages[0].hide, ["presets", "objective", "lr_g"]);
    assert_eq!(lesson.stages[0].query, presets::find("minimax").unwrap().config.to_query());
}

/// Every key in `message`, nested ones included.
fn keys(message: &Message, into: &mut Vec<&'static str>) {
    into.push(message.key);
    for arg in message.args.values() {
        match arg {
            Arg::Message(inner) => keys(inner, into),
            Arg::List(list) => list.iter().for_each(|m| keys(m, into)),
            Arg::Text(_) | Arg::Number(_) => {}
        }
    }
}

#[test]
fn a_refusal_is_worded_by_the_page_from_keys_with_the_place_and_the_values() {
    let mut bad = stage_json();
    bad["preset"] = "minimaxx".into();
    bad["steps"] = 0.into();
    bad["settings"] = "batch=abc".into();
    let error = Lesson::from_json(&lesson_json(vec![stage_json(), bad]).to_string()).unwrap_err();
    let message = error.message();
    assert_eq!(message.key, "error.lesson.problems");
    let Arg::List(problems) = &message.args["problems"] else { panic!("a list of problems: {message:?}") };
    let faults: Vec<(&str, &Message)> = problems
        .iter()
        .map(|p| {
            assert_eq!(p.key, "error.lesson.in_stage_field", "{p:?}");
            assert_eq!(p.args["stage"], Arg::Number(2.0), "{p:?}");
            let Arg::Text(field) = &p.args["field"] else { panic!("{p:?}") };
            let Arg::Message(fault) = &p.args["fault"] else { panic!("{p:?}") };
            (field.as_str(), fault.as_ref())
        })
        .collect();
    let fields: Vec<&str> = faults.iter().map(|(f, _)| *f).collect();
    assert_eq!(fields, ["preset", "settings", "steps"]);
    let (preset, settings, steps) = (faults[0].1, faults[1].1, faults[2].1);
    assert_eq!(preset.key, "error.lesson.unknown_preset");
    assert_eq!(preset.args["id"], Arg::Text("minimaxx".into()));
    let Arg::Text(known) = &preset.args["known"] else { panic!("{preset:?}") };
    assert!(known.split(", ").any(|id| id == "toy_ring"), "{known}");
    // A stage's settings are refused in the settings' own words.
    assert_eq!(settings.key, "error.config.bad_value");
    assert_eq!(settings.args["field"], Arg::Text("batch".into()));
    assert_eq!(steps.key, "error.lesson.bad_steps");
    assert_eq!(steps.args["max"], Arg::Number(MAX_STEPS as f64));
    // The English words of the command line say the same.
    assert_eq!(error.to_string().lines().count(), 3);
    // Every key given is one the page's test finds words for in every language.
    let mut given = Vec::new();
    keys(&message, &mut given);
    let listed = webgan::session::message_keys();
    assert!(given.iter().all(|k| listed.contains(k)), "{given:?}");
    let garbled = Lesson::from_json("{").unwrap_err().message();
    let Arg::List(whole) = &garbled.args["problems"] else { panic!("{garbled:?}") };
    assert_eq!(whole[0].key, "error.lesson.whole");
}
