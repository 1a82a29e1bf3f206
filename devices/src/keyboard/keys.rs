//! Key sequences as people write them: `["1", "2", "PLU"]` or the string `"12 PLU"`.
//!
//! Both forms are read token by token (list items, or the string split on whitespace). A token
//! that is a key name is that key (`PLU`, `00`, `5`, `.`); any other token made only of digits
//! and points types one key per character, so `"12"` is `1` then `2` and `"1.25"` is
//! `1 . 2 5`. Use `00` as its own token for the double-zero key.

use posrig_protocols::keyboard::Key;
use serde::{Deserialize, Serialize};

/// Keys to type, in either written form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KeySequence {
    List(Vec<String>),
    Text(String),
}

/// A token that is no key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("read key `{token}`: not a key name, nor digits and points (keys: 0-9, 00, ., ENTER, PLU, TOTAL, ...)")]
pub struct KeysError {
    pub token: String,
}

impl KeySequence {
    /// The keys, in order.
    pub fn keys(&self) -> Result<Vec<Key>, KeysError> {
        match self {
            KeySequence::List(items) => {
                let mut keys = Vec::new();
                for item in items {
                    keys.extend(parse_keys(item)?);
                }
                Ok(keys)
            }
            KeySequence::Text(text) => parse_keys(text),
        }
    }
}

/// Read whitespace-separated tokens into keys (see the module docs).
pub fn parse_keys(text: &str) -> Result<Vec<Key>, KeysError> {
    let mut keys = Vec::new();
    for token in text.split_whitespace() {
        if let Some(key) = Key::from_name(token) {
            keys.push(key);
        } else if token.chars().all(|c| c.is_ascii_digit() || c == '.') {
            keys.extend(
                token
                    .chars()
                    .filter_map(|c| Key::from_name(c.encode_utf8(&mut [0; 4]))),
            );
        } else {
            return Err(KeysError {
                token: token.to_owned(),
            });
        }
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_read_the_same_keys() {
        let want = vec![Key::Digit1, Key::Digit2, Key::Plu];
        assert_eq!(parse_keys("12 PLU").unwrap(), want);
        let list = KeySequence::List(vec!["1".into(), "2".into(), "PLU".into()]);
        assert_eq!(list.keys().unwrap(), want);
        assert_eq!(
            parse_keys("1.25 00 TOTAL").unwrap(),
            vec![
                Key::Digit1,
                Key::Point,
                Key::Digit2,
                Key::Digit5,
                Key::DoubleZero,
                Key::Total
            ]
        );
        assert_eq!(parse_keys("12 PUL").unwrap_err().token, "PUL");
        let seq: KeySequence = serde_json::from_str(r#""3 QTY""#).unwrap();
        assert_eq!(seq.keys().unwrap(), vec![Key::Digit3, Key::Qty]);
    }
}
