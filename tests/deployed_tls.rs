//! The binary serving HTTPS itself (`RIGHTSDESK_TLS_CERT`, `RIGHTSDESK_TLS_KEY`): what real
//! clients (curl, a browser's TLS stack) see, a renewed certificate taken on SIGHUP, and the
//! files it refuses to start with.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::certs::{self, TestCa};
use common::deployed::Signal;
use common::journey::{browser_trusting, requester_journey, MailSource};
use common::site::{assert_refused_in_one_line, stop_cleanly, Site};
use common::{backends, csrf_in, location};
use reqwest::StatusCode;

const OFFICER: &str = "tls.officer@example.org";
const PASSWORD: &str = "a long officer passphrase";

/// The PEM files an operator points the binary at.
struct TlsFiles {
    cert: PathBuf,
    key: PathBuf,
    ca: PathBuf,
}

impl TlsFiles {
    fn write(dir: &Path, ca: &TestCa, name: &str) -> TlsFiles {
        let files = TlsFiles {
            cert: dir.join("server-cert.pem"),
            key: dir.join("server-key.pem"),
            ca: dir.join(format!("{name}.pem")),
        };
        files.replace(ca);
        std::fs::write(&files.ca, ca.pem()).unwrap();
        files
    }

    /// Overwrites the certificate and key in place, as a renewal does.
    fn replace(&self, ca: &TestCa) {
        let (cert, key) = ca.issue(&["localhost", "127.0.0.1"]);
        std::fs::write(&self.cert, cert).unwrap();
        std::fs::write(&self.key, key).unwrap();
    }

    fn env(&self) -> [(&'static str, &str); 2] {
        [
            ("RIGHTSDESK_TLS_CERT", self.cert.to_str().unwrap()),
            ("RIGHTSDESK_TLS_KEY", self.key.to_str().unwrap()),
        ]
    }
}

/// Runs the real `curl` against `url`; `None` (with a note) when curl is not installed.
async fn curl(args: &[&str], url: &str) -> Option<std::process::Output> {
    let output = tokio::process::Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", "10"])
        .args(args)
        .arg(url)
        .output()
        .await;
    match output {
        Ok(output) => Some(output),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("note: curl checks skipped: no `curl` on PATH ({error})");
            None
        }
        Err(error) => panic!("cannot run curl: {error}"),
    }
}

/// GET `url` on a new connection from a client that trusts only `ca_pem`.
async fn get_trusting(ca_pem: &str, url: &str) -> reqwest::Result<reqwest::Response> {
    browser_trusting(ca_pem).get(url).send().await
}

fn set_cookie<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie set"))
}

/// A `__Host-` cookie: Secure, for the whole host (`Path=/`) and no `Domain`.
fn assert_host_only(line: &str, what: &str) {
    assert!(line.contains("; Secure"), "{what}: {line}");
    assert!(line.contains("HttpOnly"), "{what}: {line}");
    assert!(
        line.contains("; Path=/;") || line.ends_with("; Path=/"),
        "{what}: {line}"
    );
    assert!(
        !line.to_ascii_lowercase().contains("domain="),
        "{what}: {line}"
    );
}

#[tokio::test]
async fn over_tls_cookies_are_host_only_and_officers_sign_in_and_out() {
    for backend in backends() {
        let site = Site::new(&backend);
        let ca = TestCa::new();
        let files = TlsFiles::write(site.path(), &ca, "ca");
        let app = site.start(&files.env()).await;
        app.wait_for_log("rightsdesk listening", Duration::from_secs(1))
            .await;
        let base = format!("https://{}", app.address);
        site.create_officer(OFFICER, "officer", PASSWORD);
        let officer = browser_trusting(&ca.pem());

        let page = officer
            .get(format!("{base}/officer/login"))
            .send()
            .await
            .unwrap();
        assert_host_only(
            set_cookie(&page, "__Host-rd_csrf"),
            &format!("[{backend}] CSRF cookie"),
        );
        assert!(
            !page
                .headers()
                .get_all("set-cookie")
                .iter()
                .any(|v| v.to_str().unwrap().starts_with("rd_csrf=")),
            "[{backend}] no plain-named CSRF cookie over https"
        );
        let csrf = csrf_in(&page.text().await.unwrap()).expect("sign-in form");
        let signed_in = officer
            .post(format!("{base}/officer/login"))
            .form(&[
                ("email", OFFICER),
                ("password", PASSWORD),
                ("csrf_token", &csrf),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(location(&signed_in), "/officer/queue", "[{backend}]");
        assert_host_only(
            set_cookie(&signed_in, "__Host-rd_session"),
            &format!("[{backend}] session cookie"),
        );

        // The browser sends its __Host- session back; the session's forms work.
        let queue = officer
            .get(format!("{base}/officer/queue"))
            .send()
            .await
            .unwrap();
        assert_eq!(queue.status(), StatusCode::OK, "[{backend}] queue");
        let csrf = csrf_in(&queue.text().await.unwrap()).expect("sign-out form");
        let out = officer
            .post(format!("{base}/officer/logout"))
            .form(&[("csrf_token", &csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), StatusCode::SEE_OTHER, "[{backend}] sign-out");
        let gone = officer
            .get(format!("{base}/officer/queue"))
            .send()
            .await
            .unwrap();
        assert_eq!(location(&gone), "/officer/login", "[{backend}] signed out");
        stop_cleanly(app, &backend).await;
    }
}

#[tokio::test]
async fn https_serves_tls_1_3_with_secure_cookies_and_takes_a_renewed_certificate_on_sighup() {
    for backend in backends() {
        let site = Site::new(&backend);
        let first_ca = TestCa::new();
        let files = TlsFiles::write(site.path(), &first_ca, "first-ca");
        let app = site.start(&files.env()).await;
        let listening = app
            .wait_for_log("rightsdesk listening", Duration::from_secs(1))
            .await;
        assert!(listening.contains("tls=true"), "[{backend}] {listening}");
        let base = format!("https://{}", app.address);
        let healthz = format!("{base}/healthz");

        // TLS 1.3 connects; a client that goes no higher than 1.2 does not.
        let ca = files.ca.to_str().unwrap();
        if let Some(output) = curl(&["--tlsv1.3", "--cacert", ca], &healthz).await {
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                output.status.success(),
                "[{backend}] curl --tlsv1.3: {stderr}"
            );
            assert_eq!(String::from_utf8_lossy(&output.stdout), "ok", "[{backend}]");
            let old = curl(&["--tls-max", "1.2", "--cacert", ca], &healthz)
                .await
                .unwrap();
            assert!(
                !old.status.success(),
                "[{backend}] TLS 1.2 was accepted: {}",
                String::from_utf8_lossy(&old.stdout)
            );
        }

        // Browsers: HSTS on every answer, and cookies only for https.
        let health = get_trusting(&first_ca.pem(), &healthz).await.unwrap();
        assert_eq!(health.status(), StatusCode::OK, "[{backend}]");
        assert_eq!(
            health
                .headers()
                .get("strict-transport-security")
                .and_then(|v| v.to_str().ok()),
            Some("max-age=31536000; includeSubDomains"),
            "[{backend}]"
        );
        let requester = browser_trusting(&first_ca.pem());
        let form = requester
            .get(format!("{base}/requests/new?kind=access"))
            .send()
            .await
            .unwrap();
        let csrf_cookie = set_cookie(&form, "__Host-rd_csrf");
        assert!(
            csrf_cookie.contains("; Secure"),
            "[{backend}] {csrf_cookie}"
        );
        assert!(
            csrf_cookie.contains("HttpOnly"),
            "[{backend}] {csrf_cookie}"
        );
        let mail = MailSource::Files(site.path().join("data").join("mail"));
        let journey =
            requester_journey(&requester, &base, &mail, "https.requester@example.org").await;
        assert!(journey.reference.starts_with("RD-"), "[{backend}]");

        site.create_officer(OFFICER, "officer", PASSWORD);
        let officer = browser_trusting(&first_ca.pem());
        let page = officer
            .get(format!("{base}/officer/login"))
            .send()
            .await
            .unwrap();
        let csrf = csrf_in(&page.text().await.unwrap()).expect("sign-in form");
        let signed_in = officer
            .post(format!("{base}/officer/login"))
            .form(&[
                ("email", OFFICER),
                ("password", PASSWORD),
                ("csrf_token", &csrf),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(location(&signed_in), "/officer/queue", "[{backend}]");
        let session_cookie = set_cookie(&signed_in, "__Host-rd_session");
        assert!(
            session_cookie.contains("; Secure"),
            "[{backend}] {session_cookie}"
        );
        assert!(
            session_cookie.contains("HttpOnly"),
            "[{backend}] {session_cookie}"
        );
        let queue = officer
            .get(format!("{base}/officer/queue"))
            .send()
            .await
            .unwrap();
        assert_eq!(queue.status(), StatusCode::OK, "[{backend}]");

        // A renewed certificate from another CA, written over the same files: SIGHUP, and
        // new connections see it.
        let second_ca = TestCa::new();
        files.replace(&second_ca);
        app.send_signal(Signal::Hangup);
        app.wait_for_log("SIGHUP: TLS certificate reloaded", Duration::from_secs(10))
            .await;
        let renewed = get_trusting(&second_ca.pem(), &healthz).await.unwrap();
        assert_eq!(renewed.status(), StatusCode::OK, "[{backend}]");
        assert!(
            get_trusting(&first_ca.pem(), &healthz).await.is_err(),
            "[{backend}] the old certificate is still served"
        );

        // A broken key at the next SIGHUP: an error in the log, the renewed one stays.
        std::fs::write(&files.key, "-----BEGIN PRIVATE KEY-----\nbroken\n").unwrap();
        app.send_signal(Signal::Hangup);
        let error = app
            .wait_for_log("TLS certificate not reloaded", Duration::from_secs(10))
            .await;
        assert!(error.contains("ERROR"), "[{backend}] {error}");
        assert!(error.contains("RIGHTSDESK_TLS_KEY"), "[{backend}] {error}");
        let still = get_trusting(&second_ca.pem(), &healthz).await.unwrap();
        assert_eq!(still.status(), StatusCode::OK, "[{backend}]");

        drop((requester, officer));
        stop_cleanly(app, &backend).await;
    }
}

#[tokio::test]
async fn tls_1_2_is_served_only_when_the_operator_allows_it() {
    for backend in backends() {
        let site = Site::new(&backend);
        let ca = TestCa::new();
        let files = TlsFiles::write(site.path(), &ca, "ca");
        let mut env = files.env().to_vec();
        env.push(("RIGHTSDESK_TLS_MIN_VERSION", "1.2"));
        let app = site.start(&env).await;
        let healthz = format!("https://{}/healthz", app.address);
        let ca_file = files.ca.to_str().unwrap();
        if let Some(output) = curl(&["--tls-max", "1.2", "--cacert", ca_file], &healthz).await {
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                output.status.success(),
                "[{backend}] curl --tls-max 1.2: {stderr}"
            );
            assert_eq!(String::from_utf8_lossy(&output.stdout), "ok", "[{backend}]");
            let modern = curl(&["--tlsv1.3", "--cacert", ca_file], &healthz)
                .await
                .unwrap();
            assert!(modern.status.success(), "[{backend}] TLS 1.3 still works");
        }
        let health = get_trusting(&ca.pem(), &healthz).await.unwrap();
        assert_eq!(health.status(), StatusCode::OK, "[{backend}]");
        stop_cleanly(app, &backend).await;
    }
}

#[tokio::test]
async fn unusable_certificate_files_stop_the_start_with_one_line() {
    for backend in backends() {
        let site = Site::new(&backend);
        let dir = site.path();
        let ca = TestCa::new();
        let (cert, key) = ca.issue(&["localhost", "127.0.0.1"]);
        let write = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path.to_str().unwrap().to_string()
        };
        let cert_file = write("cert.pem", &cert);
        let key_file = write("key.pem", &key);
        let unrelated = write("unrelated-key.pem", &certs::unrelated_key_pem());
        let missing = dir.join("missing.pem").to_str().unwrap().to_string();
        // (certificate file, key file, the variable the line must name, a detail)
        let cases = [
            (
                &cert_file,
                &unrelated,
                "RIGHTSDESK_TLS_KEY",
                "not the certificate's key",
            ),
            (&missing, &key_file, "RIGHTSDESK_TLS_CERT", "missing.pem"),
            (&cert_file, &missing, "RIGHTSDESK_TLS_KEY", "missing.pem"),
            (
                &key_file,
                &key_file,
                "RIGHTSDESK_TLS_CERT",
                "no PEM certificate",
            ),
        ];
        for (cert, key, variable, detail) in cases {
            let output =
                site.refuse_to_start(&[("RIGHTSDESK_TLS_CERT", cert), ("RIGHTSDESK_TLS_KEY", key)]);
            let line = assert_refused_in_one_line(&output, variable, &backend);
            assert!(line.contains(detail), "[{backend}] {line}");
        }
    }
}
