//! The groups of checks, one module each.

pub mod descriptors;
pub mod directories;
pub mod files;
pub mod memory;
pub mod pipes;
pub mod processes;
pub mod signals;
pub mod time;
