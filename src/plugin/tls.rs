//! go-plugin AutoMTLS, server side.
//!
//! Terraform puts its client certificate (PEM) in `PLUGIN_CLIENT_CERT` and trusts
//! exactly the server certificate printed in the handshake line. So each process
//! makes a fresh key pair and certificate for `localhost`, and accepts a client only
//! if it presents exactly Terraform's certificate and proves it holds the key.
//!
//! Terraform's certificate is self-signed ECDSA P-521/SHA-512 with CA:TRUE. webpki
//! path building refuses a CA certificate used as an end entity, and *ring* cannot
//! verify P-521 at all. Hence a pinning [`ClientCertVerifier`] (no path building)
//! whose handshake signature checks use the aws-lc-rs algorithms, which include
//! ECDSA P-521/SHA-512.

use std::fmt;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};

/// Why TLS could not be set up. Messages are for the person reading Terraform's log.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error(
        "PLUGIN_CLIENT_CERT does not hold a PEM certificate ({0}); it is set by Terraform \
         when it launches the provider and should not be set by hand"
    )]
    ClientCertificate(String),
    #[error("could not create the provider's TLS certificate: {0}")]
    ServerCertificate(#[from] rcgen::Error),
    #[error("could not configure TLS: {0}")]
    Config(#[from] rustls::Error),
}

/// The provider's own certificate, made fresh for each process.
pub(crate) struct ServerIdentity {
    pub(crate) certificate: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

impl fmt::Debug for ServerIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerIdentity")
            .field("certificate_len", &self.certificate.len())
            .finish_non_exhaustive()
    }
}

/// A self-signed ECDSA P-256 certificate for `localhost`.
///
/// Shaped like go-plugin's own server certificate (CA:TRUE, serverAuth), which is
/// what Terraform's Go TLS client is known to accept when it uses the certificate
/// as its only root. Validity is rcgen's wide default: the key lives only as long
/// as this process, so an expiry date would protect nothing.
pub(crate) fn generate_server_identity() -> Result<ServerIdentity, TlsError> {
    let key_pair = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "terraform-provider-panel");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let certificate = params.self_signed(&key_pair)?;
    Ok(ServerIdentity {
        certificate: certificate.der().clone(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der())),
    })
}

/// The certificate in `PLUGIN_CLIENT_CERT` (the first one, if several are given).
pub(crate) fn parse_client_certificate(pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|err| TlsError::ClientCertificate(err.to_string()))
}

/// TLS ≥1.2 with the aws-lc-rs provider, ALPN `h2` (grpc-go ≥1.67, used by
/// Terraform ≥1.12, refuses servers that do not negotiate it), and a mandatory
/// client certificate equal to `client_certificate`.
pub(crate) fn server_config(
    identity: ServerIdentity,
    client_certificate: CertificateDer<'static>,
) -> Result<Arc<ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = PinnedClientCertVerifier {
        pinned: client_certificate,
        algorithms: provider.signature_verification_algorithms,
    };
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(vec![identity.certificate], identity.key)?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

/// Accepts exactly one client certificate, compared byte for byte.
///
/// Pinning stands in for path validation: Terraform hands us the very certificate
/// it will present, over a channel (the environment) only it and we can read. The
/// certificate's validity dates and CA flag are deliberately not judged; possession
/// of its key is proven by the handshake signature checks below.
struct PinnedClientCertVerifier {
    pinned: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl fmt::Debug for PinnedClientCertVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinnedClientCertVerifier")
            .field("pinned_len", &self.pinned.len())
            .finish_non_exhaustive()
    }
}

impl ClientCertVerifier for PinnedClientCertVerifier {
    fn client_auth_mandatory(&self) -> bool {
        true
    }

    /// No CA names are hinted: Go's client then offers its only certificate as long
    /// as our signature schemes fit it, which they do (P-521/SHA-512 included).
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.pinned.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            tracing::warn!("Refused a TLS client whose certificate is not Terraform's");
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_identity_is_a_localhost_certificate() {
        let identity = generate_server_identity().expect("certificate");
        let (_, cert) =
            x509_parser::parse_x509_certificate(identity.certificate.as_ref()).expect("parses");
        let san = cert
            .subject_alternative_name()
            .expect("extension parses")
            .expect("has SAN");
        assert!(format!("{:?}", san.value.general_names).contains("localhost"));
        assert!(cert.validity().is_valid());
    }

    #[test]
    fn aws_lc_rs_verifies_terraforms_p521_signatures() {
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        assert!(provider
            .signature_verification_algorithms
            .supported_schemes()
            .contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
    }

    #[test]
    fn client_certificate_must_be_pem() {
        assert!(parse_client_certificate("not a certificate").is_err());
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("key");
        let cert = CertificateParams::new(vec!["localhost".to_string()])
            .expect("params")
            .self_signed(&key)
            .expect("cert");
        let parsed = parse_client_certificate(&cert.pem()).expect("parses");
        assert_eq!(parsed.as_ref(), cert.der().as_ref());
    }

    #[test]
    fn verifier_pins_the_exact_certificate() {
        let make = || {
            let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("key");
            CertificateParams::new(vec!["localhost".to_string()])
                .expect("params")
                .self_signed(&key)
                .expect("cert")
                .der()
                .clone()
        };
        let terraform = make();
        let stranger = make();
        let verifier = PinnedClientCertVerifier {
            pinned: terraform.clone(),
            algorithms: rustls::crypto::aws_lc_rs::default_provider()
                .signature_verification_algorithms,
        };
        assert!(verifier.client_auth_mandatory());
        assert!(verifier
            .verify_client_cert(&terraform, &[], UnixTime::now())
            .is_ok());
        assert!(verifier
            .verify_client_cert(&stranger, &[], UnixTime::now())
            .is_err());
    }
}
