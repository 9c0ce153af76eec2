//! [`FrameworkServer`]: the [`ProviderService`] the wire layer calls. It decodes values
//! with the right schema, routes by type name to resources and data sources, applies
//! the framework-standard planning ([`super::plan`]) and validation
//! ([`super::validate`]), and encodes the answers. Nothing here panics on input: a
//! malformed value or an unknown type name becomes an error diagnostic.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, RwLock};

use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::diag::Diagnostics;
use super::plan::{self, PlanContext};
use super::resource::{Context, DataSource, Provider, ProviderData, Resource};
use super::rpc::*;
use super::schema::{Block, Schema};
use super::validate::validate_block;
use crate::tfvalue::{json, msgpack};
use crate::tfvalue::{AttributePath, PathStep, Type, Value};

/// msgpack nil: how a null object (a deleted resource) travels.
const MSGPACK_NIL: u8 = 0xc0;

struct Registered<T: ?Sized> {
    implementation: Arc<T>,
    schema: Schema,
    object_type: Type,
}

/// Routes tfplugin5 RPCs to one provider's resources and data sources.
pub struct FrameworkServer {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    provider_type: Type,
    resources: BTreeMap<String, Registered<dyn Resource>>,
    data_sources: BTreeMap<String, Registered<dyn DataSource>>,
    provider_data: RwLock<ProviderData>,
    stop: CancellationToken,
}

impl FrameworkServer {
    /// Collects schemas once: they are asked for on every RPC. A type name registered
    /// twice keeps its first registration (the registry's unit test forbids that case).
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        let provider_schema = provider.schema();
        let mut resources = BTreeMap::new();
        for resource in provider.resources() {
            let schema = resource.schema();
            resources
                .entry(resource.type_name().to_owned())
                .or_insert_with(|| Registered {
                    object_type: schema.object_type(),
                    schema,
                    implementation: resource,
                });
        }
        let mut data_sources = BTreeMap::new();
        for data_source in provider.data_sources() {
            let schema = data_source.schema();
            data_sources
                .entry(data_source.type_name().to_owned())
                .or_insert_with(|| Registered {
                    object_type: schema.object_type(),
                    schema,
                    implementation: data_source,
                });
        }
        Self {
            provider_type: provider_schema.object_type(),
            provider_schema,
            provider,
            resources,
            data_sources,
            provider_data: RwLock::new(ProviderData::NotConfigured),
            stop: CancellationToken::new(),
        }
    }

    fn server_capabilities() -> ServerCapabilities {
        ServerCapabilities {
            plan_destroy: true,
            get_provider_schema_optional: true,
            move_resource_state: false,
        }
    }

    fn context(&self, rpc: &'static str, type_name: &str) -> Context {
        let data = match self.provider_data.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let span = tracing::info_span!("rpc", rpc, type_name);
        Context::new(data, self.stop.child_token(), span)
    }

    fn set_provider_data(&self, data: ProviderData) {
        match self.provider_data.write() {
            Ok(mut guard) => *guard = data,
            Err(poisoned) => *poisoned.into_inner() = data,
        }
    }

    /// Runs `work` inside the context's span; abandons it when `Stop` is called.
    async fn run<T>(
        &self,
        ctx: &Context,
        rpc: &str,
        work: impl Future<Output = T>,
    ) -> Result<T, Diagnostics> {
        let cancelled = ctx.cancellation().clone();
        tokio::select! {
            biased;
            () = cancelled.cancelled() => {
                let mut diagnostics = Diagnostics::new();
                diagnostics.error(
                    "Operation Cancelled",
                    format!(
                        "Terraform asked the provider to stop, so {rpc} was abandoned. A change \
                         already sent to the panel may have taken effect; run `terraform plan` \
                         to see what the panel holds now."
                    ),
                );
                Err(diagnostics)
            }
            value = work.instrument(ctx.span().clone()) => Ok(value),
        }
    }

    /// Runs `work` inside the context's span to its end, even after `Stop`: used for
    /// applies, whose requests already sent to the panel must finish so that their
    /// outcome (and any object created) reaches the state. Resources see the stop in
    /// their context and send nothing new after it.
    async fn run_to_completion<T>(&self, ctx: &Context, work: impl Future<Output = T>) -> T {
        work.instrument(ctx.span().clone()).await
    }

    fn resource(
        &self,
        rpc: &str,
        type_name: &str,
    ) -> Result<&Registered<dyn Resource>, Diagnostics> {
        self.resources
            .get(type_name)
            .ok_or_else(|| unknown_type(rpc, "resource", type_name, self.resources.keys()))
    }

    fn data_source(
        &self,
        rpc: &str,
        type_name: &str,
    ) -> Result<&Registered<dyn DataSource>, Diagnostics> {
        self.data_sources
            .get(type_name)
            .ok_or_else(|| unknown_type(rpc, "data source", type_name, self.data_sources.keys()))
    }
}

fn unknown_type<'a>(
    rpc: &str,
    kind: &str,
    type_name: &str,
    known: impl Iterator<Item = &'a String>,
) -> Diagnostics {
    let known: Vec<&str> = known.map(String::as_str).collect();
    let listing = if known.is_empty() {
        "none".to_owned()
    } else {
        known.join(", ")
    };
    let mut diagnostics = Diagnostics::new();
    diagnostics.error(
        format!("Unknown {} Type", title_case(kind)),
        format!(
            "{rpc} was called for {kind} type `{type_name}`, which this provider does not \
             offer. Known {kind} types: {listing}."
        ),
    );
    diagnostics
}

fn title_case(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Decodes a `DynamicValue` against `ty`: msgpack when present, else JSON, else null
/// (Terraform's own rule).
fn decode(raw: &RawValue, ty: &Type, rpc: &str, field: &str) -> Result<Value, Diagnostics> {
    let decoded = if !raw.msgpack.is_empty() {
        msgpack::decode(&raw.msgpack, ty)
    } else if !raw.json.is_empty() {
        json::decode(&raw.json, ty)
    } else {
        return Ok(Value::Null);
    };
    decoded.map_err(|err| {
        let mut diagnostics = Diagnostics::new();
        let location = if err.path.steps.is_empty() {
            String::new()
        } else {
            format!(" at `{}`", path_text(&err.path))
        };
        diagnostics.error(
            "Malformed Value From Terraform",
            format!(
                "{rpc}: the `{field}` value could not be decoded{location}: {}. This is a bug \
                 in Terraform or in the provider; please report it.",
                err.message
            ),
        );
        diagnostics
    })
}

/// `disk[0].size`, `tags["env"]`: a path as a Terraform user would write it.
fn path_text(path: &AttributePath) -> String {
    let mut text = String::new();
    for step in &path.steps {
        match step {
            PathStep::Attribute(name) if text.is_empty() => text.push_str(name),
            PathStep::Attribute(name) => {
                text.push('.');
                text.push_str(name);
            }
            PathStep::ElementKeyString(key) => text.push_str(&format!("[{key:?}]")),
            PathStep::ElementKeyInt(index) => text.push_str(&format!("[{index}]")),
        }
    }
    text
}

fn encode(value: &Value, ty: &Type, rpc: &str, diagnostics: &mut Diagnostics) -> Option<RawValue> {
    match msgpack::encode(value, ty) {
        Ok(bytes) => Some(RawValue {
            msgpack: bytes,
            json: Vec::new(),
        }),
        Err(err) => {
            diagnostics.push(
                super::diag::Severity::Error,
                "Provider Produced An Unencodable Value",
                format!(
                    "{rpc}: the provider's answer does not fit its own schema: {}. This is a \
                     bug in the provider; please report it.",
                    err.message
                ),
                (!err.path.steps.is_empty()).then_some(err.path),
            );
            None
        }
    }
}

fn null_raw() -> RawValue {
    RawValue {
        msgpack: vec![MSGPACK_NIL],
        json: Vec::new(),
    }
}

/// The checks every state a resource hands back must pass before Terraform sees it:
/// write-only attributes null, no unknowns, and the schema's type.
fn finish_state(
    mut state: Value,
    schema: &Schema,
    object_type: &Type,
    rpc: &str,
    diagnostics: &mut Diagnostics,
) -> Option<RawValue> {
    plan::null_write_only(&schema.block, &mut state);
    if !state.is_wholly_known() {
        diagnostics.error(
            "Provider Returned Unknown Values",
            format!(
                "{rpc}: the provider left values unknown in the resulting state; they were \
                 recorded as null. This is a bug in the provider; please report it."
            ),
        );
        state = state.unknowns_to_null();
    }
    if !state.conforms_to(object_type) {
        diagnostics.error(
            "Provider Returned An Invalid Object",
            format!(
                "{rpc}: the provider's answer does not match its schema. This is a bug in \
                 the provider; please report it."
            ),
        );
        return None;
    }
    encode(&state, object_type, rpc, diagnostics)
}

/// Rejects write-only attributes that are set when the client cannot handle them.
fn check_write_only_allowed(block: &Block, config: &Value, diagnostics: &mut Diagnostics) {
    for attribute in block.attributes.iter().filter(|a| a.write_only) {
        let set = config
            .get_attr(&attribute.name)
            .is_some_and(|v| !v.is_null());
        if set {
            diagnostics.error_at(
                AttributePath::root(attribute.name.clone()),
                "Write-Only Attribute Not Supported",
                format!(
                    "`{}` is write-only, which needs Terraform 1.11 or later. Upgrade \
                     Terraform or remove the attribute.",
                    attribute.name
                ),
            );
        }
    }
}

#[async_trait::async_trait]
impl ProviderService for FrameworkServer {
    async fn get_metadata(&self) -> GetMetadataResponse {
        GetMetadataResponse {
            server_capabilities: Self::server_capabilities(),
            diagnostics: Diagnostics::new(),
            resources: self.resources.keys().cloned().collect(),
            data_sources: self.data_sources.keys().cloned().collect(),
            functions: Vec::new(),
            ephemeral_resources: Vec::new(),
        }
    }

    async fn get_provider_schema(&self) -> GetProviderSchemaResponse {
        GetProviderSchemaResponse {
            provider: self.provider_schema.clone(),
            provider_meta: None,
            resource_schemas: self
                .resources
                .iter()
                .map(|(name, r)| (name.clone(), r.schema.clone()))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(name, d)| (name.clone(), d.schema.clone()))
                .collect(),
            ephemeral_resource_schemas: BTreeMap::new(),
            server_capabilities: Self::server_capabilities(),
            diagnostics: Diagnostics::new(),
        }
    }

    async fn prepare_provider_config(
        &self,
        req: PrepareProviderConfigRequest,
    ) -> PrepareProviderConfigResponse {
        const RPC: &str = "PrepareProviderConfig";
        let config = match decode(&req.config, &self.provider_type, RPC, "config") {
            Ok(config) => config,
            Err(diagnostics) => {
                return PrepareProviderConfigResponse {
                    prepared_config: None,
                    diagnostics,
                }
            }
        };
        let mut diagnostics = validate_block(&self.provider_schema.block, &config);
        let ctx = self.context(RPC, "provider");
        let provider = Arc::clone(&self.provider);
        match self
            .run(&ctx, RPC, async {
                provider.validate(&config, &mut diagnostics).await
            })
            .await
        {
            Ok(()) => {}
            Err(cancelled) => diagnostics.extend(cancelled),
        }
        // Terraform ignores a changed prepared config (it only logs a warning), so we
        // hand back exactly what we received.
        PrepareProviderConfigResponse {
            prepared_config: Some(req.config),
            diagnostics,
        }
    }

    async fn validate_resource_config(&self, req: ValidateResourceConfigRequest) -> Diagnostics {
        const RPC: &str = "ValidateResourceTypeConfig";
        let registered = match self.resource(RPC, &req.type_name) {
            Ok(registered) => registered,
            Err(diagnostics) => return diagnostics,
        };
        let config = match decode(&req.config, &registered.object_type, RPC, "config") {
            Ok(config) => config,
            Err(diagnostics) => return diagnostics,
        };
        let mut diagnostics = validate_block(&registered.schema.block, &config);
        if !req.client_capabilities.write_only_attributes_allowed {
            check_write_only_allowed(&registered.schema.block, &config, &mut diagnostics);
        }
        let ctx = self.context(RPC, &req.type_name);
        let resource = Arc::clone(&registered.implementation);
        if let Err(cancelled) = self
            .run(&ctx, RPC, async {
                resource.validate(&ctx, &config, &mut diagnostics).await
            })
            .await
        {
            diagnostics.extend(cancelled);
        }
        diagnostics
    }

    async fn validate_data_source_config(
        &self,
        req: ValidateDataSourceConfigRequest,
    ) -> Diagnostics {
        const RPC: &str = "ValidateDataSourceConfig";
        let registered = match self.data_source(RPC, &req.type_name) {
            Ok(registered) => registered,
            Err(diagnostics) => return diagnostics,
        };
        let config = match decode(&req.config, &registered.object_type, RPC, "config") {
            Ok(config) => config,
            Err(diagnostics) => return diagnostics,
        };
        let mut diagnostics = validate_block(&registered.schema.block, &config);
        let ctx = self.context(RPC, &req.type_name);
        let data_source = Arc::clone(&registered.implementation);
        if let Err(cancelled) = self
            .run(&ctx, RPC, async {
                data_source.validate(&ctx, &config, &mut diagnostics).await
            })
            .await
        {
            diagnostics.extend(cancelled);
        }
        diagnostics
    }

    async fn upgrade_resource_state(
        &self,
        req: UpgradeResourceStateRequest,
    ) -> UpgradeResourceStateResponse {
        const RPC: &str = "UpgradeResourceState";
        let mut diagnostics = Diagnostics::new();
        let registered = match self.resource(RPC, &req.type_name) {
            Ok(registered) => registered,
            Err(diagnostics) => {
                return UpgradeResourceStateResponse {
                    upgraded_state: None,
                    diagnostics,
                }
            }
        };
        let current = registered.schema.version;
        if req.raw_state.json.is_empty() {
            if !req.raw_state.flatmap.is_empty() {
                diagnostics.error(
                    "Legacy State Not Supported",
                    format!(
                        "The stored `{}` state uses the pre-0.12 flatmap format, which this \
                         provider never wrote. Remove it from state and import the object.",
                        req.type_name
                    ),
                );
            }
            // Nothing stored: nothing to upgrade.
            return UpgradeResourceStateResponse {
                upgraded_state: (!diagnostics.has_errors()).then(null_raw),
                diagnostics,
            };
        }
        let upgraded = if req.version == current {
            match json::decode_lenient(&req.raw_state.json, &registered.object_type) {
                Ok(value) => Some(value),
                Err(err) => {
                    diagnostics.error(
                        "Stored State Not Readable",
                        format!(
                            "The stored `{}` state could not be read: {}. The state file may \
                             have been edited by hand.",
                            req.type_name, err.message
                        ),
                    );
                    None
                }
            }
        } else if req.version > current {
            diagnostics.error(
                "State Written By A Newer Provider",
                format!(
                    "The stored `{}` state has schema version {}, but this provider only knows \
                     versions up to {current}. Use the provider version that wrote it, or newer.",
                    req.type_name, req.version
                ),
            );
            None
        } else {
            let ctx = self.context(RPC, &req.type_name);
            let resource = Arc::clone(&registered.implementation);
            let json = req.raw_state.json.clone();
            match self
                .run(&ctx, RPC, async {
                    resource.upgrade_state(&ctx, req.version, &json).await
                })
                .await
            {
                Ok((value, hook_diagnostics)) => {
                    diagnostics.extend(hook_diagnostics);
                    value
                }
                Err(cancelled) => {
                    diagnostics.extend(cancelled);
                    None
                }
            }
        };
        let upgraded_state = upgraded.and_then(|value| {
            finish_state(
                value,
                &registered.schema,
                &registered.object_type,
                RPC,
                &mut diagnostics,
            )
        });
        UpgradeResourceStateResponse {
            upgraded_state,
            diagnostics,
        }
    }

    async fn configure(&self, req: ConfigureRequest) -> Diagnostics {
        const RPC: &str = "Configure";
        let config = match decode(&req.config, &self.provider_type, RPC, "config") {
            Ok(config) => config,
            Err(diagnostics) => return diagnostics,
        };
        if !config.is_wholly_known() {
            // Terraform 1.11 cannot defer resources (deferral is experimental-only), and
            // failing here would fail every plan whose provider block depends on another
            // resource. So we configure nothing, stay silent, and let each call that
            // really needs the panel explain why it cannot proceed.
            let unknown: Vec<String> = match config.as_object() {
                Some(fields) => fields
                    .iter()
                    .filter(|(_, v)| !v.is_wholly_known())
                    .map(|(k, _)| format!("`{k}`"))
                    .collect(),
                None => Vec::new(),
            };
            let listing = if unknown.is_empty() {
                "the provider block".to_owned()
            } else {
                unknown.join(", ")
            };
            self.set_provider_data(ProviderData::Unavailable {
                reason: format!(
                    "The provider configuration depends on values that are known only after \
                     apply ({listing}), so the provider could not connect to the panel. \
                     Terraform 1.11 cannot postpone this operation. Give those arguments \
                     values known at plan time (variables, environment variables), or first \
                     apply what they depend on with `-target`."
                ),
            });
            return Diagnostics::new();
        }
        let mut diagnostics = validate_block(&self.provider_schema.block, &config);
        if diagnostics.has_errors() {
            self.set_provider_data(ProviderData::Unavailable {
                reason: "The provider configuration is invalid; see the errors reported for \
                         the provider block."
                    .to_owned(),
            });
            return diagnostics;
        }
        let ctx = self.context(RPC, "provider");
        let provider = Arc::clone(&self.provider);
        let configured = self
            .run(&ctx, RPC, async {
                provider.configure(&config, &mut diagnostics).await
            })
            .await;
        let data = match configured {
            Ok(Some(data)) => ProviderData::Ready(data),
            Ok(None) => ProviderData::Unavailable {
                reason: "The provider could not be configured; see the errors reported for \
                         the provider block."
                    .to_owned(),
            },
            Err(cancelled) => {
                diagnostics.extend(cancelled);
                ProviderData::Unavailable {
                    reason: "Configuring the provider was cancelled.".to_owned(),
                }
            }
        };
        self.set_provider_data(data);
        diagnostics
    }

    async fn read_resource(&self, req: ReadResourceRequest) -> ReadResourceResponse {
        const RPC: &str = "ReadResource";
        let mut response = ReadResourceResponse {
            new_state: None,
            private: req.private.clone(),
            diagnostics: Diagnostics::new(),
            deferred: None,
        };
        let registered = match self.resource(RPC, &req.type_name) {
            Ok(registered) => registered,
            Err(diagnostics) => {
                response.diagnostics = diagnostics;
                return response;
            }
        };
        let state = match decode(
            &req.current_state,
            &registered.object_type,
            RPC,
            "current_state",
        ) {
            Ok(state) => state,
            Err(diagnostics) => {
                response.diagnostics = diagnostics;
                return response;
            }
        };
        if state.is_null() {
            response.new_state = Some(null_raw());
            return response;
        }
        let ctx = self.context(RPC, &req.type_name);
        let resource = Arc::clone(&registered.implementation);
        let (read, mut diagnostics) = match self
            .run(&ctx, RPC, async { resource.read(&ctx, &state).await })
            .await
        {
            Ok(result) => result,
            Err(cancelled) => (None, cancelled),
        };
        response.new_state = match read {
            Some(value) => finish_state(
                value,
                &registered.schema,
                &registered.object_type,
                RPC,
                &mut diagnostics,
            ),
            // Gone from the panel: a null state makes Terraform drop it.
            None if !diagnostics.has_errors() => Some(null_raw()),
            // A failed read must not look like a deletion: keep what Terraform had.
            None => Some(req.current_state.clone()),
        };
        response.diagnostics = diagnostics;
        response
    }

    async fn plan_resource_change(
        &self,
        req: PlanResourceChangeRequest,
    ) -> PlanResourceChangeResponse {
        const RPC: &str = "PlanResourceChange";
        let mut response = PlanResourceChangeResponse {
            planned_state: None,
            requires_replace: Vec::new(),
            planned_private: req.prior_private.clone(),
            diagnostics: Diagnostics::new(),
            deferred: None,
        };
        let registered = match self.resource(RPC, &req.type_name) {
            Ok(registered) => registered,
            Err(diagnostics) => {
                response.diagnostics = diagnostics;
                return response;
            }
        };
        let ty = &registered.object_type;
        let decoded = decode(&req.prior_state, ty, RPC, "prior_state").and_then(|prior| {
            let proposed = decode(&req.proposed_new_state, ty, RPC, "proposed_new_state")?;
            let config = decode(&req.config, ty, RPC, "config")?;
            Ok((prior, proposed, config))
        });
        let (prior, proposed, config) = match decoded {
            Ok(values) => values,
            Err(diagnostics) => {
                response.diagnostics = diagnostics;
                return response;
            }
        };
        if proposed.is_null() {
            // Destroy: nothing to decide; the resource gets its say in delete.
            response.planned_state = Some(null_raw());
            return response;
        }
        let prior = (!prior.is_null()).then_some(prior);
        let block = &registered.schema.block;
        let planned = plan::plan_before_hook(block, prior.as_ref(), &config, &proposed);
        let mut plan_context = PlanContext {
            prior,
            config,
            planned,
            requires_replace: Vec::new(),
            diagnostics: Diagnostics::new(),
        };
        let ctx = self.context(RPC, &req.type_name);
        let resource = Arc::clone(&registered.implementation);
        if let Err(cancelled) = self
            .run(&ctx, RPC, async {
                resource.modify_plan(&ctx, &mut plan_context).await
            })
            .await
        {
            plan_context.diagnostics.extend(cancelled);
        }
        let PlanContext {
            prior,
            mut planned,
            requires_replace: mut hook_replace,
            mut diagnostics,
            ..
        } = plan_context;
        plan::null_write_only(block, &mut planned);
        let mut requires_replace = plan::requires_replace_paths(block, prior.as_ref(), &planned);
        if prior.is_some() {
            hook_replace.retain(|path| !requires_replace.contains(path));
            requires_replace.extend(hook_replace);
        }
        if !planned.conforms_to(ty) {
            diagnostics.error(
                "Provider Produced An Invalid Plan",
                "The planned object does not match the resource schema. This is a bug in the \
                 provider; please report it.",
            );
        } else {
            response.planned_state = encode(&planned, ty, RPC, &mut diagnostics);
        }
        response.requires_replace = requires_replace;
        response.diagnostics = diagnostics;
        response
    }

    async fn apply_resource_change(
        &self,
        req: ApplyResourceChangeRequest,
    ) -> ApplyResourceChangeResponse {
        const RPC: &str = "ApplyResourceChange";
        let mut response = ApplyResourceChangeResponse {
            new_state: None,
            private: req.planned_private.clone(),
            diagnostics: Diagnostics::new(),
        };
        let registered = match self.resource(RPC, &req.type_name) {
            Ok(registered) => registered,
            Err(diagnostics) => {
                response.diagnostics = diagnostics;
                return response;
            }
        };
        let ty = &registered.object_type;
        let decoded = decode(&req.prior_state, ty, RPC, "prior_state").and_then(|prior| {
            let planned = decode(&req.planned_state, ty, RPC, "planned_state")?;
            let config = decode(&req.config, ty, RPC, "config")?;
            Ok((prior, planned, config))
        });
        let (prior, planned, config) = match decoded {
            Ok(values) => values,
            Err(diagnostics) => {
                response.diagnostics = diagnostics;
                return response;
            }
        };
        let ctx = self.context(RPC, &req.type_name);
        let resource = Arc::clone(&registered.implementation);

        if planned.is_null() {
            let mut diagnostics = self
                .run_to_completion(&ctx, async { resource.delete(&ctx, &prior).await })
                .await;
            response.new_state = if diagnostics.has_errors() {
                // The object may still exist: keep it in state so a retry can delete it.
                finish_state(prior, &registered.schema, ty, RPC, &mut diagnostics)
            } else {
                Some(null_raw())
            };
            response.diagnostics = diagnostics;
            return response;
        }

        let creating = prior.is_null();
        let (state, mut diagnostics) = if creating {
            self.run_to_completion(&ctx, async {
                resource.create(&ctx, &planned, &config).await
            })
            .await
        } else {
            self.run_to_completion(&ctx, async {
                resource.update(&ctx, &prior, &planned, &config).await
            })
            .await
        };
        let state = match state {
            Some(state) => Some(state),
            None if creating => {
                if !diagnostics.has_errors() {
                    diagnostics.error(
                        "Resource Not Created",
                        "The provider reported neither a new object nor an error. This is a \
                         bug in the provider; please report it.",
                    );
                }
                None
            }
            None => Some(prior),
        };
        response.new_state = match state {
            Some(state) => finish_state(state, &registered.schema, ty, RPC, &mut diagnostics),
            None => Some(null_raw()),
        };
        response.diagnostics = diagnostics;
        response
    }

    async fn import_resource_state(
        &self,
        req: ImportResourceStateRequest,
    ) -> ImportResourceStateResponse {
        const RPC: &str = "ImportResourceState";
        let mut response = ImportResourceStateResponse::default();
        let registered = match self.resource(RPC, &req.type_name) {
            Ok(registered) => registered,
            Err(diagnostics) => {
                response.diagnostics = diagnostics;
                return response;
            }
        };
        let ctx = self.context(RPC, &req.type_name);
        let resource = Arc::clone(&registered.implementation);
        let id = req.id.clone();
        let (objects, mut diagnostics) = match self
            .run(&ctx, RPC, async { resource.import(&ctx, &id).await })
            .await
        {
            Ok(result) => result,
            Err(cancelled) => (Vec::new(), cancelled),
        };
        for object in objects {
            if let Some(state) = finish_state(
                object,
                &registered.schema,
                &registered.object_type,
                RPC,
                &mut diagnostics,
            ) {
                response.imported_resources.push(ImportedResource {
                    type_name: req.type_name.clone(),
                    state,
                    private: Vec::new(),
                });
            }
        }
        if response.imported_resources.is_empty() && !diagnostics.has_errors() {
            diagnostics.error(
                "Cannot Import Non-Existent Remote Object",
                format!(
                    "No `{}` with id {:?} was found on the panel.",
                    req.type_name, req.id
                ),
            );
        }
        response.diagnostics = diagnostics;
        response
    }

    async fn move_resource_state(
        &self,
        req: MoveResourceStateRequest,
    ) -> MoveResourceStateResponse {
        let mut diagnostics = Diagnostics::new();
        diagnostics.error(
            "Move Not Supported",
            format!(
                "This provider cannot move state from `{}` to `{}`. Remove the old object from \
                 state and import it as the new type instead.",
                req.source_type_name, req.target_type_name
            ),
        );
        MoveResourceStateResponse {
            target_state: None,
            target_private: Vec::new(),
            diagnostics,
        }
    }

    async fn read_data_source(&self, req: ReadDataSourceRequest) -> ReadDataSourceResponse {
        const RPC: &str = "ReadDataSource";
        let mut response = ReadDataSourceResponse::default();
        let registered = match self.data_source(RPC, &req.type_name) {
            Ok(registered) => registered,
            Err(diagnostics) => {
                response.diagnostics = diagnostics;
                return response;
            }
        };
        let config = match decode(&req.config, &registered.object_type, RPC, "config") {
            Ok(config) => config,
            Err(diagnostics) => {
                response.diagnostics = diagnostics;
                return response;
            }
        };
        let ctx = self.context(RPC, &req.type_name);
        let data_source = Arc::clone(&registered.implementation);
        let (state, mut diagnostics) = match self
            .run(&ctx, RPC, async { data_source.read(&ctx, &config).await })
            .await
        {
            Ok(result) => result,
            Err(cancelled) => (None, cancelled),
        };
        response.state = match state {
            Some(state) => finish_state(
                state,
                &registered.schema,
                &registered.object_type,
                RPC,
                &mut diagnostics,
            ),
            None => {
                if !diagnostics.has_errors() {
                    diagnostics.error(
                        "Data Source Returned Nothing",
                        "The provider reported neither a result nor an error. This is a bug in \
                         the provider; please report it.",
                    );
                }
                None
            }
        };
        response.diagnostics = diagnostics;
        response
    }

    async fn validate_ephemeral_resource_config(
        &self,
        req: ValidateEphemeralResourceConfigRequest,
    ) -> Diagnostics {
        no_ephemeral("ValidateEphemeralResourceConfig", &req.type_name)
    }

    async fn open_ephemeral_resource(
        &self,
        req: OpenEphemeralResourceRequest,
    ) -> OpenEphemeralResourceResponse {
        OpenEphemeralResourceResponse {
            diagnostics: no_ephemeral("OpenEphemeralResource", &req.type_name),
            ..Default::default()
        }
    }

    async fn renew_ephemeral_resource(
        &self,
        req: RenewEphemeralResourceRequest,
    ) -> RenewEphemeralResourceResponse {
        RenewEphemeralResourceResponse {
            diagnostics: no_ephemeral("RenewEphemeralResource", &req.type_name),
            ..Default::default()
        }
    }

    async fn close_ephemeral_resource(&self, req: CloseEphemeralResourceRequest) -> Diagnostics {
        no_ephemeral("CloseEphemeralResource", &req.type_name)
    }

    async fn get_functions(&self) -> Diagnostics {
        Diagnostics::new()
    }

    async fn call_function(&self, req: CallFunctionRequest) -> CallFunctionResponse {
        CallFunctionResponse {
            result: None,
            error: Some((
                format!(
                    "this provider offers no functions, so `{}` cannot be called",
                    req.name
                ),
                None,
            )),
        }
    }

    async fn stop(&self) -> Option<String> {
        self.stop.cancel();
        None
    }
}

fn no_ephemeral(rpc: &str, type_name: &str) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    diagnostics.error(
        "Unknown Ephemeral Resource Type",
        format!(
            "{rpc} was called for ephemeral resource type `{type_name}`, but this provider \
             offers no ephemeral resources."
        ),
    );
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_like_terraform_addresses() {
        let path = AttributePath::root("disk").index(0).attr("size");
        assert_eq!(path_text(&path), "disk[0].size");
        assert_eq!(
            path_text(&AttributePath::root("tags").key("env")),
            "tags[\"env\"]"
        );
    }
}
