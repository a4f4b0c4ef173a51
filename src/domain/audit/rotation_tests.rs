use time::macros::datetime;

use super::*;
use crate::crypto::SecretKey;
use crate::domain::audit::chain::{sequence, ChainVerifier};
use crate::domain::audit::InvalidCheckpoint;

fn secret(text: &str) -> SecretKey {
    SecretKey::from_text(text).unwrap()
}

fn event(position: i64) -> StoredEvent {
    StoredEvent {
        position,
        seq: None,
        id: format!("id-{position}"),
        at: datetime!(2026-01-01 00:00 UTC) + time::Duration::minutes(position),
        actor: "system".into(),
        action: "request.submitted".into(),
        target: format!("request:{position}"),
        details: "{}".into(),
        prev_hash: None,
        hash: None,
        key_id: None,
    }
}

/// Appends `count` events chained under `key`, and their checkpoint.
fn extend(
    key: &AuditKey,
    events: &mut Vec<StoredEvent>,
    checkpoints: &mut Vec<Checkpoint>,
    count: i64,
) {
    let head = events
        .last()
        .map(|e| (e.seq.unwrap(), e.hash.clone().unwrap()))
        .unwrap_or((0, GENESIS_HASH.to_string()));
    if checkpoints.is_empty() {
        checkpoints.push(Checkpoint::seal(
            key,
            head.0,
            &head.1,
            datetime!(2026-02-01 0:00 UTC),
        ));
    }
    let batch = events_of(head.0, count);
    let sequenced = sequence(key, (head.0, &head.1), &batch);
    for (mut stored, s) in batch.into_iter().zip(sequenced) {
        stored.seq = Some(s.seq);
        stored.prev_hash = Some(s.prev_hash);
        stored.hash = Some(s.hash);
        stored.key_id = Some(key.id().to_string());
        events.push(stored);
    }
    let last = events.last().unwrap();
    checkpoints.push(Checkpoint::seal(
        key,
        last.seq.unwrap(),
        last.hash.as_deref().unwrap(),
        datetime!(2026-03-01 0:00 UTC),
    ));
}

fn events_of(after: i64, count: i64) -> Vec<StoredEvent> {
    (after + 1..=after + count).map(event).collect()
}

/// Walks as the app does; `upto` collects an era for a new seal.
fn walk(
    keys: &AuditKeys,
    seal: Option<&RotationSeal>,
    events: &[StoredEvent],
    checkpoints: &[Checkpoint],
    upto: Option<i64>,
) -> Result<Option<EraSummary>, ChainBreak> {
    walk_against(keys, seal, events, checkpoints, upto, None)
}

fn walk_against(
    keys: &AuditKeys,
    seal: Option<&RotationSeal>,
    events: &[StoredEvent],
    checkpoints: &[Checkpoint],
    upto: Option<i64>,
    exported: Option<Checkpoint>,
) -> Result<Option<EraSummary>, ChainBreak> {
    let mut verifier = ChainVerifier::new(keys, checkpoints.first().map(|c| c.seq), exported)?
        .with_sealed_era(seal.cloned().map(SealedEra::new));
    if let Some(upto) = upto {
        verifier = verifier.collecting(upto);
    }
    let mut waiting = checkpoints.iter().peekable();
    while let Some(c) = waiting.next_if(|c| c.seq <= verifier.last_seq()) {
        verifier.checkpoint(c)?;
    }
    for e in events {
        verifier.check(e)?;
        while let Some(c) = waiting.next_if(|c| c.seq <= verifier.last_seq()) {
            verifier.checkpoint(c)?;
        }
    }
    let last = events
        .last()
        .map(|e| (e.seq.unwrap(), e.hash.clone().unwrap()));
    let (seq, hash) = last.unwrap_or((0, GENESIS_HASH.to_string()));
    verifier.finish((seq, &hash), checkpoints.last().map(|c| c.seq))?;
    Ok(verifier.collected())
}

#[test]
fn a_sealed_era_verifies_without_its_key_and_still_finds_edits() {
    let (old, new) = (
        secret("the-old-secret-key-of-32-characters"),
        secret("the-new-secret-key-of-32-characters"),
    );
    let before = AuditKeys::new(&old, &[]);
    let (mut events, mut checkpoints) = (Vec::new(), Vec::new());
    extend(before.current(), &mut events, &mut checkpoints, 5);

    // Rotation: both keys known, the era up to 5 verified and sealed under the new key.
    let both = AuditKeys::new(&new, std::slice::from_ref(&old));
    let era = walk(&both, None, &events, &checkpoints, Some(5))
        .unwrap()
        .expect("the era was collected");
    assert_eq!(era.upto_seq, 5);
    let seal = RotationSeal::seal(both.current(), &era, datetime!(2026-04-01 0:00 UTC));
    assert_eq!(seal.retired_key_ids, before.current().id());
    extend(both.current(), &mut events, &mut checkpoints, 3);

    // The old key gone: without the seal, verify names the key; with it, all passes.
    let after = AuditKeys::new(&new, &[]);
    assert_eq!(seal.verify(&after), Ok(true));
    let missing = walk(&after, None, &events, &checkpoints, None).unwrap_err();
    assert!(
        missing.to_string().contains(before.current().id()),
        "{missing}"
    );
    assert_eq!(
        walk(&after, Some(&seal), &events, &checkpoints, None),
        Ok(None)
    );

    // A checkpoint exported under the old key is still found in the log, as it was.
    let exported = checkpoints[1].clone();
    assert_eq!(exported.key_id, before.current().id());
    assert_eq!(
        walk_against(
            &after,
            Some(&seal),
            &events,
            &checkpoints,
            None,
            Some(exported.clone())
        ),
        Ok(None)
    );
    let altered = Checkpoint {
        mac: "00".repeat(32),
        ..exported
    };
    assert!(matches!(
        walk_against(
            &after,
            Some(&seal),
            &events,
            &checkpoints,
            None,
            Some(altered)
        ),
        Err(ChainBreak::Checkpoint(InvalidCheckpoint::UnknownKey {
            seq: 5,
            ..
        }))
    ));

    // An edited old event, or an old hash rewritten with its successor's link, fails.
    let mut edited = events.clone();
    edited[2].details = "{\"edited\":true}".into();
    assert!(matches!(
        walk(&after, Some(&seal), &edited, &checkpoints, None),
        Err(ChainBreak::RotationMismatch { upto_seq: 5, .. })
    ));
    let mut rehashed = events.clone();
    rehashed[1].hash = Some("ab".repeat(32));
    rehashed[2].prev_hash = Some("ab".repeat(32));
    assert!(walk(&after, Some(&seal), &rehashed, &checkpoints, None).is_err());

    // A changed seal, or one made with another key, does not verify.
    let forged = RotationSeal {
        digest: "00".repeat(32),
        ..seal.clone()
    };
    assert!(forged.verify(&after).is_err());
    assert_eq!(seal.verify(&AuditKeys::new(&old, &[])), Ok(false));
}
