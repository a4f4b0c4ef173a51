//! The released binary as an operator starts it: `rightsdesk serve` on SQLite with no mail
//! server, reached over the network, shut down by SIGTERM.

mod common;

use common::deployed::{rightsdesk_command, Deployed};
use reqwest::StatusCode;

#[tokio::test]
async fn serve_answers_over_the_network_and_exits_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let deployed = Deployed::start(dir.path(), &[]).await;
    assert!(deployed.address.ip().is_loopback(), "{}", deployed.address);
    assert_ne!(deployed.address.port(), 0);
    let listening = deployed
        .wait_for_log("rightsdesk listening", std::time::Duration::from_secs(1))
        .await;
    assert!(listening.contains("backend=Sqlite"), "{listening}");
    let mail_dir = dir.path().join("data").join("mail");
    assert!(
        listening.contains(&format!("mail={}", mail_dir.display())),
        "mail goes to files without an SMTP server: {listening}"
    );

    let health = reqwest::get(format!("{}/healthz", deployed.base_url()))
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.text().await.unwrap(), "ok");

    let lookup = reqwest::get(format!("{}/status/lookup", deployed.base_url()))
        .await
        .unwrap();
    assert_eq!(lookup.status(), StatusCode::OK);
    let page = lookup.text().await.unwrap();
    assert!(page.contains("<form"), "{page}");

    let (status, log) = deployed.terminate().await;
    assert_eq!(status.code(), Some(0), "exit {status}; log:\n{log}");
    assert!(!log.contains("panicked"), "{log}");

    // A one-shot command with the same environment finds the same (default) database.
    let verify = rightsdesk_command(dir.path(), &[], &["audit", "verify"]);
    let stdout = String::from_utf8_lossy(&verify.stdout);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    assert!(stdout.contains("audit chain intact"), "{stdout}");
    assert!(dir.path().join("data").join("rightsdesk.db").exists());
}

#[tokio::test]
#[should_panic(expected = "RIGHTSDESK_BIND: expected an address")]
async fn start_panics_with_the_log_when_the_binary_exits_before_listening() {
    let dir = tempfile::tempdir().unwrap();
    Deployed::start(dir.path(), &[("RIGHTSDESK_BIND", "nowhere")]).await;
}
