//! `memcpy`, `memmove`, `memset`, `memcmp` and `bcmp`: on `x86_64-unknown-linux-gnu`
//! `compiler_builtins` does not supply them (the C library normally does), and
//! rustc emits calls to them for copies and comparisons. Each is a `rep` string
//! instruction or a plain loop over raw pointers written so that it cannot compile
//! into a call to itself (the loops compare bytes through `read_volatile`).

/// Copies `count` bytes from `source` to `destination` (the ranges must not overlap).
///
/// # Safety
/// Both ranges must be valid for `count` bytes and must not overlap.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcpy(destination: *mut u8, source: *const u8, count: usize) -> *mut u8 {
    // SAFETY: the caller guarantees both ranges; `rep movsb` copies forwards with the
    // direction flag clear (the ABI keeps it clear at every call).
    unsafe {
        core::arch::asm!(
            "rep movsb",
            inout("rcx") count => _,
            inout("rdi") destination => _,
            inout("rsi") source => _,
            options(nostack, preserves_flags),
        );
    }
    destination
}

/// Copies `count` bytes from `source` to `destination`; the ranges may overlap.
///
/// # Safety
/// Both ranges must be valid for `count` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memmove(destination: *mut u8, source: *const u8, count: usize) -> *mut u8 {
    if (destination as usize).wrapping_sub(source as usize) >= count {
        // Copying forwards never overwrites bytes not yet read.
        // SAFETY: as for `memcpy`; forwards is safe for this overlap.
        unsafe {
            core::arch::asm!(
                "rep movsb",
                inout("rcx") count => _,
                inout("rdi") destination => _,
                inout("rsi") source => _,
                options(nostack, preserves_flags),
            );
        }
    } else {
        // The destination starts inside the source: copy backwards (direction flag
        // set for the copy only, cleared again before anything else runs).
        // SAFETY: both ranges are valid (caller); the last byte of each is
        // `start + count - 1`, which `count > 0` makes in range.
        unsafe {
            core::arch::asm!(
                "std",
                "rep movsb",
                "cld",
                inout("rcx") count => _,
                inout("rdi") destination.add(count - 1) => _,
                inout("rsi") source.add(count - 1) => _,
                options(nostack),
            );
        }
    }
    destination
}

/// Sets `count` bytes at `destination` to `value as u8`.
///
/// # Safety
/// The range must be valid for `count` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memset(destination: *mut u8, value: i32, count: usize) -> *mut u8 {
    // SAFETY: the caller guarantees the range; `rep stosb` stores forwards.
    unsafe {
        core::arch::asm!(
            "rep stosb",
            inout("rcx") count => _,
            inout("rdi") destination => _,
            in("al") value as u8,
            options(nostack, preserves_flags),
        );
    }
    destination
}

/// Compares `count` bytes: negative, zero or positive as the first differing byte
/// of `left` is below, equal to or above that of `right`.
///
/// # Safety
/// Both ranges must be valid for `count` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(left: *const u8, right: *const u8, count: usize) -> i32 {
    let mut index = 0;
    while index < count {
        // SAFETY: `index < count` and both ranges are valid for `count` bytes.
        let (a, b) = unsafe {
            (
                core::ptr::read_volatile(left.add(index)),
                core::ptr::read_volatile(right.add(index)),
            )
        };
        if a != b {
            return i32::from(a) - i32::from(b);
        }
        index += 1;
    }
    0
}

/// As `memcmp`, but only zero versus non-zero is meaningful.
///
/// # Safety
/// Both ranges must be valid for `count` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bcmp(left: *const u8, right: *const u8, count: usize) -> i32 {
    // SAFETY: the same contract.
    unsafe { memcmp(left, right, count) }
}

/// The length of the NUL-terminated string at `string` (LLVM turns byte-counting
/// loops into calls to it).
///
/// # Safety
/// `string` must point at a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strlen(string: *const u8) -> usize {
    let mut length = 0;
    // SAFETY: the caller guarantees a NUL within the string; `read_volatile`
    // keeps this loop from being recognised as `strlen` itself.
    while unsafe { core::ptr::read_volatile(string.add(length)) } != 0 {
        length += 1;
    }
    length
}
