//! A local TLS endpoint: a TLS-terminating TCP proxy in front of the DynamoDB/S3 API server, with
//! a self-signed certificate for `localhost` made at start. The functions reach it at
//! `https://localhost:<port>` and trust the certificate through `SSL_CERT_FILE`, which the SDK's
//! default HTTPS client reads (it loads its roots with `rustls-native-certs`, and that crate
//! takes `SSL_CERT_FILE` instead of the system store when it is set).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The system's CA bundle, which the certificate file also carries so that loading it costs
/// about what loading the real roots costs in Lambda.
const SYSTEM_ROOTS: &str = "/etc/ssl/certs/ca-certificates.crt";

pub struct TlsProxy {
    addr: SocketAddr,
    cert_file: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TlsProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TlsProxy {
    /// Listens on a free port of 127.0.0.1 and forwards each connection, decrypted, to
    /// `upstream` (`host:port`); writes the certificate (after the system roots) to `cert_file`.
    pub async fn start(upstream: String, cert_file: &Path) -> Result<Self, String> {
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).map_err(|e| e.to_string())?;
        let mut pem = std::fs::read_to_string(SYSTEM_ROOTS).unwrap_or_default();
        pem.push_str(&certified.cert.pem());
        std::fs::write(cert_file, pem).map_err(|e| format!("{}: {e}", cert_file.display()))?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der()));
        let chain = vec![CertificateDer::from(certified.cert.der().to_vec())];
        let config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| e.to_string())?;
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (acceptor, upstream) = (acceptor.clone(), upstream.clone());
                tokio::spawn(async move {
                    let _ = client.set_nodelay(true);
                    let Ok(mut tls) = acceptor.accept(client).await else {
                        return;
                    };
                    let Ok(mut server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let _ = server.set_nodelay(true);
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
                });
            }
        });
        Ok(Self {
            addr,
            cert_file: cert_file.to_owned(),
            task,
        })
    }

    /// `https://localhost:<port>`.
    pub fn url(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }

    /// The PEM file to give the functions as `SSL_CERT_FILE`.
    pub fn cert_file(&self) -> &Path {
        &self.cert_file
    }
}

/// `host:port` of an `http://host:port[/]` endpoint.
pub fn host_port(endpoint: &str) -> Option<String> {
    let rest = endpoint.strip_prefix("http://")?;
    let host_port = rest.split('/').next()?;
    host_port.contains(':').then(|| host_port.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_of_a_plain_endpoint() {
        assert_eq!(host_port("http://127.0.0.1:5000"), Some("127.0.0.1:5000".into()));
        assert_eq!(host_port("http://127.0.0.1:5000/"), Some("127.0.0.1:5000".into()));
        assert_eq!(host_port("https://127.0.0.1:5000"), None);
        assert_eq!(host_port("http://localhost"), None);
    }
}
