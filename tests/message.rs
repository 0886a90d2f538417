//! What errors say to the page: a key of its sentences and named values, nested where one
//! error holds another, beside the English words the command line prints.

use std::collections::BTreeSet;

use webgan::TrainConfig;
use webgan::message::{Arg, Explain, Message};
use webgan::session::message_keys;
use webgan::train::checkpoint::{Checkpoint, CheckpointError};

fn text(message: &Message, name: &str) -> String {
    match &message.args[name] {
        Arg::Text(text) => text.clone(),
        other => panic!("{name} of {} is {other:?}", message.key),
    }
}

fn nested<'a>(message: &'a Message, name: &str) -> &'a Message {
    match &message.args[name] {
        Arg::Message(inner) => inner,
        other => panic!("{name} of {} is {other:?}", message.key),
    }
}

#[test]
fn a_refused_value_names_the_setting_and_what_it_accepts_from_its_limits() {
    let err = TrainConfig::from_query("lr_g=abc").unwrap_err();
    let message = err.message();
    assert_eq!(message.key, "error.config.bad_value");
    assert_eq!((text(&message, "field"), text(&message, "value")), ("lr_g".into(), "abc".into()));
    assert_eq!(nested(&message, "expected").key, "allowed.number");

    let err = TrainConfig::from_query("batch=0").unwrap_err();
    assert_eq!(err.to_string(), "`batch` = 0 is not allowed: an integer from 1 to 10000", "Display stays English");
    let allowed = nested(&err.message(), "allowed").clone();
    assert_eq!(allowed.key, "allowed.integers");
    assert_eq!((text(&allowed, "min"), text(&allowed, "max")), ("1".into(), "10000".into()));

    let allowed = nested(&TrainConfig::from_query("lr_d=-1").unwrap_err().message(), "allowed").clone();
    assert_eq!((allowed.key, text(&allowed, "min"), text(&allowed, "max")), ("allowed.above", "0".into(), "1".into()));
    let loss = TrainConfig::from_query("loss=nope").unwrap_err().message();
    assert_eq!(nested(&loss, "expected").key, "allowed.one_of");
}

#[test]
fn several_problems_are_a_list_of_messages() {
    let message = TrainConfig::from_query("seed=abc&lr=2&nope=1").unwrap_err().message();
    assert_eq!(message.key, "error.config.several");
    let Arg::List(problems) = &message.args["problems"] else { panic!("{message:?}") };
    let keys: Vec<&str> = problems.iter().map(|p| p.key).collect();
    assert_eq!(keys, ["error.config.bad_value", "error.config.unknown_field", "error.config.out_of_range"]);
}

#[test]
fn a_checkpoint_whose_settings_are_refused_holds_the_refusal() {
    let err = CheckpointError::Config(TrainConfig::from_query("batch=0").unwrap_err());
    let message = err.message();
    assert_eq!(message.key, "error.checkpoint.config");
    assert_eq!(nested(&message, "cause").key, "error.config.out_of_range");
    assert_eq!(Checkpoint::from_bytes(b"not a checkpoint").unwrap_err().message().key, "error.checkpoint.bad_magic");
}

#[test]
fn messages_cross_as_key_and_args() {
    let message = TrainConfig::from_query("batch=0").unwrap_err().message();
    let json = serde_json::to_value(&message).unwrap();
    assert_eq!(json["key"], "error.config.out_of_range");
    assert_eq!(json["args"]["field"], "batch");
    assert_eq!(json["args"]["allowed"]["key"], "allowed.integers");
}

/// Every key written in the library is in the list the page's test checks, and only those.
#[test]
fn the_list_of_keys_holds_every_key_in_the_sources() {
    fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(std::fs::read_to_string(path).unwrap());
            }
        }
    }
    let mut texts = Vec::new();
    sources(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")), &mut texts);
    let prefixes = ["\"error.", "\"allowed.", "\"notice.", "\"json.", "\"network."];
    let mut written = BTreeSet::new();
    for text in &texts {
        for prefix in prefixes {
            for (at, _) in text.match_indices(prefix) {
                let rest = &text[at + 1..];
                let key = &rest[..rest.find('"').unwrap()];
                if key.chars().all(|c| c.is_ascii_lowercase() || c == '.' || c == '_') {
                    written.insert(key.to_string());
                }
            }
        }
    }
    // The browser façade's own, which only a WebAssembly build has.
    let web = ["error.backend", "error.fusion", "error.no_classifier", "error.gpu_reported", "error.plain"];
    let listed: BTreeSet<String> = message_keys().into_iter().chain(web).map(Into::into).collect();
    assert_eq!(written, listed);
    assert_eq!(message_keys().len() + web.len(), listed.len(), "no key is listed twice");
}
