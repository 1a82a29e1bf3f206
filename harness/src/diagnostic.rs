//! Problems found in a file — with file, line and column, what was expected, the nearest known
//! name for a misspelt one — and their rendering with the source line and a caret (miette).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource, SourceSpan};

/// A place in a text file: 1-based line and column (in characters) and the byte range it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: u32,
    pub column: u32,
    /// Byte offset of the place in the file.
    pub offset: u32,
    /// Length in bytes of the word or value at the place (at least 1 for a caret).
    pub len: u32,
}

/// Files past 4 GiB are not scenarios; positions in them saturate.
fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Location {
    /// The location of `line:column` in `text`, covering the token that starts there.
    pub fn at(text: &str, line: usize, column: usize) -> Location {
        let offset = offset_of(text, line, column);
        Location {
            line: small(line),
            column: small(column),
            offset: small(offset),
            len: small(token_len(&text[offset.min(text.len())..])),
        }
    }

    /// The location of byte `offset` in `text`.
    pub fn of_offset(text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        Location {
            line: small(line),
            column: small(column),
            offset: small(offset),
            len: small(token_len(&text[offset..])),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Byte offset of 1-based `line`, `column` (characters) in `text`, clamped to the text.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let rest = &text[start..];
    let line_text = &rest[..rest.find('\n').unwrap_or(rest.len())];
    start
        + line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i)
}

/// Length of the YAML token at the start of `rest`: a quoted string, or a plain word up to the
/// next separator.
fn token_len(rest: &str) -> usize {
    let first = rest.chars().next();
    let len = match first {
        Some(q @ ('"' | '\'')) => rest[1..].find(q).map_or_else(|| line_len(rest), |i| i + 2),
        Some('\n') | None => 0,
        _ => rest.find(['\n', ',', '}', ']', '#']).unwrap_or(rest.len()),
    };
    // A plain value ends before `: ` (a key) and trailing blanks.
    let token = &rest[..len.min(line_len(rest))];
    let token = match token.find(": ") {
        Some(i) if !matches!(first, Some('"' | '\'')) => &token[..i],
        _ => token,
    };
    let token = token.strip_suffix(':').unwrap_or(token);
    token.trim_end().len().max(1)
}

fn line_len(rest: &str) -> usize {
    rest.find('\n').unwrap_or(rest.len())
}

/// One thing wrong with one file.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The file the problem is in.
    pub file: PathBuf,
    /// Where in the file; `None` when the file as a whole is the problem (it cannot be read).
    pub location: Option<Location>,
    /// What is wrong and what was expected, a lowercase fragment.
    pub message: String,
    /// A hint: the known names, an example of what to write.
    pub help: Option<String>,
    /// The file's text, for the snippet.
    pub source: Option<Arc<str>>,
}

impl Problem {
    /// A problem with the whole file (it cannot be read, it is not a known kind).
    pub fn file(file: &Path, message: impl Into<String>) -> Problem {
        Problem {
            file: file.to_owned(),
            location: None,
            message: message.into(),
            help: None,
            source: None,
        }
    }

    /// A problem at `location` in `source`.
    pub fn at(
        file: &Path,
        source: &Arc<str>,
        location: Location,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            file: file.to_owned(),
            location: Some(location),
            message: message.into(),
            help: None,
            source: Some(source.clone()),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    /// `file:line:col` (or just the file).
    pub fn place(&self) -> String {
        match self.location {
            Some(l) => format!("{}:{}:{}", self.file.display(), l.line, l.column),
            None => self.file.display().to_string(),
        }
    }

    /// The problem as miette draws it: the headline, the source line with a caret, the help.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_context_lines(1)
            // Headlines stay on one line so that `file:line:col: message` can be searched for.
            .with_width(10_000);
        let mut out = String::new();
        let diagnostic = Rendered::from(self);
        if handler.render_report(&mut out, &diagnostic).is_err() {
            return format!("{self}\n");
        }
        out
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place(), self.message)?;
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problem {}

/// The miette shape of a [`Problem`].
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{headline}")]
struct Rendered {
    headline: String,
    #[source_code]
    snippet: Option<NamedSource<String>>,
    #[label("here")]
    span: Option<SourceSpan>,
    #[help]
    help: Option<String>,
}

impl From<&Problem> for Rendered {
    fn from(p: &Problem) -> Self {
        let (snippet, span) = match (&p.source, p.location) {
            (Some(text), Some(l)) => (
                Some(NamedSource::new(
                    p.file.display().to_string(),
                    text.to_string(),
                )),
                Some(SourceSpan::new((l.offset as usize).into(), l.len as usize)),
            ),
            _ => (None, None),
        };
        Rendered {
            headline: format!("{}: {}", p.place(), p.message),
            snippet,
            span,
            help: p.help.clone(),
        }
    }
}

/// The known name nearest to `unknown`, if one is near enough to be a likely typo.
///
/// ```
/// use posrig_harness::diagnostic::suggest;
/// assert_eq!(suggest("scna", ["scan", "scale", "settle"]), Some("scan"));
/// assert_eq!(suggest("zzzzzz", ["scan", "pay"]), None);
/// ```
pub fn suggest<'a>(unknown: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = unknown.to_lowercase();
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(&lower, &k.to_lowercase()), k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// `unknown {what} `x`, did you mean `y`?` — or with the list of known names when none is close.
pub fn unknown_name<'a>(
    what: &str,
    unknown: &str,
    known: impl IntoIterator<Item = &'a str> + Clone,
) -> (String, Option<String>) {
    match suggest(unknown, known.clone()) {
        Some(near) => (
            format!("unknown {what} `{unknown}`, did you mean `{near}`?"),
            None,
        ),
        None => {
            let list: Vec<String> = known.into_iter().map(|k| format!("`{k}`")).collect();
            (
                format!("unknown {what} `{unknown}`"),
                Some(format!("known: {}", list.join(", "))),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_find_typos_and_not_strangers() {
        let steps = ["scan", "scale", "settle", "sign_on", "pay", "total"];
        assert_eq!(suggest("scna", steps), Some("scan"));
        assert_eq!(suggest("sing_on", steps), Some("sign_on"));
        assert_eq!(suggest("totl", steps), Some("total"));
        assert_eq!(suggest("Pay", steps), Some("pay"));
        assert_eq!(suggest("fly_to_the_moon", steps), None);
        assert_eq!(
            suggest("chp-ok", ["chip-ok", "tap-ok", "expired"]),
            Some("chip-ok")
        );
    }

    #[test]
    fn unknown_name_lists_the_known_when_nothing_is_close() {
        let (msg, help) = unknown_name("card", "visa-gold", ["chip-ok", "tap-ok"]);
        assert_eq!(msg, "unknown card `visa-gold`");
        assert_eq!(help.as_deref(), Some("known: `chip-ok`, `tap-ok`"));
        let (msg, help) = unknown_name("card", "chipok", ["chip-ok", "tap-ok"]);
        assert_eq!(msg, "unknown card `chipok`, did you mean `chip-ok`?");
        assert_eq!(help, None);
    }

    #[test]
    fn locations_cover_the_token() {
        let text = "name: x\nsteps:\n  - scna: \"59\"\n  - pay: {cash: 12.3}\n";
        let l = Location::at(text, 3, 5);
        let word = |l: Location| &text[l.offset as usize..(l.offset + l.len) as usize];
        assert_eq!(word(l), "scna");
        assert_eq!(word(Location::at(text, 4, 17)), "12.3");
        let l = Location::at(text, 3, 11);
        assert_eq!(word(l), "\"59\"");
        assert_eq!(Location::of_offset(text, l.offset as usize), l);
    }

    #[test]
    fn rendering_shows_place_line_and_caret() {
        let text: Arc<str> = Arc::from("name: x\nsteps:\n  - scna: \"59\"\n");
        let p = Problem::at(
            Path::new("x.yaml"),
            &text,
            Location::at(&text, 3, 5),
            "unknown step `scna`, did you mean `scan`?",
        );
        let out = p.render(false);
        assert!(
            out.contains("x.yaml:3:5: unknown step `scna`, did you mean `scan`?"),
            "{out}"
        );
        assert!(out.contains("- scna: \"59\""), "{out}");
    }
}
