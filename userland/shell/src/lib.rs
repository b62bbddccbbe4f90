//! `koito-shell`: the logic of KOITO's `/bin/sh`, with no system calls.
//!
//! The pipeline of a command line is:
//! [`parse::parse`] (text to a [`syntax::List`]), then [`executor::Shell::execute`], which
//! expands words ([`expand`]), runs builtins ([`builtin`]) in the shell and spawns
//! everything else through the [`system::System`] trait that the shell binary implements
//! with fork, dup2, execve, waitpid and tcsetpgrp. [`line_editor::LineEditor`] turns the
//! bytes of a raw-mode terminal into lines.
//!
//! Pathname expansion (`*`, `?`, `[...]`) applies to command arguments only (not to
//! redirection targets or assignments), through [`glob::DirectoryLister`].
//!
//! Not supported (a syntax error or documented limitation): command substitution, subshells and compound commands,
//! here-documents, `${NAME:-word}` forms, positional parameters other than `$0`,
//! background and-or lists (`a && b &`), and builtins inside pipelines (they run as
//! external programs found through `PATH`).
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod builtin;
pub mod executor;
pub mod expand;
pub mod glob;
pub mod lexer;
pub mod line_editor;
pub mod parse;
pub mod path_search;
pub mod status;
pub mod syntax;
pub mod system;
pub mod variables;
