//! Playing Terraform's side of the plugin protocol in tests and the benchmark:
//! a test `ProviderService`, in-process servers, spawning the real binary with a
//! Terraform-like environment, and gRPC clients over unix sockets with or without
//! Terraform's AutoMTLS client certificate.
#![allow(dead_code)] // each user of this file needs a different part of it

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use terraform_provider_panel::framework::diag::Diagnostics;
use terraform_provider_panel::framework::rpc::*;
use terraform_provider_panel::framework::schema::{Attribute, Block, Schema};
use terraform_provider_panel::plugin::proto::go_plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_panel::plugin::proto::tfplugin5::provider_client::ProviderClient;
use terraform_provider_panel::plugin::{
    self, Announce, Mode, Network, PluginEnv, ServeError, ServeOptions, MAGIC_COOKIE_VALUE,
};
use terraform_provider_panel::tfvalue::Type;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::UnixStream;
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;
use tokio_rustls::TlsConnector;
use tonic::transport::{Channel, Endpoint};

pub const PROVIDER_BINARY: &str = env!("CARGO_BIN_EXE_terraform-provider-panel");

/// A provider with one resource type that counts what reaches it.
///
/// Two resource types behave specially: applying `slow_thing` waits until `Stop`
/// cancels it (in-flight work), and importing the id `panic` panics (a provider
/// bug the wire layer must contain).
#[derive(Default)]
pub struct TestProvider {
    pub configure_calls: AtomicUsize,
    pub plan_calls: AtomicUsize,
    pub stop_calls: AtomicUsize,
    pub stopped: tokio_util::sync::CancellationToken,
}

impl TestProvider {
    pub fn schema() -> GetProviderSchemaResponse {
        let attribute = |name: &str, ty: Type, required: bool| {
            let attribute = Attribute::new(name, ty).description(format!("The {name}."));
            let attribute = if required {
                attribute.required()
            } else {
                attribute.optional()
            };
            if name == "password" {
                attribute.sensitive()
            } else {
                attribute
            }
        };
        let mut resources = BTreeMap::new();
        resources.insert(
            "panel_user".to_string(),
            Schema {
                version: 2,
                block: Block {
                    attributes: vec![
                        attribute("login", Type::String, true),
                        attribute("tags", Type::Map(Box::new(Type::String)), false),
                    ],
                    ..Block::default()
                },
            },
        );
        GetProviderSchemaResponse {
            provider: Schema {
                version: 0,
                block: Block {
                    attributes: vec![attribute("password", Type::String, false)],
                    ..Block::default()
                },
            },
            resource_schemas: resources,
            server_capabilities: ServerCapabilities {
                plan_destroy: true,
                get_provider_schema_optional: true,
                move_resource_state: false,
            },
            ..Default::default()
        }
    }
}

fn warning(summary: &str) -> Diagnostics {
    let mut diags = Diagnostics::new();
    diags.warning(summary, "");
    diags
}

#[async_trait::async_trait]
impl ProviderService for TestProvider {
    async fn get_metadata(&self) -> GetMetadataResponse {
        GetMetadataResponse {
            resources: vec!["panel_user".into()],
            ..Default::default()
        }
    }
    async fn get_provider_schema(&self) -> GetProviderSchemaResponse {
        Self::schema()
    }
    async fn prepare_provider_config(
        &self,
        req: PrepareProviderConfigRequest,
    ) -> PrepareProviderConfigResponse {
        PrepareProviderConfigResponse {
            prepared_config: Some(req.config),
            diagnostics: Diagnostics::new(),
        }
    }
    async fn validate_resource_config(&self, _: ValidateResourceConfigRequest) -> Diagnostics {
        Diagnostics::new()
    }
    async fn validate_data_source_config(&self, _: ValidateDataSourceConfigRequest) -> Diagnostics {
        warning("no data sources")
    }
    async fn upgrade_resource_state(
        &self,
        req: UpgradeResourceStateRequest,
    ) -> UpgradeResourceStateResponse {
        UpgradeResourceStateResponse {
            upgraded_state: Some(RawValue {
                msgpack: vec![],
                json: req.raw_state.json,
            }),
            diagnostics: Diagnostics::new(),
        }
    }
    async fn configure(&self, _: ConfigureRequest) -> Diagnostics {
        self.configure_calls.fetch_add(1, Ordering::SeqCst);
        Diagnostics::new()
    }
    async fn read_resource(&self, req: ReadResourceRequest) -> ReadResourceResponse {
        ReadResourceResponse {
            new_state: Some(req.current_state),
            private: req.private,
            ..Default::default()
        }
    }
    async fn plan_resource_change(
        &self,
        req: PlanResourceChangeRequest,
    ) -> PlanResourceChangeResponse {
        self.plan_calls.fetch_add(1, Ordering::SeqCst);
        PlanResourceChangeResponse {
            planned_state: Some(req.proposed_new_state),
            planned_private: req.prior_private,
            ..Default::default()
        }
    }
    async fn apply_resource_change(
        &self,
        req: ApplyResourceChangeRequest,
    ) -> ApplyResourceChangeResponse {
        if req.type_name == "slow_thing" {
            self.stopped.cancelled().await;
            let mut diagnostics = Diagnostics::new();
            diagnostics.error("Interrupted", "Terraform asked the provider to stop.");
            return ApplyResourceChangeResponse {
                diagnostics,
                ..Default::default()
            };
        }
        ApplyResourceChangeResponse {
            new_state: Some(req.planned_state),
            private: req.planned_private,
            diagnostics: Diagnostics::new(),
        }
    }
    async fn import_resource_state(
        &self,
        req: ImportResourceStateRequest,
    ) -> ImportResourceStateResponse {
        assert_ne!(req.id, "panic", "provider bug on purpose");
        ImportResourceStateResponse::default()
    }
    async fn move_resource_state(&self, _: MoveResourceStateRequest) -> MoveResourceStateResponse {
        MoveResourceStateResponse {
            diagnostics: warning("no moves"),
            ..Default::default()
        }
    }
    async fn read_data_source(&self, _: ReadDataSourceRequest) -> ReadDataSourceResponse {
        ReadDataSourceResponse::default()
    }
    async fn validate_ephemeral_resource_config(
        &self,
        _: ValidateEphemeralResourceConfigRequest,
    ) -> Diagnostics {
        Diagnostics::new()
    }
    async fn open_ephemeral_resource(
        &self,
        _: OpenEphemeralResourceRequest,
    ) -> OpenEphemeralResourceResponse {
        OpenEphemeralResourceResponse::default()
    }
    async fn renew_ephemeral_resource(
        &self,
        _: RenewEphemeralResourceRequest,
    ) -> RenewEphemeralResourceResponse {
        RenewEphemeralResourceResponse::default()
    }
    async fn close_ephemeral_resource(&self, _: CloseEphemeralResourceRequest) -> Diagnostics {
        Diagnostics::new()
    }
    async fn get_functions(&self) -> Diagnostics {
        Diagnostics::new()
    }
    async fn call_function(&self, _: CallFunctionRequest) -> CallFunctionResponse {
        CallFunctionResponse {
            result: None,
            error: Some(("no functions".into(), Some(0))),
        }
    }
    async fn stop(&self) -> Option<String> {
        self.stop_calls.fetch_add(1, Ordering::SeqCst);
        self.stopped.cancel();
        None
    }
}

/// A server running inside the test process (managed mode, plaintext unix socket).
pub struct InProcess {
    pub provider: ProviderClient<Channel>,
    pub controller: GrpcControllerClient<Channel>,
    pub server: JoinHandle<Result<(), ServeError>>,
    pub handshake: Handshake,
}

pub async fn serve_in_process(service: Arc<dyn ProviderService>) -> InProcess {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let options = ServeOptions {
        mode: Mode::Managed,
        network: Network::Unix,
        env: PluginEnv::like_terraform(None),
        announce: Announce::Channel(sender),
        ignore_interrupt: false,
        stop_on_terminate: false,
    };
    let server = tokio::spawn(plugin::serve(service, options));
    let line = tokio::time::timeout(Duration::from_secs(10), receiver)
        .await
        .expect("handshake in time")
        .expect("handshake line sent");
    let handshake = Handshake::parse(&line);
    assert_eq!(handshake.certificate, None, "no client cert, so no TLS");
    let channel = connect(&handshake.address, None).await.expect("connects");
    InProcess {
        provider: ProviderClient::new(channel.clone()),
        controller: GrpcControllerClient::new(channel),
        server,
        handshake,
    }
}

/// The parsed `1|5|unix|PATH|grpc|CERT` line.
#[derive(Clone, Debug)]
pub struct Handshake {
    pub line: String,
    pub address: PathBuf,
    pub certificate: Option<CertificateDer<'static>>,
}

impl Handshake {
    pub fn parse(line: &str) -> Self {
        let fields: Vec<&str> = line.trim_end().split('|').collect();
        assert_eq!(fields.len(), 6, "handshake line {line:?}");
        assert_eq!(fields[..3], ["1", "5", "unix"], "handshake line {line:?}");
        assert_eq!(fields[4], "grpc", "handshake line {line:?}");
        let certificate = (!fields[5].is_empty()).then(|| {
            let der = base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(fields[5])
                .expect("certificate is unpadded standard base64");
            CertificateDer::from(der)
        });
        Self {
            line: line.to_string(),
            address: PathBuf::from(fields[3]),
            certificate,
        }
    }
}

/// A certificate and key shaped like Terraform's AutoMTLS client certificate
/// (go-plugin `generateCert`): self-signed ECDSA P-521/SHA-512, CA:TRUE.
pub struct ClientIdentity {
    pub pem: String,
    pub der: CertificateDer<'static>,
    pub key_der: Vec<u8>,
}

pub fn terraform_like_client_identity() -> ClientIdentity {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("P-521 key");
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).expect("params");
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "HashiCorp");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyAgreement,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ClientAuth,
        ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).expect("self-signed");
    ClientIdentity {
        pem: cert.pem(),
        der: cert.der().clone(),
        key_der: key.serialize_der(),
    }
}

/// Trusts exactly the server certificate from the handshake line, as Terraform does
/// (it uses that certificate as its only root).
#[derive(Debug)]
struct PinnedServer {
    certificate: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        assert_eq!(server_name.to_str(), "localhost");
        if end_entity.as_ref() == self.certificate.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Terraform's TLS client: trusts the handshake certificate, ALPN h2, and presents
/// `identity` (or no certificate at all).
pub fn client_tls(
    server_certificate: CertificateDer<'static>,
    identity: Option<&ClientIdentity>,
) -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = PinnedServer {
        certificate: server_certificate,
        algorithms: provider.signature_verification_algorithms,
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let mut config = match identity {
        Some(identity) => builder
            .with_client_auth_cert(
                vec![identity.der.clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key_der.clone())),
            )
            .expect("client certificate"),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    Arc::new(config)
}

/// A gRPC channel over the unix socket at `path`, through TLS if `tls` is given.
pub async fn connect(
    path: &Path,
    tls: Option<Arc<ClientConfig>>,
) -> Result<Channel, tonic::transport::Error> {
    let path = path.to_path_buf();
    // The URI is required by the API but unused: the connector decides where to go.
    Endpoint::from_static("http://localhost")
        .connect_timeout(Duration::from_secs(5))
        .connect_with_connector(tower::service_fn(move |_| {
            let path = path.clone();
            let tls = tls.clone();
            async move {
                let stream = UnixStream::connect(&path).await?;
                let stream = match tls {
                    None => tokio_util::either::Either::Left(stream),
                    Some(config) => {
                        let name = ServerName::try_from("localhost").map_err(io::Error::other)?;
                        let tls = TlsConnector::from(config).connect(name, stream).await?;
                        tokio_util::either::Either::Right(tls)
                    }
                };
                Ok::<_, io::Error>(TokioIo::new(stream))
            }
        }))
        .await
}

/// A provider process. Dropping it sends SIGTERM and waits for the exit (SIGKILL only
/// if it hangs): the provider removes its socket directory on SIGTERM, SIGKILL would
/// leave it in `$TMPDIR`.
pub struct ProviderChild(Child);

impl ProviderChild {
    /// SIGTERM, then the exit status (SIGKILL after 5 s without an exit).
    pub async fn terminate(&mut self) -> io::Result<std::process::ExitStatus> {
        if let Some(pid) = self.0.id() {
            send_sigterm(pid);
        }
        match tokio::time::timeout(Duration::from_secs(5), self.0.wait()).await {
            Ok(status) => status,
            Err(_) => {
                self.0.start_kill()?;
                self.0.wait().await
            }
        }
    }
}

impl std::ops::Deref for ProviderChild {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for ProviderChild {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for ProviderChild {
    fn drop(&mut self) {
        let Some(pid) = self.0.id() else { return };
        if matches!(self.0.try_wait(), Ok(Some(_))) {
            return;
        }
        send_sigterm(pid);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if !matches!(self.0.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // kill_on_drop (set by provider_command) takes it from here.
    }
}

fn send_sigterm(pid: u32) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

/// The provider binary started like Terraform starts it.
pub struct Spawned {
    pub child: ProviderChild,
    pub handshake: Handshake,
    /// From spawn to the complete handshake line.
    pub startup: Duration,
    /// Whatever the provider printed on stdout after the handshake line (must be
    /// nothing), available once stdout closes.
    pub extra_stdout: JoinHandle<Vec<String>>,
}

/// Terraform's environment for a plugin: the cookie, `6,5`, the port range, and
/// (if given) the AutoMTLS client certificate. Logging is off unless asked for.
pub fn provider_command(client_cert_pem: Option<&str>) -> Command {
    let mut command = Command::new(PROVIDER_BINARY);
    command
        .env("TF_PLUGIN_MAGIC_COOKIE", MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6,5")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env_remove("PLUGIN_CLIENT_CERT")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER")
        .env_remove("TF_LOG_PROVIDER_PANEL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(pem) = client_cert_pem {
        command.env("PLUGIN_CLIENT_CERT", pem);
    }
    command
}

pub async fn spawn_provider(mut command: Command) -> Spawned {
    let started = Instant::now();
    let mut child = command.spawn().expect("provider binary starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("handshake line within 20 s")
        .expect("stdout readable")
        .expect("a handshake line before stdout closed");
    let startup = started.elapsed();
    // Anything more on stdout would be a protocol violation; keep draining it so
    // the test can notice, and so the provider never blocks on a full pipe.
    let extra_stdout = tokio::spawn(async move {
        let mut extra = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            extra.push(line);
        }
        extra
    });
    Spawned {
        child: ProviderChild(child),
        handshake: Handshake::parse(&line),
        startup,
        extra_stdout,
    }
}

/// Resident memory of a process in KiB, from /proc.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
