//! What the sweep's reminders and escalations show (the postmortem's own reminder is
//! [`super::postmortem::ReminderView`]). Handles are logins or `org/team`, without `@`: the
//! templates write the `@`, and escaping keeps anything else from mentioning anyone.

use serde::Serialize;

/// An incident nobody acknowledged past its severity's ack timeout (`escalation`).
#[derive(Debug, Clone, Serialize)]
pub struct EscalationView {
    pub severity: String,
    /// How long since the declaration (`20m`).
    pub waited: String,
    /// The level reached, 1-based, and how many there are (0 when none are configured).
    pub level: usize,
    pub levels: usize,
    /// Everyone mentioned: the level reached and any level a late sweep skipped.
    pub mentions: Vec<String>,
    /// Earlier levels mentioned now because the sweep ran late (`Level 1`, `Levels 1 and 2`).
    pub caught_up: Option<String>,
}

/// No stakeholder update within the severity's cadence (`update-reminder`).
#[derive(Debug, Clone, Serialize)]
pub struct UpdateReminderView {
    pub severity: String,
    /// How long since the last update (or the declaration).
    pub waited: String,
    pub cadence: String,
    /// When the last update was posted (configured zone), if there was one.
    pub last: Option<String>,
    /// The comms lead, else the IC, else the declarer; none for an alert nobody took.
    pub mentions: Vec<String>,
}

/// An action item without an owner, as the follow-up lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ItemLineView {
    pub number: u64,
    pub title: String,
    pub due: String,
    pub owner: Option<String>,
}

/// The question asked the first working day after resolution (`follow-up`).
#[derive(Debug, Clone, Serialize)]
pub struct FollowUpView {
    pub record: String,
    /// The resolution time, in the configured zone.
    pub resolved: String,
    pub mentions: Vec<String>,
    /// Open action items that have no owner.
    pub unowned: Vec<ItemLineView>,
}

/// An action item past its due date, on the item (`item-reminder`); escalated there too when
/// its incident is closed.
#[derive(Debug, Clone, Serialize)]
pub struct ItemReminderView {
    pub incident: u64,
    pub due: String,
    /// The owner, else the incident commander (asked to find one).
    pub mentions: Vec<String>,
    pub has_owner: bool,
    /// The window (`1d`) and, when it escalates, how long past due (`2d`).
    pub every: String,
    pub escalate_after: Option<String>,
    /// The incident is open (escalations go there), not closed.
    pub incident_open: bool,
    /// Past the grace period while the incident is closed: escalated here, to
    /// `reminders.escalate_to` (or the incident commander), who are among `mentions`.
    pub escalated: bool,
}

/// Action items more than the grace period past due, on the incident (`item-escalation`).
#[derive(Debug, Clone, Serialize)]
pub struct ItemEscalationView {
    pub record: String,
    /// How long past due escalation starts (`2d`).
    pub after: String,
    /// `reminders.escalate_to`, else the incident commander.
    pub mentions: Vec<String>,
    pub items: Vec<ItemLineView>,
}
