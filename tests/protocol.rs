//! The wire layer as Terraform sees it: tfplugin5 RPCs in-process, the real binary's
//! handshake and AutoMTLS, and the real Terraform 1.11 CLI launching the provider.

use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use terraform_provider_panel::plugin::proto::go_plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_panel::plugin::proto::go_plugin::Empty;
use terraform_provider_panel::plugin::proto::tfplugin5 as pb;
use terraform_provider_panel::plugin::proto::tfplugin5::provider_client::ProviderClient;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

use crate::support::grpc::*;
use crate::support::terraform::terraform_binary;

fn msgpack(bytes: &[u8]) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: bytes.to_vec(),
        json: vec![],
    })
}

fn error_summaries(diagnostics: &[pb::Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| d.summary.clone())
        .collect()
}

#[tokio::test]
async fn get_schema_carries_the_services_schema_and_capabilities() {
    let mut server = serve_in_process(Arc::new(TestProvider::default())).await;
    let schema = server
        .provider
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetSchema answers")
        .into_inner();

    let provider = schema.provider.expect("provider schema always present");
    let password = &provider.block.expect("block").attributes[0];
    assert_eq!(password.name, "password");
    assert!(password.sensitive && password.optional);
    assert_eq!(password.r#type, br#""string""#);

    let user = &schema.resource_schemas["panel_user"];
    assert_eq!(user.version, 2);
    let attributes = &user.block.as_ref().expect("block").attributes;
    assert_eq!(attributes[0].name, "login");
    assert!(attributes[0].required);
    assert_eq!(attributes[1].r#type, br#"["map","string"]"#);

    let capabilities = schema.server_capabilities.expect("capabilities");
    assert!(capabilities.plan_destroy);
    assert!(capabilities.get_provider_schema_optional);
    assert!(schema.diagnostics.is_empty());
}

#[tokio::test]
async fn malformed_values_are_answered_with_diagnostics_not_transport_errors() {
    let service = Arc::new(TestProvider::default());
    let mut server = serve_in_process(service.clone()).await;

    // An array header promising two elements, followed by one.
    let configure = server
        .provider
        .configure(pb::configure::Request {
            terraform_version: "1.11.4".into(),
            config: msgpack(&[0x92, 0x01]),
            client_capabilities: None,
        })
        .await
        .expect("a response, not a transport error")
        .into_inner();
    assert_eq!(
        error_summaries(&configure.diagnostics),
        ["Malformed Value From Terraform"]
    );
    assert!(configure.diagnostics[0].detail.contains("config"));
    assert_eq!(service.configure_calls.load(Ordering::SeqCst), 0);

    // Two bad values in one request: both reported, the provider never called.
    let plan = server
        .provider
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "panel_user".into(),
            prior_state: msgpack(&[0xc1]),
            proposed_new_state: msgpack(&[0xc0]),
            config: Some(pb::DynamicValue {
                msgpack: vec![],
                json: b"{\"login\":".to_vec(),
            }),
            ..Default::default()
        })
        .await
        .expect("a response, not a transport error")
        .into_inner();
    assert_eq!(error_summaries(&plan.diagnostics).len(), 2);
    assert!(plan.planned_state.is_none());
    assert_eq!(service.plan_calls.load(Ordering::SeqCst), 0);

    // The same connection still works, and a well-formed value goes through.
    let configure = server
        .provider
        .configure(pb::configure::Request {
            config: msgpack(&[0x81, 0xa1, b'a', 0xc0]),
            ..Default::default()
        })
        .await
        .expect("answers")
        .into_inner();
    assert!(configure.diagnostics.is_empty());
    assert_eq!(service.configure_calls.load(Ordering::SeqCst), 1);
}

/// Terraform turns transport errors into opaque messages; every RPC of 5.8 must
/// answer with a message, even for an empty request.
#[tokio::test]
async fn every_rpc_answers_an_empty_request() {
    let mut server = serve_in_process(Arc::new(TestProvider::default())).await;
    let p = &mut server.provider;
    p.get_metadata(pb::get_metadata::Request {})
        .await
        .expect("GetMetadata");
    p.get_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetSchema");
    p.prepare_provider_config(pb::prepare_provider_config::Request::default())
        .await
        .expect("PrepareProviderConfig");
    p.validate_resource_type_config(pb::validate_resource_type_config::Request::default())
        .await
        .expect("ValidateResourceTypeConfig");
    let data = p
        .validate_data_source_config(pb::validate_data_source_config::Request::default())
        .await
        .expect("ValidateDataSourceConfig")
        .into_inner();
    assert_eq!(data.diagnostics[0].summary, "no data sources");
    p.upgrade_resource_state(pb::upgrade_resource_state::Request::default())
        .await
        .expect("UpgradeResourceState");
    p.configure(pb::configure::Request::default())
        .await
        .expect("Configure");
    p.read_resource(pb::read_resource::Request::default())
        .await
        .expect("ReadResource");
    p.plan_resource_change(pb::plan_resource_change::Request::default())
        .await
        .expect("PlanResourceChange");
    p.apply_resource_change(pb::apply_resource_change::Request::default())
        .await
        .expect("ApplyResourceChange");
    p.import_resource_state(pb::import_resource_state::Request::default())
        .await
        .expect("ImportResourceState");
    p.move_resource_state(pb::move_resource_state::Request::default())
        .await
        .expect("MoveResourceState");
    p.read_data_source(pb::read_data_source::Request::default())
        .await
        .expect("ReadDataSource");
    p.validate_ephemeral_resource_config(
        pb::validate_ephemeral_resource_config::Request::default(),
    )
    .await
    .expect("ValidateEphemeralResourceConfig");
    p.open_ephemeral_resource(pb::open_ephemeral_resource::Request::default())
        .await
        .expect("OpenEphemeralResource");
    p.renew_ephemeral_resource(pb::renew_ephemeral_resource::Request::default())
        .await
        .expect("RenewEphemeralResource");
    p.close_ephemeral_resource(pb::close_ephemeral_resource::Request::default())
        .await
        .expect("CloseEphemeralResource");
    p.get_functions(pb::get_functions::Request {})
        .await
        .expect("GetFunctions");
    let call = p
        .call_function(pb::call_function::Request {
            name: "nope".into(),
            arguments: vec![pb::DynamicValue {
                msgpack: vec![0xc0],
                json: vec![],
            }],
        })
        .await
        .expect("CallFunction")
        .into_inner();
    let error = call.error.expect("function error");
    assert_eq!(
        (error.text.as_str(), error.function_argument),
        ("no functions", Some(0))
    );
    p.stop(pb::stop::Request {}).await.expect("Stop");
}

#[tokio::test]
async fn state_and_private_bytes_pass_through_unchanged() {
    let mut server = serve_in_process(Arc::new(TestProvider::default())).await;
    let state = [
        0x81, 0xa5, b'l', b'o', b'g', b'i', b'n', 0xa3, b'b', b'o', b'b',
    ];
    let read = server
        .provider
        .read_resource(pb::read_resource::Request {
            type_name: "panel_user".into(),
            current_state: msgpack(&state),
            private: b"opaque".to_vec(),
            ..Default::default()
        })
        .await
        .expect("ReadResource")
        .into_inner();
    assert_eq!(read.new_state.expect("state").msgpack, state);
    assert_eq!(read.private, b"opaque");
    assert!(read.deferred.is_none());

    let upgraded = server
        .provider
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "panel_user".into(),
            version: 1,
            raw_state: Some(pb::RawState {
                json: br#"{"login":"bob"}"#.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .expect("UpgradeResourceState")
        .into_inner();
    assert_eq!(
        upgraded.upgraded_state.expect("state").json,
        br#"{"login":"bob"}"#
    );
}

/// Terraform calls Stop while other RPCs are running (Ctrl-C during apply); it must
/// be served concurrently and reach the service, which cancels the running apply.
#[tokio::test]
async fn stop_reaches_the_service_while_an_apply_is_in_flight() {
    let service = Arc::new(TestProvider::default());
    let server = serve_in_process(service.clone()).await;
    let mut applying = server.provider.clone();
    let apply = tokio::spawn(async move {
        applying
            .apply_resource_change(pb::apply_resource_change::Request {
                type_name: "slow_thing".into(),
                ..Default::default()
            })
            .await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!apply.is_finished(), "the apply waits for Stop");

    let stop = server
        .provider
        .clone()
        .stop(pb::stop::Request {})
        .await
        .expect("Stop answers")
        .into_inner();
    assert_eq!(stop.error, "");
    assert_eq!(service.stop_calls.load(Ordering::SeqCst), 1);

    let applied = tokio::time::timeout(Duration::from_secs(2), apply)
        .await
        .expect("the apply ends once stopped")
        .expect("task")
        .expect("a response")
        .into_inner();
    assert_eq!(error_summaries(&applied.diagnostics), ["Interrupted"]);
}

#[tokio::test]
async fn a_panicking_provider_answers_with_a_diagnostic() {
    let mut server = serve_in_process(Arc::new(TestProvider::default())).await;
    let import = server
        .provider
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "panel_user".into(),
            id: "panic".into(),
            client_capabilities: None,
        })
        .await
        .expect("a response, not a transport error")
        .into_inner();
    assert_eq!(
        error_summaries(&import.diagnostics),
        ["Provider Internal Error"]
    );
    // The server is unharmed.
    server
        .provider
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .expect("still serving");
}

/// go-plugin's convention, used by its `Ping`: the health service knows "plugin".
#[tokio::test]
async fn health_service_reports_the_plugin_serving() {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::health_client::HealthClient;
    use tonic_health::pb::HealthCheckRequest;

    let server = serve_in_process(Arc::new(TestProvider::default())).await;
    let channel = connect(&server.handshake.address, None)
        .await
        .expect("connects");
    let health = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .expect("health answers")
        .into_inner();
    assert_eq!(health.status, ServingStatus::Serving as i32);
}

#[tokio::test]
async fn controller_shutdown_ends_the_server_promptly() {
    let mut server = serve_in_process(Arc::new(TestProvider::default())).await;
    let socket = server.handshake.address.clone();
    assert!(socket.exists());
    server
        .controller
        .shutdown(Empty {})
        .await
        .expect("Shutdown answers");
    let finished = tokio::time::timeout(Duration::from_millis(1500), server.server)
        .await
        .expect("serve() returns well before Terraform's 2 s kill");
    finished.expect("task").expect("clean shutdown");
    assert!(!socket.exists(), "the socket directory is cleaned up");
}

async fn mtls_channel(
    spawned: &Spawned,
    identity: Option<&ClientIdentity>,
) -> Result<ProviderClient<tonic::transport::Channel>, tonic::transport::Error> {
    let server_cert = spawned
        .handshake
        .certificate
        .clone()
        .expect("a certificate in the handshake line");
    let channel = connect(
        &spawned.handshake.address,
        Some(client_tls(server_cert, identity)),
    )
    .await?;
    Ok(ProviderClient::new(channel))
}

/// The provider binary accepts Terraform's exact P-521 CA:TRUE client certificate
/// and refuses a client with no certificate or with any other certificate.
#[tokio::test]
async fn binary_requires_terraforms_exact_client_certificate() {
    let terraform = terraform_like_client_identity();
    let mut spawned = spawn_provider(provider_command(Some(&terraform.pem))).await;

    let mut accepted = mtls_channel(&spawned, Some(&terraform))
        .await
        .expect("Terraform's certificate connects");
    let schema = accepted
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetSchema over mTLS")
        .into_inner();
    assert!(schema.provider.is_some());

    // TLS 1.3 clients finish before the server has judged their certificate, so
    // the refusal shows on the first RPC (or already at connect).
    let anonymous = match mtls_channel(&spawned, None).await {
        Ok(mut client) => client
            .get_schema(pb::get_provider_schema::Request {})
            .await
            .map(|_| ()),
        Err(_) => Err(tonic::Status::unavailable("refused at connect")),
    };
    assert!(
        anonymous.is_err(),
        "a client without a certificate is refused"
    );

    let stranger = terraform_like_client_identity();
    let impostor = match mtls_channel(&spawned, Some(&stranger)).await {
        Ok(mut client) => client
            .get_schema(pb::get_provider_schema::Request {})
            .await
            .map(|_| ()),
        Err(_) => Err(tonic::Status::unavailable("refused at connect")),
    };
    assert!(
        impostor.is_err(),
        "a different valid certificate is refused"
    );

    // The refusals did not disturb the real client's connection.
    accepted
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .expect("still served");

    let channel = connect(
        &spawned.handshake.address,
        Some(client_tls(
            spawned.handshake.certificate.clone().expect("cert"),
            Some(&terraform),
        )),
    )
    .await
    .expect("connects");
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .expect("Shutdown");
    let status = tokio::time::timeout(Duration::from_secs(2), spawned.child.wait())
        .await
        .expect("exits within Terraform's 2 s")
        .expect("wait");
    assert!(status.success(), "{status:?}");
    let extra = spawned.extra_stdout.await.expect("stdout reader");
    assert!(
        extra.is_empty(),
        "nothing after the handshake on stdout: {extra:?}"
    );
}

/// SIGTERM (a service manager, `kill`, a CI runner cleaning up) stops the provider the
/// way Shutdown does: it exits 0 and removes its socket directory, leaving nothing in
/// `PLUGIN_UNIX_SOCKET_DIR` (or `$TMPDIR`).
#[tokio::test]
async fn binary_removes_its_socket_directory_on_sigterm() {
    let terraform = terraform_like_client_identity();
    let socket_parent = tempfile::tempdir().expect("temp dir");
    let mut command = provider_command(Some(&terraform.pem));
    command.env("PLUGIN_UNIX_SOCKET_DIR", socket_parent.path());
    let mut spawned = spawn_provider(command).await;
    let socket_dir = spawned
        .handshake
        .address
        .parent()
        .expect("socket directory")
        .to_path_buf();
    assert_eq!(socket_dir.parent(), Some(socket_parent.path()));
    assert!(
        socket_dir.is_dir(),
        "{} exists while serving",
        socket_dir.display()
    );
    let mut client = mtls_channel(&spawned, Some(&terraform))
        .await
        .expect("connects");
    client
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetSchema");

    let pid = spawned.child.id().expect("pid");
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    let status = tokio::time::timeout(Duration::from_secs(3), spawned.child.wait())
        .await
        .expect("SIGTERM ends the provider within 3 s")
        .expect("wait");
    assert!(status.success(), "{status:?}");
    assert!(
        !socket_dir.exists(),
        "{} is left behind after SIGTERM",
        socket_dir.display()
    );
    let left: Vec<_> = std::fs::read_dir(socket_parent.path())
        .expect("list the socket parent")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[tokio::test]
async fn binary_ignores_sigint_and_keeps_serving() {
    let terraform = terraform_like_client_identity();
    let mut spawned = spawn_provider(provider_command(Some(&terraform.pem))).await;
    let pid = spawned.child.id().expect("pid");
    let kill = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(spawned.child.try_wait().expect("try_wait").is_none());
    let mut client = mtls_channel(&spawned, Some(&terraform))
        .await
        .expect("connects");
    client
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .expect("still serving after SIGINT");
}

#[tokio::test]
async fn binary_without_the_magic_cookie_explains_itself() {
    let output = tokio::process::Command::new(PROVIDER_BINARY)
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .stdin(Stdio::null())
        .output()
        .await
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no handshake line");
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("Terraform provider plugin"), "{message}");
    assert!(
        message.contains("not meant to be run directly"),
        "{message}"
    );

    let mut wrong_protocol = provider_command(None);
    wrong_protocol.env("PLUGIN_PROTOCOL_VERSIONS", "6");
    let output = wrong_protocol.output().await.expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("only speaks version 5"));
}

#[tokio::test]
async fn binary_logs_hclog_json_on_stderr_when_tf_log_is_set() {
    let terraform = terraform_like_client_identity();
    let mut command = provider_command(Some(&terraform.pem));
    command.env("TF_LOG", "trace");
    let mut spawned = spawn_provider(command).await;
    let mut client = mtls_channel(&spawned, Some(&terraform))
        .await
        .expect("connects");
    client
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetSchema");
    let mut stderr_pipe = spawned.child.stderr.take().expect("stderr piped");
    let reader = tokio::spawn(async move {
        let mut stderr = String::new();
        stderr_pipe
            .read_to_string(&mut stderr)
            .await
            .expect("stderr");
        stderr
    });
    spawned.child.terminate().await.expect("the provider stops");
    let stderr = reader.await.expect("stderr reader");
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("JSON line: {line}")))
        .collect();
    let served = lines
        .iter()
        .find(|l| l["@message"] == "Served request" && l["tf_rpc"] == "GetProviderSchema")
        .unwrap_or_else(|| panic!("a log line for the RPC in {stderr}"));
    assert_eq!(served["@level"], "trace");
    assert!(served["@module"]
        .as_str()
        .is_some_and(|m| m.starts_with("provider")));
}

/// A working directory whose CLI config points `panelops/panel` at the built
/// binary through `dev_overrides`, so no `terraform init` is needed.
fn terraform_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let binary_dir = Path::new(PROVIDER_BINARY).parent().expect("binary dir");
    std::fs::write(
        dir.path().join("cli.tfrc"),
        format!(
            "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/panelops/panel\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            binary_dir.display()
        ),
    )
    .expect("cli config");
    std::fs::write(
        dir.path().join("main.tf"),
        "terraform {\n  required_providers {\n    panel = { source = \"panelops/panel\" }\n  }\n}\n",
    )
    .expect("main.tf");
    dir
}

fn terraform_command(workspace: &Path) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(terraform_binary());
    command
        .current_dir(workspace)
        .env("TF_CLI_CONFIG_FILE", workspace.join("cli.tfrc"))
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env_remove("TF_LOG")
        .env_remove("TF_REATTACH_PROVIDERS")
        .stdin(Stdio::null());
    command
}

fn assert_panel_schema(stdout: &[u8]) {
    let schemas: serde_json::Value = serde_json::from_slice(stdout).expect("terraform prints JSON");
    let panel = &schemas["provider_schemas"]["registry.terraform.io/panelops/panel"];
    assert!(
        panel["provider"]["block"].is_object(),
        "the provider's schema is listed: {schemas}"
    );
}

/// Real Terraform launches the binary, completes the handshake and AutoMTLS, and
/// reads the schema.
#[tokio::test]
async fn real_terraform_reads_the_schema_through_automtls() {
    let workspace = terraform_workspace();
    let output = terraform_command(workspace.path())
        .args(["providers", "schema", "-json"])
        .env("TF_LOG", "debug")
        .output()
        .await
        .expect("terraform runs");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "terraform failed:\n{log}");
    assert_panel_schema(&output.stdout);
    assert!(log.contains("configuring client automatic mTLS"), "{log}");
    assert!(log.contains("using plugin: version=5"), "{log}");
    assert!(
        !log.contains("plugin failed to exit gracefully"),
        "Shutdown ends the process in time:\n{log}"
    );
}

/// `--debug` prints a TF_REATTACH_PROVIDERS value that real Terraform can use, and
/// the server survives the command (it ends on Ctrl-C).
#[tokio::test]
async fn real_terraform_reattaches_to_a_debug_server() {
    let mut debug = tokio::process::Command::new(PROVIDER_BINARY)
        .arg("--debug")
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("debug server starts");
    let mut lines = BufReader::new(debug.stdout.take().expect("stdout")).lines();
    let reattach = loop {
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("output in time")
            .expect("readable")
            .expect("a TF_REATTACH_PROVIDERS line");
        if let Some(value) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS=") {
            break value.trim_matches('\'').to_string();
        }
    };

    let workspace = terraform_workspace();
    std::fs::write(workspace.path().join("cli.tfrc"), "").expect("plain cli config");
    for _ in 0..2 {
        let output = terraform_command(workspace.path())
            .args(["providers", "schema", "-json"])
            .env("TF_REATTACH_PROVIDERS", &reattach)
            .output()
            .await
            .expect("terraform runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_panel_schema(&output.stdout);
    }

    let pid = debug.id().expect("pid");
    std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill runs");
    let status = tokio::time::timeout(Duration::from_secs(3), debug.wait())
        .await
        .expect("Ctrl-C ends the debug server")
        .expect("wait");
    assert!(status.success(), "{status:?}");
}
