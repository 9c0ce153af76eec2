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

/// Asks process `pid` to stop with SIGTERM and waits up to `patience` for `exited` to
/// report it gone. The provider and the simulators clean up on SIGTERM (socket
/// directory, certificate file); SIGKILL would leave those behind in `$TMPDIR`. Returns
/// false when the process is still running (the caller then kills it).
pub fn terminate_and_wait(
    pid: u32,
    patience: std::time::Duration,
    mut exited: impl FnMut() -> bool,
) -> bool {
    if exited() {
        return true;
    }
    let signalled = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    let started = std::time::Instant::now();
    while started.elapsed() < patience {
        if exited() {
            return true;
        }
        if !signalled {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    exited()
}
