//! TLS for tests, with real parts: a certificate authority made at test time (rcgen, ring),
//! the server certificates it issues (for given host names, or expired), a self-signed one
//! outside it, and a TLS-terminating proxy on loopback that puts any plain HTTP server (an
//! axum site, a running `dongbo serve`) behind https with one of them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, date_time_ymd,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A certificate authority of one test.
pub struct Pki {
    issuer: Issuer<'static, KeyPair>,
    ca_pem: String,
}

impl std::fmt::Debug for Pki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pki").finish_non_exhaustive()
    }
}

/// A server's certificate chain and key.
#[derive(Debug)]
pub struct Identity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl Pki {
    /// A new CA named `name`.
    pub fn new(name: &str) -> Pki {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
        ];
        let key = KeyPair::generate().expect("a CA key");
        let certificate = params.self_signed(&key).expect("the CA certificate");
        Pki {
            ca_pem: certificate.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// The CA's certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Writes the CA's certificate as `ca.pem` in `folder`; its path.
    pub fn write_ca(&self, folder: &Path) -> PathBuf {
        let path = folder.join("ca.pem");
        std::fs::write(&path, &self.ca_pem).expect("write the CA file");
        path
    }

    /// A certificate for `names` (host names or IP addresses), valid now.
    pub fn server(&self, names: &[&str]) -> Identity {
        self.issue(names, None)
    }

    /// A certificate for `names` that expired in 2021.
    pub fn expired_server(&self, names: &[&str]) -> Identity {
        self.issue(names, Some((2020, 2021)))
    }

    /// A certificate for `names` valid only from 2099 (a server whose clock, or whose
    /// certificate's issuer, is wrong).
    pub fn future_server(&self, names: &[&str]) -> Identity {
        self.issue(names, Some((2099, 2100)))
    }

    /// A certificate valid now, or from the start of one year to the start of another.
    fn issue(&self, names: &[&str], years: Option<(i32, i32)>) -> Identity {
        let mut params = server_params(names);
        if let Some((from, until)) = years {
            params.not_before = date_time_ymd(from, 1, 1);
            params.not_after = date_time_ymd(until, 1, 1);
        }
        let key = KeyPair::generate().expect("a server key");
        let certificate = params
            .signed_by(&key, &self.issuer)
            .expect("a server certificate");
        Identity {
            chain: vec![certificate.der().clone()],
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }
}

/// A self-signed certificate for `names`: trusted by no one.
pub fn self_signed(names: &[&str]) -> Identity {
    let key = KeyPair::generate().expect("a key");
    let certificate = server_params(names)
        .self_signed(&key)
        .expect("a self-signed certificate");
    Identity {
        chain: vec![certificate.der().clone()],
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    }
}

fn server_params(names: &[&str]) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let mut params = CertificateParams::new(names.clone()).expect("server parameters");
    // A name of its own, not the host's: a self-signed certificate's issuer is its subject,
    // and a trust store may hold a root named after a host (some sandboxes have one named
    // «localhost»), which would make the refusal another one than "unknown issuer".
    params
        .distinguished_name
        .push(DnType::CommonName, "Máy chủ thử nghiệm Đồng Bộ");
    params.use_authority_key_identifier_extension = true;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params
}

/// A TLS-terminating proxy on loopback: what it decrypts goes to `backend` as it is.
#[derive(Debug, Clone)]
pub struct Proxy {
    /// Where it listens (127.0.0.1, a free port).
    pub address: SocketAddr,
    /// Connections whose TLS handshake completed (and were forwarded).
    handshakes: Arc<AtomicUsize>,
}

impl Proxy {
    /// Connections whose TLS handshake completed, so far.
    pub fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::SeqCst)
    }
}

/// Starts a TLS proxy presenting `identity` in front of the plain server at `backend` (TLS 1.2
/// and 1.3, ring).
#[expect(
    deprecated,
    reason = "ring, like the client (dongbo_library::http): no post-quantum key exchange"
)]
pub async fn terminate(identity: Identity, backend: SocketAddr) -> Proxy {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(identity.chain, identity.key)
    .expect("the server certificate and key");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the TLS proxy");
    let address = listener.local_addr().expect("its address");
    let handshakes = Arc::new(AtomicUsize::new(0));
    let counted = handshakes.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let counted = counted.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake: nothing forwarded.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                counted.fetch_add(1, Ordering::SeqCst);
                let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    Proxy {
        address,
        handshakes,
    }
}
