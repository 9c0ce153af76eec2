mod framework;
mod protocol;
mod sim_harness;
mod sim_panelalpha;
mod support;
mod value;
