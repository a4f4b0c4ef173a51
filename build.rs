//! The message files under `locales/` and the migrations under `migrations/` are compiled
//! into the program; a change to any of them (or a new language's or migration's
//! directory) rebuilds it.

fn main() {
    println!("cargo:rerun-if-changed=locales");
    println!("cargo:rerun-if-changed=migrations");
}
