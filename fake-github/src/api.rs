//! The synchronous seeding and inspection API of [`FakeGitHub`].

use serde_json::Value;

use super::faults::Fault;
use super::ops::Target;
use super::shapes;
use super::state::{BranchProtection, Label, RequestRecord, UserKind};
use super::{
    CommentRef, CommentView, FakeGitHub, IssueRef, IssueView, LabelView, ReactionView, RepoHandle,
};

impl FakeGitHub {
    /// Add a repository ("owner/name"); the owner user is created if missing. Idempotent.
    pub fn add_repo(&self, full_name: &str) -> RepoHandle {
        let mut st = self.lock();
        let r = st.ensure_repo(full_name);
        RepoHandle {
            full_name: r.full_name(),
            owner: r.owner.clone(),
            name: r.name.clone(),
            id: r.id,
        }
    }

    /// Protect `branch` of `repo` with `rules` (`None` removes the protection).
    pub fn protect_branch(&self, repo: &str, branch: &str, rules: Option<BranchProtection>) {
        let mut st = self.lock();
        let r = st.ensure_repo(repo);
        match rules {
            Some(p) => r.protection.insert(branch.to_string(), p),
            None => r.protection.remove(branch),
        };
    }

    /// Add a user (or change its kind); returns its id.
    pub fn add_user(&self, login: &str, kind: UserKind) -> u64 {
        self.lock().ensure_user(login, Some(kind))
    }

    /// Requests with `Authorization: Bearer <token>` act as `login` (created if missing).
    pub fn set_token(&self, token: &str, login: &str) {
        let mut st = self.lock();
        st.ensure_user(login, None);
        st.tokens.insert(token.to_string(), login.to_string());
    }

    /// Make `token` a classic token with these OAuth scopes: every answer to it carries
    /// `x-oauth-scopes` (tokens without scopes, like App and Actions tokens, carry none).
    pub fn set_token_scopes(&self, token: &str, scopes: &[&str]) {
        self.lock().token_scopes.insert(
            token.to_string(),
            scopes.iter().map(|s| s.to_string()).collect(),
        );
    }

    /// Give `login` a role on the repository: "admin" | "maintain" | "write" | "triage" | "read" |
    /// "none". The repository and the user are created if missing.
    pub fn set_permission(&self, repo: &str, login: &str, perm: &str) {
        let mut st = self.lock();
        st.ensure_user(login, None);
        st.ensure_repo(repo)
            .permissions
            .insert(login.to_lowercase(), perm.to_string());
    }

    /// Make `login` a member of organization `org`.
    pub fn add_org_member(&self, org: &str, login: &str) {
        let mut st = self.lock();
        st.ensure_user(login, None);
        st.ensure_user(org, Some(UserKind::Organization));
        st.org_members
            .insert((org.to_lowercase(), login.to_lowercase()));
    }

    /// Make `login` an (active) member of team `org/team_slug`.
    pub fn add_team_member(&self, org: &str, team_slug: &str, login: &str) {
        let mut st = self.lock();
        st.ensure_user(login, None);
        st.teams
            .entry((org.to_lowercase(), team_slug.to_lowercase()))
            .or_default()
            .insert(login.to_lowercase());
    }

    /// Open an issue as `author` (unknown labels are created). The repository is created if missing.
    pub fn create_issue(
        &self,
        repo: &str,
        author: &str,
        title: &str,
        body: &str,
        labels: &[&str],
    ) -> IssueRef {
        let mut st = self.lock();
        st.ensure_repo(repo);
        let labels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
        let (number, id) = st
            .new_issue(repo, author, title, Some(body), &labels, &[])
            .unwrap_or((0, 0));
        IssueRef { number, id }
    }

    /// Comment on an issue as `author`. Panics if the issue does not exist (a test bug).
    pub fn create_comment(&self, repo: &str, issue: u64, author: &str, body: &str) -> CommentRef {
        let id = self
            .lock()
            .new_comment(repo, issue, author, body)
            .unwrap_or_else(|| panic!("fake GitHub: no issue {repo}#{issue}"));
        CommentRef { id }
    }

    /// Edit a comment's body (no-op if it does not exist).
    pub fn edit_comment(&self, repo: &str, comment_id: u64, body: &str) {
        self.lock().set_comment_body(repo, comment_id, body);
    }

    /// Replace an issue's body, as a person editing it (no-op if the issue does not exist).
    pub fn edit_issue_body(&self, repo: &str, number: u64, body: &str) {
        let mut st = self.lock();
        let now = st.now();
        if let Some(i) = st.repo_mut(repo).and_then(|r| r.issues.get_mut(&number)) {
            i.body = Some(body.to_string());
            i.updated_at = now;
            i.edited_at = Some(now);
        }
    }

    /// Retitle an issue as `by` (no-op if the issue does not exist); recorded as an event.
    pub fn set_issue_title(&self, repo: &str, number: u64, title: &str, by: &str) {
        let mut st = self.lock();
        let Some(before) = st.marks(repo, number) else {
            return;
        };
        let now = st.now();
        if let Some(i) = st.repo_mut(repo).and_then(|r| r.issues.get_mut(&number)) {
            i.title = title.to_string();
            i.updated_at = now;
        }
        st.record_changes(repo, number, by, &before);
    }

    /// Add an existing label to an issue as `by` (no-op if either is missing, or the issue has
    /// it already); recorded as an event.
    pub fn label_issue(&self, repo: &str, number: u64, name: &str, by: &str) {
        let mut st = self.lock();
        let Some(before) = st.marks(repo, number) else {
            return;
        };
        let now = st.now();
        let Some(r) = st.repo_mut(repo) else { return };
        let Some(label) = r.label_by_name(name).map(|l| l.id) else {
            return;
        };
        if let Some(i) = r.issues.get_mut(&number)
            && !i.labels.contains(&label)
        {
            i.labels.push(label);
            i.updated_at = now;
        }
        st.record_changes(repo, number, by, &before);
    }

    /// Delete a comment (no-op if it does not exist).
    pub fn delete_comment(&self, repo: &str, comment_id: u64) {
        self.lock().remove_comment(repo, comment_id);
    }

    /// React to a comment as `user`.
    pub fn react_to_comment(&self, repo: &str, comment_id: u64, user: &str, content: &str) {
        self.lock()
            .react(repo, Target::Comment(comment_id), user, content);
    }

    /// Create a label with a color and description (replacing color/description if it exists).
    pub fn add_label(&self, repo: &str, name: &str, color: &str, description: Option<&str>) {
        let mut st = self.lock();
        let id = st.id();
        let r = st.ensure_repo(repo);
        if let Some(l) = r
            .labels
            .iter_mut()
            .find(|l| l.name.eq_ignore_ascii_case(name))
        {
            l.color = color.to_string();
            l.description = description.map(str::to_string);
        } else {
            r.labels.push(Label {
                id,
                name: name.to_string(),
                color: color.to_string(),
                description: description.map(str::to_string),
                default: false,
            });
        }
    }

    /// Write a file on a branch (the branch is created from the default branch if missing).
    pub fn put_file(&self, repo: &str, branch: &str, path: &str, content: &str) {
        let mut st = self.lock();
        let owner = st.ensure_repo(repo).owner.clone();
        st.write_file(
            repo,
            branch,
            path.trim_start_matches('/'),
            Some(content),
            &format!("Update {path}"),
            &owner,
        );
    }

    /// The issue (or pull request) `number`.
    pub fn issue(&self, repo: &str, number: u64) -> Option<IssueView> {
        let st = self.lock();
        let r = st.repo(repo)?;
        let i = r.issues.get(&number)?;
        Some(IssueView {
            number: i.number,
            id: i.id,
            node_id: shapes::node_id(if i.pull.is_some() { "PR" } else { "I" }, i.id),
            title: i.title.clone(),
            body: i.body.clone(),
            state: i.state.clone(),
            state_reason: i.state_reason.clone(),
            labels: i
                .labels
                .iter()
                .filter_map(|id| r.label_by_id(*id))
                .map(|l| l.name.clone())
                .collect(),
            assignees: i.assignees.clone(),
            author: i.user.clone(),
            comments: r.comment_count(number),
            is_pull_request: i.pull.is_some(),
            parent: i.parent,
            sub_issues: i.sub_issues.clone(),
        })
    }

    /// Every issue and pull request number of the repository, ascending.
    pub fn issue_numbers(&self, repo: &str) -> Vec<u64> {
        self.lock()
            .repo(repo)
            .map(|r| r.issues.keys().copied().collect())
            .unwrap_or_default()
    }

    /// The comments of issue `number`, oldest first.
    pub fn comments(&self, repo: &str, number: u64) -> Vec<CommentView> {
        let st = self.lock();
        let Some(r) = st.repo(repo) else {
            return Vec::new();
        };
        r.comments
            .values()
            .filter(|c| c.issue == number)
            .map(|c| CommentView {
                id: c.id,
                author: c.user.clone(),
                body: c.body.clone(),
                created_at: c.created_at,
                updated_at: c.updated_at,
                reactions: c
                    .reactions
                    .iter()
                    .map(|x| ReactionView {
                        content: x.content.clone(),
                        user: x.user.clone(),
                    })
                    .collect(),
            })
            .collect()
    }

    /// Reactions on the issue itself.
    pub fn issue_reactions(&self, repo: &str, number: u64) -> Vec<ReactionView> {
        let st = self.lock();
        st.repo(repo)
            .and_then(|r| r.issues.get(&number))
            .map(|i| {
                i.reactions
                    .iter()
                    .map(|x| ReactionView {
                        content: x.content.clone(),
                        user: x.user.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Exactly what `GET /repos/{repo}/issues/{number}` returns (`Null` if missing).
    pub fn issue_json(&self, repo: &str, number: u64) -> Value {
        let st = self.lock();
        st.repo(repo)
            .and_then(|r| r.issues.get(&number).map(|i| shapes::issue(&st, r, i)))
            .unwrap_or(Value::Null)
    }

    /// Exactly what `GET /repos/{repo}/issues/comments/{id}` returns (`Null` if missing).
    pub fn comment_json(&self, repo: &str, comment_id: u64) -> Value {
        let st = self.lock();
        st.repo(repo)
            .and_then(|r| {
                r.comments
                    .get(&comment_id)
                    .map(|c| shapes::comment(&st, r, c))
            })
            .unwrap_or(Value::Null)
    }

    /// What `GET /repos/{repo}` returns, less the caller's `permissions` (`Null` if missing).
    pub fn repo_json(&self, repo: &str) -> Value {
        let st = self.lock();
        st.repo(repo)
            .map(|r| shapes::full_repository(&st, r))
            .unwrap_or(Value::Null)
    }

    /// Exactly what `GET /users/{login}` returns (`Null` if missing).
    pub fn user_json(&self, login: &str) -> Value {
        let st = self.lock();
        if st.user(login).is_none() {
            return Value::Null;
        }
        shapes::public_user(&st, login)
    }

    /// The repository's labels, in creation order.
    pub fn labels(&self, repo: &str) -> Vec<LabelView> {
        let st = self.lock();
        st.repo(repo)
            .map(|r| {
                r.labels
                    .iter()
                    .map(|l| LabelView {
                        name: l.name.clone(),
                        color: l.color.clone(),
                        description: l.description.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The content of a file on a branch.
    pub fn file(&self, repo: &str, branch: &str, path: &str) -> Option<String> {
        let st = self.lock();
        st.repo(repo)?
            .branch_files(branch)?
            .get(path.trim_start_matches('/'))
            .cloned()
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.lock().requests.clone()
    }

    /// The requests whose path is under `/repos/{repo}/` (or is `/repos/{repo}`).
    pub fn requests_for(&self, repo: &str) -> Vec<RequestRecord> {
        let prefix = format!("/repos/{}", repo.to_lowercase());
        self.lock()
            .requests
            .iter()
            .filter(|r| {
                let p = r.path.to_lowercase();
                p == prefix || p.starts_with(&format!("{prefix}/"))
            })
            .cloned()
            .collect()
    }

    /// Forget the request log.
    pub fn clear_requests(&self) {
        self.lock().requests.clear();
    }

    /// Add a fault rule (rules fire in insertion order).
    pub fn inject(&self, fault: Fault) {
        self.lock().faults.push(fault);
    }

    /// Remove every fault rule.
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// Use `t` as "now" for every timestamp from here on.
    pub fn set_now(&self, t: chrono::DateTime<chrono::Utc>) {
        self.lock().now_override = Some(t);
    }

    /// Go back to the real clock.
    pub fn clear_now(&self) {
        self.lock().now_override = None;
    }

    /// Set every caller's GraphQL budget (points an hour; GitHub's is 5,000), e.g. to 0 to see
    /// `RATE_LIMITED`.
    pub fn set_graphql_limit(&self, limit: u64) {
        self.lock().graphql.limit = limit;
    }

    /// Make GraphQL field `type_name.field` fail: with a resolver error of `kind` (`FORBIDDEN`,
    /// …) beside the data, or with `None` as a field the schema lacks (GitHub Enterprise Server
    /// without it: the whole document is refused). Served by `Issue` and `IssueComment`.
    pub fn fail_graphql_field(&self, type_name: &str, field: &str, kind: Option<&str>) {
        self.lock().graphql.field_faults.insert(
            (type_name.to_string(), field.to_string()),
            kind.map(str::to_string),
        );
    }

    /// GraphQL points spent so far by `login` (a user's token) this hour.
    pub fn graphql_used_by(&self, login: &str) -> u64 {
        self.lock()
            .graphql
            .used
            .get(&format!("user:{}", login.to_lowercase()))
            .copied()
            .unwrap_or(0)
    }
}
