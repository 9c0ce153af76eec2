mod framework;
mod protocol;
mod resources;
mod sim_harness;
mod sim_panelalpha;
mod support;
mod value;
