//! The `panel_user`, `panel_domain` and `panel_database` resources end to end: the
//! provider's own `ProviderService` (as the wire layer drives it, msgpack values and
//! all), configured against a real `panel-sim` process. Each test plays Terraform's
//! part: it computes the proposed new state the way Terraform does, plans, applies,
//! refreshes and imports, and checks the simulator's own state where the panel must
//! have changed.

use std::collections::BTreeMap;
use std::sync::Arc;

use terraform_provider_panel::framework::diag::{Diagnostics, Severity};
use terraform_provider_panel::framework::rpc::*;
use terraform_provider_panel::framework::schema::Schema;
use terraform_provider_panel::tfvalue::{msgpack, AttributePath, Type, Value};

use crate::support::sim::{spawn, SimProcess};

/// A configured provider talking to one simulator.
struct Harness {
    sim: SimProcess,
    provider_config: Vec<(&'static str, Value)>,
    service: Arc<dyn ProviderService>,
    schemas: BTreeMap<String, Schema>,
    http: reqwest::Client,
}

fn with_write_only() -> ClientCapabilities {
    ClientCapabilities {
        deferral_allowed: false,
        write_only_attributes_allowed: true,
    }
}

fn raw(value: &Value, ty: &Type) -> RawValue {
    RawValue {
        msgpack: msgpack::encode(value, ty).expect("test values fit the schema"),
        json: Vec::new(),
    }
}

fn errors(diagnostics: &Diagnostics) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

fn assert_no_errors(diagnostics: &Diagnostics, what: &str) {
    let errors = errors(diagnostics);
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

/// The error diagnostics pointing at `attribute`.
fn errors_at(diagnostics: &Diagnostics, attribute: &str) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| {
            d.severity == Severity::Error && d.attribute == Some(AttributePath::root(attribute))
        })
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

fn s(text: &str) -> Value {
    Value::string(text)
}

fn text(value: &Value, name: &str) -> String {
    value
        .get_attr(name)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{name} is not a known string in {value:?}"))
        .to_owned()
}

impl Harness {
    async fn hestia() -> Self {
        let sim = spawn("hestia", &[]);
        let provider_config = vec![
            ("type", s("hestia")),
            ("endpoint", s(&sim.base_url)),
            ("access_key", s(&sim.cred("access_key"))),
            ("secret_key", s(&sim.cred("secret_key"))),
        ];
        Self::configured(sim, provider_config).await
    }

    async fn configured(sim: SimProcess, provider_config: Vec<(&'static str, Value)>) -> Self {
        let (service, schemas) = start_provider(&provider_config).await;
        Self {
            sim,
            provider_config,
            service,
            schemas,
            http: reqwest::Client::new(),
        }
    }

    /// A fresh provider process, as each `terraform` command starts one: nothing the
    /// previous one cached survives (changes made behind its back become visible).
    async fn next_run(&mut self) {
        let (service, _) = start_provider(&self.provider_config).await;
        self.service = service;
    }

    fn ty(&self, type_name: &str) -> Type {
        self.schemas[type_name].object_type()
    }

    /// A full object of `type_name`: the given attributes, every other one null.
    fn object(&self, type_name: &str, pairs: Vec<(&str, Value)>) -> Value {
        object_of(&self.ty(type_name), pairs)
    }

    /// Terraform's proposed new state: configured values win; a computed attribute
    /// left unset keeps its prior value.
    fn proposed(&self, type_name: &str, prior: &Value, config: &Value) -> Value {
        let schema = &self.schemas[type_name];
        let mut proposed = config.clone();
        for attribute in &schema.block.attributes {
            let configured = config.get_attr(&attribute.name).unwrap_or(&Value::Null);
            if configured.is_null() && attribute.computed {
                let prior_value = prior.get_attr(&attribute.name).cloned();
                proposed.set_attr(&attribute.name, prior_value.unwrap_or(Value::Null));
            }
        }
        proposed
    }

    async fn validate(&self, type_name: &str, config: &Value) -> Diagnostics {
        self.service
            .validate_resource_config(ValidateResourceConfigRequest {
                type_name: type_name.into(),
                config: raw(config, &self.ty(type_name)),
                client_capabilities: with_write_only(),
            })
            .await
    }

    /// Plans `config` over `prior` (null to create): (planned, requires_replace, diags).
    async fn plan(
        &self,
        type_name: &str,
        prior: &Value,
        config: &Value,
    ) -> (Option<Value>, Vec<AttributePath>, Diagnostics) {
        let ty = self.ty(type_name);
        let proposed = self.proposed(type_name, prior, config);
        let response = self
            .service
            .plan_resource_change(PlanResourceChangeRequest {
                type_name: type_name.into(),
                prior_state: raw(prior, &ty),
                proposed_new_state: raw(&proposed, &ty),
                config: raw(config, &ty),
                client_capabilities: with_write_only(),
                ..Default::default()
            })
            .await;
        let planned = response
            .planned_state
            .map(|p| msgpack::decode(&p.msgpack, &ty).expect("planned state decodes"));
        (planned, response.requires_replace, response.diagnostics)
    }

    async fn apply(
        &self,
        type_name: &str,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> (Value, Diagnostics) {
        let ty = self.ty(type_name);
        let response = self
            .service
            .apply_resource_change(ApplyResourceChangeRequest {
                type_name: type_name.into(),
                prior_state: raw(prior, &ty),
                planned_state: raw(planned, &ty),
                config: raw(config, &ty),
                ..Default::default()
            })
            .await;
        let state = response
            .new_state
            .map(|s| msgpack::decode(&s.msgpack, &ty).expect("new state decodes"))
            .unwrap_or(Value::Null);
        (state, response.diagnostics)
    }

    /// Plan + apply a create, asserting success.
    async fn create(&self, type_name: &str, config: &Value) -> Value {
        let (planned, _, diagnostics) = self.plan(type_name, &Value::Null, config).await;
        assert_no_errors(&diagnostics, "plan create");
        let planned = planned.expect("a plan");
        let (state, diagnostics) = self.apply(type_name, &Value::Null, &planned, config).await;
        assert_no_errors(&diagnostics, "apply create");
        assert!(state.is_wholly_known(), "{state:?}");
        state
    }

    /// Plan + apply an update of `prior` to `config`, asserting success.
    async fn update(&self, type_name: &str, prior: &Value, config: &Value) -> Value {
        let (planned, replace, diagnostics) = self.plan(type_name, prior, config).await;
        assert_no_errors(&diagnostics, "plan update");
        assert!(replace.is_empty(), "an in-place update: {replace:?}");
        let planned = planned.expect("a plan");
        let (state, diagnostics) = self.apply(type_name, prior, &planned, config).await;
        assert_no_errors(&diagnostics, "apply update");
        state
    }

    async fn destroy(&self, type_name: &str, prior: &Value) -> Diagnostics {
        let (state, diagnostics) = self
            .apply(type_name, prior, &Value::Null, &Value::Null)
            .await;
        if !diagnostics.has_errors() {
            assert!(state.is_null(), "a destroyed object leaves no state");
        }
        diagnostics
    }

    /// Refresh: `None` when the provider says the object is gone.
    async fn read(&self, type_name: &str, state: &Value) -> (Option<Value>, Diagnostics) {
        let ty = self.ty(type_name);
        let response = self
            .service
            .read_resource(ReadResourceRequest {
                type_name: type_name.into(),
                current_state: raw(state, &ty),
                client_capabilities: with_write_only(),
                ..Default::default()
            })
            .await;
        let new_state = response
            .new_state
            .map(|s| msgpack::decode(&s.msgpack, &ty).expect("read state decodes"))
            .filter(|v| !v.is_null());
        (new_state, response.diagnostics)
    }

    async fn import(&self, type_name: &str, id: &str) -> (Vec<Value>, Diagnostics) {
        let ty = self.ty(type_name);
        let response = self
            .service
            .import_resource_state(ImportResourceStateRequest {
                type_name: type_name.into(),
                id: id.into(),
                client_capabilities: with_write_only(),
            })
            .await;
        let states = response
            .imported_resources
            .iter()
            .map(|r| msgpack::decode(&r.state.msgpack, &ty).expect("imported state decodes"))
            .collect();
        (states, response.diagnostics)
    }

    /// Plans `config` over `state` and asserts Terraform would show no change.
    async fn assert_empty_plan(&self, type_name: &str, state: &Value, config: &Value) {
        let (planned, replace, diagnostics) = self.plan(type_name, state, config).await;
        assert_no_errors(&diagnostics, "re-plan");
        assert!(replace.is_empty(), "no replacement: {replace:?}");
        assert_eq!(planned.as_ref(), Some(state), "planned == prior");
    }

    async fn sim_state(&self) -> serde_json::Value {
        self.http
            .get(self.sim.url("/__sim/state"))
            .send()
            .await
            .expect("control API answers")
            .json()
            .await
            .expect("state is JSON")
    }

    /// Runs one Hestia command as the admin, behind the provider's back.
    async fn hestia_command(&self, cmd: &str, args: &[&str]) {
        let mut form: Vec<(String, String)> = vec![
            (
                "hash".into(),
                format!(
                    "{}:{}",
                    self.sim.cred("access_key"),
                    self.sim.cred("secret_key")
                ),
            ),
            ("returncode".into(), "yes".into()),
            ("cmd".into(), cmd.into()),
        ];
        for (index, arg) in args.iter().enumerate() {
            form.push((format!("arg{}", index + 1), (*arg).to_owned()));
        }
        let answer = self
            .http
            .post(self.sim.url("/api/"))
            .form(&form)
            .send()
            .await
            .expect("hestia answers")
            .text()
            .await
            .expect("text answer");
        assert_eq!(answer.trim(), "0", "{cmd} {args:?} failed behind the back");
    }
}

async fn start_provider(
    provider_config: &[(&'static str, Value)],
) -> (Arc<dyn ProviderService>, BTreeMap<String, Schema>) {
    let service = terraform_provider_panel::service();
    let schema = service.get_provider_schema().await;
    let provider_type = schema.provider.object_type();
    let config = object_of(&provider_type, provider_config.to_vec());
    let diagnostics = service
        .configure(ConfigureRequest {
            terraform_version: "1.11.4".into(),
            config: raw(&config, &provider_type),
            client_capabilities: with_write_only(),
        })
        .await;
    assert_no_errors(&diagnostics, "configure");
    (service, schema.resource_schemas)
}

fn object_of(ty: &Type, pairs: Vec<(&str, Value)>) -> Value {
    let Type::Object(fields) = ty else {
        panic!("schemas are objects")
    };
    let mut value = Value::Object(
        fields
            .keys()
            .map(|k| (k.clone(), Value::Null))
            .collect::<BTreeMap<_, _>>(),
    );
    for (name, v) in pairs {
        assert!(fields.contains_key(name), "no attribute {name}");
        value.set_attr(name, v);
    }
    value
}

// ---------------------------------------------------------------------------------------
// panel_user
// ---------------------------------------------------------------------------------------

const USER: &str = "panel_user";

fn hestia_user(h: &Harness, login: &str) -> Value {
    h.object(
        USER,
        vec![
            ("login", s(login)),
            ("email", s(&format!("{login}@example.com"))),
            ("name", s("Alice Example")),
            ("password_wo", s("first-Passw0rd")),
        ],
    )
}

fn hestia_user_json<'a>(state: &'a serde_json::Value, login: &str) -> &'a serde_json::Value {
    &state["users"][login]
}

#[tokio::test]
async fn hestia_user_create_read_replan_update_import_delete() {
    let h = Harness::hestia().await;
    let config = hestia_user(&h, "alice");
    let state = h.create(USER, &config).await;
    assert_eq!(text(&state, "id"), "alice");
    assert_eq!(text(&state, "login"), "alice");
    assert_eq!(text(&state, "plan"), "default", "hestia's default package");
    assert_eq!(state.get_attr("suspended"), Some(&Value::Bool(false)));
    assert_eq!(state.get_attr("password_wo"), Some(&Value::Null));

    // Read back equals what apply stored, and a re-plan is empty.
    let (read, diagnostics) = h.read(USER, &state).await;
    assert_no_errors(&diagnostics, "read");
    assert_eq!(read.as_ref(), Some(&state));
    h.assert_empty_plan(USER, &state, &config).await;

    // In place: email, name and suspension change on the panel.
    let mut changed = config.clone();
    changed.set_attr("email", s("alice@example.org"));
    changed.set_attr("name", s("Alice Changed"));
    changed.set_attr("suspended", Value::Bool(true));
    let updated = h.update(USER, &state, &changed).await;
    assert_eq!(text(&updated, "email"), "alice@example.org");
    assert_eq!(updated.get_attr("suspended"), Some(&Value::Bool(true)));
    let sim = h.sim_state().await;
    let user = hestia_user_json(&sim, "alice");
    assert_eq!(user["contact"], "alice@example.org", "{user}");
    assert_eq!(user["name"], "Alice Changed", "{user}");
    assert_eq!(user["suspended"], true, "{user}");
    h.assert_empty_plan(USER, &updated, &changed).await;

    // Password rotation: bumping the version sends the configured password.
    let before = hestia_user_json(&h.sim_state().await, "alice").clone();
    let mut rotated = changed.clone();
    rotated.set_attr("password_wo", s("second-Passw0rd"));
    rotated.set_attr("password_wo_version", Value::int(2));
    let after_rotation = h.update(USER, &updated, &rotated).await;
    assert_eq!(
        after_rotation.get_attr("password_wo_version"),
        Some(&Value::int(2))
    );
    let after = hestia_user_json(&h.sim_state().await, "alice").clone();
    assert_ne!(
        before, after,
        "the password change reached the panel (its stored hash changed)"
    );

    // Import by login gives full state: the next plan is empty (no password version).
    let (imported, diagnostics) = h.import(USER, "alice").await;
    assert_no_errors(&diagnostics, "import");
    assert_eq!(imported.len(), 1);
    let mut expected = after_rotation.clone();
    expected.set_attr("password_wo_version", Value::Null);
    assert_eq!(imported[0], expected);
    let mut import_config = changed.clone();
    import_config.set_attr("password_wo", Value::Null);
    h.assert_empty_plan(USER, &imported[0], &import_config)
        .await;

    // Replace-forcing change: the login.
    let mut renamed = changed.clone();
    renamed.set_attr("login", s("alice2"));
    let (_, replace, diagnostics) = h.plan(USER, &after_rotation, &renamed).await;
    assert_no_errors(&diagnostics, "plan rename");
    assert_eq!(replace, vec![AttributePath::root("login")]);

    // Delete, then delete again (idempotent), then a read drops it from state.
    assert_no_errors(&h.destroy(USER, &after_rotation).await, "destroy");
    assert!(hestia_user_json(&h.sim_state().await, "alice").is_null());
    assert_no_errors(&h.destroy(USER, &after_rotation).await, "destroy twice");
    let (gone, diagnostics) = h.read(USER, &after_rotation).await;
    assert_no_errors(&diagnostics, "read after delete");
    assert_eq!(gone, None);
}

#[tokio::test]
async fn hestia_user_drift_shows_in_the_plan_and_deletion_behind_the_back_drops_state() {
    let mut h = Harness::hestia().await;
    let config = hestia_user(&h, "bob");
    let state = h.create(USER, &config).await;
    h.hestia_command("v-change-user-contact", &["bob", "other@example.net"])
        .await;
    h.hestia_command("v-suspend-user", &["bob"]).await;
    h.next_run().await;
    let (read, diagnostics) = h.read(USER, &state).await;
    assert_no_errors(&diagnostics, "read drifted");
    let read = read.expect("still there");
    assert_eq!(text(&read, "email"), "other@example.net");
    assert_eq!(read.get_attr("suspended"), Some(&Value::Bool(true)));
    let (planned, replace, _) = h.plan(USER, &read, &config).await;
    assert!(replace.is_empty());
    assert_ne!(planned.as_ref(), Some(&read), "the drift is planned away");
    let fixed = h.update(USER, &read, &config).await;
    assert_eq!(text(&fixed, "email"), "bob@example.com");
    assert_eq!(
        hestia_user_json(&h.sim_state().await, "bob")["suspended"],
        false
    );

    h.hestia_command("v-delete-user", &["bob"]).await;
    h.next_run().await;
    let (gone, diagnostics) = h.read(USER, &fixed).await;
    assert_no_errors(&diagnostics, "read deleted");
    assert_eq!(gone, None, "a user deleted behind the back leaves state");
}

#[tokio::test]
async fn hestia_user_already_exists_points_to_import() {
    let h = Harness::hestia().await;
    let config = hestia_user(&h, "carol");
    h.create(USER, &config).await;
    let (planned, _, _) = h.plan(USER, &Value::Null, &config).await;
    let (state, diagnostics) = h
        .apply(USER, &Value::Null, &planned.expect("plan"), &config)
        .await;
    assert!(state.is_null());
    let errors = errors(&diagnostics);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("terraform import panel_user.NAME 'carol'")
            && errors[0].contains("import {"),
        "{}",
        errors[0]
    );
}

#[tokio::test]
async fn hestia_user_bad_input_is_caught_at_plan_time_on_the_attribute() {
    let h = Harness::hestia().await;
    // Static rules: validation, before the panel is known.
    let mut bad = hestia_user(&h, "alice");
    bad.set_attr("login", s("Alice!"));
    bad.set_attr("email", s("not-an-email"));
    let diagnostics = h.validate(USER, &bad).await;
    assert_eq!(errors_at(&diagnostics, "login").len(), 1, "{diagnostics:?}");
    assert_eq!(errors_at(&diagnostics, "email").len(), 1, "{diagnostics:?}");

    // Panel rules: at plan time.
    let mut dotted = hestia_user(&h, "al.ice");
    dotted.set_attr("login", s("al.ice"));
    let (_, _, diagnostics) = h.plan(USER, &Value::Null, &dotted).await;
    assert_eq!(errors_at(&diagnostics, "login").len(), 1, "{diagnostics:?}");
    let mut no_login = hestia_user(&h, "x");
    no_login.set_attr("login", Value::Null);
    let (_, _, diagnostics) = h.plan(USER, &Value::Null, &no_login).await;
    assert_eq!(errors_at(&diagnostics, "login").len(), 1, "{diagnostics:?}");
    let mut no_password = hestia_user(&h, "dave");
    no_password.set_attr("password_wo", Value::Null);
    let (_, _, diagnostics) = h.plan(USER, &Value::Null, &no_password).await;
    assert_eq!(
        errors_at(&diagnostics, "password_wo").len(),
        1,
        "{diagnostics:?}"
    );
    // Nothing reached the panel.
    let sim = h.sim_state().await;
    assert_eq!(
        sim["users"].as_object().map(|u| u.len()),
        Some(1),
        "only admin: {sim}"
    );
}

// ---------------------------------------------------------------------------------------
// panel_domain
// ---------------------------------------------------------------------------------------

const DOMAIN: &str = "panel_domain";

fn domain_config(h: &Harness, name: &str, owner: &str) -> Value {
    h.object(DOMAIN, vec![("name", s(name)), ("owner", s(owner))])
}

fn hestia_domains(state: &serde_json::Value, owner: &str) -> Vec<String> {
    state["users"][owner]["web_domains"]
        .as_array()
        .map(|domains| {
            domains
                .iter()
                .filter_map(|d| d["domain"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn hestia_domain_create_read_replan_import_delete() {
    let mut h = Harness::hestia().await;
    let user = h.create(USER, &hestia_user(&h, "dora")).await;
    let owner = text(&user, "id");
    // A configured spelling that differs from the panel's only in case is kept.
    let config = domain_config(&h, "Dora.Example", &owner);
    let state = h.create(DOMAIN, &config).await;
    assert_eq!(text(&state, "id"), "dora.example");
    assert_eq!(text(&state, "name"), "Dora.Example");
    assert_eq!(text(&state, "kind"), "main");
    assert_eq!(text(&state, "ip_address"), "192.0.2.2");
    assert!(!text(&state, "document_root").is_empty());
    assert_eq!(
        hestia_domains(&h.sim_state().await, "dora"),
        ["dora.example"]
    );

    h.next_run().await;
    let (read, diagnostics) = h.read(DOMAIN, &state).await;
    assert_no_errors(&diagnostics, "read");
    assert_eq!(read.as_ref(), Some(&state));
    h.assert_empty_plan(DOMAIN, &state, &config).await;

    // Another spelling of the same name is no replacement; another name is.
    let mut respelled = config.clone();
    respelled.set_attr("name", s("dora.example"));
    let (_, replace, diagnostics) = h.plan(DOMAIN, &state, &respelled).await;
    assert_no_errors(&diagnostics, "plan respelled");
    assert!(replace.is_empty(), "{replace:?}");
    let mut renamed = config.clone();
    renamed.set_attr("name", s("dora2.example"));
    let (_, replace, _) = h.plan(DOMAIN, &state, &renamed).await;
    assert_eq!(replace, vec![AttributePath::root("name")]);
    let mut moved = config.clone();
    moved.set_attr("owner", s("someone"));
    let (_, replace, _) = h.plan(DOMAIN, &state, &moved).await;
    assert_eq!(replace, vec![AttributePath::root("owner")]);
    // HestiaCP picks the IP at creation only.
    let mut readdressed = config.clone();
    readdressed.set_attr("ip_address", s("192.0.2.9"));
    let (_, replace, diagnostics) = h.plan(DOMAIN, &state, &readdressed).await;
    assert_no_errors(&diagnostics, "plan new ip");
    assert_eq!(replace, vec![AttributePath::root("ip_address")]);

    // Import by name (any spelling) stores the panel's form; the next plan is empty.
    let (imported, diagnostics) = h.import(DOMAIN, "DORA.example").await;
    assert_no_errors(&diagnostics, "import");
    assert_eq!(imported.len(), 1);
    let mut expected = state.clone();
    expected.set_attr("name", s("dora.example"));
    assert_eq!(imported[0], expected);
    h.assert_empty_plan(DOMAIN, &imported[0], &respelled).await;

    // Creating it again says how to import it.
    let (planned, _, _) = h.plan(DOMAIN, &Value::Null, &config).await;
    let (failed, diagnostics) = h
        .apply(DOMAIN, &Value::Null, &planned.expect("plan"), &config)
        .await;
    assert!(failed.is_null());
    let errors = errors(&diagnostics);
    assert!(
        errors.len() == 1
            && errors[0].contains("terraform import panel_domain.NAME 'dora.example'"),
        "{errors:?}"
    );

    assert_no_errors(&h.destroy(DOMAIN, &state).await, "destroy");
    assert!(hestia_domains(&h.sim_state().await, "dora").is_empty());
    assert_no_errors(&h.destroy(DOMAIN, &state).await, "destroy twice");
    let (gone, diagnostics) = h.read(DOMAIN, &state).await;
    assert_no_errors(&diagnostics, "read deleted");
    assert_eq!(gone, None);
}

#[tokio::test]
async fn hestia_domain_deleted_behind_the_back_leaves_state() {
    let mut h = Harness::hestia().await;
    let user = h.create(USER, &hestia_user(&h, "erin")).await;
    let state = h
        .create(
            DOMAIN,
            &domain_config(&h, "erin.example", &text(&user, "id")),
        )
        .await;
    h.hestia_command("v-delete-web-domain", &["erin", "erin.example"])
        .await;
    h.next_run().await;
    let (gone, diagnostics) = h.read(DOMAIN, &state).await;
    assert_no_errors(&diagnostics, "read deleted");
    assert_eq!(gone, None);
}

#[tokio::test]
async fn hestia_domain_bad_input_is_caught_at_plan_time_on_the_attribute() {
    let h = Harness::hestia().await;
    let user = h.create(USER, &hestia_user(&h, "fred")).await;
    let owner = text(&user, "id");
    let validation_cases = [
        (vec![("name", s("not a domain"))], "name"),
        (vec![("name", s("under_score.example"))], "name"),
        (vec![("kind", s("addon"))], "parent"),
        (vec![("kind", s("weird"))], "kind"),
        (vec![("parent", s("fred.example"))], "parent"),
        (
            vec![("kind", s("subdomain")), ("parent", s("other.example"))],
            "name",
        ),
    ];
    for (changes, attribute) in validation_cases {
        let mut config = domain_config(&h, "sub.fred.example", &owner);
        for (name, value) in changes.clone() {
            config.set_attr(name, value);
        }
        let diagnostics = h.validate(DOMAIN, &config).await;
        assert_eq!(
            errors_at(&diagnostics, attribute).len(),
            1,
            "{changes:?}: {diagnostics:?}"
        );
    }
    let plan_cases = [
        (
            vec![("kind", s("addon")), ("parent", s("fred.example"))],
            "kind",
        ),
        (
            vec![("document_root", s("/home/fred/web"))],
            "document_root",
        ),
        (vec![("php_version", s("8.2"))], "php_version"),
        (
            vec![("system_password_wo", s("secret-Passw0rd"))],
            "system_password_wo",
        ),
    ];
    for (changes, attribute) in plan_cases {
        let mut config = domain_config(&h, "sub.fred.example", &owner);
        for (name, value) in changes.clone() {
            config.set_attr(name, value);
        }
        assert_no_errors(&h.validate(DOMAIN, &config).await, "statically valid");
        let (_, _, diagnostics) = h.plan(DOMAIN, &Value::Null, &config).await;
        assert_eq!(
            errors_at(&diagnostics, attribute).len(),
            1,
            "{changes:?}: {diagnostics:?}"
        );
    }
    assert!(hestia_domains(&h.sim_state().await, "fred").is_empty());
}

// ---------------------------------------------------------------------------------------
// panel_database
// ---------------------------------------------------------------------------------------

const DATABASE: &str = "panel_database";

fn hestia_database_config(h: &Harness, owner: &str, name: &str, user: &str) -> Value {
    h.object(
        DATABASE,
        vec![
            ("name", s(name)),
            ("owner", s(owner)),
            ("user", s(user)),
            ("password_wo", s("db-Passw0rd-1")),
        ],
    )
}

fn hestia_databases(state: &serde_json::Value, owner: &str) -> Vec<serde_json::Value> {
    state["users"][owner]["databases"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn hestia_database_create_read_replan_rotate_import_delete() {
    let mut h = Harness::hestia().await;
    let user = h.create(USER, &hestia_user(&h, "gina")).await;
    let owner = text(&user, "id");
    let config = hestia_database_config(&h, &owner, "shop", "app");
    let state = h.create(DATABASE, &config).await;
    assert_eq!(text(&state, "name"), "shop");
    assert_eq!(text(&state, "full_name"), "gina_shop");
    assert_eq!(text(&state, "user"), "app");
    assert_eq!(text(&state, "full_user"), "gina_app");
    assert_eq!(text(&state, "engine"), "mysql");
    assert_eq!(state.get_attr("domain"), Some(&Value::Null));
    let databases = hestia_databases(&h.sim_state().await, "gina");
    assert_eq!(databases.len(), 1);
    assert_eq!(databases[0]["database"], "gina_shop");

    h.next_run().await;
    let (read, diagnostics) = h.read(DATABASE, &state).await;
    assert_no_errors(&diagnostics, "read");
    assert_eq!(read.as_ref(), Some(&state));
    h.assert_empty_plan(DATABASE, &state, &config).await;

    // Rotation reaches the panel.
    let before = hestia_databases(&h.sim_state().await, "gina");
    let mut rotated = config.clone();
    rotated.set_attr("password_wo", s("db-Passw0rd-2"));
    rotated.set_attr("password_wo_version", Value::int(2));
    let after_rotation = h.update(DATABASE, &state, &rotated).await;
    assert_eq!(
        after_rotation.get_attr("password_wo_version"),
        Some(&Value::int(2))
    );
    assert_ne!(
        before,
        hestia_databases(&h.sim_state().await, "gina"),
        "the new password reached the panel"
    );

    // Replace-forcing changes.
    for (attribute, value) in [
        ("name", "shop2"),
        ("user", "app2"),
        ("engine", "postgresql"),
    ] {
        let mut changed = rotated.clone();
        changed.set_attr(attribute, s(value));
        let (_, replace, diagnostics) = h.plan(DATABASE, &after_rotation, &changed).await;
        assert_no_errors(&diagnostics, attribute);
        assert_eq!(replace, vec![AttributePath::root(attribute)], "{attribute}");
    }

    // Import as OWNER/FULL_NAME and as the full name alone.
    let mut import_config = config.clone();
    import_config.set_attr("password_wo", Value::Null);
    let mut expected = after_rotation.clone();
    expected.set_attr("password_wo_version", Value::Null);
    for id in ["gina/gina_shop", "gina_shop"] {
        let (imported, diagnostics) = h.import(DATABASE, id).await;
        assert_no_errors(&diagnostics, id);
        assert_eq!(imported, vec![expected.clone()], "{id}");
        h.assert_empty_plan(DATABASE, &imported[0], &import_config)
            .await;
    }
    let (none, diagnostics) = h.import(DATABASE, "gina/gina_nothing").await;
    assert!(none.is_empty());
    assert!(errors(&diagnostics)[0].contains("OWNER/FULL_NAME"));

    // Creating it again says how to import it.
    let (planned, _, _) = h.plan(DATABASE, &Value::Null, &config).await;
    let (failed, diagnostics) = h
        .apply(DATABASE, &Value::Null, &planned.expect("plan"), &config)
        .await;
    assert!(failed.is_null());
    let errors = errors(&diagnostics);
    assert!(
        errors.len() == 1
            && errors[0].contains("terraform import panel_database.NAME 'gina/gina_shop'"),
        "{errors:?}"
    );

    // Deleted behind the back: the next refresh drops it; destroy is idempotent.
    h.hestia_command("v-delete-database", &["gina", "gina_shop"])
        .await;
    h.next_run().await;
    let (gone, diagnostics) = h.read(DATABASE, &after_rotation).await;
    assert_no_errors(&diagnostics, "read deleted");
    assert_eq!(gone, None);
    assert_no_errors(&h.destroy(DATABASE, &after_rotation).await, "destroy gone");
}

#[tokio::test]
async fn hestia_database_bad_input_is_caught_at_plan_time_on_the_attribute() {
    let h = Harness::hestia().await;
    let login = "a_rather_long_login_name";
    let user = h.create(USER, &hestia_user(&h, login)).await;
    let owner = text(&user, "id");

    let mut bad = hestia_database_config(&h, &owner, "shop-1", "app");
    bad.set_attr("engine", s("oracle"));
    let diagnostics = h.validate(DATABASE, &bad).await;
    assert_eq!(errors_at(&diagnostics, "name").len(), 1, "{diagnostics:?}");
    assert_eq!(
        errors_at(&diagnostics, "engine").len(),
        1,
        "{diagnostics:?}"
    );

    // 24 + 1 + 39 = 64 > 63 for the name; 24 + 1 + 8 = 33 > 32 for the user.
    let long = hestia_database_config(&h, &owner, &"d".repeat(39), "appuser1");
    assert_no_errors(&h.validate(DATABASE, &long).await, "statically valid");
    let (_, _, diagnostics) = h.plan(DATABASE, &Value::Null, &long).await;
    let name_errors = errors_at(&diagnostics, "name");
    assert_eq!(name_errors.len(), 1, "{diagnostics:?}");
    assert!(name_errors[0].contains("64 characters") && name_errors[0].contains("63"));
    assert_eq!(errors_at(&diagnostics, "user").len(), 1, "{diagnostics:?}");

    let mut no_user = hestia_database_config(&h, &owner, "shop", "app");
    no_user.set_attr("user", Value::Null);
    let (_, _, diagnostics) = h.plan(DATABASE, &Value::Null, &no_user).await;
    assert_eq!(errors_at(&diagnostics, "user").len(), 1, "{diagnostics:?}");
    let mut no_password = hestia_database_config(&h, &owner, "shop", "app");
    no_password.set_attr("password_wo", Value::Null);
    let (_, _, diagnostics) = h.plan(DATABASE, &Value::Null, &no_password).await;
    assert_eq!(
        errors_at(&diagnostics, "password_wo").len(),
        1,
        "{diagnostics:?}"
    );
    let mut with_domain = hestia_database_config(&h, &owner, "shop", "app");
    with_domain.set_attr("domain", s("example.com"));
    let (_, _, diagnostics) = h.plan(DATABASE, &Value::Null, &with_domain).await;
    assert_eq!(
        errors_at(&diagnostics, "domain").len(),
        1,
        "{diagnostics:?}"
    );
    assert!(hestia_databases(&h.sim_state().await, login).is_empty());
}

// ---------------------------------------------------------------------------------------
// The same life cycles on Plesk (REST and XML) and PanelAlpha
// ---------------------------------------------------------------------------------------

impl Harness {
    async fn plesk(api: &str) -> Self {
        let sim = spawn("plesk", &[]);
        let provider_config = vec![
            ("type", s(api)),
            ("endpoint", s(&sim.base_url)),
            ("login", s(&sim.cred("login"))),
            ("password", s(&sim.cred("password"))),
        ];
        Self::configured(sim, provider_config).await
    }

    async fn panelalpha() -> Self {
        let sim = spawn("panelalpha", &[]);
        let provider_config = vec![
            ("type", s("panelalpha")),
            ("endpoint", s(&sim.base_url)),
            ("token", s(&sim.cred("token"))),
        ];
        Self::configured(sim, provider_config).await
    }

    /// Create, read back (in a fresh provider run), re-plan empty; returns the state.
    async fn create_and_check(&mut self, type_name: &str, config: &Value) -> Value {
        let state = self.create(type_name, config).await;
        self.next_run().await;
        let (read, diagnostics) = self.read(type_name, &state).await;
        assert_no_errors(&diagnostics, "read back");
        assert_eq!(read.as_ref(), Some(&state), "{type_name}: read == applied");
        self.assert_empty_plan(type_name, &state, config).await;
        state
    }

    /// Import `id` and expect `state` without its password version (and without the
    /// `unreported` attributes the panel cannot tell), then an empty plan against
    /// `config` without write-only values.
    async fn import_and_check(
        &self,
        type_name: &str,
        id: &str,
        state: &Value,
        config: &Value,
        unreported: &[&str],
    ) {
        let (imported, diagnostics) = self.import(type_name, id).await;
        assert_no_errors(&diagnostics, id);
        let mut expected = state.clone();
        for version in ["password_wo_version", "system_password_wo_version"]
            .iter()
            .chain(unreported)
        {
            if expected.get_attr(version).is_some() {
                expected.set_attr(version, Value::Null);
            }
        }
        assert_eq!(imported, vec![expected], "{type_name} import {id}");
        let mut config = config.clone();
        for (name, value) in config.as_object().cloned().unwrap_or_default() {
            if name.contains("password_wo") && !value.is_null() {
                config.set_attr(&name, Value::Null);
            }
        }
        self.assert_empty_plan(type_name, &imported[0], &config)
            .await;
    }

    /// Deleted: destroy twice (idempotent), then a fresh read drops it from state.
    async fn destroy_and_check(&mut self, type_name: &str, state: &Value) {
        assert_no_errors(&self.destroy(type_name, state).await, "destroy");
        assert_no_errors(&self.destroy(type_name, state).await, "destroy twice");
        self.next_run().await;
        let (gone, diagnostics) = self.read(type_name, state).await;
        assert_no_errors(&diagnostics, "read after destroy");
        assert_eq!(gone, None, "{type_name} gone from state");
    }
}

async fn plesk_life_cycle(api: &str) {
    let mut h = Harness::plesk(api).await;
    // panel_user: a Plesk customer; updates reach the panel (seen by a fresh run).
    let user_config = h.object(
        USER,
        vec![
            ("login", s("pat")),
            ("email", s("pat@example.com")),
            ("name", s("Pat Example")),
            ("password_wo", s("Pat-Passw0rd-1")),
        ],
    );
    let user = h.create_and_check(USER, &user_config).await;
    assert_eq!(user.get_attr("plan"), Some(&Value::Null));
    let mut changed = user_config.clone();
    changed.set_attr("email", s("pat@example.org"));
    changed.set_attr("name", s("Pat Changed"));
    changed.set_attr("suspended", Value::Bool(true));
    // Customers have no plan, so an in-place update plans it as it was (null), not as
    // "known after apply".
    let (planned, _, diagnostics) = h.plan(USER, &user, &changed).await;
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    assert_eq!(
        planned.as_ref().and_then(|p| p.get_attr("plan")),
        Some(&Value::Null)
    );
    let updated = h.update(USER, &user, &changed).await;
    h.next_run().await;
    let (read, _) = h.read(USER, &updated).await;
    assert_eq!(
        read.as_ref(),
        Some(&updated),
        "the update reached the panel"
    );
    assert_eq!(text(&updated, "email"), "pat@example.org");
    h.import_and_check(USER, "pat", &updated, &changed, &[])
        .await;
    let owner = text(&updated, "id");

    // Plesk customers have no plan: refused at plan time, on `plan`.
    let mut with_plan = changed.clone();
    with_plan.set_attr("plan", s("Unlimited"));
    let (_, _, diagnostics) = h.plan(USER, &updated, &with_plan).await;
    assert_eq!(errors_at(&diagnostics, "plan").len(), 1, "{diagnostics:?}");

    // panel_domain: a subscription needs its system user's password.
    let mut site_config = h.object(
        DOMAIN,
        vec![("name", s("pat.example")), ("owner", s(&owner))],
    );
    let (_, _, diagnostics) = h.plan(DOMAIN, &Value::Null, &site_config).await;
    assert_eq!(
        errors_at(&diagnostics, "system_password_wo").len(),
        1,
        "{diagnostics:?}"
    );
    site_config.set_attr("system_password_wo", s("Ftp-Passw0rd-1"));
    site_config.set_attr("system_password_wo_version", Value::int(1));
    let site = h.create_and_check(DOMAIN, &site_config).await;
    assert_eq!(text(&site, "kind"), "main");
    // The REST API never reports a subscription's IP address.
    let unreported: &[&str] = if api == "plesk_rest" {
        &["ip_address"]
    } else {
        &[]
    };
    h.import_and_check(DOMAIN, "pat.example", &site, &site_config, unreported)
        .await;
    let addon_config = h.object(
        DOMAIN,
        vec![
            ("name", s("pat-shop.example")),
            ("owner", s(&owner)),
            ("kind", s("addon")),
            ("parent", s("pat.example")),
        ],
    );
    let addon = h.create_and_check(DOMAIN, &addon_config).await;
    assert_eq!(text(&addon, "parent"), "pat.example");
    let mut rotated = site_config.clone();
    rotated.set_attr("system_password_wo_version", Value::int(2));
    let (_, _, diagnostics) = h.plan(DOMAIN, &site, &rotated).await;
    assert_eq!(
        errors_at(&diagnostics, "system_password_wo_version").len(),
        1,
        "{diagnostics:?}"
    );

    // panel_database: in the subscription, with a separate database user.
    let mut db_config = h.object(
        DATABASE,
        vec![
            ("name", s("patdb")),
            ("owner", s(&owner)),
            ("user", s("patuser")),
            ("password_wo", s("Db-Passw0rd-1")),
        ],
    );
    let (_, _, diagnostics) = h.plan(DATABASE, &Value::Null, &db_config).await;
    assert_eq!(
        errors_at(&diagnostics, "domain").len(),
        1,
        "{diagnostics:?}"
    );
    db_config.set_attr("domain", s("pat.example"));
    let database = h.create_and_check(DATABASE, &db_config).await;
    assert_eq!(text(&database, "full_name"), "patdb");
    assert_eq!(text(&database, "full_user"), "patuser");
    let mut rotated = db_config.clone();
    rotated.set_attr("password_wo", s("Db-Passw0rd-2"));
    rotated.set_attr("password_wo_version", Value::int(2));
    let database = h.update(DATABASE, &database, &rotated).await;
    h.import_and_check(DATABASE, "pat.example/patdb", &database, &rotated, &[])
        .await;

    h.destroy_and_check(DATABASE, &database).await;
    h.destroy_and_check(DOMAIN, &addon).await;
    h.destroy_and_check(DOMAIN, &site).await;
    h.destroy_and_check(USER, &updated).await;
}

#[tokio::test]
async fn plesk_rest_user_domain_database_life_cycle() {
    plesk_life_cycle("plesk_rest").await;
}

#[tokio::test]
async fn plesk_xml_user_domain_database_life_cycle() {
    plesk_life_cycle("plesk_xml").await;
}

#[tokio::test]
async fn panelalpha_user_and_database_life_cycle_and_plan_time_refusals() {
    let mut h = Harness::panelalpha().await;
    let user_config = h.object(
        USER,
        vec![
            ("email", s("quinn@example.com")),
            ("name", s("Quinn Example")),
            ("plan", s("Starter")),
            ("password_wo", s("Quinn-Passw0rd-1")),
        ],
    );
    let mut with_login = user_config.clone();
    with_login.set_attr("login", s("quinn"));
    let (_, _, diagnostics) = h.plan(USER, &Value::Null, &with_login).await;
    assert_eq!(errors_at(&diagnostics, "login").len(), 1, "{diagnostics:?}");

    let user = h.create_and_check(USER, &user_config).await;
    assert_eq!(text(&user, "login"), "quinn@example.com");
    assert_eq!(text(&user, "plan"), "Starter");
    // The login follows the email, in place.
    let mut changed = user_config.clone();
    changed.set_attr("email", s("quinn@example.org"));
    changed.set_attr("plan", s("Business"));
    let updated = h.update(USER, &user, &changed).await;
    assert_eq!(text(&updated, "login"), "quinn@example.org");
    assert_eq!(text(&updated, "plan"), "Business");
    h.next_run().await;
    let (read, _) = h.read(USER, &updated).await;
    assert_eq!(
        read.as_ref(),
        Some(&updated),
        "the update reached the panel"
    );
    h.import_and_check(USER, "quinn@example.org", &updated, &changed, &[])
        .await;
    let owner = text(&updated, "id");

    let mut main_domain = h.object(
        DOMAIN,
        vec![("name", s("quinn.example")), ("owner", s(&owner))],
    );
    let (_, _, diagnostics) = h.plan(DOMAIN, &Value::Null, &main_domain).await;
    assert_eq!(errors_at(&diagnostics, "kind").len(), 1, "{diagnostics:?}");
    main_domain.set_attr("ip_address", s("192.0.2.1"));
    let (_, _, diagnostics) = h.plan(DOMAIN, &Value::Null, &main_domain).await;
    assert_eq!(
        errors_at(&diagnostics, "ip_address").len(),
        1,
        "{diagnostics:?}"
    );

    let db_config = h.object(
        DATABASE,
        vec![
            ("name", s("quinndb")),
            ("owner", s(&owner)),
            ("user", s("quinnuser")),
            ("password_wo", s("Db-Passw0rd-1")),
        ],
    );
    let mut postgres = db_config.clone();
    postgres.set_attr("engine", s("postgresql"));
    let (_, _, diagnostics) = h.plan(DATABASE, &Value::Null, &postgres).await;
    assert_eq!(
        errors_at(&diagnostics, "engine").len(),
        1,
        "{diagnostics:?}"
    );
    // A failure after the database exists (here: granting the user) still records the
    // database, so Terraform tracks it (tainted) instead of leaking it.
    let (planned, _, _) = h.plan(DATABASE, &Value::Null, &db_config).await;
    let (partial, diagnostics) = h
        .apply(DATABASE, &Value::Null, &planned.expect("plan"), &db_config)
        .await;
    // (Today the simulator keeps the user under an account-prefixed name the backend
    // does not grant to, so the grant fails; should that agree one day, the create
    // simply succeeds.)
    if diagnostics.has_errors() {
        assert!(
            !partial.is_null() && !text(&partial, "id").is_empty(),
            "a half-created database stays in state: {diagnostics:?}"
        );
    }
    h.destroy_and_check(DATABASE, &partial).await;
    let mut no_user = db_config.clone();
    no_user.set_attr("user", Value::Null);
    no_user.set_attr("password_wo", Value::Null);
    let database = h.create_and_check(DATABASE, &no_user).await;
    // PanelAlpha's import id is the backend's USER_ID/ACCOUNT_ID/NAME.
    let id = text(&database, "id");
    assert_eq!(id.split('/').count(), 3, "{id}");
    // The import strips the account prefix (up to the first `_`), so the configured
    // short name plans nothing.
    let (imported, diagnostics) = h.import(DATABASE, &id).await;
    assert_no_errors(&diagnostics, "import database");
    assert_eq!(imported.len(), 1);
    let imported = &imported[0];
    assert_eq!(text(imported, "full_name"), text(&database, "full_name"));
    assert_eq!(text(imported, "name"), text(&database, "name"));
    assert_eq!(text(imported, "name"), "quinndb");
    h.assert_empty_plan(DATABASE, imported, &no_user).await;
    let adopted = h.update(DATABASE, imported, &no_user).await;
    assert_eq!(adopted, database);
    h.assert_empty_plan(DATABASE, &adopted, &no_user).await;
    h.destroy_and_check(DATABASE, &database).await;
    h.destroy_and_check(USER, &updated).await;
}
