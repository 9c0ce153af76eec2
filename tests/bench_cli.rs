//! The benchmarks' argument handling (`benches/support/cli.rs`), checked here because a
//! benchmark binary (`harness = false`) has no test harness of its own: `cargo bench`,
//! `cargo test` and cargo-nextest each get the answer they expect.

#[path = "../benches/support/cli.rs"]
mod cli;

use cli::{decide, Run};

fn args(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_owned).collect()
}

#[test]
fn every_runner_gets_its_answer() {
    assert_eq!(decide(&args("--bench")), (Run::Measure, None));
    assert_eq!(decide(&args("")), (Run::Smoke, None));
    assert_eq!(
        decide(&args("--list --format terse")),
        (Run::Nothing, Some("smoke: test\n".into()))
    );
    assert_eq!(
        decide(&args("--list --format terse --ignored")),
        (Run::Nothing, Some(String::new()))
    );
    assert_eq!(
        decide(&args("smoke --exact --nocapture")),
        (Run::Smoke, None)
    );
    assert_eq!(decide(&args("other --exact")), (Run::Nothing, None));
    assert_eq!(decide(&args("smo")), (Run::Smoke, None));
    assert_eq!(decide(&args("--test-threads 2")), (Run::Smoke, None));
}
