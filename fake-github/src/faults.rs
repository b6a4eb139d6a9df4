//! Fault injection: rules matched against incoming requests.

use std::time::Duration;

/// One fault rule. The first rule (in insertion order) whose method and path match and whose `times`
/// is still above zero fires and is decremented.
#[derive(Debug, Clone)]
pub struct Fault {
    /// `None` matches every method.
    pub method: Option<http::Method>,
    /// Substring of the request path (without the query string); empty matches every path.
    pub path_contains: String,
    pub kind: FaultKind,
    /// How many more times this rule fires.
    pub times: usize,
}

/// What a fault does to the request it catches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer this status with a GitHub error body; the request is not performed.
    Status(u16),
    /// A rate-limit answer (403 or 429) with `retry-after`, `x-ratelimit-remaining: 0` and
    /// `x-ratelimit-reset`; the request is not performed.
    RateLimit { status: u16, retry_after_secs: u64 },
    /// Sleep, then handle the request normally.
    Delay(Duration),
    /// Perform the request for real, then answer this status instead of the result.
    ApplyThenStatus(u16),
}

impl Fault {
    /// A fault for every method on paths containing `path_contains`, firing once.
    pub fn once(path_contains: &str, kind: FaultKind) -> Fault {
        Fault {
            method: None,
            path_contains: path_contains.to_string(),
            kind,
            times: 1,
        }
    }

    pub(crate) fn matches(&self, method: &http::Method, path: &str) -> bool {
        self.times > 0
            && self.method.as_ref().is_none_or(|m| m == method)
            && path.contains(&self.path_contains)
    }
}

/// Take the first matching rule, decrementing it.
pub(crate) fn take(rules: &mut [Fault], method: &http::Method, path: &str) -> Option<FaultKind> {
    let rule = rules.iter_mut().find(|f| f.matches(method, path))?;
    rule.times -= 1;
    Some(rule.kind.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(method: Option<http::Method>, path: &str, kind: FaultKind, times: usize) -> Fault {
        Fault {
            method,
            path_contains: path.to_string(),
            kind,
            times,
        }
    }

    #[test]
    fn first_matching_rule_fires_and_is_decremented() {
        let mut rules = vec![
            rule(
                Some(http::Method::POST),
                "/issues",
                FaultKind::Status(502),
                1,
            ),
            rule(None, "/issues", FaultKind::Status(500), 2),
        ];
        let get = http::Method::GET;
        let post = http::Method::POST;
        assert_eq!(take(&mut rules, &get, "/repos/a/b/labels"), None);
        assert_eq!(
            take(&mut rules, &post, "/repos/a/b/issues"),
            Some(FaultKind::Status(502))
        );
        assert_eq!(
            take(&mut rules, &post, "/repos/a/b/issues"),
            Some(FaultKind::Status(500))
        );
        assert_eq!(
            take(&mut rules, &get, "/repos/a/b/issues/1"),
            Some(FaultKind::Status(500))
        );
        assert_eq!(take(&mut rules, &post, "/repos/a/b/issues"), None);
    }

    #[test]
    fn empty_path_matches_everything() {
        let mut rules = vec![Fault::once("", FaultKind::Delay(Duration::from_millis(1)))];
        assert!(take(&mut rules, &http::Method::DELETE, "/anything").is_some());
        assert!(take(&mut rules, &http::Method::DELETE, "/anything").is_none());
    }
}
