//! A run leaves nothing in `$TMPDIR`: Terraform starts the provider (which makes a
//! private socket directory there) against a `--tls` simulator (which writes its
//! certificate there); once Terraform is done and the simulator is stopped, the
//! directory they were given is empty again. The provider's SIGTERM path is checked in
//! `protocol::binary_removes_its_socket_directory_on_sigterm`.

use std::path::Path;

use crate::support::sim;
use crate::support::terraform::{hcl_string, Terraform, REQUIRED_PROVIDERS};

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("cannot list {}: {err}", dir.display()))
        .map(|entry| {
            entry
                .unwrap_or_else(|err| panic!("cannot list {}: {err}", dir.display()))
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn terraform_with_the_provider_and_a_tls_simulator_leaves_tmpdir_empty() {
    let private = tempfile::tempdir().expect("temporary directory");
    let tmpdir = private.path();
    {
        let sim = sim::spawn_with_tmpdir("hestia", &["--tls"], tmpdir);
        let ca_path = sim.ca_cert_pem_path.clone().expect("ca_cert_pem_path");
        assert!(
            Path::new(&ca_path).starts_with(tmpdir),
            "the simulator's certificate {ca_path} is not in its TMPDIR"
        );
        let tf = Terraform::new().env("TMPDIR", &tmpdir.to_string_lossy());
        tf.write(
            "main.tf",
            &format!(
                "{REQUIRED_PROVIDERS}
provider \"panel\" {{
  type        = \"hestia\"
  endpoint    = {endpoint}
  access_key  = {access_key}
  secret_key  = {secret_key}
  ca_cert_pem = file({ca_path})
}}

data \"panel_users\" \"all\" {{}}

output \"logins\" {{
  value = data.panel_users.all.users[*].login
}}
",
                endpoint = hcl_string(&sim.base_url),
                access_key = hcl_string(&sim.cred("access_key")),
                secret_key = hcl_string(&sim.cred("secret_key")),
                ca_path = hcl_string(&ca_path),
            ),
        );
        // Two provider processes: one for the plan, one for the apply.
        tf.apply();
        let ca_file = Path::new(&ca_path)
            .file_name()
            .expect("certificate file name")
            .to_string_lossy()
            .into_owned();
        assert_eq!(
            entries(tmpdir),
            vec![ca_file],
            "after terraform apply only the running simulator's certificate may remain"
        );
    }
    assert_eq!(
        entries(tmpdir),
        Vec::<String>::new(),
        "left behind in TMPDIR after the simulator stopped"
    );
}
