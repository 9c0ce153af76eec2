//! Spawns the `panel-sim` binary and reads its ready line, for tests (and the
//! simulator benchmark, which includes this file by path).
//!
//! The child is stopped with SIGTERM when the `SimProcess` is dropped (so it removes its
//! certificate file; SIGKILL only if it hangs); `terminate()` does the same and returns
//! the exit status (a `--state` file is saved on the way out).
#![allow(dead_code)] // each test target uses a different subset

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A running simulator.
pub struct SimProcess {
    pub panel: String,
    pub base_url: String,
    pub credentials: serde_json::Value,
    pub ca_cert_pem_path: Option<String>,
    /// The ready line exactly as printed.
    pub ready_line: String,
    /// Anything printed on stdout after the ready line (should stay empty).
    pub extra_stdout: Arc<Mutex<Vec<String>>>,
    pub child: Child,
}

/// Path of the built simulator binary.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_panel-sim")
}

/// Starts `panel-sim <panel> <extra_args...>` on a free loopback port and waits
/// for its ready line (panics with the simulator's stderr if it never comes).
pub fn spawn(panel: &str, extra_args: &[&str]) -> SimProcess {
    try_spawn(panel, extra_args).unwrap_or_else(|err| panic!("{err}"))
}

/// Like `spawn`, with its temporary files (the `--tls` certificate) in `tmpdir`.
pub fn spawn_with_tmpdir(panel: &str, extra_args: &[&str], tmpdir: &std::path::Path) -> SimProcess {
    let mut command = Command::new(binary());
    command.env("TMPDIR", tmpdir);
    start(command, panel, extra_args).unwrap_or_else(|err| panic!("{err}"))
}

/// Like `spawn`, but returns the failure (e.g. a panel not built in).
pub fn try_spawn(panel: &str, extra_args: &[&str]) -> Result<SimProcess, String> {
    start(Command::new(binary()), panel, extra_args)
}

fn start(mut command: Command, panel: &str, extra_args: &[&str]) -> Result<SimProcess, String> {
    let mut child = command
        .arg(panel)
        .args(extra_args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("cannot start {}: {err}", binary()))?;
    let stdout = child.stdout.take().ok_or("no stdout pipe")?;
    let stderr = child.stderr.take().ok_or("no stderr pipe")?;
    let stderr_text = Arc::new(Mutex::new(String::new()));
    {
        let stderr_text = Arc::clone(&stderr_text);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[panel-sim] {line}");
                if let Ok(mut text) = stderr_text.lock() {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
        });
    }
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<String>();
    let extra_stdout = Arc::new(Mutex::new(Vec::new()));
    {
        let extra_stdout = Arc::clone(&extra_stdout);
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
            if let Some(first) = lines.next() {
                let _ = ready_tx.send(first);
            }
            for line in lines {
                if let Ok(mut extra) = extra_stdout.lock() {
                    extra.push(line);
                }
            }
        });
    }
    let ready_line = match ready_rx.recv_timeout(Duration::from_secs(30)) {
        Ok(line) => line,
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            std::thread::sleep(Duration::from_millis(100));
            let stderr = stderr_text.lock().map(|t| t.clone()).unwrap_or_default();
            return Err(format!(
                "panel-sim {panel} printed no ready line; stderr:\n{stderr}"
            ));
        }
    };
    let ready: serde_json::Value = serde_json::from_str(&ready_line)
        .map_err(|err| format!("ready line is not JSON ({err}): {ready_line}"))?;
    let text = |key: &str| ready.get(key).and_then(|v| v.as_str()).map(str::to_string);
    Ok(SimProcess {
        panel: text("panel").ok_or("ready line lacks panel")?,
        base_url: text("base_url").ok_or("ready line lacks base_url")?,
        credentials: ready.get("credentials").cloned().unwrap_or_default(),
        ca_cert_pem_path: text("ca_cert_pem_path"),
        ready_line,
        extra_stdout,
        child,
    })
}

impl SimProcess {
    /// A credential from the ready line, e.g. `cred("access_key")`.
    pub fn cred(&self, key: &str) -> String {
        self.credentials
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| panic!("ready line has no credential {key}"))
            .to_string()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// SIGTERM, then wait for a clean exit (the state file is saved on the way out).
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(
            sent.is_ok_and(|s| s.success()),
            "could not signal panel-sim"
        );
        for _ in 0..100 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("panel-sim did not exit within 5 s of SIGTERM");
    }
}

impl Drop for SimProcess {
    /// SIGTERM first, so the simulator removes its certificate file; SIGKILL only if it
    /// does not stop.
    fn drop(&mut self) {
        let child = &mut self.child;
        let pid = child.id();
        if !terminate_and_wait(pid, Duration::from_secs(5), || {
            matches!(child.try_wait(), Ok(Some(_)) | Err(_))
        }) {
            let _ = child.kill();
        }
        let _ = child.wait();
    }
}

/// Asks process `pid` to stop with SIGTERM and waits up to `patience` for `exited` to
/// report it gone. The provider and the simulators clean up on SIGTERM (socket
/// directory, certificate file); SIGKILL would leave those behind in `$TMPDIR`. Returns
/// false when the process is still running (the caller then kills it).
pub fn terminate_and_wait(
    pid: u32,
    patience: std::time::Duration,
    mut exited: impl FnMut() -> bool,
) -> bool {
    if exited() {
        return true;
    }
    let signalled = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    let started = std::time::Instant::now();
    while started.elapsed() < patience {
        if exited() {
            return true;
        }
        if !signalled {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    exited()
}
