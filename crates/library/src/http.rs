//! The one place a reqwest client is made, for the whole workspace: the pull sources
//! (`feeds::fetch`), `dongbo library sync` and every test that speaks HTTP.
//!
//! reqwest is built with rustls and *no* crypto provider of its own choosing
//! (`rustls-no-provider`: its default, aws-lc, is a large C build), and features unify across
//! the workspace: a client built with `reqwest::Client::builder().build()` anywhere would look
//! for a process-wide provider and panic without one. So every client starts from
//! [`client_builder`], which hands reqwest a finished rustls configuration: the `ring`
//! provider, TLS 1.2 and 1.3, and the roots of a [`Trust`]. `clippy.toml` forbids
//! `reqwest::Client::new`, `reqwest::Client::builder` and `reqwest::ClientBuilder::new`
//! elsewhere.
//!
//! **Roots.** The operating system's trust store (`/etc/ssl/certs` on Debian, read offline;
//! a ministry's own CA installed there by the administrator is trusted like the public ones),
//! read once per process, plus the certificates of an optional PEM file
//! (`--library-ca-file`). An empty or unreadable system store is said in the log, never a
//! panic: https addresses then fail with "unknown issuer" unless the CA file covers them.
//! There is no switch that accepts any certificate.

use std::error::Error as StdError;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{CertificateError, ClientConfig, RootCertStore};

/// Which certificate authorities a client trusts: the system's, and those of a CA file.
#[derive(Debug, Clone)]
pub struct Trust {
    config: Arc<ClientConfig>,
    /// The extra CA file, when one was given (named in errors and the log).
    ca_file: Option<PathBuf>,
}

/// Why a CA file cannot be used. Each names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    #[error("«{file}»: không đọc được tệp chứng chỉ CA (the CA file cannot be read): {why}")]
    Unreadable { file: String, why: String },
    #[error(
        "«{file}»: tệp không chứa chứng chỉ PEM nào (the file holds no PEM certificate: \
         expected «-----BEGIN CERTIFICATE-----» blocks)"
    )]
    NoCertificate { file: String },
    #[error("«{file}»: chứng chỉ thứ {n} không hợp lệ (certificate {n} is not valid): {why}")]
    BadCertificate { file: String, n: usize, why: String },
}

impl Default for Trust {
    /// The operating system's trust store alone.
    fn default() -> Self {
        Trust::system()
    }
}

impl Trust {
    /// The operating system's trust store alone (read once per process).
    pub fn system() -> Trust {
        static SYSTEM: OnceLock<Arc<ClientConfig>> = OnceLock::new();
        let config = SYSTEM.get_or_init(|| Arc::new(config(system_roots().clone())));
        Trust {
            config: config.clone(),
            ca_file: None,
        }
    }

    /// The system's store and, when `ca_file` is given, its certificates too.
    pub fn load(ca_file: Option<&Path>) -> Result<Trust, TrustError> {
        match ca_file {
            None => Ok(Trust::system()),
            Some(file) => Trust::with_ca_file(file),
        }
    }

    /// The system's store and every certificate of the PEM file `file` (a ministry's CA, a test's).
    pub fn with_ca_file(file: &Path) -> Result<Trust, TrustError> {
        let extra = read_ca_file(file)?;
        let mut roots = system_roots().clone();
        let name = file.display().to_string();
        for (n, certificate) in extra.into_iter().enumerate() {
            roots
                .add(certificate)
                .map_err(|e| TrustError::BadCertificate {
                    file: name.clone(),
                    n: n + 1,
                    why: e.to_string(),
                })?;
        }
        tracing::info!(file = %name, roots = roots.len(), "trusting the CA file's certificates for https");
        Ok(Trust {
            config: Arc::new(config(roots)),
            ca_file: Some(file.to_owned()),
        })
    }

    /// The CA file given, if any.
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }
}

/// A reqwest client builder that trusts `trust` (and never looks for a process-wide crypto
/// provider). Every reqwest client of the workspace starts here.
#[expect(
    clippy::disallowed_methods,
    reason = "the one place allowed to start a reqwest builder"
)]
pub fn client_builder(trust: &Trust) -> reqwest::ClientBuilder {
    reqwest::Client::builder().tls_backend_preconfigured((*trust.config).clone())
}

/// A plain client trusting the system's store (tests, and callers with no options of their own).
pub fn client() -> reqwest::Client {
    client_builder(&Trust::system())
        .build()
        .unwrap_or_else(|e| panic!("the HTTP client cannot be set up: {e}"))
}

/// The rustls configuration over `roots`: ring, TLS 1.2 and 1.3, HTTP/1.1 by ALPN (reqwest is
/// built without HTTP/2).
#[expect(
    deprecated,
    reason = "rustls 0.23.48 deprecates the ring provider for its lack of post-quantum key \
              exchange; ring is chosen all the same: aws-lc, the provider with it, is a large C \
              build (docs/LIBRARY.md, HTTPS)"
)]
fn config(roots: RootCertStore) -> ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        // Only fails for versions the provider lacks; ring has both.
        .unwrap_or_else(|e| panic!("ring lacks TLS 1.2/1.3: {e}"))
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

/// The operating system's roots, read once per process; what could not be read is logged.
fn system_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        for error in &found.errors {
            tracing::warn!(%error, "reading the operating system's trust store");
        }
        let mut roots = RootCertStore::empty();
        let (added, ignored) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            tracing::warn!(
                ignored,
                "the operating system's trust store has no usable certificate: https addresses \
                 are refused unless --library-ca-file names their CA (install ca-certificates)"
            );
        } else {
            tracing::debug!(added, ignored, "the operating system's trust store");
        }
        roots
    })
}

/// A CA file is read up to this size: the whole Mozilla bundle is about 220 KiB.
const CA_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The certificates of a PEM file, or why not.
fn read_ca_file(file: &Path) -> Result<Vec<CertificateDer<'static>>, TrustError> {
    let name = file.display().to_string();
    let unreadable = |why: String| TrustError::Unreadable {
        file: name.clone(),
        why,
    };
    // Read at most one byte past the limit: a file given by mistake (a disk image, a log)
    // is refused without being read whole.
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, CA_FILE_BYTES + 1), &mut bytes)
        })
        .map_err(|e| unreadable(e.to_string()))?;
    if bytes.len() as u64 > CA_FILE_BYTES {
        return Err(unreadable(format!(
            "larger than {} KiB, which no bundle of CA certificates is",
            CA_FILE_BYTES / 1024
        )));
    }
    let certificates = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unreadable(e.to_string()))?;
    if certificates.is_empty() {
        return Err(TrustError::NoCertificate { file: name });
    }
    Ok(certificates)
}

/// When `error`'s causes hold a TLS refusal, what a person is told: why the server's
/// certificate was refused (expired, for another host, an unknown issuer…) or that the TLS
/// handshake failed, in Vietnamese and English.
pub fn tls_refusal(error: &(dyn StdError + 'static)) -> Option<String> {
    let mut cause = Some(error);
    while let Some(current) = cause {
        if let Some(tls) = as_rustls(current) {
            return Some(describe(tls));
        }
        cause = current.source();
    }
    None
}

/// `error` as rustls's, also when I/O errors carry it (tokio-rustls wraps it in one, which
/// may be wrapped again), since an I/O error's `source` skips what it wraps.
fn as_rustls<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = error.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    let io = error.downcast_ref::<std::io::Error>()?;
    let inner: &(dyn StdError + 'static) = io.get_ref()?;
    as_rustls(inner)
}

fn describe(error: &rustls::Error) -> String {
    let why = match error {
        rustls::Error::InvalidCertificate(certificate) => match certificate {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "chứng chỉ TLS của máy chủ đã hết hạn (the server's certificate has expired)"
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "chứng chỉ TLS của máy chủ chưa có hiệu lực (the server's certificate is not \
                 valid yet)"
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                "chứng chỉ TLS của máy chủ cấp cho tên máy khác (the server's certificate is for \
                 another host name)"
            }
            CertificateError::UnknownIssuer => {
                "chứng chỉ TLS của máy chủ do nơi cấp không được tin cậy (the server's \
                 certificate has an unknown issuer: not in the system's trust store nor in \
                 --library-ca-file)"
            }
            CertificateError::Revoked => {
                "chứng chỉ TLS của máy chủ đã bị thu hồi (the server's certificate is revoked)"
            }
            _ => "chứng chỉ TLS của máy chủ không hợp lệ (the server's certificate is not valid)",
        },
        _ => "bắt tay TLS thất bại (the TLS handshake failed)",
    };
    format!("{why}: {error}")
}
