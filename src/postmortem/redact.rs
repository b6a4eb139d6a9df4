//! Redaction for the public postmortem, and the check that refuses to publish a leak.
//!
//! [`Redactor::redact`] replaces, in people's text before it is rendered: the configured private
//! patterns (first, since a ticket URL may contain a name), e-mail addresses, @mentions
//! (users and `@org/team`), and the logins of everyone involved as bare words.
//!
//! [`Redactor::leaks`] then reads the rendered document *as a reader would see it* — HTML
//! entities decoded, markdown backslash escapes and invisible characters removed — and reports
//! every private pattern, e-mail address or mention still there, by line. Text that slipped
//! past redaction in a disguised form (`jira.acme&#46;internal`, `ops\.internal`) or that came
//! from a template is found here, and publishing is refused.

use std::sync::OnceLock;

use regex::Regex;

use crate::config::{Config, PrivatePattern};
use crate::incident::Incident;

fn email() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
            .expect("valid")
    })
}

fn mention() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(^|[^A-Za-z0-9_`])@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9_-]+)?(\[bot\])?")
            .expect("valid")
    })
}

/// What a redaction found, by kind, for the reply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub patterns: usize,
    pub emails: usize,
    pub mentions: usize,
    pub names: usize,
}

impl Counts {
    pub fn total(&self) -> usize {
        self.patterns + self.emails + self.mentions + self.names
    }
}

/// A leak found by [`Redactor::leaks`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    /// 1-based line of the rendered public document.
    pub line: usize,
    /// The nearest heading above it.
    pub section: String,
    /// What matched, described without repeating it: `private pattern \`…\``, `an e-mail
    /// address`, `a @mention`.
    pub what: String,
}

pub struct Redactor {
    patterns: Vec<PrivatePattern>,
    names: Option<Regex>,
    replacement: String,
}

impl Redactor {
    /// Redacts the configured patterns and the logins of everyone who took part in `incident`
    /// (declared it, held a role, owns the postmortem or an action item, wrote an entry), plus
    /// `extra` logins (reviewers).
    pub fn new(config: &Config, incident: &Incident, extra: &[String]) -> Redactor {
        let mut logins: Vec<String> = Vec::new();
        let mut add = |l: &str| {
            let l = l.trim_start_matches('@').to_string();
            if !l.is_empty() && !logins.iter().any(|x| x.eq_ignore_ascii_case(&l)) {
                logins.push(l);
            }
        };
        add(&incident.declared_by);
        for l in incident.role_holders() {
            add(&l);
        }
        if let Some(o) = super::owner(incident) {
            add(&o);
        }
        for i in &incident.action_items {
            if let Some(o) = &i.owner {
                add(o);
            }
            add(&i.by);
        }
        for e in &incident.timeline {
            add(&e.by);
        }
        if let Some(i) = &incident.impact {
            add(&i.by);
        }
        if let Some(u) = &incident.update {
            add(&u.by);
        }
        for l in extra {
            add(l);
        }
        // Longest first, so `bob-smith` is not cut to `[redacted]-smith`.
        logins.sort_by_key(|l| std::cmp::Reverse(l.len()));
        let names = (!logins.is_empty()).then(|| {
            let alternatives: Vec<String> = logins.iter().map(|l| regex::escape(l)).collect();
            Regex::new(&format!(
                r"(?i)(^|[^A-Za-z0-9_-])({})($|[^A-Za-z0-9_-])",
                alternatives.join("|")
            ))
            .expect("escaped logins form a valid regex")
        });
        Redactor {
            patterns: config.postmortem.public.private_patterns.clone(),
            names,
            replacement: config.postmortem.public.replacement.clone(),
        }
    }

    /// `text` with everything private replaced; `counts` adds up what was replaced.
    pub fn redact(&self, text: &str, counts: &mut Counts) -> String {
        let mut out = text.to_string();
        for p in &self.patterns {
            counts.patterns += p.regex().find_iter(&out).count();
            out = p
                .regex()
                .replace_all(&out, regex::NoExpand(&self.replacement))
                .into_owned();
        }
        counts.emails += email().find_iter(&out).count();
        out = email()
            .replace_all(&out, regex::NoExpand(&self.replacement))
            .into_owned();
        counts.mentions += mention().find_iter(&out).count();
        out = mention()
            .replace_all(&out, |c: &regex::Captures| {
                format!("{}{}", &c[1], self.replacement)
            })
            .into_owned();
        if let Some(names) = &self.names {
            // Adjacent names share a separator: a second pass catches the one the first skipped
            // (bounded, in case a login matches the replacement itself).
            for _ in 0..2 {
                let n = names.find_iter(&out).count();
                if n == 0 {
                    break;
                }
                counts.names += n;
                out = names
                    .replace_all(&out, |c: &regex::Captures| {
                        format!("{}{}{}", &c[1], self.replacement, &c[3])
                    })
                    .into_owned();
            }
        }
        out
    }

    /// Private patterns, e-mail addresses and mentions still readable in `doc`.
    pub fn leaks(&self, doc: &str) -> Vec<Leak> {
        let mut out = Vec::new();
        let mut section = String::from("(top)");
        for (i, raw) in doc.lines().enumerate() {
            let line = readable(raw);
            if let Some(h) = line.trim_start().strip_prefix('#') {
                section = h.trim_start_matches('#').trim().to_string();
            }
            let mut found = |what: String| {
                out.push(Leak {
                    line: i + 1,
                    section: section.clone(),
                    what,
                })
            };
            for p in &self.patterns {
                if p.regex().is_match(&line) {
                    found(format!("private pattern `{}`", p.as_str()));
                }
            }
            if email().is_match(&line) {
                found("an e-mail address".into());
            }
            if mention().is_match(&line) {
                found("a @mention".into());
            }
        }
        out
    }
}

/// A line as a reader sees it once GitHub renders the markdown: entities decoded, backslash
/// escapes and invisible characters gone.
pub fn readable(line: &str) -> String {
    let decoded = decode_entities(line);
    let mut out = String::with_capacity(decoded.len());
    let mut chars = decoded.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|n| n.is_ascii_punctuation()) => {}
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => {}
            _ => out.push(c),
        }
    }
    out
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let end = tail.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &tail[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "period" => Some('.'),
                "commat" => Some('@'),
                "sol" => Some('/'),
                "colon" => Some(':'),
                "nbsp" => Some(' '),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor(patterns: &[&str]) -> Redactor {
        let mut config = Config::default();
        config.postmortem.public.private_patterns = patterns
            .iter()
            .map(|p| PrivatePattern::new(p).unwrap())
            .collect();
        let at = "2026-11-20T10:00:00Z".parse().unwrap();
        let mut incident = Incident::declare("x", 2, "alice", at, chrono_tz::UTC);
        incident.commander = Some("bob-smith".into());
        incident.responders = vec!["bob".into()];
        Redactor::new(&config, &incident, &["carol".to_string()])
    }

    #[test]
    fn redacts_patterns_emails_mentions_and_names() {
        let r = redactor(&[
            r"https?://jira\.acme\.internal/[^\s)]+",
            r"[a-z0-9-]+\.corp\.acme",
        ]);
        let mut counts = Counts::default();
        let out = r.redact(
            "Alice and bob-smith saw db-1.corp.acme fail (see https://jira.acme.internal/browse/OPS-7); mail ops@acme.com or ping @carol and @acme/sre. Bob agreed; bobby did not.",
            &mut counts,
        );
        insta::assert_snapshot!(out, @"[redacted] and [redacted] saw [redacted] fail (see [redacted]); mail [redacted] or ping [redacted] and [redacted]. [redacted] agreed; bobby did not.");
        assert_eq!(
            counts,
            Counts {
                patterns: 2,
                emails: 1,
                mentions: 2,
                names: 3
            }
        );
        assert!(r.leaks(&out).is_empty(), "{:?}", r.leaks(&out));
    }

    #[test]
    fn leak_check_reads_through_entities_and_escapes() {
        let r = redactor(&[r"jira\.acme\.internal"]);
        let doc = "# Public\n\n## Summary\n\nSee jira.acme&#46;internal for details.\n\nWrite to ops&#64;acme.com\n\n## Timeline\n\nops\\.x jira\\.acme\\.internal";
        let leaks = r.leaks(doc);
        let lines: Vec<(usize, &str, &str)> = leaks
            .iter()
            .map(|l| (l.line, l.section.as_str(), l.what.as_str()))
            .collect();
        assert_eq!(
            lines,
            [
                (5, "Summary", "private pattern `jira\\.acme\\.internal`"),
                (7, "Summary", "an e-mail address"),
                (11, "Timeline", "private pattern `jira\\.acme\\.internal`"),
            ]
        );
    }

    #[test]
    fn entities_decode_and_unknown_ones_stay() {
        assert_eq!(
            readable("a&#64;b &amp; &bogus; \\_x\\_ z\u{200B}w"),
            "a@b & &bogus; _x_ zw"
        );
    }
}
