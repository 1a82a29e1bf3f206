//! Where each key and value of a YAML file is — the line and column of a path such as
//! `steps[3].pay.card.card` — so that checks made after parsing can point into the file.
//!
//! serde_yaml locates its own errors but keeps no positions in the values it builds; this pass
//! reads the same text with yaml-rust2's event parser and keeps a tree of positions only.

use std::fmt;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostic::Location;

/// One step of a path into a document: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A path into a document, e.g. `steps[3].pay.card`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YamlPath(pub Vec<Seg>);

impl YamlPath {
    pub fn root() -> YamlPath {
        YamlPath(Vec::new())
    }

    /// This path with a key appended.
    pub fn key(&self, key: &str) -> YamlPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(key.to_owned()));
        p
    }

    /// This path with an index appended.
    pub fn index(&self, i: usize) -> YamlPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }
}

impl fmt::Display for YamlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A node's position and, for collections, its children's.
#[derive(Debug, Clone)]
struct Node {
    /// Where the value starts (for a mapping or sequence: its first entry or its bracket).
    at: Marker,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Scalar,
    /// Entries with the key's position.
    Map(Vec<(String, Marker, Node)>),
    Seq(Vec<Node>),
}

/// The positions of every key and value of one YAML document.
#[derive(Debug, Clone)]
pub struct Spans {
    root: Option<Node>,
}

impl Spans {
    /// Reads the positions of `text`'s first document. Text that does not parse gives an empty
    /// tree: every lookup then answers the start of the file.
    pub fn parse(text: &str) -> Spans {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        if parser.load(&mut builder, false).is_err() {
            return Spans { root: None };
        }
        Spans {
            root: builder
                .done
                .or_else(|| builder.stack.into_iter().next().map(|f| f.node)),
        }
    }

    /// The line and column (1-based) of the value at `path`, or of its nearest ancestor that
    /// exists.
    pub fn value(&self, path: &YamlPath) -> (usize, usize) {
        self.find(path, false)
    }

    /// The line and column of the key that holds the value at `path` (for a sequence item, the
    /// item itself), or of its nearest ancestor that exists.
    pub fn key(&self, path: &YamlPath) -> (usize, usize) {
        self.find(path, true)
    }

    /// A [`Location`] in `text` for the value at `path`.
    pub fn locate_value(&self, text: &str, path: &YamlPath) -> Location {
        let (line, col) = self.value(path);
        Location::at(text, line, col)
    }

    /// A [`Location`] in `text` for the key at `path`.
    pub fn locate_key(&self, text: &str, path: &YamlPath) -> Location {
        let (line, col) = self.key(path);
        Location::at(text, line, col)
    }

    fn find(&self, path: &YamlPath, want_key: bool) -> (usize, usize) {
        let Some(mut node) = self.root.as_ref() else {
            return (1, 1);
        };
        let mut best = node.at;
        for (i, seg) in path.0.iter().enumerate() {
            let last = i + 1 == path.0.len();
            let next = match (&node.kind, seg) {
                (Kind::Map(entries), Seg::Key(k)) => entries
                    .iter()
                    .find(|(key, _, _)| key == k)
                    .map(|(_, key_at, child)| {
                        (if last && want_key { *key_at } else { child.at }, child)
                    }),
                (Kind::Seq(items), Seg::Index(n)) => items.get(*n).map(|child| (child.at, child)),
                _ => None,
            };
            match next {
                Some((at, child)) => {
                    best = at;
                    node = child;
                }
                None => break,
            }
        }
        (best.line(), best.col() + 1)
    }
}

/// A collection being read.
#[derive(Debug)]
struct Frame {
    node: Node,
    /// In a mapping: the key read and waiting for its value.
    pending_key: Option<(String, Marker)>,
}

#[derive(Debug, Default)]
struct Builder {
    stack: Vec<Frame>,
    done: Option<Node>,
}

impl Builder {
    /// A finished node goes into its parent (as a key, a value or an item) or becomes the root.
    fn finish(&mut self, node: Node, scalar: Option<String>) {
        let Some(parent) = self.stack.last_mut() else {
            if self.done.is_none() {
                self.done = Some(node);
            }
            return;
        };
        match &mut parent.node.kind {
            Kind::Map(entries) => match parent.pending_key.take() {
                None => {
                    // A key: only scalar keys can be named by a path.
                    parent.pending_key = Some((scalar.unwrap_or_default(), node.at));
                }
                Some((key, key_at)) => entries.push((key, key_at, node)),
            },
            Kind::Seq(items) => items.push(node),
            Kind::Scalar => {}
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(value, ..) => self.finish(
                Node {
                    at: mark,
                    kind: Kind::Scalar,
                },
                Some(value),
            ),
            Event::Alias(_) => self.finish(
                Node {
                    at: mark,
                    kind: Kind::Scalar,
                },
                None,
            ),
            Event::MappingStart(..) => self.stack.push(Frame {
                node: Node {
                    at: mark,
                    kind: Kind::Map(Vec::new()),
                },
                pending_key: None,
            }),
            Event::SequenceStart(..) => self.stack.push(Frame {
                node: Node {
                    at: mark,
                    kind: Kind::Seq(Vec::new()),
                },
                pending_key: None,
            }),
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(mut frame) = self.stack.pop() {
                    // A block mapping's start mark lies after its first key; the first key is
                    // where a reader sees the mapping begin.
                    if let Kind::Map(entries) = &frame.node.kind {
                        if let Some((_, key_at, _)) = entries.first() {
                            if key_at.index() < frame.node.at.index() {
                                frame.node.at = *key_at;
                            }
                        }
                    }
                    self.finish(frame.node, None);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
name: demo
steps:
  - scan: \"5901234123457\"
  - pay:
      card: {card: chp-ok, entry: chip}
  - total
";

    fn p(segs: &[Seg]) -> YamlPath {
        YamlPath(segs.to_vec())
    }

    fn k(s: &str) -> Seg {
        Seg::Key(s.into())
    }

    #[test]
    fn keys_and_values_have_their_positions() {
        let spans = Spans::parse(TEXT);
        assert_eq!(spans.key(&p(&[k("name")])), (1, 1));
        assert_eq!(spans.value(&p(&[k("name")])), (1, 7));
        assert_eq!(
            spans.key(&p(&[k("steps"), Seg::Index(0), k("scan")])),
            (3, 5)
        );
        assert_eq!(
            spans.value(&p(&[k("steps"), Seg::Index(0), k("scan")])),
            (3, 11)
        );
        let card = p(&[k("steps"), Seg::Index(1), k("pay"), k("card"), k("card")]);
        assert_eq!(spans.value(&card), (5, 20));
        assert_eq!(spans.key(&card), (5, 14));
        assert_eq!(spans.value(&p(&[k("steps"), Seg::Index(2)])), (6, 5));
    }

    #[test]
    fn a_missing_path_answers_its_nearest_ancestor() {
        let spans = Spans::parse(TEXT);
        assert_eq!(
            spans.key(&p(&[k("steps"), Seg::Index(0), k("nope")])),
            (3, 5)
        );
        assert_eq!(spans.value(&p(&[k("steps"), Seg::Index(9)])), (3, 3));
        assert_eq!(Spans::parse("a: [").value(&p(&[k("a")])), (1, 1));
    }

    #[test]
    fn paths_print_like_serde_yaml_paths() {
        let path = YamlPath::root().key("steps").index(3).key("pay");
        assert_eq!(path.to_string(), "steps[3].pay");
    }
}
