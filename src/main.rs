//! terraform-provider-panel: started by Terraform (go-plugin protocol), or by a
//! person with `--debug` to attach Terraform through `TF_REATTACH_PROVIDERS`.

use std::process::ExitCode;

use terraform_provider_panel::plugin::{self, logging, Mode, ServeOptions};

// One thread: every RPC waits on the panel's network answers, not on the CPU, and
// each extra worker thread costs resident memory in every provider process
// (Terraform starts one per provider block).
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mode = match std::env::args().nth(1).as_deref() {
        None => Mode::Managed,
        Some("--debug" | "-debug") => Mode::Debug,
        Some("--version" | "-version") => {
            println!("terraform-provider-panel {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Some(_) => {
            eprintln!("usage: terraform-provider-panel [--debug | --version]");
            return ExitCode::from(2);
        }
    };
    logging::init(mode == Mode::Debug);
    let service = terraform_provider_panel::service();
    match plugin::serve(service, ServeOptions::from_process(mode)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err}");
            ExitCode::from(1)
        }
    }
}
