//! The System V initial stack of a new process: argc, the argv and envp pointer
//! vectors, the auxiliary vector, and the strings and 16 random bytes above them,
//! laid out in a buffer that becomes the top pages of the stack.

use alloc::vec::Vec;

use posix_server_api::Errno;
use posix_server_api::process_start::AT_NULL;

/// A built stack top.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitialStack {
    /// The bytes of `[top - bytes.len(), top)` (a multiple of the page size).
    pub bytes: Vec<u8>,
    /// The initial stack pointer (16-byte aligned, pointing at argc).
    pub stack_pointer: u64,
}

/// Auxiliary entries whose value is the address of something on the stack.
pub const AT_RANDOM: u64 = posix_server_api::process_start::AT_RANDOM;
/// The path the program ran as (an address on the stack).
pub const AT_EXECFN: u64 = posix_server_api::process_start::AT_EXECFN;

/// Builds the stack that ends at `top` for `arguments`, `environment` and the
/// auxiliary pairs `auxiliary` (`AT_RANDOM` and `AT_EXECFN` are added with
/// addresses on the stack; `random` are their bytes; `path` the program's path).
///
/// # Errors
/// `E2BIG` when everything needs more than `limit` bytes.
pub fn build(
    top: u64,
    arguments: &[&[u8]],
    environment: &[&[u8]],
    auxiliary: &[(u64, u64)],
    path: &[u8],
    random: [u8; 16],
    limit: usize,
) -> Result<InitialStack, Errno> {
    // Strings area (from the top down): path, argument and environment strings,
    // random bytes.
    let mut strings: Vec<u8> = Vec::new();
    let mut argument_offsets = Vec::with_capacity(arguments.len());
    let mut environment_offsets = Vec::with_capacity(environment.len());
    for argument in arguments {
        argument_offsets.push(strings.len());
        strings.extend_from_slice(argument);
        strings.push(0);
    }
    for entry in environment {
        environment_offsets.push(strings.len());
        strings.extend_from_slice(entry);
        strings.push(0);
    }
    let path_offset = strings.len();
    strings.extend_from_slice(path);
    strings.push(0);
    while !strings.len().is_multiple_of(16) {
        strings.push(0);
    }
    let random_offset = strings.len();
    strings.extend_from_slice(&random);
    let strings_start = top - strings.len() as u64;
    // Words: argc, argv..., 0, envp..., 0, auxv pairs..., AT_NULL 0.
    let auxiliary_count = auxiliary.len() + 3;
    let word_count = 1 + arguments.len() + 1 + environment.len() + 1 + 2 * auxiliary_count;
    let mut stack_pointer = (strings_start - 8 * word_count as u64) & !15;
    if (top - stack_pointer) as usize > limit {
        return Err(Errno::E2BIG);
    }
    stack_pointer &= !15;
    let mut words: Vec<u64> = Vec::with_capacity(word_count);
    words.push(arguments.len() as u64);
    words.extend(
        argument_offsets
            .iter()
            .map(|&offset| strings_start + offset as u64),
    );
    words.push(0);
    words.extend(
        environment_offsets
            .iter()
            .map(|&offset| strings_start + offset as u64),
    );
    words.push(0);
    for &(key, value) in auxiliary {
        words.push(key);
        words.push(value);
    }
    words.extend([AT_RANDOM, strings_start + random_offset as u64]);
    words.extend([AT_EXECFN, strings_start + path_offset as u64]);
    words.extend([AT_NULL, 0]);
    let bottom = stack_pointer & !(4096 - 1);
    let mut bytes = alloc::vec![0u8; (top - bottom) as usize];
    let at = |address: u64| (address - bottom) as usize;
    for (index, word) in words.iter().enumerate() {
        let offset = at(stack_pointer) + index * 8;
        bytes[offset..offset + 8].copy_from_slice(&word.to_le_bytes());
    }
    let offset = at(strings_start);
    bytes[offset..offset + strings.len()].copy_from_slice(&strings);
    Ok(InitialStack {
        bytes,
        stack_pointer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(stack: &InitialStack, top: u64, address: u64) -> u64 {
        let bottom = top - stack.bytes.len() as u64;
        let offset = (address - bottom) as usize;
        u64::from_le_bytes(stack.bytes[offset..offset + 8].try_into().unwrap())
    }

    fn string(stack: &InitialStack, top: u64, address: u64) -> Vec<u8> {
        let bottom = top - stack.bytes.len() as u64;
        let offset = (address - bottom) as usize;
        stack.bytes[offset..]
            .iter()
            .take_while(|&&b| b != 0)
            .copied()
            .collect()
    }

    #[test]
    fn the_layout_is_system_v() {
        let top = 0x7fff_0000_0000;
        let stack = build(
            top,
            &[b"ls", b"-l"],
            &[b"PATH=/bin"],
            &[(6, 4096)],
            b"/bin/ls",
            [7; 16],
            65536,
        )
        .unwrap();
        assert_eq!(stack.stack_pointer % 16, 0);
        assert_eq!(stack.bytes.len() % 4096, 0);
        let sp = stack.stack_pointer;
        assert_eq!(word(&stack, top, sp), 2);
        assert_eq!(string(&stack, top, word(&stack, top, sp + 8)), b"ls");
        assert_eq!(string(&stack, top, word(&stack, top, sp + 16)), b"-l");
        assert_eq!(word(&stack, top, sp + 24), 0);
        assert_eq!(
            string(&stack, top, word(&stack, top, sp + 32)),
            b"PATH=/bin"
        );
        assert_eq!(word(&stack, top, sp + 40), 0);
        assert_eq!(word(&stack, top, sp + 48), 6);
        assert_eq!(word(&stack, top, sp + 56), 4096);
        assert_eq!(word(&stack, top, sp + 64), AT_RANDOM);
        assert_eq!(word(&stack, top, sp + 80), AT_EXECFN);
        assert_eq!(string(&stack, top, word(&stack, top, sp + 88)), b"/bin/ls");
        assert_eq!(word(&stack, top, sp + 96), AT_NULL);
    }

    #[test]
    fn too_much_is_e2big() {
        let big = alloc::vec![b'x'; 100_000];
        assert_eq!(
            build(0x7000_0000, &[&big], &[], &[], b"/x", [0; 16], 65536),
            Err(Errno::E2BIG)
        );
    }
}
