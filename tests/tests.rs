mod support;

mod sim_harness;
