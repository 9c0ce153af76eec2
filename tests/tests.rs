mod framework;
mod protocol;
mod resources;
mod sim_harness;
mod sim_panelalpha;
mod sim_plesk;
mod support;
mod value;
