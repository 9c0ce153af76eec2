//! What a benchmark binary (`harness = false`) does with its arguments, so every runner
//! gets an answer it understands:
//!
//! - `cargo bench` passes `--bench`: the full measurement.
//! - `cargo test --all-targets` passes nothing (or a name filter): a short smoke run on
//!   the debug build proves the benchmark still works.
//! - cargo-nextest first asks `--list --format terse` (and `--list --ignored`), then
//!   runs each listed name with `--exact`: the binary lists one test, `smoke`, and runs
//!   the smoke run for it; it has no ignored tests.

#![allow(dead_code)] // the integration tests check `decide` (tests/bench_cli.rs)

/// The one test a benchmark binary reports to a test runner.
pub const SMOKE_TEST: &str = "smoke";

/// What the arguments ask for.
#[derive(Debug, PartialEq, Eq)]
pub enum Run {
    /// `cargo bench`: measure in full.
    Measure,
    /// A test runner: the short smoke run.
    Smoke,
    /// Nothing to run (a listing was printed, or a filter excludes the smoke test).
    Nothing,
}

/// Reads the process arguments; prints the listing when one is asked for.
pub fn from_args() -> Run {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (run, listing) = decide(&args);
    if let Some(listing) = listing {
        print!("{listing}");
    }
    run
}

/// What `args` ask for, and the listing to print if one is asked for.
pub fn decide(args: &[String]) -> (Run, Option<String>) {
    let has = |flag: &str| args.iter().any(|arg| arg == flag);
    if has("--bench") {
        return (Run::Measure, None);
    }
    let ignored = has("--ignored");
    let exact = has("--exact");
    // Positional arguments are name filters; values of `--flag value` options that
    // libtest accepts are skipped with them.
    let mut filters = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if matches!(
            arg.as_str(),
            "--format" | "--skip" | "--test-threads" | "--color" | "-Z" | "--logfile"
        ) {
            rest.next();
        } else if !arg.starts_with('-') {
            filters.push(arg.as_str());
        }
    }
    let selected = !ignored
        && (filters.is_empty()
            || filters.iter().any(|filter| {
                if exact {
                    *filter == SMOKE_TEST
                } else {
                    SMOKE_TEST.contains(filter)
                }
            }));
    if has("--list") {
        let listing = if selected {
            format!("{SMOKE_TEST}: test\n")
        } else {
            String::new()
        };
        return (Run::Nothing, Some(listing));
    }
    (if selected { Run::Smoke } else { Run::Nothing }, None)
}
