//! Turns serde-saphyr's errors into [`ConfigError`]s that name the key path and say what was
//! expected in words a config author uses ("a list", "a whole number"), not Rust types.

use serde_saphyr::Error as YamlError;

use super::ConfigError;
use super::locate::{Index, KeyPath, NodeKind, Pos};

/// Builds an [`ConfigError::Invalid`] at `pos`.
pub fn invalid(file: &str, pos: Pos, path: &KeyPath, message: String) -> ConfigError {
    ConfigError::Invalid {
        file: file.to_string(),
        line: pos.line,
        column: pos.column,
        path: path.to_string(),
        message,
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let distance = strsim::damerau_levenshtein(&word_lower, &c.to_ascii_lowercase());
            (distance, c)
        })
        .filter(|(distance, c)| *distance <= (c.chars().count() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// "unknown key `x` (did you mean `y`?)", or the list of keys allowed there.
pub fn unknown_key_message(field: &str, expected: &[&str]) -> String {
    match suggest(field, expected.iter().copied()) {
        Some(best) => format!("unknown key `{field}` (did you mean `{best}`?)"),
        None if expected.is_empty() => format!("unknown key `{field}`: no keys are allowed here"),
        None => format!(
            "unknown key `{field}`; allowed here: {}",
            expected
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn pos_of(err: &YamlError) -> Pos {
    err.location()
        .filter(|l| l.line() > 0)
        .map(|l| Pos {
            line: l.line() as usize,
            column: l.column() as usize,
        })
        .unwrap_or(Pos::START)
}

/// What the reader wanted, for a Rust scalar type name.
fn wanted_scalar(ty: &str) -> &'static str {
    match ty {
        "bool" | "boolean" => "true or false",
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number, 0 or more",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "char" => "a single character",
        _ => "a value of another type",
    }
}

/// What serde-saphyr's `expected` text means for a config author.
fn wanted_node(expected: &str) -> String {
    match expected {
        "mapping start" | "mapping" => "a mapping (`key: value` lines)".to_string(),
        "sequence start" | "sequence" => "a list".to_string(),
        "string scalar" | "string" | "scalar" => "text".to_string(),
        other => other.to_string(),
    }
}

/// serde's own `expected` phrases ("a sequence", "struct RawSeverity") in config words.
fn wanted_serde(expected: &str) -> String {
    if expected.starts_with("struct ") || expected.contains("map") {
        "a mapping (`key: value` lines)".to_string()
    } else if expected.contains("sequence") {
        "a list".to_string()
    } else if expected.contains("string") {
        "text".to_string()
    } else if expected.contains("bool") {
        "true or false".to_string()
    } else if expected.contains("integer") || expected.starts_with("u") {
        "a whole number".to_string()
    } else {
        expected.to_string()
    }
}

/// The error's own text without serde-saphyr's " at line L, column C" suffix.
fn bare_message(err: &YamlError) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(i) if text[i..].contains(", column ") => text[..i].to_string(),
        _ => text,
    }
}

/// Converts a serde-saphyr error for `text` into a [`ConfigError`] naming `file`.
pub fn from_yaml_error(err: &YamlError, text: &str, file: &str) -> ConfigError {
    let err = err.without_snippet();
    let pos = pos_of(err);
    let index = Index::build(text);
    let at_value = || {
        index
            .as_ref()
            .and_then(|i| i.by_value_pos(pos))
            .map(|e| (e.path.clone(), e.kind.clone()))
    };
    let found = |kind: Option<NodeKind>| match kind {
        Some(kind) => format!(", found {}", kind.describe()),
        None => String::new(),
    };
    match err {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => {
            let parent = index
                .as_ref()
                .and_then(|i| i.by_key_pos(pos))
                .map(|e| e.path.parent())
                .unwrap_or_default();
            invalid(file, pos, &parent, unknown_key_message(field, expected))
        }
        YamlError::SerdeMissingField { field, .. } => {
            let path = at_value().map(|(p, _)| p).unwrap_or_default();
            invalid(file, pos, &path, format!("missing key `{field}`"))
        }
        YamlError::DuplicateMappingKey { key, .. } => {
            let key = key.clone().unwrap_or_else(|| "?".to_string());
            let parent = index
                .as_ref()
                .map(|i| sibling_parent(i, pos))
                .unwrap_or_default();
            invalid(
                file,
                pos,
                &parent,
                format!("duplicate key `{key}`: each key may appear once"),
            )
        }
        YamlError::Unexpected { expected, .. } => {
            let (path, kind) = at_value().unzip();
            invalid(
                file,
                pos,
                &path.unwrap_or_default(),
                format!("expected {}{}", wanted_node(expected), found(kind)),
            )
        }
        YamlError::InvalidScalar { ty, .. } => {
            let (path, kind) = at_value().unzip();
            invalid(
                file,
                pos,
                &path.unwrap_or_default(),
                format!("expected {}{}", wanted_scalar(ty), found(kind)),
            )
        }
        YamlError::SerdeInvalidType {
            unexpected,
            expected,
            ..
        }
        | YamlError::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => {
            let (path, kind) = at_value().unzip();
            let found = match kind {
                Some(kind) => found(Some(kind)),
                None => format!(", found {unexpected}"),
            };
            invalid(
                file,
                pos,
                &path.unwrap_or_default(),
                format!("expected {}{found}", wanted_serde(expected)),
            )
        }
        YamlError::NullIntoString { .. } => {
            let path = at_value().map(|(p, _)| p).unwrap_or_default();
            invalid(
                file,
                pos,
                &path,
                "expected text, found nothing (null)".into(),
            )
        }
        other => {
            // Syntax errors and the rarer kinds: serde-saphyr's words are good; the index
            // cannot be built for malformed YAML, so the path is usually unknown here.
            let path = at_value().map(|(p, _)| p).unwrap_or_default();
            let message = bare_message(other);
            let message = if index.is_none() {
                format!("invalid YAML: {message}")
            } else {
                message
            };
            invalid(file, pos, &path, message)
        }
    }
}

/// The mapping a key at `pos` belongs to, found through the nearest earlier key in the same
/// column (a duplicate key is not in the index, but its first occurrence is).
fn sibling_parent(index: &Index, pos: Pos) -> KeyPath {
    let mut best: Option<(Pos, KeyPath)> = None;
    for line in (1..=pos.line).rev() {
        let candidate = Pos {
            line,
            column: pos.column,
        };
        if candidate == pos {
            continue;
        }
        if let Some(entry) = index.by_key_pos(candidate) {
            best = Some((candidate, entry.path.parent()));
            break;
        }
    }
    best.map(|(_, p)| p).unwrap_or_default()
}
