mod acceptance;
mod framework;
mod protocol;
mod sim_harness;
mod sim_panelalpha;
mod sim_plesk;
mod support;
mod value;
