
mod sim_plesk;
