use time::macros::datetime;

use super::*;
use crate::crypto::SecretKey;

fn keys() -> AuditKeys {
    AuditKeys::new(
        &SecretKey::from_text("a-secret-key-of-at-least-32-chars!!").unwrap(),
        &[],
    )
}

fn pending(position: i64) -> StoredEvent {
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

fn applied(mut event: StoredEvent, sequenced: &Sequenced, key_id: &str) -> StoredEvent {
    event.seq = Some(sequenced.seq);
    event.prev_hash = Some(sequenced.prev_hash.clone());
    event.hash = Some(sequenced.hash.clone());
    event.key_id = Some(key_id.to_string());
    event
}

/// `old` events of the first era (unkeyed), sealed by a checkpoint, then `new` keyed ones
/// sealed by a second; returns the events and both checkpoints.
fn log(keys: &AuditKeys, old: i64, new: i64) -> (Vec<StoredEvent>, Vec<Checkpoint>) {
    let mut events = Vec::new();
    let mut prev = GENESIS_HASH.to_string();
    for seq in 1..=old {
        let mut event = pending(seq);
        let hash = chain_hash(&prev, &event.content(seq));
        event.seq = Some(seq);
        event.prev_hash = Some(std::mem::replace(&mut prev, hash.clone()));
        event.hash = Some(hash);
        events.push(event);
    }
    let at = datetime!(2026-06-01 00:00 UTC);
    let seal = Checkpoint::seal(keys.current(), old, &prev, at);
    let batch: Vec<StoredEvent> = (old + 1..=old + new).map(pending).collect();
    let sequenced = sequence(keys.current(), (old, &prev), &batch);
    for (event, s) in batch.into_iter().zip(&sequenced) {
        events.push(applied(event, s, keys.current().id()));
    }
    let last = events.last().and_then(|e| e.hash.clone()).unwrap_or(prev);
    let newest = Checkpoint::seal(keys.current(), old + new, &last, at);
    (events, vec![seal, newest])
}

/// Verifies as the app does: checkpoints handed over as the walk reaches them.
fn verify(
    keys: &AuditKeys,
    events: &[StoredEvent],
    checkpoints: &[Checkpoint],
    exported: Option<Checkpoint>,
) -> Result<u64, ChainBreak> {
    let mut verifier = ChainVerifier::new(keys, checkpoints.first().map(|c| c.seq), exported)?;
    let mut waiting = checkpoints.iter().peekable();
    let mut hand_over = |verifier: &mut ChainVerifier<'_>| -> Result<(), ChainBreak> {
        while let Some(c) = waiting.next_if(|c| c.seq <= verifier.last_seq()) {
            verifier.checkpoint(c)?;
        }
        Ok(())
    };
    hand_over(&mut verifier)?;
    for event in events {
        verifier.check(event)?;
        hand_over(&mut verifier)?;
    }
    let head = events
        .last()
        .map(|e| (e.seq.unwrap(), e.hash.clone().unwrap()))
        .unwrap_or((0, GENESIS_HASH.to_string()));
    verifier.finish((head.0, &head.1), checkpoints.last().map(|c| c.seq))
}

#[test]
fn both_eras_verify_and_an_empty_log_too() {
    let keys = keys();
    let (events, checkpoints) = log(&keys, 3, 4);
    assert_eq!(verify(&keys, &events, &checkpoints, None), Ok(7));
    assert_eq!(verify(&keys, &[], &[], None), Ok(0));
    let (fresh, fresh_checkpoints) = log(&keys, 0, 2);
    assert_eq!(verify(&keys, &fresh, &fresh_checkpoints, None), Ok(2));
}

#[test]
fn keyed_hashes_depend_on_the_key_and_the_sequence() {
    let keys = keys();
    let other = AuditKeys::new(
        &SecretKey::from_text("another-secret-key-of-32-characters").unwrap(),
        &[],
    );
    let batch = [pending(1), pending(2)];
    let mine = sequence(keys.current(), (0, GENESIS_HASH), &batch);
    let theirs = sequence(other.current(), (0, GENESIS_HASH), &batch);
    assert_eq!(mine.iter().map(|s| s.seq).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(mine[1].prev_hash, mine[0].hash);
    assert_ne!(mine[0].hash, theirs[0].hash);
    assert_ne!(mine[0].hash, chain_hash(GENESIS_HASH, &batch[0].content(1)));
    let later = sequence(keys.current(), (5, GENESIS_HASH), &batch);
    assert_ne!(later[0].hash, mine[0].hash);
}

#[test]
fn an_edit_in_either_era_is_found_at_its_event() {
    let keys = keys();
    let (events, checkpoints) = log(&keys, 3, 4);
    for seq in [2, 6] {
        let mut edited = events.clone();
        edited[seq - 1].details = r#"{"edited":true}"#.into();
        assert_eq!(
            verify(&keys, &edited, &checkpoints, None),
            Err(ChainBreak::HashMismatch { seq: seq as i64 })
        );
    }
}

#[test]
fn a_deletion_or_a_reordering_is_found() {
    let keys = keys();
    let (events, checkpoints) = log(&keys, 2, 4);
    let mut deleted = events.clone();
    deleted.remove(3);
    assert_eq!(
        verify(&keys, &deleted, &checkpoints, None),
        Err(ChainBreak::Gap {
            seq: 5,
            expected_prev: 3
        })
    );
    let mut swapped = events.clone();
    swapped.swap(3, 4);
    (swapped[3].seq, swapped[4].seq) = (Some(4), Some(5));
    assert_eq!(
        verify(&keys, &swapped, &checkpoints, None),
        Err(ChainBreak::PrevMismatch { seq: 4 })
    );
    assert_eq!(
        verify(&keys, &events[..5], &checkpoints, None),
        Err(ChainBreak::Truncated {
            last_seq: 5,
            head_seq: 6
        })
    );
}

/// Someone without the key edits an event and recomputes every hash after it, keyed
/// events passed off as first-era ones: the era boundary and the checkpoints catch it.
#[test]
fn recomputing_hashes_without_the_key_is_found() {
    let keys = keys();
    let (events, checkpoints) = log(&keys, 2, 3);
    let rehash = |from: usize, mut events: Vec<StoredEvent>| {
        let mut prev = events[from - 1].prev_hash.clone().unwrap();
        for event in &mut events[from - 1..] {
            let hash = chain_hash(&prev, &event.content(event.seq.unwrap()));
            event.prev_hash = Some(std::mem::replace(&mut prev, hash.clone()));
            event.hash = Some(hash);
            event.key_id = None;
        }
        events
    };
    let mut edited = events.clone();
    edited[3].details = r#"{"edited":true}"#.into();
    assert_eq!(
        verify(&keys, &rehash(4, edited), &checkpoints, None),
        Err(ChainBreak::Unkeyed {
            seq: 4,
            sealed_at: 2
        })
    );
    let mut old_edit = events.clone();
    old_edit[0].details = r#"{"edited":true}"#.into();
    assert_eq!(
        verify(&keys, &rehash(1, old_edit.clone()), &checkpoints, None),
        Err(ChainBreak::CheckpointMismatch { seq: 2 })
    );
    // Without checkpoints nothing sequenced verifies.
    assert_eq!(
        verify(&keys, &rehash(1, old_edit), &[], None),
        Err(ChainBreak::Unsealed)
    );
}

#[test]
fn a_forged_checkpoint_is_found() {
    let keys = keys();
    let (events, mut checkpoints) = log(&keys, 2, 3);
    checkpoints[1].head_hash = "00".repeat(32);
    assert_eq!(
        verify(&keys, &events, &checkpoints, None),
        Err(ChainBreak::Checkpoint(InvalidCheckpoint::BadMac { seq: 5 }))
    );
}

#[test]
fn the_log_must_still_contain_an_exported_checkpoint() {
    let keys = keys();
    let (events, checkpoints) = log(&keys, 2, 4);
    let exported = checkpoints[1].clone();
    assert_eq!(
        verify(&keys, &events, &checkpoints, Some(exported.clone())),
        Ok(6)
    );
    // Truncated after the export, with the stored checkpoints and head moved back to match.
    let keep = &events[..4];
    let resealed = Checkpoint::seal(
        keys.current(),
        4,
        keep[3].hash.as_deref().unwrap(),
        exported.at,
    );
    let truncated_checkpoints = [checkpoints[0].clone(), resealed];
    assert_eq!(verify(&keys, keep, &truncated_checkpoints, None), Ok(4));
    assert_eq!(
        verify(&keys, keep, &truncated_checkpoints, Some(exported.clone())),
        Err(ChainBreak::ExportTruncated {
            seq: 6,
            last_seq: 4
        })
    );
    // Rewritten by someone holding the key: the exported head no longer matches.
    let mut rewritten: Vec<StoredEvent> = events[..2].to_vec();
    let mut batch: Vec<StoredEvent> = (3..=6).map(pending).collect();
    batch[1].details = r#"{"edited":true}"#.into();
    let head = rewritten[1].hash.clone().unwrap();
    let sequenced = sequence(keys.current(), (2, &head), &batch);
    for (event, s) in batch.into_iter().zip(&sequenced) {
        rewritten.push(applied(event, s, keys.current().id()));
    }
    let rewritten_checkpoints = [
        checkpoints[0].clone(),
        Checkpoint::seal(keys.current(), 6, &sequenced[3].hash, exported.at),
    ];
    assert_eq!(
        verify(&keys, &rewritten, &rewritten_checkpoints, Some(exported)),
        Err(ChainBreak::ExportRewritten { seq: 6 })
    );
}

#[test]
fn pending_events_may_wait_only_so_long() {
    let now = datetime!(2026-12-01 12:00 UTC);
    let allowed = time::Duration::minutes(5);
    assert_eq!(check_pending(None, now, allowed), Ok(()));
    assert_eq!(
        check_pending(Some((now - time::Duration::minutes(4), 3)), now, allowed),
        Ok(())
    );
    assert!(matches!(
        check_pending(Some((now - time::Duration::minutes(6), 3)), now, allowed),
        Err(ChainBreak::StalePending { count: 3, .. })
    ));
}

#[test]
fn after_a_key_rotation_both_keys_verify_and_a_forgotten_key_is_named() {
    let old = SecretKey::from_text("the-old-secret-key-of-32-characters").unwrap();
    let new = SecretKey::from_text("the-new-secret-key-of-32-characters").unwrap();
    let before = AuditKeys::new(&old, &[]);
    let after = AuditKeys::new(&new, std::slice::from_ref(&old));
    let at = datetime!(2026-06-01 00:00 UTC);
    let seal = Checkpoint::seal(before.current(), 0, GENESIS_HASH, at);
    let first: Vec<StoredEvent> = (1..=2).map(pending).collect();
    let sequenced = sequence(before.current(), (0, GENESIS_HASH), &first);
    let mut events: Vec<StoredEvent> = first
        .into_iter()
        .zip(&sequenced)
        .map(|(e, s)| applied(e, s, before.current().id()))
        .collect();
    let second: Vec<StoredEvent> = (3..=4).map(pending).collect();
    let head = sequenced[1].hash.clone();
    let resequenced = sequence(after.current(), (2, &head), &second);
    events.extend(
        second
            .into_iter()
            .zip(&resequenced)
            .map(|(e, s)| applied(e, s, after.current().id())),
    );
    let checkpoints = [
        seal,
        Checkpoint::seal(before.current(), 2, &head, at),
        Checkpoint::seal(after.current(), 4, &resequenced[1].hash, at),
    ];
    assert_eq!(verify(&after, &events, &checkpoints, None), Ok(4));
    let forgotten = AuditKeys::new(&new, &[]);
    assert_eq!(
        verify(&forgotten, &events, &checkpoints, None),
        Err(ChainBreak::Checkpoint(InvalidCheckpoint::UnknownKey {
            seq: 0,
            key_id: before.current().id().to_string()
        }))
    );
}
