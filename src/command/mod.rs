//! Slash commands: the language people use in incident comments (in progress).

mod types;

pub use types::{
    ActionSpec, ActionType, DueSpec, PostmortemCommand, RoleTarget, Status, TimeSpec,
    UnknownKeyword,
};
