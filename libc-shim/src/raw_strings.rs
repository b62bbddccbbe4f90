//! The lowest layer's reads of memory the process did not allocate through Rust:
//! the initial stack the server laid out, and the NUL-terminated strings and
//! pointer vectors on it (which live, unchanged, for the whole life of the
//! process: nothing ever writes above the initial stack pointer).

/// Auxiliary vector entries read at most.
pub const AUXILIARY_CAPACITY: usize = 32;

/// What the initial stack holds.
pub struct InitialStack {
    /// `argc`.
    pub argument_count: usize,
    /// Address of `argv[0]`.
    pub argument_vector: u64,
    /// Address of `envp[0]`.
    pub environment_vector: u64,
    /// The auxiliary vector's pairs (up to `AT_NULL`, at most [`AUXILIARY_CAPACITY`]).
    pub auxiliary: [(u64, u64); AUXILIARY_CAPACITY],
}

/// Reads the initial stack at `stack`.
///
/// # Safety
/// `stack` must be the initial stack pointer posix-server started the process
/// with: a System V initial stack (argc, the argv pointers and a null, the
/// environment pointers and a null, auxiliary pairs ending with `AT_NULL`), mapped
/// for the life of the process.
pub unsafe fn read_initial_stack(stack: *const u64) -> InitialStack {
    // SAFETY: by the contract above, every read stays inside that layout, stopping
    // at its nulls.
    unsafe {
        let argument_count = *stack as usize;
        let argument_vector = stack.add(1);
        let environment_vector = argument_vector.add(argument_count + 1);
        let mut cursor = environment_vector;
        while *cursor != 0 {
            cursor = cursor.add(1);
        }
        cursor = cursor.add(1);
        let mut auxiliary = [(0, 0); AUXILIARY_CAPACITY];
        for entry in &mut auxiliary {
            let key = *cursor;
            *entry = (key, *cursor.add(1));
            if key == 0 {
                break;
            }
            cursor = cursor.add(2);
        }
        InitialStack {
            argument_count,
            argument_vector: argument_vector as u64,
            environment_vector: environment_vector as u64,
            auxiliary,
        }
    }
}

/// The string `vector[index]` points at (without its NUL); `None` for a null
/// pointer.
pub fn string_at(vector: u64, index: usize) -> Option<&'static [u8]> {
    // SAFETY: `vector` is argv or envp of the initial stack (see
    // `read_initial_stack`) and the caller stays below its terminating null.
    let pointer = unsafe { *(vector as *const u64).add(index) } as *const u8;
    if pointer.is_null() {
        return None;
    }
    let mut length = 0;
    // SAFETY: the strings of the initial stack are NUL-terminated and immutable
    // for the life of the process.
    unsafe {
        while *pointer.add(length) != 0 {
            length += 1;
        }
        Some(core::slice::from_raw_parts(pointer, length))
    }
}

/// How many non-null entries the vector at `vector` has.
pub fn vector_length(vector: u64) -> usize {
    let mut length = 0;
    // SAFETY: as `string_at`: the vector ends with a null pointer.
    unsafe {
        while *(vector as *const u64).add(length) != 0 {
            length += 1;
        }
    }
    length
}
