mod conformance;
mod framework;
mod protocol;
mod sim_harness;
mod support;
mod value;
