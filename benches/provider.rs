//! Provider process costs as Terraform pays them, measured on the release build
//! (`cargo bench --bench provider`): exec to handshake line, a GetSchema round trip
//! over AutoMTLS, Shutdown to exit, and the idle resident memory.

#[path = "support/cli.rs"]
mod cli;
#[path = "../tests/support/grpc.rs"]
mod grpc;

use std::time::{Duration, Instant};

use grpc::*;
use terraform_provider_panel::plugin::proto::go_plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_panel::plugin::proto::go_plugin::Empty;
use terraform_provider_panel::plugin::proto::tfplugin5 as pb;
use terraform_provider_panel::plugin::proto::tfplugin5::provider_client::ProviderClient;

/// `cargo bench` measures in full; a test runner (`cargo test --all-targets`, nextest)
/// gets a short smoke run on the debug build (see `support/cli.rs`).
struct Sizes {
    starts: usize,
    round_trips: usize,
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn percentile(mut samples: Vec<Duration>, p: usize) -> Duration {
    samples.sort();
    samples[(samples.len() * p / 100).min(samples.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn row(what: &str, measured: &str, target: &str, ok: bool) {
    println!(
        "| {what:<34} | {measured:>12} | {target:>9} | {:<4} |",
        if ok { "ok" } else { "MISS" }
    );
}

fn main() {
    let sizes = match cli::from_args() {
        cli::Run::Measure => Sizes {
            starts: 50,
            round_trips: 500,
        },
        cli::Run::Smoke => {
            println!("smoke run of the provider benchmark (debug build); use `cargo bench`");
            Sizes {
                starts: 3,
                round_trips: 20,
            }
        }
        cli::Run::Nothing => return,
    };
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(run(sizes));
}

async fn run(
    Sizes {
        starts,
        round_trips: trips,
    }: Sizes,
) {
    let terraform = terraform_like_client_identity();

    let mut startups = Vec::with_capacity(starts);
    for _ in 0..starts {
        let mut spawned = spawn_provider(provider_command(Some(&terraform.pem))).await;
        startups.push(spawned.startup);
        // SIGTERM, not SIGKILL: the provider removes its socket directory on the way out.
        let _ = spawned.child.terminate().await;
    }

    let mut spawned = spawn_provider(provider_command(Some(&terraform.pem))).await;
    let pid = spawned.child.id().expect("pid");
    let tls = client_tls(
        spawned.handshake.certificate.clone().expect("certificate"),
        Some(&terraform),
    );
    let channel = connect(&spawned.handshake.address, Some(tls))
        .await
        .expect("mTLS connection");
    let mut provider = ProviderClient::new(channel.clone());
    let mut round_trips = Vec::with_capacity(trips);
    for i in 0..trips + 20 {
        let started = Instant::now();
        provider
            .get_schema(pb::get_provider_schema::Request {})
            .await
            .expect("GetSchema");
        // The first calls warm up the connection and allocator.
        if i >= 20 {
            round_trips.push(started.elapsed());
        }
    }

    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_kib = rss_kib(pid).expect("VmRSS of the provider");

    let started = Instant::now();
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .expect("Shutdown");
    let _ = tokio::time::timeout(Duration::from_secs(5), spawned.child.wait()).await;
    let shutdown = started.elapsed();

    let startup_median = median(startups.clone());
    let round_trip_median = median(round_trips.clone());
    println!();
    println!("terraform-provider-panel, release build, unix socket + AutoMTLS (P-521 client)");
    println!();
    println!(
        "| {:<34} | {:>12} | {:>9} | {:<4} |",
        "measure", "value", "target", ""
    );
    println!("|{:-<36}|{:->14}|{:->11}|{:-<6}|", "", "", "", "");
    row(
        &format!("exec -> handshake line, median/{starts}"),
        &ms(startup_median),
        "<= 5 ms",
        startup_median <= Duration::from_millis(5),
    );
    row(
        "exec -> handshake line, p90",
        &ms(percentile(startups, 90)),
        "",
        true,
    );
    row(
        &format!("GetSchema round trip, median/{trips}"),
        &ms(round_trip_median),
        "<= 1 ms",
        round_trip_median <= Duration::from_millis(1),
    );
    row(
        "GetSchema round trip, p99",
        &ms(percentile(round_trips, 99)),
        "",
        true,
    );
    row(
        "idle RSS (VmRSS)",
        &format!("{:.1} MiB", rss_kib as f64 / 1024.0),
        "<= 10 MB",
        rss_kib * 1024 <= 10_000_000,
    );
    row(
        "Shutdown -> process exit",
        &ms(shutdown),
        "< 2 s",
        shutdown < Duration::from_secs(2),
    );
    println!();
}
