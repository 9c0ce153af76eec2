//! Retries as documented and bounded in time: a silent panel fails after about one
//! `request_timeout`, a 503 on a read is tried again, and a 429 on a create (the panel
//! did nothing) is waited out and the user is created exactly once.

use std::time::{Duration, Instant};

use terraform_provider_panel::panel::PanelErrorKind;

use super::{
    backend, expect_err, is_read, is_user_create, user_spec, Reply, Rig, Rule, KINDS, PASSWORD,
};
use crate::conformance::Calls as _;

/// What nginx in front of every real panel sends for an error it generates itself.
fn nginx(status: u16, reason: &str) -> Reply {
    Reply::new(
        status,
        "text/html",
        format!("<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_panel_fails_reads_within_one_and_a_half_request_timeouts() {
    let timeout = Duration::from_secs(2);
    for kind in KINDS {
        let rig = Rig::with_timeout(kind, Duration::from_secs(20)).await;
        let user = rig.create_user("silent").await;
        rig.proxy.add(Rule::always(
            move |seen| is_read(kind, seen),
            |_| Reply::Silent,
        ));
        let panel = backend(kind, &rig.proxy.base_url, rig.credentials.clone(), timeout);
        let started = Instant::now();
        let error = expect_err(kind, "get_user", panel.get_user(&user.id).await);
        let took = started.elapsed();
        assert!(
            took < timeout.mul_f64(1.5),
            "{}: a silent panel took {took:?} to fail (request_timeout {timeout:?})",
            kind.as_str()
        );
        assert_eq!(
            error.kind,
            PanelErrorKind::Temporary,
            "{}: {error}",
            kind.as_str()
        );
        assert!(error.message.contains("request_timeout"), "{error}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_then_200_read_succeeds() {
    for kind in KINDS {
        let rig = Rig::start(kind).await;
        let user = rig.create_user("r503").await;
        rig.proxy.forget_seen();
        rig.proxy.add(Rule::once(
            move |seen| is_read(kind, seen),
            |_| nginx(503, "Service Temporarily Unavailable"),
        ));
        let panel = backend(
            kind,
            &rig.proxy.base_url,
            rig.credentials.clone(),
            Duration::from_secs(20),
        );
        let read = panel
            .get_user(&user.id)
            .await
            .unwrap_or_else(|e| panic!("{}: read after one 503: {e:?}", kind.as_str()));
        assert_eq!(
            read.map(|u| u.id),
            Some(user.id.clone()),
            "{}",
            kind.as_str()
        );
        let seen = rig.proxy.seen();
        let forwarded = rig.proxy.forwarded();
        assert_eq!(
            seen.len(),
            forwarded.len() + 1,
            "{}: exactly the one 503 was answered by the proxy",
            kind.as_str()
        );
        // The read that got the 503 was sent again.
        assert_eq!(seen[0].body, seen[1].body, "{}", kind.as_str());
        assert_eq!(seen[0].path, seen[1].path, "{}", kind.as_str());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_then_success_create_creates_exactly_once() {
    for kind in KINDS {
        let rig = Rig::start(kind).await;
        rig.proxy.add(Rule::once(
            move |seen| is_user_create(kind, seen),
            |_| nginx(429, "Too Many Requests").header("retry-after", "1"),
        ));
        let spec = user_spec("ratelimited", PASSWORD);
        let started = Instant::now();
        let user = rig
            .panel
            .create_user(&spec)
            .await
            .unwrap_or_else(|e| panic!("{}: create after a 429: {e:?}", kind.as_str()));
        assert!(
            started.elapsed() >= Duration::from_millis(950),
            "{}: Retry-After: 1 was not honoured",
            kind.as_str()
        );
        assert!(!user.id.is_empty());
        let creates_seen = rig
            .proxy
            .seen()
            .iter()
            .filter(|s| is_user_create(kind, s))
            .count();
        let creates_forwarded = rig
            .proxy
            .forwarded()
            .iter()
            .filter(|s| is_user_create(kind, s))
            .count();
        assert_eq!(
            (creates_seen, creates_forwarded),
            (2, 1),
            "{}",
            kind.as_str()
        );
        assert_eq!(rig.users_named(&spec).await, 1, "{}", kind.as_str());
    }
}
