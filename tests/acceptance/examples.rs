//! The documentation examples work: every file under examples/ is `terraform fmt`
//! clean, every resource and data source example validates next to
//! examples/provider/provider.tf, and every resource example applies and destroys
//! cleanly against the HestiaCP simulator.

use std::path::{Path, PathBuf};

use super::{Backend, Sim};
use crate::support::terraform::Terraform;

fn examples_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

fn provider_example() -> String {
    read(&examples_dir().join("provider/provider.tf"))
}

/// `examples/<kind>/*/<file>`, sorted; panics when there are none (an example
/// directory that silently disappeared must not pass).
fn example_files(kind: &str, file: &str) -> Vec<PathBuf> {
    let dir = examples_dir().join(kind);
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("cannot list {}: {err}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path().join(file))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no {kind}/*/{file} under examples/");
    files
}

/// The provider example's variables, pointing at `sim` (a tfvars file, so a variable
/// the example does not declare only warns).
fn tfvars(sim: &Sim) -> String {
    let p = &sim.process;
    serde_json::json!({
        "panel_type": sim.backend.provider_type(),
        "panel_endpoint": p.base_url,
        "panel_credentials": {
            "access_key": p.cred("access_key"),
            "secret_key": p.cred("secret_key"),
        },
    })
    .to_string()
}

/// Values for the examples' own (ephemeral, write-only) password variables. Ephemeral
/// variables must be set on every run, so they come from the environment rather than
/// the tfvars file.
const EXAMPLE_PASSWORDS: &[(&str, &str)] = &[
    ("TF_VAR_user_password", "Ex4mple-User-Pass"),
    ("TF_VAR_database_password", "Ex4mple-Db-Pass"),
    ("TF_VAR_system_password", "Ex4mple-Sys-Pass"),
];

/// A working directory with the provider example and one other example.
fn example_workdir(example: &Path, sim: Option<&Sim>) -> Terraform {
    let mut tf = Terraform::new();
    for (name, value) in EXAMPLE_PASSWORDS {
        tf.set_env(name, value);
    }
    tf.write("provider.tf", &provider_example());
    tf.write("example.tf", &read(example));
    if let Some(sim) = sim {
        tf.write("terraform.tfvars.json", &tfvars(sim));
    }
    tf
}

#[test]
fn examples_are_formatted() {
    let dir = examples_dir();
    assert!(dir.is_dir(), "{} does not exist", dir.display());
    let tf = Terraform::new();
    let path = dir.to_string_lossy().into_owned();
    let outcome = tf.run(&["fmt", "-check", "-recursive", "-diff", "-no-color", &path]);
    assert_eq!(
        outcome.code,
        0,
        "examples/ is not `terraform fmt` clean:\n{}",
        outcome.describe()
    );
}

#[test]
fn provider_example_validates() {
    let tf = Terraform::new();
    tf.write("provider.tf", &provider_example());
    tf.run(&["validate", "-no-color"]).success();
}

#[test]
fn data_source_examples_validate() {
    for example in example_files("data-sources", "data-source.tf") {
        let tf = example_workdir(&example, None);
        let outcome = tf.run(&["validate", "-no-color"]);
        assert_eq!(
            outcome.code,
            0,
            "{} does not validate:\n{}",
            example.display(),
            outcome.describe()
        );
    }
}

#[test]
fn resource_examples_validate_apply_and_destroy_on_hestia() {
    let sim = Sim::start(Backend::Hestia);
    for example in example_files("resources", "resource.tf") {
        let shown = example.display().to_string();
        let tf = example_workdir(&example, Some(&sim));
        let outcome = tf.run(&["validate", "-no-color"]);
        assert_eq!(
            outcome.code,
            0,
            "{shown} does not validate:\n{}",
            outcome.describe()
        );
        let outcome = tf.try_apply();
        assert_eq!(
            outcome.code,
            0,
            "{shown} does not apply:\n{}",
            outcome.describe()
        );
        assert!(
            !sim.view().is_empty(),
            "{shown} applied but the panel holds nothing"
        );
        tf.assert_empty_plan(&format!("{shown} right after apply"));
        tf.destroy();
        let view = sim.view();
        assert!(
            view.is_empty(),
            "{shown}: objects left after destroy: {view:#?}"
        );
    }
}
