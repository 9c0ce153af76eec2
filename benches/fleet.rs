//! Fleet benchmark: what a mixed fleet (users, each with five domains and four databases)
//! costs through the real Terraform CLI against `panel-sim`, next to the same graph of
//! `terraform_data` (Terraform's own floor) in the same run.
//!
//! ```text
//! cargo bench --bench fleet
//! FLEET_SIZES=100,1000,3000 FLEET_BACKENDS=hestia,plesk_xml cargo bench --bench fleet
//! ```
//!
//! Knobs (environment):
//! - `FLEET_SIZES`: resources per fleet, comma-separated (default `100,1000`); each is
//!   rounded up to whole owners of 10 resources.
//! - `FLEET_BACKENDS`: `hestia`, `plesk_rest`, `plesk_xml`, `panelalpha` (default: all).
//! - `FLEET_LATENCY`: the simulator latency of the second refresh, as `--latency-ms`
//!   takes it (default `read=200,write=900`; `off` skips that refresh).
//!
//! Per backend and size, one markdown row: apply and refresh (`plan -refresh-only`) wall
//! time and CPU (provider + Terraform), the `terraform_data` floor of the same shape,
//! panel requests per refreshed resource, the provider's peak RSS (largest `VmHWM` of
//! its processes), the simulator's CPU during the refresh, and the refresh again with
//! latency against the ideal `requests x read latency / concurrency` (concurrency 10:
//! Terraform's `-parallelism` and the provider's default `max_concurrent_requests`), and
//! against a bound that accounts for what no provider can avoid: the floor's refresh
//! plus the longer of that ideal and one read latency per level of the graph (users,
//! then domains and databases, on Plesk a third level below the subscriptions).
//!
//! How CPU is measured: the provider processes are found as children of the running
//! `terraform` (`/proc/<pid>/task/*/children`) and sampled every 25 ms (`utime + stime`,
//! `VmHWM`), together with what Terraform has reaped of them (its `cutime + cstime`);
//! Terraform's own CPU is everything this process reaps from the command (our
//! `cutime + cstime`) minus the provider's. A test runner gets a short smoke run (see
//! `support/cli.rs`).

#[path = "support/cli.rs"]
mod cli;
#[path = "../tests/support/sim.rs"]
mod sim;
#[path = "../tests/support/terraform.rs"]
mod terraform;

use std::collections::HashMap;
use std::io::Read;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use terraform::{Terraform, REQUIRED_PROVIDERS};

/// Resources per owner: the user, five domains, four databases.
const PER_OWNER: usize = 10;
const PASSWORD: &str = "Fl33t-Secret-42";
/// Terraform's default `-parallelism` and the provider's default
/// `max_concurrent_requests`: requests in flight during a refresh.
const CONCURRENCY: f64 = 10.0;
/// No single Terraform command of the benchmark should come near this.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(3600);
const SAMPLE_EVERY: Duration = Duration::from_millis(25);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Hestia,
    PleskRest,
    PleskXml,
    PanelAlpha,
}

impl Backend {
    const ALL: [Backend; 4] = [
        Backend::Hestia,
        Backend::PleskRest,
        Backend::PleskXml,
        Backend::PanelAlpha,
    ];

    fn name(self) -> &'static str {
        match self {
            Backend::Hestia => "hestia",
            Backend::PleskRest => "plesk_rest",
            Backend::PleskXml => "plesk_xml",
            Backend::PanelAlpha => "panelalpha",
        }
    }

    fn sim_panel(self) -> &'static str {
        match self {
            Backend::Hestia => "hestia",
            Backend::PleskRest | Backend::PleskXml => "plesk",
            Backend::PanelAlpha => "panelalpha",
        }
    }

    /// Levels of the fleet's graph: users, then domains and databases; on Plesk the
    /// addon domains and databases wait for the subscription (main domain) too.
    fn graph_depth(self) -> u32 {
        if self.is_plesk() {
            3
        } else {
            2
        }
    }

    fn is_plesk(self) -> bool {
        matches!(self, Backend::PleskRest | Backend::PleskXml)
    }
}

struct Settings {
    sizes: Vec<usize>,
    backends: Vec<Backend>,
    latency: Option<String>,
}

fn settings(run: cli::Run) -> Option<Settings> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let (default_sizes, default_backends): (&str, Vec<Backend>) = match run {
        cli::Run::Measure => ("100,1000", Backend::ALL.to_vec()),
        cli::Run::Smoke => {
            println!(
                "smoke run of the fleet benchmark (debug build); use `cargo bench --bench fleet`"
            );
            ("10", vec![Backend::Hestia])
        }
        cli::Run::Nothing => return None,
    };
    let sizes = env("FLEET_SIZES")
        .unwrap_or_else(|| default_sizes.to_owned())
        .split(',')
        .map(|size| {
            size.trim()
                .parse::<usize>()
                .unwrap_or_else(|_| panic!("FLEET_SIZES: {size:?} is not a number"))
        })
        .collect();
    let backends = match env("FLEET_BACKENDS") {
        None => default_backends,
        Some(list) => list
            .split(',')
            .map(|name| {
                Backend::ALL
                    .into_iter()
                    .find(|b| b.name() == name.trim())
                    .unwrap_or_else(|| panic!("FLEET_BACKENDS: unknown backend {name:?}"))
            })
            .collect(),
    };
    let latency = match env("FLEET_LATENCY") {
        Some(off) if off == "off" || off == "0" => None,
        Some(latency) => Some(latency),
        None => Some("read=200,write=900".to_owned()),
    };
    Some(Settings {
        sizes,
        backends,
        latency,
    })
}

fn main() {
    let Some(settings) = settings(cli::from_args()) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let control = Control {
        runtime,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("HTTP client"),
    };
    let started = Instant::now();
    println!();
    println!(
        "Fleet benchmark: users with 5 domains and 4 databases each; CPU is provider + terraform; \
         floor = the same graph of terraform_data; latency refresh at {}",
        settings.latency.as_deref().unwrap_or("(off)")
    );
    println!();
    println!(
        "| backend | N | apply wall | apply CPU | floor apply wall / CPU | refresh wall | refresh CPU \
         | floor refresh wall / CPU | requests / resource | provider peak RSS | sim CPU (refresh) \
         | refresh with latency | ideal | wall / ideal | bound | wall / bound |"
    );
    println!("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for &size in &settings.sizes {
        let owners = size.div_ceil(PER_OWNER).max(1);
        eprintln!("[fleet] N = {}: terraform_data floor", owners * PER_OWNER);
        let floor = floor(owners);
        for &backend in &settings.backends {
            eprintln!("[fleet] N = {}: {}", owners * PER_OWNER, backend.name());
            let row = fleet(&control, backend, owners, settings.latency.as_deref());
            // What no provider can beat: Terraform's own refresh, plus either the
            // requests spread over the concurrency or one read per level of the graph
            // (each level waits for the one before), whichever is longer.
            let bound = row.slow.as_ref().map(|(_, ideal, read)| {
                floor.refresh.wall + (*ideal).max(*read * backend.graph_depth())
            });
            let ratio = |wall: Duration, of: Duration| {
                format!("{:.2}", wall.as_secs_f64() / of.as_secs_f64().max(1e-3))
            };
            println!(
                "| {} | {} | {} | {} | {} / {} | {} | {} | {} / {} | {:.3} | {:.1} MiB | {:.2} s | {} | {} | {} | {} | {} |",
                backend.name(),
                owners * PER_OWNER,
                secs(row.apply.wall),
                row.apply.cpu(),
                secs(floor.apply.wall),
                cpu(floor.apply.terraform_cpu),
                secs(row.refresh.wall),
                row.refresh.cpu(),
                secs(floor.refresh.wall),
                cpu(floor.refresh.terraform_cpu),
                row.requests as f64 / (owners * PER_OWNER) as f64,
                row.apply.provider_hwm_kib.max(row.refresh.provider_hwm_kib) as f64 / 1024.0,
                row.refresh.sim_cpu,
                row.slow
                    .as_ref()
                    .map(|(cost, _, _)| secs(cost.wall))
                    .unwrap_or_else(|| "-".into()),
                row.slow
                    .as_ref()
                    .map(|(_, ideal, _)| secs(*ideal))
                    .unwrap_or_else(|| "-".into()),
                row.slow
                    .as_ref()
                    .map(|(cost, ideal, _)| ratio(cost.wall, *ideal))
                    .unwrap_or_else(|| "-".into()),
                bound.map(secs).unwrap_or_else(|| "-".into()),
                row.slow
                    .as_ref()
                    .zip(bound)
                    .map(|((cost, _, _), bound)| ratio(cost.wall, bound))
                    .unwrap_or_else(|| "-".into()),
            );
        }
    }
    println!();
    eprintln!("[fleet] done in {:.0} s", started.elapsed().as_secs_f64());
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn cpu(seconds: f64) -> String {
    format!("{seconds:.2} s")
}

/// What one Terraform command cost.
#[derive(Clone, Debug, Default)]
struct Cost {
    wall: Duration,
    /// Seconds of CPU (user + system) of the provider processes.
    provider_cpu: f64,
    /// Seconds of CPU of Terraform itself.
    terraform_cpu: f64,
    /// Largest `VmHWM` of the provider processes, in KiB.
    provider_hwm_kib: u64,
    /// Seconds of CPU the simulator spent meanwhile.
    sim_cpu: f64,
}

impl Cost {
    fn cpu(&self) -> String {
        format!("{:.2} + {:.2} s", self.provider_cpu, self.terraform_cpu)
    }
}

struct Row {
    apply: Cost,
    refresh: Cost,
    /// Panel requests of the (latency-free) refresh.
    requests: u64,
    /// The refresh with latency, its ideal wall time (requests x read latency /
    /// concurrency) and the read latency.
    slow: Option<(Cost, Duration, Duration)>,
}

struct Floor {
    apply: Cost,
    refresh: Cost,
}

fn floor(owners: usize) -> Floor {
    let tf = Terraform::new();
    tf.write("main.tf", &floor_config(owners));
    let (apply, _) = measured(&tf, APPLY, None);
    let (refresh, _) = measured(&tf, REFRESH, None);
    Floor { apply, refresh }
}

const APPLY: &[&str] = &["apply", "-auto-approve", "-input=false", "-no-color"];
const REFRESH: &[&str] = &["plan", "-refresh-only", "-input=false", "-no-color"];

fn fleet(control: &Control, backend: Backend, owners: usize, latency: Option<&str>) -> Row {
    let sim = sim::spawn(backend.sim_panel(), &[]);
    let sim_pid = sim.child.id();
    let mut tf = Terraform::new();
    tf.set_env("PANEL_TYPE", backend.name());
    tf.set_env("PANEL_ENDPOINT", &sim.base_url);
    match backend {
        Backend::Hestia => {
            tf.set_env("PANEL_ACCESS_KEY", &sim.cred("access_key"));
            tf.set_env("PANEL_SECRET_KEY", &sim.cred("secret_key"));
        }
        Backend::PleskRest => tf.set_env("PANEL_API_KEY", &sim.cred("api_key")),
        Backend::PleskXml => tf.set_env("PANEL_SECRET_KEY", &sim.cred("secret_key")),
        Backend::PanelAlpha => tf.set_env("PANEL_TOKEN", &sim.cred("token")),
    }
    tf.write(
        "providers.tf",
        &format!("{REQUIRED_PROVIDERS}\nprovider \"panel\" {{}}\n"),
    );
    tf.write("main.tf", &fleet_config(backend, owners));

    let (apply, out) = measured(&tf, APPLY, Some(sim_pid));
    let added = format!("{} added, 0 changed, 0 destroyed", owners * PER_OWNER);
    assert!(
        out.contains(&added),
        "[{}] the apply did not create the fleet:\n{out}",
        backend.name()
    );

    control.call(&sim, reqwest::Method::DELETE, "/__sim/requests", None);
    let (refresh, out) = measured(&tf, REFRESH, Some(sim_pid));
    warn_on_drift(backend, &out);
    let requests = control.total_requests(&sim);

    let slow = latency.map(|latency| {
        control.call(
            &sim,
            reqwest::Method::PUT,
            "/__sim/faults",
            Some(&json!({ "latency_ms": latency })),
        );
        control.call(&sim, reqwest::Method::DELETE, "/__sim/requests", None);
        let (cost, out) = measured(&tf, REFRESH, Some(sim_pid));
        warn_on_drift(backend, &out);
        let requests = control.total_requests(&sim);
        let faults = control.call(&sim, reqwest::Method::GET, "/__sim/faults", None);
        let read_ms = faults["read_latency_ms"]
            .as_u64()
            .or_else(|| faults["latency_ms"].as_u64())
            .unwrap_or_else(|| panic!("no read latency in /__sim/faults: {faults}"));
        let ideal = Duration::from_secs_f64(requests as f64 * read_ms as f64 / 1e3 / CONCURRENCY);
        (cost, ideal, Duration::from_millis(read_ms))
    });
    Row {
        apply,
        refresh,
        requests,
        slow,
    }
}

fn warn_on_drift(backend: Backend, plan: &str) {
    if plan.contains("has been deleted") || plan.contains("has changed") {
        eprintln!(
            "[fleet] WARNING [{}]: the refresh found drift:\n{plan}",
            backend.name()
        );
    }
}

/// The fleet: `owners` users, each with a main domain, four more domains and four
/// databases, written with `count` so the configuration stays small at any size.
fn fleet_config(backend: Backend, owners: usize) -> String {
    let user = match backend {
        Backend::PanelAlpha => format!(
            "resource \"panel_user\" \"u\" {{\n  count       = {owners}\n  email       = format(\"fl%04d@example.com\", count.index)\n  name        = \"Fleet User\"\n  plan        = \"Starter\"\n  password_wo = \"{PASSWORD}\"\n}}\n"
        ),
        _ => format!(
            "resource \"panel_user\" \"u\" {{\n  count       = {owners}\n  login       = format(\"fl%04d\", count.index)\n  email       = format(\"fl%04d@example.com\", count.index)\n  name        = \"Fleet User\"\n  password_wo = \"{PASSWORD}\"\n}}\n"
        ),
    };
    // PanelAlpha's main domain comes with the plan: the five domains are addons of the
    // user's one hosting account (no `parent` needed). Plesk: a subscription and four
    // sites in it. HestiaCP: five web domains.
    let (main_extra, addon_extra) = match backend {
        Backend::Hestia => (String::new(), String::new()),
        Backend::PanelAlpha => (
            "  kind  = \"addon\"\n".to_owned(),
            "  kind  = \"addon\"\n".to_owned(),
        ),
        Backend::PleskRest | Backend::PleskXml => (
            format!("  system_password_wo = \"{PASSWORD}\"\n"),
            "  kind   = \"addon\"\n  parent = panel_domain.main[floor(count.index / 4)].name\n"
                .to_owned(),
        ),
    };
    let main = format!(
        "resource \"panel_domain\" \"main\" {{\n  count = {owners}\n  name  = format(\"fl%04d-1.example\", count.index)\n  owner = panel_user.u[count.index].id\n{main_extra}}}\n"
    );
    let addon = format!(
        "resource \"panel_domain\" \"more\" {{\n  count = {}\n  name  = format(\"fl%04d-%d.example\", floor(count.index / 4), count.index % 4 + 2)\n  owner = panel_user.u[floor(count.index / 4)].id\n{addon_extra}}}\n",
        owners * 4
    );
    let database_domain = if backend.is_plesk() {
        "  domain      = panel_domain.main[floor(count.index / 4)].name\n"
    } else {
        ""
    };
    let database = format!(
        "resource \"panel_database\" \"db\" {{\n  count       = {}\n  name        = format(\"d%d_%d\", floor(count.index / 4), count.index % 4)\n  user        = format(\"u%d_%d\", floor(count.index / 4), count.index % 4)\n  owner       = panel_user.u[floor(count.index / 4)].id\n{database_domain}  password_wo = \"{PASSWORD}\"\n}}\n",
        owners * 4
    );
    format!("{user}\n{main}\n{addon}\n{database}")
}

/// The same graph (counts and references) of `terraform_data`.
fn floor_config(owners: usize) -> String {
    format!(
        r#"resource "terraform_data" "u" {{
  count = {owners}
  input = format("fl%04d", count.index)
}}

resource "terraform_data" "main" {{
  count = {owners}
  input = {{
    name  = format("fl%04d-1.example", count.index)
    owner = terraform_data.u[count.index].id
  }}
}}

resource "terraform_data" "more" {{
  count = {more}
  input = {{
    name   = format("fl%04d-%d.example", floor(count.index / 4), count.index % 4 + 2)
    owner  = terraform_data.u[floor(count.index / 4)].id
    parent = terraform_data.main[floor(count.index / 4)].input.name
  }}
}}

resource "terraform_data" "db" {{
  count = {more}
  input = {{
    name   = format("d%d_%d", floor(count.index / 4), count.index % 4)
    owner  = terraform_data.u[floor(count.index / 4)].id
    domain = terraform_data.main[floor(count.index / 4)].input.name
  }}
}}
"#,
        more = owners * 4
    )
}

/// The simulator's control API.
struct Control {
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Control {
    fn call(
        &self,
        sim: &sim::SimProcess,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Value {
        let mut request = self.http.request(method.clone(), sim.url(path));
        if let Some(body) = body {
            request = request.json(body);
        }
        self.runtime.block_on(async {
            let response = request
                .send()
                .await
                .unwrap_or_else(|err| panic!("{method} {path}: {err}"));
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            assert!(
                status.is_success(),
                "{method} {path} answered {status}: {text}"
            );
            serde_json::from_str(&text).unwrap_or(Value::Null)
        })
    }

    fn total_requests(&self, sim: &sim::SimProcess) -> u64 {
        let counts = self.call(sim, reqwest::Method::GET, "/__sim/requests", None);
        counts["total"]
            .as_u64()
            .unwrap_or_else(|| panic!("/__sim/requests has no total: {counts}"))
    }
}

/// Runs `terraform <args>` (which must succeed), sampling the provider processes it
/// starts; returns the cost and Terraform's output.
fn measured(tf: &Terraform, args: &[&str], sim_pid: Option<u32>) -> (Cost, String) {
    let tick = clock_tick();
    let children_before = reaped_cpu_ticks("self");
    let sim_before = sim_pid.map(|pid| own_cpu_ticks(&pid.to_string()));
    let started = Instant::now();
    let mut child = tf.spawn(args);
    let terraform_pid = child.id().to_string();
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    // pid -> (CPU ticks, VmHWM KiB) at the last sample.
    let mut providers: HashMap<String, (u64, u64)> = HashMap::new();
    let mut reaped_by_terraform = 0;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for terraform") {
            break status;
        }
        if started.elapsed() > COMMAND_TIMEOUT {
            let _ = child.kill();
            panic!("terraform {args:?} did not finish within {COMMAND_TIMEOUT:?}");
        }
        for pid in children(&terraform_pid) {
            if let Some(sample) = provider_sample(&pid) {
                providers.insert(pid, sample);
            }
        }
        reaped_by_terraform = reaped_by_terraform.max(reaped_cpu_ticks(&terraform_pid));
        std::thread::sleep(SAMPLE_EVERY);
    };
    let wall = started.elapsed();
    let total = reaped_cpu_ticks("self").saturating_sub(children_before);
    let sim_cpu = match (sim_pid, sim_before) {
        (Some(pid), Some(before)) => own_cpu_ticks(&pid.to_string()).saturating_sub(before),
        _ => 0,
    };
    let out = format!(
        "{}\n{}",
        stdout.join().unwrap_or_default(),
        stderr.join().unwrap_or_default()
    );
    assert!(status.success(), "terraform {args:?} failed:\n{out}");
    let sampled: u64 = providers.values().map(|(ticks, _)| ticks).sum();
    let provider = sampled.max(reaped_by_terraform).min(total);
    let cost = Cost {
        wall,
        provider_cpu: provider as f64 / tick,
        terraform_cpu: total.saturating_sub(provider) as f64 / tick,
        provider_hwm_kib: providers.values().map(|(_, hwm)| *hwm).max().unwrap_or(0),
        sim_cpu: sim_cpu as f64 / tick,
    };
    (cost, out)
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux when it cannot be asked).
fn clock_tick() -> f64 {
    static TICK: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICK.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|out| String::from_utf8_lossy(&out.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// The fields of `/proc/<pid>/stat` after the command name (field 3 first).
fn stat_fields(pid: &str) -> Option<(String, Vec<u64>)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat[open + 1..close].to_owned();
    // Field 3 (state) is a letter; keep positions by mapping it to 0.
    let fields = stat[close + 1..]
        .split_whitespace()
        .map(|field| field.parse().unwrap_or(0))
        .collect();
    Some((comm, fields))
}

/// `utime + stime` (fields 14 and 15) of a process.
fn own_cpu_ticks(pid: &str) -> u64 {
    stat_fields(pid)
        .map(|(_, f)| f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0))
        .unwrap_or(0)
}

/// `cutime + cstime` (fields 16 and 17): CPU of the children a process has reaped.
fn reaped_cpu_ticks(pid: &str) -> u64 {
    stat_fields(pid)
        .map(|(_, f)| f.get(13).copied().unwrap_or(0) + f.get(14).copied().unwrap_or(0))
        .unwrap_or(0)
}

/// Children of every thread of `pid`.
fn children(pid: &str) -> Vec<String> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// (CPU ticks, VmHWM KiB) of `pid` if it is the provider (the kernel keeps the first
/// 15 bytes of the name: `terraform-provi`).
fn provider_sample(pid: &str) -> Option<(u64, u64)> {
    let (comm, fields) = stat_fields(pid)?;
    if !"terraform-provider-panel".starts_with(comm.as_str()) || comm.len() < 10 {
        return None;
    }
    let ticks = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let hwm = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    Some((ticks, hwm))
}
