//! Rights requests: the row, its entity, and finding and changing one request. The
//! queue's and the export's queries are in `queue.rs`, the kept counts in `counts.rs`.

mod counts;
mod duplicates;
mod queue;

pub use counts::*;
pub use duplicates::*;
pub use queue::*;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::domain::ids::RequestId;
use crate::domain::locale::Locale;
use crate::domain::request::Request;
use crate::store::schema::requests;
use crate::store::seal::{self, email_index, open, open_optional, seal_optional};
use crate::store::time::from_db;
use crate::store::{DbConn, StoreError};
use crate::vault::Keyring;

const TABLE: &str = "requests";

/// A request as stored: the columns written when it arrived, and those its transitions
/// set since. It leaves the store only as a [`Request`].
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = requests)]
pub(crate) struct RequestRow {
    #[diesel(embed)]
    pub arrived: NewRequest,
    #[diesel(embed)]
    pub progress: RequestProgress,
    /// The requester's language (a tag such as "en" or "hi").
    pub locale: String,
}

/// The columns a new request is stored with.
#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = requests)]
// None is stored as NULL, not as DEFAULT (no optional column has a default): one SQL text
// for every row, so each connection keeps the statement prepared.
#[diesel(treat_none_as_default_value = false)]
pub struct NewRequest {
    pub id: String,
    pub reference: String,
    pub kind: String,
    pub regime: String,
    pub status: String,
    pub full_name: String,
    pub email: String,
    pub account_ref: Option<String>,
    pub details: String,
    pub correction: Option<String>,
    pub purposes: Option<String>,
    pub content_removal: bool,
    pub received_at: PrimitiveDateTime,
    pub acknowledge_due_at: Option<PrimitiveDateTime>,
    pub due_at: PrimitiveDateTime,
    pub version: i64,
    pub updated_at: PrimitiveDateTime,
    pub effective_due_at: PrimitiveDateTime,
}

/// The columns only transitions set: empty when a request arrives.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = requests)]
pub struct RequestProgress {
    pub verified_at: Option<PrimitiveDateTime>,
    pub extended_due_at: Option<PrimitiveDateTime>,
    pub closed_at: Option<PrimitiveDateTime>,
    pub assignee_id: Option<String>,
    pub outcome: Option<String>,
    pub rejection_reason: Option<String>,
    pub duplicate_of: Option<String>,
}

/// The columns a transition may change; `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = requests)]
pub struct RequestChanges {
    pub status: Option<String>,
    pub verified_at: Option<PrimitiveDateTime>,
    pub acknowledge_due_at: Option<PrimitiveDateTime>,
    pub extended_due_at: Option<PrimitiveDateTime>,
    pub effective_due_at: Option<PrimitiveDateTime>,
    pub closed_at: Option<PrimitiveDateTime>,
    pub assignee_id: Option<String>,
    pub outcome: Option<String>,
    pub rejection_reason: Option<String>,
    pub duplicate_of: Option<String>,
}

impl RequestRow {
    /// The request, its personal fields opened.
    pub(crate) fn open(self, vault: &Keyring) -> Result<Request, StoreError> {
        let RequestRow {
            arrived: mut row,
            progress,
            locale,
        } = self;
        let id = row.id.clone();
        let field = |column: &str, stored: String| open(vault, TABLE, &id, column, stored);
        let optional =
            |column: &str, stored: Option<String>| open_optional(vault, TABLE, &id, column, stored);
        row.full_name = field("full_name", row.full_name)?;
        row.email = field("email", row.email)?;
        row.details = field("details", row.details)?;
        row.account_ref = optional("account_ref", row.account_ref)?;
        row.correction = optional("correction", row.correction)?;
        row.purposes = optional("purposes", row.purposes)?;
        Request::try_from(RequestRow {
            arrived: row,
            progress,
            locale,
        })
    }
}

impl NewRequest {
    /// The same request with its personal fields sealed for its row (what [`insert`] stores;
    /// public for the bulk generator of `bench/`, which writes rows the same way).
    pub fn sealed(&self, vault: &Keyring) -> Result<NewRequest, StoreError> {
        let id = &self.id;
        let field = |column: &str, plain: &str| seal::seal(vault, TABLE, id, column, plain);
        let optional = |column: &str, plain: &Option<String>| {
            seal_optional(vault, TABLE, id, column, plain.as_deref())
        };
        Ok(NewRequest {
            full_name: field("full_name", &self.full_name)?,
            email: field("email", &self.email)?,
            details: field("details", &self.details)?,
            account_ref: optional("account_ref", &self.account_ref)?,
            correction: optional("correction", &self.correction)?,
            purposes: optional("purposes", &self.purposes)?,
            ..self.clone()
        })
    }
}

impl TryFrom<RequestRow> for Request {
    type Error = StoreError;

    /// A row whose personal fields are already open.
    fn try_from(
        RequestRow {
            arrived: row,
            progress,
            locale,
        }: RequestRow,
    ) -> Result<Request, StoreError> {
        let corrupt = || StoreError::corrupt("requests", &row.id);
        let purposes = match &row.purposes {
            None => Vec::new(),
            Some(json) => serde_json::from_str(json).map_err(|_| corrupt())?,
        };
        Ok(Request {
            id: row.id.parse().map_err(|_| corrupt())?,
            reference: crate::domain::reference::Reference::parse(&row.reference)
                .map_err(|_| corrupt())?,
            kind: row.kind.parse().map_err(|_| corrupt())?,
            regime: row.regime.parse().map_err(|_| corrupt())?,
            status: row.status.parse().map_err(|_| corrupt())?,
            assignee: parse_optional(&progress.assignee_id).map_err(|_| corrupt())?,
            outcome: parse_optional(&progress.outcome).map_err(|_| corrupt())?,
            rejection_reason: parse_optional(&progress.rejection_reason).map_err(|_| corrupt())?,
            duplicate_of: parse_optional(&progress.duplicate_of).map_err(|_| corrupt())?,
            purposes,
            full_name: row.full_name,
            email: row.email,
            account_ref: row.account_ref,
            details: row.details,
            correction: row.correction,
            content_removal: row.content_removal,
            received_at: from_db(row.received_at),
            verified_at: progress.verified_at.map(from_db),
            acknowledge_due_at: row.acknowledge_due_at.map(from_db),
            due_at: from_db(row.due_at),
            extended_due_at: progress.extended_due_at.map(from_db),
            closed_at: progress.closed_at.map(from_db),
            version: row.version,
            updated_at: from_db(row.updated_at),
            effective_due_at: from_db(row.effective_due_at),
            locale: Locale::parse(&locale).ok_or_else(corrupt)?,
        })
    }
}

/// An optional column parsed when it holds a value.
fn parse_optional<T: std::str::FromStr>(text: &Option<String>) -> Result<Option<T>, T::Err> {
    text.as_deref().map(str::parse).transpose()
}

fn entity(vault: &Keyring, row: Option<RequestRow>) -> Result<Option<Request>, StoreError> {
    row.map(|row| row.open(vault)).transpose()
}

/// Stores a new request, its personal fields sealed and its email's blind index beside
/// them; a reference (or id) already taken is [`StoreError::Duplicate`].
pub fn insert(conn: &mut DbConn, vault: &Keyring, request: &NewRequest) -> Result<(), StoreError> {
    insert_in(conn, vault, request, &Locale::english())
}

/// [`insert`], for a requester who reads `locale`: later pages and mail use it.
pub fn insert_in(
    conn: &mut DbConn,
    vault: &Keyring,
    request: &NewRequest,
    locale: &Locale,
) -> Result<(), StoreError> {
    let sealed = request.sealed(vault)?;
    diesel::insert_into(requests::table)
        .values((
            &sealed,
            requests::email_index.eq(email_index(vault, &request.email)),
            requests::seal_key_id.eq(vault.current_key_id()),
            requests::locale.eq(locale.as_str()),
        ))
        .execute(conn)
        .map(|_| ())
        .map_err(StoreError::from_insert)
}

/// Stores a request recorded by an officer or another system: as [`insert`], with how it
/// was received, and verified from the start (the organisation took it in itself); its
/// requester reads `locale`.
pub fn insert_recorded(
    conn: &mut DbConn,
    vault: &Keyring,
    request: &NewRequest,
    locale: &Locale,
    channel: &str,
    verified_at: PrimitiveDateTime,
) -> Result<(), StoreError> {
    let sealed = request.sealed(vault)?;
    diesel::insert_into(requests::table)
        .values((
            &sealed,
            requests::email_index.eq(email_index(vault, &request.email)),
            requests::seal_key_id.eq(vault.current_key_id()),
            requests::locale.eq(locale.as_str()),
            requests::channel.eq(channel),
            requests::verified_at.eq(verified_at),
        ))
        .execute(conn)
        .map(|_| ())
        .map_err(StoreError::from_insert)
}

pub fn find_by_id(
    conn: &mut DbConn,
    vault: &Keyring,
    id: RequestId,
) -> Result<Option<Request>, StoreError> {
    let row = requests::table
        .find(id.to_string())
        .select(RequestRow::as_select())
        .first(conn)
        .optional()?;
    entity(vault, row)
}

/// What the lost-link lookup compares, read by reference without opening anything: the
/// request's id, its email's blind index and whether it was confirmed.
pub fn lookup_by_reference(
    conn: &mut DbConn,
    reference: &str,
) -> Result<Option<(RequestId, Option<String>, bool)>, StoreError> {
    let row: Option<(String, Option<String>, bool)> = requests::table
        .filter(requests::reference.eq(reference))
        .select((
            requests::id,
            requests::email_index,
            requests::verified_at.is_not_null(),
        ))
        .first(conn)
        .optional()?;
    row.map(|(id, index, verified)| {
        let id = id
            .parse()
            .map_err(|_| StoreError::corrupt("requests", &id))?;
        Ok((id, index, verified))
    })
    .transpose()
}

/// The request's regime alone: nothing personal is opened.
pub fn find_regime(
    conn: &mut DbConn,
    id: RequestId,
) -> Result<Option<crate::domain::regime::Regime>, StoreError> {
    let regime: Option<String> = requests::table
        .find(id.to_string())
        .select(requests::regime)
        .first(conn)
        .optional()?;
    regime
        .map(|r| r.parse().map_err(|_| StoreError::corrupt("requests", id)))
        .transpose()
}

/// The request, its row locked until the transaction ends, so that nothing else changes or
/// deletes it meanwhile (on PostgreSQL; SQLite's write transaction already keeps every
/// other writer out). `None` when it is gone, also when it went while we waited.
pub fn lock_by_id(
    conn: &mut DbConn,
    vault: &Keyring,
    id: RequestId,
) -> Result<Option<Request>, StoreError> {
    let row = requests::table.find(id.to_string());
    let row = match conn {
        DbConn::Postgres(pg) => row
            .select(RequestRow::as_select())
            .for_update()
            .first(pg)
            .optional(),
        DbConn::Sqlite(sqlite) => row.select(RequestRow::as_select()).first(sqlite).optional(),
    }?;
    entity(vault, row)
}

pub fn find_by_reference(
    conn: &mut DbConn,
    vault: &Keyring,
    reference: &str,
) -> Result<Option<Request>, StoreError> {
    let row = requests::table
        .filter(requests::reference.eq(reference))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()?;
    entity(vault, row)
}

/// Applies `changes` only if the request is still at `expected_version`; returns whether it
/// was. A stale version means someone else changed the request first.
pub fn update_if_version(
    conn: &mut DbConn,
    id: &str,
    expected_version: i64,
    changes: &RequestChanges,
    now: PrimitiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        requests::table
            .filter(requests::id.eq(id))
            .filter(requests::version.eq(expected_version)),
    )
    .set((
        changes,
        requests::version.eq(expected_version + 1),
        requests::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// The language a request was made in; English for a request that is not there.
pub fn find_locale(conn: &mut DbConn, id: RequestId) -> Result<Locale, StoreError> {
    let tag: Option<String> = requests::table
        .find(id.to_string())
        .select(requests::locale)
        .first(conn)
        .optional()?;
    match tag {
        None => Ok(Locale::english()),
        Some(tag) => Locale::parse(&tag).ok_or_else(|| StoreError::corrupt(TABLE, id.to_string())),
    }
}

/// The language of the newest request from `email` (by its blind index, under every key
/// still in use); English when there is none.
pub fn latest_locale_for_email(
    conn: &mut DbConn,
    vault: &Keyring,
    email: &str,
) -> Result<Locale, StoreError> {
    let candidates = seal::email_index_candidates(vault, email);
    let row: Option<(String, String)> = requests::table
        .filter(requests::email_index.eq_any(&candidates))
        .order((requests::received_at.desc(), requests::id.desc()))
        .select((requests::id, requests::locale))
        .first(conn)
        .optional()?;
    match row {
        None => Ok(Locale::english()),
        Some((id, tag)) => Locale::parse(&tag).ok_or_else(|| StoreError::corrupt(TABLE, &id)),
    }
}
