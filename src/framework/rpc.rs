//! The boundary between the wire layer and the framework: one request/response pair
//! per tfplugin5.8 RPC, in framework terms. `plugin::convert` maps protobuf messages
//! to and from these; `framework::server` implements [`ProviderService`].
//!
//! Values stay encoded here ([`RawValue`], [`RawState`]) because decoding needs the
//! schema, which only the framework knows.

use std::collections::BTreeMap;
use std::time::SystemTime;

use super::diag::Diagnostics;
use super::schema::Schema;
use crate::tfvalue::AttributePath;

/// `tfplugin5.DynamicValue`: a value still in its wire encoding.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawValue {
    pub msgpack: Vec<u8>,
    pub json: Vec<u8>,
}

/// `tfplugin5.RawState`: prior state as stored by Terraform (JSON, or legacy flatmap).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawState {
    pub json: Vec<u8>,
    pub flatmap: BTreeMap<String, String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ClientCapabilities {
    pub deferral_allowed: bool,
    pub write_only_attributes_allowed: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ServerCapabilities {
    pub plan_destroy: bool,
    pub get_provider_schema_optional: bool,
    pub move_resource_state: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeferredReason {
    Unknown,
    ResourceConfigUnknown,
    ProviderConfigUnknown,
    AbsentPrereq,
}

#[derive(Clone, Debug, Default)]
pub struct GetMetadataResponse {
    pub server_capabilities: ServerCapabilities,
    pub diagnostics: Diagnostics,
    pub resources: Vec<String>,
    pub data_sources: Vec<String>,
    pub functions: Vec<String>,
    pub ephemeral_resources: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct GetProviderSchemaResponse {
    pub provider: Schema,
    pub provider_meta: Option<Schema>,
    pub resource_schemas: BTreeMap<String, Schema>,
    pub data_source_schemas: BTreeMap<String, Schema>,
    pub ephemeral_resource_schemas: BTreeMap<String, Schema>,
    /// Provider-defined functions are not offered; the map stays empty.
    pub server_capabilities: ServerCapabilities,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug, Default)]
pub struct PrepareProviderConfigRequest {
    pub config: RawValue,
}

#[derive(Clone, Debug, Default)]
pub struct PrepareProviderConfigResponse {
    pub prepared_config: Option<RawValue>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug, Default)]
pub struct ValidateResourceConfigRequest {
    pub type_name: String,
    pub config: RawValue,
    pub client_capabilities: ClientCapabilities,
}

#[derive(Clone, Debug, Default)]
pub struct ValidateDataSourceConfigRequest {
    pub type_name: String,
    pub config: RawValue,
}

#[derive(Clone, Debug, Default)]
pub struct ValidateEphemeralResourceConfigRequest {
    pub type_name: String,
    pub config: RawValue,
}

#[derive(Clone, Debug, Default)]
pub struct UpgradeResourceStateRequest {
    pub type_name: String,
    pub version: i64,
    pub raw_state: RawState,
}

#[derive(Clone, Debug, Default)]
pub struct UpgradeResourceStateResponse {
    pub upgraded_state: Option<RawValue>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug, Default)]
pub struct ConfigureRequest {
    pub terraform_version: String,
    pub config: RawValue,
    pub client_capabilities: ClientCapabilities,
}

#[derive(Clone, Debug, Default)]
pub struct ReadResourceRequest {
    pub type_name: String,
    pub current_state: RawValue,
    pub private: Vec<u8>,
    pub provider_meta: Option<RawValue>,
    pub client_capabilities: ClientCapabilities,
}

#[derive(Clone, Debug, Default)]
pub struct ReadResourceResponse {
    /// `None` only together with error diagnostics; a msgpack nil removes the resource.
    pub new_state: Option<RawValue>,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
    pub deferred: Option<DeferredReason>,
}

#[derive(Clone, Debug, Default)]
pub struct PlanResourceChangeRequest {
    pub type_name: String,
    pub prior_state: RawValue,
    pub proposed_new_state: RawValue,
    pub config: RawValue,
    pub prior_private: Vec<u8>,
    pub provider_meta: Option<RawValue>,
    pub client_capabilities: ClientCapabilities,
}

#[derive(Clone, Debug, Default)]
pub struct PlanResourceChangeResponse {
    pub planned_state: Option<RawValue>,
    pub requires_replace: Vec<AttributePath>,
    pub planned_private: Vec<u8>,
    pub diagnostics: Diagnostics,
    pub deferred: Option<DeferredReason>,
}

#[derive(Clone, Debug, Default)]
pub struct ApplyResourceChangeRequest {
    pub type_name: String,
    pub prior_state: RawValue,
    pub planned_state: RawValue,
    pub config: RawValue,
    pub planned_private: Vec<u8>,
    pub provider_meta: Option<RawValue>,
}

#[derive(Clone, Debug, Default)]
pub struct ApplyResourceChangeResponse {
    pub new_state: Option<RawValue>,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug, Default)]
pub struct ImportResourceStateRequest {
    pub type_name: String,
    pub id: String,
    pub client_capabilities: ClientCapabilities,
}

#[derive(Clone, Debug, Default)]
pub struct ImportedResource {
    pub type_name: String,
    pub state: RawValue,
    pub private: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct ImportResourceStateResponse {
    pub imported_resources: Vec<ImportedResource>,
    pub diagnostics: Diagnostics,
    pub deferred: Option<DeferredReason>,
}

#[derive(Clone, Debug, Default)]
pub struct MoveResourceStateRequest {
    pub source_provider_address: String,
    pub source_type_name: String,
    pub source_schema_version: i64,
    pub source_state: RawState,
    pub target_type_name: String,
    pub source_private: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct MoveResourceStateResponse {
    pub target_state: Option<RawValue>,
    pub target_private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug, Default)]
pub struct ReadDataSourceRequest {
    pub type_name: String,
    pub config: RawValue,
    pub provider_meta: Option<RawValue>,
    pub client_capabilities: ClientCapabilities,
}

#[derive(Clone, Debug, Default)]
pub struct ReadDataSourceResponse {
    pub state: Option<RawValue>,
    pub diagnostics: Diagnostics,
    pub deferred: Option<DeferredReason>,
}

#[derive(Clone, Debug, Default)]
pub struct OpenEphemeralResourceRequest {
    pub type_name: String,
    pub config: RawValue,
    pub client_capabilities: ClientCapabilities,
}

#[derive(Clone, Debug, Default)]
pub struct OpenEphemeralResourceResponse {
    pub result: Option<RawValue>,
    pub private: Option<Vec<u8>>,
    pub renew_at: Option<SystemTime>,
    pub diagnostics: Diagnostics,
    pub deferred: Option<DeferredReason>,
}

#[derive(Clone, Debug, Default)]
pub struct RenewEphemeralResourceRequest {
    pub type_name: String,
    pub private: Option<Vec<u8>>,
}

#[derive(Clone, Debug, Default)]
pub struct RenewEphemeralResourceResponse {
    pub private: Option<Vec<u8>>,
    pub renew_at: Option<SystemTime>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug, Default)]
pub struct CloseEphemeralResourceRequest {
    pub type_name: String,
    pub private: Option<Vec<u8>>,
}

#[derive(Clone, Debug, Default)]
pub struct CallFunctionRequest {
    pub name: String,
    pub arguments: Vec<RawValue>,
}

#[derive(Clone, Debug, Default)]
pub struct CallFunctionResponse {
    pub result: Option<RawValue>,
    /// `(text, index of the argument to blame)`.
    pub error: Option<(String, Option<i64>)>,
}

/// Everything Terraform can ask a provider, in tfplugin5.8 order. The wire layer
/// calls exactly these; an RPC the provider does not support answers with an error
/// diagnostic from its implementation, never a transport error.
#[async_trait::async_trait]
pub trait ProviderService: Send + Sync + 'static {
    async fn get_metadata(&self) -> GetMetadataResponse;
    async fn get_provider_schema(&self) -> GetProviderSchemaResponse;
    async fn prepare_provider_config(
        &self,
        req: PrepareProviderConfigRequest,
    ) -> PrepareProviderConfigResponse;
    async fn validate_resource_config(&self, req: ValidateResourceConfigRequest) -> Diagnostics;
    async fn validate_data_source_config(
        &self,
        req: ValidateDataSourceConfigRequest,
    ) -> Diagnostics;
    async fn upgrade_resource_state(
        &self,
        req: UpgradeResourceStateRequest,
    ) -> UpgradeResourceStateResponse;
    async fn configure(&self, req: ConfigureRequest) -> Diagnostics;
    async fn read_resource(&self, req: ReadResourceRequest) -> ReadResourceResponse;
    async fn plan_resource_change(
        &self,
        req: PlanResourceChangeRequest,
    ) -> PlanResourceChangeResponse;
    async fn apply_resource_change(
        &self,
        req: ApplyResourceChangeRequest,
    ) -> ApplyResourceChangeResponse;
    async fn import_resource_state(
        &self,
        req: ImportResourceStateRequest,
    ) -> ImportResourceStateResponse;
    async fn move_resource_state(&self, req: MoveResourceStateRequest)
        -> MoveResourceStateResponse;
    async fn read_data_source(&self, req: ReadDataSourceRequest) -> ReadDataSourceResponse;
    async fn validate_ephemeral_resource_config(
        &self,
        req: ValidateEphemeralResourceConfigRequest,
    ) -> Diagnostics;
    async fn open_ephemeral_resource(
        &self,
        req: OpenEphemeralResourceRequest,
    ) -> OpenEphemeralResourceResponse;
    async fn renew_ephemeral_resource(
        &self,
        req: RenewEphemeralResourceRequest,
    ) -> RenewEphemeralResourceResponse;
    async fn close_ephemeral_resource(&self, req: CloseEphemeralResourceRequest) -> Diagnostics;
    /// Functions live in `GetProviderSchema`; this lists the same (none today).
    async fn get_functions(&self) -> Diagnostics;
    async fn call_function(&self, req: CallFunctionRequest) -> CallFunctionResponse;
    /// `Stop`: cancel in-flight work. Returns an error text if stopping failed.
    async fn stop(&self) -> Option<String>;
}
