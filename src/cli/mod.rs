//! The command line: one file per subcommand. Exit 0 on success, 1 with one clear line on
//! standard error otherwise.

mod api_token;
mod audit;
mod backup;
mod demo;
mod export;
mod import;
mod migrate;
mod officer;
mod purge;
mod rekey;
mod serve;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Settings;

#[derive(Debug, Parser)]
#[command(
    name = "rightsdesk",
    version,
    about = "Self-hosted portal for privacy-rights requests",
    long_about = "Self-hosted portal for privacy-rights requests. Without a command it runs the web app and its background jobs (`serve`). Configuration comes from environment variables and the TOML file named by RIGHTSDESK_CONFIG; see README.md."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web app and its scheduler (the default). SQLite databases are migrated first.
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Work with the audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Load a small demo data set: one request of each kind in various states.
    Demo,
    /// Import subjects, personal records or consents (CSV, a JSON array or NDJSON; see
    /// docs/IMPORT.md). Re-importing the same (source, source_id) updates the record.
    Import {
        /// csv, json (one array of objects) or ndjson (one object per line).
        #[arg(long, value_enum)]
        format: import::FormatArg,
        /// What the file holds.
        #[arg(long, value_enum, default_value_t = import::KindArg::Records)]
        kind: import::KindArg,
        /// Stop at the first bad item and import nothing.
        #[arg(long)]
        strict: bool,
        /// Check every item and store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Items per transaction.
        #[arg(long, default_value_t = crate::app::import::DEFAULT_BATCH_SIZE as u64, value_parser = clap::value_parser!(u64).range(1..=10_000))]
        batch_size: u64,
        /// The file to read, or - for standard input.
        file: String,
    },
    /// Delete what is past its retention period and not under a legal hold (closed case files
    /// keep a statistics stub). Runs by itself inside `serve` too.
    Purge {
        /// Count what would go, per class; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Purge as on this day (YYYY-MM-DD, start of the day in UTC) instead of now.
        #[arg(long, value_parser = purge::parse_date)]
        as_of: Option<time::Date>,
        /// text (a table) or json (one object).
        #[arg(long, value_enum, default_value_t = purge::OutputFormat::Text)]
        format: purge::OutputFormat,
        /// Items per transaction (smaller batches hold the write lock for less time).
        #[arg(long, default_value_t = crate::app::purge::DEFAULT_BATCH_SIZE, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        batch_size: i64,
    },
    /// Re-seal every sealed value and recompute every keyed hash under the current key
    /// (RIGHTSDESK_SECRET_KEY), in batches; afterwards older keys may leave
    /// RIGHTSDESK_PREVIOUS_SECRET_KEYS. Safe to stop and run again.
    Rekey {
        /// Count, per table, what is still under an old key; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Rows per transaction.
        #[arg(long, default_value_t = crate::app::rekey::DEFAULT_BATCH_SIZE, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        batch_size: i64,
    },
    /// Write requests in machine-readable form (see docs/EXPORT.md), with the queue's
    /// filters, to standard output or a file. Every export is audited.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Write one encrypted, integrity-checked file holding the whole database (one
    /// consistent snapshot), or check such a file with --verify. Restore it with `restore`.
    #[command(group(clap::ArgGroup::new("what").required(true).args(["out", "verify"])))]
    Backup {
        /// Write the backup to this file (- for standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
        /// Encrypt to this age public key (age1...) instead of a key derived from the secret
        /// key, so that the host making backups cannot read them; repeat for several.
        #[arg(long = "recipient", value_name = "KEY", requires = "out")]
        recipients: Vec<String>,
        /// Check this backup (every chunk, every row against the manifest's counts) without
        /// restoring it.
        #[arg(long, value_name = "FILE")]
        verify: Option<std::path::PathBuf>,
        /// With --verify: an age identity file for a backup made with --recipient.
        #[arg(long, value_name = "FILE", requires = "verify")]
        identity: Option<std::path::PathBuf>,
    },
    /// Restore a backup into an empty database (migrated first), check every chunk and the
    /// manifest's counts, then verify the audit chain. On any failure the database is left
    /// empty.
    Restore {
        /// The backup (- for standard input).
        file: std::path::PathBuf,
        /// Empty a database that holds data first (in the restore's transaction).
        #[arg(long)]
        force: bool,
        /// An age identity file for a backup made with --recipient.
        #[arg(long, value_name = "FILE")]
        identity: Option<std::path::PathBuf>,
    },
    /// Manage officers (admins, officers, auditors).
    Officer {
        #[command(subcommand)]
        command: OfficerCommand,
    },
    /// Manage tokens for other systems on the JSON API (/api/v1).
    ApiToken {
        #[command(subcommand)]
        command: ApiTokenCommand,
    },
    /// Print the JSON API's OpenAPI 3.1 document (as served at /api/v1/openapi.json);
    /// `rightsdesk openapi > docs/openapi.json` refreshes the checked-in copy.
    Openapi,
}

#[derive(Debug, Subcommand)]
enum ApiTokenCommand {
    /// Create a token and print its secret once (standard output); its id goes to standard
    /// error.
    Create {
        /// What the token is for, e.g. the system that uses it.
        #[arg(long)]
        name: String,
        /// requests:read, requests:write, inventory:write, consents:read, tasks:read or
        /// tasks:write; repeat for several.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// Limit the token to requests of this region (in, eu, us-ca, other); repeat for
        /// several. Without one the token sees every region.
        #[arg(long = "region")]
        regions: Vec<String>,
        /// The last day the token works (YYYY-MM-DD, UTC); without it, until revoked.
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
    },
    /// Revoke a token by its id: it stops working at once.
    Revoke { id: String },
}

#[derive(Debug, Subcommand)]
enum OfficerCommand {
    /// Create an officer. The password comes from RIGHTSDESK_PASSWORD or a prompt.
    Create {
        /// Sign-in email address.
        #[arg(long)]
        email: String,
        /// Name shown to other officers.
        #[arg(long)]
        name: String,
        /// admin (everything), officer (requests of their regions) or auditor (reads everything).
        #[arg(long)]
        role: String,
        /// A region the officer works (in, eu, us-ca, other); repeat for several.
        #[arg(long = "region")]
        regions: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Every request the filters match, in the queue's order (by due date).
    Requests {
        /// csv (RFC 4180), json (one array) or ndjson (one object per line).
        #[arg(long, value_enum)]
        format: export::FormatArg,
        #[command(flatten)]
        filters: export::FilterArgs,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Add the requesters' names, emails and details as the last columns (full_name,
        /// email, details). Audited as a personal export.
        #[arg(long)]
        include_personal: bool,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Number, chain and checkpoint the events committed but not yet sequenced (`serve`
    /// does this continuously); returns once none are waiting.
    Sequence {
        /// Events per transaction (and per checkpoint).
        #[arg(long, default_value_t = crate::app::audit::DEFAULT_BATCH, value_parser = clap::value_parser!(i64).range(1..=50_000))]
        batch_size: i64,
    },
    /// Print the newest checkpoint as one JSON line, to keep off the box (syslog, a WORM
    /// bucket) for `audit verify --checkpoint`.
    Checkpoint {
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Check that no audit event was edited, deleted, reordered or re-hashed, that every
    /// checkpoint is genuine and no event waits too long to be sequenced.
    Verify {
        /// A checkpoint exported earlier (`audit checkpoint`): the log must still contain it.
        #[arg(long)]
        checkpoint: Option<std::path::PathBuf>,
    },
    /// Stream sequenced events, one JSON object a line, for a log shipper.
    Tail {
        /// ndjson (one object per line).
        #[arg(long, value_enum)]
        format: TailFormat,
        /// Keep waiting for new events until SIGTERM or SIGINT.
        #[arg(long)]
        follow: bool,
        /// Start after this sequence number (0: from the first event).
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(i64).range(0..))]
        since: i64,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum TailFormat {
    Ndjson,
}

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    if let Some(Command::Openapi) = cli.command {
        print!("{}", crate::web::api::openapi::document());
        return ExitCode::SUCCESS;
    }
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(error) => return fail(error),
    };
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::run(settings),
        Command::Migrate => migrate::run(settings),
        Command::Audit { command } => match command {
            AuditCommand::Sequence { batch_size } => audit::sequence(settings, batch_size),
            AuditCommand::Checkpoint { out } => audit::checkpoint(settings, out.as_deref()),
            AuditCommand::Verify { checkpoint } => audit::verify(settings, checkpoint),
            AuditCommand::Tail {
                format: TailFormat::Ndjson,
                follow,
                since,
            } => audit::tail(settings, since, follow),
        },
        Command::Demo => demo::run(settings),
        Command::Purge {
            dry_run,
            as_of,
            format,
            batch_size,
        } => purge::run(settings, dry_run, as_of, format, batch_size),
        Command::Rekey {
            dry_run,
            batch_size,
        } => rekey::run(settings, dry_run, batch_size),
        Command::Import {
            format,
            kind,
            strict,
            dry_run,
            batch_size,
            file,
        } => import::run(
            settings,
            crate::app::import::ImportOptions {
                kind: kind.into(),
                format: format.into(),
                strict,
                dry_run,
                batch_size: batch_size as usize,
                actor: crate::domain::audit::Actor::Operator,
            },
            &file,
        ),
        Command::Export {
            command:
                ExportCommand::Requests {
                    format,
                    filters,
                    out,
                    include_personal,
                },
        } => export::run(settings, format, &filters, out.as_deref(), include_personal),
        Command::Backup {
            out: Some(out),
            recipients,
            ..
        } => backup::run(settings, &out, &recipients),
        Command::Backup {
            verify, identity, ..
        } => match verify {
            Some(path) => backup::verify(settings, &path, identity.as_deref()),
            None => Err("backup needs --out FILE or --verify FILE".to_string()),
        },
        Command::Restore {
            file,
            force,
            identity,
        } => backup::restore(settings, &file, identity.as_deref(), force),
        Command::Officer {
            command:
                OfficerCommand::Create {
                    email,
                    name,
                    role,
                    regions,
                },
        } => officer::create(settings, email, name, role, regions),
        Command::ApiToken { command } => match command {
            ApiTokenCommand::Create {
                name,
                scopes,
                regions,
                expires,
            } => api_token::create(settings, name, scopes, regions, expires),
            ApiTokenCommand::Revoke { id } => api_token::revoke(settings, id),
        },
        Command::Openapi => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(message),
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    let line = message.to_string().replace('\n', " ");
    eprintln!("rightsdesk: {line}");
    ExitCode::FAILURE
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only on a terminal: a log collector gets plain `key=value` text.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}
