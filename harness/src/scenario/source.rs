//! A YAML file being loaded: its text, the positions of its keys and values, and the turning of
//! serde_yaml's errors into [`Problem`]s that say what was expected and suggest a near name.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::spans::{Spans, YamlPath};
use crate::diagnostic::{suggest, Location, Problem};

/// A file's text with the positions of its keys and values.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as given (for messages).
    pub path: PathBuf,
    pub text: Arc<str>,
    pub spans: Spans,
}

impl SourceFile {
    /// Reads `path`; a file that cannot be read is a problem with the file.
    pub fn read(path: &Path) -> Result<SourceFile, Problem> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Problem::file(path, format!("read the file: {e}")))?;
        Ok(SourceFile::from_text(path, text))
    }

    pub fn from_text(path: &Path, text: impl Into<Arc<str>>) -> SourceFile {
        let text = text.into();
        SourceFile {
            path: path.to_owned(),
            spans: Spans::parse(&text),
            text,
        }
    }

    /// Parses the whole file as `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Problem> {
        from_str(&self.text).map_err(|e| self.serde_problem(&e))
    }

    /// The file's value tree (no positions; see [`SourceFile::spans`]).
    pub fn value(&self) -> Result<serde_yaml::Value, Problem> {
        self.parse()
    }

    /// Where the value at `path` is.
    pub fn value_location(&self, path: &YamlPath) -> Location {
        self.spans.locate_value(&self.text, path)
    }

    /// Where the key of the value at `path` is.
    pub fn key_location(&self, path: &YamlPath) -> Location {
        self.spans.locate_key(&self.text, path)
    }

    /// A problem pointing at the value at `path`.
    pub fn at_value(&self, path: &YamlPath, message: impl Into<String>) -> Problem {
        Problem::at(&self.path, &self.text, self.value_location(path), message)
    }

    /// A problem pointing at the key of the value at `path`.
    pub fn at_key(&self, path: &YamlPath, message: impl Into<String>) -> Problem {
        Problem::at(&self.path, &self.text, self.key_location(path), message)
    }

    /// A problem at a line and column reported by another parser.
    pub fn at_line(&self, line: usize, column: usize, message: impl Into<String>) -> Problem {
        Problem::at(
            &self.path,
            &self.text,
            Location::at(&self.text, line.max(1), column.max(1)),
            message,
        )
    }

    /// A serde_yaml error as a problem at its location, reworded.
    pub fn serde_problem(&self, e: &serde_yaml::Error) -> Problem {
        let (message, help) = reword(&e.to_string());
        let location = match e.location() {
            Some(l) => Location::at(&self.text, l.line(), l.column()),
            None => Location::at(&self.text, 1, 1),
        };
        let p = Problem::at(&self.path, &self.text, location, message);
        match help {
            Some(h) => p.with_help(h),
            None => p,
        }
    }
}

/// Parses YAML text the way the scenario language reads it: an enum is a one-key map
/// (`pay: {cash: "20.00"}`) or, for a variant without data, its bare name (`report: x`).
///
/// serde_yaml 0.9 reads enums from YAML tags (`!cash "20.00"`) by default; its
/// `singleton_map_recursive` adapter keeps the map form at every depth and keeps error locations.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, serde_yaml::Error> {
    serde_yaml::with::singleton_map_recursive::deserialize(serde_yaml::Deserializer::from_str(text))
}

/// [`from_str`] for a value tree (a journey's steps after parameter substitution).
pub fn from_value<T: DeserializeOwned>(value: serde_yaml::Value) -> Result<T, serde_yaml::Error> {
    serde_yaml::with::singleton_map_recursive::deserialize(value)
}

/// serde_yaml's message without its location (we show our own) and its path prefix, with
/// `unknown field`/`unknown variant` turned into a suggestion, and a help line when useful.
pub fn reword(raw: &str) -> (String, Option<String>) {
    let mut message = raw;
    if let Some(i) = message.find(" at line ") {
        message = &message[..i];
    }
    // serde_yaml puts the path first: `steps[2].pay: unknown field …`.
    if let Some((head, rest)) = message.split_once(": ") {
        let is_path = !head.is_empty()
            && head
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.[]-".contains(c));
        if is_path && !rest.is_empty() {
            message = rest;
        }
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return unknown("key", rest);
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        return unknown("name", rest);
    }
    if let Some(field) = message.strip_prefix("missing field ") {
        return (format!("missing key {field}"), None);
    }
    (message.to_owned(), None)
}

/// `` `x`, expected one of `a`, `b` `` → "unknown key `x`, did you mean `a`?".
fn unknown(what: &str, rest: &str) -> (String, Option<String>) {
    let (name, expected) = rest.split_once(", ").unwrap_or((rest, ""));
    let bare = name.trim_matches('`');
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    if expected.starts_with("there are no") {
        return (
            format!("unknown {what} `{bare}`: nothing is allowed here"),
            None,
        );
    }
    let list = known
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let help = (!list.is_empty()).then(|| format!("expected one of {list}"));
    match suggest(bare, known.iter().copied()) {
        Some(near) => (
            format!("unknown {what} `{bare}`, did you mean `{near}`?"),
            help,
        ),
        None => (format!("unknown {what} `{bare}`"), help),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_become_suggestions() {
        let (m, h) = reword("steps[2].pay.card: unknown field `entyr`, expected one of `card`, `entry`, `pin`, `amount` at line 7 column 20");
        assert_eq!(m, "unknown key `entyr`, did you mean `entry`?");
        assert_eq!(
            h.unwrap(),
            "expected one of `card`, `entry`, `pin`, `amount`"
        );
        let (m, _) =
            reword("unknown variant `cahs`, expected one of `cash`, `card`, `qr`, `split`");
        assert_eq!(m, "unknown name `cahs`, did you mean `cash`?");
        let (m, _) = reword("missing field `steps` at line 1 column 1");
        assert_eq!(m, "missing key `steps`");
    }

    #[test]
    fn own_messages_keep_their_words() {
        let (m, h) = reword("steps[0].wait: expected a duration like `250ms` or `2s`: `2` has no unit at line 3 column 11");
        assert_eq!(
            m,
            "expected a duration like `250ms` or `2s`: `2` has no unit"
        );
        assert_eq!(h, None);
    }

    #[test]
    fn serde_errors_land_on_their_line_and_column() {
        let src = SourceFile::from_text(Path::new("x.yaml"), "a: 1\nb: [\n");
        let e = src.parse::<serde_yaml::Value>().unwrap_err();
        assert_eq!(e.location.unwrap().line, 3, "{e}");
    }
}
