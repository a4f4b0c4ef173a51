// The tables of both backends; the migrations in migrations/sqlite and migrations/postgres
// create exactly these columns.

diesel::table! {
    requests (id) {
        id -> Text,
        reference -> Text,
        kind -> Text,
        regime -> Text,
        status -> Text,
        full_name -> Text,
        email -> Text,
        account_ref -> Nullable<Text>,
        details -> Text,
        correction -> Nullable<Text>,
        purposes -> Nullable<Text>,
        content_removal -> Bool,
        received_at -> Timestamp,
        verified_at -> Nullable<Timestamp>,
        acknowledge_due_at -> Nullable<Timestamp>,
        due_at -> Timestamp,
        extended_due_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        assignee_id -> Nullable<Text>,
        outcome -> Nullable<Text>,
        rejection_reason -> Nullable<Text>,
        version -> BigInt,
        updated_at -> Timestamp,
        effective_due_at -> Timestamp,
        wiped_at -> Nullable<Timestamp>,
        email_index -> Nullable<Text>,
        seal_key_id -> Nullable<Text>,
        locale -> Text,
        channel -> Nullable<Text>,
        duplicate_of -> Nullable<Text>,
    }
}

diesel::table! {
    request_messages (id) {
        id -> Text,
        request_id -> Text,
        author -> Text,
        body -> Text,
        created_at -> Timestamp,
        seal_key_id -> Nullable<Text>,
    }
}

diesel::table! {
    link_tokens (token_hash) {
        token_hash -> Text,
        request_id -> Text,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (pos) {
        pos -> BigInt,
        seq -> Nullable<BigInt>,
        id -> Text,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        target -> Text,
        details -> Text,
        prev_hash -> Nullable<Text>,
        hash -> Nullable<Text>,
        key_id -> Nullable<Text>,
    }
}

diesel::table! {
    audit_checkpoints (seq) {
        seq -> BigInt,
        head_hash -> Text,
        at -> Timestamp,
        key_id -> Text,
        mac -> Text,
    }
}

diesel::table! {
    audit_rotation_seals (upto_seq, key_id) {
        upto_seq -> BigInt,
        key_id -> Text,
        head_hash -> Text,
        digest -> Text,
        retired_key_ids -> Text,
        at -> Timestamp,
        mac -> Text,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Text,
        to_addr -> Text,
        subject -> Text,
        body -> Text,
        template -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        failed_at -> Nullable<Timestamp>,
        claim_token -> Nullable<Text>,
        seal_key_id -> Nullable<Text>,
    }
}

diesel::table! {
    officers (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        role -> Text,
        regions -> Text,
        password_hash -> Text,
        totp_secret -> Nullable<Text>,
        totp_enabled_at -> Nullable<Timestamp>,
        totp_last_step -> Nullable<BigInt>,
        disabled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        password_change_required -> Bool,
    }
}

diesel::table! {
    officer_sessions (id_hash) {
        id_hash -> Text,
        officer_id -> Text,
        mfa_passed -> Bool,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_throttle (throttle_key) {
        throttle_key -> Text,
        failures -> Integer,
        last_failure_at -> Nullable<Timestamp>,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    legal_holds (id) {
        id -> Text,
        scope -> Text,
        target_id -> Text,
        order_reference -> Text,
        reason -> Text,
        placed_by -> Text,
        placed_at -> Timestamp,
        expires_on -> Nullable<Date>,
        released_at -> Nullable<Timestamp>,
        released_by -> Nullable<Text>,
        origin_request_id -> Nullable<Text>,
        seal_key_id -> Nullable<Text>,
    }
}

diesel::table! {
    request_counts (regime, status, shard) {
        regime -> Text,
        status -> Text,
        shard -> Integer,
        n -> BigInt,
    }
}

diesel::table! {
    subjects (id) {
        id -> Text,
        email_hash -> Text,
        key_id -> Text,
        identity -> Binary,
        cancelled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    personal_records (id) {
        id -> Text,
        subject_id -> Text,
        source -> Text,
        source_key -> Text,
        category -> Text,
        retention_class -> Text,
        state -> Text,
        key_id -> Text,
        sealed -> Binary,
        removed_at -> Nullable<Timestamp>,
        restricted_at -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
        retention_from -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    consents (id) {
        id -> Text,
        subject_id -> Text,
        purpose -> Text,
        granted_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
        source -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    objections (id) {
        id -> Text,
        subject_id -> Text,
        purpose -> Text,
        request_id -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    data_packages (id) {
        id -> Text,
        request_id -> Text,
        token_hash -> Text,
        key_id -> Text,
        sealed_token -> Binary,
        content -> Binary,
        size_bytes -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        downloads -> Integer,
        max_downloads -> Integer,
    }
}

diesel::table! {
    officer_exports (id) {
        id -> Text,
        officer_id -> Text,
        started_at -> Timestamp,
        row_count -> BigInt,
    }
}

diesel::table! {
    export_spike_alerts (officer_id) {
        officer_id -> Text,
        alerted_at -> Timestamp,
    }
}

diesel::table! {
    retention_notices (id) {
        id -> Text,
        subject_id -> Text,
        retention_class -> Text,
        covers_until -> Timestamp,
        erase_from -> Timestamp,
        sent_at -> Timestamp,
        items -> BigInt,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        name -> Text,
        token_hash -> Text,
        scopes -> Text,
        regions -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        url -> Text,
        event_types -> Text,
        personal_data -> Bool,
        enabled -> Bool,
        secret -> Text,
        created_at -> Timestamp,
        seal_key_id -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        endpoint_id -> Text,
        event_type -> Text,
        body -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        claim_token -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        last_attempt_at -> Nullable<Timestamp>,
        seal_key_id -> Nullable<Text>,
    }
}

diesel::table! {
    fulfilment_tasks (id) {
        id -> Text,
        request_id -> Text,
        source -> Text,
        action -> Text,
        state -> Text,
        failure_reason -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        finished_by -> Nullable<Text>,
    }
}

diesel::table! {
    held_outcomes (request_id) {
        request_id -> Text,
        held_at -> Timestamp,
        released_at -> Nullable<Timestamp>,
        released_by -> Nullable<Text>,
    }
}

diesel::joinable!(request_messages -> requests (request_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(link_tokens -> requests (request_id));
diesel::joinable!(officer_sessions -> officers (officer_id));
diesel::joinable!(personal_records -> subjects (subject_id));
diesel::joinable!(consents -> subjects (subject_id));
diesel::joinable!(objections -> subjects (subject_id));
diesel::joinable!(data_packages -> requests (request_id));

diesel::allow_tables_to_appear_in_same_query!(
    requests,
    request_messages,
    link_tokens,
    audit_events,
    audit_checkpoints,
    audit_rotation_seals,
    audit_head,
    mail_outbox,
    officers,
    officer_sessions,
    login_throttle,
    legal_holds,
    request_counts,
    subjects,
    personal_records,
    consents,
    objections,
    data_packages,
    retention_notices,
    api_tokens,
    webhook_endpoints,
    webhook_deliveries,
    fulfilment_tasks,
);
