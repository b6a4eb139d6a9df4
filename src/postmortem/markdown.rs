//! Reading a postmortem file: its `##` sections, whether each has real content, and the
//! Firebreak-managed blocks inside it.
//!
//! A section has *real content* when something is left after removing, line by line: blank
//! lines, HTML comments (guidance for the writer), `###` sub-headings, and template
//! placeholders. A placeholder is a line whose text (after a list marker or `>` quote marker)
//! starts with `TODO` or `_TODO` — the built-in templates write them as `_TODO: …_`.

/// The sections of a markdown document: (`##` heading text, body), in order. Text before the
/// first `##` heading is not a section.
pub fn sections(doc: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut in_fence = false;
    for line in doc.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
        }
        if !in_fence && let Some(heading) = heading2(line) {
            out.push((heading, String::new()));
            continue;
        }
        if !in_fence && line.starts_with("# ") {
            // A new top-level heading ends the current section.
            out.push((String::new(), String::new()));
            continue;
        }
        if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out.retain(|(h, _)| !h.is_empty());
    out
}

fn heading2(line: &str) -> Option<String> {
    let rest = line.strip_prefix("## ")?;
    Some(rest.trim().trim_end_matches('#').trim().to_string())
}

/// Whether a heading names a section: case-insensitive, and the heading may say more after the
/// name (`Root cause (5 whys)` names `Root cause`).
pub fn heading_names(heading: &str, name: &str) -> bool {
    let heading = heading.to_lowercase();
    let name = name.trim().to_lowercase();
    match heading.strip_prefix(&name) {
        Some(rest) => rest.is_empty() || !rest.starts_with(|c: char| c.is_alphanumeric()),
        None => false,
    }
}

/// The body of the first section `name` names, if present.
pub fn section<'a>(sections: &'a [(String, String)], name: &str) -> Option<&'a str> {
    sections
        .iter()
        .find(|(h, _)| heading_names(h, name))
        .map(|(_, b)| b.as_str())
}

/// The body without HTML comments, placeholders, sub-headings and blank lines.
pub fn real_content(body: &str) -> String {
    let without_comments = strip_html_comments(body);
    without_comments
        .lines()
        .filter(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with("###") && !is_placeholder(t)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether a section body has real content.
pub fn has_content(body: &str) -> bool {
    !real_content(body).is_empty()
}

/// A template placeholder line (see the module docs).
pub fn is_placeholder(line: &str) -> bool {
    let mut t = line.trim();
    loop {
        let before = t;
        for marker in ["> ", ">", "- ", "* ", "+ "] {
            if let Some(rest) = t.strip_prefix(marker) {
                t = rest.trim_start();
            }
        }
        // Ordered list markers: `1. `, `12) `.
        let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 {
            let rest = &t[digits..];
            if let Some(rest) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
                t = rest.trim_start();
            }
        }
        if t == before {
            break;
        }
    }
    t.starts_with("TODO") || t.starts_with("_TODO") || t.starts_with("*TODO")
}

/// Removes `<!-- … -->` comments, also across lines.
pub fn strip_html_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start..].find("-->") {
            Some(end) => rest = &rest[start + end + 3..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Required sections that are missing or have no real content, in the order given.
pub fn missing_sections(doc: &str, required: &[String]) -> Vec<String> {
    let all = sections(doc);
    required
        .iter()
        .filter(|name| !section(&all, name).is_some_and(has_content))
        .cloned()
        .collect()
}

/// Begin and end markers of a Firebreak-managed block.
pub fn block_markers(name: &str) -> (String, String) {
    (
        format!("<!-- firebreak:{name} (kept up to date by Firebreak) -->"),
        format!("<!-- /firebreak:{name} -->"),
    )
}

/// `inner` wrapped in the block's markers.
pub fn block(name: &str, inner: &str) -> String {
    let (begin, end) = block_markers(name);
    format!("{begin}\n{}\n{end}", inner.trim_end())
}

/// Replaces the managed block `name` in `doc` with `inner`; `None` when the document has no
/// such block (a person removed it: their choice is kept).
pub fn replace_block(doc: &str, name: &str, inner: &str) -> Option<String> {
    let (begin, end) = block_markers(name);
    let start = doc.find(&begin)?;
    let stop = start + doc[start..].find(&end)? + end.len();
    let mut out = String::with_capacity(doc.len() + inner.len());
    out.push_str(&doc[..start]);
    out.push_str(&block(name, inner));
    out.push_str(&doc[stop..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# Title\n\nintro\n\n## Executive summary\n\n_TODO: write it_\n\n## Root cause (5 whys)\n\n1. _TODO: Why?_\n2. Because the cache expired.\n\n## Impact\n\n### Business\n\n- _TODO: revenue_\n<!-- guidance\nover lines -->\n\n## Lessons\n```\n## not a heading\n```\n";

    #[test]
    fn sections_split_on_level_two_headings_outside_code() {
        let s = sections(DOC);
        let names: Vec<&str> = s.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(
            names,
            [
                "Executive summary",
                "Root cause (5 whys)",
                "Impact",
                "Lessons"
            ]
        );
        assert!(s[3].1.contains("## not a heading"));
    }

    #[test]
    fn placeholders_comments_and_subheadings_are_not_content() {
        let required: Vec<String> = ["Executive summary", "Root cause", "Impact", "Trigger"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            missing_sections(DOC, &required),
            ["Executive summary", "Impact", "Trigger"]
        );
        // A code block is content.
        assert!(missing_sections(DOC, &["Lessons".to_string()]).is_empty());
    }

    #[test]
    fn placeholder_detection_sees_through_list_and_quote_markers() {
        for line in [
            "_TODO: x_",
            "- _TODO_",
            "> TODO later",
            "12. _TODO: why?_",
            "* *TODO*",
        ] {
            assert!(is_placeholder(line), "{line}");
        }
        for line in [
            "Todo: lower case is prose",
            "The TODO list grew",
            "1. Because",
        ] {
            assert!(!is_placeholder(line), "{line}");
        }
    }

    #[test]
    fn heading_names_match_by_prefix_on_a_word_boundary() {
        assert!(heading_names("Root cause (5 whys)", "root cause"));
        assert!(heading_names("Impact", "Impact"));
        assert!(!heading_names("Impacts", "Impact"));
        assert!(!heading_names("Detection", "Detect"));
    }

    #[test]
    fn managed_blocks_are_replaced_or_left_alone_when_removed() {
        let doc = format!("a\n{}\nb", block("items", "old"));
        let new = replace_block(&doc, "items", "new").unwrap();
        assert!(new.contains("\nnew\n") && !new.contains("old"));
        assert!(new.starts_with("a\n") && new.ends_with("\nb"));
        assert_eq!(replace_block("no block", "items", "x"), None);
    }
}
