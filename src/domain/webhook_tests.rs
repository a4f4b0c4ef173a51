use super::*;
use time::macros::datetime;

#[test]
fn event_types_read_back_in_a_fixed_order_and_refuse_unknown_names() {
    let types = EventTypes::parse(["consent.withdrawn", "request.created"]).unwrap();
    assert_eq!(types.to_stored(), "request.created,consent.withdrawn");
    assert_eq!(EventTypes::from_stored(&types.to_stored()), Some(types));
    assert!(EventTypes::parse(["request.deleted"]).is_none());
    assert!(EventTypes::parse(Vec::<&str>::new()).is_none());
}

#[test]
fn endpoints_are_https_except_on_this_machine() {
    assert!(EndpointUrl::parse("https://crm.example.org/hooks").is_ok());
    assert!(EndpointUrl::parse("http://127.0.0.1:9000/hooks").is_ok());
    assert!(EndpointUrl::parse("http://localhost/hooks").is_ok());
    assert!(EndpointUrl::parse("http://[::1]:8080/").is_ok());
    assert_eq!(
        EndpointUrl::parse("http://crm.example.org/hooks"),
        Err(UrlProblem::NotHttps)
    );
    assert_eq!(
        EndpointUrl::parse("https://user:pw@crm.example.org/"),
        Err(UrlProblem::HasCredentials)
    );
    assert_eq!(EndpointUrl::parse("ftp://x.org/"), Err(UrlProblem::NotAUrl));
    assert_eq!(EndpointUrl::parse("crm"), Err(UrlProblem::NotAUrl));
}

#[test]
fn a_secret_reads_back_and_signs_as_the_standard_webhooks_example() {
    // The example of the Standard Webhooks specification.
    let secret = SigningSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let body = br#"{"test": 2432232314}"#;
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    let signature = secret.sign(id, 1614265330, body);
    assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    assert!(secret.verify(&format!("v1,bogus {signature}"), id, 1614265330, body));
    assert!(!secret.verify(&signature, id, 1614265331, body));
    assert!(!secret.verify(&signature, id, 1614265330, br#"{"test": 1}"#));
    let other = SigningSecret::from_random([7; SECRET_BYTES]);
    assert!(!other.verify(&signature, id, 1614265330, body));
    assert_eq!(SigningSecret::parse(&other.to_text()), Some(other));
    assert!(
        SigningSecret::parse("whsec_c2hvcnQ=").is_none(),
        "too short"
    );
}

#[test]
fn personal_data_goes_only_to_endpoints_marked_for_it() {
    let mut data = Map::new();
    data.insert("reference".into(), "RD-7K3M-9QXA".into());
    let mut personal = Map::new();
    personal.insert("email".into(), "asha@example.in".into());
    let event = WebhookEvent {
        event_type: EventType::RequestCreated,
        at: datetime!(2026-03-09 14:00 UTC),
        data,
        personal,
    };
    let plain: Value = serde_json::from_str(&event.body(false)).unwrap();
    assert_eq!(plain["type"], "request.created");
    assert_eq!(plain["timestamp"], "2026-03-09T14:00:00Z");
    assert_eq!(plain["data"]["reference"], "RD-7K3M-9QXA");
    assert!(!event.body(false).contains("asha"));
    let full: Value = serde_json::from_str(&event.body(true)).unwrap();
    assert_eq!(full["data"]["email"], "asha@example.in");
}

#[test]
fn failed_deliveries_wait_longer_each_time_and_stop_at_the_bound() {
    let now = datetime!(2026-03-09 14:00 UTC);
    let policy = DeliveryPolicy {
        first_wait: Duration::seconds(1),
        longest_wait: Duration::seconds(5),
        max_attempts: 5,
    };
    let waits: Vec<AfterFailure> = (1..=5).map(|n| policy.after_failure(n, now)).collect();
    assert_eq!(
        waits,
        vec![
            AfterFailure::RetryAt(now + Duration::seconds(1)),
            AfterFailure::RetryAt(now + Duration::seconds(2)),
            AfterFailure::RetryAt(now + Duration::seconds(4)),
            AfterFailure::RetryAt(now + Duration::seconds(5)),
            AfterFailure::GiveUp,
        ]
    );
    assert!(is_delivered(204) && !is_delivered(302) && !is_delivered(500));
}
