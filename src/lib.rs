//! terraform-provider-panel: one Terraform/OpenTofu provider for hosting panels
//! (Plesk REST v2, Plesk XML API, PanelAlpha, HestiaCP).
//!
//! Layers, each talking only to its neighbours:
//!
//! - [`plugin`]: the wire layer (go-plugin handshake, AutoMTLS, tfplugin5 gRPC). The only
//!   module that names generated protobuf types.
//! - [`tfvalue`]: cty types and values (null / unknown / known), msgpack and JSON codecs.
//! - [`framework`]: schemas, diagnostics, plan helpers, validators, RPC routing.
//! - [`provider`]: the provider's own configuration, building a [`panel::Panel`].
//! - [`resources`]: one file per Terraform resource / data source type.
//! - [`panel`]: the backend-neutral panel trait, model and typed errors.
//! - [`backends`]: one folder per panel API, same file names in each.
//! - [`redact`]: secret redaction for diagnostics and log lines (depends on nothing).
//!
//! The `panel-sim` binary (src/bin/panel-sim) is a separate module tree that shares no
//! code with the backends it is used to test.

pub mod backends;
pub mod framework;
pub mod panel;
pub mod plugin;
pub mod provider;
pub mod redact;
pub mod resources;
pub mod tfvalue;
