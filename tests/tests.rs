//! The one integration-test binary: every suite is a module here.

// The simulator suites compile panel-sim modules in by path (a binary crate cannot be
// imported), so its small `panel.rs` trait file is loaded once per suite on purpose.
#![allow(clippy::duplicate_mod)]

mod acceptance;
mod bench_cli;
mod cleanup;
mod conformance;
mod data_sources;
mod docs;
mod framework;
mod layers;
mod protocol;
mod quickstart;
mod release;
mod resources;
mod sim_harness;
mod sim_hestia;
mod sim_panelalpha;
mod sim_plesk;
mod support;
mod value;
