//! Postmortems end to end on the in-memory GitHub (behind Prism when the conformance lane is
//! on): the draft pull request, its checklist, the close gate, the merge and the index, the
//! public version, template overrides.

use chrono::{NaiveDate, Utc};
use fake_github::payload;
use firebreak::config::PrivatePattern;
use firebreak::engine;
use firebreak::incident::section::{self, Body};
use firebreak::incident::{ActionItem, ActionType, Incident, ItemState};
use serde_json::json;

use crate::support::{self, BOT, Repo, pull_payload};

fn stable() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(
        r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}Z)?( UTC)?",
        "[time]",
    );
    s.add_filter(r"\d{4}-\d{2}-\d{2}", "[date]");
    s.add_filter(r"\(\+\d+(d \d+h|h \d+m|m)\)", "(+[duration])");
    s.add_filter(r"\b\d+(d \d+h|h \d{2}m|m)\b", "[duration]");
    s.add_filter(r"acme/[a-z0-9_-]+-\d+", "acme/[repo]");
    s.add_filter(r"issuecomment-\d+", "issuecomment-[id]");
    s.add_filter(r"#\d+", "#[n]");
    s.add_filter(r"incident=\d+", "incident=[n]");
    s.add_filter(r"postmortem/\d+-", "postmortem/[n]-");
    s.add_filter(r"firebreak:reply [^ ]+", "firebreak:reply [key]");
    s.add_filter(r"http://127\.0\.0\.1:\d+", "[server]");
    s
}

/// A declared SEV2 incident with an IC and an impact statement, requests log cleared.
async fn incident(repo: &Repo, title: &str) -> u64 {
    let n = repo.incident(title).await;
    repo.comment(n, "alice", "/ic @bob\n/impact EU card payments fail")
        .await;
    repo.clear_requests();
    n
}

fn state(repo: &Repo, n: u64) -> Incident {
    Body::parse(&repo.body(n))
        .incident()
        .cloned()
        .expect("state")
}

fn pull_of(repo: &Repo, n: u64) -> u64 {
    state(repo, n)
        .postmortem
        .and_then(|p| p.pull)
        .expect("a postmortem pull request")
}

fn draft_path(repo: &Repo, n: u64) -> (String, String) {
    let pm = state(repo, n).postmortem.unwrap();
    (pm.branch.unwrap(), pm.path.unwrap())
}

/// Puts an action item into the incident's state the way `/action` records it.
async fn put_action_item(repo: &Repo, n: u64, number: u64, owner: Option<&str>) {
    let issue = repo.client().get_issue(n).await.unwrap();
    let body = Body::parse(issue.body_text());
    let mut incident = body.incident().unwrap().clone();
    incident.action_items.push(ActionItem {
        key: format!("c{number}.1"),
        number: Some(number),
        title: "Alert on the checkout error rate".into(),
        owner: owner.map(str::to_string),
        priority: 1,
        kind: ActionType::Detect,
        due: NaiveDate::from_ymd_opt(2027, 1, 15).unwrap(),
        state: ItemState::Open,
        by: "bob".into(),
        at: Utc::now(),
    });
    let rendered = engine::docs::section(&repo.config, &incident, &issue.html_url, &[]);
    let text = section::compose(&body.before, &rendered, &incident, &body.after);
    repo.fake.edit_issue_body(&repo.name, n, &text);
}

fn review_payload(repo: &Repo, pr: u64, review: u64, reviewer: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "action": "submitted",
        "review": { "id": review, "state": "approved", "user": repo.fake.user_json(reviewer) },
        "pull_request": repo.fake.pull_json(&repo.name, pr),
        "repository": repo.fake.repo_json(&repo.name),
        "sender": repo.fake.user_json(reviewer),
    }))
    .unwrap()
}

/// The checklist comment on the pull request (exactly one).
fn checklist(repo: &Repo, pr: u64) -> String {
    let comments: Vec<String> = repo
        .fake
        .comments(&repo.name, pr)
        .into_iter()
        .filter(|c| c.author == BOT && c.body.contains("firebreak:checklist"))
        .map(|c| c.body)
        .collect();
    assert_eq!(comments.len(), 1, "one checklist comment: {comments:#?}");
    comments.into_iter().next().unwrap()
}

fn writes(calls: &[String]) -> Vec<&String> {
    calls.iter().filter(|c| !c.starts_with("GET")).collect()
}

/// Replaces the draft's placeholders with real text, on the branch (a person editing).
fn fill_sections(repo: &Repo, n: u64, extra_summary: &str) {
    let (branch, path) = draft_path(repo, n);
    let doc = repo.fake.file(&repo.name, &branch, &path).unwrap();
    let filled = doc
        .replace(
            "_TODO: What happened, in plain words._",
            &format!("A bad node rejected card payments. {extra_summary}"),
        )
        .replace(
            "_TODO: Our apology to customers: what it cost them, and that we are sorry._",
            "We are sorry: for 95 minutes you could not pay.",
        )
        .replace(
            "_TODO: Who was affected, how many, what they could not do, for how long._",
            "Every EU customer paying by card.",
        )
        .replace(
            "_TODO: The change or event that set it off._",
            "A kernel upgrade.",
        )
        .replace(
            "1. _TODO: Why did it happen?_",
            "1. The node ran out of CPU.",
        )
        .replace(
            "_TODO: How was it detected? How could we have found it sooner?_",
            "A customer told us; an error-rate alert would have.",
        )
        .replace(
            "_TODO: What stopped the impact, what fixed the cause, what recovery remained._",
            "Traffic moved, then the node was replaced.",
        )
        .replace(
            "_TODO: What we learned that others should know._",
            "Canary kernel upgrades.",
        );
    repo.fake.put_file(&repo.name, &branch, &path, &filled);
}

#[tokio::test]
async fn sev2_mitigated_opens_one_draft_pull_request_with_a_filled_file_in_six_calls() {
    let repo = support::repo("pm-draft");
    let n = incident(&repo, "Checkout errors").await;
    let c = repo
        .comment(n, "bob", "/status mitigated traffic moved to us-east")
        .await;

    assert_eq!(
        repo.labels(n),
        [
            "incident",
            "postmortem:required",
            "sev:2",
            "status:mitigated"
        ]
    );
    let pulls = repo.fake.pull_numbers(&repo.name);
    assert_eq!(pulls.len(), 1);
    let pr = repo.fake.pull(&repo.name, pulls[0]).unwrap();
    assert_eq!(pr_number(&repo, n), pr.number);
    assert!(pr.draft && pr.state == "open");
    assert_eq!(pr.head, format!("postmortem/{n}-checkout-errors"));
    assert_eq!(pr.base, "main");
    assert!(
        pr.body
            .as_deref()
            .unwrap()
            .contains(&format!("incident={n}"))
    );
    assert_eq!(
        repo.fake.issue(&repo.name, pr.number).unwrap().labels,
        ["postmortem"]
    );
    let (branch, path) = draft_path(&repo, n);
    assert!(path.starts_with("docs/postmortems/") && path.ends_with("-checkout-errors.md"));
    let file = repo.fake.file(&repo.name, &branch, &path).unwrap();
    for prefilled in [
        "| **Owner** | @bob |",
        "| **Incident commander** | @bob |",
        "EU card payments fail",
        "Status investigating → mitigated: traffic moved to us-east",
        "## Root cause (5 whys)",
        &format!("[Incident #{n}]"),
    ] {
        assert!(file.contains(prefilled), "{prefilled} missing:\n{file}");
    }
    assert!(
        repo.fake.file(&repo.name, "main", &path).is_none(),
        "only on the branch"
    );
    let list = checklist(&repo, pr.number);
    assert!(list.contains("- [ ] **Executive summary** is written"));
    assert!(list.contains("- [x] Owner: @bob"));
    let body = repo.body(n);
    assert!(body.contains("### Postmortem") && body.contains(&format!("#{}", pr.number)));

    // The budget: the usual run (labels, notice, reaction, body; the issue and its comments
    // are one GraphQL read, not counted here) plus six for the draft.
    let calls = repo.calls();
    let r = format!("/repos/{}", repo.name);
    let draft: Vec<&String> = calls
        .iter()
        .filter(|c| {
            c.contains("/git/")
                || c.contains("/contents/")
                || c.contains("/pulls")
                || c.contains(&format!("/issues/{}/", pr.number))
        })
        .collect();
    assert_eq!(
        draft,
        [
            &format!("GET {r}/git/ref/heads%2Fmain"),
            &format!("POST {r}/git/refs"),
            &format!("PUT {r}/contents/{}", path.replace('/', "%2F")),
            &format!("POST {r}/pulls"),
            &format!("POST {r}/issues/{}/labels", pr.number),
            &format!("POST {r}/issues/{}/comments", pr.number),
        ],
        "{calls:#?}"
    );
    assert_eq!(calls.len(), 11, "{calls:#?}");

    stable().bind(|| {
        insta::assert_snapshot!("draft_file", file);
        insta::assert_snapshot!("draft_pull_body", pr.body.clone().unwrap());
        insta::assert_snapshot!("draft_checklist", list);
    });

    // The same event again, and resolving: still one pull request, one branch, one comment.
    repo.clear_requests();
    repo.deliver_comment(n, c, "created").await.unwrap();
    assert!(writes(&repo.calls()).is_empty(), "{:?}", repo.calls());
    repo.comment(n, "bob", "/status resolved node replaced")
        .await;
    assert_eq!(repo.fake.pull_numbers(&repo.name).len(), 1);
    checklist(&repo, pr.number);
    let notice = repo.bot_comments(n).pop().unwrap();
    assert!(
        notice.contains("**Postmortem required** for SEV2, due ")
            && notice.contains(&format!("the draft is #{}", pr.number)),
        "{notice}"
    );
    assert!(state(&repo, n).postmortem.unwrap().due.is_some());
}

fn pr_number(repo: &Repo, n: u64) -> u64 {
    pull_of(repo, n)
}

#[tokio::test]
async fn a_lost_body_write_is_recovered_without_a_second_pull_request() {
    let repo = support::repo("pm-recover");
    let n = incident(&repo, "Queue backlog").await;
    let c = repo.comment(n, "bob", "/status mitigated drained").await;
    let pr = pull_of(&repo, n);
    // The run's body write is lost (another run overwrote it with the old state).
    let body = repo.body(n);
    let mut incident = Body::parse(&body).incident().unwrap().clone();
    incident.postmortem = None;
    let issue = repo.client().get_issue(n).await.unwrap();
    let parsed = Body::parse(&body);
    let rendered = engine::docs::section(&repo.config, &incident, &issue.html_url, &[]);
    repo.fake.edit_issue_body(
        &repo.name,
        n,
        &section::compose(&parsed.before, &rendered, &incident, &parsed.after),
    );
    repo.deliver_comment(n, c, "created").await.unwrap();
    assert_eq!(repo.fake.pull_numbers(&repo.name), [pr]);
    assert_eq!(pull_of(&repo, n), pr);
    checklist(&repo, pr);
}

#[tokio::test]
async fn checklist_ticks_as_sections_are_filled_and_a_review_approves_and_an_unchanged_refresh_writes_nothing()
 {
    let repo = support::repo("pm-checklist");
    let n = incident(&repo, "Login failures").await;
    repo.comment(n, "bob", "/status mitigated").await;
    let pr = pull_of(&repo, n);
    put_action_item(&repo, n, 900, Some("dave")).await;

    fill_sections(&repo, n, "");
    repo.clear_requests();
    repo.handle(
        "pull_request",
        &pull_payload(&repo, pr, "synchronize", "bob"),
    )
    .await
    .unwrap();
    let after_edit = checklist(&repo, pr);
    assert!(after_edit.contains("- [x] **Executive summary** is written"));
    assert!(after_edit.contains("- [x] At least one action item"));
    assert!(after_edit.contains("- [ ] 1 approving review"));
    // The file's action-item table caught up with the incident.
    let (branch, path) = draft_path(&repo, n);
    let file = repo.fake.file(&repo.name, &branch, &path).unwrap();
    assert!(file.contains("| #900 | Alert on the checkout error rate | @dave |"));
    assert!(
        after_edit.contains("- [x] **Action items** is written"),
        "{after_edit}"
    );
    assert!(
        repo.body(n).contains("- [x] **Trigger** is written"),
        "mirrored"
    );

    // The owner's own approval does not count; carol's does.
    let own = repo.fake.approve_pull(&repo.name, pr, "bob");
    repo.handle(
        "pull_request_review",
        &review_payload(&repo, pr, own, "bob"),
    )
    .await
    .unwrap();
    assert!(checklist(&repo, pr).contains("- [ ] 1 approving review"));
    let review = repo.fake.approve_pull(&repo.name, pr, "carol");
    repo.handle(
        "pull_request_review",
        &review_payload(&repo, pr, review, "carol"),
    )
    .await
    .unwrap();
    let approved = checklist(&repo, pr);
    assert!(
        approved.contains(
            "- [x] 1 approving review by someone other than the owner (1 so far: @carol)"
        )
    );
    assert!(approved.contains("- [ ] Pull request merged"));
    stable().bind(|| {
        insta::assert_snapshot!("checklist_written", after_edit);
        insta::assert_snapshot!("checklist_approved", approved);
    });

    // The same review delivered again: reads only.
    repo.clear_requests();
    repo.handle(
        "pull_request_review",
        &review_payload(&repo, pr, review, "carol"),
    )
    .await
    .unwrap();
    let calls = repo.calls();
    assert!(writes(&calls).is_empty(), "{calls:#?}");
}

#[tokio::test]
async fn closing_early_reopens_with_the_missing_list_and_so_does_closing_the_pull_request() {
    let repo = support::repo("pm-gate");
    let n = incident(&repo, "Search down").await;
    repo.comment(n, "bob", "/status resolved").await;
    let pr = pull_of(&repo, n);

    repo.fake.set_issue_state(&repo.name, n, "closed", "alice");
    let closed = payload::issues(&repo.fake, &repo.name, n, "closed", "alice", None, None);
    repo.handle("issues", &closed).await.unwrap();
    assert_eq!(repo.fake.issue(&repo.name, n).unwrap().state, "open");
    let reply = repo.bot_comments(n).pop().unwrap();
    assert!(reply.contains("Reopened: the postmortem is not merged yet"));
    assert!(reply.contains("- [ ] **Executive summary** is written"));
    assert!(reply.contains("- [ ] At least one action item"));
    assert!(
        !reply.contains("Owner"),
        "met requirements are not listed: {reply}"
    );
    // Delivered twice: one reply.
    repo.handle("issues", &closed).await.unwrap();
    let gates = repo
        .bot_comments(n)
        .iter()
        .filter(|c| c.contains("Reopened"))
        .count();
    assert_eq!(gates, 1);

    repo.fake.set_issue_state(&repo.name, pr, "closed", "alice");
    repo.handle("pull_request", &pull_payload(&repo, pr, "closed", "alice"))
        .await
        .unwrap();
    assert_eq!(
        repo.fake.pull(&repo.name, pr).unwrap().state,
        "open",
        "reopened"
    );
    let answer = repo.bot_comments(n).pop().unwrap();
    assert!(answer.contains(&format!("pull request #{pr} was closed without merging")));
    assert!(repo.body(n).contains("closed without merging"));
    stable().bind(|| {
        insta::assert_snapshot!("gate_reopened", reply);
        insta::assert_snapshot!("gate_pull_closed", answer);
    });
}

#[tokio::test]
async fn merge_closes_the_incident_with_a_final_entry_and_adds_the_index_line() {
    let repo = support::repo("pm-merge");
    let n = incident(&repo, "Payments timeouts").await;
    repo.comment(n, "bob", "/status resolved bad node replaced")
        .await;
    let pr = pull_of(&repo, n);
    put_action_item(&repo, n, 901, Some("dave")).await;
    fill_sections(&repo, n, "");
    repo.handle(
        "pull_request",
        &pull_payload(&repo, pr, "synchronize", "bob"),
    )
    .await
    .unwrap();
    repo.fake.approve_pull(&repo.name, pr, "carol");
    repo.fake.mark_ready(&repo.name, pr);
    repo.fake.merge_pull(&repo.name, pr, "carol").unwrap();
    repo.handle("pull_request", &pull_payload(&repo, pr, "closed", "carol"))
        .await
        .unwrap();

    let issue = repo.fake.issue(&repo.name, n).unwrap();
    assert_eq!(issue.state, "closed");
    assert!(repo.body(n).contains(&format!(
        "Postmortem #{pr} merged by carol; incident closed"
    )));
    let list = checklist(&repo, pr);
    assert!(!list.contains("- [ ]"), "all ticked: {list}");
    let index = repo
        .fake
        .file(&repo.name, "main", "docs/postmortems/README.md")
        .expect("the index");
    assert!(index.contains("[Payments timeouts](") && index.contains("· SEV2 ·"));
    let (_, path) = draft_path(&repo, n);
    assert!(
        repo.fake.file(&repo.name, "main", &path).is_some(),
        "merged"
    );

    // A second merged postmortem lands above it.
    let m = incident(&repo, "DNS outage").await;
    repo.comment(m, "bob", "/sev 1 everything down\n/status resolved")
        .await;
    let pr2 = pull_of(&repo, m);
    put_action_item(&repo, m, 902, Some("dave")).await;
    fill_sections(&repo, m, "");
    repo.handle(
        "pull_request",
        &pull_payload(&repo, pr2, "synchronize", "bob"),
    )
    .await
    .unwrap();
    repo.fake.approve_pull(&repo.name, pr2, "carol");
    repo.fake.approve_pull(&repo.name, pr2, "alice");
    repo.fake.mark_ready(&repo.name, pr2);
    repo.fake.merge_pull(&repo.name, pr2, "alice").unwrap();
    repo.handle("pull_request", &pull_payload(&repo, pr2, "closed", "alice"))
        .await
        .unwrap();
    let index = repo
        .fake
        .file(&repo.name, "main", "docs/postmortems/README.md")
        .unwrap();
    let lines: Vec<&str> = index.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(lines.len(), 2, "{index}");
    assert!(lines[0].contains("DNS outage"), "newest first: {index}");
    assert!(lines[1].contains("Payments timeouts") && lines[1].contains("· SEV2 ·"));
    assert!(lines[0].contains("· SEV1 ·"));
    stable().bind(|| insta::assert_snapshot!("index", index));

    // Delivered again: nothing written.
    repo.clear_requests();
    repo.handle("pull_request", &pull_payload(&repo, pr2, "closed", "alice"))
        .await
        .unwrap();
    assert!(writes(&repo.calls()).is_empty(), "{:?}", repo.calls());
}

#[tokio::test]
async fn sev4_resolved_opens_no_pull_request_and_says_the_postmortem_is_optional() {
    let repo = support::repo("pm-optional");
    let n = incident(&repo, "Typo on the status page").await;
    repo.comment(n, "bob", "/sev 4 cosmetic only").await;
    repo.comment(n, "bob", "/status resolved").await;
    assert!(repo.fake.pull_numbers(&repo.name).is_empty());
    assert!(!repo.labels(n).contains(&"postmortem:required".to_string()));
    let notice = repo.bot_comments(n).pop().unwrap();
    assert!(notice.contains("**Postmortem optional** for SEV4: `/postmortem` starts one."));
    // Closing is fine without one.
    repo.fake.set_issue_state(&repo.name, n, "closed", "alice");
    let closed = payload::issues(&repo.fake, &repo.name, n, "closed", "alice", None, None);
    repo.handle("issues", &closed).await.unwrap();
    assert_eq!(repo.fake.issue(&repo.name, n).unwrap().state, "closed");

    // `/postmortem` starts one anyway; `/postmortem owner` hands it over.
    repo.comment(n, "bob", "/postmortem\n/postmortem owner @carol")
        .await;
    let pr = pull_of(&repo, n);
    let list = checklist(&repo, pr);
    assert!(list.contains("- [x] Owner: @carol"));
    assert!(
        !list.contains("At least one action item"),
        "optional: {list}"
    );
}

fn public_config(repo: &mut Repo) {
    repo.config.postmortem.public.private_patterns = vec![
        PrivatePattern::new(r"[a-z0-9-]+\.corp\.acme").unwrap(),
        PrivatePattern::new(r"https://jira\.acme\.internal/[^\s)]+").unwrap(),
    ];
}

#[tokio::test]
async fn public_version_redacts_every_planted_name_mention_email_and_private_url() {
    let mut repo = support::repo("pm-public");
    public_config(&mut repo);
    let n = incident(&repo, "Checkout errors").await;
    repo.comment(n, "carol", "/responder @dave\n/status mitigated")
        .await;
    repo.comment(
        n,
        "dave",
        "db-7.corp.acme is at 100% CPU, mail ops@acme.com",
    )
    .await;
    let pr = pull_of(&repo, n);
    fill_sections(
        &repo,
        n,
        "Dave and Bob saw db-7.corp.acme fail (https://jira.acme.internal/browse/OPS-7); @carol and carol@acme.com fixed it.",
    );
    repo.comment(n, "alice", "/postmortem public").await;
    let (branch, _) = draft_path(&repo, n);
    let public = repo
        .fake
        .file(
            &repo.name,
            &branch,
            &state(&repo, n).postmortem.unwrap().public_path.unwrap(),
        )
        .expect("the public version on the pull request's branch");
    for planted in [
        "dave",
        "Dave",
        "bob",
        "Bob",
        "carol",
        "alice",
        "corp.acme",
        "jira.acme",
        "acme.com",
        "@",
    ] {
        assert!(!public.contains(planted), "`{planted}` leaked:\n{public}");
    }
    assert!(public.contains("We are sorry: for 95 minutes you could not pay."));
    let reply = repo.bot_comments(n).pop().unwrap();
    assert!(reply.contains("Public postmortem published"), "{reply}");
    assert!(checklist(&repo, pr).contains("Pull request merged"));
    stable().bind(|| {
        insta::assert_snapshot!("public_version", public);
        insta::assert_snapshot!("public_published_reply", reply);
    });
}

#[tokio::test]
async fn public_version_is_refused_while_a_private_pattern_is_left_and_says_where() {
    let mut repo = support::repo("pm-public-refused");
    public_config(&mut repo);
    let n = incident(&repo, "Checkout errors").await;
    repo.comment(n, "bob", "/status mitigated").await;
    fill_sections(&repo, n, "Status was on db-7.corp&#46;acme.");
    repo.comment(n, "alice", "/postmortem public").await;
    let pm = state(&repo, n).postmortem.unwrap();
    assert!(pm.public_path.is_none());
    let public_dir_files = repo.fake.file(
        &repo.name,
        pm.branch.as_deref().unwrap(),
        &format!(
            "docs/postmortems/public/{}",
            pm.path.unwrap().rsplit('/').next().unwrap()
        ),
    );
    assert!(public_dir_files.is_none(), "nothing written");
    let reply = repo.bot_comments(n).pop().unwrap();
    assert!(reply.contains("was not published"), "{reply}");
    assert!(
        reply.contains("| Summary | private pattern `[a-z0-9-]+\\.corp\\.acme` |"),
        "{reply}"
    );
    stable().bind(|| insta::assert_snapshot!("public_refused_reply", reply));
}

#[tokio::test]
async fn a_template_override_replaces_its_template_and_a_broken_one_is_a_config_error() {
    let repo = support::repo("pm-templates");
    repo.fake.put_file(
        &repo.name,
        "main",
        ".github/firebreak/templates/checklist.md.hbs",
        "Our checklist: {{done}} of {{total}}\n\n{{#each checks}}\n- [{{#if done}}x{{else}} {{/if}}] {{{text}}}\n{{/each}}\n\n{{{marker}}}\n",
    );
    let workspace = tempfile::tempdir().unwrap();
    let config = firebreak::run::config::load_config(&repo.client(), workspace.path(), None)
        .await
        .unwrap();
    assert_eq!(config.templates.len(), 1);
    let mut repo = repo;
    repo.config = config;
    let n = incident(&repo, "Cache stampede").await;
    repo.comment(n, "bob", "/status mitigated").await;
    let list = checklist(&repo, pull_of(&repo, n));
    assert!(list.starts_with("Our checklist: "), "{list}");
    // The postmortem file still comes from the built-in template.
    let (branch, path) = draft_path(&repo, n);
    assert!(
        repo.fake
            .file(&repo.name, &branch, &path)
            .unwrap()
            .starts_with("# Postmortem: ")
    );

    repo.fake.put_file(
        &repo.name,
        "main",
        ".github/firebreak/templates/postmortem.md.hbs",
        "# {{title}\n",
    );
    let err = firebreak::run::config::load_config(&repo.client(), workspace.path(), None)
        .await
        .unwrap_err();
    assert_eq!(firebreak::exit_code_for(&err), 2);
    assert!(
        err.to_string()
            .contains(".github/firebreak/templates/postmortem.md.hbs: line 1"),
        "{err}"
    );
}

#[tokio::test]
async fn a_pull_request_naming_an_incident_it_does_not_belong_to_changes_nothing() {
    let repo = support::repo("pm-forged");
    let n = incident(&repo, "Forged").await;
    repo.comment(n, "bob", "/status mitigated").await;
    let body = repo.body(n);
    repo.fake.put_file(&repo.name, "evil", "x.md", "x");
    let forged = repo.fake.create_pull(
        &repo.name,
        "mallory",
        "Not a postmortem",
        &format!("<!-- firebreak:postmortem incident={n} -->"),
        "evil",
        "main",
        false,
    );
    repo.fake
        .set_issue_state(&repo.name, forged.number, "closed", "mallory");
    repo.handle(
        "pull_request",
        &pull_payload(&repo, forged.number, "closed", "mallory"),
    )
    .await
    .unwrap();
    assert_eq!(repo.body(n), body);
    assert_eq!(repo.fake.issue(&repo.name, n).unwrap().state, "open");
}
