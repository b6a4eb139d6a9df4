//! The data each template reads: plain serializable values, times already formatted in the
//! configured zone, so templates stay free of logic.

pub mod incident;
pub mod plan;
pub mod postmortem;
