//! The documentation examples work: every file under examples/ is `terraform fmt`
//! clean, the provider example validates, every resource and data source example
//! validates on its own (beside only the `required_providers` block every
//! configuration has), and every resource example applies and destroys cleanly against
//! the HestiaCP simulator (`panel_database_user`, which HestiaCP lacks, on the Plesk REST
//! simulator).

use std::path::{Path, PathBuf};

use super::{Backend, Sim};
use crate::support::terraform::{Terraform, REQUIRED_PROVIDERS};

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

/// Values for the examples' own (ephemeral, write-only) password variables. Ephemeral
/// variables must be set on every run, so they come from the environment rather than
/// the tfvars file.
const EXAMPLE_PASSWORDS: &[(&str, &str)] = &[
    ("TF_VAR_user_password", "Ex4mple-User-Pass"),
    ("TF_VAR_database_password", "Ex4mple-Db-Pass"),
    ("TF_VAR_system_password", "Ex4mple-Sys-Pass"),
    ("TF_VAR_mailbox_password", "Ex4mple-Mbox-Pass"),
    ("TF_VAR_ftp_password", "Ex4mple-Ftp-Pass"),
    ("TF_VAR_report_password", "Ex4mple-Report-Pass"),
];

/// A working directory with one example as a reader uses it: the example file beside
/// the `terraform { required_providers }` block and an empty `provider "panel" {}`.
/// With `sim`, the provider is configured through the `PANEL_*` variables that reach it
/// and the example's own `panel_type` variable names its type.
fn example_workdir(example: &Path, sim: Option<&Sim>) -> Terraform {
    let mut tf = match sim {
        Some(sim) => sim.terraform(),
        None => {
            let tf = Terraform::new();
            tf.write(
                "providers.tf",
                &format!("{REQUIRED_PROVIDERS}\nprovider \"panel\" {{}}\n"),
            );
            tf
        }
    };
    for (name, value) in EXAMPLE_PASSWORDS {
        tf.set_env(name, value);
    }
    tf.write("example.tf", &read(example));
    if let Some(sim) = sim {
        let variables = serde_json::json!({ "panel_type": sim.backend.provider_type() });
        tf.write("terraform.tfvars.json", &variables.to_string());
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
        // HestiaCP has no database users apart from databases (refused at plan time):
        // that example applies on the Plesk REST simulator instead.
        let plesk;
        let sim = if shown.contains("panel_database_user") {
            plesk = Sim::start(Backend::PleskRest);
            &plesk
        } else {
            &sim
        };
        let tf = example_workdir(&example, Some(sim));
        let outcome = tf.run(&["validate", "-no-color"]);
        assert_eq!(
            outcome.code,
            0,
            "{shown} does not validate:\n{}",
            outcome.describe()
        );
        if shown.contains("panel_dns_record") {
            // The example's stated prerequisite: the owner's zone exists on the panel.
            tf.run(&[
                "apply",
                "-auto-approve",
                "-input=false",
                "-no-color",
                "-target=panel_user.owner",
            ])
            .success();
            super::dns_records::panel_call(
                sim,
                "v-add-dns-domain",
                &["shopowner", "shop.example.com", "192.0.2.10"],
            );
        }
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
