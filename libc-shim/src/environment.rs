//! The environment: a copy of `envp` the program may change (`getenv`, `setenv`,
//! `unsetenv`), passed on by [`crate::process::execve`] callers.

use alloc::vec::Vec;

use spin::Mutex;

static ENVIRONMENT: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// Copies the initial `envp` (called once by the start-up code).
pub fn initialize(vector: u64) {
    let count = crate::raw_strings::vector_length(vector);
    let mut environment = ENVIRONMENT.lock();
    for index in 0..count {
        if let Some(entry) = crate::raw_strings::string_at(vector, index) {
            environment.push(entry.to_vec());
        }
    }
}

/// The value of `name`.
#[must_use]
pub fn getenv(name: &[u8]) -> Option<Vec<u8>> {
    let environment = ENVIRONMENT.lock();
    environment.iter().find_map(|entry| {
        let rest = entry.strip_prefix(name)?;
        rest.strip_prefix(b"=").map(<[u8]>::to_vec)
    })
}

/// Sets `name` to `value`.
pub fn setenv(name: &[u8], value: &[u8]) {
    let mut entry = name.to_vec();
    entry.push(b'=');
    entry.extend_from_slice(value);
    let mut environment = ENVIRONMENT.lock();
    environment.retain(|existing| !is_entry_of(existing, name));
    environment.push(entry);
}

/// Removes `name`.
pub fn unsetenv(name: &[u8]) {
    ENVIRONMENT
        .lock()
        .retain(|existing| !is_entry_of(existing, name));
}

/// Every `NAME=value` entry.
#[must_use]
pub fn entries() -> Vec<Vec<u8>> {
    ENVIRONMENT.lock().clone()
}

fn is_entry_of(entry: &[u8], name: &[u8]) -> bool {
    entry
        .strip_prefix(name)
        .is_some_and(|rest| rest.first() == Some(&b'='))
}
