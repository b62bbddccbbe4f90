//! Splitting a path into components, with the length limits Linux enforces.

use alloc::collections::VecDeque;
use alloc::string::{String, ToString};

use posix_server_api::Errno;

use super::flags::{NAME_MAX, PATH_MAX};

/// A path split into its components.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ParsedPath {
    /// Starts with `/`.
    pub(crate) absolute: bool,
    /// The non-empty components, `.` and `..` included.
    pub(crate) components: VecDeque<String>,
    /// Ends with `/` (after at least one component).
    pub(crate) trailing_slash: bool,
}

/// Splits `path`: `ENOENT` if empty, `ENAMETOOLONG` if it (with its NUL) exceeds
/// `PATH_MAX` or a component exceeds `NAME_MAX`.
pub(crate) fn parse_path(path: &str) -> Result<ParsedPath, Errno> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    if path.len() >= PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    if path.contains('\0') {
        return Err(Errno::EINVAL);
    }
    let mut components = VecDeque::new();
    for component in path.split('/').filter(|component| !component.is_empty()) {
        if component.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        components.push_back(component.to_string());
    }
    Ok(ParsedPath {
        absolute: path.starts_with('/'),
        trailing_slash: path.ends_with('/') && !components.is_empty(),
        components,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn splits_and_limits() {
        let parsed = parse_path("//a///b/./../c/").unwrap();
        assert!(parsed.absolute && parsed.trailing_slash);
        assert_eq!(
            parsed
                .components
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            ["a", "b", ".", "..", "c"]
        );
        let root = parse_path("/").unwrap();
        assert!(root.absolute && !root.trailing_slash && root.components.is_empty());
        assert_eq!(parse_path(""), Err(Errno::ENOENT));
        assert_eq!(parse_path(&"a".repeat(256)), Err(Errno::ENAMETOOLONG));
        assert!(parse_path(&"a".repeat(255)).is_ok());
        let long = "a/".repeat(2048);
        assert_eq!(parse_path(&long), Err(Errno::ENAMETOOLONG));
        assert!(parse_path(&long[..4095]).is_ok());
    }
}
