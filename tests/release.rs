//! A release as `scripts/release.sh` packages it installs and works: the zip holds
//! `terraform-provider-panel_v<version>`, the SHA256SUMS file matches, and Terraform
//! installs the zip from a `filesystem_mirror` (packed layout) with no network at all
//! (no `direct` installation method, and a proxy that does not exist).

use std::path::Path;
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::docs::describe;
use crate::support::terraform::terraform_binary;

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const VERSION: &str = env!("CARGO_PKG_VERSION");
const PROVIDER_BINARY: &str = env!("CARGO_BIN_EXE_terraform-provider-panel");
const NAME: &str = "terraform-provider-panel";

/// The platform Terraform runs on here, in its own spelling.
fn platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{os}_{arch}")
}

/// Names and count of the entries in a zip archive, read from its central directory
/// (no zip crate needed for an archive this script writes without a comment).
fn zip_entries(bytes: &[u8]) -> Vec<String> {
    const END_RECORD: usize = 22;
    assert!(bytes.len() >= END_RECORD, "the zip is too short");
    let end = &bytes[bytes.len() - END_RECORD..];
    assert_eq!(
        &end[..4],
        b"PK\x05\x06",
        "no end-of-central-directory record"
    );
    let count = u16::from_le_bytes([end[10], end[11]]) as usize;
    let mut offset = u32::from_le_bytes([end[16], end[17], end[18], end[19]]) as usize;
    let mut names = Vec::new();
    for _ in 0..count {
        let header = &bytes[offset..];
        assert_eq!(&header[..4], b"PK\x01\x02", "bad central directory entry");
        let name_len = u16::from_le_bytes([header[28], header[29]]) as usize;
        let extra_len = u16::from_le_bytes([header[30], header[31]]) as usize;
        let comment_len = u16::from_le_bytes([header[32], header[33]]) as usize;
        names.push(String::from_utf8_lossy(&header[46..46 + name_len]).into_owned());
        offset += 46 + name_len + extra_len + comment_len;
    }
    names
}

fn sha256_hex(path: &Path) -> String {
    let bytes =
        std::fs::read(path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    hex::encode(Sha256::digest(&bytes))
}

fn terraform(dir: &Path, cli_config: &Path, args: &[&str]) -> std::process::Output {
    Command::new(terraform_binary())
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", cli_config)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env_remove("TF_PLUGIN_CACHE_DIR")
        // Any attempt to reach a registry fails instead of quietly succeeding.
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("NO_PROXY", "")
        .output()
        .unwrap_or_else(|err| panic!("cannot start terraform: {err}"))
}

#[test]
fn packaged_release_installs_from_a_filesystem_mirror_without_network() {
    let scratch = tempfile::tempdir().expect("temporary directory");
    let dist = scratch.path().join("dist");
    let output = Command::new("bash")
        .arg(Path::new(REPO).join("scripts/release.sh"))
        .env("PANEL_PROVIDER_BINARY", PROVIDER_BINARY)
        .env("PANEL_DIST_DIR", &dist)
        .output()
        .expect("start scripts/release.sh");
    assert!(
        output.status.success(),
        "{}",
        describe("scripts/release.sh", &output)
    );

    let zip_name = format!("{NAME}_{VERSION}_{}.zip", platform());
    let manifest_name = format!("{NAME}_{VERSION}_manifest.json");
    let zip = dist.join(&zip_name);
    let zip_bytes = std::fs::read(&zip).unwrap_or_else(|err| panic!("{zip_name}: {err}"));
    assert_eq!(
        zip_entries(&zip_bytes),
        vec![format!("{NAME}_v{VERSION}")],
        "{zip_name} must hold exactly the versioned binary"
    );

    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dist.join(&manifest_name)).expect("read the manifest"),
    )
    .expect("the manifest is JSON");
    assert_eq!(
        manifest,
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["5.0"]}})
    );

    let sums = std::fs::read_to_string(dist.join(format!("{NAME}_{VERSION}_SHA256SUMS")))
        .expect("read SHA256SUMS");
    let expected = format!(
        "{}  {zip_name}\n{}  {manifest_name}\n",
        sha256_hex(&zip),
        sha256_hex(&dist.join(&manifest_name))
    );
    assert_eq!(sums, expected, "SHA256SUMS does not match the files");

    // The packed mirror layout: HOSTNAME/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_OS_ARCH.zip
    let mirror = scratch.path().join("mirror");
    let packed = mirror.join("registry.terraform.io/panelops/panel");
    std::fs::create_dir_all(&packed).expect("create the mirror");
    std::fs::copy(&zip, packed.join(&zip_name)).expect("copy the zip into the mirror");
    let cli_config = scratch.path().join("terraformrc");
    std::fs::write(
        &cli_config,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path = {:?}\n  }}\n}}\n",
            mirror.display().to_string()
        ),
    )
    .expect("write the CLI configuration");
    let work = scratch.path().join("work");
    std::fs::create_dir_all(&work).expect("create the working directory");
    std::fs::write(
        work.join("main.tf"),
        format!(
            r#"terraform {{
  required_providers {{
    panel = {{
      source  = "panelops/panel"
      version = "= {VERSION}"
    }}
  }}
}}

provider "panel" {{
  type     = "hestia"
  endpoint = "https://panel.example.com:8083"
}}

resource "panel_user" "alice" {{
  login = "alice"
  email = "alice@example.com"
  name  = "Alice Example"
}}
"#
        ),
    )
    .expect("write main.tf");

    let init = terraform(&work, &cli_config, &["init", "-input=false", "-no-color"]);
    assert!(
        init.status.success(),
        "{}",
        describe("terraform init", &init)
    );
    let init_log = String::from_utf8_lossy(&init.stdout);
    assert!(
        init_log.contains(&format!("Installed panelops/panel v{VERSION}")),
        "terraform init did not install the packaged provider:\n{init_log}"
    );
    let lock = std::fs::read_to_string(work.join(".terraform.lock.hcl")).expect("lock file");
    assert!(
        lock.contains(&format!("version     = \"{VERSION}\"")) && lock.contains("\"h1:"),
        "the lock file does not record the installed release:\n{lock}"
    );

    let providers = terraform(&work, &cli_config, &["providers", "-no-color"]);
    assert!(
        providers.status.success(),
        "{}",
        describe("terraform providers", &providers)
    );
    assert!(
        String::from_utf8_lossy(&providers.stdout).contains(&format!(
            "provider[registry.terraform.io/panelops/panel] {VERSION}"
        )),
        "{}",
        describe("terraform providers", &providers)
    );

    let validate = terraform(&work, &cli_config, &["validate", "-no-color"]);
    assert!(
        validate.status.success(),
        "{}",
        describe("terraform validate", &validate)
    );
}

/// Packaging the same binary twice gives byte-identical zips and SHA256SUMS: entry time
/// from SOURCE_DATE_EPOCH (not the file's), fixed mode, no extra attributes. The second
/// run starts more than two seconds (zip's time resolution) after the first, so a time
/// taken from the clock would show.
#[test]
fn packaging_the_same_binary_twice_gives_identical_checksums() {
    let scratch = tempfile::tempdir().expect("temporary directory");
    let package = |dist: &Path| {
        let output = Command::new("bash")
            .arg(Path::new(REPO).join("scripts/release.sh"))
            .env("PANEL_PROVIDER_BINARY", PROVIDER_BINARY)
            .env("PANEL_DIST_DIR", dist)
            .env_remove("SOURCE_DATE_EPOCH")
            .env_remove("PANEL_PLATFORMS")
            .env_remove("PANEL_GPG_KEY")
            .output()
            .expect("start scripts/release.sh");
        assert!(
            output.status.success(),
            "{}",
            describe("scripts/release.sh", &output)
        );
        let read = |name: String| {
            std::fs::read(dist.join(&name)).unwrap_or_else(|err| panic!("{name}: {err}"))
        };
        (
            read(format!("{NAME}_{VERSION}_SHA256SUMS")),
            read(format!("{NAME}_{VERSION}_{}.zip", platform())),
        )
    };
    let (first_sums, first_zip) = package(&scratch.path().join("first"));
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let (second_sums, second_zip) = package(&scratch.path().join("second"));
    assert_eq!(
        String::from_utf8_lossy(&first_sums),
        String::from_utf8_lossy(&second_sums),
        "two packagings of one binary differ"
    );
    assert!(first_zip == second_zip, "the zips differ byte for byte");
}
