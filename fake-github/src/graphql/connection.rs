//! Connections as GitHub pages them: `first`/`after` or `last`/`before`, at most 100 a page,
//! opaque cursors, `totalCount`, `nodes`, `edges` and `pageInfo`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use super::exec::{Cx, Failure, Field, Node, NodeRef, Out, Record};

/// GitHub's largest page.
pub(crate) const MAX_PAGE: u64 = 100;

/// One page of `all` as `f`'s arguments ask. `name` is the connection's field name, for
/// GitHub's error messages.
pub(crate) fn page(cx: &mut Cx<'_, '_>, f: &Field, all: Vec<NodeRef>) -> Result<Out, Failure> {
    let first = f.u64("first");
    let last = f.u64("last");
    if first.is_none() && last.is_none() {
        return Err(Failure::error(
            "MISSING_PAGINATION_BOUNDARIES",
            format!(
                "You must provide a `first` or `last` value to properly paginate the `{}` connection.",
                f.name
            ),
        ));
    }
    for (arg, n) in [("first", first), ("last", last)] {
        if let Some(n) = n.filter(|n| *n > MAX_PAGE) {
            return Err(Failure::error(
                "EXCESSIVE_PAGINATION",
                format!(
                    "Requesting {n} records on the `{}` connection exceeds the `{arg}` limit of {MAX_PAGE} records.",
                    f.name
                ),
            ));
        }
    }
    let total = all.len();
    let mut start = match f.str("after") {
        Some(c) => decode(c).ok_or_else(|| bad_cursor(c))? + 1,
        None => 0,
    };
    let mut end = match f.str("before") {
        Some(c) => decode(c).ok_or_else(|| bad_cursor(c))?,
        None => total,
    };
    end = end.min(total);
    start = start.min(end);
    if let Some(n) = first {
        end = end.min(start + n as usize);
    }
    if let Some(n) = last {
        start = start.max(end.saturating_sub(n as usize));
    }
    cx.nodes += (end - start) as u64;
    Ok(Out::node(Connection {
        items: all[start..end].to_vec(),
        offset: start,
        total,
    }))
}

fn bad_cursor(cursor: &str) -> Failure {
    Failure::error(
        "INVALID_CURSOR_ARGUMENTS",
        format!("`{cursor}` does not appear to be a valid cursor."),
    )
}

/// GitHub's cursors are opaque base64; these carry the item's index.
pub(crate) fn cursor(index: usize) -> String {
    STANDARD.encode(format!("cursor:v2:{index}"))
}

fn decode(cursor: &str) -> Option<usize> {
    let bytes = STANDARD.decode(cursor).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("cursor:v2:")?
        .parse()
        .ok()
}

struct Connection {
    items: Vec<NodeRef>,
    /// Index of the first item of the page in the whole list.
    offset: usize,
    total: usize,
}

impl Node for Connection {
    fn typename(&self) -> &'static str {
        "Connection"
    }
    fn field(&self, _cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        let end = self.offset + self.items.len();
        Ok(match f.name {
            "totalCount" => Out::value(self.total),
            "nodes" => Out::List(self.items.iter().cloned().map(Out::Node).collect()),
            "edges" => Out::List(
                self.items
                    .iter()
                    .enumerate()
                    .map(|(i, node)| {
                        Out::node(Edge {
                            cursor: cursor(self.offset + i),
                            node: node.clone(),
                        })
                    })
                    .collect(),
            ),
            "pageInfo" => Out::node(Record::new(
                "PageInfo",
                json!({
                    "hasNextPage": end < self.total,
                    "hasPreviousPage": self.offset > 0,
                    "startCursor": (!self.items.is_empty()).then(|| cursor(self.offset)),
                    "endCursor": (!self.items.is_empty()).then(|| cursor(end - 1)),
                }),
            )),
            other => return Err(Failure::undefined("Connection", other)),
        })
    }
}

struct Edge {
    cursor: String,
    node: NodeRef,
}

impl Node for Edge {
    fn typename(&self) -> &'static str {
        "Edge"
    }
    fn field(&self, _cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        Ok(match f.name {
            "cursor" => Out::value(self.cursor.clone()),
            "node" => Out::Node(self.node.clone()),
            other => return Err(Failure::undefined("Edge", other)),
        })
    }
}
