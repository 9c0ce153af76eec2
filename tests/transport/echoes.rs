//! A panel that echoes the request back in its error text returns the new user's
//! password (and the configured credential) in its own format's spelling. None of
//! them may reach the error, on any backend.

use base64::Engine as _;
use terraform_provider_panel::backends::Credentials;
use terraform_provider_panel::panel::PanelKind;

use super::{
    credential_secret, expect_err, is_user_create, shown, user_spec, Reply, Rig, Rule, KINDS,
};
use crate::conformance::Calls as _;

/// Special characters of every format: space, quote, apostrophe, ampersand, angle
/// brackets, slash, plus, percent and a non-ASCII letter.
const PASSWORD: &str = "Pa ss/w0rd\"&<ü>+%'9";

/// The spellings a panel or a proxy may echo `secret` in, computed independently of
/// the provider's redactor.
fn spellings(secret: &str, login: Option<&str>) -> Vec<(&'static str, String)> {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let json = serde_json::to_string(secret).unwrap();
    let php_json: String = secret
        .chars()
        .map(|c| match c {
            '"' => "\\\"".to_owned(),
            '/' => "\\/".to_owned(),
            ' '..='~' => c.to_string(),
            _ => format!("\\u{:04x}", u32::from(c)),
        })
        .collect();
    let mut out = vec![
        ("raw", secret.to_owned()),
        ("form-encoded", form.clone()),
        ("percent-encoded", form.replace('+', "%20")),
        (
            "percent-encoded lowercase",
            form.replace('+', "%20").to_lowercase(),
        ),
        ("JSON-escaped", json[1..json.len() - 1].to_owned()),
        ("PHP JSON-escaped", php_json),
        (
            "XML-escaped",
            quick_xml::escape::escape(secret).into_owned(),
        ),
        ("base64", STANDARD.encode(secret)),
        ("base64url", URL_SAFE_NO_PAD.encode(secret)),
        ("uppercase", secret.to_uppercase()),
        ("lowercase", secret.to_lowercase()),
    ];
    if let Some(login) = login {
        out.push(("Basic auth", STANDARD.encode(format!("{login}:{secret}"))));
    }
    out
}

/// The panel's own failure answer to a create, with `text` as its message.
fn panel_error(kind: PanelKind, text: &str) -> Reply {
    match kind {
        PanelKind::Hestia => Reply::new(400, "text/html; charset=UTF-8", format!("Error: {text}"))
            .header("hestia-exit-code", "2"),
        PanelKind::PleskRest => Reply::new(
            400,
            "application/json",
            serde_json::json!({"code": 400, "message": text}).to_string(),
        ),
        PanelKind::PleskXml => Reply::new(
            200,
            "text/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><packet version=\"1.6.9.1\"><customer><add><result>\
                 <status>error</status><errcode>1019</errcode><errtext>{}</errtext></result></add></customer></packet>",
                quick_xml::escape::escape(text)
            ),
        ),
        PanelKind::PanelAlpha => Reply::new(
            422,
            "application/json",
            serde_json::json!({"message": text, "errors": {"password": [text]}}).to_string(),
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_echo_of_a_password_is_redacted_on_every_backend() {
    for kind in KINDS {
        let rig = Rig::start(kind).await;
        let configured = credential_secret(&rig.credentials);
        let login = match &rig.credentials {
            Credentials::LoginPassword { login, .. } => Some(login.clone()),
            _ => None,
        };
        let mut echoes = spellings(PASSWORD, None);
        echoes.extend(spellings(&configured, login.as_deref()));
        for (form, spelled) in &echoes {
            rig.proxy.clear_rules();
            let text = format!("Invalid request: password {spelled} rejected");
            rig.proxy.add(Rule::once(
                move |seen| is_user_create(kind, seen),
                move |_| panel_error(kind, &text),
            ));
            let error = expect_err(
                kind,
                form,
                rig.panel.create_user(&user_spec("echo", PASSWORD)).await,
            );
            let text = shown(&error);
            let context = format!("{} echoing the {form} form: {text}", kind.as_str());
            assert!(
                text.contains("rejected"),
                "the panel's message is kept: {context}"
            );
            for (_, any) in &echoes {
                assert!(!text.contains(any.as_str()), "{any:?} shown: {context}");
            }
        }
    }
}
