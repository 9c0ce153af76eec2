//! A redirect to another port (a taken-over host name, a misconfigured proxy) must not
//! take a single credential or password along, and the error must say where it
//! pointed and what to check.

use std::time::Duration;

use terraform_provider_panel::panel::Effect;

use super::{
    backend, credential_secret, credentials, expect_err, shown, start_sim, user_spec, Proxy,
    Recorder, Reply, Rule, KINDS, PASSWORD,
};
use crate::conformance::Calls as _;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_to_another_port_carry_no_credential_and_name_the_location() {
    let elsewhere = Recorder::start().await;
    for kind in KINDS {
        let sim = start_sim(kind);
        let credentials = credentials(kind, &sim);
        let secret = credential_secret(&credentials);
        for status in [301, 302, 307, 308] {
            let proxy = Proxy::start(None).await;
            let target = elsewhere.base_url.clone();
            proxy.add(Rule::always(
                |_| true,
                move |seen| {
                    Reply::new(status, "text/html", "<html><body>Moved</body></html>")
                        .header("location", format!("{target}{}", seen.path))
                },
            ));
            let panel = backend(
                kind,
                &proxy.base_url,
                credentials.clone(),
                Duration::from_secs(5),
            );
            let read = expect_err(kind, "get_user", panel.get_user("7").await);
            let create = expect_err(
                kind,
                "create_user",
                panel.create_user(&user_spec("redirected", PASSWORD)).await,
            );
            for (what, error) in [("read", read), ("create", create)] {
                let text = shown(&error);
                let context = format!("{} {what} after {status}: {text}", kind.as_str());
                assert!(text.contains(&format!("HTTP {status}")), "{context}");
                assert!(text.contains(&elsewhere.base_url), "no Location: {context}");
                assert!(text.contains("`endpoint`"), "no advice: {context}");
                assert_eq!(error.effect, Effect::None, "{context}");
                assert!(
                    !text.contains(&secret) && !text.contains(PASSWORD),
                    "{context}"
                );
            }
            // The configured endpoint saw the requests; nothing was sent on.
            assert!(proxy.seen().len() >= 2, "{}", kind.as_str());
        }
    }
    let (connections, bytes) = elsewhere.received();
    assert_eq!(connections, 0, "the redirect target received: {bytes}");
}
