//! The per-panel request limit: at most `max_concurrent_requests` requests in flight,
//! and fewer while the panel says it is loaded.
//!
//! A panel that answers 429 (or HestiaCP's E_LA, "load average too high") is asking
//! for fewer requests, not only for a pause: retrying at the same concurrency keeps it
//! at its limit, and the calls that run out of tries fail. So the limit is adaptive,
//! additive-increase / multiplicative-decrease as in TCP congestion control:
//! - a load signal halves the limit (never below 1), once per "generation": requests
//!   that were already in flight when the limit was lowered report the same overload
//!   and must not halve it again;
//! - after as many answered requests in a row as the current limit allows at once
//!   (one full round), the limit grows by one, up to the configured ceiling.
//!
//! Lowering works on permits that are in flight too: a permit handed back while the
//! limit is below the number handed out is retired instead of returned.

use std::sync::{Mutex, MutexGuard};

use tokio::sync::{Semaphore, SemaphorePermit};

/// The request limit of one panel (shared by every clone of its transport).
#[derive(Debug)]
pub struct RequestLimit {
    permits: Semaphore,
    ceiling: usize,
    state: Mutex<LimitState>,
}

#[derive(Debug)]
struct LimitState {
    /// Requests allowed at once now.
    limit: usize,
    /// Permits still to retire when they come back (the limit was lowered while they
    /// were in flight).
    debt: usize,
    /// Answered requests since the limit last changed.
    answered: usize,
    /// Incremented on every lowering; a permit remembers the generation it started in.
    generation: u64,
}

/// What one answer said about the panel's load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Load {
    /// A 429 or the panel's own "too busy" answer.
    Overloaded,
    /// Any other answer from the panel.
    Answered,
}

/// One request's place in the limit; handing it back (drop) frees the place, or retires
/// it when the limit was lowered meanwhile.
#[derive(Debug)]
pub struct LimitPermit<'a> {
    limit: &'a RequestLimit,
    permit: Option<SemaphorePermit<'a>>,
    generation: u64,
}

impl RequestLimit {
    /// A limit of `ceiling` requests at once (at least 1).
    pub fn new(ceiling: usize) -> Self {
        let ceiling = ceiling.max(1);
        Self {
            permits: Semaphore::new(ceiling),
            ceiling,
            state: Mutex::new(LimitState {
                limit: ceiling,
                debt: 0,
                answered: 0,
                generation: 0,
            }),
        }
    }

    /// Waits for a place. `None` only if the semaphore were closed, which this type
    /// never does.
    pub async fn acquire(&self) -> Option<LimitPermit<'_>> {
        let permit = self.permits.acquire().await.ok()?;
        let generation = self.state().generation;
        Some(LimitPermit {
            limit: self,
            permit: Some(permit),
            generation,
        })
    }

    /// Requests allowed at once now.
    pub fn current(&self) -> usize {
        self.state().limit
    }

    /// The configured most.
    pub fn ceiling(&self) -> usize {
        self.ceiling
    }

    fn state(&self) -> MutexGuard<'_, LimitState> {
        // A poisoned lock only means another thread panicked while holding it; the
        // counters are still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Halves the limit if the overloaded request started after the last lowering.
    /// Returns the new limit when it changed.
    fn overloaded(&self, generation: u64) -> Option<usize> {
        let mut state = self.state();
        if generation != state.generation || state.limit == 1 {
            return None;
        }
        let lowered = (state.limit / 2).max(1);
        let reduction = state.limit - lowered;
        let retired_now = self.permits.forget_permits(reduction);
        state.debt += reduction - retired_now;
        state.limit = lowered;
        state.answered = 0;
        state.generation += 1;
        Some(lowered)
    }

    /// Counts an answer; one full round of answers raises the limit by one. Returns the
    /// new limit when it changed.
    fn answered(&self) -> Option<usize> {
        let mut state = self.state();
        if state.limit >= self.ceiling {
            return None;
        }
        state.answered += 1;
        if state.answered < state.limit {
            return None;
        }
        state.answered = 0;
        state.limit += 1;
        if state.debt > 0 {
            // A permit still out counts towards the new limit: retire one fewer.
            state.debt -= 1;
        } else {
            self.permits.add_permits(1);
        }
        Some(state.limit)
    }
}

impl LimitPermit<'_> {
    /// Tells the limit what the answer said. Returns the new limit when it changed.
    pub fn report(&self, load: Load) -> Option<usize> {
        match load {
            Load::Overloaded => self.limit.overloaded(self.generation),
            Load::Answered => self.limit.answered(),
        }
    }
}

impl Drop for LimitPermit<'_> {
    fn drop(&mut self) {
        let Some(permit) = self.permit.take() else {
            return;
        };
        let mut state = self.limit.state();
        if state.debt > 0 {
            state.debt -= 1;
            permit.forget();
        }
        // Otherwise the permit returns to the semaphore as it drops here.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn available(limit: &RequestLimit) -> usize {
        limit.permits.available_permits()
    }

    #[tokio::test]
    async fn starts_at_the_ceiling_and_never_below_one() {
        let limit = RequestLimit::new(0);
        assert_eq!(limit.current(), 1);
        let permit = limit.acquire().await.unwrap();
        assert_eq!(permit.report(Load::Overloaded), None, "1 is the floor");
        drop(permit);
        assert_eq!(available(&limit), 1);
    }

    #[tokio::test]
    async fn a_load_signal_halves_the_limit_once_per_generation() {
        let limit = RequestLimit::new(10);
        let mut in_flight = Vec::new();
        for _ in 0..10 {
            in_flight.push(limit.acquire().await.unwrap());
        }
        // All ten requests were sent before anything was lowered and all are refused:
        // one halving, not ten.
        let changes: Vec<_> = in_flight
            .iter()
            .map(|p| p.report(Load::Overloaded))
            .collect();
        assert_eq!(changes[0], Some(5));
        assert!(changes[1..].iter().all(Option::is_none));
        assert_eq!(limit.current(), 5);
        // The five permits over the new limit are retired as they come back.
        drop(in_flight);
        assert_eq!(available(&limit), 5);
        // A request sent after the lowering that is refused too lowers again.
        let permit = limit.acquire().await.unwrap();
        assert_eq!(permit.report(Load::Overloaded), Some(2));
        drop(permit);
        assert_eq!(available(&limit), 2);
    }

    #[tokio::test]
    async fn lowering_with_idle_permits_retires_them_at_once() {
        let limit = RequestLimit::new(8);
        let permit = limit.acquire().await.unwrap();
        assert_eq!(permit.report(Load::Overloaded), Some(4));
        // Seven were idle: four retired at once, none owed.
        assert_eq!(available(&limit), 3);
        drop(permit);
        assert_eq!(available(&limit), 4);
    }

    #[tokio::test]
    async fn answers_raise_the_limit_one_round_at_a_time_up_to_the_ceiling() {
        let limit = RequestLimit::new(4);
        let permit = limit.acquire().await.unwrap();
        permit.report(Load::Overloaded);
        drop(permit);
        assert_eq!(limit.current(), 2);
        let mut seen = Vec::new();
        for _ in 0..20 {
            let permit = limit.acquire().await.unwrap();
            if let Some(new) = permit.report(Load::Answered) {
                seen.push(new);
            }
        }
        // 2 answers -> 3, 3 more -> 4, then the ceiling holds.
        assert_eq!(seen, vec![3, 4]);
        assert_eq!(limit.current(), 4);
        assert_eq!(available(&limit), 4);
    }

    #[tokio::test]
    async fn raising_while_permits_are_owed_cancels_the_debt_first() {
        let limit = RequestLimit::new(4);
        let held: Vec<_> = vec![
            limit.acquire().await.unwrap(),
            limit.acquire().await.unwrap(),
            limit.acquire().await.unwrap(),
            limit.acquire().await.unwrap(),
        ];
        assert_eq!(held[0].report(Load::Overloaded), Some(2));
        // Two of the four in flight are owed. Two answers raise the limit to 3.
        held[1].report(Load::Answered);
        assert_eq!(held[2].report(Load::Answered), Some(3));
        drop(held);
        assert_eq!(available(&limit), 3);
        assert_eq!(limit.current(), 3);
    }
}
