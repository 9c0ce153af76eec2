//! Compiles the protocol definitions in proto/ with protox (pure Rust, so no system
//! `protoc` is needed) and generates tonic servers and clients. The clients are used
//! by the integration tests and the benchmark, which play Terraform's part.

use std::error::Error;

const PROTOS: [&str; 4] = [
    "proto/tfplugin5.proto",
    "proto/grpc_controller.proto",
    "proto/grpc_stdio.proto",
    "proto/grpc_broker.proto",
];

fn main() -> Result<(), Box<dyn Error>> {
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    let descriptors = protox::compile(PROTOS, ["proto"])?;
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        // No `connect()` helper: the shipped binary never dials out, so it does not
        // need tonic's client transport. Tests bring their own channel.
        .build_transport(false)
        // These carry Terraform values and state, which hold passwords; their Debug
        // impls are written by hand (src/plugin/convert.rs) to print sizes only.
        .skip_debug([".tfplugin5.DynamicValue", ".tfplugin5.RawState"])
        .compile_fds(descriptors)?;
    Ok(())
}
