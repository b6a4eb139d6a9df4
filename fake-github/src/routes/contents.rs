//! Repository contents: get, create or update, delete a file.

use serde_json::{Value, json};

use super::Ctx;
use crate::http_util::{Resp, error, missing_field, not_found, validation};
use crate::shapes::{node_id, seg};
use crate::state::{State, hex_sha, ts};

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64.
pub(crate) fn b64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Base64 as GitHub serves file contents: a newline after every 60 characters (and at the end).
pub(crate) fn b64_github(data: &[u8]) -> String {
    let flat = b64_encode(data);
    let mut out = String::with_capacity(flat.len() + flat.len() / 60 + 1);
    for (i, ch) in flat.chars().enumerate() {
        if i > 0 && i % 60 == 0 {
            out.push('\n');
        }
        out.push(ch);
    }
    if !flat.is_empty() {
        out.push('\n');
    }
    out
}

/// Decode base64, ignoring whitespace; `None` when invalid.
pub(crate) fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0;
    let mut padding = false;
    for c in s.bytes() {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == b'=' {
            padding = true;
            continue;
        }
        if padding {
            return None;
        }
        let v = B64.iter().position(|&x| x == c)? as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The blob sha of some content (content-addressed, 40 hex digits).
pub(crate) fn blob_sha(content: &str) -> String {
    hex_sha(&format!("blob {}\0{content}", content.len()))
}

/// Resolve `ref` (branch, `refs/heads/x`, tag ref or commit sha) to a commit sha.
fn resolve(st: &State, repo: &str, reference: Option<&str>) -> Option<String> {
    let r = st.repo(repo)?;
    let reference = reference.unwrap_or(&r.default_branch);
    if let Some(sha) = r.refs.get(reference) {
        return Some(sha.clone());
    }
    for prefix in ["refs/heads/", "refs/tags/", "refs/"] {
        if let Some(sha) = r.refs.get(&format!("{prefix}{reference}")) {
            return Some(sha.clone());
        }
    }
    r.commits
        .contains_key(reference)
        .then(|| reference.to_string())
}

/// The `content-file` JSON (with or without `content`).
fn file_json(
    st: &State,
    repo: &str,
    branch: &str,
    path: &str,
    content: &str,
    with_content: bool,
) -> Value {
    let api = format!("{}/repos/{repo}", st.server_url);
    let html = format!("{}/{repo}", st.html_url);
    let sha = blob_sha(content);
    let enc_path: Vec<String> = path.split('/').map(seg).collect();
    let enc_path = enc_path.join("/");
    let url = format!("{api}/contents/{enc_path}?ref={}", seg(branch));
    let git_url = format!("{api}/git/blobs/{sha}");
    let html_url = format!("{html}/blob/{}/{enc_path}", seg(branch));
    let mut v = json!({
        "type": "file",
        "encoding": "base64",
        "size": content.len(),
        "name": path.rsplit('/').next().unwrap_or(path),
        "path": path,
        "sha": sha,
        "url": url,
        "git_url": git_url,
        "html_url": html_url,
        "download_url": format!("{}/raw/{repo}/{}/{enc_path}", st.html_url, seg(branch)),
        "_links": { "self": url, "git": git_url, "html": html_url },
    });
    if with_content && let Value::Object(m) = &mut v {
        m.insert("content".into(), json!(b64_github(content.as_bytes())));
    }
    v
}

pub(crate) fn get(ctx: &mut Ctx<'_>, repo: &str, path: &str) -> Resp {
    let st = &*ctx.st;
    let path = path.trim_matches('/');
    let reference = ctx.req.q("ref").filter(|r| !r.is_empty());
    let Some(sha) = resolve(st, repo, reference) else {
        return error(
            404,
            &format!("No commit found for the ref {}", reference.unwrap_or("")),
        );
    };
    let r = st.repo(repo).expect("checked by the router");
    let label = reference.map_or_else(|| r.default_branch.clone(), str::to_string);
    let Some(commit) = r.commits.get(&sha) else {
        return not_found();
    };
    let full = r.full_name();
    if let Some(content) = commit.files.get(path) {
        return Resp::ok(file_json(st, &full, &label, path, content, true));
    }
    // A directory: the entries directly under it.
    let prefix = format!("{path}/");
    let mut entries: Vec<Value> = Vec::new();
    let mut dirs: Vec<String> = Vec::new();
    for (p, content) in commit.files.range(prefix.clone()..) {
        let Some(rest) = p.strip_prefix(&prefix) else {
            break;
        };
        match rest.split_once('/') {
            None => entries.push(file_json(st, &full, &label, p, content, false)),
            Some((dir, _)) if !dirs.iter().any(|d| d == dir) => dirs.push(dir.to_string()),
            Some(_) => {}
        }
    }
    if entries.is_empty() && dirs.is_empty() {
        return not_found();
    }
    for d in dirs {
        let dpath = format!("{prefix}{d}");
        let api = format!("{}/repos/{full}", st.server_url);
        let tree_sha = hex_sha(&format!("tree {sha} {dpath}"));
        let url = format!("{api}/contents/{dpath}?ref={}", seg(&label));
        let git_url = format!("{api}/git/trees/{tree_sha}");
        let html_url = format!("{}/{full}/tree/{}/{dpath}", st.html_url, seg(&label));
        entries.push(json!({
            "type": "dir", "size": 0, "name": d, "path": dpath, "sha": tree_sha,
            "url": url, "git_url": git_url, "html_url": html_url, "download_url": Value::Null,
            "_links": { "self": url, "git": git_url, "html": html_url },
        }));
    }
    entries.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    Resp::ok(Value::Array(entries))
}

/// The `file-commit` JSON for commit `sha`.
fn file_commit(st: &State, repo: &str, sha: &str, content: Option<Value>) -> Value {
    let r = st.repo(repo).expect("checked by the router");
    let api = format!("{}/repos/{}", st.server_url, r.full_name());
    let html = format!("{}/{}", st.html_url, r.full_name());
    let c = r.commits.get(sha).expect("just written");
    let who = json!({
        "name": c.author,
        "email": format!("{}@users.noreply.fake", c.author),
        "date": ts(c.date),
    });
    let parents: Vec<Value> = c
        .parent
        .iter()
        .map(|p| json!({ "url": format!("{api}/git/commits/{p}"), "html_url": format!("{html}/commit/{p}"), "sha": p }))
        .collect();
    json!({
        "content": content,
        "commit": {
            "sha": sha,
            "node_id": node_id("C", u64::from_str_radix(&sha[..8], 16).unwrap_or(0)),
            "url": format!("{api}/git/commits/{sha}"),
            "html_url": format!("{html}/commit/{sha}"),
            "author": who,
            "committer": who,
            "message": c.message,
            "tree": { "url": format!("{api}/git/trees/{}", c.tree_sha), "sha": c.tree_sha },
            "parents": parents,
            "verification": {
                "verified": false,
                "reason": "unsigned",
                "signature": Value::Null,
                "payload": Value::Null,
                "verified_at": Value::Null,
            },
        },
    })
}

/// Branch named in the body (default branch otherwise); 404 when it does not exist.
fn branch_of(ctx: &Ctx<'_>, repo: &str) -> Result<String, Resp> {
    let r = ctx.st.repo(repo).expect("checked by the router");
    let branch = ctx
        .req
        .s("branch")
        .map(|b| b.trim_start_matches("refs/heads/").to_string())
        .unwrap_or_else(|| r.default_branch.clone());
    if r.branch_sha(&branch).is_none() {
        return Err(error(404, &format!("Branch {branch} not found")));
    }
    Ok(branch)
}

pub(crate) fn put(ctx: &mut Ctx<'_>, repo: &str, path: &str) -> Resp {
    let path = path.trim_matches('/').to_string();
    let Some(message) = ctx.req.s("message").map(str::to_string) else {
        return missing_field("Content", "message");
    };
    let Some(encoded) = ctx.req.s("content") else {
        return missing_field("Content", "content");
    };
    let Some(content) = b64_decode(encoded).and_then(|b| String::from_utf8(b).ok()) else {
        return validation(
            "Content",
            "content",
            "invalid",
            Some("content is not valid Base64"),
        );
    };
    let branch = match branch_of(ctx, repo) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let existing = ctx
        .st
        .repo(repo)
        .and_then(|r| r.branch_files(&branch))
        .and_then(|f| f.get(&path))
        .map(|c| blob_sha(c));
    match (&existing, ctx.req.s("sha")) {
        (Some(_), None) => {
            return Resp::json(
                422,
                json!({
                    "message": "Invalid request.\n\n\"sha\" wasn't supplied.",
                    "documentation_url": "https://docs.github.com/rest/repos/contents#create-or-update-file-contents",
                    "status": "422",
                }),
            );
        }
        (Some(cur), Some(given)) if cur != given => {
            return error(409, &format!("{path} does not match {given}"));
        }
        _ => {}
    }
    let author = ctx.actor();
    let full = ctx.st.repo(repo).map(|r| r.full_name()).unwrap_or_default();
    let Some(sha) = ctx
        .st
        .write_file(repo, &branch, &path, Some(&content), &message, &author)
    else {
        return not_found();
    };
    let file = file_json(ctx.st, &full, &branch, &path, &content, false);
    let body = file_commit(ctx.st, repo, &sha, Some(file));
    Resp::json(if existing.is_some() { 200 } else { 201 }, body)
}

pub(crate) fn delete(ctx: &mut Ctx<'_>, repo: &str, path: &str) -> Resp {
    let path = path.trim_matches('/').to_string();
    let Some(message) = ctx.req.s("message").map(str::to_string) else {
        return missing_field("Content", "message");
    };
    let Some(given) = ctx.req.s("sha").map(str::to_string) else {
        return missing_field("Content", "sha");
    };
    let branch = match branch_of(ctx, repo) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let existing = ctx
        .st
        .repo(repo)
        .and_then(|r| r.branch_files(&branch))
        .and_then(|f| f.get(&path))
        .map(|c| blob_sha(c));
    match existing {
        None => return not_found(),
        Some(cur) if cur != given => return error(409, &format!("{path} does not match {given}")),
        Some(_) => {}
    }
    let author = ctx.actor();
    match ctx
        .st
        .write_file(repo, &branch, &path, None, &message, &author)
    {
        Some(sha) => Resp::ok(file_commit(ctx.st, repo, &sha, None)),
        None => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_roundtrips_every_length() {
        for len in 0..200usize {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 % 256) as u8).collect();
            assert_eq!(b64_decode(&b64_encode(&data)).unwrap(), data, "len {len}");
            assert_eq!(b64_decode(&b64_github(&data)).unwrap(), data, "len {len}");
        }
        assert_eq!(b64_encode(b"hello"), "aGVsbG8=");
        assert_eq!(b64_decode("not base64!"), None);
    }

    #[test]
    fn github_base64_breaks_lines_every_60_characters() {
        let text = "x".repeat(200);
        let enc = b64_github(text.as_bytes());
        let lines: Vec<&str> = enc.trim_end_matches('\n').split('\n').collect();
        assert!(lines[..lines.len() - 1].iter().all(|l| l.len() == 60));
        assert!(enc.ends_with('\n'));
        assert_eq!(b64_github(b""), "");
    }

    #[test]
    fn blob_sha_is_content_addressed() {
        assert_eq!(blob_sha("a"), blob_sha("a"));
        assert_ne!(blob_sha("a"), blob_sha("b"));
        assert_eq!(blob_sha("a").len(), 40);
    }
}
