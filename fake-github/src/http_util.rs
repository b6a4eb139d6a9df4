//! Requests and responses as the routes see them, GitHub's error bodies, and pagination.

use serde_json::{Value, json};

pub(crate) const DOCS: &str = "https://docs.github.com/rest";

/// A parsed request.
#[derive(Debug, Clone)]
pub(crate) struct Req {
    pub method: http::Method,
    /// Raw path, still percent-encoded.
    pub path: String,
    /// Percent-decoded path segments.
    pub segs: Vec<String>,
    /// Raw query string (no `?`).
    pub raw_query: String,
    /// Decoded query pairs.
    pub query: Vec<(String, String)>,
    /// `Host` header (for `Link` URLs).
    pub host: Option<String>,
    /// Overrides `http://{host}` in `Link` URLs (see `FakeGitHub::set_link_base`).
    pub link_base: Option<String>,
    /// The bearer token, if any.
    pub token: Option<String>,
    /// The body as JSON (`Null` when empty).
    pub body: Value,
    /// The body was present but not valid JSON.
    pub body_invalid: bool,
    /// The `If-None-Match` header (a conditional GET).
    pub if_none_match: Option<String>,
}

impl Req {
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A string field of the JSON body.
    pub fn s(&self, field: &str) -> Option<&str> {
        self.body.get(field).and_then(Value::as_str)
    }
}

/// A response to send.
#[derive(Debug, Clone)]
pub(crate) struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl Resp {
    pub fn json(status: u16, body: Value) -> Resp {
        Resp {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    pub fn ok(body: Value) -> Resp {
        Resp::json(200, body)
    }

    pub fn created(body: Value) -> Resp {
        let mut r = Resp::json(201, body);
        if let Some(url) = r
            .body
            .as_ref()
            .and_then(|b| b.get("url"))
            .and_then(Value::as_str)
        {
            r.headers.push(("location".to_string(), url.to_string()));
        }
        r
    }

    pub fn no_content() -> Resp {
        Resp {
            status: 204,
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Resp {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

/// GitHub's `basic-error` for a status.
pub(crate) fn error(status: u16, message: &str) -> Resp {
    Resp::json(
        status,
        json!({ "message": message, "documentation_url": DOCS, "status": status.to_string() }),
    )
}

pub(crate) fn not_found() -> Resp {
    error(404, "Not Found")
}

pub(crate) fn bad_request(message: &str) -> Resp {
    error(400, message)
}

pub(crate) fn unauthorized() -> Resp {
    error(401, "Requires authentication")
}

/// The default message for an injected or generic error status.
pub(crate) fn status_message(status: u16) -> &'static str {
    match status {
        400 => "Problems parsing JSON",
        401 => "Requires authentication",
        403 => "Resource not accessible by integration",
        404 => "Not Found",
        409 => "Conflict",
        410 => "Gone",
        422 => "Validation Failed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Server Error",
        503 => "Service Unavailable",
        504 => {
            "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists."
        }
        _ => "Error",
    }
}

/// GitHub's `validation-error` (422) with one entry.
pub(crate) fn validation(resource: &str, field: &str, code: &str, message: Option<&str>) -> Resp {
    let mut e = json!({ "resource": resource, "code": code, "field": field });
    if let (Some(m), Value::Object(o)) = (message, &mut e) {
        o.insert("message".into(), json!(m));
    }
    Resp::json(
        422,
        json!({ "message": "Validation Failed", "errors": [e], "documentation_url": DOCS, "status": "422" }),
    )
}

/// 422 "missing_field" for a required body field.
pub(crate) fn missing_field(resource: &str, field: &str) -> Resp {
    validation(resource, field, "missing_field", None)
}

/// The 422 GitHub answers for a body over 65536 characters.
pub(crate) fn body_too_long(resource: &str) -> Resp {
    validation(
        resource,
        "body",
        "custom",
        Some("body is too long (maximum is 65536 characters)"),
    )
}

pub(crate) const MAX_BODY_CHARS: usize = 65536;

pub(crate) fn too_long(s: &str) -> bool {
    s.chars().count() > MAX_BODY_CHARS
}

/// Paginate `items` like GitHub: `per_page` (default 30, max 100), `page` (from 1), `Link` header with
/// absolute URLs built from the request's `Host`.
pub(crate) fn paginate(req: &Req, items: Vec<Value>) -> Resp {
    let per_page = req
        .q("per_page")
        .and_then(|p| p.parse::<usize>().ok())
        .map_or(30, |p| p.clamp(1, 100));
    let page = req
        .q("page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let total = items.len();
    let last = total.div_ceil(per_page).max(1);
    let start = (page - 1).saturating_mul(per_page).min(total);
    let end = start.saturating_add(per_page).min(total);
    let slice: Vec<Value> = items.into_iter().skip(start).take(end - start).collect();
    let mut resp = Resp::ok(Value::Array(slice));
    if last > 1 {
        let origin = req
            .link_base
            .clone()
            .unwrap_or_else(|| format!("http://{}", req.host.as_deref().unwrap_or("127.0.0.1")));
        let base = format!("{}{}", origin.trim_end_matches('/'), req.path);
        let others: Vec<String> = req
            .raw_query
            .split('&')
            .filter(|kv| !kv.is_empty() && kv.split('=').next() != Some("page"))
            .map(str::to_string)
            .collect();
        let link = |n: usize, rel: &str| {
            let mut q = others.clone();
            q.push(format!("page={n}"));
            format!("<{base}?{}>; rel=\"{rel}\"", q.join("&"))
        };
        let mut parts = Vec::new();
        if page > 1 {
            parts.push(link((page - 1).min(last), "prev"));
        }
        if page < last {
            parts.push(link(page + 1, "next"));
            parts.push(link(last, "last"));
        }
        if page > 1 {
            parts.push(link(1, "first"));
        }
        if !parts.is_empty() {
            resp = resp.header("link", parts.join(", "));
        }
    }
    resp
}

/// 204 when `done`, else 404.
pub(crate) fn no_content_or(done: bool) -> Resp {
    if done {
        Resp::no_content()
    } else {
        not_found()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(query: &str) -> Req {
        Req {
            method: http::Method::GET,
            path: "/repos/o/r/issues".into(),
            segs: vec![],
            raw_query: query.into(),
            query: query
                .split('&')
                .filter(|kv| !kv.is_empty())
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (k.to_string(), v.to_string())
                })
                .collect(),
            host: Some("h:1".into()),
            link_base: None,
            token: None,
            body: Value::Null,
            body_invalid: false,
            if_none_match: None,
        }
    }

    fn items(n: u64) -> Vec<Value> {
        (0..n).map(|i| json!(i)).collect()
    }

    #[test]
    fn pages_and_links() {
        let r = paginate(&req("state=all&per_page=2&page=2"), items(5));
        assert_eq!(r.body, Some(json!([2, 3])));
        let link = &r.headers.iter().find(|(k, _)| k == "link").unwrap().1;
        assert_eq!(
            link,
            "<http://h:1/repos/o/r/issues?state=all&per_page=2&page=1>; rel=\"prev\", \
             <http://h:1/repos/o/r/issues?state=all&per_page=2&page=3>; rel=\"next\", \
             <http://h:1/repos/o/r/issues?state=all&per_page=2&page=3>; rel=\"last\", \
             <http://h:1/repos/o/r/issues?state=all&per_page=2&page=1>; rel=\"first\""
        );
    }

    #[test]
    fn single_page_has_no_link_and_bad_numbers_fall_back() {
        let r = paginate(&req("per_page=abc&page=-1"), items(3));
        assert_eq!(r.body, Some(json!([0, 1, 2])));
        assert!(r.headers.is_empty());
        let r = paginate(&req("per_page=0"), items(3));
        assert_eq!(r.body, Some(json!([0])), "per_page 0 counts as 1");
        let r = paginate(&req("page=99999999999999999999"), items(3));
        assert_eq!(
            r.body,
            Some(json!([0, 1, 2])),
            "an unparsable page is page 1"
        );
    }

    #[test]
    fn too_long_counts_characters_not_bytes() {
        assert!(!too_long(&"é".repeat(MAX_BODY_CHARS)));
        assert!(too_long(&"e".repeat(MAX_BODY_CHARS + 1)));
    }
}
