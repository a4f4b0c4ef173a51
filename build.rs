//! The message files under `locales/` are compiled into the program; a change to any of
//! them (or a new language's directory) rebuilds it.

fn main() {
    println!("cargo:rerun-if-changed=locales");
}
