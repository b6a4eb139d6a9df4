//! Who may run which command: the configured rule for the command (author associations, users,
//! teams) applied to a comment's author. Team memberships are read by the gather step
//! ([`super::Facts::teams`]); deciding is pure.

use crate::config::{Allow, Config};
use crate::event::Comment;

/// Who may run what. The engine asks; tests may answer differently.
pub trait Authorizer {
    fn allowed(&self, comment: &Comment, command: &str) -> bool;
    /// Who may run `command`, in words, for refusals.
    fn who(&self, command: &str) -> String;
}

/// The configured rules, with the team memberships the gather step read.
pub struct ConfigAuthorizer<'a> {
    config: &'a Config,
    teams: &'a std::collections::BTreeMap<(String, String), bool>,
}

impl<'a> ConfigAuthorizer<'a> {
    pub fn new(config: &'a Config, facts: &'a super::Facts) -> Self {
        ConfigAuthorizer {
            config,
            teams: &facts.teams,
        }
    }
}

/// Every team any rule names (the gather step reads their memberships).
pub fn configured_teams(config: &Config) -> impl Iterator<Item = &String> {
    std::iter::once(&config.permissions.default)
        .chain(config.permissions.commands.values())
        .flat_map(|rule: &Allow| rule.teams.iter())
}

impl Authorizer for ConfigAuthorizer<'_> {
    fn allowed(&self, comment: &Comment, command: &str) -> bool {
        let login = comment.user.login.to_ascii_lowercase();
        self.config
            .allowed(command)
            .permits(&login, &comment.author_association, |team| {
                self.teams
                    .get(&(team.to_string(), login.clone()))
                    .copied()
                    .unwrap_or(false)
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
