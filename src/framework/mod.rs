//! Resource framework: schemas, diagnostics, plan helpers, validators, and the
//! provider server that routes RPCs to resources. It speaks in `tfvalue` values and
//! never names a protobuf type; the `plugin` layer converts at the edge.

pub mod diag;
pub mod model;
pub mod plan;
pub mod resource;
pub mod rpc;
pub mod schema;
pub mod server;
pub mod validate;
