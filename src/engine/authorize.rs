//! Who may run which command: the configured rule for the command (author associations, users,
//! teams) applied to a comment's author. A team is asked about only when the author's
//! association and the listed users do not already decide; a membership not read yet counts as
//! "no" for now and is remembered ([`ConfigAuthorizer::missing`]), so the gather step reads it
//! ([`super::Facts::teams`]) and the engine decides again. Deciding stays pure.

use std::cell::RefCell;
use std::collections::BTreeSet;

use crate::config::Config;
use crate::event::Comment;

/// Who may run what. The engine asks; tests may answer differently.
pub trait Authorizer {
    /// Whether `login`, whose author association with the repository is `association`
    /// (`OWNER`, `MEMBER`, `COLLABORATOR`, `CONTRIBUTOR`, `NONE` …), may run `command`.
    fn permits(&self, login: &str, association: &str, command: &str) -> bool;

    /// Who may run `command`, in words, for refusals.
    fn who(&self, command: &str) -> String;

    /// Whether the author of `comment` may run `command`.
    fn allowed(&self, comment: &Comment, command: &str) -> bool {
        self.permits(&comment.user.login, &comment.author_association, command)
    }
}

/// The configured rules, with the team memberships the gather step read.
pub struct ConfigAuthorizer<'a> {
    config: &'a Config,
    teams: &'a std::collections::BTreeMap<(String, String), bool>,
    /// (team, login) memberships a decision needed and that were not read yet.
    missing: RefCell<BTreeSet<(String, String)>>,
}

impl<'a> ConfigAuthorizer<'a> {
    pub fn new(config: &'a Config, facts: &'a super::Facts) -> Self {
        ConfigAuthorizer {
            config,
            teams: &facts.teams,
            missing: RefCell::default(),
        }
    }

    /// The (team, login lower case) memberships asked about and not known: read them and
    /// decide again.
    pub fn missing(&self) -> BTreeSet<(String, String)> {
        self.missing.borrow().clone()
    }
}

impl Authorizer for ConfigAuthorizer<'_> {
    fn permits(&self, login: &str, association: &str, command: &str) -> bool {
        let login = login.to_ascii_lowercase();
        self.config
            .allowed(command)
            .permits(&login, association, |team| {
                let key = (team.to_string(), login.clone());
                match self.teams.get(&key) {
                    Some(member) => *member,
                    None => {
                        // One team at a time, in the rule's order: a member of the first needs
                        // no look-up of the others.
                        let mut missing = self.missing.borrow_mut();
                        if !missing.iter().any(|(_, l)| *l == key.1) {
                            missing.insert(key);
                        }
                        false
                    }
                }
            })
    }

    fn who(&self, command: &str) -> String {
        let rule = self.config.allowed(command);
        let mut parts = Vec::new();
        if !rule.associations.is_empty() {
            let names: Vec<String> = rule
                .associations
                .iter()
                .map(|a| a.to_ascii_lowercase())
                .collect();
            parts.push(format!("repository {}", names.join("s, ") + "s"));
        }
        if !rule.users.is_empty() {
            parts.push(
                rule.users
                    .iter()
                    .map(|u| u.trim_start_matches('@').to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        if !rule.teams.is_empty() {
            parts.push(format!("members of {}", rule.teams.join(", ")));
        }
        if parts.is_empty() {
            "Nobody".to_string()
        } else {
            capitalize(&parts.join("; "))
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}
