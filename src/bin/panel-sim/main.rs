//! panel-sim: simulators of the Plesk (REST v2 + XML), PanelAlpha and HestiaCP APIs.
//!
//! ```text
//! panel-sim <hestia|plesk|panelalpha> [--listen 127.0.0.1:0] [--tls] [--state FILE]
//!           [--seed FILE] [--latency-ms N|read=N,write=M] [--fail-rate P]
//!           [--rate-limit RPS] [--letsencrypt-delay-ms MS]
//! ```
//! Once listening it prints exactly one JSON line on stdout
//! (`{"panel","base_url","credentials","ca_cert_pem_path"}`); logs go to stderr.
//! SIGTERM or SIGINT saves the state file (if any) and exits 0.
//!
//! The simulator deliberately shares no code with the provider's backends, so a
//! misreading of a panel API cannot hide on both sides.

mod harness;
mod hestia;
mod panel;
mod panelalpha;
mod plesk;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, ValueEnum};
use tokio_util::sync::CancellationToken;

use crate::harness::knobs::{Faults, Latency};
use crate::panel::SimPanel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PanelKind {
    Hestia,
    Plesk,
    Panelalpha,
}

/// Simulates a hosting panel API for tests and local experiments.
#[derive(Debug, Parser)]
#[command(name = "panel-sim", version)]
struct Cli {
    /// Which panel API to simulate.
    panel: PanelKind,
    /// Address to listen on; port 0 picks a free port (see the ready line).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Serve HTTPS with a freshly generated self-signed certificate.
    #[arg(long)]
    tls: bool,
    /// Load state from FILE at start (if it exists) and save it after every change.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Seed objects (panel-specific JSON) at start, unless --state loaded a saved state.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
    /// Delay every panel request by N milliseconds, or reads and writes apart:
    /// `read=200,write=900` (what each panel counts as a read: SIM.md).
    #[arg(long, value_name = "N|read=N,write=M", default_value = "0", value_parser = Latency::parse)]
    latency_ms: Latency,
    /// Hestia: how long `v-add-letsencrypt-domain` takes to issue its certificate.
    #[arg(long, value_name = "MS", default_value_t = hestia::DEFAULT_LETSENCRYPT_DELAY_MS)]
    letsencrypt_delay_ms: u64,
    /// Probability (0..=1) that a panel request gets an injected 500/502/503.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    fail_rate: f64,
    /// Answer 429 with Retry-After beyond RPS requests per second.
    #[arg(long, value_name = "RPS")]
    rate_limit: Option<u32>,
}

fn build_panel(kind: PanelKind, cli: &Cli) -> Result<Arc<dyn SimPanel>, String> {
    match kind {
        PanelKind::Hestia => Ok(hestia::with_letsencrypt_delay(cli.letsencrypt_delay_ms)),
        // The plesk and panelalpha modules are written on their own branches; their
        // merge replaces these arms with `Ok(plesk::new())` / `Ok(panelalpha::new())`.
        PanelKind::Plesk => Ok(plesk::new()),
        PanelKind::Panelalpha => Ok(panelalpha::new()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("panel-sim: cannot start runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("panel-sim: {err}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PANEL_SIM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // stdout carries only the ready line; everything else goes to stderr.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

async fn run(cli: Cli) -> Result<(), String> {
    if !(0.0..=1.0).contains(&cli.fail_rate) {
        return Err(format!(
            "--fail-rate must be within 0..=1, got {}",
            cli.fail_rate
        ));
    }
    let panel = build_panel(cli.panel, &cli)?;
    let state_file = cli.state.clone().map(harness::persist::StateFile::new);
    let mut loaded_saved_state = false;
    if let Some(file) = &state_file {
        if let Some(saved) = file.load()? {
            panel
                .restore(saved)
                .map_err(|err| format!("cannot restore {}: {err}", file.path().display()))?;
            loaded_saved_state = true;
        }
    }
    // A seed describes a fresh panel; re-applying it on top of a saved state would
    // collide with the objects it created the first time.
    if let (Some(seed_path), false) = (&cli.seed, loaded_saved_state) {
        let text = std::fs::read_to_string(seed_path)
            .map_err(|err| format!("cannot read {}: {err}", seed_path.display()))?;
        let objects = serde_json::from_str(&text)
            .map_err(|err| format!("{} is not valid JSON: {err}", seed_path.display()))?;
        panel
            .seed(objects)
            .map_err(|err| format!("cannot seed from {}: {err}", seed_path.display()))?;
    }

    let faults = Faults::from_cli(
        cli.latency_ms,
        cli.fail_rate,
        cli.rate_limit.filter(|rps| *rps > 0),
    );
    let harness = harness::Harness::new(Arc::clone(&panel), faults, state_file);
    harness.persist();

    let tls = if cli.tls {
        Some(harness::tls::generate()?)
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", cli.listen))?;
    let local = listener
        .local_addr()
        .map_err(|err| format!("cannot read the listening address: {err}"))?;
    // A wildcard bind is reachable on loopback; print an address clients can dial.
    let host = if local.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else if local.is_ipv6() {
        format!("[{}]", local.ip())
    } else {
        local.ip().to_string()
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let ready = serde_json::json!({
        "panel": panel.name(),
        "base_url": format!("{scheme}://{host}:{}", local.port()),
        "credentials": panel.credentials(),
        "ca_cert_pem_path": tls.as_ref().map(|t| t.ca_pem_file.path().display().to_string()),
    });
    print_ready_line(&ready)?;

    let shutdown = CancellationToken::new();
    let server = tokio::spawn(harness::serve(
        Arc::clone(&harness),
        listener,
        tls.as_ref().map(|t| t.acceptor.clone()),
        shutdown.clone(),
    ));
    wait_for_signal().await?;
    shutdown.cancel();
    let _ = server.await;
    harness.persist();
    drop(tls);
    Ok(())
}

fn print_ready_line(ready: &serde_json::Value) -> Result<(), String> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{ready}")
        .and_then(|()| stdout.flush())
        .map_err(|err| format!("cannot write the ready line: {err}"))
}

async fn wait_for_signal() -> Result<(), String> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate =
        signal(SignalKind::terminate()).map_err(|err| format!("cannot watch SIGTERM: {err}"))?;
    let mut interrupt =
        signal(SignalKind::interrupt()).map_err(|err| format!("cannot watch SIGINT: {err}"))?;
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    Ok(())
}
