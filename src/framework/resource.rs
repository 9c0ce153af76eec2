//! The traits resources, data sources and the provider implement, and the [`Context`]
//! every call receives. All traits are object-safe (`async-trait`) so the server can
//! hold `Arc<dyn Resource>` in one registry.
//!
//! Values are whole objects of the schema's object type (`Value::Object`), already
//! decoded; write-only attributes appear only in `config`.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::diag::Diagnostics;
use super::plan::PlanContext;
use super::schema::Schema;
use crate::tfvalue::Value;

/// What `Configure` left behind for resources to use.
#[derive(Clone, Default)]
pub enum ProviderData {
    /// `Configure` has not run (e.g. during `terraform validate`).
    #[default]
    NotConfigured,
    /// `Configure` ran but produced nothing usable; `reason` says why, in a sentence a
    /// Terraform user can act on.
    Unavailable { reason: String },
    /// Whatever the provider's `configure` returned.
    Ready(Arc<dyn Any + Send + Sync>),
}

impl fmt::Debug for ProviderData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProviderData::NotConfigured => f.write_str("NotConfigured"),
            ProviderData::Unavailable { reason } => write!(f, "Unavailable({reason})"),
            ProviderData::Ready(_) => f.write_str("Ready(..)"),
        }
    }
}

/// Per-call context: the configured provider data, cancellation and a tracing span.
///
/// The server runs each call inside [`span`](Self::span), so `tracing` macros in
/// resource code carry the RPC and type name without further work.
#[derive(Clone, Debug)]
pub struct Context {
    provider_data: ProviderData,
    cancellation: CancellationToken,
    span: tracing::Span,
}

impl Context {
    pub fn new(
        provider_data: ProviderData,
        cancellation: CancellationToken,
        span: tracing::Span,
    ) -> Self {
        Self {
            provider_data,
            cancellation,
            span,
        }
    }

    /// A context around ready provider data, e.g. for unit tests of one resource.
    pub fn with_data(data: Arc<dyn Any + Send + Sync>) -> Self {
        Self::new(
            ProviderData::Ready(data),
            CancellationToken::new(),
            tracing::Span::none(),
        )
    }

    /// The provider data as `T`, or an error diagnostic explaining why it is not there.
    pub fn provider_data<T: Any + Send + Sync>(&self) -> Result<Arc<T>, Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        match &self.provider_data {
            ProviderData::Ready(data) => match Arc::clone(data).downcast::<T>() {
                Ok(typed) => return Ok(typed),
                Err(_) => diagnostics.error(
                    "Unexpected Provider Data",
                    "The provider handed resources data of an unexpected type. This is a bug \
                     in the provider; please report it.",
                ),
            },
            ProviderData::NotConfigured => diagnostics.error(
                "Provider Not Configured",
                "This operation needs the panel connection, but Terraform has not configured \
                 the provider yet. This is a bug in the provider or in Terraform; please \
                 report it.",
            ),
            ProviderData::Unavailable { reason } => {
                diagnostics.error("Provider Not Configured", reason.clone())
            }
        }
        Err(diagnostics)
    }

    /// The provider data as `T` if it is ready, for checks that can be skipped without it
    /// (plan-time capability checks).
    pub fn try_provider_data<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        match &self.provider_data {
            ProviderData::Ready(data) => Arc::clone(data).downcast::<T>().ok(),
            _ => None,
        }
    }

    /// Cancelled when Terraform calls `Stop` (the user pressed Ctrl-C). The server
    /// also abandons the call itself then; long loops may check it to stop early.
    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancellation
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancellation.is_cancelled()
    }

    pub fn span(&self) -> &tracing::Span {
        &self.span
    }
}

/// A state value (or none) plus diagnostics: what create, read and update answer.
pub type StateResult = (Option<Value>, Diagnostics);

/// One managed resource type (`resource "panel_user" ...`).
#[async_trait::async_trait]
pub trait Resource: Send + Sync {
    /// The Terraform type name, e.g. `panel_user`.
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    /// Cross-attribute checks on configuration, which may contain unknown values. The
    /// schema's attribute validators have already run. The provider is not configured.
    async fn validate(&self, _ctx: &Context, _config: &Value, _diagnostics: &mut Diagnostics) {}

    /// Adjust the plan after defaults and unknown-marking (see [`super::plan`]). Not
    /// called for destroy plans.
    async fn modify_plan(&self, _ctx: &Context, _plan: &mut PlanContext) {}

    /// Create the object. Returning `Some(state)` together with error diagnostics records
    /// a partially created object (Terraform marks it tainted).
    async fn create(&self, ctx: &Context, planned: &Value, config: &Value) -> StateResult;

    /// Refresh `state` from the panel. `(None, no errors)` means the object is gone.
    async fn read(&self, ctx: &Context, state: &Value) -> StateResult;

    /// Update in place. `None` keeps the prior state (use it when nothing changed on the
    /// panel before the error).
    async fn update(
        &self,
        ctx: &Context,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> StateResult;

    /// Delete the object. Deleting something already gone must succeed.
    async fn delete(&self, ctx: &Context, prior: &Value) -> Diagnostics;

    /// Build state for `terraform import` / `import {}` from the user's id. Unknown
    /// attributes should be filled in as far as the panel allows; Terraform calls `read`
    /// on each returned object afterwards.
    async fn import(&self, _ctx: &Context, _id: &str) -> (Vec<Value>, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        diagnostics.error(
            "Import Not Supported",
            format!("`{}` objects cannot be imported.", self.type_name()),
        );
        (Vec::new(), diagnostics)
    }

    /// Convert state stored at an older schema `version` (raw JSON from the state file)
    /// to the current schema's object type. The default decodes it leniently with the
    /// current type: attributes the schema no longer has are dropped, new ones are null.
    async fn upgrade_state(&self, _ctx: &Context, version: i64, json: &[u8]) -> StateResult {
        let schema = self.schema();
        let mut diagnostics = Diagnostics::new();
        match crate::tfvalue::json::decode_lenient(json, &schema.object_type()) {
            Ok(value) => (Some(value), diagnostics),
            Err(err) => {
                diagnostics.error(
                    "Stored State Not Upgradable",
                    format!(
                        "The `{}` state stored at schema version {version} could not be read \
                         with schema version {}: {}",
                        self.type_name(),
                        schema.version,
                        err.message
                    ),
                );
                (None, diagnostics)
            }
        }
    }
}

/// One data source type (`data "panel_user" ...`).
#[async_trait::async_trait]
pub trait DataSource: Send + Sync {
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    /// Cross-attribute checks; see [`Resource::validate`].
    async fn validate(&self, _ctx: &Context, _config: &Value, _diagnostics: &mut Diagnostics) {}

    /// Look the object up from `config` and return the full object (config values
    /// kept, computed attributes filled in).
    async fn read(&self, ctx: &Context, config: &Value) -> StateResult;
}

/// The provider itself: its configuration block, and the types it offers.
#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    fn schema(&self) -> Schema;

    fn resources(&self) -> Vec<Arc<dyn Resource>>;

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;

    /// Checks on the provider block (`PrepareProviderConfig`); it may hold unknown
    /// values, and `Configure` has not run.
    async fn validate(&self, _config: &Value, _diagnostics: &mut Diagnostics) {}

    /// Build the data resources need. Called only with a wholly known configuration;
    /// the server handles the unknown case itself. `terraform_version` is what the
    /// `Configure` request says (empty when Terraform did not say). `None` means
    /// configuration failed (errors are in `diagnostics`).
    async fn configure(
        &self,
        config: &Value,
        terraform_version: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Arc<dyn Any + Send + Sync>>;
}
