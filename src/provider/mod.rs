//! The provider itself: its configuration block ([`config`]) and what `Configure` hands
//! to resources (a [`PanelHandle`]). The resource and data source types come from the
//! caller (`crate::service` passes the registry), so this layer does not depend on the
//! resources layer.
//!
//! Nothing here is global: each provider block (aliases included) is its own provider
//! process, and everything `Configure` builds lives in that process's server.

pub mod config;

use std::any::Any;
use std::sync::Arc;

use crate::backends::BackendConfig;
use crate::framework::diag::Diagnostics;
use crate::framework::resource::{DataSource, Provider, Resource};
use crate::framework::schema::Schema;
use crate::panel::{Panel, PanelHandle, PanelResult};
use crate::tfvalue::Value;

use config::{EnvLookup, ProviderConfig, Stage};

type Connector = dyn Fn(BackendConfig) -> PanelResult<Arc<dyn Panel>> + Send + Sync;

/// The panel provider: configuration handling plus the types it serves.
pub struct PanelProvider {
    env: Arc<EnvLookup>,
    connect: Arc<Connector>,
    resources: Vec<Arc<dyn Resource>>,
    data_sources: Vec<Arc<dyn DataSource>>,
}

impl PanelProvider {
    /// Serves `resources` and `data_sources`; reads the process environment and
    /// connects with [`crate::backends::connect`].
    pub fn new(resources: Vec<Arc<dyn Resource>>, data_sources: Vec<Arc<dyn DataSource>>) -> Self {
        Self {
            env: Arc::new(config::process_env),
            connect: Arc::new(crate::backends::connect),
            resources,
            data_sources,
        }
    }

    /// Replaces the environment lookup (tests: no shared process state).
    pub fn with_env(
        mut self,
        env: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.env = Arc::new(env);
        self
    }

    /// Replaces how a backend is built (tests: record the configuration, fake panels).
    pub fn with_connector(
        mut self,
        connect: impl Fn(BackendConfig) -> PanelResult<Arc<dyn Panel>> + Send + Sync + 'static,
    ) -> Self {
        self.connect = Arc::new(connect);
        self
    }
}

#[async_trait::async_trait]
impl Provider for PanelProvider {
    fn schema(&self) -> Schema {
        config::schema()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        self.resources.clone()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        self.data_sources.clone()
    }

    async fn validate(&self, config: &Value, diagnostics: &mut Diagnostics) {
        let (settings, read_problems) = ProviderConfig::read(config, self.env.as_ref());
        diagnostics.extend(read_problems);
        let (_, problems) = settings.resolve(Stage::Validate);
        diagnostics.extend(problems);
    }

    async fn configure(
        &self,
        config: &Value,
        diagnostics: &mut Diagnostics,
    ) -> Option<Arc<dyn Any + Send + Sync>> {
        let (settings, read_problems) = ProviderConfig::read(config, self.env.as_ref());
        diagnostics.extend(read_problems);
        // TODO(wire): register `settings.secret_values()` with the log redaction once
        // `crate::plugin::logging::register_secret` exists.
        let (backend, problems) = settings.resolve(Stage::Configure);
        diagnostics.extend(problems);
        let backend = backend.filter(|_| !diagnostics.has_errors())?;
        tracing::debug!(config = ?backend, "configuring panel backend");
        let kind = backend.kind;
        let endpoint = backend.endpoint.clone();
        // No `check_connection` here: Configure runs in every Terraform process (plan,
        // apply, import, refresh), a network round-trip there slows each one down, and
        // the first real call reports bad credentials just as clearly, as a diagnostic
        // on the resource that needed the panel.
        match (self.connect)(backend) {
            Ok(panel) => Some(Arc::new(PanelHandle::new(panel).with_endpoint(endpoint))),
            Err(err) => {
                diagnostics.error(
                    "Panel Backend Unavailable",
                    format!(
                        "The provider could not set up the `{}` backend: {err}.",
                        kind.as_str()
                    ),
                );
                None
            }
        }
    }
}
