//! HTTPS served directly (rustls): TLS 1.3, or 1.2 too when the operator allows it. The
//! certificate is read from PEM files at start and again on SIGHUP, so a renewed
//! certificate is taken without a restart; a reload that fails keeps the current one.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, RwLock};

use rustls::crypto::ring;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::TlsFiles;

/// The certificate in force, swapped whole on reload.
pub struct CertificateStore {
    files: TlsFiles,
    current: RwLock<Arc<CertifiedKey>>,
}

impl fmt::Debug for CertificateStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateStore")
            .field("cert", &self.files.cert)
            .finish_non_exhaustive()
    }
}

impl CertificateStore {
    /// Loads the files, or says in one line what is wrong with them.
    pub fn load(files: &TlsFiles) -> Result<Arc<CertificateStore>, String> {
        let key = load_certified_key(files)?;
        Ok(Arc::new(CertificateStore {
            files: files.clone(),
            current: RwLock::new(key),
        }))
    }

    /// Reads the files again; on any problem the current certificate stays in force.
    pub fn reload(&self) -> Result<(), String> {
        let fresh = load_certified_key(&self.files)?;
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
        Ok(())
    }

    fn current(&self) -> Arc<CertifiedKey> {
        Arc::clone(
            &self
                .current
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

impl ResolvesServerCert for CertificateStore {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

/// The rustls settings for the listener: the store's certificate, TLS 1.3 (and 1.2 when
/// allowed), HTTP/1.1.
pub fn server_config(
    store: Arc<CertificateStore>,
    allow_tls12: bool,
) -> Result<ServerConfig, String> {
    let versions: &[&rustls::SupportedProtocolVersion] = if allow_tls12 {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13]
    };
    let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_protocol_versions(versions)
        .map_err(|e| format!("TLS: {e}"))?
        .with_no_client_auth()
        .with_cert_resolver(store);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

fn load_certified_key(files: &TlsFiles) -> Result<Arc<CertifiedKey>, String> {
    let chain = read_chain(&files.cert)?;
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| {
        format!(
            "RIGHTSDESK_TLS_KEY: cannot read a private key from {}: {}",
            files.key.display(),
            pem_problem(&e)
        )
    })?;
    let certified = CertifiedKey::from_der(chain, key, &ring::default_provider()).map_err(|e| {
        format!(
            "RIGHTSDESK_TLS_KEY: the key in {} cannot serve the certificate in {}: {}",
            files.key.display(),
            files.cert.display(),
            match e {
                rustls::Error::InconsistentKeys(_) => "it is not the certificate's key".to_string(),
                other => other.to_string(),
            }
        )
    })?;
    Ok(Arc::new(certified))
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let unreadable = |problem: String| {
        format!(
            "RIGHTSDESK_TLS_CERT: cannot read a certificate chain from {}: {problem}",
            path.display()
        )
    };
    let chain = CertificateDer::pem_file_iter(path)
        .map_err(|e| unreadable(pem_problem(&e)))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unreadable(pem_problem(&e)))?;
    if chain.is_empty() {
        return Err(unreadable("the file holds no PEM certificate".to_string()));
    }
    Ok(chain)
}

fn pem_problem(error: &rustls_pki_types::pem::Error) -> String {
    match error {
        rustls_pki_types::pem::Error::Io(io) => io.to_string(),
        rustls_pki_types::pem::Error::NoItemsFound => {
            "the file holds no PEM item of that kind".to_string()
        }
        other => format!("{other:?}"),
    }
}
