//! Where to look for a command: the candidate paths from `PATH`.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// The `PATH` used when the variable is unset.
pub const DEFAULT_PATH: &str = "/bin:/usr/bin";

/// The paths to try, in order, to execute `name`. A name containing `/` is used as is;
/// otherwise each `PATH` entry is prefixed (an empty entry means the current directory).
/// `path_variable` is `$PATH`, or `None` to use [`DEFAULT_PATH`]. An empty name gives none.
#[must_use]
pub fn candidate_paths(path_variable: Option<&str>, name: &str) -> Vec<String> {
    if name.is_empty() {
        return Vec::new();
    }
    if name.contains('/') {
        return vec![String::from(name)];
    }
    path_variable
        .unwrap_or(DEFAULT_PATH)
        .split(':')
        .map(|directory| match directory {
            "" => format!("./{name}"),
            _ if directory.ends_with('/') => format!("{directory}{name}"),
            _ => format!("{directory}/{name}"),
        })
        .collect()
}
