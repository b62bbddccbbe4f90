//! How init starts posix-server (`nun::server_start` layout: gifts from slot 5).
//!
//! posix-server runs in an address space mm-server made (init asks for it as
//! mm-server's client 1), so that mm-server can map shared buffers and copies of
//! ranges into it; init maps the image frames itself and makes mm-server the
//! thread's fault resolver, with init's supervisor registered as the space's
//! fault handler.
//!
//! | slot | capability |
//! |---|---|
//! | [`MEMORY_CLIENT_SLOT`] (5) | an mm-server client capability (its own client identifier) |
//! | [`IO_PORT_SLOT`] (6) | IO ports `0..=0xffff` (COM1, the PIT, QEMU's debug-exit port) |
//! | [`INTERRUPT_REGION_SLOT`] (7) | a copy of the interrupt region |
//!
//! The argument word is [`encode_argument`] of posix-server's own space id and the
//! page count of the root image, which init maps read-only at
//! [`ROOT_IMAGE_ADDRESS`] (inside Nun's window, `nun::window`; the boot module [`ROOT_IMAGE_MODULE`]; zero pages if
//! the image has none).

/// posix-server's root slot of its mm-server client capability.
pub const MEMORY_CLIENT_SLOT: u64 = 5;
/// posix-server's root slot of its IO port capability.
pub const IO_PORT_SLOT: u64 = 6;
/// posix-server's root slot of the interrupt region.
pub const INTERRUPT_REGION_SLOT: u64 = 7;
/// The boot module holding the root image (a ustar archive).
pub const ROOT_IMAGE_MODULE: &str = "rootfs.tar";
/// Where init maps the root image in posix-server's address space.
pub const ROOT_IMAGE_ADDRESS: u64 = 0x0000_0180_0000_0000;
/// The most pages of root image init maps.
pub const ROOT_IMAGE_MAX_PAGES: u64 = 1 << 20;

/// The argument word: the space id in the low 32 bits, the image's pages above.
#[must_use]
pub const fn encode_argument(space: u64, image_pages: u64) -> u64 {
    (space & 0xffff_ffff) | (image_pages << 32)
}

/// The space id and image page count of an argument word.
#[must_use]
pub const fn decode_argument(argument: u64) -> (u64, u64) {
    (argument & 0xffff_ffff, argument >> 32)
}
