//! Markdown that Firebreak writes around people's text: escaping, so a comment's words can never
//! open a table cell, start a heading, close an HTML comment (and forge Firebreak's hidden
//! state), or mention anyone the author did not mention. Depends on nothing.

/// Escapes text for GitHub markdown, inline or in a table cell: no HTML, no table breaks, no
/// emphasis or links, no mentions, one line.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut at_line_start = true;
    for c in text.chars() {
        match c {
            '\r' => continue,
            '\n' | '\t' => {
                out.push(' ');
                continue;
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("&#64;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '-' | '+' | '=' if at_line_start => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        at_line_start = false;
    }
    out
}

/// Escapes Firebreak's own markdown that may quote people's values (error reasons, help):
/// code spans stay literal (they cannot mention or carry HTML), everything outside them loses
/// HTML and mentions; one line.
pub fn escape_prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '\r' => {}
            '\n' => out.push(' '),
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            '@' if !in_code => out.push_str("&#64;"),
            _ => out.push(c),
        }
    }
    if in_code {
        out.push('`');
    }
    out
}

/// [`escape_prose`] for a table cell: pipes escaped too (GitHub splits cells on `|` even
/// inside code spans unless escaped).
pub fn escape_cell_prose(text: &str) -> String {
    escape_prose(text).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_defuses_markdown_html_and_mentions() {
        insta::assert_snapshot!(
            escape_markdown("<!-- x --> | @alice **b** [l](http://e) `c`\n# h"),
            @r"&lt;!-- x --&gt; \| &#64;alice \*\*b\*\* \[l\](http://e) \`c\` # h"
        );
    }

    #[test]
    fn prose_escaping_keeps_code_spans_literal() {
        assert_eq!(
            escape_prose("use `/sev <level>` not <b>@bob</b>"),
            "use `/sev <level>` not &lt;b&gt;&#64;bob&lt;/b&gt;"
        );
        assert_eq!(escape_cell_prose("`a|b`"), "`a\\|b`");
    }

    #[test]
    fn escaping_a_leading_heading_marker() {
        assert_eq!(escape_markdown("# not a heading"), "\\# not a heading");
    }
}
