//! terraform-provider-panel: started by Terraform (go-plugin protocol), or by a
//! person with `--debug` to attach Terraform through `TF_REATTACH_PROVIDERS`.

use std::process::ExitCode;

use terraform_provider_panel::adopt::{self as adopt_command, Options};
use terraform_provider_panel::plugin::{self, logging, Mode, ServeOptions};

/// `terraform-provider-panel adopt ...`: writes the configuration that imports what
/// the panel holds (see `adopt --help`).
async fn adopt() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(2).collect();
    let options = match Options::parse(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            let asked_for_help = args.iter().any(|a| a == "--help" || a == "-h");
            return if asked_for_help {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    let registry = terraform_provider_panel::resources::registry();
    match adopt_command::run(&options, &registry.adopters).await {
        Ok(_) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("panel adopt: {message}");
            ExitCode::from(1)
        }
    }
}

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
        Some("adopt") => return adopt().await,
        Some(_) => {
            eprintln!(
                "usage: terraform-provider-panel [--debug | --version]\n       \
                 terraform-provider-panel adopt --help"
            );
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
