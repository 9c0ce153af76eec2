//! `--tls`: a freshly generated self-signed certificate (SAN `localhost` and
//! `127.0.0.1`), served with rustls on the aws-lc-rs provider. The certificate's
//! PEM goes to a temporary file so clients can trust it (`ca_cert_pem_path`).

use std::sync::Arc;

use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// The acceptor plus the PEM file; the file is deleted when this is dropped.
pub struct SimTls {
    pub acceptor: TlsAcceptor,
    pub ca_pem_file: tempfile::NamedTempFile,
}

pub fn generate() -> Result<SimTls, String> {
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let certified = rcgen::generate_simple_self_signed(names)
        .map_err(|err| format!("cannot generate certificate: {err}"))?;
    let cert_pem = certified.cert.pem();
    let cert_der: CertificateDer<'static> = certified.cert.der().clone();
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| format!("cannot configure TLS: {err}"))?
        .with_no_client_auth()
        .with_single_cert(vec![cert_der], key_der)
        .map_err(|err| format!("cannot configure TLS: {err}"))?;
    // The harness speaks HTTP/1.1 only (drop-after-commit relies on owning the
    // connection), so never let a client negotiate h2.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];

    let mut ca_pem_file = tempfile::Builder::new()
        .prefix("panel-sim-ca-")
        .suffix(".pem")
        .tempfile()
        .map_err(|err| format!("cannot create certificate file: {err}"))?;
    std::io::Write::write_all(&mut ca_pem_file, cert_pem.as_bytes())
        .map_err(|err| format!("cannot write certificate file: {err}"))?;

    Ok(SimTls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_pem_file,
    })
}
