//! The postmortem checklist: every requirement, ticked as it becomes true. Pure: evaluated
//! from the incident (owner, action items, severity policy) and what was last read from the
//! pull request ([`PullFacts`]: sections, approvals, merge).

use crate::config::Config;
use crate::incident::{Check, Incident, PullFacts};
use crate::markdown::escape_markdown;

fn check(key: impl Into<String>, text: impl Into<String>, done: bool) -> Check {
    Check {
        key: key.into(),
        text: text.into(),
        done,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Approving reviewers who count: everyone whose latest review approves, except the owner.
pub fn counted_approvers(facts: &PullFacts, owner: Option<&str>) -> Vec<String> {
    facts
        .approvers
        .iter()
        .filter(|a| owner.is_none_or(|o| !o.eq_ignore_ascii_case(a)))
        .cloned()
        .collect()
}

/// The checklist of `incident`'s postmortem, in a fixed order.
pub fn evaluate(config: &Config, incident: &Incident) -> Vec<Check> {
    let policy = super::policy(config, incident);
    let empty = PullFacts::default();
    let pm = incident.postmortem.as_ref();
    let facts = pm.and_then(|p| p.facts.as_ref());
    let read = facts.is_some();
    let facts = facts.unwrap_or(&empty);
    let mut out = Vec::new();

    for name in &config.postmortem.required_sections {
        let done = read && !facts.missing_sections.iter().any(|m| m == name);
        out.push(check(
            format!("section:{name}"),
            format!("**{}** is written", escape_markdown(name)),
            done,
        ));
    }

    let items = &incident.action_items;
    if policy.required {
        out.push(check(
            "action-items",
            "At least one action item (`/action <title> @owner P1 due:+14d`)",
            !items.is_empty(),
        ));
    }
    let incomplete: Vec<String> = items
        .iter()
        .filter(|i| i.owner.is_none() || i.priority > 3)
        .map(|i| match i.number {
            Some(n) => format!("#{n}"),
            None => format!("“{}”", escape_markdown(&i.title)),
        })
        .collect();
    let mut text = "Every action item has an owner, a priority and a due date".to_string();
    if !incomplete.is_empty() {
        text.push_str(&format!(" (missing on {})", incomplete.join(", ")));
    }
    out.push(check("action-items-complete", text, incomplete.is_empty()));

    let owner = super::owner(incident);
    out.push(match &owner {
        Some(o) => check("owner", format!("Owner: @{}", escape_markdown(o)), true),
        None => check(
            "owner",
            "An owner is set (`/postmortem owner @user`, or the incident commander)",
            false,
        ),
    });

    let approvers = counted_approvers(facts, owner.as_deref());
    let needed = policy.approvals as usize;
    let mut text = format!(
        "{} by someone other than the owner",
        plural(needed, "approving review", "approving reviews")
    );
    if !approvers.is_empty() {
        let names: Vec<String> = approvers
            .iter()
            .map(|a| format!("@{}", escape_markdown(a)))
            .collect();
        text.push_str(&format!(
            " ({} so far: {})",
            approvers.len(),
            names.join(", ")
        ));
    }
    out.push(check("approvals", text, approvers.len() >= needed));

    if policy.public {
        out.push(check(
            "public",
            "Public version published (`/postmortem public`)",
            pm.is_some_and(|p| p.public_path.is_some()),
        ));
    }
    out.push(check("merged", "Pull request merged", facts.merged));
    out
}

/// The requirements not met yet (everything but the merge itself when `except_merge`).
pub fn missing(checks: &[Check], except_merge: bool) -> Vec<Check> {
    checks
        .iter()
        .filter(|c| !c.done)
        .filter(|c| !(except_merge && c.key == "merged"))
        .cloned()
        .collect()
}
