//! The documentation a user reads matches the provider they run: docs/ is what
//! `scripts/docs.sh` generates from the freshly built provider's schema, and every
//! example under examples/ is `terraform fmt` clean and passes `terraform validate`
//! against that provider.
//!
//! Terraform is required: a missing binary fails these tests, it never skips them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::terraform::{terraform_binary, REQUIRED_PROVIDERS};

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const PROVIDER_BINARY: &str = env!("CARGO_BIN_EXE_terraform-provider-panel");

/// Both output streams and the exit status, for assertion messages.
pub(crate) fn describe(what: &str, output: &Output) -> String {
    format!(
        "{what} exited with {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn run(what: &str, command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|err| panic!("cannot start {what}: {err}"))
}

/// Every file under `root`, by path relative to it.
fn read_tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let entries = std::fs::read_dir(dir)
            .unwrap_or_else(|err| panic!("cannot list {}: {err}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|err| panic!("cannot list {}: {err}", dir.display()))
                .path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let bytes = std::fs::read(&path)
                    .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
                let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                files.insert(relative, bytes);
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(root, root, &mut files);
    files
}

#[test]
fn committed_docs_match_the_generated_ones() {
    let scratch = tempfile::tempdir().expect("temporary directory");
    let generated = scratch.path().join("docs");
    let output = run(
        "scripts/docs.sh",
        Command::new("bash")
            .arg(Path::new(REPO).join("scripts/docs.sh"))
            .arg("--out")
            .arg(&generated)
            .env("PANEL_PROVIDER_BINARY", PROVIDER_BINARY)
            .env("TERRAFORM", terraform_binary()),
    );
    assert!(
        output.status.success(),
        "{}",
        describe("scripts/docs.sh", &output)
    );

    let committed = read_tree(&Path::new(REPO).join("docs"));
    let fresh = read_tree(&generated);
    let mut problems = Vec::new();
    for (path, bytes) in &fresh {
        match committed.get(path) {
            None => problems.push(format!("missing: docs/{}", path.display())),
            Some(old) if old != bytes => {
                problems.push(format!("outdated: docs/{}", path.display()))
            }
            Some(_) => {}
        }
    }
    for path in committed.keys().filter(|path| !fresh.contains_key(*path)) {
        problems.push(format!("not generated any more: docs/{}", path.display()));
    }
    assert!(
        problems.is_empty(),
        "docs/ does not match the provider's schema, examples/ and templates/:\n  {}\n\
         Run `scripts/docs.sh` and commit docs/.",
        problems.join("\n  ")
    );
}

#[test]
fn examples_are_terraform_fmt_clean() {
    let output = run(
        "terraform fmt",
        Command::new(terraform_binary())
            .args(["fmt", "-check", "-recursive", "-diff", "-no-color"])
            .arg(Path::new(REPO).join("examples"))
            .env("TF_CLI_CONFIG_FILE", "/dev/null"),
    );
    assert!(
        output.status.success(),
        "examples/ is not formatted; run `terraform fmt -recursive examples/`.\n{}",
        describe("terraform fmt -check", &output)
    );
}

/// A working directory whose CLI configuration points Terraform at the test build of
/// the provider through dev_overrides (no `terraform init` needed).
struct Validator {
    scratch: tempfile::TempDir,
    cli_config: PathBuf,
}

impl Validator {
    fn new() -> Self {
        let scratch = tempfile::tempdir().expect("temporary directory");
        let provider_dir = Path::new(PROVIDER_BINARY)
            .parent()
            .expect("the provider binary lives in a directory");
        let cli_config = scratch.path().join("terraformrc");
        let config = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/panelops/panel\" = {:?}\n  }}\n}}\n",
            provider_dir.display().to_string()
        );
        std::fs::write(&cli_config, config).expect("write the CLI configuration");
        Self {
            scratch,
            cli_config,
        }
    }

    /// Runs `terraform validate` on these files together (name in the working
    /// directory, source file); panics with Terraform's output when it fails.
    fn validate(&self, label: &str, files: &[(&str, PathBuf)]) {
        let dir = self.scratch.path().join(label.replace('/', "_"));
        std::fs::create_dir_all(&dir).expect("create the working directory");
        for (name, source) in files {
            std::fs::copy(source, dir.join(name))
                .unwrap_or_else(|err| panic!("cannot copy {}: {err}", source.display()));
        }
        let output = run(
            "terraform validate",
            Command::new(terraform_binary())
                .args(["validate", "-no-color"])
                .current_dir(&dir)
                .env("TF_CLI_CONFIG_FILE", &self.cli_config)
                .env("TF_IN_AUTOMATION", "1"),
        );
        assert!(
            output.status.success(),
            "{label} does not validate:\n{}",
            describe("terraform validate", &output)
        );
    }
}

/// `examples/<kind>/<type>/<file>` for every type directory, sorted. That every type
/// in the schema has its example is checked by the generator (scripts/gendocs.py
/// refuses to write a page without one), so an absent directory is no gap here.
fn examples_of(kind: &str, file: &str) -> Vec<(String, PathBuf)> {
    let dir = Path::new(REPO).join("examples").join(kind);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|entry| {
            let type_name = entry.file_name().to_string_lossy().into_owned();
            (format!("{kind}/{type_name}"), entry.path().join(file))
        })
        .collect();
    found.sort();
    for (label, path) in &found {
        assert!(path.is_file(), "examples/{label} has no {file}");
    }
    found
}

/// Each example validates on its own, as a reader copies it from its page: the page's
/// file plus only the `terraform { required_providers }` block every configuration has
/// (no provider block, no variables from other examples).
#[test]
fn every_example_validates_on_its_own_against_the_built_provider() {
    let validator = Validator::new();
    let examples = Path::new(REPO).join("examples");
    let required_providers = validator.scratch.path().join("required_providers.tf");
    std::fs::write(&required_providers, REQUIRED_PROVIDERS)
        .expect("write the required_providers block");
    let provider = examples.join("provider/provider.tf");
    validator.validate("provider", &[("provider.tf", provider)]);
    for (label, example) in examples_of("resources", "resource.tf")
        .into_iter()
        .chain(examples_of("data-sources", "data-source.tf"))
    {
        validator.validate(
            &label,
            &[
                ("versions.tf", required_providers.clone()),
                ("example.tf", example),
            ],
        );
    }
    validator.validate(
        "quickstart",
        &[("main.tf", examples.join("quickstart/main.tf"))],
    );
}

#[test]
fn every_resource_example_has_an_import_script() {
    for (label, resource) in examples_of("resources", "resource.tf") {
        let script = resource.with_file_name("import.sh");
        let text = std::fs::read_to_string(&script)
            .unwrap_or_else(|err| panic!("examples/{label}/import.sh: {err}"));
        let type_name = label.trim_start_matches("resources/");
        let commands: Vec<&str> = text
            .lines()
            .filter(|line| !line.trim_start().starts_with('#') && !line.trim().is_empty())
            .collect();
        assert!(!commands.is_empty(), "examples/{label}/import.sh is empty");
        for command in commands {
            assert!(
                command.starts_with(&format!("terraform import {type_name}.")),
                "examples/{label}/import.sh: {command:?} does not import a {type_name}"
            );
        }
    }
}
