//! Through real Terraform: `TF_LOG_PROVIDER=DEBUG` shows one line per panel request
//! and no secret; `TF_LOG_PROVIDER_PANEL` sets this provider's own level within what
//! Terraform lets through; and a delete answered by a login page leaves the object in
//! state.

use terraform_provider_panel::backends::Credentials;
use terraform_provider_panel::panel::PanelKind;

use super::{credential_secret, credentials, is_user_delete, start_sim, Proxy, Reply, Rule, KINDS};
use crate::support::terraform::{hcl_string, Terraform, REQUIRED_PROVIDERS};

const USER_PASSWORD: &str = "Log-Secret-Passw0rd!";

/// A runtime for the proxy while the test thread runs Terraform.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// A Terraform working directory whose provider talks to `endpoint` with `credentials`,
/// managing one user.
fn terraform(kind: PanelKind, endpoint: &str, credentials: &Credentials) -> Terraform {
    let mut tf = Terraform::new();
    tf.set_env("PANEL_TYPE", kind.as_str());
    tf.set_env("PANEL_ENDPOINT", endpoint);
    tf.set_env("PANEL_REQUEST_TIMEOUT", "20");
    match credentials {
        Credentials::AccessKey {
            access_key,
            secret_key,
        } => {
            tf.set_env("PANEL_ACCESS_KEY", access_key);
            tf.set_env("PANEL_SECRET_KEY", secret_key.expose());
        }
        Credentials::LoginPassword { login, password } => {
            tf.set_env("PANEL_LOGIN", login);
            tf.set_env("PANEL_PASSWORD", password.expose());
        }
        Credentials::SecretKey(key) => tf.set_env("PANEL_SECRET_KEY", key.expose()),
        Credentials::ApiKey(key) => tf.set_env("PANEL_API_KEY", key.expose()),
        Credentials::Token(token) => tf.set_env("PANEL_TOKEN", token.expose()),
    }
    let login = if kind == PanelKind::PanelAlpha {
        String::new()
    } else {
        "  login = \"trlog\"\n".to_owned()
    };
    tf.write(
        "main.tf",
        &format!(
            "{REQUIRED_PROVIDERS}\nprovider \"panel\" {{}}\n\n\
             resource \"panel_user\" \"logged\" {{\n{login}  email = \"tr.log@example.com\"\n  \
             name  = \"Transport Log\"\n  password_wo = {}\n  password_wo_version = 1\n}}\n",
            hcl_string(USER_PASSWORD)
        ),
    );
    tf
}

/// Terraform's re-logged lines of our per-request DEBUG line.
fn request_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.contains("provider.terraform-provider-panel: panel request:"))
        .collect()
}

#[test]
fn terraform_debug_log_shows_one_line_per_panel_request_and_no_secret() {
    let runtime = runtime();
    for kind in KINDS {
        let name = kind.as_str();
        let sim = start_sim(kind);
        let proxy = runtime.block_on(Proxy::start(Some(sim.base_url.clone())));
        let credentials = credentials(kind, &sim);
        let mut tf = terraform(kind, &proxy.base_url, &credentials);
        tf.set_env("TF_LOG_PROVIDER", "DEBUG");
        let outcome = tf.apply();
        let lines = request_lines(&outcome.stderr);
        let requests = proxy.seen().len();
        assert!(requests >= 2, "{name}: {requests} panel requests");
        assert_eq!(
            lines.len(),
            requests,
            "{name}: one DEBUG line per panel request\n{}",
            lines.join("\n")
        );
        for line in &lines {
            for field in [
                "method=",
                "path=",
                "operation=",
                "status=",
                "duration_ms=",
                "received_bytes=",
            ] {
                assert!(line.contains(field), "{name}: no {field} in {line}");
            }
        }
        let everything = outcome.output();
        for secret in [USER_PASSWORD.to_owned(), credential_secret(&credentials)] {
            assert!(
                !everything.contains(&secret),
                "{name}: {secret} in the output"
            );
        }
        // The User-Agent carries Terraform's version from the Configure request.
        let agent = proxy.seen()[0]
            .header("user-agent")
            .unwrap_or_default()
            .to_owned();
        assert!(
            agent.starts_with("Terraform/1.") && agent.contains(" terraform-provider-panel/"),
            "{name}: User-Agent {agent:?}"
        );

        // This provider's own level: WARN hides its DEBUG lines although Terraform
        // would pass them on.
        proxy.forget_seen();
        tf.set_env("TF_LOG_PROVIDER_PANEL", "WARN");
        let outcome = tf.run(&["plan", "-input=false", "-no-color"]);
        assert_eq!(outcome.code, 0, "{}", outcome.describe());
        assert!(
            !proxy.seen().is_empty(),
            "{name}: the plan refreshed nothing"
        );
        assert_eq!(request_lines(&outcome.stderr).len(), 0, "{name}");
    }
}

#[test]
fn a_delete_answered_by_a_login_page_keeps_the_object_in_state() {
    let runtime = runtime();
    for kind in KINDS {
        let name = kind.as_str();
        let sim = start_sim(kind);
        let proxy = runtime.block_on(Proxy::start(Some(sim.base_url.clone())));
        let credentials = credentials(kind, &sim);
        let tf = terraform(kind, &proxy.base_url, &credentials);
        tf.apply();
        proxy.add(Rule::always(
            move |seen| is_user_delete(kind, seen),
            |_| {
                Reply::new(
                    200,
                    "text/html",
                    "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please log in</body></html>",
                )
            },
        ));
        let outcome = tf
            .run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .failure();
        // Terraform wraps diagnostics; compare with single spaces.
        let said = outcome
            .output()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            said.contains("an HTML page") && said.contains("API answer"),
            "{name}: {}",
            outcome.describe()
        );
        assert_eq!(
            tf.state_addresses(),
            ["panel_user.logged"],
            "{name}: the user left the state although the panel never deleted it"
        );
        assert!(
            proxy
                .forwarded()
                .iter()
                .all(|seen| !is_user_delete(kind, seen)),
            "{name}"
        );
    }
}
