//! Realism knobs: artificial latency, injected 5xx, 429 rate limiting, scripted
//! failures (`fail_next`) and drop-after-commit, as set by the CLI and by
//! `PUT /__sim/faults`.
//!
//! Decision order for one panel request (first match wins):
//! latency (always applied) -> `fail_next` -> rate limit -> `fail_rate` ->
//! `drop_after_commit_next` -> normal handling. Scripted failures come first so a
//! test that asks for "the next request fails with 503" gets exactly that even
//! when a rate limit is also configured.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// One scripted failure: the next `count` requests whose route key matches
/// `route` (or any request when `route` is absent) answer `status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailNext {
    pub status: u16,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
}

fn one() -> u32 {
    1
}

/// The current fault settings, exactly as `GET /__sim/faults` shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Faults {
    pub latency_ms: u64,
    pub fail_rate: f64,
    /// `None` (shown as `null`) = no rate limit.
    pub rate_limit_rps: Option<u32>,
    pub fail_next: Vec<FailNext>,
    pub drop_after_commit_next: u64,
}

/// A partial update from `PUT /__sim/faults`: fields that are absent keep their
/// value (so a test can add `fail_next` without undoing `--latency-ms`);
/// `fail_next` replaces the whole queue; `rate_limit_rps: null` or `0` disables it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultsUpdate {
    pub latency_ms: Option<u64>,
    pub fail_rate: Option<f64>,
    #[serde(default, deserialize_with = "double_option")]
    pub rate_limit_rps: Option<Option<u32>>,
    pub fail_next: Option<Vec<FailNext>>,
    pub drop_after_commit_next: Option<u64>,
}

/// Distinguishes "field absent" (outer None) from "field is null" (Some(None)).
fn double_option<'de, D>(deserializer: D) -> Result<Option<Option<u32>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Option::<u32>::deserialize(deserializer).map(Some)
}

impl FaultsUpdate {
    fn validate(&self) -> Result<(), String> {
        if let Some(rate) = self.fail_rate {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("fail_rate must be within 0..=1, got {rate}"));
            }
        }
        if let Some(latency) = self.latency_ms {
            // Beyond a minute every client times out; almost surely a unit mistake.
            if latency > 60_000 {
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
        Ok(())
    }
}

/// What the harness does with one panel request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Run the panel handler and answer normally.
    Proceed,
    /// Answer this status without running the handler (nothing is committed).
    Fail(u16),
    /// Answer 429 with `Retry-After: <seconds>` without running the handler.
    RateLimited(u64),
    /// Run the handler (its changes are committed), then close the connection
    /// without sending any response.
    DropAfterCommit,
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
    inner: Mutex<KnobState>,
}

#[derive(Debug)]
struct KnobState {
    faults: Faults,
    bucket: Option<TokenBucket>,
}

impl Knobs {
    pub fn new(initial: Faults) -> Self {
        let bucket = initial.rate_limit_rps.map(TokenBucket::new);
        Self {
            inner: Mutex::new(KnobState {
                faults: initial,
                bucket,
            }),
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

    pub fn clear(&self) {
        let mut state = self.lock();
        state.faults = Faults::default();
        state.bucket = None;
    }

    pub fn update(&self, update: FaultsUpdate) -> Result<Faults, String> {
        update.validate()?;
        let mut state = self.lock();
        if let Some(latency) = update.latency_ms {
            state.faults.latency_ms = latency;
        }
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
        Ok(state.faults.clone())
    }

    /// Latency to apply to every panel request.
    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.lock().faults.latency_ms)
    }

    /// Decides the fate of one panel request counted under `route`.
    pub fn decide(&self, route: &str) -> Verdict {
        let mut state = self.lock();
        let state = &mut *state;
        if let Some(index) = state
            .faults
            .fail_next
            .iter()
            .position(|entry| entry.route.as_deref().is_none_or(|r| r == route))
        {
            let entry = &mut state.faults.fail_next[index];
            let status = entry.status;
            entry.count = entry.count.saturating_sub(1);
            if entry.count == 0 {
                state.faults.fail_next.remove(index);
            }
            return Verdict::Fail(status);
        }
        if let (Some(rate), Some(bucket)) = (state.faults.rate_limit_rps, state.bucket.as_mut()) {
            if let Err(retry_after) = bucket.take(rate) {
                return Verdict::RateLimited(retry_after);
            }
        }
        if state.faults.fail_rate > 0.0 && rand::random::<f64>() < state.faults.fail_rate {
            const INJECTED: [u16; 3] = [500, 502, 503];
            return Verdict::Fail(INJECTED[rand::random_range(0..INJECTED.len())]);
        }
        if state.faults.drop_after_commit_next > 0 {
            state.faults.drop_after_commit_next -= 1;
            return Verdict::DropAfterCommit;
        }
        Verdict::Proceed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_next_counts_down_and_respects_route() {
        let knobs = Knobs::new(Faults::default());
        knobs
            .update(FaultsUpdate {
                fail_next: Some(vec![FailNext {
                    status: 503,
                    count: 2,
                    route: Some("v-list-user".into()),
                }]),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(knobs.decide("v-add-user"), Verdict::Proceed);
        assert_eq!(knobs.decide("v-list-user"), Verdict::Fail(503));
        assert_eq!(knobs.decide("v-list-user"), Verdict::Fail(503));
        assert_eq!(knobs.decide("v-list-user"), Verdict::Proceed);
        assert!(knobs.current().fail_next.is_empty());
    }

    #[test]
    fn rate_limit_refuses_beyond_burst_with_retry_after() {
        let knobs = Knobs::new(Faults {
            rate_limit_rps: Some(2),
            ..Default::default()
        });
        assert_eq!(knobs.decide("x"), Verdict::Proceed);
        assert_eq!(knobs.decide("x"), Verdict::Proceed);
        assert_eq!(knobs.decide("x"), Verdict::RateLimited(1));
    }

    #[test]
    fn fail_rate_one_always_fails_with_5xx() {
        let knobs = Knobs::new(Faults {
            fail_rate: 1.0,
            ..Default::default()
        });
        for _ in 0..20 {
            match knobs.decide("x") {
                Verdict::Fail(status) => assert!([500, 502, 503].contains(&status)),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn update_rejects_out_of_range_values() {
        let knobs = Knobs::new(Faults::default());
        let bad_rate = FaultsUpdate {
            fail_rate: Some(1.5),
            ..Default::default()
        };
        assert!(knobs.update(bad_rate).is_err());
        let bad_status = FaultsUpdate {
            fail_next: Some(vec![FailNext {
                status: 200,
                count: 1,
                route: None,
            }]),
            ..Default::default()
        };
        assert!(knobs.update(bad_status).is_err());
    }

    #[test]
    fn drop_after_commit_counts_down() {
        let knobs = Knobs::new(Faults {
            drop_after_commit_next: 1,
            ..Default::default()
        });
        assert_eq!(knobs.decide("x"), Verdict::DropAfterCommit);
        assert_eq!(knobs.decide("x"), Verdict::Proceed);
    }
}
