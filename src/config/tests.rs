//! Loading settings: defaults, bad values, the file, and the examples in README.md and
//! docker-compose.yml.

use std::collections::HashMap;
use std::fs;

use super::*;

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn defaults_fill_everything_and_the_key_is_generated_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let vars = env(&[("RIGHTSDESK_DATA_DIR", data.to_str().unwrap())]);
    let settings = Settings::from_env(&vars).unwrap();
    assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(settings.public_url, "http://127.0.0.1:8080");
    assert!(settings.database_url.to_string().starts_with("sqlite://"));
    assert_eq!(settings.rate_limit_per_minute, 30);
    let key_file = data.join("secret_key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = Settings::from_env(&vars).unwrap();
    assert_eq!(
        settings.secret_key.derive("x"),
        again.secret_key.derive("x")
    );
}

#[test]
fn a_bad_value_names_its_variable() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    for (name, value) in [
        ("RIGHTSDESK_BIND", "localhost"),
        ("RIGHTSDESK_PUBLIC_URL", "ftp://x"),
        ("DATABASE_URL", "mysql://x"),
        ("RIGHTSDESK_SMTP_URL", "http://mail"),
        ("RIGHTSDESK_MAIL_FROM", "not a mailbox"),
        ("RIGHTSDESK_SECRET_KEY", "short"),
        ("RIGHTSDESK_RATE_LIMIT", "lots"),
        ("RIGHTSDESK_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal"),
        ("RIGHTSDESK_SMTP_TIMEOUT_SECS", "0"),
        ("RIGHTSDESK_SMTP_CA", "/etc/ca.pem"),
        ("RIGHTSDESK_TLS_CERT", "/etc/cert.pem"),
        ("RIGHTSDESK_TLS_KEY", "/etc/key.pem"),
        ("RIGHTSDESK_METRICS_BIND", "9090"),
        ("RIGHTSDESK_SHUTDOWN_TIMEOUT_SECS", "-1"),
        ("RIGHTSDESK_SESSION_IDLE_MINUTES", "half an hour"),
        ("RIGHTSDESK_SESSION_MAX_HOURS", "0"),
        ("RIGHTSDESK_SIGN_IN_LOCK_AFTER", "0"),
        ("RIGHTSDESK_SIGN_IN_LOCK_MINUTES", "1.5"),
        ("RIGHTSDESK_PASSWORD_HASHERS", "many"),
        ("RIGHTSDESK_AUDIT_SEQUENCE_INTERVAL_MS", "0"),
        ("RIGHTSDESK_AUDIT_MAX_PENDING_SECS", "soon"),
    ] {
        let error = Settings::from_env(&env(&[("RIGHTSDESK_DATA_DIR", data), (name, value)]))
            .unwrap_err()
            .to_string();
        assert!(error.starts_with(name), "{error}");
        assert!(!error.contains('\n'));
    }
}

#[test]
fn an_smtp_timeout_beyond_an_hour_is_an_hour() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    for (value, expected) in [("45", 45), ("3600", 3600), ("18446744073709551615", 3600)] {
        let settings = Settings::from_env(&env(&[
            ("RIGHTSDESK_DATA_DIR", data),
            ("RIGHTSDESK_SMTP_TIMEOUT_SECS", value),
        ]))
        .unwrap();
        assert_eq!(settings.smtp_timeout_secs, expected, "{value}");
    }
}

#[test]
fn the_audit_sequencer_runs_well_within_a_second_by_default_and_at_least_every_minute() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let settings = Settings::from_env(&env(&[("RIGHTSDESK_DATA_DIR", data)])).unwrap();
    assert_eq!(settings.audit_sequence_interval_ms, 500);
    assert_eq!(settings.audit_max_pending_secs, 300);
    let settings = Settings::from_env(&env(&[
        ("RIGHTSDESK_DATA_DIR", data),
        ("RIGHTSDESK_AUDIT_SEQUENCE_INTERVAL_MS", "3600000"),
        ("RIGHTSDESK_AUDIT_MAX_PENDING_SECS", "60"),
    ]))
    .unwrap();
    assert_eq!(settings.audit_sequence_interval_ms, 60_000);
    assert_eq!(settings.audit_max_pending_secs, 60);
}

#[test]
fn the_file_is_read_and_the_variable_wins() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rightsdesk.toml");
    fs::write(
        &path,
        r#"
bind = "127.0.0.1:9000"
public_url = "https://privacy.example.org/"
secret_key = "0123456789abcdef0123456789abcdef"
[policy]
holidays = ["2026-12-25"]
"#,
    )
    .unwrap();
    let vars = env(&[
        ("RIGHTSDESK_CONFIG", path.to_str().unwrap()),
        ("RIGHTSDESK_BIND", "127.0.0.1:9100"),
        ("RIGHTSDESK_DATA_DIR", dir.path().to_str().unwrap()),
    ]);
    let settings = Settings::from_env(&vars).unwrap();
    assert_eq!(settings.bind.port(), 9100);
    assert_eq!(settings.public_url, "https://privacy.example.org");
    assert!(settings.is_https());
    assert!(!dir.path().join("secret_key").exists());
}

#[test]
fn trusted_proxies_come_from_the_variable_or_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let path = dir.path().join("rightsdesk.toml");
    fs::write(&path, "trusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n").unwrap();
    let config = path.to_str().unwrap();
    let from_file = Settings::from_env(&env(&[
        ("RIGHTSDESK_DATA_DIR", data),
        ("RIGHTSDESK_CONFIG", config),
    ]))
    .unwrap();
    assert!(from_file
        .trusted_proxies
        .contains("10.2.3.4".parse().unwrap()));
    assert!(from_file.trusted_proxies.contains("::1".parse().unwrap()));
    let from_variable = Settings::from_env(&env(&[
        ("RIGHTSDESK_DATA_DIR", data),
        ("RIGHTSDESK_CONFIG", config),
        ("RIGHTSDESK_TRUSTED_PROXIES", "192.168.1.5"),
    ]))
    .unwrap();
    assert!(!from_variable
        .trusted_proxies
        .contains("10.2.3.4".parse().unwrap()));
    assert!(from_variable
        .trusted_proxies
        .contains("192.168.1.5".parse().unwrap()));
    let none = Settings::from_env(&env(&[("RIGHTSDESK_DATA_DIR", data)])).unwrap();
    assert!(none.trusted_proxies.is_empty());

    let error = Settings::from_env(&env(&[
        ("RIGHTSDESK_DATA_DIR", data),
        ("RIGHTSDESK_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal"),
    ]))
    .unwrap_err()
    .to_string();
    assert!(error.contains("\"proxy.internal\""), "{error}");
    fs::write(&path, "trusted_proxies = [\"10.0.0.0/33\"]\n").unwrap();
    let error = Settings::from_env(&env(&[
        ("RIGHTSDESK_DATA_DIR", data),
        ("RIGHTSDESK_CONFIG", config),
    ]))
    .unwrap_err()
    .to_string();
    assert!(
        error.starts_with("RIGHTSDESK_TRUSTED_PROXIES: \"10.0.0.0/33\""),
        "{error}"
    );
}

#[test]
fn retention_periods_are_read_and_unknown_classes_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rightsdesk.toml");
    let load = |text: &str| {
        fs::write(&path, text).unwrap();
        Settings::from_env(&env(&[
            ("RIGHTSDESK_CONFIG", path.to_str().unwrap()),
            ("RIGHTSDESK_DATA_DIR", dir.path().to_str().unwrap()),
            ("RIGHTSDESK_PURGE_INTERVAL_SECS", "60"),
            ("RIGHTSDESK_TIME_ZONE", "Asia/Kolkata"),
        ]))
    };
    let settings = load("[policy.retention]\nsent_mail = \"3 days\"\n").unwrap();
    assert_eq!(settings.purge_interval_secs, 60);
    assert_eq!(settings.time_zone.name(), "Asia/Kolkata");
    assert_eq!(
        settings
            .policy
            .retention
            .period(crate::domain::retention::PurgeClass::SentMail)
            .to_string(),
        "3 days"
    );
    let error = load("[policy.retention]\nforever = \"3 days\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("policy.retention.forever is not a retention class"),
        "{error}"
    );
    let error = Settings::from_env(&env(&[
        ("RIGHTSDESK_DATA_DIR", dir.path().to_str().unwrap()),
        ("RIGHTSDESK_TIME_ZONE", "Mars/Olympus_Mons"),
    ]))
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("RIGHTSDESK_TIME_ZONE: unknown time zone"),
        "{error}"
    );
}

#[test]
fn the_readme_example_file_loads() {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("```toml\n")
        .expect("a TOML example in README.md")
        + 8;
    let end = start + readme[start..].find("```").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rightsdesk.toml");
    fs::write(&path, &readme[start..end]).unwrap();
    let settings = Settings::from_env(&env(&[
        ("RIGHTSDESK_CONFIG", path.to_str().unwrap()),
        ("RIGHTSDESK_DATA_DIR", dir.path().to_str().unwrap()),
    ]))
    .unwrap();
    assert_eq!(settings.public_url, "https://privacy.example.org");
    assert_eq!(settings.policy.purpose_slugs(), vec!["marketing"]);
    assert_eq!(
        settings
            .policy
            .retention
            .period(crate::domain::retention::PurgeClass::ClosedCaseFiles)
            .to_string(),
        "24 months"
    );
    let christmas = time::macros::date!(2026 - 12 - 25);
    assert!(!settings
        .policy
        .deadlines
        .calendar
        .is_business_day(christmas));
}

#[test]
fn tls_needs_both_files_and_a_known_version_and_metrics_their_own_address() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let load = |pairs: &[(&str, &str)]| {
        let mut vars = env(pairs);
        vars.insert("RIGHTSDESK_DATA_DIR".into(), data.into());
        Settings::from_env(&vars).map_err(|e| e.to_string())
    };
    let both = [
        ("RIGHTSDESK_TLS_CERT", "c.pem"),
        ("RIGHTSDESK_TLS_KEY", "k.pem"),
    ];
    let tls = load(&both).unwrap().tls.unwrap();
    assert!(!tls.allow_tls12);
    let mut with_12 = both.to_vec();
    with_12.push(("RIGHTSDESK_TLS_MIN_VERSION", "1.2"));
    assert!(load(&with_12).unwrap().tls.unwrap().allow_tls12);
    let mut bad = both.to_vec();
    bad.push(("RIGHTSDESK_TLS_MIN_VERSION", "1.0"));
    assert!(load(&bad)
        .unwrap_err()
        .starts_with("RIGHTSDESK_TLS_MIN_VERSION"));
    assert!(load(&both).unwrap().is_https());
    let same = load(&[
        ("RIGHTSDESK_BIND", "127.0.0.1:8080"),
        ("RIGHTSDESK_METRICS_BIND", "127.0.0.1:8080"),
    ])
    .unwrap_err();
    assert!(same.starts_with("RIGHTSDESK_METRICS_BIND"), "{same}");
    let settings = load(&[
        ("RIGHTSDESK_SESSION_IDLE_MINUTES", "5"),
        ("RIGHTSDESK_SIGN_IN_LOCK_AFTER", "4"),
        ("RIGHTSDESK_SIGN_IN_LOCK_MINUTES", "60"),
    ])
    .unwrap();
    assert_eq!(settings.sessions.idle, time::Duration::minutes(5));
    assert_eq!(settings.throttle.lock_after, 4);
    assert_eq!(settings.throttle.lock_for, time::Duration::hours(1));
}

#[test]
fn the_compose_file_sets_only_settings_that_load() {
    let compose = include_str!("../../docker-compose.yml");
    let dir = tempfile::tempdir().unwrap();
    let mut vars = env(&[("RIGHTSDESK_DATA_DIR", dir.path().to_str().unwrap())]);
    for line in compose.lines().map(str::trim) {
        let Some((name, value)) = line.split_once(": ") else {
            continue;
        };
        if name.starts_with("RIGHTSDESK_") || name == "DATABASE_URL" {
            vars.insert(name.to_string(), value.trim_matches('"').to_string());
        }
    }
    assert!(vars.len() > 8, "{vars:?}");
    let settings = Settings::from_env(&vars).unwrap();
    assert!(settings.smtp_url.is_some());
    assert!(settings.metrics_bind.is_some());
    assert!(settings
        .trusted_proxies
        .contains("172.28.0.10".parse().unwrap()));
    assert!(
        settings.is_https(),
        "the public URL is the proxy's https address"
    );
}

#[test]
fn unknown_keys_in_the_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rightsdesk.toml");
    fs::write(&path, "bnid = \"127.0.0.1:1\"\n").unwrap();
    let error = Settings::from_env(&env(&[("RIGHTSDESK_CONFIG", path.to_str().unwrap())]))
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("RIGHTSDESK_CONFIG"), "{error}");
    assert!(error.contains("bnid"), "{error}");
}

#[test]
fn export_spike_thresholds_default_and_load() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let load = |pairs: &[(&str, &str)]| {
        let mut vars = env(pairs);
        vars.insert("RIGHTSDESK_DATA_DIR".into(), data.into());
        Settings::from_env(&vars).map_err(|e| e.to_string())
    };
    let settings = load(&[]).unwrap();
    assert_eq!(settings.export_spike.max_exports, 10);
    assert_eq!(settings.export_spike.max_rows, 100_000);
    let settings = load(&[
        ("RIGHTSDESK_EXPORT_SPIKE_EXPORTS", "3"),
        ("RIGHTSDESK_EXPORT_SPIKE_ROWS", "500"),
    ])
    .unwrap();
    assert_eq!(settings.export_spike.max_exports, 3);
    assert_eq!(settings.export_spike.max_rows, 500);
    for (name, value) in [
        ("RIGHTSDESK_EXPORT_SPIKE_EXPORTS", "0"),
        ("RIGHTSDESK_EXPORT_SPIKE_ROWS", "many"),
    ] {
        let error = load(&[(name, value)]).unwrap_err();
        assert!(error.starts_with(name), "{error}");
    }
}
