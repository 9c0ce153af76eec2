mod framework;
mod protocol;
mod sim_panelalpha;
mod support;
mod value;
