//! Mutations shared by the HTTP routes and the seeding API.

use super::state::{Comment, EventKind, Issue, IssueEvent, Label, Reaction, State};

/// An issue's labels, assignees, state and title, to record what a change did.
#[derive(Debug, Clone)]
pub(crate) struct Marks {
    labels: Vec<u64>,
    assignees: Vec<String>,
    state: String,
    title: String,
}

/// The color GitHub gives a label created implicitly (by naming it on an issue).
pub(crate) const IMPLICIT_LABEL_COLOR: &str = "ededed";

impl State {
    /// The id of the label `name` on `repo`, created with the default color when missing.
    pub fn ensure_label(&mut self, repo: &str, name: &str) -> Option<u64> {
        if let Some(l) = self.repo(repo)?.label_by_name(name) {
            return Some(l.id);
        }
        let id = self.id();
        self.repo_mut(repo)?.labels.push(Label {
            id,
            name: name.to_string(),
            color: IMPLICIT_LABEL_COLOR.to_string(),
            description: None,
            default: false,
        });
        Some(id)
    }

    /// Create an issue; returns (number, id).
    pub fn new_issue(
        &mut self,
        repo: &str,
        author: &str,
        title: &str,
        body: Option<&str>,
        labels: &[String],
        assignees: &[String],
    ) -> Option<(u64, u64)> {
        self.repo(repo)?;
        self.ensure_user(author, None);
        let label_ids: Vec<u64> = labels
            .iter()
            .filter_map(|l| self.ensure_label(repo, l))
            .fold(Vec::new(), |mut acc, id| {
                if !acc.contains(&id) {
                    acc.push(id);
                }
                acc
            });
        let assignees = self.filter_assignable(repo, assignees, None);
        let id = self.id();
        let now = self.now();
        let r = self.repo_mut(repo)?;
        let number = r.next_number;
        r.next_number += 1;
        r.issues.insert(
            number,
            Issue {
                id,
                number,
                title: title.to_string(),
                body: body.map(str::to_string),
                user: author.to_string(),
                state: "open".to_string(),
                state_reason: None,
                labels: label_ids,
                assignees,
                created_at: now,
                updated_at: now,
                edited_at: None,
                closed_at: None,
                closed_by: None,
                locked: false,
                reactions: Vec::new(),
                pull: None,
                parent: None,
                sub_issues: Vec::new(),
                events: Vec::new(),
            },
        );
        r.updated_at = now;
        // Labels and assignees given at creation are events of the author, as on GitHub.
        let (labels, assignees) = {
            let issue = &self.repo(repo)?.issues[&number];
            (issue.labels.clone(), issue.assignees.clone())
        };
        for label in labels {
            self.record_label(repo, number, author, label, true);
        }
        for login in assignees {
            self.record(repo, number, author, EventKind::Assigned(login));
        }
        Some((number, id))
    }

    /// What events are recorded for: an issue's labels, assignees, state and title.
    pub fn marks(&self, repo: &str, number: u64) -> Option<Marks> {
        let i = self.repo(repo)?.issues.get(&number)?;
        Some(Marks {
            labels: i.labels.clone(),
            assignees: i.assignees.clone(),
            state: i.state.clone(),
            title: i.title.clone(),
        })
    }

    /// Records an event for each difference between `before` and the issue now, as GitHub does
    /// for a change by `actor`.
    pub fn record_changes(&mut self, repo: &str, number: u64, actor: &str, before: &Marks) {
        let Some(now) = self.marks(repo, number) else {
            return;
        };
        if now.title != before.title {
            let kind = EventKind::Renamed {
                from: before.title.clone(),
                to: now.title.clone(),
            };
            self.record(repo, number, actor, kind);
        }
        for label in before.labels.iter().filter(|l| !now.labels.contains(l)) {
            self.record_label(repo, number, actor, *label, false);
        }
        for label in now.labels.iter().filter(|l| !before.labels.contains(l)) {
            self.record_label(repo, number, actor, *label, true);
        }
        for login in before
            .assignees
            .iter()
            .filter(|a| !now.assignees.contains(a))
        {
            self.record(repo, number, actor, EventKind::Unassigned(login.clone()));
        }
        for login in now
            .assignees
            .iter()
            .filter(|a| !before.assignees.contains(a))
        {
            self.record(repo, number, actor, EventKind::Assigned(login.clone()));
        }
        if now.state != before.state {
            let kind = if now.state == "closed" {
                let reason = self
                    .repo(repo)
                    .and_then(|r| r.issues.get(&number))
                    .and_then(|i| i.state_reason.clone());
                EventKind::Closed { reason }
            } else {
                EventKind::Reopened
            };
            self.record(repo, number, actor, kind);
        }
    }

    /// Records what `actor` did to issue `number`.
    pub fn record(&mut self, repo: &str, number: u64, actor: &str, kind: EventKind) {
        let id = self.id();
        let at = self.now();
        if let Some(i) = self.repo_mut(repo).and_then(|r| r.issues.get_mut(&number)) {
            i.events.push(IssueEvent {
                id,
                actor: actor.to_string(),
                at,
                kind,
            });
        }
    }

    /// Records a label (by id) added to or removed from issue `number`.
    pub fn record_label(&mut self, repo: &str, number: u64, actor: &str, label: u64, added: bool) {
        let Some(l) = self.repo(repo).and_then(|r| r.label_by_id(label)) else {
            return;
        };
        let (name, color) = (l.name.clone(), l.color.clone());
        let kind = if added {
            EventKind::Labeled { name, color }
        } else {
            EventKind::Unlabeled { name, color }
        };
        self.record(repo, number, actor, kind);
    }

    /// The logins of `wanted` that can be assigned on `repo` (canonical spelling, no duplicates).
    pub fn filter_assignable(
        &self,
        repo: &str,
        wanted: &[String],
        issue: Option<u64>,
    ) -> Vec<String> {
        let Some(r) = self.repo(repo) else {
            return Vec::new();
        };
        let mut out: Vec<String> = Vec::new();
        for w in wanted {
            if self.assignable(r, w, issue)
                && let Some(u) = self.user(w)
                && !out.iter().any(|o| o.eq_ignore_ascii_case(&u.login))
            {
                out.push(u.login.clone());
            }
        }
        out
    }

    /// Mark an issue changed now.
    pub fn touch(&mut self, repo: &str, number: u64) {
        let now = self.now();
        if let Some(i) = self.repo_mut(repo).and_then(|r| r.issues.get_mut(&number)) {
            i.updated_at = now;
        }
    }

    /// Add a comment to an issue; returns its id.
    pub fn new_comment(
        &mut self,
        repo: &str,
        number: u64,
        author: &str,
        body: &str,
    ) -> Option<u64> {
        if !self.repo(repo)?.issues.contains_key(&number) {
            return None;
        }
        self.ensure_user(author, None);
        let id = self.id();
        let now = self.now();
        self.repo_mut(repo)?.comments.insert(
            id,
            Comment {
                id,
                issue: number,
                user: author.to_string(),
                body: body.to_string(),
                created_at: now,
                updated_at: now,
                reactions: Vec::new(),
            },
        );
        self.touch(repo, number);
        Some(id)
    }

    /// Change a comment's body; false when there is no such comment.
    pub fn set_comment_body(&mut self, repo: &str, id: u64, body: &str) -> bool {
        let now = self.now();
        let Some(c) = self.repo_mut(repo).and_then(|r| r.comments.get_mut(&id)) else {
            return false;
        };
        c.body = body.to_string();
        c.updated_at = now;
        true
    }

    /// Delete a comment; false when there is no such comment.
    pub fn remove_comment(&mut self, repo: &str, id: u64) -> bool {
        let Some(c) = self.repo_mut(repo).and_then(|r| r.comments.remove(&id)) else {
            return false;
        };
        self.touch(repo, c.issue);
        true
    }

    /// Add `user`'s reaction to a comment (`Some(id)`) or an issue (`comment == None`). Returns the
    /// reaction and whether it is new.
    pub fn react(
        &mut self,
        repo: &str,
        number_or_comment: Target,
        user: &str,
        content: &str,
    ) -> Option<(Reaction, bool)> {
        self.ensure_user(user, None);
        let id = self.id();
        let now = self.now();
        let r = self.repo_mut(repo)?;
        let list = match number_or_comment {
            Target::Issue(n) => &mut r.issues.get_mut(&n)?.reactions,
            Target::Comment(c) => &mut r.comments.get_mut(&c)?.reactions,
        };
        if let Some(existing) = list
            .iter()
            .find(|x| x.content == content && x.user.eq_ignore_ascii_case(user))
        {
            return Some((existing.clone(), false));
        }
        let reaction = Reaction {
            id,
            user: user.to_string(),
            content: content.to_string(),
            created_at: now,
        };
        list.push(reaction.clone());
        Some((reaction, true))
    }

    /// Write a file on a branch (creating the branch from the default branch if missing); returns
    /// the new commit sha.
    pub fn write_file(
        &mut self,
        repo: &str,
        branch: &str,
        path: &str,
        content: Option<&str>,
        message: &str,
        author: &str,
    ) -> Option<String> {
        let r = self.repo(repo)?;
        let parent = match r.branch_sha(branch) {
            Some(s) => s.clone(),
            None => r.branch_sha(&r.default_branch)?.clone(),
        };
        let mut files = r.commits.get(&parent)?.files.clone();
        match content {
            Some(c) => {
                files.insert(path.to_string(), c.to_string());
            }
            None => {
                files.remove(path);
            }
        }
        let sha = self.sha(&format!("{repo}\0{branch}\0{path}"));
        let tree_sha = self.sha("tree");
        let now = self.now();
        let r = self.repo_mut(repo)?;
        r.commits.insert(
            sha.clone(),
            super::state::Commit {
                message: message.to_string(),
                parent: Some(parent),
                author: author.to_string(),
                date: now,
                tree_sha,
                files,
            },
        );
        r.refs.insert(format!("refs/heads/{branch}"), sha.clone());
        r.pushed_at = now;
        Some(sha)
    }
}

/// What a reaction is on.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    Issue(u64),
    Comment(u64),
}
