//! An answer that is not the panel's API answer (a login page in front of the panel,
//! truncated JSON, anything else) is an error on create, read and delete, on every
//! backend; a delete that got such an answer did not happen, so the object stays.

use std::time::Duration;

use terraform_provider_panel::panel::{Effect, PanelErrorKind};

use super::{
    backend, expect_err, is_read, is_user_create, is_user_delete, shown, user_spec, Reply, Rig,
    Rule, KINDS, PASSWORD,
};
use crate::conformance::Calls as _;

/// What a login proxy, a half-written answer, or another web server may send with 200.
fn impostors() -> Vec<(&'static str, Reply)> {
    vec![
        (
            "login page",
            Reply::new(
                200,
                "text/html; charset=UTF-8",
                "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\
                 <body><form action=\"/login\"><input name=\"user\"></form></body></html>",
            ),
        ),
        (
            "truncated JSON",
            Reply::new(
                200,
                "application/json",
                "{\"data\": {\"id\": 7, \"login\": \"tr",
            ),
        ),
        (
            "garbage",
            Reply::new(200, "text/plain", "ok, whatever you say"),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_that_are_not_the_api_are_errors_on_create_read_and_delete() {
    for kind in KINDS {
        let rig = Rig::start(kind).await;
        let name = kind.as_str();
        for (n, (what, reply)) in impostors().into_iter().enumerate() {
            // Create: the panel never saw the request, and the provider must not
            // pretend it created something.
            rig.proxy.clear_rules();
            let reply_for_create = reply.clone();
            rig.proxy.add(Rule::always(
                move |seen| is_user_create(kind, seen),
                move |_| reply_for_create.clone(),
            ));
            let spec = user_spec(&format!("impostor{n}"), PASSWORD);
            let error = expect_err(kind, what, rig.panel.create_user(&spec).await);
            let text = shown(&error);
            assert!(text.contains("API answer"), "{name} create, {what}: {text}");
            assert_eq!(
                error.effect,
                Effect::Unknown,
                "{name} create, {what}: an unreadable answer to a change may hide a success"
            );
            assert!(!text.contains(PASSWORD), "{text}");

            // Read: never "the object is gone" and never a made-up object.
            rig.proxy.clear_rules();
            let user = rig.create_user(&format!("victim{n}")).await;
            let reply_for_read = reply.clone();
            rig.proxy.add(Rule::always(
                move |seen| is_read(kind, seen),
                move |_| reply_for_read.clone(),
            ));
            let fresh = backend(
                kind,
                &rig.proxy.base_url,
                rig.credentials.clone(),
                Duration::from_secs(10),
            );
            let error = expect_err(kind, "get_user", fresh.get_user(&user.id).await);
            assert_ne!(error.kind, PanelErrorKind::NotFound, "{name} read, {what}");
            assert!(
                shown(&error).contains("API answer"),
                "{name} read, {what}: {error}"
            );

            // Delete: an error, and the user is still on the panel.
            rig.proxy.clear_rules();
            let reply_for_delete = reply.clone();
            rig.proxy.add(Rule::always(
                move |seen| is_user_delete(kind, seen),
                move |_| reply_for_delete.clone(),
            ));
            let fresh = backend(
                kind,
                &rig.proxy.base_url,
                rig.credentials.clone(),
                Duration::from_secs(10),
            );
            let error = expect_err(kind, "delete_user", fresh.delete_user(&user.id).await);
            assert!(
                shown(&error).contains("API answer"),
                "{name} delete, {what}: {error}"
            );
            let spec = user_spec(&format!("victim{n}"), PASSWORD);
            assert_eq!(rig.users_named(&spec).await, 1, "{name} delete, {what}");
        }
    }
}

/// A proxy's 404 page is no panel saying "not found": a delete must not count as done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_404_page_on_delete_is_not_the_object_being_gone() {
    for kind in KINDS {
        let rig = Rig::start(kind).await;
        let user = rig.create_user("gone404").await;
        rig.proxy.add(Rule::always(
            move |seen| is_user_delete(kind, seen),
            |_| {
                Reply::new(
                    404,
                    "text/html",
                    "<html><body><h1>404 Not Found</h1></body></html>",
                )
            },
        ));
        let error = expect_err(kind, "delete_user", rig.panel.delete_user(&user.id).await);
        assert_eq!(
            error.kind,
            PanelErrorKind::Protocol,
            "{}: {error}",
            kind.as_str()
        );
        assert_eq!(rig.users_named(&user_spec("gone404", PASSWORD)).await, 1);
    }
}
