//! The GitHub side of action items: fetching what the engine asked for ([`Need`]), opening an
//! item's issue exactly once, and attaching it to its incident.
//!
//! GitHub has no idempotency key for creating an issue, and search lags writes. So an item's
//! issue carries a hidden marker naming its incident and the command line that asked for it,
//! and before opening one we list the action items updated since that comment (a list call,
//! served from the database, not the search index) and take the one carrying the marker. A
//! create whose outcome is unknown (5xx, timeout) is followed by the same look-up, and fails
//! the run loudly when it finds nothing (the create may still be in flight); and after
//! every create a second look-up settles a race between two runs: the lowest number wins and
//! the run that opened a higher one closes it as a duplicate.

use chrono::{DateTime, Duration, Utc};

use crate::engine::{self, Facts, ItemIssue, LABEL_ACTION_ITEM, Need, OpenItem};
use crate::event::Issue;
use crate::github::{GitHub, GitHubError, IssuePatch, NewIssue};
use crate::incident::ItemState;

/// Fetches every need into `facts`.
pub async fn resolve(
    github: &GitHub,
    incident: u64,
    needs: &[Need],
    facts: &mut Facts,
) -> anyhow::Result<()> {
    // Look-ups first, creates in a later round: items then open in the order their lines
    // were written, and nothing is opened while another line still waits for a check.
    let lookups_pending = needs.iter().any(|n| !matches!(n, Need::Item { .. }));
    for need in needs {
        match need {
            Need::Item { .. } if lookups_pending => {}
            Need::Permission(login) => {
                let permission = github.permission(login).await?;
                facts
                    .permissions
                    .insert(login.to_ascii_lowercase(), permission);
            }
            Need::OpenItems => {
                let open = github.list_issues(LABEL_ACTION_ITEM, "open").await?;
                facts.open_items = Some(open.iter().map(OpenItem::from_issue).collect());
            }
            Need::Item { key, since, issue } => {
                let opened = find_or_open(github, incident, key, *since, issue).await?;
                facts.items.insert(key.clone(), opened);
            }
        }
    }
    Ok(())
}

fn state_of(issue: &Issue) -> ItemState {
    if issue.state == "closed" {
        ItemState::Closed
    } else {
        ItemState::Open
    }
}

fn item_issue(issue: &Issue) -> ItemIssue {
    ItemIssue {
        number: issue.number,
        id: issue.id,
        state: state_of(issue),
    }
}

/// Action items carrying the marker of (`incident`, `key`), lowest number first.
async fn find(
    github: &GitHub,
    incident: u64,
    key: &str,
    since: DateTime<Utc>,
) -> Result<Vec<Issue>, GitHubError> {
    // GitHub's timestamps have one-second resolution; a minute of slack costs nothing.
    let listed = github
        .list_issues_since(LABEL_ACTION_ITEM, "all", since - Duration::minutes(1))
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

/// The issue of item `key`: the one already opened, or a new one.
async fn find_or_open(
    github: &GitHub,
    incident: u64,
    key: &str,
    since: DateTime<Utc>,
    new: &NewIssue,
) -> anyhow::Result<ItemIssue> {
    if let Some(existing) = find(github, incident, key, since).await?.first() {
        tracing::info!(
            number = existing.number,
            key,
            "action item already opened; reusing it"
        );
        return Ok(item_issue(existing));
    }
    let created = match github.create_issue(new).await {
        Ok(created) => created,
        Err(error) if error.is_ambiguous() => {
            // It may have been created, or may still be: look, and never create blindly again
            // in this run — a create still in flight would make two. A re-run (the next event
            // or the sweep) finds it by its marker, or opens it.
            tracing::warn!(%error, key, "opening an action item failed ambiguously; looking for it");
            match find(github, incident, key, since).await?.into_iter().next() {
                Some(found) => found,
                None => {
                    return Err(anyhow::Error::new(error).context(format!(
                        "action item \"{}\" may not have been opened; re-run to finish (a re-run never opens a second one)",
                        new.title
                    )));
                }
            }
        }
        Err(error) => return Err(error.into()),
    };
    // Two runs may have opened it at once: the lowest number wins.
    let all = find(github, incident, key, since).await?;
    match all.first() {
        Some(winner) if winner.number != created.number => {
            tracing::warn!(
                duplicate = created.number,
                kept = winner.number,
                "another run opened this action item too; closing ours"
            );
            github
                .update_issue(
                    created.number,
                    &IssuePatch {
                        state: Some("closed".into()),
                        state_reason: Some("duplicate".into()),
                        ..IssuePatch::default()
                    },
                )
                .await?;
            Ok(item_issue(winner))
        }
        _ => Ok(item_issue(&created)),
    }
}

/// Attaches items to their incident. Attaching twice (a re-run after a failure between the
/// attach and the body update) is answered 422 by GitHub and is not an error.
pub async fn attach(github: &GitHub, incident: u64, items: &[(u64, u64)]) -> anyhow::Result<()> {
    for (number, id) in items {
        match github.add_sub_issue(incident, *id).await {
            Ok(()) => {}
            Err(error) if error.status() == Some(http::StatusCode::UNPROCESSABLE_ENTITY) => {
                tracing::info!(number, %error, "already a sub-issue");
            }
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}

/// The live states of every action item, for the sweep.
pub async fn states(github: &GitHub) -> anyhow::Result<std::collections::BTreeMap<u64, ItemState>> {
    Ok(github
        .list_issues(LABEL_ACTION_ITEM, "all")
        .await?
        .iter()
        .map(|i| (i.number, state_of(i)))
        .collect())
}
