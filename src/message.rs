//! What a message says, apart from its words: a key of the page's sentences (`www/i18n/*.json`)
//! and the values that fill it, some of which are messages themselves (a checkpoint whose
//! settings are refused holds the refusal; several problems are a list). The page words a
//! message in the reader's language; `Display`, in English, stays the words of the command line
//! and of logs.

use std::collections::BTreeMap;

use serde::Serialize;

/// A sentence of the page's, by key, with its named values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Message {
    pub key: &'static str,
    pub args: BTreeMap<&'static str, Arg>,
}

/// A value in a message: text as it is (a person's own, or a name), a number, another message,
/// or a list of messages, which the page shows one a line.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Arg {
    Text(String),
    Number(f64),
    Message(Box<Message>),
    List(Vec<Message>),
}

impl Message {
    /// The sentence `key` with no values yet.
    pub fn new(key: &'static str) -> Self {
        Self { key, args: BTreeMap::new() }
    }

    /// This message with `name` filled by `value`.
    pub fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.insert(name, value.into());
        self
    }
}

/// An error or notice that a person reads: its message, beside its English `Display`.
pub trait Explain {
    /// Every key [`Explain::message`] may give, so that the page's tests can check each has
    /// words in every language.
    const KEYS: &'static [&'static str];

    /// What it says.
    fn message(&self) -> Message;
}

impl From<String> for Arg {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&str> for Arg {
    fn from(text: &str) -> Self {
        Self::Text(text.into())
    }
}

impl From<Message> for Arg {
    fn from(message: Message) -> Self {
        Self::Message(Box::new(message))
    }
}

impl From<Vec<Message>> for Arg {
    fn from(messages: Vec<Message>) -> Self {
        Self::List(messages)
    }
}

macro_rules! numbers {
    ($($t:ty),+) => {
        $(impl From<$t> for Arg {
            fn from(x: $t) -> Self {
                Self::Number(x as f64)
            }
        })+
    };
}

numbers!(f64, f32, u64, u32, u8, usize);
