//! A small GraphQL executor over the fake's state: the document is parsed with `graphql-parser`,
//! and its selections are walked against [`Node`]s, GitHub's types as the fake models them.
//!
//! It handles what GitHub's clients send: operations with variables (and their defaults),
//! aliases, inline fragments and named fragments with type conditions, `__typename`, lists and
//! nulls. Errors come in GitHub's two kinds: a field that does not exist (or a missing argument,
//! a connection without `first`/`last`) fails the whole document before anything runs, like
//! GitHub's validation; an error while resolving (`NOT_FOUND`, `FORBIDDEN`, …) nulls that field
//! and is listed beside the data.

use std::collections::BTreeMap;
use std::rc::Rc;

use graphql_parser::query as q;
use serde_json::{Map, Value, json};

use crate::routes::Ctx;

/// A GitHub object: answers its fields by name.
pub(crate) trait Node {
    /// The GraphQL type name (`Issue`, `ProjectV2`, …), for `__typename` and fragments.
    fn typename(&self) -> &'static str;
    /// Whether a fragment on `type_name` applies: the type itself, or an interface or union it
    /// belongs to.
    fn is(&self, type_name: &str) -> bool {
        type_name == self.typename()
    }
    /// Resolve one field.
    fn field(&self, cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure>;
}

pub(crate) type NodeRef = Rc<dyn Node>;

/// What a field resolves to.
pub(crate) enum Out {
    /// A scalar or enum (or a JSON object the selection does not walk into).
    Value(Value),
    Node(NodeRef),
    List(Vec<Out>),
    Null,
}

impl Out {
    pub fn node(node: impl Node + 'static) -> Out {
        Out::Node(Rc::new(node))
    }
    pub fn value(v: impl Into<Value>) -> Out {
        Out::Value(v.into())
    }
}

/// An object whose fields are plain values (`pageInfo`, `rateLimit`, …).
pub(crate) struct Record {
    pub typename: &'static str,
    pub fields: Map<String, Value>,
}

impl Record {
    pub fn new(typename: &'static str, fields: Value) -> Record {
        Record {
            typename,
            fields: match fields {
                Value::Object(map) => map,
                _ => Map::new(),
            },
        }
    }
}

impl Node for Record {
    fn typename(&self) -> &'static str {
        self.typename
    }
    fn field(&self, _cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        match self.fields.get(f.name) {
            Some(v) => Ok(Out::Value(v.clone())),
            None => Err(Failure::undefined(self.typename, f.name)),
        }
    }
}

/// Why a field has no value.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A resolver error: the field is `null`, the error is listed with its `type`
    /// (`NOT_FOUND`, `FORBIDDEN`, `INSUFFICIENT_SCOPES`, `UNPROCESSABLE`, …).
    Error { kind: &'static str, message: String },
    /// The document is not valid against the schema: nothing runs, the answer is errors only.
    Invalid { code: &'static str, message: String },
}

impl Failure {
    pub fn error(kind: &'static str, message: impl Into<String>) -> Failure {
        Failure::Error {
            kind,
            message: message.into(),
        }
    }

    /// GitHub's answer for a field the type does not have.
    pub fn undefined(type_name: &str, field: &str) -> Failure {
        Failure::Invalid {
            code: "undefinedField",
            message: format!("Field '{field}' doesn't exist on type '{type_name}'"),
        }
    }
}

/// One field of the selection, its arguments resolved against the variables.
pub(crate) struct Field<'d> {
    pub name: &'d str,
    pub args: Map<String, Value>,
    pub line: usize,
    pub column: usize,
}

impl Field<'_> {
    pub fn arg(&self, name: &str) -> Option<&Value> {
        self.args.get(name).filter(|v| !v.is_null())
    }
    pub fn str(&self, name: &str) -> Option<&str> {
        self.arg(name).and_then(Value::as_str)
    }
    pub fn u64(&self, name: &str) -> Option<u64> {
        self.arg(name).and_then(Value::as_u64)
    }
    /// A required argument (GitHub refuses the document without it).
    pub fn required_str(&self, type_name: &str, name: &str) -> Result<&str, Failure> {
        self.str(name).ok_or_else(|| Failure::Invalid {
            code: "missingRequiredArguments",
            message: format!(
                "Field '{}' is missing required arguments: {name} (on type '{type_name}')",
                self.name
            ),
        })
    }
}

/// The executor's context: the state (through the route's [`Ctx`]), the errors so far and the
/// connections resolved (GitHub's rate-limit cost counts them).
pub(crate) struct Cx<'a, 'b> {
    pub ctx: &'a mut Ctx<'b>,
    pub errors: Vec<Value>,
    /// Nodes returned by connections (`rateLimit.nodeCount`).
    pub nodes: u64,
    /// The operation is a mutation.
    pub mutation: bool,
    /// What the operation costs, for `rateLimit { cost }`.
    pub cost: u64,
}

/// A document ready to run: its operation, the variables resolved, what it costs.
pub(crate) struct Prepared<'d, 'a> {
    doc: &'d q::Document<'a, String>,
    set: &'d q::SelectionSet<'a, String>,
    vars: Map<String, Value>,
    pub mutation: bool,
    /// Rate-limit points, as GitHub computes them before running anything: one request per
    /// connection page (a nested connection once per parent the outer page may hold), divided
    /// by 100 and rounded, at least 1.
    pub cost: u64,
}

/// Pick the operation (by `operationName` when the document holds several) and resolve its
/// variables. Errors are the answer's `errors` for a document that cannot run.
pub(crate) fn prepare<'d, 'a>(
    doc: &'d q::Document<'a, String>,
    operation_name: Option<&str>,
    variables: &Map<String, Value>,
) -> Result<Prepared<'d, 'a>, Vec<Value>> {
    let operations: Vec<&q::OperationDefinition<'a, String>> = doc
        .definitions
        .iter()
        .filter_map(|d| match d {
            q::Definition::Operation(op) => Some(op),
            q::Definition::Fragment(_) => None,
        })
        .collect();
    let operation = match operation_name {
        Some(name) => operations
            .iter()
            .find(|op| op_name(op) == Some(name))
            .copied(),
        None if operations.len() == 1 => operations.first().copied(),
        None => None,
    };
    let Some(operation) = operation else {
        return Err(vec![json!({
            "message": match operation_name {
                Some(name) => format!("No operation named \"{name}\""),
                None => "An operation name is required".to_string(),
            }
        })]);
    };
    let (definitions, set, mutation) = match operation {
        q::OperationDefinition::Query(query) => {
            (&query.variable_definitions[..], &query.selection_set, false)
        }
        q::OperationDefinition::Mutation(m) => {
            (&m.variable_definitions[..], &m.selection_set, true)
        }
        q::OperationDefinition::SelectionSet(set) => (&[][..], set, false),
        q::OperationDefinition::Subscription(_) => {
            return Err(vec![json!({"message": "Subscriptions are not supported"})]);
        }
    };
    let mut vars = Map::new();
    for def in definitions {
        let value = variables
            .get(&def.name)
            .cloned()
            .or_else(|| def.default_value.as_ref().map(|d| literal(d, &Map::new())));
        let required = matches!(def.var_type, q::Type::NonNullType(_));
        match value {
            Some(v) if !(v.is_null() && required) => {
                vars.insert(def.name.clone(), v);
            }
            _ if required => {
                return Err(vec![json!({
                    "extensions": {"value": null, "problems": [{"path": [], "explanation": "Expected value to not be null"}]},
                    "locations": [{"line": def.position.line, "column": def.position.column}],
                    "message": format!("Variable ${} of type {} was provided invalid value", def.name, def.var_type),
                })]);
            }
            _ => {}
        }
    }
    let cost = if mutation {
        1
    } else {
        let requests = requests(doc, set, &vars, 1, 0);
        ((requests + 50) / 100).max(1)
    };
    Ok(Prepared {
        doc,
        set,
        vars,
        mutation,
        cost,
    })
}

/// Connection pages a selection may ask for (GitHub's cost: a connection inside a page of
/// `n` counts `n` times).
fn requests(
    doc: &q::Document<'_, String>,
    set: &q::SelectionSet<'_, String>,
    vars: &Map<String, Value>,
    multiplier: u64,
    depth: usize,
) -> u64 {
    if depth > 32 {
        return 0;
    }
    let mut total = 0;
    for item in &set.items {
        total += match item {
            q::Selection::Field(f) => {
                let size = f
                    .arguments
                    .iter()
                    .filter(|(name, _)| name == "first" || name == "last")
                    .filter_map(|(_, v)| literal(v, vars).as_u64())
                    .max();
                match size {
                    Some(n) => {
                        multiplier
                            + requests(
                                doc,
                                &f.selection_set,
                                vars,
                                multiplier * n.max(1),
                                depth + 1,
                            )
                    }
                    None => requests(doc, &f.selection_set, vars, multiplier, depth + 1),
                }
            }
            q::Selection::InlineFragment(fragment) => {
                requests(doc, &fragment.selection_set, vars, multiplier, depth + 1)
            }
            q::Selection::FragmentSpread(spread) => doc
                .definitions
                .iter()
                .find_map(|d| match d {
                    q::Definition::Fragment(f) if f.name == spread.fragment_name => {
                        Some(requests(doc, &f.selection_set, vars, multiplier, depth + 1))
                    }
                    _ => None,
                })
                .unwrap_or(0),
        };
    }
    total
}

/// Run a prepared document against `root` (the `Query` or `Mutation` object). Answers the
/// `data` object, or the errors of a document that is not valid against the schema.
pub(crate) fn run(
    cx: &mut Cx<'_, '_>,
    prepared: &Prepared<'_, '_>,
    root: NodeRef,
) -> Result<Value, Vec<Value>> {
    cx.mutation = prepared.mutation;
    let walker = Walker {
        doc: prepared.doc,
        vars: &prepared.vars,
    };
    let mut path = Vec::new();
    match walker.select(cx, &root, prepared.set, &mut path) {
        Ok(data) => Ok(Value::Object(data)),
        Err(Invalid {
            message,
            code,
            line,
            column,
            path,
        }) => Err(vec![json!({
            "path": path,
            "extensions": {"code": code},
            "locations": [{"line": line, "column": column}],
            "message": message,
        })]),
    }
}

fn op_name<'d>(op: &'d q::OperationDefinition<'_, String>) -> Option<&'d str> {
    match op {
        q::OperationDefinition::Query(x) => x.name.as_deref(),
        q::OperationDefinition::Mutation(x) => x.name.as_deref(),
        q::OperationDefinition::Subscription(x) => x.name.as_deref(),
        q::OperationDefinition::SelectionSet(_) => None,
    }
}

/// An invalid document, where it was found.
struct Invalid {
    message: String,
    code: &'static str,
    line: usize,
    column: usize,
    path: Vec<Value>,
}

struct Walker<'d, 'a> {
    doc: &'d q::Document<'a, String>,
    vars: &'d Map<String, Value>,
}

impl<'d> Walker<'d, '_> {
    fn select(
        &self,
        cx: &mut Cx<'_, '_>,
        node: &NodeRef,
        set: &'d q::SelectionSet<'_, String>,
        path: &mut Vec<Value>,
    ) -> Result<Map<String, Value>, Invalid> {
        let mut out = Map::new();
        for item in &set.items {
            match item {
                q::Selection::Field(f) => {
                    let key = f.alias.as_deref().unwrap_or(&f.name).to_string();
                    path.push(Value::String(key.clone()));
                    let value = self.field(cx, node, f, path)?;
                    path.pop();
                    merge(&mut out, key, value);
                }
                q::Selection::InlineFragment(fragment) => {
                    let applies = match &fragment.type_condition {
                        Some(q::TypeCondition::On(t)) => node.is(t),
                        None => true,
                    };
                    if applies {
                        for (k, v) in self.select(cx, node, &fragment.selection_set, path)? {
                            merge(&mut out, k, v);
                        }
                    }
                }
                q::Selection::FragmentSpread(spread) => {
                    let fragment = self.doc.definitions.iter().find_map(|d| match d {
                        q::Definition::Fragment(f) if f.name == spread.fragment_name => Some(f),
                        _ => None,
                    });
                    let Some(fragment) = fragment else {
                        return Err(Invalid {
                            message: format!(
                                "Fragment {} was used, but not defined",
                                spread.fragment_name
                            ),
                            code: "useAndDefineFragment",
                            line: spread.position.line,
                            column: spread.position.column,
                            path: path.clone(),
                        });
                    };
                    let q::TypeCondition::On(t) = &fragment.type_condition;
                    if node.is(t) {
                        for (k, v) in self.select(cx, node, &fragment.selection_set, path)? {
                            merge(&mut out, k, v);
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    fn field(
        &self,
        cx: &mut Cx<'_, '_>,
        node: &NodeRef,
        f: &'d q::Field<'_, String>,
        path: &mut Vec<Value>,
    ) -> Result<Value, Invalid> {
        if f.name == "__typename" {
            return Ok(Value::String(node.typename().to_string()));
        }
        let args: Map<String, Value> = f
            .arguments
            .iter()
            .map(|(name, value)| (name.clone(), literal(value, self.vars)))
            .collect();
        let field = Field {
            name: &f.name,
            args,
            line: f.position.line,
            column: f.position.column,
        };
        match node.field(cx, &field) {
            Ok(out) => self.complete(cx, out, &f.selection_set, path),
            Err(Failure::Error { kind, message }) => {
                cx.errors.push(json!({
                    "type": kind,
                    "path": path.clone(),
                    "locations": [{"line": field.line, "column": field.column}],
                    "message": message,
                }));
                Ok(Value::Null)
            }
            Err(Failure::Invalid { code, message }) => Err(Invalid {
                message,
                code,
                line: field.line,
                column: field.column,
                path: path.clone(),
            }),
        }
    }

    fn complete(
        &self,
        cx: &mut Cx<'_, '_>,
        out: Out,
        set: &'d q::SelectionSet<'_, String>,
        path: &mut Vec<Value>,
    ) -> Result<Value, Invalid> {
        Ok(match out {
            Out::Value(v) => v,
            Out::Null => Value::Null,
            Out::Node(node) => Value::Object(self.select(cx, &node, set, path)?),
            Out::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    path.push(json!(i));
                    values.push(self.complete(cx, item, set, path)?);
                    path.pop();
                }
                Value::Array(values)
            }
        })
    }
}

/// Two selections answering the same key (a field asked for twice, or through fragments) merge.
fn merge(out: &mut Map<String, Value>, key: String, value: Value) {
    match (out.get_mut(&key), value) {
        (Some(Value::Object(old)), Value::Object(new)) => {
            for (k, v) in new {
                merge(old, k, v);
            }
        }
        (_, value) => {
            out.insert(key, value);
        }
    }
}

/// A literal of the document as JSON, variables substituted (enums become their names).
fn literal(value: &q::Value<'_, String>, vars: &Map<String, Value>) -> Value {
    match value {
        q::Value::Variable(name) => vars.get(name).cloned().unwrap_or(Value::Null),
        q::Value::Int(n) => n.as_i64().map_or(Value::Null, Value::from),
        q::Value::Float(f) => json!(f),
        q::Value::String(s) => Value::String(s.clone()),
        q::Value::Boolean(b) => Value::Bool(*b),
        q::Value::Null => Value::Null,
        q::Value::Enum(e) => Value::String(e.clone()),
        q::Value::List(items) => Value::Array(items.iter().map(|v| literal(v, vars)).collect()),
        q::Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), literal(v, vars)))
                .collect::<BTreeMap<_, _>>()
                .into_iter()
                .collect(),
        ),
    }
}
