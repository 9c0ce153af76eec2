mod sim_plesk;
