//! `User`, `Organization` and `Bot`: the accounts GraphQL answers for.

use super::exec::{Cx, Failure, Field, Node, Out};
use crate::shapes::node_id;
use crate::state::UserKind;

pub(crate) struct Account {
    pub login: String,
    pub id: u64,
    pub kind: UserKind,
}

impl Account {
    /// The account `login` (created as a user if the fake has never seen it, like the REST
    /// routes' viewer).
    pub fn new(cx: &mut Cx<'_, '_>, login: &str) -> Account {
        match cx.ctx.st.user(login) {
            Some(u) => Account {
                login: u.login.clone(),
                id: u.id,
                kind: u.kind,
            },
            None => Account {
                login: login.to_string(),
                id: 0,
                kind: UserKind::User,
            },
        }
    }

    /// `organization(login:)` or `user(login:)`: `NOT_FOUND` unless the account is of that kind.
    pub fn find(cx: &mut Cx<'_, '_>, login: &str, organization: bool) -> Result<Account, Failure> {
        let found = cx.ctx.st.user(login).filter(|u| {
            (u.kind == UserKind::Organization) == organization && u.kind != UserKind::Bot
        });
        match found {
            Some(u) => Ok(Account {
                login: u.login.clone(),
                id: u.id,
                kind: u.kind,
            }),
            None => Err(Failure::error(
                "NOT_FOUND",
                format!(
                    "Could not resolve to {} with the login of '{login}'.",
                    if organization {
                        "an Organization"
                    } else {
                        "a User"
                    }
                ),
            )),
        }
    }

    pub fn by_node_id(cx: &mut Cx<'_, '_>, id: &str) -> Option<Account> {
        let user = cx
            .ctx
            .st
            .users
            .values()
            .find(|u| node_id(prefix(u.kind), u.id) == id)?;
        Some(Account {
            login: user.login.clone(),
            id: user.id,
            kind: user.kind,
        })
    }
}

fn prefix(kind: UserKind) -> &'static str {
    match kind {
        UserKind::User => "U",
        UserKind::Bot => "BOT",
        UserKind::Organization => "O",
    }
}

impl Node for Account {
    fn typename(&self) -> &'static str {
        match self.kind {
            UserKind::User => "User",
            UserKind::Bot => "Bot",
            UserKind::Organization => "Organization",
        }
    }
    fn is(&self, type_name: &str) -> bool {
        type_name == self.typename()
            || matches!(
                type_name,
                "Actor" | "Node" | "RepositoryOwner" | "ProjectV2Owner"
            )
    }
    fn field(&self, cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        let html = cx.ctx.st.html_url.clone();
        Ok(match f.name {
            // GraphQL names an app's bot without the `[bot]` REST adds (`github-actions`).
            "login" => Out::value(
                self.login
                    .strip_suffix("[bot]")
                    .filter(|_| self.kind == UserKind::Bot)
                    .unwrap_or(&self.login)
                    .to_string(),
            ),
            "id" => Out::value(node_id(prefix(self.kind), self.id)),
            "databaseId" => Out::value(self.id),
            "url" => Out::value(format!("{html}/{}", self.login)),
            "projectV2" if self.kind != UserKind::Bot => {
                return super::projects::by_number(cx, &self.login, f);
            }
            other => return Err(Failure::undefined(self.typename(), other)),
        })
    }
}
