//! `DATABASE_URL`, parsed once: which backend it names and where it points.

use std::fmt;

/// The two databases one binary serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database URL that names its backend.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH`: the path of the database file.
    Sqlite { path: String },
    /// `postgres://...` or `postgresql://...`, kept whole for the driver.
    Postgres { url: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("DATABASE_URL: expected sqlite://PATH or postgres://..., got a URL of another kind")]
pub struct UnsupportedDatabaseUrl;

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<DatabaseUrl, UnsupportedDatabaseUrl> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            Ok(DatabaseUrl::Sqlite {
                path: path.to_string(),
            })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseUrl::Postgres {
                url: url.to_string(),
            })
        } else {
            Err(UnsupportedDatabaseUrl)
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite { .. } => Backend::Sqlite,
            DatabaseUrl::Postgres { .. } => Backend::Postgres,
        }
    }
}

/// The URL as configured.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite { path } => write!(f, "sqlite://{path}"),
            DatabaseUrl::Postgres { url } => f.write_str(url),
        }
    }
}

/// A PostgreSQL URL may hold a password: the debug form names the backend only.
impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite { path } => write!(f, "DatabaseUrl(sqlite://{path})"),
            DatabaseUrl::Postgres { .. } => f.write_str("DatabaseUrl(postgres://..)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_its_backend_and_reads_back() {
        let sqlite = DatabaseUrl::parse("sqlite://data/x.db").unwrap();
        assert_eq!(sqlite.backend(), Backend::Sqlite);
        assert_eq!(sqlite.to_string(), "sqlite://data/x.db");
        for url in ["postgres://u:p@h/db", "postgresql://h/db"] {
            let parsed = DatabaseUrl::parse(url).unwrap();
            assert_eq!(parsed.backend(), Backend::Postgres);
            assert_eq!(parsed.to_string(), url);
            assert!(!format!("{parsed:?}").contains("u:p"));
        }
        assert_eq!(DatabaseUrl::parse("mysql://x"), Err(UnsupportedDatabaseUrl));
    }
}
