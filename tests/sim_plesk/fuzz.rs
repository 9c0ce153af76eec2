//! Random XML, JSON, paths and headers never crash the simulator and always get a
//! Plesk-shaped error (or a valid answer).
