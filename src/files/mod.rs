//! Reading and writing files: the audit feed's lines, the import readers, the data package of an access request,
//! the export encoders, and the compliance report's CSV, JSON and SVG chart. Each turns
//! domain values into bytes or bytes into raw items; none of them decides a rule or does
//! I/O beyond the reader or writer it is given. `app` calls them.

pub mod audit_feed;
pub mod backup;
pub mod export;
pub mod import;
pub mod package;
pub mod report;
