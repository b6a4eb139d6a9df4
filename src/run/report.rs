//! A dry run's report: every write a plan would make, in the order the apply step makes them,
//! for people (the `dry-run` template) and for scripts (JSON, `--format json`).

use serde::Serialize;

use crate::engine::plan::{Attach, Plan};
use crate::markdown::escape_markdown;

/// One write. Texts are shown whole when they are known; those rendered by the apply step
/// (they show what it creates first) are marked so.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum WriteView {
    CreateLabel {
        name: String,
        color: String,
    },
    OpenIncident {
        title: String,
        labels: Vec<String>,
    },
    AddLabels {
        issue: u64,
        labels: Vec<String>,
    },
    RemoveLabel {
        issue: u64,
        label: String,
    },
    Assign {
        issue: u64,
        logins: Vec<String>,
    },
    Unassign {
        issue: u64,
        logins: Vec<String>,
    },
    OpenActionItem {
        key: String,
        title: String,
        labels: Vec<String>,
        assignees: Vec<String>,
    },
    AttachSubIssue {
        issue: u64,
        child: String,
    },
    CreateBranch {
        name: String,
        from: String,
    },
    WriteFile {
        path: String,
        branch: String,
        message: String,
        create: bool,
    },
    OpenPullRequest {
        title: String,
        head: String,
        base: String,
        draft: bool,
    },
    LabelPullRequest {
        labels: Vec<String>,
    },
    WriteChecklist {
        pull: Option<u64>,
        comment: Option<u64>,
    },
    ReopenPullRequest {
        pull: u64,
    },
    Comment {
        on: u64,
        key: String,
        body: String,
    },
    React {
        comment: u64,
        content: String,
    },
    MoveReport {
        issue: u64,
    },
    OpenTimelinePart {
        issue: u64,
        part: u32,
    },
    EditTimelinePart {
        comment: u64,
        part: u32,
    },
    RetireTimelinePart {
        comment: u64,
    },
    WriteRecord {
        issue: u64,
        comment: Option<u64>,
    },
    EditIssue {
        issue: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        state: Option<String>,
        body: bool,
    },
}

/// A plan, as a dry run reports it.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    /// The incident issue (absent when the plan opens it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    pub writes: Vec<WriteView>,
    /// The writes in words, one line each (what the markdown shows): markdown built here, with
    /// people's words escaped.
    pub lines: Vec<String>,
    pub notes: Vec<String>,
    pub problems: Vec<String>,
}

impl PlanView {
    pub fn new(plan: &Plan) -> PlanView {
        let writes = writes(plan);
        PlanView {
            issue: (plan.issue != 0).then_some(plan.issue),
            record: plan.incident.as_ref().map(|i| i.record.clone()),
            severity: plan.severity_name.clone(),
            status: plan.incident.as_ref().map(|i| i.status.as_str()),
            lines: writes.iter().map(describe).collect(),
            writes,
            notes: plan.notes.clone(),
            problems: plan.problems.clone(),
        }
    }
}

/// The report of a whole dry run (one plan per issue it concerns).
#[derive(Debug, Clone, Serialize)]
pub struct DryRunView {
    pub plans: Vec<PlanView>,
    /// Notes of the run that are not about one plan (why nothing was planned).
    pub notes: Vec<String>,
}

fn writes(plan: &Plan) -> Vec<WriteView> {
    let n = plan.issue;
    let mut out = Vec::new();
    for label in &plan.create_labels {
        out.push(WriteView::CreateLabel {
            name: label.name.clone(),
            color: label.color.clone(),
        });
    }
    if let Some(issue) = &plan.open {
        out.push(WriteView::OpenIncident {
            title: issue.title.clone(),
            labels: issue.labels.clone(),
        });
    }
    if !plan.add_labels.is_empty() {
        out.push(WriteView::AddLabels {
            issue: n,
            labels: plan.add_labels.clone(),
        });
    }
    for label in &plan.remove_labels {
        out.push(WriteView::RemoveLabel {
            issue: n,
            label: label.clone(),
        });
    }
    if !plan.add_assignees.is_empty() {
        out.push(WriteView::Assign {
            issue: n,
            logins: plan.add_assignees.clone(),
        });
    }
    if !plan.remove_assignees.is_empty() {
        out.push(WriteView::Unassign {
            issue: n,
            logins: plan.remove_assignees.clone(),
        });
    }
    for item in &plan.items {
        out.push(WriteView::OpenActionItem {
            key: item.key.clone(),
            title: item.issue.title.clone(),
            labels: item.issue.labels.clone(),
            assignees: item.issue.assignees.clone(),
        });
    }
    for attach in &plan.attach {
        out.push(WriteView::AttachSubIssue {
            issue: n,
            child: match attach {
                Attach::Issue { number, .. } => format!("#{number}"),
                Attach::NewItem(key) => format!("the action item opened for {key}"),
            },
        });
    }
    let pm = &plan.postmortem;
    if let Some(branch) = &pm.branch {
        out.push(WriteView::CreateBranch {
            name: branch.name.clone(),
            from: branch.from.clone(),
        });
    }
    for file in &pm.files {
        out.push(WriteView::WriteFile {
            path: file.path.clone(),
            branch: file.branch.clone(),
            message: file.message.clone(),
            create: file.sha.is_none(),
        });
    }
    if let Some(pull) = &pm.pull {
        out.push(WriteView::OpenPullRequest {
            title: pull.title.clone(),
            head: pull.head.clone(),
            base: pull.base.clone(),
            draft: pull.draft,
        });
    }
    if !pm.pull_labels.is_empty() {
        out.push(WriteView::LabelPullRequest {
            labels: pm.pull_labels.clone(),
        });
    }
    if let Some(checklist) = &pm.checklist {
        out.push(WriteView::WriteChecklist {
            pull: checklist.pull,
            comment: checklist.comment,
        });
    }
    if let Some(pull) = pm.reopen_pull {
        out.push(WriteView::ReopenPullRequest { pull });
    }
    for comment in &plan.comments {
        out.push(WriteView::Comment {
            on: comment.on.unwrap_or(n),
            key: comment.key.clone(),
            body: comment.body.clone(),
        });
    }
    for (comment, content) in &plan.reactions {
        out.push(WriteView::React {
            comment: *comment,
            content: content.to_string(),
        });
    }
    if plan.moved_report.is_some() {
        out.push(WriteView::MoveReport { issue: n });
    }
    for part in &plan.overflow.create {
        out.push(WriteView::OpenTimelinePart {
            issue: n,
            part: part.part,
        });
    }
    for part in &plan.overflow.update {
        out.push(WriteView::EditTimelinePart {
            comment: part.comment.unwrap_or_default(),
            part: part.part,
        });
    }
    if let Some(record) = &plan.record {
        out.push(WriteView::WriteRecord {
            issue: n,
            comment: record.comment,
        });
    }
    if !plan.patch.is_empty() || plan.body.is_some() {
        out.push(WriteView::EditIssue {
            issue: n,
            title: plan.patch.title.clone(),
            state: plan.patch.state.clone(),
            body: plan.body.is_some() || plan.patch.body.is_some(),
        });
    }
    for (comment, _) in &plan.overflow.retire {
        out.push(WriteView::RetireTimelinePart { comment: *comment });
    }
    out
}

/// One write in words.
fn describe(write: &WriteView) -> String {
    match write {
        WriteView::CreateLabel { name, color } => format!("create the label `{name}` (#{color})"),
        WriteView::OpenIncident { title, labels } => {
            format!(
                "open the incident issue \"{}\" labeled {}",
                escape_markdown(title),
                list(labels)
            )
        }
        WriteView::AddLabels { issue, labels } => format!("add {} to #{issue}", list(labels)),
        WriteView::RemoveLabel { issue, label } => format!("remove `{label}` from #{issue}"),
        WriteView::Assign { issue, logins } => format!("assign {} to #{issue}", list(logins)),
        WriteView::Unassign { issue, logins } => {
            format!("unassign {} from #{issue}", list(logins))
        }
        WriteView::OpenActionItem {
            key,
            title,
            labels,
            assignees,
        } => {
            let owner = if assignees.is_empty() {
                String::new()
            } else {
                format!(", assigned to {}", list(assignees))
            };
            format!(
                "open the action item \"{}\" ({key}) labeled {}{owner}",
                escape_markdown(title),
                list(labels)
            )
        }
        WriteView::AttachSubIssue { issue, child } => {
            format!("attach {child} to #{issue} as a sub-issue")
        }
        WriteView::CreateBranch { name, from } => {
            format!("create the branch `{name}` at {}", short(from))
        }
        WriteView::WriteFile {
            path,
            branch,
            create,
            ..
        } => {
            let verb = if *create { "create" } else { "update" };
            format!("{verb} `{path}` on `{branch}`")
        }
        WriteView::OpenPullRequest {
            title, head, base, ..
        } => format!(
            "open the draft pull request \"{}\" from `{head}` into `{base}`",
            escape_markdown(title)
        ),
        WriteView::LabelPullRequest { labels } => {
            format!("label the pull request {}", list(labels))
        }
        WriteView::WriteChecklist { pull, comment } => {
            let on = pull.map_or("the new pull request".to_string(), |n| format!("#{n}"));
            match comment {
                Some(id) => format!("edit the checklist comment {id} on {on}"),
                None => format!("post the checklist on {on}"),
            }
        }
        WriteView::ReopenPullRequest { pull } => format!("reopen pull request #{pull}"),
        WriteView::Comment { on, key, .. } => format!("comment on #{on} (`{key}`)"),
        WriteView::React { comment, content } => format!("react {content} to comment {comment}"),
        WriteView::MoveReport { issue } => {
            format!("move the report of #{issue} out of its description to a comment")
        }
        WriteView::OpenTimelinePart { issue, part } => {
            format!("open timeline part {part} on #{issue}")
        }
        WriteView::EditTimelinePart { comment, part } => {
            format!("rewrite timeline part {part} (comment {comment})")
        }
        WriteView::WriteRecord { issue, comment } => match comment {
            Some(id) => format!("rewrite the record of #{issue} (comment {id})"),
            None => format!("post the record of #{issue}, which keeps its state"),
        },
        WriteView::RetireTimelinePart { comment } => {
            format!("retire the duplicated timeline part in comment {comment}")
        }
        WriteView::EditIssue {
            issue,
            title,
            state,
            body,
        } => {
            let mut what = Vec::new();
            if let Some(title) = title {
                what.push(format!("title \"{}\"", escape_markdown(title)));
            }
            if let Some(state) = state {
                what.push(format!("state {state}"));
            }
            if *body {
                what.push("body".to_string());
            }
            format!("write #{issue}: {}", what.join(", "))
        }
    }
}

fn list(labels: &[String]) -> String {
    labels
        .iter()
        .map(|l| format!("`{l}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}
