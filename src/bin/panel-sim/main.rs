//! panel-sim: simulators of the Plesk (REST v2 + XML), PanelAlpha and HestiaCP APIs.

mod panel;
mod plesk;

fn main() {}
