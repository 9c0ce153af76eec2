//! The resource framework end to end, through the `ProviderService` trait the wire layer
//! calls, with msgpack-encoded values as Terraform sends them. A small in-memory
//! `test_widget` resource (defined only here) stands in for real resources; the panel
//! provider's own configuration handling is tested at the end.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use terraform_provider_panel::backends::{BackendConfig, Credentials};
use terraform_provider_panel::framework::diag::{Diagnostics, Severity};
use terraform_provider_panel::framework::plan::PlanContext;
use terraform_provider_panel::framework::resource::{
    Context, DataSource, Provider, Resource, StateResult,
};
use terraform_provider_panel::framework::rpc::*;
use terraform_provider_panel::framework::schema::{Attribute, Schema};
use terraform_provider_panel::framework::server::FrameworkServer;
use terraform_provider_panel::framework::validate;
use terraform_provider_panel::panel::{PanelError, PanelKind, Secret};
use terraform_provider_panel::provider::PanelProvider;
use terraform_provider_panel::tfvalue::{msgpack, AttributePath, Type, Value};

const WIDGET: &str = "test_widget";

/// What the fake "panel" holds: widgets by id, plus the last write-only password seen.
#[derive(Default)]
struct Store {
    widgets: Mutex<BTreeMap<String, Value>>,
    last_password: Mutex<Option<String>>,
    next_id: Mutex<u64>,
}

impl Store {
    fn widgets(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Value>> {
        self.widgets.lock().unwrap_or_else(|p| p.into_inner())
    }
}

struct Widget;

fn widget_schema() -> Schema {
    Schema::new(1)
        .description("A test widget.")
        .attribute(
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .description("Identifier."),
        )
        .attribute(
            Attribute::string("name")
                .required()
                .requires_replace()
                .validator(validate::string_length_between(1, 10))
                .description("Name; changing it replaces the widget."),
        )
        .attribute(
            Attribute::int("size")
                .optional()
                .computed()
                .default(Value::int(1))
                .description("Size, default 1."),
        )
        .attribute(
            Attribute::string("color")
                .optional()
                .computed()
                .description("Chosen by the panel unless set."),
        )
        .attribute(
            Attribute::int("serial")
                .computed()
                .description("Bumped on every change."),
        )
        .attribute(
            Attribute::string("kind")
                .optional()
                .validator(validate::one_of(&["a", "b"]))
                .description("Kind."),
        )
        .attribute(
            Attribute::string("password_wo")
                .optional()
                .sensitive()
                .write_only()
                .description("Never stored."),
        )
}

fn store(ctx: &Context) -> Result<Arc<Store>, Diagnostics> {
    ctx.provider_data::<Store>()
}

#[async_trait::async_trait]
impl Resource for Widget {
    fn type_name(&self) -> &'static str {
        WIDGET
    }

    fn schema(&self) -> Schema {
        widget_schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value, diagnostics: &mut Diagnostics) {
        if config.get_attr("name").and_then(Value::as_str) == Some("forbidden") {
            diagnostics.error_at(AttributePath::root("name"), "Forbidden Name", "no");
        }
    }

    async fn modify_plan(&self, _ctx: &Context, plan: &mut PlanContext) {
        // A resource-level rule: kind "b" forces replacement when it changes.
        let changed = plan.prior_attr("kind") != plan.planned_attr("kind");
        if changed && plan.planned_attr("kind").and_then(Value::as_str) == Some("b") {
            plan.require_replace(AttributePath::root("kind"));
        }
    }

    async fn create(&self, ctx: &Context, planned: &Value, config: &Value) -> StateResult {
        let store = match store(ctx) {
            Ok(store) => store,
            Err(diagnostics) => return (None, diagnostics),
        };
        *store
            .last_password
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = config
            .get_attr("password_wo")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let id = {
            let mut next = store.next_id.lock().unwrap_or_else(|p| p.into_inner());
            *next += 1;
            format!("w{next}")
        };
        let mut state = planned.clone();
        state.set_attr("id", Value::string(id.clone()));
        if state.get_attr("color").is_some_and(Value::is_unknown) {
            state.set_attr("color", Value::string("blue"));
        }
        state.set_attr("serial", Value::int(1));
        // Deliberately echo the write-only value: the server must still null it.
        state.set_attr(
            "password_wo",
            config
                .get_attr("password_wo")
                .cloned()
                .unwrap_or(Value::Null),
        );
        store.widgets().insert(id, state.clone());
        let mut diagnostics = Diagnostics::new();
        if planned.get_attr("name").and_then(Value::as_str) == Some("half") {
            diagnostics.error("Widget Half Created", "the second step failed");
        }
        (Some(state), diagnostics)
    }

    async fn read(&self, ctx: &Context, state: &Value) -> StateResult {
        let store = match store(ctx) {
            Ok(store) => store,
            Err(diagnostics) => return (None, diagnostics),
        };
        if state.get_attr("name").and_then(Value::as_str) == Some("hang") {
            std::future::pending::<()>().await;
        }
        let id = state
            .get_attr("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let found = store.widgets().get(id).cloned();
        (found, Diagnostics::new())
    }

    async fn update(
        &self,
        ctx: &Context,
        prior: &Value,
        planned: &Value,
        _config: &Value,
    ) -> StateResult {
        let store = match store(ctx) {
            Ok(store) => store,
            Err(diagnostics) => return (None, diagnostics),
        };
        let serial = prior
            .get_attr("serial")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let mut state = planned.clone();
        state.set_attr("serial", Value::int(serial + 1));
        if state.get_attr("color").is_some_and(Value::is_unknown) {
            state.set_attr(
                "color",
                prior.get_attr("color").cloned().unwrap_or(Value::Null),
            );
        }
        let id = state
            .get_attr("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        store.widgets().insert(id, state.clone());
        (Some(state), Diagnostics::new())
    }

    async fn delete(&self, ctx: &Context, prior: &Value) -> Diagnostics {
        match store(ctx) {
            Ok(store) => {
                let id = prior
                    .get_attr("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                store.widgets().remove(id);
                Diagnostics::new()
            }
            Err(diagnostics) => diagnostics,
        }
    }

    async fn import(&self, ctx: &Context, id: &str) -> (Vec<Value>, Diagnostics) {
        match store(ctx) {
            Ok(store) => (
                store.widgets().get(id).cloned().into_iter().collect(),
                Diagnostics::new(),
            ),
            Err(diagnostics) => (Vec::new(), diagnostics),
        }
    }

    async fn upgrade_state(&self, _ctx: &Context, version: i64, json: &[u8]) -> StateResult {
        // Version 0 called the name `label`.
        let mut diagnostics = Diagnostics::new();
        let parsed: serde_json::Value = match serde_json::from_slice(json) {
            Ok(parsed) => parsed,
            Err(err) => {
                diagnostics.error("Bad Old State", err.to_string());
                return (None, diagnostics);
            }
        };
        assert_eq!(version, 0);
        let label = parsed
            .get("label")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let id = parsed
            .get("id")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let mut state = null_widget();
        state.set_attr("id", Value::string(id));
        state.set_attr("name", Value::string(label));
        state.set_attr("size", Value::int(1));
        state.set_attr("color", Value::string("blue"));
        state.set_attr("serial", Value::int(1));
        (Some(state), diagnostics)
    }
}

/// `data "test_widget_lookup"`: finds a widget by name.
struct WidgetLookup;

fn lookup_schema() -> Schema {
    Schema::new(0)
        .description("Looks a widget up by name.")
        .attribute(
            Attribute::string("name")
                .required()
                .validator(validate::string_length_at_most(10))
                .description("Name to find."),
        )
        .attribute(Attribute::string("id").computed().description("Its id."))
}

#[async_trait::async_trait]
impl DataSource for WidgetLookup {
    fn type_name(&self) -> &'static str {
        "test_widget_lookup"
    }

    fn schema(&self) -> Schema {
        lookup_schema()
    }

    async fn read(&self, ctx: &Context, config: &Value) -> StateResult {
        let store = match store(ctx) {
            Ok(store) => store,
            Err(diagnostics) => return (None, diagnostics),
        };
        let name = config.get_attr("name").cloned().unwrap_or(Value::Null);
        let found = store
            .widgets()
            .values()
            .find(|w| w.get_attr("name") == Some(&name))
            .cloned();
        let mut diagnostics = Diagnostics::new();
        match found {
            Some(widget) => {
                let mut result = config.clone();
                result.set_attr("id", widget.get_attr("id").cloned().unwrap_or(Value::Null));
                (Some(result), diagnostics)
            }
            None => {
                diagnostics.error_at(AttributePath::root("name"), "Widget Not Found", "none");
                (None, diagnostics)
            }
        }
    }
}

/// A provider around `Widget` whose configure hands out a shared store.
struct TestProvider {
    store: Arc<Store>,
}

#[async_trait::async_trait]
impl Provider for TestProvider {
    fn schema(&self) -> Schema {
        Schema::new(0).attribute(
            Attribute::string("endpoint")
                .optional()
                .validator(validate::string_matches("start with http", |s| {
                    s.starts_with("http")
                }))
                .description("Where."),
        )
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Widget)]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(WidgetLookup)]
    }

    async fn configure(
        &self,
        _config: &Value,
        _terraform_version: &str,
        _diagnostics: &mut Diagnostics,
    ) -> Option<Arc<dyn Any + Send + Sync>> {
        Some(self.store.clone())
    }
}

fn widget_type() -> Type {
    widget_schema().object_type()
}

fn null_widget() -> Value {
    let Type::Object(fields) = widget_type() else {
        unreachable!("schemas are objects")
    };
    Value::Object(fields.into_keys().map(|k| (k, Value::Null)).collect())
}

fn widget(pairs: &[(&str, Value)]) -> Value {
    let mut value = null_widget();
    for (name, v) in pairs {
        value.set_attr(name, v.clone());
    }
    value
}

fn raw(value: &Value, ty: &Type) -> RawValue {
    RawValue {
        msgpack: msgpack::encode(value, ty).expect("encodable test value"),
        json: Vec::new(),
    }
}

fn raw_widget(value: &Value) -> RawValue {
    raw(value, &widget_type())
}

fn decode_widget(raw: &RawValue) -> Value {
    msgpack::decode(&raw.msgpack, &widget_type()).expect("server answers decode")
}

fn errors(diagnostics: &Diagnostics) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

async fn configured_server() -> (FrameworkServer, Arc<Store>) {
    let store = Arc::new(Store::default());
    let server = FrameworkServer::new(Arc::new(TestProvider {
        store: store.clone(),
    }));
    let provider_type = TestProvider {
        store: store.clone(),
    }
    .schema()
    .object_type();
    let diagnostics = server
        .configure(ConfigureRequest {
            config: raw(
                &Value::Object([("endpoint".to_owned(), Value::string("http://x"))].into()),
                &provider_type,
            ),
            ..Default::default()
        })
        .await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    (server, store)
}

async fn plan(
    server: &FrameworkServer,
    prior: &Value,
    config: &Value,
    proposed: &Value,
) -> PlanResourceChangeResponse {
    server
        .plan_resource_change(PlanResourceChangeRequest {
            type_name: WIDGET.into(),
            prior_state: raw_widget(prior),
            proposed_new_state: raw_widget(proposed),
            config: raw_widget(config),
            prior_private: b"private".to_vec(),
            ..Default::default()
        })
        .await
}

async fn apply(
    server: &FrameworkServer,
    prior: &Value,
    planned: &Value,
    config: &Value,
) -> ApplyResourceChangeResponse {
    server
        .apply_resource_change(ApplyResourceChangeRequest {
            type_name: WIDGET.into(),
            prior_state: raw_widget(prior),
            planned_state: raw_widget(planned),
            config: raw_widget(config),
            ..Default::default()
        })
        .await
}

async fn read(server: &FrameworkServer, state: &Value) -> ReadResourceResponse {
    server
        .read_resource(ReadResourceRequest {
            type_name: WIDGET.into(),
            current_state: raw_widget(state),
            ..Default::default()
        })
        .await
}

/// Terraform's proposed new state: config values, prior values for computed
/// attributes whose config is null.
fn proposed(prior: &Value, config: &Value) -> Value {
    let mut proposed = config.clone();
    for computed in ["id", "size", "color", "serial"] {
        if config.get_attr(computed).is_some_and(Value::is_null) {
            proposed.set_attr(
                computed,
                prior.get_attr(computed).cloned().unwrap_or(Value::Null),
            );
        }
    }
    proposed.set_attr("password_wo", Value::Null);
    proposed
}

#[tokio::test]
async fn widget_lifecycle_plan_apply_read_gone_import() {
    let (server, store) = configured_server().await;

    let metadata = server.get_metadata().await;
    assert_eq!(metadata.resources, vec![WIDGET.to_owned()]);
    assert!(metadata.server_capabilities.plan_destroy);
    assert!(metadata.server_capabilities.get_provider_schema_optional);
    let schema = server.get_provider_schema().await;
    assert_eq!(schema.resource_schemas[WIDGET].check(), Ok(()));

    // Create: defaults filled, computed unknown, write-only nulled, nothing to replace.
    let config = widget(&[
        ("name", Value::string("one")),
        ("password_wo", Value::string("s3cret")),
    ]);
    let planned = plan(
        &server,
        &Value::Null,
        &config,
        &proposed(&Value::Null, &config),
    )
    .await;
    assert!(planned.diagnostics.is_empty(), "{:?}", planned.diagnostics);
    assert!(planned.requires_replace.is_empty());
    assert_eq!(planned.planned_private, b"private".to_vec());
    let planned = decode_widget(&planned.planned_state.expect("planned"));
    assert_eq!(
        planned,
        widget(&[
            ("id", Value::unknown()),
            ("name", Value::string("one")),
            ("size", Value::int(1)),
            ("color", Value::unknown()),
            ("serial", Value::unknown()),
        ])
    );

    let created = apply(&server, &Value::Null, &planned, &config).await;
    assert!(created.diagnostics.is_empty(), "{:?}", created.diagnostics);
    let state = decode_widget(&created.new_state.expect("state"));
    assert_eq!(state.get_attr("id"), Some(&Value::string("w1")));
    assert_eq!(state.get_attr("color"), Some(&Value::string("blue")));
    assert_eq!(
        state.get_attr("password_wo"),
        Some(&Value::Null),
        "write-only must not be stored"
    );
    assert_eq!(
        store
            .last_password
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_deref(),
        Some("s3cret"),
        "create sees write-only values through config"
    );

    // Same config again: the plan is exactly the state (an empty plan).
    let again = plan(&server, &state, &config, &proposed(&state, &config)).await;
    assert_eq!(decode_widget(&again.planned_state.expect("planned")), state);
    assert!(again.requires_replace.is_empty());

    // In-place update: id kept (use_state_for_unknown), serial unknown, no replacement.
    let bigger = widget(&[("name", Value::string("one")), ("size", Value::int(3))]);
    let update = plan(&server, &state, &bigger, &proposed(&state, &bigger)).await;
    assert!(
        update.requires_replace.is_empty(),
        "{:?}",
        update.requires_replace
    );
    let update_planned = decode_widget(&update.planned_state.expect("planned"));
    assert_eq!(update_planned.get_attr("id"), Some(&Value::string("w1")));
    assert_eq!(update_planned.get_attr("serial"), Some(&Value::unknown()));
    assert_eq!(update_planned.get_attr("color"), Some(&Value::unknown()));
    let updated = apply(&server, &state, &update_planned, &bigger).await;
    assert!(updated.diagnostics.is_empty(), "{:?}", updated.diagnostics);
    let state = decode_widget(&updated.new_state.expect("state"));
    assert_eq!(state.get_attr("serial"), Some(&Value::int(2)));
    assert_eq!(state.get_attr("size"), Some(&Value::int(3)));

    // Renaming forces replacement (attribute modifier); kind "b" too (resource hook).
    let renamed = widget(&[
        ("name", Value::string("two")),
        ("size", Value::int(3)),
        ("kind", Value::string("b")),
    ]);
    let replace = plan(&server, &state, &renamed, &proposed(&state, &renamed)).await;
    assert_eq!(
        replace.requires_replace,
        vec![AttributePath::root("name"), AttributePath::root("kind")]
    );

    // Read: present, then deleted behind Terraform's back -> null state (removed).
    let fresh = read(&server, &state).await;
    assert!(fresh.diagnostics.is_empty());
    assert_eq!(decode_widget(&fresh.new_state.expect("state")), state);
    let saved = store.widgets().remove("w1").expect("stored");
    let gone = read(&server, &state).await;
    assert!(gone.diagnostics.is_empty(), "{:?}", gone.diagnostics);
    assert_eq!(gone.new_state.expect("nil state").msgpack, vec![0xc0]);

    // Import returns the full object.
    store.widgets().insert("w1".into(), saved);
    let imported = server
        .import_resource_state(ImportResourceStateRequest {
            type_name: WIDGET.into(),
            id: "w1".into(),
            ..Default::default()
        })
        .await;
    assert!(
        imported.diagnostics.is_empty(),
        "{:?}",
        imported.diagnostics
    );
    assert_eq!(imported.imported_resources.len(), 1);
    assert_eq!(imported.imported_resources[0].type_name, WIDGET);
    assert_eq!(decode_widget(&imported.imported_resources[0].state), state);
    let missing = server
        .import_resource_state(ImportResourceStateRequest {
            type_name: WIDGET.into(),
            id: "nope".into(),
            ..Default::default()
        })
        .await;
    assert!(missing.imported_resources.is_empty());
    assert!(errors(&missing.diagnostics)
        .iter()
        .any(|e| e.contains("\"nope\"")));

    // The data source finds it by name.
    let lookup_type = lookup_schema().object_type();
    let lookup_config = Value::Object(
        [
            ("name".to_owned(), Value::string("one")),
            ("id".to_owned(), Value::Null),
        ]
        .into(),
    );
    let found = server
        .read_data_source(ReadDataSourceRequest {
            type_name: "test_widget_lookup".into(),
            config: raw(&lookup_config, &lookup_type),
            ..Default::default()
        })
        .await;
    assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
    let found =
        msgpack::decode(&found.state.expect("state").msgpack, &lookup_type).expect("decodes");
    assert_eq!(found.get_attr("id"), Some(&Value::string("w1")));

    // Destroy: planned null, then apply with planned null deletes.
    let destroy_plan = plan(&server, &state, &Value::Null, &Value::Null).await;
    assert_eq!(
        destroy_plan.planned_state.expect("null plan").msgpack,
        vec![0xc0]
    );
    let destroyed = apply(&server, &state, &Value::Null, &Value::Null).await;
    assert!(
        destroyed.diagnostics.is_empty(),
        "{:?}",
        destroyed.diagnostics
    );
    assert_eq!(destroyed.new_state.expect("nil").msgpack, vec![0xc0]);
    assert!(store.widgets().is_empty());
}

#[tokio::test]
async fn partial_create_still_returns_the_state() {
    let (server, store) = configured_server().await;
    let config = widget(&[("name", Value::string("half"))]);
    let planned = plan(
        &server,
        &Value::Null,
        &config,
        &proposed(&Value::Null, &config),
    )
    .await;
    let planned = decode_widget(&planned.planned_state.expect("planned"));
    let created = apply(&server, &Value::Null, &planned, &config).await;
    assert_eq!(
        errors(&created.diagnostics),
        vec!["Widget Half Created: the second step failed"]
    );
    let state = decode_widget(&created.new_state.expect("partial state kept"));
    assert_eq!(state.get_attr("id"), Some(&Value::string("w1")));
    assert_eq!(store.widgets().len(), 1);
}

#[tokio::test]
async fn config_validation_reports_attribute_paths() {
    let (server, _) = configured_server().await;
    let config = widget(&[
        ("name", Value::string("far-too-long-a-name")),
        ("kind", Value::string("z")),
        ("size", Value::unknown()),
    ]);
    let diagnostics = server
        .validate_resource_config(ValidateResourceConfigRequest {
            type_name: WIDGET.into(),
            config: raw_widget(&config),
            client_capabilities: ClientCapabilities {
                write_only_attributes_allowed: true,
                ..Default::default()
            },
        })
        .await;
    let paths: Vec<_> = diagnostics.iter().map(|d| d.attribute.clone()).collect();
    assert_eq!(
        paths,
        vec![
            Some(AttributePath::root("name")),
            Some(AttributePath::root("kind"))
        ]
    );
    assert!(diagnostics.0[0]
        .detail
        .contains("between 1 and 10 characters"));

    // The resource's own hook runs too, and write-only needs client support.
    let config = widget(&[
        ("name", Value::string("forbidden")),
        ("password_wo", Value::string("x")),
    ]);
    let diagnostics = server
        .validate_resource_config(ValidateResourceConfigRequest {
            type_name: WIDGET.into(),
            config: raw_widget(&config),
            client_capabilities: ClientCapabilities::default(),
        })
        .await;
    let summaries: Vec<_> = diagnostics
        .iter()
        .map(|d| (d.summary.as_str(), d.attribute.clone()))
        .collect();
    assert_eq!(
        summaries,
        vec![
            (
                "Write-Only Attribute Not Supported",
                Some(AttributePath::root("password_wo"))
            ),
            ("Forbidden Name", Some(AttributePath::root("name"))),
        ]
    );

    // Provider block validators run in PrepareProviderConfig.
    let provider_type = Type::object([("endpoint", Type::String)]);
    let prepared = server
        .prepare_provider_config(PrepareProviderConfigRequest {
            config: raw(
                &Value::Object([("endpoint".to_owned(), Value::string("ftp://x"))].into()),
                &provider_type,
            ),
        })
        .await;
    assert_eq!(prepared.diagnostics.0.len(), 1);
    assert_eq!(
        prepared.diagnostics.0[0].attribute,
        Some(AttributePath::root("endpoint"))
    );
}

#[tokio::test]
async fn malformed_values_and_unknown_types_are_diagnostics_not_panics() {
    let (server, _) = configured_server().await;
    let garbage = RawValue {
        msgpack: vec![0x81, 0xa4, b'n', b'a'],
        json: Vec::new(),
    };
    let response = server
        .plan_resource_change(PlanResourceChangeRequest {
            type_name: WIDGET.into(),
            prior_state: RawValue::default(),
            proposed_new_state: garbage.clone(),
            config: garbage.clone(),
            ..Default::default()
        })
        .await;
    assert!(response.planned_state.is_none());
    let messages = errors(&response.diagnostics);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("PlanResourceChange") && messages[0].contains("proposed_new_state"),
        "{messages:?}"
    );

    let response = server
        .apply_resource_change(ApplyResourceChangeRequest {
            type_name: WIDGET.into(),
            prior_state: garbage.clone(),
            ..Default::default()
        })
        .await;
    assert!(errors(&response.diagnostics)[0].contains("ApplyResourceChange"));

    let response = server
        .read_resource(ReadResourceRequest {
            type_name: "panel_nope".into(),
            current_state: garbage,
            ..Default::default()
        })
        .await;
    let messages = errors(&response.diagnostics);
    assert!(
        messages[0].starts_with("Unknown Resource Type") && messages[0].contains("test_widget"),
        "{messages:?}"
    );

    let ephemeral = server
        .open_ephemeral_resource(OpenEphemeralResourceRequest {
            type_name: "panel_token".into(),
            ..Default::default()
        })
        .await;
    assert!(errors(&ephemeral.diagnostics)[0].contains("panel_token"));
    let data = server
        .validate_data_source_config(ValidateDataSourceConfigRequest {
            type_name: "panel_user".into(),
            ..Default::default()
        })
        .await;
    assert!(errors(&data)[0].starts_with("Unknown Data Source Type"));
    let data = server
        .validate_data_source_config(ValidateDataSourceConfigRequest {
            type_name: "test_widget_lookup".into(),
            config: RawValue {
                msgpack: Vec::new(),
                json: br#"{"name":"much-too-long-name","id":null}"#.to_vec(),
            },
        })
        .await;
    assert_eq!(data.0.len(), 1, "{data:?}");
    assert_eq!(data.0[0].attribute, Some(AttributePath::root("name")));
}

#[tokio::test]
async fn unknown_provider_config_defers_the_error_to_calls_that_need_the_panel() {
    let store = Arc::new(Store::default());
    let server = FrameworkServer::new(Arc::new(TestProvider { store }));
    let provider_type = Type::object([("endpoint", Type::String)]);
    let diagnostics = server
        .configure(ConfigureRequest {
            config: raw(
                &Value::Object([("endpoint".to_owned(), Value::unknown())].into()),
                &provider_type,
            ),
            ..Default::default()
        })
        .await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    // Planning needs no panel, so it still works.
    let config = widget(&[("name", Value::string("one"))]);
    let planned = plan(
        &server,
        &Value::Null,
        &config,
        &proposed(&Value::Null, &config),
    )
    .await;
    assert!(planned.diagnostics.is_empty(), "{:?}", planned.diagnostics);
    // Reading does, and says why it cannot.
    let state = widget(&[("id", Value::string("w1")), ("name", Value::string("one"))]);
    let response = read(&server, &state).await;
    let messages = errors(&response.diagnostics);
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].starts_with("Provider Not Configured") && messages[0].contains("`endpoint`"),
        "{messages:?}"
    );
    // A failed read keeps the state Terraform had instead of dropping it.
    assert_eq!(decode_widget(&response.new_state.expect("kept")), state);
}

#[tokio::test]
async fn stop_cancels_in_flight_calls() {
    let (server, _) = configured_server().await;
    let server = Arc::new(server);
    let state = widget(&[("id", Value::string("w1")), ("name", Value::string("hang"))]);
    let in_flight = {
        let server = server.clone();
        let state = state.clone();
        tokio::spawn(async move { read(&server, &state).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(server.stop().await, None);
    let response = tokio::time::timeout(Duration::from_secs(5), in_flight)
        .await
        .expect("stop ends the call")
        .expect("no panic");
    assert!(errors(&response.diagnostics)[0].starts_with("Operation Cancelled"));
}

#[tokio::test]
async fn upgrade_state_reencodes_current_json_and_calls_the_hook_for_old_versions() {
    let (server, _) = configured_server().await;
    let current = br#"{"id":"w1","name":"one","size":2,"color":"red","serial":4,"kind":null,"password_wo":null,"dropped_attr":1}"#;
    let response = server
        .upgrade_resource_state(UpgradeResourceStateRequest {
            type_name: WIDGET.into(),
            version: 1,
            raw_state: RawState {
                json: current.to_vec(),
                ..Default::default()
            },
        })
        .await;
    assert!(
        response.diagnostics.is_empty(),
        "{:?}",
        response.diagnostics
    );
    let upgraded = decode_widget(&response.upgraded_state.expect("upgraded"));
    assert_eq!(upgraded.get_attr("color"), Some(&Value::string("red")));
    assert_eq!(upgraded.get_attr("size"), Some(&Value::int(2)));

    let old = br#"{"id":"w1","label":"legacy"}"#;
    let response = server
        .upgrade_resource_state(UpgradeResourceStateRequest {
            type_name: WIDGET.into(),
            version: 0,
            raw_state: RawState {
                json: old.to_vec(),
                ..Default::default()
            },
        })
        .await;
    assert!(
        response.diagnostics.is_empty(),
        "{:?}",
        response.diagnostics
    );
    let upgraded = decode_widget(&response.upgraded_state.expect("upgraded"));
    assert_eq!(upgraded.get_attr("name"), Some(&Value::string("legacy")));

    let response = server
        .upgrade_resource_state(UpgradeResourceStateRequest {
            type_name: WIDGET.into(),
            version: 7,
            raw_state: RawState {
                json: current.to_vec(),
                ..Default::default()
            },
        })
        .await;
    assert!(response.upgraded_state.is_none());
    assert!(errors(&response.diagnostics)[0].starts_with("State Written By A Newer Provider"));
}

// ---- the panel provider's own configuration ---------------------------------------

fn panel_provider_type() -> Type {
    terraform_provider_panel::provider::config::schema().object_type()
}

fn provider_block(pairs: &[(&str, Value)]) -> Value {
    let Type::Object(fields) = panel_provider_type() else {
        unreachable!("schemas are objects")
    };
    let mut block: BTreeMap<String, Value> = fields.into_keys().map(|k| (k, Value::Null)).collect();
    for (name, value) in pairs {
        block.insert((*name).to_owned(), value.clone());
    }
    Value::Object(block)
}

/// A panel provider over a fixed environment whose connector records the backend
/// configuration it is given (and fails, as no backend is needed here).
fn recording_provider(env: &[(&str, &str)]) -> (FrameworkServer, Arc<Mutex<Vec<BackendConfig>>>) {
    let env: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorder = seen.clone();
    let registry = terraform_provider_panel::resources::registry();
    let provider = PanelProvider::new(registry.resources, registry.data_sources)
        .with_env(move |name| env.get(name).cloned())
        .with_connector(move |config| {
            recorder
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(config);
            Err(PanelError::unsupported("recording only"))
        });
    (FrameworkServer::new(Arc::new(provider)), seen)
}

#[tokio::test]
async fn panel_provider_configures_from_the_environment_alone() {
    let (server, seen) = recording_provider(&[
        ("PANEL_TYPE", "plesk_xml"),
        ("PANEL_ENDPOINT", "https://plesk.example.com:8443"),
        ("PANEL_SECRET_KEY", "xml-SECRET"),
        ("PANEL_REQUEST_TIMEOUT", "15"),
    ]);
    let diagnostics = server
        .configure(ConfigureRequest {
            config: raw(&provider_block(&[]), &panel_provider_type()),
            terraform_version: "1.11.4".into(),
            ..Default::default()
        })
        .await;
    // Only the recording connector's refusal; nothing about missing arguments.
    assert_eq!(errors(&diagnostics).len(), 1, "{diagnostics:?}");
    assert!(errors(&diagnostics)[0].starts_with("Panel Backend Unavailable"));
    let seen = seen.lock().unwrap_or_else(|p| p.into_inner());
    assert_eq!(seen.len(), 1);
    let config = &seen[0];
    assert_eq!(config.kind, PanelKind::PleskXml);
    assert_eq!(config.endpoint, "https://plesk.example.com:8443");
    assert_eq!(
        config.credentials,
        Credentials::SecretKey(Secret::new("xml-SECRET"))
    );
    assert_eq!(config.request_timeout, Duration::from_secs(15));
    assert_eq!(config.max_concurrent_requests, 10);
    // For the User-Agent: `Terraform/1.11.4 terraform-provider-panel/<version>`.
    assert_eq!(config.terraform_version.as_deref(), Some("1.11.4"));
    assert!(
        !format!("{config:?}").contains("xml-SECRET"),
        "Debug redacts secrets"
    );
    assert!(!format!("{diagnostics:?}").contains("xml-SECRET"));
}

#[tokio::test]
async fn panel_provider_reports_missing_credentials_with_their_env_var() {
    let (server, seen) = recording_provider(&[("PANEL_ENDPOINT", "https://h.example.com:8083")]);
    let diagnostics = server
        .configure(ConfigureRequest {
            config: raw(
                &provider_block(&[
                    ("type", Value::string("hestia")),
                    ("access_key", Value::string("AK")),
                ]),
                &panel_provider_type(),
            ),
            ..Default::default()
        })
        .await;
    assert!(
        seen.lock().unwrap_or_else(|p| p.into_inner()).is_empty(),
        "no connect on bad config"
    );
    let missing: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.attribute.clone(), d.detail.clone()))
        .collect();
    assert_eq!(missing.len(), 1, "{diagnostics:?}");
    assert_eq!(missing[0].0, Some(AttributePath::root("secret_key")));
    assert!(
        missing[0].1.contains("PANEL_SECRET_KEY"),
        "{}",
        missing[0].1
    );

    let prepared = server
        .prepare_provider_config(PrepareProviderConfigRequest {
            config: raw(
                &provider_block(&[("type", Value::string("cpanel"))]),
                &panel_provider_type(),
            ),
        })
        .await;
    let paths: Vec<_> = prepared
        .diagnostics
        .iter()
        .map(|d| d.attribute.clone())
        .collect();
    assert_eq!(paths, vec![Some(AttributePath::root("type"))]);
    assert!(prepared.diagnostics.0[0].detail.contains("\"plesk_rest\""));
}

#[tokio::test]
async fn panel_provider_with_unknown_config_configures_silently() {
    let (server, seen) = recording_provider(&[]);
    let diagnostics = server
        .configure(ConfigureRequest {
            config: raw(
                &provider_block(&[("endpoint", Value::unknown())]),
                &panel_provider_type(),
            ),
            ..Default::default()
        })
        .await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(seen.lock().unwrap_or_else(|p| p.into_inner()).is_empty());
}
