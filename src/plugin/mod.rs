//! The wire layer: everything between Terraform's go-plugin client and the
//! framework's [`ProviderService`](crate::framework::rpc::ProviderService).
//!
//! - `handshake`: environment checks, listener, handshake line, lifecycle.
//! - `tls`: AutoMTLS (fresh server certificate, pinned client certificate).
//! - `grpc` + `convert`: tfplugin5 services as a thin adapter over the framework;
//!   the only modules that name generated protobuf types.
//! - [`logging`]: hclog-style JSON logs on stderr, secret redaction.
//! - [`proto`]: the generated code (public for the tests, which play Terraform).

mod convert;
mod grpc;
mod handshake;
pub mod logging;
pub mod proto;
mod tls;

pub use handshake::{
    serve, Announce, Mode, Network, PluginEnv, ServeError, ServeOptions, MAGIC_COOKIE_KEY,
    MAGIC_COOKIE_VALUE, PROTOCOL_VERSION, PROVIDER_ADDRESS,
};
pub use tls::TlsError;
