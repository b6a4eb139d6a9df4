//! Gather: every read a decision needs, before it is made. The event's first read is one
//! GraphQL query ([`first_read`]: the issue, its newest comments, the configuration files),
//! with REST wherever it cannot serve. The issue's comments, the
//! postmortem pull request when the run concerns it (with its file, reviews and comments), the
//! team memberships of the comments' authors; then whatever the engine asks for ([`Need`]),
//! round by round, until the plan needs nothing more. Nothing here writes.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context as _;
use chrono::{DateTime, Duration, Utc};

use crate::config::Config;
use crate::engine::{
    self, ConfigAuthorizer, Facts, FileAt, Input, ItemIssue, LABEL_ACTION_ITEM, Listing, Need,
    Plan, PullRead, Trigger,
};
use crate::event::{Comment, Issue, IssueEvent};
use crate::github::conversation::Conversation;
use crate::github::{GitHub, GitHubError};
use crate::incident::PullFacts;
use crate::incident::section::Body;
use crate::postmortem::{self, markdown};

/// Rounds of "the engine asked for facts": permissions and open items, then the items'
/// issues, then the decision. More means a bug; the run fails loudly rather than loop.
const MAX_FACT_ROUNDS: usize = 5;

/// What was read for one decision over one issue.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Firebreak's own login.
    pub bot: String,
    pub issue: Issue,
    /// The issue's comments, oldest first: every one, or (the sweep) the recent ones.
    pub comments: Vec<Comment>,
    /// Which of the two `comments` holds.
    pub listing: Listing,
    /// The issue's body, parsed by the caller (the sweep).
    pub parsed: Option<Box<Body>>,
    /// What people did to the issue (labels, assignees, state, title), oldest first; `None`
    /// when this GitHub serves no issue timeline.
    pub events: Option<Vec<IssueEvent>>,
    pub trigger: Trigger,
    /// The postmortem pull request, when the run concerns it.
    pub pull: Option<PullRead>,
    /// Its comments (their `/action` lines run on the incident).
    pub pull_comments: Vec<Comment>,
    pub facts: Facts,
}

impl Snapshot {
    /// Reads the issue's comments and what the trigger concerns. `facts` may hold what the
    /// caller read for many issues at once (the sweep: every action item's state).
    pub async fn read(
        github: &GitHub,
        config: &Config,
        issue: Issue,
        trigger: Trigger,
        facts: Facts,
    ) -> anyhow::Result<Snapshot> {
        let conversation = read_conversation(github, issue.number).await?;
        Snapshot::assemble(github, config, issue, conversation, trigger, facts).await
    }

    /// The first snapshot from what the event's GraphQL read brought ([`first_read`]): its
    /// comments — every one, or the newest page ([`Listing::Newest`], which the engine decides
    /// from only when the incident's state proves nothing older is unseen, and otherwise asks
    /// for the whole list) — without a request when no event can be unrecorded; else the
    /// issue's whole timeline through REST, as [`Snapshot::read`] does. Events come only from
    /// REST (their ids are the `last_event` marks), so they are listed when the run is about
    /// one (a hand-made change), when the issue holds no incident yet (who labeled it), or when
    /// the newest change a person made to the issue is not the one the incident's state last
    /// saw (its run has not come, or a run wrote the body from an older read).
    pub async fn first(
        github: &GitHub,
        config: &Config,
        read: Conversation,
        trigger: Trigger,
        facts: Facts,
    ) -> anyhow::Result<Snapshot> {
        let bot = github.identity().await.to_string();
        let parsed = Body::parse(read.issue.body_text());
        let from_page = match parsed.incident() {
            Some(incident) if !matches!(trigger, Trigger::Hand(_)) => {
                !read.events_may_be_unrecorded(&bot, incident.last_event_node.as_deref())
            }
            _ => false,
        };
        let listing = if read.complete {
            Listing::All
        } else {
            Listing::Newest
        };
        if !from_page {
            let conversation = read_conversation(github, read.issue.number).await?;
            return Snapshot::assemble(github, config, read.issue, conversation, trigger, facts)
                .await;
        }
        if listing == Listing::Newest {
            tracing::info!(
                issue = read.issue.number,
                comments = read.issue.comments,
                listed = read.comments.len(),
                "more comments than one GraphQL page; deciding from the newest"
            );
        }
        let mut snapshot = Snapshot::assemble(
            github,
            config,
            read.issue,
            (read.comments, None),
            trigger,
            facts,
        )
        .await?;
        snapshot.listing = listing;
        Ok(snapshot)
    }

    /// How many comments the issue had when read: the page's count when it holds them all,
    /// the issue's when it holds the newest ([`Listing::Newest`]).
    pub fn comments_read(&self) -> u64 {
        match self.listing {
            Listing::Newest => self.issue.comments,
            Listing::All | Listing::Recent => self.comments.len() as u64,
        }
    }

    /// A snapshot from the issue and its conversation: reads what the trigger concerns.
    async fn assemble(
        github: &GitHub,
        config: &Config,
        issue: Issue,
        (comments, events): (Vec<Comment>, Option<Vec<IssueEvent>>),
        trigger: Trigger,
        mut facts: Facts,
    ) -> anyhow::Result<Snapshot> {
        let bot = github.identity().await.to_string();
        let pull = read_pull(github, config, &issue, &trigger).await?;
        let pull_comments = match &pull {
            Some(p) => github.list_comments(p.number).await?,
            None => Vec::new(),
        };
        if facts.default_branch.is_none() {
            facts.default_branch = github.default_branch_hint().map(str::to_string);
        }
        Ok(Snapshot {
            bot,
            issue,
            comments,
            listing: Listing::All,
            parsed: None,
            events,
            trigger,
            pull,
            pull_comments,
            facts,
        })
    }

    /// The sweep's snapshot: the issue as listed, and only its comments updated since the
    /// sweep's watermark, no events. Nothing is read: a decision over it writes nothing, or
    /// asks for the whole conversation first (comments and events, as [`Snapshot::read`]).
    pub fn recent(
        bot: String,
        issue: Issue,
        body: Body,
        comments: Vec<Comment>,
        facts: Facts,
    ) -> Snapshot {
        Snapshot {
            bot,
            issue,
            comments,
            listing: Listing::Recent,
            parsed: Some(Box::new(body)),
            events: None,
            trigger: Trigger::Sweep,
            pull: None,
            pull_comments: Vec::new(),
            facts,
        }
    }

    /// Decides, reading what the engine asks for until it asks for nothing more.
    pub async fn decide(
        &mut self,
        github: &GitHub,
        config: &Config,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Plan> {
        let mut rounds = 0;
        loop {
            let authorizer = ConfigAuthorizer::new(config, &self.facts);
            let plan = engine::decide(&Input {
                config,
                now,
                issue: &self.issue,
                comments: &self.comments,
                listing: self.listing,
                parsed: self.parsed.as_deref(),
                events: self.events.as_deref(),
                trigger: self.trigger.clone(),
                authorizer: &authorizer,
                facts: &self.facts,
                pull: self.pull.as_ref(),
                pull_comments: &self.pull_comments,
                limits: engine::Limits::GITHUB,
                bot: &self.bot,
            });
            let missing = authorizer.missing();
            if plan.needs.is_empty() && missing.is_empty() {
                return Ok(plan);
            }
            // Each round learns at least one team membership, so team rounds end by themselves.
            if !missing.is_empty() {
                read_teams(github, missing, &mut self.facts.teams).await;
                continue;
            }
            if plan.needs.contains(&Need::Comments) {
                // The sweep's partial listing: read everything, as a run on the issue does.
                let (comments, events) = read_conversation(github, self.issue.number).await?;
                self.comments = comments;
                self.events = events;
                self.listing = Listing::All;
            }
            rounds += 1;
            anyhow::ensure!(
                rounds <= MAX_FACT_ROUNDS,
                "deciding #{} still needs {:?} after {MAX_FACT_ROUNDS} rounds of look-ups",
                self.issue.number,
                plan.needs
            );
            resolve(github, self.issue.number, &plan.needs, &mut self.facts).await?;
        }
    }
}

/// The event's first read: the issue, its newest comments and the repository's Firebreak files
/// in one GraphQL query. `None` — with one log line saying why — when GitHub could not answer
/// it whole (errors beside data, `RATE_LIMITED`, a field its schema lacks, a failure after
/// retries): the run then reads through REST, as it always could.
pub async fn first_read(github: &GitHub, number: u64) -> Option<Conversation> {
    match github.read_conversation(number).await {
        Ok(read) => Some(read),
        Err(error) => {
            tracing::warn!(%error, "the GraphQL read of #{number} failed; reading through REST instead");
            None
        }
    }
}

/// The event changed a comment (`comment`, edited or `deleted`) that the newest page of
/// `read` does not show: the page cannot prove the change recorded, so it is dropped and the
/// run lists every comment (the engine decides from no empty page).
pub fn page_must_show(read: &mut Conversation, comment: u64, deleted: bool) {
    if !read.complete && (deleted || !read.comments.iter().any(|c| c.id == comment)) {
        read.comments.clear();
    }
}

/// The issue's comments and people's events (its timeline); only the comments, and `None`,
/// when this GitHub serves no timeline.
async fn read_conversation(
    github: &GitHub,
    number: u64,
) -> anyhow::Result<(Vec<Comment>, Option<Vec<IssueEvent>>)> {
    Ok(match github.list_timeline(number).await? {
        Some((comments, events)) => (comments, Some(events)),
        None => (github.list_comments(number).await?, None),
    })
}

/// Team memberships a decision asked about. A look-up that fails (a team that does not exist,
/// a token that may not read the organization's teams) means "not a member", with a warning:
/// it must not stop the incident.
async fn read_teams(
    github: &GitHub,
    missing: BTreeSet<(String, String)>,
    teams: &mut BTreeMap<(String, String), bool>,
) {
    for (team, login) in missing {
        let member = match github.is_team_member(&team, &login).await {
            Ok(member) => member,
            Err(error) => {
                tracing::warn!(%error, team, login, "cannot read a team membership; taking it as no");
                false
            }
        };
        teams.insert((team, login), member);
    }
}

/// Reads what the engine asked for into `facts`.
pub async fn resolve(
    github: &GitHub,
    incident: u64,
    needs: &[Need],
    facts: &mut Facts,
) -> anyhow::Result<()> {
    for need in needs {
        match need {
            Need::Permission(login) => {
                let permission = github.permission(login).await?;
                facts
                    .permissions
                    .insert(login.to_ascii_lowercase(), permission);
            }
            Need::Assignable(login) => {
                let assignable = github.can_be_assigned(login).await?;
                facts
                    .assignable
                    .insert(login.to_ascii_lowercase(), assignable);
            }
            Need::OpenItems => {
                let open = github.list_issues(LABEL_ACTION_ITEM, "open").await?;
                facts.open_items = Some(open);
            }
            Need::Item { key, since } => {
                let found = find_item(github, incident, key, *since).await?;
                facts
                    .items
                    .insert(key.clone(), found.first().map(ItemIssue::of));
            }
            Need::Labels => {
                let labels = github.list_labels().await?;
                facts.labels = Some(
                    labels
                        .into_iter()
                        .map(|l| l.name.to_ascii_lowercase())
                        .collect(),
                );
            }
            Need::DefaultBranch => {
                facts.default_branch = Some(github.default_branch().await?);
            }
            Need::Branch(branch) => {
                let sha = github.branch_sha(branch).await?;
                facts.branches.insert(branch.clone(), sha);
            }
            // Listed by `Snapshot::decide`, which keeps the comments.
            Need::Comments => {}
            Need::Handle(handle) => {
                let exists = match handle.split_once('/') {
                    Some((org, team)) => github.team_exists(org, team).await?,
                    None => github.user_exists(handle).await?,
                };
                facts.handles.insert(handle.to_ascii_lowercase(), exists);
            }
            Need::File { branch, path } => {
                let blob = github.read_blob(path, Some(branch)).await?;
                facts.files.insert(
                    (branch.clone(), path.clone()),
                    blob.map(|b| FileAt {
                        text: b.text,
                        sha: b.sha,
                    }),
                );
            }
        }
    }
    Ok(())
}

/// Action items carrying the marker of (`incident`, `key`), lowest number first. Listed, not
/// searched: search lags writes.
pub async fn find_item(
    github: &GitHub,
    incident: u64,
    key: &str,
    since: DateTime<Utc>,
) -> Result<Vec<Issue>, GitHubError> {
    // GitHub's timestamps have one-second resolution; a minute of slack costs nothing.
    let listed = github
        .list_issues_since(
            LABEL_ACTION_ITEM,
            "all",
            since
                .checked_sub_signed(Duration::minutes(1))
                .unwrap_or(since),
        )
        .await?;
    let mut found: Vec<Issue> = listed
        .into_iter()
        .filter(|i| {
            engine::parse_item_marker(i.body_text()).is_some_and(|(n, k)| n == incident && k == key)
        })
        .collect();
    found.sort_by_key(|i| i.number);
    Ok(found)
}

/// The postmortem pull request, when the run concerns it: the pull request, the file at its
/// head and its reviews.
async fn read_pull(
    github: &GitHub,
    config: &Config,
    issue: &Issue,
    trigger: &Trigger,
) -> anyhow::Result<Option<PullRead>> {
    let body = Body::parse(issue.body_text());
    let Some(incident) = body.incident() else {
        return Ok(None);
    };
    let Some((number, expected_branch)) =
        engine::postmortem::pull_to_read(config, issue.number, incident, &issue.state, trigger)
    else {
        return Ok(None);
    };
    let pull = github.get_pull(number).await?;
    // Only a pull request from this repository, on a branch of this incident, whose marker (if
    // any) names this incident, is its postmortem: whatever the incident's state says.
    let from_fork = pull
        .head
        .repo
        .as_ref()
        .is_none_or(|r| !r.full_name.eq_ignore_ascii_case(github.repo()));
    let other_incident = pull
        .body
        .as_deref()
        .and_then(postmortem::marked_incident)
        .is_some_and(|n| n != issue.number);
    if from_fork
        || other_incident
        || !postmortem::is_branch_of(config, issue.number, &pull.head.branch)
        || expected_branch.is_some_and(|b| pull.head.branch != b)
    {
        tracing::warn!(
            pull = number,
            head = pull.head.branch,
            "not read as the postmortem of #{}: a fork, another incident's, or another branch",
            issue.number
        );
        return Ok(None);
    }
    let path = postmortem::file_path(config, incident);
    let file = github
        .read_blob(&path, Some(&pull.head.sha))
        .await
        .with_context(|| format!("reading the postmortem of #{}", issue.number))?;
    let reviews = github.list_reviews(number).await?;
    let mut approvers = Vec::new();
    for login in engine::postmortem::approvers(reviews.iter().filter_map(|r| {
        let user = r.user.as_ref().filter(|u| !u.is_bot())?;
        Some((user.login.as_str(), r.state.as_str()))
    })) {
        // Approvals count only from people who could merge it.
        if matches!(
            github.permission(&login).await?.as_str(),
            "admin" | "maintain" | "write"
        ) {
            approvers.push(login);
        }
    }
    let facts = PullFacts {
        state: pull.state.clone(),
        merged: pull.merged(),
        merged_at: pull.merged_at,
        closed_at: pull.closed_at,
        merged_by: pull.merged_by.as_ref().map(|u| u.login.clone()),
        missing_sections: match &file {
            Some(blob) => {
                markdown::missing_sections(&blob.text, &config.postmortem.required_sections)
            }
            None => config.postmortem.required_sections.clone(),
        },
        approvers,
    };
    Ok(Some(PullRead {
        number,
        facts,
        head: pull.head.branch,
        base: pull.base.branch,
        file: file.map(|b| FileAt {
            text: b.text,
            sha: b.sha,
        }),
    }))
}
