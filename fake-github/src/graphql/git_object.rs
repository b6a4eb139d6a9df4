//! `Repository.object(expression: "REF:PATH")`: a file as a `Blob` (its text), a directory as a
//! `Tree` (its entries, each with its object), `null` when the ref or the path does not exist —
//! read from the same branch files the contents API serves.

use std::rc::Rc;

use super::exec::{Cx, Failure, Field, Node, NodeRef, Out};
use crate::state::hex_sha;

/// GitHub's `Blob.text` is `null` past this size (`isTruncated`); the fake keeps the limit so a
/// caller meets it here first.
const MAX_TEXT: usize = 512 * 1024;

/// The object `expression` names in repository `key`, or `None`.
pub(crate) fn resolve(cx: &Cx<'_, '_>, key: &str, expression: &str) -> Option<NodeRef> {
    let repo = cx.ctx.st.repo(key)?;
    let (reference, path) = expression.split_once(':')?;
    let branch = match reference {
        "HEAD" | "" => repo.default_branch.clone(),
        other => other.trim_start_matches("refs/heads/").to_string(),
    };
    let files = repo.branch_files(&branch)?;
    let path = path.trim_matches('/');
    if let Some(text) = files.get(path) {
        return Some(Rc::new(Blob { text: text.clone() }));
    }
    let prefix = if path.is_empty() {
        String::new()
    } else {
        format!("{path}/")
    };
    let mut entries: Vec<Entry> = Vec::new();
    for (file, text) in files.range(prefix.clone()..) {
        let Some(rest) = file.strip_prefix(&prefix) else {
            break;
        };
        match rest.split_once('/') {
            None => entries.push(Entry {
                name: rest.to_string(),
                path: file.clone(),
                blob: Some(text.clone()),
            }),
            Some((dir, _)) => {
                if entries
                    .last()
                    .is_none_or(|e| e.name != dir || e.blob.is_some())
                {
                    entries.push(Entry {
                        name: dir.to_string(),
                        path: format!("{prefix}{dir}"),
                        blob: None,
                    });
                }
            }
        }
    }
    if entries.is_empty() {
        return None;
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Some(Rc::new(Tree {
        key: key.to_string(),
        branch,
        entries,
    }))
}

struct Blob {
    text: String,
}

impl Node for Blob {
    fn typename(&self) -> &'static str {
        "Blob"
    }
    fn is(&self, type_name: &str) -> bool {
        matches!(type_name, "Blob" | "GitObject" | "Node")
    }
    fn field(&self, _cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        let truncated = self.text.len() > MAX_TEXT;
        Ok(match f.name {
            "oid" => Out::value(hex_sha(&format!("blob {}\0{}", self.text.len(), self.text))),
            "byteSize" => Out::value(self.text.len()),
            "isBinary" => Out::value(self.text.contains('\0')),
            "isTruncated" => Out::value(truncated),
            "text" if truncated => Out::Null,
            "text" => Out::value(self.text.clone()),
            other => return Err(Failure::undefined("Blob", other)),
        })
    }
}

struct Tree {
    key: String,
    branch: String,
    entries: Vec<Entry>,
}

#[derive(Clone)]
struct Entry {
    name: String,
    path: String,
    /// The file's text; `None` for a directory.
    blob: Option<String>,
}

impl Node for Tree {
    fn typename(&self) -> &'static str {
        "Tree"
    }
    fn is(&self, type_name: &str) -> bool {
        matches!(type_name, "Tree" | "GitObject" | "Node")
    }
    fn field(&self, _cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        Ok(match f.name {
            "entries" => Out::List(
                self.entries
                    .iter()
                    .map(|e| {
                        Out::node(TreeEntry {
                            key: self.key.clone(),
                            branch: self.branch.clone(),
                            entry: e.clone(),
                        })
                    })
                    .collect(),
            ),
            other => return Err(Failure::undefined("Tree", other)),
        })
    }
}

struct TreeEntry {
    key: String,
    branch: String,
    entry: Entry,
}

impl Node for TreeEntry {
    fn typename(&self) -> &'static str {
        "TreeEntry"
    }
    fn field(&self, cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        let e = &self.entry;
        Ok(match f.name {
            "name" => Out::value(e.name.clone()),
            "path" => Out::value(e.path.clone()),
            "type" => Out::value(if e.blob.is_some() { "blob" } else { "tree" }),
            "mode" => Out::value(if e.blob.is_some() { 33188 } else { 16384 }),
            "object" => match &e.blob {
                Some(text) => Out::node(Blob { text: text.clone() }),
                None => resolve(cx, &self.key, &format!("{}:{}", self.branch, e.path))
                    .map_or(Out::Null, Out::Node),
            },
            other => return Err(Failure::undefined("TreeEntry", other)),
        })
    }
}
