//! Realism knobs: artificial latency (per request kind), injected 5xx, 429 rate
//! limiting, scripted failures (`fail_next`) and the after-commit faults
//! (`drop_after_commit_next`, `delay_after_commit`, `status_after_commit`), as set
//! by the CLI and by `PUT /__sim/faults`. SIM.md documents the contract.
//!
//! Decision order for one panel request (first match wins for the refusals):
//! latency (always applied, by kind) -> `fail_next` -> rate limit -> `fail_rate`
//! -> the request is carried out -> after-commit faults. Scripted failures come
//! first so a test that asks for "the next request fails with 503" gets exactly
//! that even when a rate limit is also configured. After-commit faults combine:
//! a matching `delay_after_commit` holds the answer back, then a matching
//! `drop_after_commit_next` closes the connection or a matching
//! `status_after_commit` replaces the answer.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::panel::RequestKind;

/// `"read"` or `"write"` in the control API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KindName {
    Read,
    Write,
}

impl KindName {
    fn matches(self, kind: RequestKind) -> bool {
        matches!(
            (self, kind),
            (KindName::Read, RequestKind::Read) | (KindName::Write, RequestKind::Write)
        )
    }
}

/// Whether a scripted knob applies to a request: its route key equals `route`
/// (when given) and its kind is `kind` (when given); both absent = every request.
fn targets(route: Option<&str>, kind: Option<KindName>, request: (&str, RequestKind)) -> bool {
    route.is_none_or(|r| r == request.0) && kind.is_none_or(|k| k.matches(request.1))
}

/// One scripted failure: the next `count` matching requests answer `status`
/// without being carried out. A 429 carries `Retry-After: retry_after` (1 s
/// unless given).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailNext {
    pub status: u16,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<KindName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// The next `count` matching requests are carried out, then their answer is
/// held back `ms` milliseconds (a client with a shorter timeout gives up while
/// the panel committed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelayAfterCommit {
    pub ms: u64,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<KindName>,
}

/// The next `count` matching requests are carried out, then answered with
/// `status` (a 5xx, nginx-shaped) instead of the panel's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusAfterCommit {
    pub status: u16,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<KindName>,
}

fn one() -> u32 {
    1
}

/// Artificial latency per request kind. `--latency-ms N` (or `"latency_ms": N`)
/// sets both; `read=200,write=900` (or `{"read":200,"write":900}`) each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Latency {
    pub read_ms: u64,
    pub write_ms: u64,
}

impl Latency {
    pub fn uniform(ms: u64) -> Self {
        Self {
            read_ms: ms,
            write_ms: ms,
        }
    }

    pub fn for_kind(&self, kind: RequestKind) -> Duration {
        Duration::from_millis(match kind {
            RequestKind::Read => self.read_ms,
            RequestKind::Write => self.write_ms,
        })
    }

    /// Parses the CLI form: `N`, or `read=N,write=M` (a kind left out is 0).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Ok(ms) = text.parse::<u64>() {
            return Ok(Self::uniform(ms));
        }
        let mut latency = Self::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("expected N or read=N,write=M, got {text:?}"))?;
            let ms = value
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("latency {value:?} is not a whole number of ms"))?;
            match key.trim() {
                "read" => latency.read_ms = ms,
                "write" => latency.write_ms = ms,
                other => return Err(format!("unknown latency kind {other:?} (read or write)")),
            }
        }
        Ok(latency)
    }
}

impl Serialize for Latency {
    /// A number when both kinds are equal (what older clients expect), else
    /// `{"read": N, "write": M}`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.read_ms == self.write_ms {
            serializer.serialize_u64(self.read_ms)
        } else {
            use serde::ser::SerializeMap;
            let mut map = serializer.serialize_map(Some(2))?;
            map.serialize_entry("read", &self.read_ms)?;
            map.serialize_entry("write", &self.write_ms)?;
            map.end()
        }
    }
}

impl<'de> Deserialize<'de> for Latency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Given {
            Uniform(u64),
            Text(String),
            PerKind {
                #[serde(default)]
                read: Option<u64>,
                #[serde(default)]
                write: Option<u64>,
            },
        }
        match Given::deserialize(deserializer)? {
            Given::Uniform(ms) => Ok(Latency::uniform(ms)),
            Given::Text(text) => Latency::parse(&text).map_err(serde::de::Error::custom),
            Given::PerKind { read, write } => Ok(Latency {
                read_ms: read.unwrap_or(0),
                write_ms: write.unwrap_or(0),
            }),
        }
    }
}

/// The current fault settings, exactly as `GET /__sim/faults` shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Faults {
    pub latency_ms: Latency,
    pub read_latency_ms: u64,
    pub write_latency_ms: u64,
    pub fail_rate: f64,
    /// `None` (shown as `null`) = no rate limit.
    pub rate_limit_rps: Option<u32>,
    pub fail_next: Vec<FailNext>,
    pub drop_after_commit_next: u64,
    pub delay_after_commit: Vec<DelayAfterCommit>,
    pub status_after_commit: Vec<StatusAfterCommit>,
}

impl Faults {
    /// Settings from the command line (no scripted faults).
    pub fn from_cli(latency: Latency, fail_rate: f64, rate_limit_rps: Option<u32>) -> Self {
        let mut faults = Faults {
            fail_rate,
            rate_limit_rps,
            ..Faults::default()
        };
        faults.set_latency(latency);
        faults
    }

    fn set_latency(&mut self, latency: Latency) {
        self.latency_ms = latency;
        self.read_latency_ms = latency.read_ms;
        self.write_latency_ms = latency.write_ms;
    }
}

/// A partial update from `PUT /__sim/faults`: fields that are absent keep their
/// value (so a test can add `fail_next` without undoing `--latency-ms`); the
/// list knobs replace their whole queue; `rate_limit_rps: null` or `0` disables
/// it. `latency_ms` takes a number (both kinds), `"read=N,write=M"` or
/// `{"read":N,"write":M}`; `read_latency_ms` / `write_latency_ms` change one kind.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultsUpdate {
    pub latency_ms: Option<Latency>,
    pub read_latency_ms: Option<u64>,
    pub write_latency_ms: Option<u64>,
    pub fail_rate: Option<f64>,
    #[serde(default, deserialize_with = "double_option")]
    pub rate_limit_rps: Option<Option<u32>>,
    pub fail_next: Option<Vec<FailNext>>,
    pub drop_after_commit_next: Option<u64>,
    pub delay_after_commit: Option<Vec<DelayAfterCommit>>,
    pub status_after_commit: Option<Vec<StatusAfterCommit>>,
}

/// Distinguishes "field absent" (outer None) from "field is null" (Some(None)).
fn double_option<'de, D>(deserializer: D) -> Result<Option<Option<u32>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Option::<u32>::deserialize(deserializer).map(Some)
}

/// Beyond a minute every client times out; almost surely a unit mistake.
const MAX_DELAY_MS: u64 = 60_000;

impl FaultsUpdate {
    fn validate(&self) -> Result<(), String> {
        if let Some(rate) = self.fail_rate {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("fail_rate must be within 0..=1, got {rate}"));
            }
        }
        let latencies = [
            self.latency_ms.map(|l| l.read_ms),
            self.latency_ms.map(|l| l.write_ms),
            self.read_latency_ms,
            self.write_latency_ms,
        ];
        for latency in latencies.into_iter().flatten() {
            if latency > MAX_DELAY_MS {
                return Err(format!("latency_ms must be at most 60000, got {latency}"));
            }
        }
        for entry in self.fail_next.iter().flatten() {
            if !(400..=599).contains(&entry.status) {
                return Err(format!(
                    "fail_next status must be an HTTP error status (400..=599), got {}",
                    entry.status
                ));
            }
        }
        for entry in self.delay_after_commit.iter().flatten() {
            if entry.ms > MAX_DELAY_MS {
                return Err(format!(
                    "delay_after_commit ms must be at most 60000, got {}",
                    entry.ms
                ));
            }
        }
        for entry in self.status_after_commit.iter().flatten() {
            if !(500..=599).contains(&entry.status) {
                return Err(format!(
                    "status_after_commit status must be a 5xx, got {}",
                    entry.status
                ));
            }
        }
        Ok(())
    }
}

/// What the harness does with one panel request before running it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Run the panel handler, then apply `after`.
    Proceed(AfterCommit),
    /// Answer this status without running the handler (nothing is committed);
    /// a 429 carries `Retry-After: retry_after`.
    Fail { status: u16, retry_after: u64 },
    /// Answer 429 with `Retry-After: <seconds>` without running the handler.
    RateLimited(u64),
}

/// What happens to the answer of a request that was carried out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AfterCommit {
    /// Hold the answer back this long first.
    pub delay: Option<Duration>,
    pub action: AfterAction,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AfterAction {
    /// Send the panel's answer.
    #[default]
    Answer,
    /// Close the connection without any response.
    Drop,
    /// Send this (5xx) status instead of the panel's answer.
    Status(u16),
}

/// A token bucket refilled continuously at `rate` tokens per second, holding
/// at most `rate` tokens (one second of burst).
#[derive(Debug)]
struct TokenBucket {
    tokens: f64,
    last_refill: Instant,
}

impl TokenBucket {
    fn new(rate: u32) -> Self {
        Self {
            tokens: f64::from(rate),
            last_refill: Instant::now(),
        }
    }

    /// Takes a token, or returns how many whole seconds until one is available.
    fn take(&mut self, rate: u32) -> Result<(), u64> {
        let rate = f64::from(rate.max(1));
        let now = Instant::now();
        let elapsed = now.duration_since(self.last_refill).as_secs_f64();
        self.last_refill = now;
        self.tokens = (self.tokens + elapsed * rate).min(rate);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - self.tokens) / rate;
            // Retry-After carries whole seconds; never tell a client "0".
            Err((wait.ceil() as u64).max(1))
        }
    }
}

/// Fault settings plus the mutable bookkeeping they need.
#[derive(Debug)]
pub struct Knobs {
    /// What the command line asked for: `POST /__sim/reset` comes back to it.
    initial: Faults,
    inner: Mutex<KnobState>,
}

#[derive(Debug)]
struct KnobState {
    faults: Faults,
    bucket: Option<TokenBucket>,
}

/// Takes one use of the first entry of `queue` that matches, dropping it when
/// its count reaches zero.
fn take_first<T>(
    queue: &mut Vec<T>,
    matches: impl Fn(&T) -> bool,
    count: impl Fn(&mut T) -> &mut u32,
) -> Option<T>
where
    T: Clone,
{
    let index = queue.iter().position(matches)?;
    let entry = queue[index].clone();
    let left = count(&mut queue[index]);
    *left = left.saturating_sub(1);
    if *left == 0 {
        queue.remove(index);
    }
    Some(entry)
}

impl Knobs {
    pub fn new(initial: Faults) -> Self {
        let bucket = initial.rate_limit_rps.map(TokenBucket::new);
        Self {
            inner: Mutex::new(KnobState {
                faults: initial.clone(),
                bucket,
            }),
            initial,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, KnobState> {
        // A panic while holding this lock cannot leave the plain data inconsistent,
        // so a poisoned lock is still safe to use.
        self.inner
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    pub fn current(&self) -> Faults {
        self.lock().faults.clone()
    }

    /// Back to the command-line settings: scripted faults and runtime changes
    /// are dropped, `--latency-ms`, `--fail-rate` and `--rate-limit` stay.
    pub fn reset_to_initial(&self) {
        let mut state = self.lock();
        state.faults = self.initial.clone();
        state.bucket = self.initial.rate_limit_rps.map(TokenBucket::new);
    }

    pub fn update(&self, update: FaultsUpdate) -> Result<Faults, String> {
        update.validate()?;
        let mut state = self.lock();
        if let Some(latency) = update.latency_ms {
            state.faults.set_latency(latency);
        }
        let mut latency = state.faults.latency_ms;
        if let Some(read) = update.read_latency_ms {
            latency.read_ms = read;
        }
        if let Some(write) = update.write_latency_ms {
            latency.write_ms = write;
        }
        state.faults.set_latency(latency);
        if let Some(rate) = update.fail_rate {
            state.faults.fail_rate = rate;
        }
        if let Some(limit) = update.rate_limit_rps {
            let limit = limit.filter(|rps| *rps > 0);
            state.faults.rate_limit_rps = limit;
            state.bucket = limit.map(TokenBucket::new);
        }
        if let Some(queue) = update.fail_next {
            state.faults.fail_next = queue.into_iter().filter(|e| e.count > 0).collect();
        }
        if let Some(drops) = update.drop_after_commit_next {
            state.faults.drop_after_commit_next = drops;
        }
        if let Some(queue) = update.delay_after_commit {
            state.faults.delay_after_commit = queue.into_iter().filter(|e| e.count > 0).collect();
        }
        if let Some(queue) = update.status_after_commit {
            state.faults.status_after_commit = queue.into_iter().filter(|e| e.count > 0).collect();
        }
        Ok(state.faults.clone())
    }

    /// Latency to apply to a panel request of this kind.
    pub fn latency(&self, kind: RequestKind) -> Duration {
        self.lock().faults.latency_ms.for_kind(kind)
    }

    /// Decides the fate of one panel request counted under `route`.
    pub fn decide(&self, route: &str, kind: RequestKind) -> Verdict {
        let mut state = self.lock();
        let state = &mut *state;
        let faults = &mut state.faults;
        if let Some(entry) = take_first(
            &mut faults.fail_next,
            |e| targets(e.route.as_deref(), e.kind, (route, kind)),
            |e| &mut e.count,
        ) {
            return Verdict::Fail {
                status: entry.status,
                retry_after: entry.retry_after.unwrap_or(1).max(1),
            };
        }
        if let (Some(rate), Some(bucket)) = (faults.rate_limit_rps, state.bucket.as_mut()) {
            if let Err(retry_after) = bucket.take(rate) {
                return Verdict::RateLimited(retry_after);
            }
        }
        if faults.fail_rate > 0.0 && rand::random::<f64>() < faults.fail_rate {
            const INJECTED: [u16; 3] = [500, 502, 503];
            return Verdict::Fail {
                status: INJECTED[rand::random_range(0..INJECTED.len())],
                retry_after: 1,
            };
        }
        let mut after = AfterCommit::default();
        if let Some(entry) = take_first(
            &mut faults.delay_after_commit,
            |e| targets(e.route.as_deref(), e.kind, (route, kind)),
            |e| &mut e.count,
        ) {
            after.delay = Some(Duration::from_millis(entry.ms));
        }
        if faults.drop_after_commit_next > 0 {
            faults.drop_after_commit_next -= 1;
            after.action = AfterAction::Drop;
        } else if let Some(entry) = take_first(
            &mut faults.status_after_commit,
            |e| targets(e.route.as_deref(), e.kind, (route, kind)),
            |e| &mut e.count,
        ) {
            after.action = AfterAction::Status(entry.status);
        }
        Verdict::Proceed(after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const READ: RequestKind = RequestKind::Read;
    const WRITE: RequestKind = RequestKind::Write;

    fn proceed() -> Verdict {
        Verdict::Proceed(AfterCommit::default())
    }

    fn fail(status: u16) -> Verdict {
        Verdict::Fail {
            status,
            retry_after: 1,
        }
    }

    fn update(json: serde_json::Value) -> FaultsUpdate {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn fail_next_counts_down_and_respects_route() {
        let knobs = Knobs::new(Faults::default());
        knobs
            .update(update(serde_json::json!({"fail_next": [
                {"status": 503, "count": 2, "route": "v-list-user"}]})))
            .unwrap();
        assert_eq!(knobs.decide("v-add-user", WRITE), proceed());
        assert_eq!(knobs.decide("v-list-user", READ), fail(503));
        assert_eq!(knobs.decide("v-list-user", READ), fail(503));
        assert_eq!(knobs.decide("v-list-user", READ), proceed());
        assert!(knobs.current().fail_next.is_empty());
    }

    #[test]
    fn fail_next_can_target_one_kind_and_carry_retry_after() {
        let knobs = Knobs::new(Faults::default());
        knobs
            .update(update(serde_json::json!({"fail_next": [
                {"status": 429, "kind": "read", "retry_after": 7}]})))
            .unwrap();
        // The create goes through; the read-back after it is refused.
        assert_eq!(knobs.decide("v-add-user", WRITE), proceed());
        assert_eq!(
            knobs.decide("v-list-user", READ),
            Verdict::Fail {
                status: 429,
                retry_after: 7
            }
        );
        assert_eq!(knobs.decide("v-list-user", READ), proceed());
        knobs
            .update(update(
                serde_json::json!({"fail_next": [{"status": 500, "kind": "write"}]}),
            ))
            .unwrap();
        assert_eq!(knobs.decide("v-list-user", READ), proceed());
        assert_eq!(knobs.decide("v-add-user", WRITE), fail(500));
    }

    #[test]
    fn rate_limit_refuses_beyond_burst_with_retry_after() {
        let knobs = Knobs::new(Faults::from_cli(Latency::default(), 0.0, Some(2)));
        assert_eq!(knobs.decide("x", READ), proceed());
        assert_eq!(knobs.decide("x", READ), proceed());
        assert_eq!(knobs.decide("x", READ), Verdict::RateLimited(1));
    }

    #[test]
    fn fail_rate_one_always_fails_with_5xx() {
        let knobs = Knobs::new(Faults::from_cli(Latency::default(), 1.0, None));
        for _ in 0..20 {
            match knobs.decide("x", WRITE) {
                Verdict::Fail { status, .. } => assert!([500, 502, 503].contains(&status)),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn update_rejects_out_of_range_values() {
        let knobs = Knobs::new(Faults::default());
        for bad in [
            serde_json::json!({"fail_rate": 1.5}),
            serde_json::json!({"fail_next": [{"status": 200}]}),
            serde_json::json!({"status_after_commit": [{"status": 404}]}),
            serde_json::json!({"delay_after_commit": [{"ms": 60001}]}),
            serde_json::json!({"latency_ms": {"read": 1, "write": 70000}}),
        ] {
            assert!(knobs.update(update(bad.clone())).is_err(), "{bad}");
        }
        assert!(serde_json::from_value::<FaultsUpdate>(
            serde_json::json!({"fail_next": [{"status": 500, "kind": "sometimes"}]})
        )
        .is_err());
    }

    #[test]
    fn drop_after_commit_counts_down() {
        let knobs = Knobs::new(Faults {
            drop_after_commit_next: 1,
            ..Default::default()
        });
        assert_eq!(
            knobs.decide("x", WRITE),
            Verdict::Proceed(AfterCommit {
                delay: None,
                action: AfterAction::Drop
            })
        );
        assert_eq!(knobs.decide("x", WRITE), proceed());
    }

    #[test]
    fn delay_and_status_after_commit_count_down_per_target() {
        let knobs = Knobs::new(Faults::default());
        knobs
            .update(update(serde_json::json!({
                "delay_after_commit": [{"ms": 250, "count": 2, "kind": "write"}],
                "status_after_commit": [{"status": 502, "route": "v-add-user"}]})))
            .unwrap();
        assert_eq!(knobs.decide("v-list-user", READ), proceed());
        assert_eq!(
            knobs.decide("v-add-user", WRITE),
            Verdict::Proceed(AfterCommit {
                delay: Some(Duration::from_millis(250)),
                action: AfterAction::Status(502)
            })
        );
        assert_eq!(
            knobs.decide("v-add-user", WRITE),
            Verdict::Proceed(AfterCommit {
                delay: Some(Duration::from_millis(250)),
                action: AfterAction::Answer
            })
        );
        assert_eq!(knobs.decide("v-add-user", WRITE), proceed());
        let faults = knobs.current();
        assert!(faults.delay_after_commit.is_empty() && faults.status_after_commit.is_empty());
    }

    #[test]
    fn latency_parses_plain_and_per_kind_forms() {
        assert_eq!(Latency::parse("150").unwrap(), Latency::uniform(150));
        assert_eq!(
            Latency::parse("read=200,write=900").unwrap(),
            Latency {
                read_ms: 200,
                write_ms: 900
            }
        );
        assert_eq!(Latency::parse("write=5").unwrap().read_ms, 0);
        assert!(Latency::parse("reads=1").is_err());
        assert!(Latency::parse("read=x").is_err());
        let knobs = Knobs::new(Faults::from_cli(
            Latency::parse("read=200,write=900").unwrap(),
            0.0,
            None,
        ));
        assert_eq!(knobs.latency(READ), Duration::from_millis(200));
        assert_eq!(knobs.latency(WRITE), Duration::from_millis(900));
        let shown = serde_json::to_value(knobs.current()).unwrap();
        assert_eq!(
            shown["latency_ms"],
            serde_json::json!({"read": 200, "write": 900})
        );
        knobs
            .update(update(serde_json::json!({"write_latency_ms": 200})))
            .unwrap();
        let shown = serde_json::to_value(knobs.current()).unwrap();
        assert_eq!(shown["latency_ms"], 200);
        knobs
            .update(update(serde_json::json!({"latency_ms": "read=1,write=2"})))
            .unwrap();
        assert_eq!(knobs.latency(WRITE), Duration::from_millis(2));
    }

    #[test]
    fn reset_returns_to_the_command_line_settings() {
        let knobs = Knobs::new(Faults::from_cli(Latency::uniform(50), 0.25, Some(9)));
        knobs
            .update(update(serde_json::json!({"latency_ms": 0, "fail_rate": 0,
                "fail_next": [{"status": 500}], "drop_after_commit_next": 3})))
            .unwrap();
        knobs.reset_to_initial();
        let faults = knobs.current();
        assert_eq!(faults.latency_ms, Latency::uniform(50));
        assert_eq!(faults.fail_rate, 0.25);
        assert_eq!(faults.rate_limit_rps, Some(9));
        assert!(faults.fail_next.is_empty());
        assert_eq!(faults.drop_after_commit_next, 0);
    }
}
