//! Helpers shared by the integration tests.

pub mod grpc;
pub mod sim;
pub mod terraform;
