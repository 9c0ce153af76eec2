//! Runs the real Terraform CLI against the provider binary this crate builds, each
//! runner in its own temporary working directory.
//!
//! The provider is found through a CLI configuration file written into that directory
//! (`provider_installation { dev_overrides { ... } direct {} }`) and passed with
//! `TF_CLI_CONFIG_FILE`, so the user's `~/.terraformrc` never matters and no
//! `terraform init` is needed: with a development override Terraform starts the
//! binary straight from the target directory, for `plan`, `apply`, `import` and
//! `import {}` blocks with `-generate-config-out` alike.
//!
//! A missing Terraform is a test FAILURE, never a skip: acceptance tests that silently
//! pass without the client would prove nothing.
#![allow(dead_code)] // each scenario uses a different subset

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The oldest Terraform the suite runs against (write-only attributes need 1.11).
pub const MINIMUM_TERRAFORM: (u64, u64) = (1, 11);

/// Names the Terraform to use, ahead of every other place (e.g. a CI runner that keeps
/// several versions).
pub const TERRAFORM_PATH_ENV: &str = "PANEL_ACC_TERRAFORM";

/// The variable `scripts/docs.sh` and `scripts/quickstart.sh` document for the same
/// purpose; honoured after [`TERRAFORM_PATH_ENV`].
const TERRAFORM_SCRIPT_ENV: &str = "TERRAFORM";

/// Where Terraform's installers put it, searched after `PATH`: HashiCorp's release zip
/// and tfenv (`/usr/local/bin`), its Debian/RPM packages (`/usr/bin`), Homebrew on Apple
/// silicon and snap.
const USUAL_LOCATIONS: &[&str] = &[
    "/usr/local/bin/terraform",
    "/usr/bin/terraform",
    "/opt/homebrew/bin/terraform",
    "/snap/bin/terraform",
];

/// No single Terraform command in the suite should come near this; a hung provider
/// must fail the test instead of hanging the whole run.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

/// The provider's source address, as configurations write it.
pub const PROVIDER_SOURCE: &str = "registry.terraform.io/panelops/panel";

/// The `terraform { required_providers }` block every configuration needs.
pub const REQUIRED_PROVIDERS: &str = r#"terraform {
  required_providers {
    panel = {
      source = "panelops/panel"
    }
  }
}
"#;

/// The Terraform binary every test runs: `$PANEL_ACC_TERRAFORM` (or `$TERRAFORM`), else `terraform` on
/// `PATH`, else the [`USUAL_LOCATIONS`]; it must be 1.11 or newer. Panics (fails the
/// test, never skips it) with one message naming the version needed when none is found.
/// `.ci/run` and `scripts/lib/terraform.sh` search the same way.
pub fn terraform_binary() -> PathBuf {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(find_terraform)
        .clone()
        .unwrap_or_else(|problem| panic!("{problem}"))
}

fn find_terraform() -> Result<PathBuf, String> {
    let named = std::env::var_os(TERRAFORM_PATH_ENV)
        .or_else(|| std::env::var_os(TERRAFORM_SCRIPT_ENV))
        .filter(|value| !value.is_empty());
    find_terraform_in(named, std::env::var_os("PATH"), USUAL_LOCATIONS)
}

/// [`find_terraform`] with its inputs spelled out: the named binary, `PATH`, the
/// locations searched after it.
fn find_terraform_in(
    named: Option<std::ffi::OsString>,
    path_var: Option<std::ffi::OsString>,
    usual: &[&str],
) -> Result<PathBuf, String> {
    let (major, minor) = MINIMUM_TERRAFORM;
    let needed = format!(
        "Terraform >= {major}.{minor} is required by these tests (they are never skipped): \
         install it on PATH, or point {TERRAFORM_PATH_ENV} at it"
    );
    let path = match named {
        Some(path) => PathBuf::from(path),
        None => path_var
            .into_iter()
            .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
            .map(|dir| dir.join("terraform"))
            .chain(usual.iter().map(PathBuf::from))
            .find(|candidate| candidate.is_file())
            .ok_or_else(|| format!("{needed}; it is not on PATH nor in {}", usual.join(", ")))?,
    };
    let output = Command::new(&path)
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("{needed}; {} cannot be run: {err}", path.display()))?;
    let version = serde_json::from_slice::<serde_json::Value>(&output.stdout)
        .ok()
        .and_then(|v| v["terraform_version"].as_str().map(str::to_owned))
        .ok_or_else(|| {
            format!(
                "{needed}; `{} version -json` printed no version (is it Terraform?): {}",
                path.display(),
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
    let mut parts = version.split(['.', '-']).map(|n| n.parse::<u64>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(found_major), Some(found_minor)) if (found_major, found_minor) >= (major, minor) => {
            Ok(path)
        }
        _ => Err(format!(
            "{needed}; {} is Terraform {version}",
            path.display()
        )),
    }
}

/// The provider binary Cargo built for this test run.
pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-panel"))
}

/// What a finished Terraform command left behind.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Both streams, for assertions that do not care where Terraform printed a message.
    pub fn output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// A readable dump for panic messages.
    pub fn describe(&self) -> String {
        format!(
            "terraform {} exited with {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }

    /// Panics unless the command succeeded.
    pub fn success(self) -> Self {
        assert_eq!(self.code, 0, "{}", self.describe());
        self
    }

    /// Panics unless the command failed (exit code 1).
    pub fn failure(self) -> Self {
        assert_eq!(self.code, 1, "expected a failure: {}", self.describe());
        self
    }
}

/// One Terraform working directory with its own CLI configuration and environment.
pub struct Terraform {
    workdir: tempfile::TempDir,
    binary: PathBuf,
    cli_config: PathBuf,
    env: Vec<(String, String)>,
}

impl Terraform {
    /// A fresh, empty working directory wired to the built provider.
    pub fn new() -> Self {
        let binary = terraform_binary();
        let workdir = tempfile::Builder::new()
            .prefix("panel-acc-")
            .tempdir()
            .unwrap_or_else(|err| panic!("cannot create a temporary directory: {err}"));
        let provider = provider_binary();
        let provider_dir = provider
            .parent()
            .unwrap_or_else(|| panic!("{} has no parent directory", provider.display()));
        assert!(
            provider.is_file(),
            "the provider binary {} was not built",
            provider.display()
        );
        let cli_config = workdir.path().join(".terraformrc");
        let config = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"{PROVIDER_SOURCE}\" = {}\n  }}\n  direct {{}}\n}}\n",
            hcl_string(&provider_dir.to_string_lossy())
        );
        write_file(&cli_config, &config);
        Self {
            workdir,
            binary,
            cli_config,
            env: Vec::new(),
        }
    }

    /// Sets an environment variable for every command this runner starts.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.set_env(name, value);
        self
    }

    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.to_owned(), value.to_owned()));
    }

    pub fn dir(&self) -> &Path {
        self.workdir.path()
    }

    /// Writes `name` (relative to the working directory), replacing it.
    pub fn write(&self, name: &str, contents: &str) {
        write_file(&self.dir().join(name), contents);
    }

    /// Removes `name` if it exists.
    pub fn remove(&self, name: &str) {
        let path = self.dir().join(name);
        if path.exists() {
            std::fs::remove_file(&path)
                .unwrap_or_else(|err| panic!("cannot remove {}: {err}", path.display()));
        }
    }

    /// Reads `name` from the working directory.
    pub fn read(&self, name: &str) -> String {
        let path = self.dir().join(name);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
    }

    /// Runs `terraform <args>` in the working directory and returns what happened,
    /// whatever the exit code.
    pub fn run(&self, args: &[&str]) -> Outcome {
        let mut command = Command::new(&self.binary);
        command
            .args(args)
            .current_dir(self.dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Nothing from the caller's environment may steer the run: no provider
        // settings, no extra CLI arguments, no other configuration file.
        for (name, _) in std::env::vars_os()
            .filter_map(|(n, v)| Some((n.into_string().ok()?, v)))
            .filter(|(n, _)| {
                n.starts_with("PANEL_")
                    || n.starts_with("TF_CLI_ARGS")
                    || n.starts_with("TF_VAR_")
                    || matches!(
                        n.as_str(),
                        "TF_WORKSPACE" | "TF_DATA_DIR" | "TF_PLUGIN_CACHE_DIR" | "TF_INPUT"
                    )
            })
        {
            if name != TERRAFORM_PATH_ENV {
                command.env_remove(name);
            }
        }
        command
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_INPUT", "0");
        for (name, value) in &self.env {
            command.env(name, value);
        }
        let outcome = run_with_timeout(command, args);
        if std::env::var_os("PANEL_ACC_VERBOSE").is_some() {
            eprintln!("{}", outcome.describe());
        }
        outcome
    }

    /// `terraform apply -auto-approve`, which must succeed.
    pub fn apply(&self) -> Outcome {
        self.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .success()
    }

    /// `terraform apply -auto-approve` whatever its outcome.
    pub fn try_apply(&self) -> Outcome {
        self.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `terraform plan -detailed-exitcode [extra]`: 0 = no changes, 2 = changes;
    /// panics on an error (1).
    pub fn plan_detailed_exitcode(&self, extra: &[&str]) -> (i32, Outcome) {
        let mut args = vec!["plan", "-detailed-exitcode", "-input=false", "-no-color"];
        args.extend_from_slice(extra);
        let outcome = self.run(&args);
        assert!(
            outcome.code == 0 || outcome.code == 2,
            "plan failed: {}",
            outcome.describe()
        );
        (outcome.code, outcome)
    }

    /// Panics unless a plan shows no changes at all.
    pub fn assert_empty_plan(&self, context: &str) {
        let (code, outcome) = self.plan_detailed_exitcode(&[]);
        assert_eq!(
            code,
            0,
            "{context}: expected an empty plan\n{}",
            outcome.describe()
        );
    }

    /// `terraform plan`, whatever its outcome (for plan-time errors).
    pub fn plan(&self) -> Outcome {
        self.run(&["plan", "-input=false", "-no-color"])
    }

    /// `terraform import ADDRESS ID`, which must succeed.
    pub fn import(&self, address: &str, id: &str) -> Outcome {
        self.run(&["import", "-input=false", "-no-color", address, id])
            .success()
    }

    /// `terraform destroy -auto-approve`, which must succeed.
    pub fn destroy(&self) -> Outcome {
        self.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .success()
    }

    /// `terraform show -json` of the current state.
    pub fn show_json(&self) -> serde_json::Value {
        let outcome = self.run(&["show", "-json", "-no-color"]).success();
        serde_json::from_str(&outcome.stdout)
            .unwrap_or_else(|err| panic!("show -json is not JSON ({err}): {}", outcome.stdout))
    }

    /// The raw local state file (`terraform.tfstate`), or "" when there is none.
    pub fn state_raw(&self) -> String {
        std::fs::read_to_string(self.dir().join("terraform.tfstate")).unwrap_or_default()
    }

    /// The local state file parsed.
    pub fn state_json(&self) -> serde_json::Value {
        let raw = self.state_raw();
        serde_json::from_str(&raw)
            .unwrap_or_else(|err| panic!("terraform.tfstate is not JSON ({err}): {raw}"))
    }

    /// The attributes of the resource at `address` (e.g. `panel_user.main`) in the
    /// state file; panics when it is not there.
    pub fn state_attributes(&self, address: &str) -> serde_json::Value {
        self.try_state_attributes(address).unwrap_or_else(|| {
            panic!(
                "{address} is not in the state:\n{}",
                serde_json::to_string_pretty(&self.state_json()).unwrap_or_default()
            )
        })
    }

    /// The attributes of the resource at `address`, if the state holds it.
    pub fn try_state_attributes(&self, address: &str) -> Option<serde_json::Value> {
        let (kind, name) = address.split_once('.')?;
        let state = self.state_json();
        state["resources"]
            .as_array()?
            .iter()
            .find(|r| r["mode"] == "managed" && r["type"] == kind && r["name"] == name)
            .map(|r| r["instances"][0]["attributes"].clone())
    }

    /// Resource addresses the state holds, sorted.
    pub fn state_addresses(&self) -> Vec<String> {
        let outcome = self.run(&["state", "list"]);
        if outcome.code != 0 && outcome.stderr.contains("No state file") {
            return Vec::new();
        }
        let mut list: Vec<String> = outcome
            .success()
            .stdout
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        list.sort();
        list
    }
}

impl Default for Terraform {
    fn default() -> Self {
        Self::new()
    }
}

/// An HCL quoted string literal.
pub fn hcl_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            // Only `${` and `%{` start templates; doubling the sigil escapes them.
            '$' | '%' if chars.peek() == Some(&'{') => {
                quoted.push(c);
                quoted.push(c);
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

fn write_file(path: &Path, contents: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|err| panic!("cannot create {}: {err}", parent.display()));
    }
    std::fs::write(path, contents)
        .unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
}

fn run_with_timeout(mut command: Command, args: &[&str]) -> Outcome {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let mut child = command
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start terraform {}: {err}", args.join(" ")));
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > COMMAND_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "terraform {} did not finish within {COMMAND_TIMEOUT:?}; stdout so far:\n{}",
                    args.join(" "),
                    stdout.join().unwrap_or_default()
                );
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(err) => panic!("waiting for terraform failed: {err}"),
        }
    };
    Outcome {
        args,
        // Killed by a signal: no code; report it as something no assertion expects.
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

/// The lookup every test and `.ci/run` relies on, checked with stand-in binaries: the
/// Rust helper and `scripts/lib/terraform.sh` must agree.
mod lookup {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A script answering `version` and `version -json` like Terraform `version` does.
    fn fake_terraform(dir: &Path, version: &str) -> PathBuf {
        std::fs::create_dir_all(dir).expect("fake terraform directory");
        let path = dir.join("terraform");
        write_file(
            &path,
            &format!(
                "#!/bin/sh\nif [ \"$2\" = -json ]; then echo '{{\"terraform_version\": \"{version}\"}}'; \
                 else echo 'Terraform v{version}'; echo 'on linux_amd64'; fi\n"
            ),
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .expect("make the fake terraform executable");
        path
    }

    /// What `find_terraform` in scripts/lib/terraform.sh prints (stdout, or the error).
    fn shell_lookup(named: Option<&Path>, path_var: &Path) -> Result<PathBuf, String> {
        let mut command = Command::new("bash");
        command
            .arg("-c")
            .arg("source \"$1\" && find_terraform")
            .arg("lookup")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/lib/terraform.sh"))
            .env("PATH", path_var)
            .env_remove(TERRAFORM_PATH_ENV)
            .env_remove(TERRAFORM_SCRIPT_ENV);
        if let Some(named) = named {
            command.env(TERRAFORM_PATH_ENV, named);
        }
        let output = command.output().expect("run bash");
        if output.status.success() {
            Ok(PathBuf::from(
                String::from_utf8_lossy(&output.stdout).trim(),
            ))
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }

    #[test]
    fn terraform_on_path_comes_before_the_usual_locations() {
        let scratch = tempfile::tempdir().expect("temporary directory");
        let on_path = fake_terraform(&scratch.path().join("path"), "1.11.0");
        let usual = fake_terraform(&scratch.path().join("usual"), "1.12.1");
        let usual_text = usual.to_string_lossy().into_owned();
        let path_var = std::env::join_paths([scratch.path().join("path")]).expect("PATH");
        assert_eq!(
            find_terraform_in(None, Some(path_var.clone()), &[&usual_text]),
            Ok(on_path.clone())
        );
        // Not on PATH: the usual location is found.
        let empty = scratch.path().join("empty");
        std::fs::create_dir_all(&empty).expect("empty directory");
        assert_eq!(
            find_terraform_in(None, Some(empty.clone().into_os_string()), &[&usual_text]),
            Ok(usual)
        );
        // The shell lookup (.ci/run, scripts) finds the same one; bash and sed must stay
        // reachable, so PATH keeps the system directories after the fake one.
        let system_path = std::env::join_paths([
            scratch.path().join("path"),
            PathBuf::from("/usr/bin"),
            PathBuf::from("/bin"),
        ])
        .expect("PATH");
        assert_eq!(shell_lookup(None, Path::new(&system_path)), Ok(on_path));
    }

    #[test]
    fn missing_or_old_terraform_is_one_error_naming_the_version_needed() {
        let scratch = tempfile::tempdir().expect("temporary directory");
        let empty = scratch.path().join("empty");
        std::fs::create_dir_all(&empty).expect("empty directory");
        let missing = find_terraform_in(None, Some(empty.clone().into_os_string()), &[])
            .expect_err("no terraform anywhere");
        assert!(
            missing.contains("Terraform >= 1.11 is required"),
            "{missing}"
        );
        assert!(missing.contains("not on PATH"), "{missing}");

        let old = fake_terraform(&scratch.path().join("old"), "1.10.5");
        let too_old = find_terraform_in(Some(old.clone().into_os_string()), None, &[])
            .expect_err("1.10 is too old");
        assert!(
            too_old.contains("Terraform >= 1.11 is required"),
            "{too_old}"
        );
        assert!(too_old.contains("is Terraform 1.10.5"), "{too_old}");

        let shell =
            shell_lookup(Some(&old), Path::new("/usr/bin:/bin")).expect_err("1.10 is too old");
        assert!(shell.contains("Terraform >= 1.11 is required"), "{shell}");
        assert!(shell.contains("is Terraform 1.10.5"), "{shell}");

        let newer = fake_terraform(&scratch.path().join("newer"), "2.0.0-alpha1");
        assert_eq!(
            find_terraform_in(Some(newer.clone().into_os_string()), None, &[]),
            Ok(newer)
        );
    }
}
