//! The gRPC services a go-plugin provider exposes: `tfplugin5.Provider` as a thin
//! adapter over [`ProviderService`], go-plugin's controller, stdio and broker
//! services, and the standard health service.
//!
//! Every Provider RPC answers with a response message: malformed requests and even a
//! panicking provider become error diagnostics, because Terraform shows diagnostics
//! to the user but turns transport errors into opaque "rpc error" messages.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use futures::{FutureExt, Stream, StreamExt};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};
use tracing::Instrument;

use super::convert::{self, RequestProblems};
use super::proto::go_plugin as gp;
use super::proto::tfplugin5 as pb;
use crate::framework::diag::Diagnostics;
use crate::framework::rpc::{self, ProviderService};

/// Terraform's gRPC client accepts messages up to 256 MiB and states can be large;
/// tonic's 4 MiB default would reject big `ApplyResourceChange` requests.
const MAX_MESSAGE_BYTES: usize = 256 << 20;

/// What the controller's `Shutdown` does.
#[derive(Clone)]
pub(crate) struct Lifecycle {
    pub(crate) shutdown: CancellationToken,
    /// In debug (reattach) mode one server outlives many Terraform commands, each of
    /// which calls `Shutdown` when it is done; there it is only logged.
    pub(crate) honour_shutdown: bool,
}

/// All services of the plugin, ready for `Server::add_routes`.
pub(crate) async fn routes(
    service: Arc<dyn ProviderService>,
    lifecycle: Lifecycle,
) -> tonic::service::Routes {
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    // go-plugin's convention: the health service reports the name "plugin".
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;
    let provider = pb::provider_server::ProviderServer::new(ProviderAdapter { service })
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    tonic::service::Routes::new(provider)
        .add_service(gp::grpc_controller_server::GrpcControllerServer::new(
            Controller { lifecycle },
        ))
        .add_service(gp::grpc_stdio_server::GrpcStdioServer::new(Stdio))
        .add_service(gp::grpc_broker_server::GrpcBrokerServer::new(Broker))
        .add_service(health_service)
}

struct ProviderAdapter {
    service: Arc<dyn ProviderService>,
}

/// A response message that can carry the failure of its request.
trait Answer {
    fn failed(diagnostics: Diagnostics) -> Self;
}

macro_rules! answer_with_diagnostics {
    ($($response:ty),* $(,)?) => {$(
        impl Answer for $response {
            // Some responses have no other fields, which makes `..Default` a no-op.
            #[allow(clippy::needless_update)]
            fn failed(diagnostics: Diagnostics) -> Self {
                Self { diagnostics: convert::diagnostics(diagnostics), ..Default::default() }
            }
        }
    )*};
}

answer_with_diagnostics!(
    pb::get_metadata::Response,
    pb::get_provider_schema::Response,
    pb::prepare_provider_config::Response,
    pb::validate_resource_type_config::Response,
    pb::validate_data_source_config::Response,
    pb::upgrade_resource_state::Response,
    pb::configure::Response,
    pb::read_resource::Response,
    pb::plan_resource_change::Response,
    pb::apply_resource_change::Response,
    pb::import_resource_state::Response,
    pb::move_resource_state::Response,
    pb::read_data_source::Response,
    pb::validate_ephemeral_resource_config::Response,
    pb::open_ephemeral_resource::Response,
    pb::renew_ephemeral_resource::Response,
    pb::close_ephemeral_resource::Response,
    pb::get_functions::Response,
);

impl Answer for pb::call_function::Response {
    fn failed(diagnostics: Diagnostics) -> Self {
        Self {
            result: None,
            error: Some(pb::FunctionError {
                text: summarize(&diagnostics),
                function_argument: None,
            }),
        }
    }
}

impl Answer for pb::stop::Response {
    fn failed(diagnostics: Diagnostics) -> Self {
        Self {
            error: summarize(&diagnostics),
        }
    }
}

fn summarize(diagnostics: &Diagnostics) -> String {
    diagnostics
        .iter()
        .map(|d| {
            if d.detail.is_empty() {
                d.summary.clone()
            } else {
                format!("{}: {}", d.summary, d.detail)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

static NEXT_REQUEST_ID: AtomicU64 = AtomicU64::new(1);

/// Runs one RPC: logs it, turns `Err(diagnostics)` (a malformed request) and panics
/// (a provider bug) into a response carrying error diagnostics.
async fn answer<T, F>(rpc: &'static str, type_name: &str, work: F) -> Result<Response<T>, Status>
where
    T: Answer,
    F: Future<Output = Result<T, Diagnostics>>,
{
    let span = tracing::debug_span!(
        "rpc",
        tf_rpc = rpc,
        tf_req_id = NEXT_REQUEST_ID.fetch_add(1, Ordering::Relaxed),
        tf_resource_type = (!type_name.is_empty()).then_some(type_name),
    );
    async move {
        let started = Instant::now();
        tracing::trace!("Received request");
        let outcome = AssertUnwindSafe(work).catch_unwind().await;
        let response = match outcome {
            Ok(Ok(response)) => response,
            Ok(Err(problems)) => {
                tracing::warn!("Rejected malformed request");
                T::failed(problems)
            }
            Err(_) => {
                tracing::error!("Provider panicked while serving the request");
                let mut diags = Diagnostics::new();
                diags.error(
                    "Provider Internal Error",
                    format!(
                        "terraform-provider-panel failed unexpectedly while handling {rpc}. \
                         This is a bug in the provider; please report it together with the \
                         provider log (TF_LOG_PROVIDER=DEBUG)."
                    ),
                );
                T::failed(diags)
            }
        };
        tracing::trace!(
            duration_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            "Served request"
        );
        Ok(Response::new(response))
    }
    .instrument(span)
    .await
}

#[tonic::async_trait]
impl pb::provider_server::Provider for ProviderAdapter {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        answer("GetMetadata", "", async {
            let out = self.service.get_metadata().await;
            let names = |names: Vec<String>| names.into_iter();
            Ok(pb::get_metadata::Response {
                server_capabilities: Some(convert::server_capabilities(out.server_capabilities)),
                diagnostics: convert::diagnostics(out.diagnostics),
                data_sources: names(out.data_sources)
                    .map(|type_name| pb::get_metadata::DataSourceMetadata { type_name })
                    .collect(),
                resources: names(out.resources)
                    .map(|type_name| pb::get_metadata::ResourceMetadata { type_name })
                    .collect(),
                functions: names(out.functions)
                    .map(|name| pb::get_metadata::FunctionMetadata { name })
                    .collect(),
                ephemeral_resources: names(out.ephemeral_resources)
                    .map(|type_name| pb::get_metadata::EphemeralMetadata { type_name })
                    .collect(),
            })
        })
        .await
    }

    async fn get_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        answer("GetProviderSchema", "", async {
            let out = self.service.get_provider_schema().await;
            Ok(pb::get_provider_schema::Response {
                // Always present: Terraform reports a missing provider schema otherwise.
                provider: Some(convert::schema(out.provider)),
                resource_schemas: convert::schema_map(out.resource_schemas),
                data_source_schemas: convert::schema_map(out.data_source_schemas),
                functions: Default::default(),
                ephemeral_resource_schemas: convert::schema_map(out.ephemeral_resource_schemas),
                diagnostics: convert::diagnostics(out.diagnostics),
                provider_meta: out.provider_meta.map(convert::schema),
                server_capabilities: Some(convert::server_capabilities(out.server_capabilities)),
            })
        })
        .await
    }

    async fn prepare_provider_config(
        &self,
        request: Request<pb::prepare_provider_config::Request>,
    ) -> Result<Response<pb::prepare_provider_config::Response>, Status> {
        let req = request.into_inner();
        answer("PrepareProviderConfig", "", async {
            let mut problems = RequestProblems::default();
            let converted = rpc::PrepareProviderConfigRequest {
                config: problems.value("config", req.config),
            };
            problems.finish()?;
            let out = self.service.prepare_provider_config(converted).await;
            Ok(pb::prepare_provider_config::Response {
                prepared_config: convert::optional_dynamic_value(out.prepared_config),
                diagnostics: convert::diagnostics(out.diagnostics),
            })
        })
        .await
    }

    async fn validate_resource_type_config(
        &self,
        request: Request<pb::validate_resource_type_config::Request>,
    ) -> Result<Response<pb::validate_resource_type_config::Response>, Status> {
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        answer("ValidateResourceTypeConfig", &type_name, async {
            let mut problems = RequestProblems::default();
            let converted = rpc::ValidateResourceConfigRequest {
                type_name: req.type_name,
                config: problems.value("config", req.config),
                client_capabilities: convert::client_capabilities(req.client_capabilities),
            };
            problems.finish()?;
            let diagnostics = self.service.validate_resource_config(converted).await;
            Ok(pb::validate_resource_type_config::Response {
                diagnostics: convert::diagnostics(diagnostics),
            })
        })
        .await
    }

    async fn validate_data_source_config(
        &self,
        request: Request<pb::validate_data_source_config::Request>,
    ) -> Result<Response<pb::validate_data_source_config::Response>, Status> {
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        answer("ValidateDataSourceConfig", &type_name, async {
            let mut problems = RequestProblems::default();
            let converted = rpc::ValidateDataSourceConfigRequest {
                type_name: req.type_name,
                config: problems.value("config", req.config),
            };
            problems.finish()?;
            let diagnostics = self.service.validate_data_source_config(converted).await;
            Ok(pb::validate_data_source_config::Response {
                diagnostics: convert::diagnostics(diagnostics),
            })
        })
        .await
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        answer("UpgradeResourceState", &type_name, async {
            let mut problems = RequestProblems::default();
            let converted = rpc::UpgradeResourceStateRequest {
                type_name: req.type_name,
                version: req.version,
                raw_state: problems.raw_state("raw_state", req.raw_state),
            };
            problems.finish()?;
            let out = self.service.upgrade_resource_state(converted).await;
            Ok(pb::upgrade_resource_state::Response {
                upgraded_state: convert::optional_dynamic_value(out.upgraded_state),
                diagnostics: convert::diagnostics(out.diagnostics),
            })
        })
        .await
    }

    async fn configure(
        &self,
        request: Request<pb::configure::Request>,
    ) -> Result<Response<pb::configure::Response>, Status> {
        let req = request.into_inner();
        answer("ConfigureProvider", "", async {
            let mut problems = RequestProblems::default();
            let converted = rpc::ConfigureRequest {
                terraform_version: req.terraform_version,
                config: problems.value("config", req.config),
                client_capabilities: convert::client_capabilities(req.client_capabilities),
            };
            problems.finish()?;
            let diagnostics = self.service.configure(converted).await;
            Ok(pb::configure::Response {
                diagnostics: convert::diagnostics(diagnostics),
            })
        })
        .await
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        answer("ReadResource", &type_name, async {
            let mut problems = RequestProblems::default();
            let converted = rpc::ReadResourceRequest {
                type_name: req.type_name,
                current_state: problems.value("current_state", req.current_state),
                private: req.private,
                provider_meta: problems.optional_value("provider_meta", req.provider_meta),
                client_capabilities: convert::client_capabilities(req.client_capabilities),
            };
            problems.finish()?;
            let out = self.service.read_resource(converted).await;
            Ok(pb::read_resource::Response {
                new_state: convert::optional_dynamic_value(out.new_state),
                diagnostics: convert::diagnostics(out.diagnostics),
                private: out.private,
                deferred: convert::deferred(out.deferred),
            })
        })
        .await
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        answer("PlanResourceChange", &type_name, async {
            let mut problems = RequestProblems::default();
            let converted = rpc::PlanResourceChangeRequest {
                type_name: req.type_name,
                prior_state: problems.value("prior_state", req.prior_state),
                proposed_new_state: problems.value("proposed_new_state", req.proposed_new_state),
                config: problems.value("config", req.config),
                prior_private: req.prior_private,
                provider_meta: problems.optional_value("provider_meta", req.provider_meta),
                client_capabilities: convert::client_capabilities(req.client_capabilities),
            };
            problems.finish()?;
            let out = self.service.plan_resource_change(converted).await;
            Ok(pb::plan_resource_change::Response {
                planned_state: convert::optional_dynamic_value(out.planned_state),
                requires_replace: convert::attribute_paths(out.requires_replace),
                planned_private: out.planned_private,
                diagnostics: convert::diagnostics(out.diagnostics),
                legacy_type_system: false,
                deferred: convert::deferred(out.deferred),
            })
        })
        .await
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        answer("ApplyResourceChange", &type_name, async {
            let mut problems = RequestProblems::default();
            let converted = rpc::ApplyResourceChangeRequest {
                type_name: req.type_name,
                prior_state: problems.value("prior_state", req.prior_state),
                planned_state: problems.value("planned_state", req.planned_state),
                config: problems.value("config", req.config),
                planned_private: req.planned_private,
                provider_meta: problems.optional_value("provider_meta", req.provider_meta),
            };
            problems.finish()?;
            let out = self.service.apply_resource_change(converted).await;
            Ok(pb::apply_resource_change::Response {
                new_state: convert::optional_dynamic_value(out.new_state),
                private: out.private,
                diagnostics: convert::diagnostics(out.diagnostics),
                legacy_type_system: false,
            })
        })
        .await
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        answer("ImportResourceState", &type_name, async {
            let converted = rpc::ImportResourceStateRequest {
                type_name: req.type_name,
                id: req.id,
                client_capabilities: convert::client_capabilities(req.client_capabilities),
            };
            let out = self.service.import_resource_state(converted).await;
            Ok(pb::import_resource_state::Response {
                imported_resources: out
                    .imported_resources
                    .into_iter()
                    .map(|imported| pb::import_resource_state::ImportedResource {
                        type_name: imported.type_name,
                        state: Some(convert::dynamic_value(imported.state)),
                        private: imported.private,
                    })
                    .collect(),
                diagnostics: convert::diagnostics(out.diagnostics),
                deferred: convert::deferred(out.deferred),
            })
        })
        .await
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let req = request.into_inner();
        let type_name = req.target_type_name.clone();
        answer("MoveResourceState", &type_name, async {
            let mut problems = RequestProblems::default();
            let converted = rpc::MoveResourceStateRequest {
                source_provider_address: req.source_provider_address,
                source_type_name: req.source_type_name,
                source_schema_version: req.source_schema_version,
                source_state: problems.raw_state("source_state", req.source_state),
                target_type_name: req.target_type_name,
                source_private: req.source_private,
            };
            problems.finish()?;
            let out = self.service.move_resource_state(converted).await;
            Ok(pb::move_resource_state::Response {
                target_state: convert::optional_dynamic_value(out.target_state),
                diagnostics: convert::diagnostics(out.diagnostics),
                target_private: out.target_private,
            })
        })
        .await
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        answer("ReadDataSource", &type_name, async {
            let mut problems = RequestProblems::default();
            let converted = rpc::ReadDataSourceRequest {
                type_name: req.type_name,
                config: problems.value("config", req.config),
                provider_meta: problems.optional_value("provider_meta", req.provider_meta),
                client_capabilities: convert::client_capabilities(req.client_capabilities),
            };
            problems.finish()?;
            let out = self.service.read_data_source(converted).await;
            Ok(pb::read_data_source::Response {
                state: convert::optional_dynamic_value(out.state),
                diagnostics: convert::diagnostics(out.diagnostics),
                deferred: convert::deferred(out.deferred),
            })
        })
        .await
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        answer("ValidateEphemeralResourceConfig", &type_name, async {
            let mut problems = RequestProblems::default();
            let converted = rpc::ValidateEphemeralResourceConfigRequest {
                type_name: req.type_name,
                config: problems.value("config", req.config),
            };
            problems.finish()?;
            let diagnostics = self
                .service
                .validate_ephemeral_resource_config(converted)
                .await;
            Ok(pb::validate_ephemeral_resource_config::Response {
                diagnostics: convert::diagnostics(diagnostics),
            })
        })
        .await
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        answer("OpenEphemeralResource", &type_name, async {
            let mut problems = RequestProblems::default();
            let converted = rpc::OpenEphemeralResourceRequest {
                type_name: req.type_name,
                config: problems.value("config", req.config),
                client_capabilities: convert::client_capabilities(req.client_capabilities),
            };
            problems.finish()?;
            let out = self.service.open_ephemeral_resource(converted).await;
            Ok(pb::open_ephemeral_resource::Response {
                diagnostics: convert::diagnostics(out.diagnostics),
                renew_at: convert::timestamp(out.renew_at),
                result: convert::optional_dynamic_value(out.result),
                private: out.private,
                deferred: convert::deferred(out.deferred),
            })
        })
        .await
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        answer("RenewEphemeralResource", &type_name, async {
            let converted = rpc::RenewEphemeralResourceRequest {
                type_name: req.type_name,
                private: req.private,
            };
            let out = self.service.renew_ephemeral_resource(converted).await;
            Ok(pb::renew_ephemeral_resource::Response {
                diagnostics: convert::diagnostics(out.diagnostics),
                renew_at: convert::timestamp(out.renew_at),
                private: out.private,
            })
        })
        .await
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        answer("CloseEphemeralResource", &type_name, async {
            let converted = rpc::CloseEphemeralResourceRequest {
                type_name: req.type_name,
                private: req.private,
            };
            let diagnostics = self.service.close_ephemeral_resource(converted).await;
            Ok(pb::close_ephemeral_resource::Response {
                diagnostics: convert::diagnostics(diagnostics),
            })
        })
        .await
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        answer("GetFunctions", "", async {
            let diagnostics = self.service.get_functions().await;
            Ok(pb::get_functions::Response {
                functions: Default::default(),
                diagnostics: convert::diagnostics(diagnostics),
            })
        })
        .await
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let req = request.into_inner();
        answer("CallFunction", "", async {
            let mut problems = RequestProblems::default();
            let converted = rpc::CallFunctionRequest {
                name: req.name,
                arguments: problems.values("arguments", req.arguments),
            };
            problems.finish()?;
            let out = self.service.call_function(converted).await;
            Ok(pb::call_function::Response {
                result: convert::optional_dynamic_value(out.result),
                error: out
                    .error
                    .map(|(text, function_argument)| pb::FunctionError {
                        text,
                        function_argument,
                    }),
            })
        })
        .await
    }

    async fn stop(
        &self,
        _request: Request<pb::stop::Request>,
    ) -> Result<Response<pb::stop::Response>, Status> {
        answer("StopProvider", "", async {
            let error = self.service.stop().await.unwrap_or_default();
            Ok(pb::stop::Response { error })
        })
        .await
    }
}

struct Controller {
    lifecycle: Lifecycle,
}

#[tonic::async_trait]
impl gp::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _request: Request<gp::Empty>) -> Result<Response<gp::Empty>, Status> {
        if self.lifecycle.honour_shutdown {
            tracing::debug!("Shutdown requested by Terraform");
            self.lifecycle.shutdown.cancel();
        } else {
            tracing::info!("Terraform finished with the debug server; it keeps running");
        }
        Ok(Response::new(gp::Empty {}))
    }
}

type BoxedStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// The provider never writes to stdout or stderr through go-plugin's stdio
/// forwarding (logs go straight to stderr), so the stream ends at once; go-plugin's
/// client treats that as a normal end of output.
struct Stdio;

#[tonic::async_trait]
impl gp::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = BoxedStream<gp::StdioData>;

    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(Box::pin(futures::stream::empty())))
    }
}

/// Providers never broker extra connections. The stream stays open, sending
/// nothing, for as long as the client keeps its side open, as go-plugin's does, so
/// Terraform logs no broker error.
struct Broker;

#[tonic::async_trait]
impl gp::grpc_broker_server::GrpcBroker for Broker {
    type StartStreamStream = BoxedStream<gp::ConnInfo>;

    async fn start_stream(
        &self,
        request: Request<Streaming<gp::ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        let inbound = request.into_inner();
        let silent = inbound.filter_map(|_| async { None::<Result<gp::ConnInfo, Status>> });
        Ok(Response::new(Box::pin(silent)))
    }
}
