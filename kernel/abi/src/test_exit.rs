//! Exit codes written to QEMU's `isa-debug-exit` device by test builds.
//!
//! This is a KOITO testing convention, not part of the kernel ABI proper: the
//! loader, the kernel and test programs write one of these values to
//! [`DEBUG_EXIT_PORT`], QEMU then exits with status `(value << 1) | 1`, and
//! `cargo xtask test` decodes that status. A plain status of 1 means QEMU itself
//! failed (or the guest wrote 0), so it is never taken as success.

/// I/O port of QEMU's `isa-debug-exit` device (`-device isa-debug-exit,iobase=0xf4`).
pub const DEBUG_EXIT_PORT: u16 = 0xf4;

/// Everything that ran passed.
pub const SUCCESS: u8 = 0x10;
/// A test or self-check failed; the serial log says which.
pub const FAILURE: u8 = 0x11;
/// The kernel hit an exception or a panic; the serial log holds the report.
pub const KERNEL_FAULT: u8 = 0x12;
/// The loader could not boot the kernel; the serial log holds the reason.
pub const LOADER_FAILURE: u8 = 0x13;

/// The QEMU process exit status that a guest write of `code` produces.
#[must_use]
pub const fn qemu_status(code: u8) -> i32 {
    ((code as i32) << 1) | 1
}

/// Decodes a QEMU exit status back into the code the guest wrote, if it is one
/// of the values above.
#[must_use]
pub const fn decode_qemu_status(status: i32) -> Option<u8> {
    if status & 1 == 0 || status < 3 {
        return None;
    }
    let code = (status >> 1) as u8;
    match code {
        SUCCESS | FAILURE | KERNEL_FAULT | LOADER_FAILURE => Some(code),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_is_33_and_one_is_never_success() {
        assert_eq!(qemu_status(SUCCESS), 33);
        assert_eq!(decode_qemu_status(33), Some(SUCCESS));
        assert_eq!(decode_qemu_status(1), None);
        assert_eq!(decode_qemu_status(0), None);
    }

    #[test]
    fn every_code_round_trips() {
        for code in [SUCCESS, FAILURE, KERNEL_FAULT, LOADER_FAILURE] {
            assert_eq!(decode_qemu_status(qemu_status(code)), Some(code));
        }
    }
}
