//! terraform-provider-panel: one Terraform/OpenTofu provider for hosting panels
//! (Plesk REST v2, Plesk XML API, PanelAlpha, HestiaCP).
//!
//! Layers, each talking only to its neighbours:
//!
//! - [`plugin`]: the wire layer (go-plugin handshake, AutoMTLS, tfplugin5 gRPC). The only
//!   module that names generated protobuf types.
//! - [`tfvalue`]: cty types and values (null / unknown / known), msgpack and JSON codecs.
//! - [`framework`]: schemas, diagnostics, plan helpers, validators, RPC routing.
//! - [`provider`]: the provider's own configuration, building a [`panel::PanelHandle`].
//! - [`resources`]: the resource engine and one description per Terraform type.
//! - [`panel`]: the backend-neutral panel trait, per-object services, model, typed
//!   errors and name rules.
//! - [`backends`]: one folder per panel API, one file per object type.
//!
//! [`service`] wires them: the provider with the resources' registry.
//!
//! The `panel-sim` binary (src/bin/panel-sim) is a separate module tree that shares no
//! code with the backends it is used to test.

pub mod backends;
pub mod framework;
pub mod panel;
pub mod plugin;
pub mod provider;
pub mod resources;
pub mod tfvalue;

use std::sync::Arc;

/// The provider's service, reading the process environment, with the real backends
/// and every resource and data source type.
pub fn service() -> Arc<dyn framework::rpc::ProviderService> {
    let registry = resources::registry();
    Arc::new(framework::server::FrameworkServer::new(Arc::new(
        provider::PanelProvider::new(registry.resources, registry.data_sources),
    )))
}
