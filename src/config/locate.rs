//! Where things are in the YAML text: a second pass over the file that records, for every key
//! and value, its key path (`severities[1].ack_timeout`) and its line and column.
//!
//! serde-saphyr reports the line and column of an error but not the key path; semantic checks
//! after parsing know the key path but not the line. This index answers both questions.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};

/// One step of a key path: a mapping key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A 0-based list index.
    Index(usize),
}

/// A key path such as `severities[1].ack_timeout`; empty is the document root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    /// The document root.
    pub fn root() -> Self {
        KeyPath(Vec::new())
    }

    /// This path followed by mapping key `key`.
    pub fn key(&self, key: &str) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_string()));
        KeyPath(segs)
    }

    /// This path followed by list index `index`.
    pub fn index(&self, index: usize) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(index));
        KeyPath(segs)
    }

    /// The path one step up (the root stays the root).
    pub fn parent(&self) -> Self {
        let mut segs = self.0.clone();
        segs.pop();
        KeyPath(segs)
    }

    /// True for the document root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Index(index) => write!(f, "[{index}]")?,
                Seg::Key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    let plain = !key.is_empty()
                        && key
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                    if plain {
                        f.write_str(key)?;
                    } else {
                        write!(f, "{key:?}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
}

impl Pos {
    /// The start of the file.
    pub const START: Pos = Pos { line: 1, column: 1 };

    fn of(location: &Location) -> Option<Pos> {
        let (line, column) = (location.line() as usize, location.column() as usize);
        (line > 0).then_some(Pos { line, column })
    }
}

/// What kind of YAML node a value is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// A scalar, with its text as written in the file (quotes included).
    Scalar(String),
    /// `~`, `null` or nothing at all.
    Null,
    /// A list.
    Seq,
    /// A mapping.
    Map,
}

impl NodeKind {
    /// How an error message names what was found: `` `5 mins` ``, a list, a mapping.
    pub fn describe(&self) -> String {
        match self {
            NodeKind::Scalar(text) => format!("`{text}`"),
            NodeKind::Null => "nothing (null)".to_string(),
            NodeKind::Seq => "a list".to_string(),
            NodeKind::Map => "a mapping".to_string(),
        }
    }
}

/// One key or list item of the document.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Its key path.
    pub path: KeyPath,
    /// Where its key is (`None` for list items and the root).
    pub key_pos: Option<Pos>,
    /// Where its value is.
    pub value_pos: Option<Pos>,
    /// What its value is.
    pub kind: NodeKind,
}

/// Every key and value of a YAML document with its position.
#[derive(Debug, Clone, Default)]
pub struct Index {
    entries: Vec<Entry>,
}

impl Index {
    /// Indexes `text`; `None` when it is not well-formed YAML (the real parse reports that).
    pub fn build(text: &str) -> Option<Index> {
        // First wins: a duplicate key is an error of the real parse, which then still wants
        // to know where the first occurrence is.
        let options = serde_saphyr::options! {
            duplicate_keys: serde_saphyr::DuplicateKeyPolicy::FirstWins,
        };
        let root: Option<Spanned<Node>> =
            serde_saphyr::from_str_with_options(text, options).ok()?;
        let mut index = Index::default();
        if let Some(root) = root {
            index.add(text, KeyPath::root(), None, &root);
        }
        Some(index)
    }

    fn add(&mut self, text: &str, path: KeyPath, key_pos: Option<Pos>, node: &Spanned<Node>) {
        let kind = match &node.value {
            Node::Scalar => match scalar_text(text, &node.referenced) {
                Some(s) if !is_null(&s) => NodeKind::Scalar(s),
                _ => NodeKind::Null,
            },
            Node::Null => NodeKind::Null,
            Node::Seq(_) => NodeKind::Seq,
            Node::Map(_) => NodeKind::Map,
        };
        self.entries.push(Entry {
            path: path.clone(),
            key_pos,
            value_pos: Pos::of(&node.referenced),
            kind,
        });
        match &node.value {
            Node::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.add(text, path.index(i), None, item);
                }
            }
            Node::Map(pairs) => {
                for (key, value) in pairs {
                    self.add(text, path.key(&key.value), Pos::of(&key.referenced), value);
                }
            }
            Node::Scalar | Node::Null => {}
        }
    }

    /// The entry at exactly `path`.
    pub fn get(&self, path: &KeyPath) -> Option<&Entry> {
        self.entries.iter().find(|e| &e.path == path)
    }

    /// The position of the value at `path`, or of its nearest ancestor present in the file.
    pub fn value_pos(&self, path: &KeyPath) -> Pos {
        self.find_up(path, |e| e.value_pos.or(e.key_pos))
    }

    /// The position of the key at `path` (its value for list items), or of its nearest ancestor
    /// present in the file.
    pub fn key_pos(&self, path: &KeyPath) -> Pos {
        self.find_up(path, |e| e.key_pos.or(e.value_pos))
    }

    fn find_up(&self, path: &KeyPath, pos: impl Fn(&Entry) -> Option<Pos>) -> Pos {
        let mut path = path.clone();
        loop {
            if let Some(found) = self.get(&path).and_then(&pos) {
                return found;
            }
            if path.is_root() {
                return Pos::START;
            }
            path = path.parent();
        }
    }

    /// The entry whose key starts at `pos`.
    pub fn by_key_pos(&self, pos: Pos) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key_pos == Some(pos))
    }

    /// The innermost entry whose value starts at `pos`; failing that, the entry whose key or
    /// value starts last before `pos`.
    pub fn by_value_pos(&self, pos: Pos) -> Option<&Entry> {
        let exact = self
            .entries
            .iter()
            .filter(|e| e.value_pos == Some(pos))
            .max_by_key(|e| e.path.0.len());
        exact.or_else(|| {
            self.entries
                .iter()
                .filter_map(|e| {
                    let start = e.value_pos.or(e.key_pos)?;
                    (start <= pos).then_some((start, e))
                })
                .max_by_key(|(start, e)| (*start, e.path.0.len()))
                .map(|(_, e)| e)
        })
    }
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// The text of a scalar as written in the file.
fn scalar_text(text: &str, location: &Location) -> Option<String> {
    let span = location.span();
    let start = usize::try_from(span.byte_offset()?).ok()?;
    let len = usize::try_from(span.byte_len()?).ok()?;
    let raw = text.get(start..start.checked_add(len)?)?;
    // Block scalars span several lines; the first one is enough for a message.
    let first = raw.lines().next().unwrap_or("").trim();
    Some(first.to_string())
}

/// A YAML node as far as positions are concerned.
enum Node {
    Scalar,
    Null,
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML node")
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_i128<E: de::Error>(self, _: i128) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_u128<E: de::Error>(self, _: u128) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
                Node::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<Node>>()? {
                    items.push(item);
                }
                Ok(Node::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut pairs = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    pairs.push((key, map.next_value::<Spanned<Node>>()?));
                }
                Ok(Node::Map(pairs))
            }
        }
        deserializer.deserialize_any(NodeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
severities:
  - name: SEV1
    ack_timeout: 5 mins
  - {name: SEV2, notify: [a, b]}
yes: ~
";

    fn path(segs: &[&str]) -> KeyPath {
        KeyPath(
            segs.iter()
                .map(|s| match s.parse() {
                    Ok(i) => Seg::Index(i),
                    Err(_) => Seg::Key(s.to_string()),
                })
                .collect(),
        )
    }

    #[test]
    fn paths_display_like_code() {
        assert_eq!(
            path(&["severities", "1", "ack_timeout"]).to_string(),
            "severities[1].ack_timeout"
        );
        assert_eq!(
            path(&["due_days", "team:*"]).to_string(),
            "due_days.\"team:*\""
        );
        assert_eq!(KeyPath::root().to_string(), "");
    }

    #[test]
    fn index_knows_keys_values_and_their_positions() {
        let index = Index::build(DOC).unwrap();
        let ack = index
            .get(&path(&["severities", "0", "ack_timeout"]))
            .unwrap();
        assert_eq!(ack.key_pos, Some(Pos { line: 3, column: 5 }));
        assert_eq!(
            ack.value_pos,
            Some(Pos {
                line: 3,
                column: 18
            })
        );
        assert_eq!(ack.kind, NodeKind::Scalar("5 mins".into()));
        let b = index
            .get(&path(&["severities", "1", "notify", "1"]))
            .unwrap();
        assert_eq!(
            b.value_pos,
            Some(Pos {
                line: 4,
                column: 30
            })
        );
        // keys keep their spelling: `yes` is not read as a boolean
        assert_eq!(index.get(&path(&["yes"])).unwrap().kind, NodeKind::Null);
    }

    #[test]
    fn lookups_walk_up_to_the_nearest_present_ancestor() {
        let index = Index::build(DOC).unwrap();
        let missing = path(&["severities", "1", "postmortem", "approvals"]);
        assert_eq!(index.value_pos(&missing), Pos { line: 4, column: 5 });
        assert_eq!(index.value_pos(&path(&["board"])), Pos::START);
        let by_key = index.by_key_pos(Pos { line: 3, column: 5 }).unwrap();
        assert_eq!(by_key.path, path(&["severities", "0", "ack_timeout"]));
        let by_value = index.by_value_pos(Pos { line: 4, column: 5 }).unwrap();
        assert_eq!(by_value.path, path(&["severities", "1"]));
    }

    #[test]
    fn empty_and_malformed_documents() {
        assert!(Index::build("").is_some());
        assert!(Index::build("a: [1\n").is_none());
    }
}
