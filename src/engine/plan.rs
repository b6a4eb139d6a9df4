//! A plan: the GitHub operations one run will perform, in the order they are applied.

use super::actions::Need;
use crate::github::IssuePatch;
use crate::incident::Incident;

/// Hidden marker ending every reply, naming the comment it answers, so a repeated run finds
/// its earlier reply instead of posting a second one.
pub const REPLY_MARKER: &str = "<!-- firebreak:reply ";

pub fn reply_marker(key: &str) -> String {
    format!("{REPLY_MARKER}{key} -->")
}

/// A comment to post, with the key its marker carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    pub key: String,
    pub body: String,
    /// Where to post it when not on the plan's issue (a reply on the postmortem pull request).
    pub on: Option<u64>,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub issue: u64,
    /// The incident as it will be after the plan; `None` when the issue is not an incident.
    pub incident: Option<Incident>,
    /// Firebreak's labels must be checked (and created) in the repository first.
    pub ensure_labels: bool,
    pub add_labels: Vec<String>,
    pub remove_labels: Vec<String>,
    pub add_assignees: Vec<String>,
    pub remove_assignees: Vec<String>,
    /// People who lost a role during this run (candidates for unassignment).
    pub former_role_holders: Vec<String>,
    pub comments: Vec<NewComment>,
    /// (comment id, reaction content).
    pub reactions: Vec<(u64, &'static str)>,
    /// Facts the engine needs before it can decide: the runner fetches them and decides
    /// again; a plan with needs is never applied.
    pub needs: Vec<Need>,
    /// Action-item issues to attach to the incident as sub-issues: (number, id).
    pub sub_issues: Vec<(u64, u64)>,
    /// Overflow comments holding the timeline's oldest entries; parts are opened and rewritten
    /// before the body, duplicates deleted after it.
    pub overflow: super::overflow::Writes,
    /// Title, body and state, written last: the body is the commit point of a run.
    pub patch: IssuePatch,
    /// What happened, in words, for the job summary and logs.
    pub notes: Vec<String>,
    /// Postmortem work that needs GitHub, performed by `crate::postmortem::flow`.
    pub postmortem: crate::postmortem::Intents,
}

impl Plan {
    pub fn new(issue: u64) -> Plan {
        Plan {
            issue,
            ..Plan::default()
        }
    }

    pub fn comment(&mut self, key: impl Into<String>, body: String) {
        self.comment_on(None, key, body);
    }

    /// A reply on issue or pull request `on` (`None`: the plan's issue).
    pub fn comment_on(&mut self, on: Option<u64>, key: impl Into<String>, body: String) {
        let key = key.into();
        let body = format!("{}\n\n{}", body.trim_end(), reply_marker(&key));
        self.comments.push(NewComment { key, body, on });
    }

    pub fn react(&mut self, comment: u64, content: &'static str) {
        if !self.reactions.contains(&(comment, content)) {
            self.reactions.push((comment, content));
        }
    }

    pub fn need(&mut self, need: Need) {
        if !self.needs.contains(&need) {
            self.needs.push(need);
        }
    }

    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        !self.ensure_labels
            && self.add_labels.is_empty()
            && self.remove_labels.is_empty()
            && self.add_assignees.is_empty()
            && self.remove_assignees.is_empty()
            && self.comments.is_empty()
            && self.reactions.is_empty()
            && self.sub_issues.is_empty()
            && self.overflow.is_empty()
            && self.patch.is_empty()
            && self.postmortem.is_empty()
    }
}
