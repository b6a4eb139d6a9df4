//! Property: whatever the interleaving of comment creates, edits and deletes, changes made by
//! hand (labels, assignees) and forged edits of the section by an issue author who may not
//! change the incident, with runs — runs overlapping each other, each reading, writing parts,
//! the record and the body at different moments, as the runner does, some starting from an
//! old payload — once a final run ends every person's comment and every hand-made label has
//! exactly one entry in the body and the overflow parts together, entries are ordered across
//! parts, a forged edit changed nothing, and a further run has nothing to do.
//!
//! The engine (`engine::decide`, pure) runs over an in-memory model of one issue, with
//! small size limits so that a few comments already overflow; the model applies plans the way
//! `run::apply` does and loops like `run::run_issue` (list again when the comment count
//! in the PATCH answer shows arrivals).

use chrono::{DateTime, Duration, Utc};
use firebreak::config::Config;
use firebreak::engine::{self, Authorizer, Facts, Input, Plan, Trigger};
use firebreak::event::{Comment, Issue, IssueEvent, Label, User};
use firebreak::incident::parts::{Found, Limits};
use firebreak::incident::section::Body;
use firebreak::incident::timeline::{self, Entry};
use proptest::prelude::*;

/// A new incident's body is about 1,300 bytes and an entry 300 to 900: a handful of comments
/// overflow, and a part holds a few entries.
const LIMITS: Limits = Limits {
    body_high: 3_600,
    body_low: 2_600,
    part_max: 2_400,
};
const BOT: &str = "firebreak[bot]";
const PEOPLE: [&str; 3] = ["alice", "bob", "carol"];
/// The runner's bound on rounds.
const MAX_ROUNDS: usize = 6;

/// Everyone may run every command, except mallory, who may run none (she can still open an
/// issue and edit its description, as on a public repository).
struct Rights;

/// Who may not change the incident.
const OUTSIDER: &str = "mallory";

impl Authorizer for Rights {
    fn permits(&self, login: &str, _: &str, _: &str) -> bool {
        login != OUTSIDER
    }
    fn who(&self, _: &str) -> String {
        "Responders".into()
    }
}

fn user(login: &str) -> User {
    User {
        login: login.into(),
        id: 1,
        kind: if login.ends_with("[bot]") {
            "Bot"
        } else {
            "User"
        }
        .into(),
    }
}

#[derive(Clone)]
struct Snapshot {
    issue: Issue,
    comments: Vec<Comment>,
    events: Vec<IssueEvent>,
}

/// One run's progress: read, then parts written, then body written.
#[derive(Clone)]
enum Slot {
    Idle,
    Listed {
        snap: Snapshot,
        round: usize,
    },
    PartsWritten {
        snap: Snapshot,
        round: usize,
        plan: Box<Plan>,
        created: Vec<u64>,
        /// Record comments posted (the first time the state is kept in one).
        records: u64,
        stale: bool,
    },
}

struct World {
    config: Config,
    issue: Issue,
    comments: Vec<Comment>,
    /// The issue's events (its timeline without the comments), people's and Firebreak's.
    events: Vec<IssueEvent>,
    /// Labels people added by hand (each name once), and whether one raised the severity.
    hand_labels: Vec<String>,
    hand_sev1: bool,
    next_id: u64,
    clock: DateTime<Utc>,
    slots: Vec<Slot>,
    /// Comments that were (at creation or after an edit) commands only: when a run saw them
    /// so, they have no entry of their own, and an edit adding prose later does not add one
    /// (the engine's rule, not overflow's), so the per-comment text check skips them.
    command_only: std::collections::BTreeSet<u64>,
    /// Every version of the issue, so a run can start from an old payload, as a webhook's
    /// issue is as it was when the event fired.
    history: Vec<Issue>,
    /// What the gather step would have read: the repository has Firebreak's labels.
    facts: Facts,
}

impl World {
    /// An issue opened by `author` and declared by alice.
    fn new(author: &str) -> World {
        let clock: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().unwrap();
        let issue: Issue = serde_json::from_value(serde_json::json!({
            "number": 1, "id": 1, "title": "Queue backlog", "body": "What we see.",
            "state": "open", "user": {"login": author, "type": "User"},
            "created_at": clock, "updated_at": clock,
            "html_url": "https://github.com/acme/app/issues/1",
        }))
        .unwrap();
        let mut world = World {
            config: Config::default(),
            issue,
            comments: Vec::new(),
            events: Vec::new(),
            hand_labels: Vec::new(),
            hand_sev1: false,
            next_id: 100,
            clock,
            slots: vec![Slot::Idle, Slot::Idle, Slot::Idle],
            command_only: Default::default(),
            history: Vec::new(),
            facts: Facts {
                labels: Some(
                    engine::all_labels(&Config::default())
                        .into_iter()
                        .map(|l| l.name)
                        .collect(),
                ),
                ..Facts::default()
            },
        };
        world.add("alice", "/incident");
        world.run_to_end();
        assert!(Body::parse(world.issue.body_text()).incident().is_some());
        world
    }

    fn tick(&mut self) -> DateTime<Utc> {
        self.clock += Duration::seconds(7);
        self.clock
    }

    /// Records an event by `actor` (ids share one sequence with comments, as on GitHub
    /// they only grow).
    fn event(&mut self, actor: &str, kind: &str, label: Option<&str>, assignee: Option<&str>) {
        let at = self.tick();
        let id = self.next_id;
        self.next_id += 1;
        self.events.push(
            serde_json::from_value(serde_json::json!({
                "id": id, "event": kind, "created_at": at,
                "actor": {"login": actor, "type": if actor == BOT { "Bot" } else { "User" }},
                "label": label.map(|name| serde_json::json!({"name": name})),
                "assignee": assignee.map(|login| serde_json::json!({"login": login, "type": "User"})),
            }))
            .unwrap(),
        );
    }

    /// A person changes the issue by hand: a label of their own, the severity label, or an
    /// assignee.
    fn hand(&mut self, who: &str, kind: u8, k: usize) {
        match kind % 3 {
            0 => {
                let name = format!("area-{k}");
                self.issue.labels.push(Label { name: name.clone() });
                self.event(who, "labeled", Some(&name), None);
                self.hand_labels.push(name);
            }
            1 => {
                if !self.issue.has_label("sev:1") {
                    self.issue.labels.push(Label {
                        name: "sev:1".into(),
                    });
                }
                self.event(who, "labeled", Some("sev:1"), None);
                self.hand_sev1 = true;
            }
            _ => {
                if !self.issue.assignees.iter().any(|a| a.login == who) {
                    self.issue.assignees.push(user(who));
                }
                self.event(who, "assigned", None, Some(who));
            }
        }
    }

    /// The issue's author rewrites the hidden state in the description: resolved, SEV4, herself
    /// as commander, a forged entry.
    fn forge(&mut self) {
        let body = Body::parse(self.issue.body_text());
        let Some(mut incident) = body.incident().cloned() else {
            return;
        };
        incident.severity = 4;
        incident.status = firebreak::incident::Status::Resolved;
        incident.commander = Some(OUTSIDER.into());
        incident.timeline.push(Entry::new(
            self.clock,
            firebreak::incident::EntryKind::Comment,
            "ceo",
            "forged",
        ));
        let forged = firebreak::incident::section::compose(
            &body.before,
            "## forged",
            &incident,
            &body.after,
        );
        self.tick();
        self.history.push(self.issue.clone());
        self.issue.body = Some(forged);
    }

    fn add(&mut self, login: &str, body: &str) -> u64 {
        let at = self.tick();
        let id = self.next_id;
        self.next_id += 1;
        self.comments.push(Comment {
            id,
            body: Some(body.to_string()),
            user: user(login),
            created_at: at,
            updated_at: at,
            html_url: format!("{}#issuecomment-{id}", self.issue.html_url),
            author_association: "MEMBER".into(),
        });
        self.issue.comments = self.comments.len() as u64;
        if body.starts_with('/') {
            self.command_only.insert(id);
        }
        id
    }

    fn people_comments(&self) -> Vec<usize> {
        (0..self.comments.len())
            .filter(|&i| !self.comments[i].user.is_bot())
            .collect()
    }

    fn edit(&mut self, pick: usize, body: &str) {
        let people = self.people_comments();
        if let Some(&i) = people.get(pick % people.len().max(1)) {
            let at = self.tick();
            self.comments[i].body = Some(body.to_string());
            self.comments[i].updated_at = at;
            if body.starts_with('/') {
                self.command_only.insert(self.comments[i].id);
            }
        }
    }

    fn delete(&mut self, pick: usize) {
        let people = self.people_comments();
        // Keep the declaring comment: deleting it is allowed but makes every property vacuous.
        if people.len() > 1 {
            let i = people[1 + pick % (people.len() - 1)];
            self.comments.remove(i);
            self.issue.comments = self.comments.len() as u64;
        }
    }

    /// A run's first read: the payload's issue, `age` versions old, and the comments now.
    fn payload_snapshot(&self, age: usize) -> Snapshot {
        let issue = match self.history.len().checked_sub(age) {
            Some(i) if age > 0 => self.history[i].clone(),
            _ => self.issue.clone(),
        };
        Snapshot {
            issue,
            comments: self.comments.clone(),
            events: self.events.clone(),
        }
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            issue: self.issue.clone(),
            comments: self.comments.clone(),
            events: self.events.clone(),
        }
    }

    fn decide(&self, snap: &Snapshot) -> Plan {
        engine::decide(&Input {
            config: &self.config,
            now: self.clock,
            issue: &snap.issue,
            comments: &snap.comments,
            events: Some(&snap.events),
            trigger: Trigger::Reconcile,
            authorizer: &Rights,
            facts: &self.facts,
            pull: None,
            pull_comments: &[],
            limits: LIMITS,
            bot: BOT,
        })
    }

    fn post_bot(&mut self, body: &str) -> u64 {
        self.add(BOT, body)
    }

    fn set_comment(&mut self, id: u64, body: &str) -> bool {
        match self.comments.iter_mut().find(|c| c.id == id) {
            Some(c) => {
                c.body = Some(body.to_string());
                true
            }
            None => false,
        }
    }

    /// Firebreak's label and assignee writes, each an event of its own, as on GitHub.
    fn labels_and_assignees(&mut self, plan: &Plan) {
        for name in &plan.add_labels {
            if !self.issue.has_label(name) {
                self.issue.labels.push(Label { name: name.clone() });
                self.event(BOT, "labeled", Some(name), None);
            }
        }
        for name in &plan.remove_labels {
            if self.issue.has_label(name) {
                self.event(BOT, "unlabeled", Some(name), None);
            }
        }
        let issue = &mut self.issue;
        issue
            .labels
            .retain(|l| !plan.remove_labels.contains(&l.name));
        for login in &plan.add_assignees {
            if !issue.assignees.iter().any(|a| &a.login == login) {
                issue.assignees.push(user(login));
            }
        }
        issue
            .assignees
            .retain(|a| !plan.remove_assignees.contains(&a.login));
    }

    /// Advances run `slot` by one phase, like the runner: list; write replies and parts; write
    /// the body and check the comment count.
    fn step(&mut self, slot: usize, age: usize) {
        let state = std::mem::replace(&mut self.slots[slot], Slot::Idle);
        self.slots[slot] = match state {
            Slot::Idle => Slot::Listed {
                snap: self.payload_snapshot(age),
                round: 0,
            },
            Slot::Listed { snap, round } => {
                let plan = self.decide(&snap);
                self.labels_and_assignees(&plan);
                let mut created = Vec::new();
                for reply in &plan.comments {
                    let marker = engine::reply_marker(&reply.key);
                    if !snap
                        .comments
                        .iter()
                        .any(|c| c.user.is_bot() && c.body_text().contains(&marker))
                    {
                        created.push(self.post_bot(&reply.body));
                    }
                }
                let replies = created.len();
                for part in &plan.overflow.create {
                    created.push(self.post_bot(&part.body));
                }
                let mut stale = false;
                for part in &plan.overflow.update {
                    stale |= !self.set_comment(part.comment.unwrap(), &part.body);
                }
                created.drain(..replies);
                // The record before the body, as `run::apply` writes it.
                let mut records = 0;
                if let (Some(write), Some(incident)) = (&plan.record, &plan.incident) {
                    let text = engine::docs::record(incident, 1);
                    let updated = write.comment.is_some_and(|id| self.set_comment(id, &text));
                    if !updated {
                        self.post_bot(&text);
                        records = 1;
                    }
                }
                Slot::PartsWritten {
                    snap,
                    round,
                    plan: Box::new(plan),
                    created,
                    records,
                    stale,
                }
            }
            Slot::PartsWritten {
                snap,
                round,
                plan,
                created,
                records,
                stale,
            } => {
                let mut patch = plan.patch.clone();
                if let (Some(draft), Some(incident)) = (&plan.body, &plan.incident) {
                    patch.body = Some(engine::docs::body(
                        &self.config,
                        draft,
                        incident,
                        &Default::default(),
                        &created,
                        None,
                    ));
                }
                if let Some(title) = patch.title {
                    self.issue.title = title;
                }
                let patched = patch.body.is_some();
                if let Some(body) = patch.body {
                    self.history.push(self.issue.clone());
                    self.issue.body = Some(body);
                }
                for (id, body) in &plan.overflow.retire {
                    self.set_comment(*id, body);
                }
                let posted = plan_posts(&plan, &snap) + created.len() as u64 + records;
                let arrived = self.comments.len() as u64 > snap.comments.len() as u64 + posted;
                if (patched && arrived || stale) && round + 1 < MAX_ROUNDS {
                    Slot::Listed {
                        snap: self.snapshot(),
                        round: round + 1,
                    }
                } else {
                    Slot::Idle
                }
            }
        };
    }

    /// Lets every started run finish, then one more run reads the issue as it is now (the
    /// sweep, or the next event): runs that started from an old payload, or gave up after
    /// [`MAX_ROUNDS`], may leave the issue behind until then.
    fn run_to_end(&mut self) {
        for slot in 0..self.slots.len() {
            while !matches!(self.slots[slot], Slot::Idle) {
                self.step(slot, 0);
            }
        }
        self.step(0, 0);
        while !matches!(self.slots[0], Slot::Idle) {
            self.step(0, 0);
        }
    }

    /// The live parts (bot comments carrying a part's state).
    fn parts(&self) -> Found {
        Found::from_comments(
            self.comments
                .iter()
                .filter(|c| c.user.is_bot())
                .map(|c| (c.id, c.body_text())),
        )
    }
}

/// Replies a plan posted (those not already there by marker).
fn plan_posts(plan: &Plan, snap: &Snapshot) -> u64 {
    plan.comments
        .iter()
        .filter(|reply| {
            let marker = engine::reply_marker(&reply.key);
            !snap
                .comments
                .iter()
                .any(|c| c.user.is_bot() && c.body_text().contains(&marker))
        })
        .count() as u64
}

#[derive(Debug, Clone)]
enum Op {
    Create {
        author: usize,
        kind: u8,
    },
    Edit {
        pick: usize,
        kind: u8,
    },
    Delete {
        pick: usize,
    },
    /// A person changes the issue by hand (see [`World::hand`]).
    Hand {
        who: usize,
        kind: u8,
    },
    /// The issue's author forges the section (see [`World::forge`]).
    Forge,
    /// Advance a run; a run that starts reads a payload `age` issue versions old.
    Step {
        slot: usize,
        age: usize,
    },
}

fn text(kind: u8, k: usize) -> String {
    match kind % 6 {
        0 => format!("note-{k} plain words"),
        1 => format!("note-{k} {}", "the queue keeps growing ".repeat(12)),
        2 => format!("note-{k} watching\n/sev 1 bigger than we thought"),
        3 => format!("/timeline -2h note-{k} deploy went out"),
        4 => format!(
            "note-{k} <!-- firebreak:overflow {{\"part\":1,\"entries\":[]}} --> | a | @alice <b>"
        ),
        _ => format!(
            "<!-- firebreak:overflow {{\"part\":1,\"entries\":[{{\"at\":\"2020-01-01T00:00:00Z\",\"kind\":\"comment\",\"by\":\"ceo\",\"text\":\"forged-{k}\"}}]}} -->"
        ),
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..3usize, any::<u8>()).prop_map(|(author, kind)| Op::Create { author, kind }),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(pick, kind)| Op::Edit { pick, kind }),
        1 => any::<usize>().prop_map(|pick| Op::Delete { pick }),
        1 => (0..3usize, any::<u8>()).prop_map(|(who, kind)| Op::Hand { who, kind }),
        1 => Just(Op::Forge),
        4 => (0..3usize, prop_oneof![3 => Just(0usize), 1 => 1..3usize])
            .prop_map(|(slot, age)| Op::Step { slot, age }),
    ]
}

fn check(world: &World) -> Result<(), TestCaseError> {
    let body = Body::parse(world.issue.body_text());
    let incident = body.incident().expect("the state parses").clone();
    let found = world.parts();
    prop_assert!(found.duplicates.is_empty(), "duplicated parts are retired");
    prop_assert!(found.damaged.is_empty());
    // Raw, not deduplicated: what a person sees in the body and the parts.
    let mut everywhere: Vec<Entry> = Vec::new();
    for part in &found.parts {
        everywhere.extend(part.entries.iter().cloned());
    }
    everywhere.extend(incident.timeline.iter().cloned());
    let mut ids: Vec<String> = everywhere.iter().map(Entry::id).collect();
    let mut sorted = everywhere.clone();
    timeline::sort(&mut sorted);
    prop_assert_eq!(
        &sorted,
        &everywhere,
        "parts hold the oldest entries, in order"
    );
    ids.sort();
    let count = ids.len();
    ids.dedup();
    prop_assert_eq!(ids.len(), count, "every entry once across body and parts");
    for comment in world.comments.iter().filter(|c| !c.user.is_bot()) {
        let own: Vec<&Entry> = everywhere
            .iter()
            .filter(|e| e.comment == Some(comment.id) && e.line.is_none())
            .collect();
        let any = everywhere.iter().any(|e| e.comment == Some(comment.id));
        prop_assert!(any, "comment {} has an entry", comment.id);
        prop_assert!(own.len() <= 1);
        let first = comment.body_text().lines().next().unwrap_or("");
        let single = first.starts_with("note-") && !comment.body_text().contains('\n');
        if single && !world.command_only.contains(&comment.id) {
            prop_assert_eq!(own.len(), 1);
            prop_assert_eq!(
                &own[0].text,
                &timeline::excerpt(first),
                "edits reach the entry"
            );
        }
        prop_assert!(!everywhere.iter().any(|e| e.by == "ceo"), "no forged entry");
    }
    for name in &world.hand_labels {
        let entries = everywhere
            .iter()
            .filter(|e| {
                e.kind == firebreak::incident::EntryKind::Label
                    && e.text.contains(&format!("`{name}`"))
            })
            .count();
        prop_assert_eq!(entries, 1, "label {} by hand has one entry", name);
    }
    if world.hand_sev1 {
        prop_assert_eq!(incident.severity, 1, "a sev:1 label by hand is adopted");
    }
    // Nothing forged stands: the state is what commands and hand-made changes made it.
    prop_assert!(incident.severity != 4, "forged severity");
    prop_assert!(
        incident.status != firebreak::incident::Status::Resolved,
        "forged status"
    );
    prop_assert!(
        incident.commander.as_deref() != Some(OUTSIDER),
        "forged commander"
    );
    let listed: Vec<u64> = world.comments.iter().map(|c| c.id).collect();
    prop_assert!(
        everywhere
            .iter()
            .filter(|e| e.line.is_none())
            .filter_map(|e| e.comment)
            .all(|id| listed.contains(&id)),
        "deleted comments have no entry"
    );
    // Sizes: the body under its high-water mark, parts under theirs (a part holds one entry
    // at least).
    prop_assert!(world.issue.body_text().len() <= LIMITS.body_high);
    for part in &found.parts {
        prop_assert!(part.text.len() <= LIMITS.part_max || part.entries.len() == 1);
        if !part.entries.is_empty() {
            let link = format!("#issuecomment-{})", part.comment);
            prop_assert!(
                world.issue.body_text().contains(&link),
                "part {} linked",
                part.part
            );
        }
    }
    // And a further run has nothing to do.
    let plan = world.decide(&world.snapshot());
    prop_assert!(
        plan.is_empty(),
        "a settled issue needs no write: {:?}",
        plan.notes
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_interleaving_of_comments_hand_changes_forgeries_and_runs_ends_with_every_change_once(
        outsider_reported in any::<bool>(),
        ops in proptest::collection::vec(op(), 1..60)
    ) {
        let mut world = World::new(if outsider_reported { OUTSIDER } else { "alice" });
        let mut k = 0;
        for op in ops {
            k += 1;
            match op {
                Op::Create { author, kind } => {
                    world.add(PEOPLE[author], &text(kind, k));
                }
                Op::Edit { pick, kind } => world.edit(pick, &text(kind, k)),
                Op::Delete { pick } => world.delete(pick),
                Op::Hand { who, kind } => world.hand(PEOPLE[who], kind, k),
                // Only an author who may not change the incident forges: anyone else may.
                Op::Forge if outsider_reported => world.forge(),
                Op::Forge => {}
                Op::Step { slot, age } => world.step(slot, age),
            }
        }
        world.run_to_end();
        check(&world)?;
    }
}
