//! Stop requests (Terraform's `Stop`, i.e. Ctrl-C) as the panel layer sees them.
//!
//! The resource engine runs each apply inside [`scope`] with the call's cancellation
//! token, and checks for a stop before it starts an operation: after a stop nothing new
//! is started. An operation already started runs to its end, every step of it (bounded
//! by the request timeout per request), so its outcome is known and whatever it created
//! is recorded in state. The transport deliberately does not refuse the later requests
//! of a started operation: a create of several steps (HestiaCP's user, then its
//! package) refused half-way would leave an object the engine was told nothing about.
//! [`check`] is for code that starts work of its own (a backend's optional extra step)
//! and wants to skip it after a stop.

use std::future::Future;

use tokio_util::sync::CancellationToken;

use super::{PanelError, PanelResult};

tokio::task_local! {
    static STOP: CancellationToken;
}

/// Runs `work` with `token` as the stop signal its panel requests honour.
pub async fn scope<F: Future>(token: CancellationToken, work: F) -> F::Output {
    STOP.scope(token, work).await
}

/// Whether a stop was requested for the work running now.
pub fn requested() -> bool {
    STOP.try_with(CancellationToken::is_cancelled)
        .unwrap_or(false)
}

/// `Err(cancelled)` when a stop was requested: call it before sending a request.
pub fn check() -> PanelResult<()> {
    if requested() {
        Err(PanelError::cancelled())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn check_follows_the_scoped_token() {
        assert!(check().is_ok(), "no scope: never stopped");
        let token = CancellationToken::new();
        let inner = token.clone();
        let before = scope(token.clone(), async { check().is_ok() }).await;
        assert!(before);
        inner.cancel();
        let after = scope(token, async { check() }).await;
        let error = after.expect_err("stopped");
        assert_eq!(error.kind, crate::panel::PanelErrorKind::Cancelled);
        assert!(!error.may_have_taken_effect());
    }
}
