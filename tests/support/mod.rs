//! Helpers shared by the integration tests.

pub mod grpc;
pub mod sim;
pub mod terraform;

use std::path::PathBuf;

/// `tests/fixtures/reference/<sub>`: the recorded panel answers and API descriptions kept
/// in the repository (see `tests/fixtures/README.md`). The one place integration tests
/// look for reference data.
pub fn reference_dir(sub: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reference")
        .join(sub)
}
