//! The README's first command works: `scripts/quickstart.sh` starts the bundled HestiaCP
//! simulator, installs the provider through a filesystem mirror, applies
//! examples/quickstart/ and prints its outputs; the documented follow-ups (a plan
//! through env.sh, then `scripts/quickstart.sh destroy`) leave nothing behind.
//!
//! Only the build step is skipped (`PANEL_BIN_DIR` points at the binaries this test run
//! built); everything else runs exactly as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::docs::describe;
use crate::support::terraform::terraform_binary;

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const PROVIDER_BINARY: &str = env!("CARGO_BIN_EXE_terraform-provider-panel");
const SIM_BINARY: &str = env!("CARGO_BIN_EXE_panel-sim");

/// Stops the simulator the script left running if the test fails half-way.
struct StopSimulator(PathBuf);

impl Drop for StopSimulator {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.0.join("sim.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

fn bin_dir() -> PathBuf {
    let provider_dir = Path::new(PROVIDER_BINARY).parent().expect("provider dir");
    assert_eq!(
        Some(provider_dir),
        Path::new(SIM_BINARY).parent(),
        "the provider and panel-sim were built into different directories"
    );
    provider_dir.to_path_buf()
}

/// PATH with the directory of the Terraform under test first, as the script and the
/// commands it prints run `terraform` from PATH.
fn path_with_terraform() -> std::ffi::OsString {
    let terraform = terraform_binary();
    let terraform_dir = terraform.parent().expect("terraform's directory");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths: Vec<PathBuf> = vec![terraform_dir.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    std::env::join_paths(paths).expect("PATH")
}

fn quickstart(quickstart_dir: &Path, args: &[&str]) -> Output {
    Command::new("bash")
        .arg(Path::new(REPO).join("scripts/quickstart.sh"))
        .args(args)
        .env("QUICKSTART_DIR", quickstart_dir)
        .env("PANEL_BIN_DIR", bin_dir())
        .env("PATH", path_with_terraform())
        .env("CHECKPOINT_DISABLE", "1")
        .env_remove("PANEL")
        .env_remove("TERRAFORM")
        .output()
        .expect("start scripts/quickstart.sh")
}

#[test]
fn quickstart_applies_on_the_hestia_simulator_and_destroys() {
    let scratch = tempfile::tempdir().expect("temporary directory");
    let qs = scratch.path().join("quickstart");
    let _stop = StopSimulator(qs.clone());

    let up = quickstart(&qs, &[]);
    assert!(up.status.success(), "{}", describe("quickstart.sh", &up));
    let stdout = String::from_utf8_lossy(&up.stdout);
    assert!(
        stdout.contains("Apply complete! Resources: 3 added, 0 changed, 0 destroyed."),
        "{}",
        describe("quickstart.sh", &up)
    );
    for output in [
        "user_id = \"demo\"",
        "domain = \"demo.example.com\"",
        "database_name = \"demo_app\"",
        "database_user = \"demo_app\"",
    ] {
        assert!(
            stdout.lines().any(|line| line.trim() == output),
            "the outputs lack `{output}`:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("scripts/quickstart.sh destroy"),
        "the script does not say how to destroy:\n{stdout}"
    );

    // What the script tells the user to run next: a plan shows nothing to do.
    let plan = Command::new("bash")
        .arg("-c")
        .arg("source \"$1/env.sh\" && terraform -chdir=\"$1/work\" plan -detailed-exitcode -no-color")
        .arg("plan")
        .arg(&qs)
        .env("PATH", path_with_terraform())
        .output()
        .expect("start terraform plan");
    assert_eq!(
        plan.status.code(),
        Some(0),
        "the quickstart plans changes right after apply:\n{}",
        describe("terraform plan", &plan)
    );

    // Running it again changes nothing.
    let again = quickstart(&qs, &[]);
    assert!(
        again.status.success(),
        "{}",
        describe("quickstart.sh (again)", &again)
    );
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .contains("Apply complete! Resources: 0 added, 0 changed, 0 destroyed."),
        "{}",
        describe("quickstart.sh (again)", &again)
    );

    let env = std::fs::read_to_string(qs.join("env.sh")).expect("env.sh");
    let address = env
        .lines()
        .find_map(|line| line.strip_prefix("export PANEL_ENDPOINT=http://"))
        .expect("env.sh exports the simulator's endpoint")
        .trim_matches(['\'', '/'])
        .to_string();
    let destroy = quickstart(&qs, &["destroy"]);
    assert!(
        destroy.status.success(),
        "{}",
        describe("quickstart.sh destroy", &destroy)
    );
    assert!(
        String::from_utf8_lossy(&destroy.stdout)
            .contains("Destroy complete! Resources: 3 destroyed."),
        "{}",
        describe("quickstart.sh destroy", &destroy)
    );
    assert!(!qs.exists(), "destroy left {} behind", qs.display());
    assert!(
        std::net::TcpStream::connect(&address).is_err(),
        "the simulator still answers on {address} after destroy"
    );
}

/// Without `QUICKSTART_DIR` the quickstart lives in its own checkout (`.quickstart/`, which
/// git ignores), so two checkouts on one machine never share a simulator or a state.
#[test]
fn quickstart_directory_defaults_to_the_checkout() {
    let output = Command::new("bash")
        .arg(Path::new(REPO).join("scripts/quickstart.sh"))
        .arg("dir")
        .env_remove("QUICKSTART_DIR")
        .env("PATH", path_with_terraform())
        .output()
        .expect("start scripts/quickstart.sh dir");
    assert!(
        output.status.success(),
        "{}",
        describe("quickstart.sh dir", &output)
    );
    let printed = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        Path::new(printed.trim()),
        Path::new(REPO).join(".quickstart"),
        "{}",
        describe("quickstart.sh dir", &output)
    );
    let ignored = Command::new("git")
        .args(["check-ignore", "-q", ".quickstart/env.sh"])
        .current_dir(REPO)
        .status()
        .expect("start git check-ignore");
    assert!(ignored.success(), ".quickstart/ is not in .gitignore");
}
