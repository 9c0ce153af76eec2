//! The go-plugin handshake and server lifecycle.
//!
//! Managed mode (Terraform starts the process): check the magic cookie, agree on
//! protocol 5, listen on a unix socket in a private temp dir (or TCP in Terraform's
//! port range), print the single handshake line `1|5|unix|PATH|grpc|CERT` on
//! stdout, then serve until Terraform calls `GRPCController.Shutdown`.
//!
//! Debug mode (`--debug`, a person starts the process): plaintext, no cookie, print
//! the `TF_REATTACH_PROVIDERS` value to export, serve until Ctrl-C.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::{mpsc, oneshot};
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::transport::server::Connected;

use super::grpc::{self, Lifecycle};
use super::tls::{self, TlsError};
use crate::framework::rpc::ProviderService;

/// The environment variable Terraform sets to prove it launched the plugin.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Terraform's magic cookie value (`internal/plugin/serve.go`).
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The provider source address printed for `TF_REATTACH_PROVIDERS`.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/panelops/panel";
/// The plugin protocol this provider speaks (tfplugin5).
pub const PROTOCOL_VERSION: u32 = 5;
/// go-plugin's core protocol version; its client refuses anything else.
const CORE_PROTOCOL_VERSION: u32 = 1;

/// How long a graceful shutdown may take before the process just exits. Terraform
/// kills the provider 2 s after `Shutdown`; finishing well before that keeps its
/// log free of "plugin failed to exit gracefully".
const SHUTDOWN_GRACE: Duration = Duration::from_millis(1000);
/// A client that has not finished its TLS handshake by then is dropped.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The parts of the process environment the handshake reads. A value of its own so
/// tests can serve in-process without touching the real environment.
#[derive(Clone, Debug, Default)]
pub struct PluginEnv {
    /// `TF_PLUGIN_MAGIC_COOKIE`.
    pub magic_cookie: Option<String>,
    /// `PLUGIN_PROTOCOL_VERSIONS`, e.g. `5,6` (any order).
    pub protocol_versions: Option<String>,
    /// `PLUGIN_CLIENT_CERT`: Terraform's client certificate (PEM) for AutoMTLS.
    pub client_cert: Option<String>,
    /// `PLUGIN_MIN_PORT` / `PLUGIN_MAX_PORT`: the range for a TCP listener.
    pub min_port: Option<String>,
    pub max_port: Option<String>,
    /// `PLUGIN_UNIX_SOCKET_DIR`: where to create the socket (default: the temp dir).
    pub unix_socket_dir: Option<PathBuf>,
}

impl PluginEnv {
    pub fn from_process() -> Self {
        let text = |key: &str| std::env::var(key).ok().filter(|v| !v.is_empty());
        Self {
            magic_cookie: text(MAGIC_COOKIE_KEY),
            protocol_versions: text("PLUGIN_PROTOCOL_VERSIONS"),
            client_cert: text("PLUGIN_CLIENT_CERT"),
            min_port: text("PLUGIN_MIN_PORT"),
            max_port: text("PLUGIN_MAX_PORT"),
            unix_socket_dir: std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }

    /// What Terraform 1.11 sets, with `client_cert` as its AutoMTLS certificate.
    pub fn like_terraform(client_cert: Option<String>) -> Self {
        Self {
            magic_cookie: Some(MAGIC_COOKIE_VALUE.to_string()),
            protocol_versions: Some("6,5".to_string()),
            client_cert,
            min_port: Some("10000".to_string()),
            max_port: Some("25000".to_string()),
            unix_socket_dir: None,
        }
    }
}

/// Who starts the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Terraform launched it: cookie, handshake line, AutoMTLS, exit on `Shutdown`.
    Managed,
    /// A person launched it with `--debug`: plaintext, reattach line, exit on Ctrl-C.
    Debug,
}

/// Where the server listens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Network {
    /// A socket in a fresh private directory (go-plugin's choice on unix).
    Unix,
    /// 127.0.0.1, on the first free port in `PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT`.
    Tcp,
}

/// Where the handshake (or reattach) line goes.
#[derive(Debug)]
pub enum Announce {
    /// The process's stdout, where Terraform reads it.
    Stdout,
    /// A channel, for in-process servers in tests and benchmarks.
    Channel(oneshot::Sender<String>),
}

#[derive(Debug)]
pub struct ServeOptions {
    pub mode: Mode,
    pub network: Network,
    pub env: PluginEnv,
    pub announce: Announce,
    /// Ignore SIGINT (managed mode; in debug mode Ctrl-C stops the server). A
    /// managed provider must: Ctrl-C in a terminal reaches the
    /// whole process group, and Terraform answers it by calling `Stop` and then
    /// shutting the provider down itself. Off for in-process servers.
    pub ignore_interrupt: bool,
    /// Stop serving on SIGTERM, as on `Shutdown`, so the socket directory is removed
    /// (the default action ends the process without running any destructor). Off for
    /// in-process servers: the handler would outlive the server and keep the host
    /// process from ending on SIGTERM.
    pub stop_on_terminate: bool,
}

impl ServeOptions {
    /// Options for the real process: the process environment, a unix socket, stdout.
    pub fn from_process(mode: Mode) -> Self {
        Self {
            mode,
            network: Network::Unix,
            env: PluginEnv::from_process(),
            announce: Announce::Stdout,
            ignore_interrupt: mode == Mode::Managed,
            stop_on_terminate: true,
        }
    }
}

/// Why the provider could not serve. Each message is meant for a person.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "This program is a Terraform provider plugin (terraform-provider-panel). It is not \
         meant to be run directly: Terraform starts it when a configuration uses the \
         \"{PROVIDER_ADDRESS}\" provider. To run it by hand for debugging, start it with \
         --debug and follow the instructions it prints. To write the configuration that \
         imports everything a panel already holds, run it as `terraform-provider-panel \
         adopt --help`."
    )]
    NotLaunchedByTerraform,
    #[error(
        "Terraform offered plugin protocol versions {offered:?}, but this provider only \
         speaks version {PROTOCOL_VERSION}. Use Terraform 0.12 or newer (1.11 is tested), \
         or OpenTofu."
    )]
    UnsupportedProtocol { offered: String },
    #[error("AutoMTLS setup failed: {0}")]
    Tls(#[from] TlsError),
    #[error("could not listen for Terraform's connection: {0}")]
    Listen(io::Error),
    #[error("could not take over SIGINT or SIGTERM handling: {0}")]
    Signal(io::Error),
    #[error("could not write the handshake line to stdout: {0}")]
    Announce(io::Error),
    #[error("the gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// Serves `service` until Terraform (or, in debug mode, Ctrl-C) ends it.
pub async fn serve(
    service: Arc<dyn ProviderService>,
    options: ServeOptions,
) -> Result<(), ServeError> {
    let ServeOptions {
        mode,
        network,
        env,
        announce,
        ignore_interrupt,
        stop_on_terminate,
    } = options;

    let tls = match mode {
        Mode::Managed => {
            if env.magic_cookie.as_deref() != Some(MAGIC_COOKIE_VALUE) {
                return Err(ServeError::NotLaunchedByTerraform);
            }
            if ignore_interrupt {
                ignore_sigint().map_err(ServeError::Signal)?;
            }
            check_protocol_versions(env.protocol_versions.as_deref())?;
            tls_acceptor(env.client_cert.as_deref())?
        }
        // Terraform connects to reattached providers without TLS (tfplugin.md §2.6).
        Mode::Debug => None,
    };

    let listener = Listener::bind(network, &env).map_err(ServeError::Listen)?;
    let shutdown = CancellationToken::new();
    let routes = grpc::routes(
        service,
        Lifecycle {
            shutdown: shutdown.clone(),
            honour_shutdown: mode == Mode::Managed,
        },
    )
    .await;

    if stop_on_terminate {
        // SIGTERM (`kill`, a service manager, a CI runner cleaning up) ends the server
        // the way Shutdown does, so the socket directory is removed on the way out.
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .map_err(ServeError::Signal)?;
        let on_terminate = shutdown.clone();
        tokio::spawn(async move {
            if terminate.recv().await.is_some() {
                tracing::debug!("SIGTERM; stopping the server");
                on_terminate.cancel();
            }
        });
    }

    if mode == Mode::Debug {
        let on_interrupt = shutdown.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                tracing::info!("Interrupted; stopping the debug server");
            }
            on_interrupt.cancel();
        });
    }

    let line = match mode {
        Mode::Managed => handshake_line(&listener, tls.as_ref().map(|t| &t.certificate)),
        Mode::Debug => reattach_line(&listener),
    };
    match announce {
        Announce::Stdout => print_announcement(mode, &line).map_err(ServeError::Announce)?,
        Announce::Channel(sender) => {
            // A dropped receiver only means nobody wants to know the address.
            let _ = sender.send(line);
        }
    }
    tracing::debug!(
        network = listener.network(),
        address = %listener.address(),
        tls = tls.is_some(),
        "Serving the plugin protocol"
    );

    let incoming = accept_connections(listener, tls.map(|t| t.acceptor));
    let server = tonic::transport::Server::builder()
        .add_routes(routes)
        .serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned());
    let mut server = tokio::spawn(server);
    tokio::select! {
        finished = &mut server => return flatten(finished),
        () = shutdown.cancelled() => {}
    }
    match tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await {
        Ok(finished) => flatten(finished),
        Err(_) => {
            tracing::debug!("Connections still open after the grace period; exiting anyway");
            server.abort();
            Ok(())
        }
    }
}

fn flatten(
    finished: Result<Result<(), tonic::transport::Error>, tokio::task::JoinError>,
) -> Result<(), ServeError> {
    match finished {
        Ok(result) => result.map_err(ServeError::Transport),
        // The server task only ends by finishing or by our abort.
        Err(_) => Ok(()),
    }
}

/// `PLUGIN_PROTOCOL_VERSIONS` is built from a Go map, so its order is random.
fn check_protocol_versions(offered: Option<&str>) -> Result<(), ServeError> {
    let unsupported = || ServeError::UnsupportedProtocol {
        offered: offered.unwrap_or("").to_string(),
    };
    let versions: BTreeSet<u32> = offered
        .ok_or_else(unsupported)?
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    if versions.contains(&PROTOCOL_VERSION) {
        Ok(())
    } else {
        Err(unsupported())
    }
}

struct ServerTls {
    acceptor: TlsAcceptor,
    certificate: rustls::pki_types::CertificateDer<'static>,
}

/// TLS exactly when Terraform asked for it by sending its certificate.
///
/// Without `PLUGIN_CLIENT_CERT` go-plugin serves plaintext and prints an empty
/// certificate field, and so do we. Terraform omits the variable only when
/// `TF_DISABLE_PLUGIN_TLS` is set (its test-only switch); then it also dials
/// without TLS, so plaintext is what it expects.
fn tls_acceptor(client_cert_pem: Option<&str>) -> Result<Option<ServerTls>, ServeError> {
    let Some(pem) = client_cert_pem else {
        tracing::warn!("PLUGIN_CLIENT_CERT is not set; serving without TLS as go-plugin does");
        return Ok(None);
    };
    let client_certificate = tls::parse_client_certificate(pem)?;
    let identity = tls::generate_server_identity()?;
    let certificate = identity.certificate.clone();
    let config = tls::server_config(identity, client_certificate)?;
    Ok(Some(ServerTls {
        acceptor: TlsAcceptor::from(config),
        certificate,
    }))
}

/// `CORE|APP|NETWORK|ADDRESS|PROTOCOL|CERT`, the certificate as unpadded standard
/// base64 of its DER (go-plugin decodes with `RawStdEncoding`, which rejects `=`).
fn handshake_line(
    listener: &Listener,
    certificate: Option<&rustls::pki_types::CertificateDer<'static>>,
) -> String {
    let certificate = certificate
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der.as_ref()))
        .unwrap_or_default();
    format!(
        "{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{}|{}|grpc|{certificate}",
        listener.network(),
        listener.address()
    )
}

/// `TF_REATTACH_PROVIDERS='{…}'` for this server. `Test: true` stops Terraform from
/// killing the process after each command, so one debug session serves many.
fn reattach_line(listener: &Listener) -> String {
    let value = serde_json::json!({
        PROVIDER_ADDRESS: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": std::process::id(),
            "Test": true,
            "Addr": { "Network": listener.network(), "String": listener.address() },
        }
    });
    format!("TF_REATTACH_PROVIDERS='{value}'")
}

fn print_announcement(mode: Mode, line: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    match mode {
        Mode::Managed => writeln!(stdout, "{line}")?,
        Mode::Debug => writeln!(
            stdout,
            "terraform-provider-panel is running in debug mode.\n\
             To use it, set this in the shell where you run Terraform:\n\n\
             \t{line}\n\n\
             Press Ctrl-C to stop it."
        )?,
    }
    stdout.flush()
}

/// Registering a handler replaces the default "terminate" action for SIGINT; the
/// task drains the signals so they are only logged.
fn ignore_sigint() -> io::Result<()> {
    let mut interrupts = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    tokio::spawn(async move {
        while interrupts.recv().await.is_some() {
            tracing::debug!("Ignoring SIGINT: Terraform handles interrupts and will call Stop");
        }
    });
    Ok(())
}

enum Listener {
    /// The temp dir is removed when the listener is dropped.
    Unix {
        listener: UnixListener,
        path: PathBuf,
        _dir: tempfile::TempDir,
    },
    Tcp {
        listener: TcpListener,
        address: SocketAddr,
    },
}

impl Listener {
    fn bind(network: Network, env: &PluginEnv) -> io::Result<Self> {
        match network {
            Network::Unix => {
                let parent = env
                    .unix_socket_dir
                    .clone()
                    .unwrap_or_else(std::env::temp_dir);
                // A fresh 0700 directory: nobody else can connect to the socket or
                // replace it.
                let dir = tempfile::Builder::new()
                    .prefix("tf-provider-panel-")
                    .tempdir_in(parent)?;
                let path = dir.path().join("plugin.sock");
                let listener = UnixListener::bind(&path)?;
                Ok(Self::Unix {
                    listener,
                    path,
                    _dir: dir,
                })
            }
            Network::Tcp => {
                let listener = bind_tcp(env)?;
                let address = listener.local_addr()?;
                Ok(Self::Tcp { listener, address })
            }
        }
    }

    fn network(&self) -> &'static str {
        match self {
            Self::Unix { .. } => "unix",
            Self::Tcp { .. } => "tcp",
        }
    }

    fn address(&self) -> String {
        match self {
            Self::Unix { path, .. } => path.display().to_string(),
            Self::Tcp { address, .. } => address.to_string(),
        }
    }

    async fn accept(&self) -> io::Result<PluginConnection> {
        Ok(match self {
            Self::Unix { listener, .. } => PluginConnection::new(listener.accept().await?.0),
            Self::Tcp { listener, .. } => {
                let (stream, _) = listener.accept().await?;
                // gRPC sends many small frames; Nagle would add latency to each RPC.
                stream.set_nodelay(true)?;
                PluginConnection::new(stream)
            }
        })
    }
}

/// The first free port in Terraform's range, as go-plugin does; any port if the
/// range is absent or unreadable.
fn bind_tcp(env: &PluginEnv) -> io::Result<TcpListener> {
    let port = |value: &Option<String>| value.as_deref().and_then(|v| v.trim().parse::<u16>().ok());
    let (min, max) = match (port(&env.min_port), port(&env.max_port)) {
        (Some(min), Some(max)) if min <= max => (min, max),
        _ => (0, 0),
    };
    let mut last_error = None;
    for port in min..=max {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        match std::net::TcpListener::bind(address) {
            Ok(listener) => {
                listener.set_nonblocking(true)?;
                return TcpListener::from_std(listener);
            }
            Err(err) => last_error = Some(err),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("no port available")))
}

/// Accepts connections (and TLS handshakes, each in its own task so a slow client
/// cannot hold up others) and hands them to the gRPC server. Ends when the server
/// drops the receiving side.
fn accept_connections(
    listener: Listener,
    tls: Option<TlsAcceptor>,
) -> ReceiverStream<io::Result<PluginConnection>> {
    let (sender, receiver) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                () = sender.closed() => break,
                accepted = listener.accept() => accepted,
            };
            let connection = match accepted {
                Ok(connection) => connection,
                Err(err) => {
                    // E.g. out of file descriptors: back off instead of spinning.
                    tracing::warn!(error = %err, "Accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            match &tls {
                None => {
                    if sender.send(Ok(connection)).await.is_err() {
                        break;
                    }
                }
                Some(acceptor) => {
                    let acceptor = acceptor.clone();
                    let sender = sender.clone();
                    tokio::spawn(async move {
                        let handshake = acceptor.accept(connection);
                        match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, handshake).await {
                            Ok(Ok(stream)) => {
                                let _ = sender.send(Ok(PluginConnection::new(stream))).await;
                            }
                            Ok(Err(err)) => {
                                tracing::warn!(error = %err, "Refused a TLS connection");
                            }
                            Err(_) => tracing::warn!("A TLS handshake timed out"),
                        }
                    });
                }
            }
        }
    });
    ReceiverStream::new(receiver)
}

trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// One accepted connection, plain or TLS, over unix or TCP: one type for tonic.
struct PluginConnection(Box<dyn Io>);

impl PluginConnection {
    fn new(io: impl Io) -> Self {
        Self(Box::new(io))
    }
}

impl Connected for PluginConnection {
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for PluginConnection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for PluginConnection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_versions_are_a_set() {
        assert!(check_protocol_versions(Some("5,6")).is_ok());
        assert!(check_protocol_versions(Some("6,5")).is_ok());
        assert!(check_protocol_versions(Some(" 6 , 5 ")).is_ok());
        assert!(check_protocol_versions(Some("x,5")).is_ok());
        let err = check_protocol_versions(Some("6")).expect_err("5 missing");
        assert!(err.to_string().contains("\"6\""), "{err}");
        assert!(check_protocol_versions(Some("")).is_err());
        assert!(check_protocol_versions(None).is_err());
        assert!(check_protocol_versions(Some("55")).is_err());
    }

    #[tokio::test]
    async fn handshake_line_has_the_go_plugin_shape() {
        let listener = Listener::bind(Network::Unix, &PluginEnv::default()).expect("bind");
        let cert = rustls::pki_types::CertificateDer::from(vec![0xfb; 64]);
        let line = handshake_line(&listener, Some(&cert));
        let fields: Vec<&str> = line.split('|').collect();
        assert_eq!(fields[..3], ["1", "5", "unix"]);
        assert_eq!(fields[3], listener.address());
        assert_eq!(fields[4], "grpc");
        assert!(!fields[5].contains('='), "no padding: {}", fields[5]);
        assert_eq!(
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(fields[5]),
            Ok(vec![0xfb; 64])
        );
        assert!(handshake_line(&listener, None).ends_with("|grpc|"));
    }

    #[tokio::test]
    async fn tcp_listener_stays_in_the_port_range() {
        let env = PluginEnv {
            min_port: Some("20000".into()),
            max_port: Some("20100".into()),
            ..PluginEnv::default()
        };
        let listener = Listener::bind(Network::Tcp, &env).expect("bind");
        let Listener::Tcp { address, .. } = &listener else {
            panic!("not tcp")
        };
        assert!((20000..=20100).contains(&address.port()));
        assert!(address.ip().is_loopback());
    }

    #[tokio::test]
    async fn reattach_line_is_what_terraform_parses() {
        let listener = Listener::bind(Network::Unix, &PluginEnv::default()).expect("bind");
        let line = reattach_line(&listener);
        let json = line
            .strip_prefix("TF_REATTACH_PROVIDERS='")
            .and_then(|rest| rest.strip_suffix('\''))
            .expect("quoted");
        let value: serde_json::Value = serde_json::from_str(json).expect("json");
        let entry = &value[PROVIDER_ADDRESS];
        assert_eq!(entry["Protocol"], "grpc");
        assert_eq!(entry["ProtocolVersion"], 5);
        assert_eq!(entry["Pid"], std::process::id());
        assert_eq!(entry["Test"], true);
        assert_eq!(entry["Addr"]["Network"], "unix");
        assert_eq!(entry["Addr"]["String"], listener.address());
    }
}
