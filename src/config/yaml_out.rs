//! Writes a [`Config`] back as YAML, every key present, in the order of the reference.
//! Strings are written double-quoted with JSON escapes, which YAML reads the same way.

use std::fmt::Write as _;

use chrono::Duration;

use super::{Allow, Config, format_duration, priority_name};

fn q(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

fn list<T>(items: &[T], item: impl Fn(&T) -> String) -> String {
    format!(
        "[{}]",
        items.iter().map(item).collect::<Vec<_>>().join(", ")
    )
}

fn strings(items: &[String]) -> String {
    list(items, |s| q(s))
}

fn opt_duration(d: Option<Duration>) -> String {
    d.map(format_duration).unwrap_or_else(|| "null".to_string())
}

fn opt_string(s: &Option<String>) -> String {
    s.as_deref().map(q).unwrap_or_else(|| "null".to_string())
}

fn allow(rule: &Allow) -> String {
    format!(
        "{{ associations: {}, users: {}, teams: {} }}",
        strings(&rule.associations),
        strings(&rule.users),
        strings(&rule.teams)
    )
}

/// Escalation levels as flow mappings, comma-separated.
fn levels_inline(levels: &[super::EscalationLevel]) -> String {
    levels
        .iter()
        .map(|level| {
            format!(
                "{{ notify: {}, after: {} }}",
                strings(&level.notify),
                format_duration(level.after)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn to_yaml(c: &Config) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let w = &mut out;
    let _ = writeln!(w, "timezone: {}", q(c.timezone.name()));
    let _ = writeln!(w, "title_format: {}", q(&c.title_format));
    let _ = writeln!(
        w,
        "default_severity: {}",
        q(&c.severity_name(c.default_severity))
    );
    let _ = writeln!(w, "severities:");
    for s in &c.severities {
        let _ = writeln!(w, "  - name: {}", q(&s.name));
        let _ = writeln!(w, "    description: {}", q(&s.description));
        let _ = writeln!(w, "    ack_timeout: {}", opt_duration(s.ack_timeout));
        let _ = writeln!(w, "    update_cadence: {}", opt_duration(s.update_cadence));
        let _ = writeln!(w, "    notify: {}", strings(&s.notify));
        if let Some(levels) = &s.escalation {
            let _ = writeln!(w, "    escalation: [{}]", levels_inline(levels));
        }
        let p = &s.postmortem;
        let _ = writeln!(
            w,
            "    postmortem: {{ required: {}, due_business_days: {}, approvals: {}, public: {} }}",
            p.required, p.due_business_days, p.approvals, p.public
        );
    }
    let _ = writeln!(w, "permissions:");
    let _ = writeln!(w, "  default: {}", allow(&c.permissions.default));
    if c.permissions.commands.is_empty() {
        let _ = writeln!(w, "  commands: {{}}");
    } else {
        let _ = writeln!(w, "  commands:");
        for (name, rule) in &c.permissions.commands {
            let _ = writeln!(w, "    {name}: {}", allow(rule));
        }
    }
    if c.escalation.is_empty() {
        let _ = writeln!(w, "escalation: []");
    } else {
        let _ = writeln!(w, "escalation:");
        for level in &c.escalation {
            let _ = writeln!(
                w,
                "  - {{ notify: {}, after: {} }}",
                strings(&level.notify),
                format_duration(level.after)
            );
        }
    }
    let a = &c.action_items;
    let _ = writeln!(w, "action_items:");
    let _ = writeln!(
        w,
        "  default_priority: {}",
        priority_name(a.default_priority)
    );
    let _ = writeln!(w, "  default_type: {}", a.default_type);
    let _ = writeln!(
        w,
        "  due_days: {{ P0: {}, P1: {}, P2: {}, P3: {} }}",
        a.due_days[0], a.due_days[1], a.due_days[2], a.due_days[3]
    );
    match &a.open_cap {
        None => {
            let _ = writeln!(w, "  open_cap: null");
        }
        Some(cap) => {
            let _ = writeln!(
                w,
                "  open_cap: {{ limit: {}, priorities: {}, per_label: {} }}",
                cap.limit,
                list(&cap.priorities, |p| priority_name(*p)),
                opt_string(&cap.per_label)
            );
        }
    }
    let p = &c.postmortem;
    let _ = writeln!(w, "postmortem:");
    let _ = writeln!(w, "  directory: {}", q(&p.directory));
    let _ = writeln!(w, "  index: {}", q(&p.index));
    let _ = writeln!(w, "  template: {}", opt_string(&p.template));
    let _ = writeln!(w, "  branch_prefix: {}", q(&p.branch_prefix));
    let _ = writeln!(w, "  base_branch: {}", opt_string(&p.base_branch));
    let _ = writeln!(w, "  open_draft_at: {}", p.open_draft_at.as_str());
    let _ = writeln!(w, "  required_sections: {}", strings(&p.required_sections));
    let _ = writeln!(w, "  public:");
    let _ = writeln!(w, "    directory: {}", q(&p.public.directory));
    let _ = writeln!(w, "    template: {}", opt_string(&p.public.template));
    let _ = writeln!(w, "    on_merge: {}", p.public.on_merge);
    let _ = writeln!(
        w,
        "    private_patterns: {}",
        list(&p.public.private_patterns, |r| q(r.as_str()))
    );
    let _ = writeln!(w, "    replacement: {}", q(&p.public.replacement));
    let r = &c.reminders;
    let _ = writeln!(w, "reminders:");
    let _ = writeln!(w, "  before_due: {}", format_duration(r.before_due));
    let _ = writeln!(w, "  repeat_every: {}", format_duration(r.repeat_every));
    let _ = writeln!(w, "  escalate_after: {}", opt_duration(r.escalate_after));
    let _ = writeln!(w, "  escalate_to: {}", strings(&r.escalate_to));
    let _ = writeln!(w, "declare: {{ open_to: {} }}", c.declare.open_to.as_str());
    let _ = writeln!(w, "follow_up: {{ enabled: {} }}", c.follow_up.enabled);
    let _ = writeln!(
        w,
        "business_days: {}",
        list(&c.business_days, |d| d.to_string())
    );
    let _ = writeln!(
        w,
        "holidays: {}",
        list(&c.holidays, |d| d.format("%Y-%m-%d").to_string())
    );
    match &c.board {
        None => {
            let _ = writeln!(w, "board: null");
        }
        Some(b) => {
            let _ = writeln!(w, "board:");
            let _ = writeln!(w, "  owner: {}", q(&b.owner));
            let _ = writeln!(w, "  number: {}", b.number);
            let _ = writeln!(
                w,
                "  fields: {{ severity: {}, status: {}, priority: {}, due: {}, kind: {} }}",
                q(&b.fields.severity),
                q(&b.fields.status),
                q(&b.fields.priority),
                q(&b.fields.due),
                q(&b.fields.kind)
            );
        }
    }
    let rp = &c.report;
    let _ = writeln!(w, "report:");
    let _ = writeln!(
        w,
        "  issue: {}",
        rp.issue
            .map(|n| n.to_string())
            .unwrap_or_else(|| "null".into())
    );
    let _ = writeln!(w, "  since: {}", format_duration(rp.since));
    let _ = writeln!(w, "  refresh_every: {}", format_duration(rp.refresh_every));
    out
}
