mod support;

mod sim_harness;
mod sim_hestia;
