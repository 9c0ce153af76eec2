
mod sim_panelalpha;
