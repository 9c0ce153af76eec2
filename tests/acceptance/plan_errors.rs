//! Bad input is refused at PLAN time, on the attribute that is wrong, before anything
//! reaches the panel; an object that already exists is refused (with the import
//! command to adopt it) instead of being silently taken over.

use super::{Backend, Sim};
use crate::support::terraform::Outcome;

/// Terraform points a diagnostic with an attribute path at that attribute's line of
/// the configuration (`  3:   login = "..."`); without a path it shows the block's
/// first line instead. So the source line quoted under the error names the attribute.
fn quoted_source_lines(outcome: &Outcome) -> Vec<String> {
    outcome
        .stderr
        .lines()
        .filter_map(|line| {
            let (number, rest) = line.trim_start().split_once(':')?;
            number
                .trim()
                .parse::<u32>()
                .ok()
                .map(|_| rest.trim().to_owned())
        })
        .collect()
}

/// `terraform plan` of `config` fails, with an error on `address`'s `attribute`, and
/// the panel is left as it was. Returns the plan's outcome for further checks.
fn expect_plan_error(
    sim: &Sim,
    case: &str,
    config: &str,
    address: &str,
    attribute: &str,
) -> Outcome {
    let backend = sim.backend;
    let before = sim.view();
    let tf = sim.terraform();
    tf.write("main.tf", config);
    let outcome = tf.plan();
    assert_eq!(
        outcome.code,
        1,
        "[{backend:?}] {case}: the plan must fail\n{}",
        outcome.describe()
    );
    assert!(
        outcome.stderr.contains(&format!("with {address},")),
        "[{backend:?}] {case}: the error names {address}\n{}",
        outcome.describe()
    );
    let attribute_line = quoted_source_lines(&outcome).into_iter().any(|line| {
        line.split_once('=')
            .is_some_and(|(name, _)| name.trim() == attribute)
    });
    assert!(
        attribute_line,
        "[{backend:?}] {case}: the error points at `{attribute}`\n{}",
        outcome.describe()
    );
    assert_eq!(
        sim.view(),
        before,
        "[{backend:?}] {case}: a failed plan changed the panel"
    );
    outcome
}

const PASSWORD: &str = "Plan-Err0r-Secret!";

fn user_block(backend: Backend, name: &str, login: &str, email: &str) -> String {
    let login_line = if backend == Backend::PanelAlpha {
        String::new()
    } else {
        format!("  login = \"{login}\"\n")
    };
    format!(
        "resource \"panel_user\" \"{name}\" {{\n{login_line}  email = \"{email}\"\n  name  = \"Some One\"\n  password_wo = \"{PASSWORD}\"\n}}\n"
    )
}

fn domain_block(backend: Backend, name: &str, domain: &str, extra: &str) -> String {
    let plesk = if backend.is_plesk() {
        format!("  system_password_wo = \"{PASSWORD}\"\n")
    } else {
        String::new()
    };
    format!(
        "resource \"panel_domain\" \"{name}\" {{\n  name  = \"{domain}\"\n  owner = \"1\"\n{plesk}{extra}}}\n"
    )
}

fn invalid_login(sim: &Sim) {
    let config = user_block(sim.backend, "bad", "Bad Login!", "bad@example.com");
    expect_plan_error(sim, "invalid login", &config, "panel_user.bad", "login");
    let too_long = "a".repeat(80);
    let config = user_block(sim.backend, "long", &too_long, "long@example.com");
    expect_plan_error(sim, "login too long", &config, "panel_user.long", "login");
}

fn invalid_domain(sim: &Sim) {
    let config = domain_block(sim.backend, "bad", "exa mple..com", "");
    expect_plan_error(
        sim,
        "invalid domain name",
        &config,
        "panel_domain.bad",
        "name",
    );
}

/// An object of the same natural key exists on the panel: apply fails, says how to
/// import it, and leaves it untouched.
fn already_exists(sim: &Sim, seed: serde_json::Value, login: &str, email: &str) {
    let backend = sim.backend;
    sim.seed(&seed);
    let before = sim.view();
    let key = if backend == Backend::PanelAlpha {
        email
    } else {
        login
    };
    assert!(
        before.user(key).is_some(),
        "seeding {key} failed: {before:#?}"
    );
    let tf = sim.terraform();
    // PanelAlpha's natural key is the email; elsewhere the login clashes.
    let configured_email = if backend == Backend::PanelAlpha {
        email
    } else {
        "new-owner@example.com"
    };
    tf.write(
        "main.tf",
        &user_block(backend, "dup", login, configured_email),
    );
    let outcome = tf.try_apply();
    assert_eq!(
        outcome.code,
        1,
        "[{backend:?}] creating an existing user must fail\n{}",
        outcome.describe()
    );
    assert!(
        outcome.stderr.contains("terraform import"),
        "[{backend:?}] the error says how to import the existing user\n{}",
        outcome.describe()
    );
    assert!(
        outcome.stderr.contains(key),
        "[{backend:?}] the error names the existing user {key}\n{}",
        outcome.describe()
    );
    assert_eq!(
        sim.view(),
        before,
        "[{backend:?}] the existing user must be left untouched"
    );
    assert!(
        tf.try_state_attributes("panel_user.dup").is_none(),
        "[{backend:?}] the existing user must not be adopted into the state"
    );
}

#[test]
fn hestia() {
    let sim = Sim::start(Backend::Hestia);
    invalid_login(&sim);
    invalid_domain(&sim);

    // The prefix rule needs the owner's login, known at plan time: seed the owner.
    sim.seed(&serde_json::json!({"users": [{
        "user": "acme", "password": PASSWORD, "email": "acme@example.com", "name": "Acme"
    }]}));
    let long_name = "d".repeat(60);
    let config = format!(
        "resource \"panel_database\" \"long\" {{\n  name  = \"{long_name}\"\n  owner = \"acme\"\n  user  = \"u1\"\n  password_wo = \"{PASSWORD}\"\n}}\n"
    );
    let outcome = expect_plan_error(
        &sim,
        "database name beyond Hestia's prefix limit",
        &config,
        "panel_database.long",
        "name",
    );
    assert!(
        outcome.stderr.contains("63"),
        "the error states the limit\n{}",
        outcome.describe()
    );
    let long_user = "u".repeat(30);
    let config = format!(
        "resource \"panel_database\" \"longuser\" {{\n  name  = \"db1\"\n  owner = \"acme\"\n  user  = \"{long_user}\"\n  password_wo = \"{PASSWORD}\"\n}}\n"
    );
    expect_plan_error(
        &sim,
        "database user beyond Hestia's prefix limit",
        &config,
        "panel_database.longuser",
        "user",
    );

    let config = domain_block(
        Backend::Hestia,
        "addon",
        "addon.example",
        "  kind   = \"addon\"\n  parent = \"acme.example\"\n",
    );
    expect_plan_error(
        &sim,
        "kind = addon on Hestia",
        &config,
        "panel_domain.addon",
        "kind",
    );

    already_exists(
        &sim,
        serde_json::json!({"users": [{
            "user": "taken", "password": PASSWORD, "email": "taken@example.com",
            "name": "Taken One"
        }]}),
        "taken",
        "taken@example.com",
    );
}

fn plesk(backend: Backend) {
    let sim = Sim::start(backend);
    invalid_login(&sim);
    invalid_domain(&sim);
    let config = format!(
        "resource \"panel_user\" \"planned\" {{\n  login = \"planned\"\n  email = \"p@example.com\"\n  name  = \"P\"\n  plan  = \"Unlimited\"\n  password_wo = \"{PASSWORD}\"\n}}\n"
    );
    expect_plan_error(&sim, "plan on Plesk", &config, "panel_user.planned", "plan");
    already_exists(
        &sim,
        serde_json::json!({"clients": [{
            "login": "taken", "email": "taken@example.com", "name": "Taken One",
            "password": PASSWORD
        }]}),
        "taken",
        "taken@example.com",
    );
}

#[test]
fn plesk_rest() {
    plesk(Backend::PleskRest);
}

#[test]
fn plesk_xml() {
    plesk(Backend::PleskXml);
}

#[test]
fn panelalpha() {
    let sim = Sim::start(Backend::PanelAlpha);
    invalid_domain(&sim);
    let config = format!(
        "resource \"panel_user\" \"login\" {{\n  login = \"someone\"\n  email = \"someone@example.com\"\n  name  = \"Some One\"\n  password_wo = \"{PASSWORD}\"\n}}\n"
    );
    expect_plan_error(
        &sim,
        "login on PanelAlpha",
        &config,
        "panel_user.login",
        "login",
    );
    let config = domain_block(
        Backend::PanelAlpha,
        "ip",
        "ip.example",
        "  ip_address = \"192.0.2.7\"\n",
    );
    expect_plan_error(
        &sim,
        "ip_address on PanelAlpha",
        &config,
        "panel_domain.ip",
        "ip_address",
    );
    already_exists(
        &sim,
        serde_json::json!({"users": [{
            "email": "taken@example.com", "first_name": "Taken", "last_name": "One",
            "password": PASSWORD
        }]}),
        "",
        "taken@example.com",
    );
}
