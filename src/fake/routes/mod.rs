//! Routing: the path split into decoded segments, matched against GitHub's paths.

use super::FakeGitHub;
use super::http_util::{Req, Resp, not_found};

/// Handle one request against the state (the lock is taken and released here, no await inside).
pub(crate) fn dispatch(fake: &FakeGitHub, req: &Req) -> Resp {
    let _st = fake.lock();
    let _ = req;
    not_found()
}
