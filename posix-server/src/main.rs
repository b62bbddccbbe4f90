//! posix-server on A9N: for now a stand-in that checks how init starts it
//! (`posix_server_api::boot`): it reports its space and root image, checks that the
//! root image is a ustar archive, has mm-server resolve a fault in memory it
//! mapped through its own client capability, and stops (init reports that).
#![no_std]
#![no_main]

use mm_server_api::Protection;
use mm_server_api::SpaceId;
use mm_server_api::client::Client;
use mm_server_api::request::{MapAnonymous, MapFlags};
use nun::server_start::server_slot;
use posix_server_api::boot::{MEMORY_CLIENT_SLOT, ROOT_IMAGE_ADDRESS, decode_argument};

nun::server_entry!(main);

/// The server's heap (its library uses `alloc`).
#[global_allocator]
static HEAP: nun::heap::StaticHeap<{ 64 * 1024 }> = nun::heap::StaticHeap::new();

/// Where the stand-in maps anonymous memory (inside Nun's window, so that it can
/// touch it with Nun's word accesses).
const SCRATCH_ADDRESS: u64 = nun::window::BASE + 0x10_0000_0000;
/// Bytes of that region.
const SCRATCH_LENGTH: u64 = 64 * 1024;
/// A value written there and read back.
const SCRATCH_VALUE: u64 = 0x5052_4f4f_4621_0042;
/// Offset and bytes of the ustar magic in an archive's first header.
const USTAR_MAGIC: (usize, &[u8; 5]) = (257, b"ustar");

/// Whether the root image mapped at `ROOT_IMAGE_ADDRESS` starts with a ustar header.
#[allow(unsafe_code)]
fn root_image_is_ustar(pages: u64) -> bool {
    if pages == 0 {
        return false;
    }
    let (offset, magic) = USTAR_MAGIC;
    let start = ROOT_IMAGE_ADDRESS as usize + offset;
    // SAFETY: init maps the image's first page read-only at ROOT_IMAGE_ADDRESS for
    // the server's whole life when `pages` is non-zero; no Rust object lives there,
    // and the bytes read lie inside that page (257 + 5 < 4096).
    let found: [u8; 5] = core::array::from_fn(|index| unsafe {
        core::ptr::read_volatile((start + index) as *const u8)
    });
    &found == magic
}

/// Maps a region through the client capability and writes and reads a word there
/// (the first touch is a fault mm-server resolves).
fn touch_anonymous_memory(space: u64) -> Result<(), &'static str> {
    let space = SpaceId::new(space).ok_or("space 0")?;
    let client = Client::new(server_slot(MEMORY_CLIENT_SLOT));
    client
        .map_anonymous(MapAnonymous {
            space,
            address: SCRATCH_ADDRESS,
            length: SCRATCH_LENGTH,
            protection: Protection::READ_WRITE,
            flags: MapFlags::NONE,
            stack_limit: 0,
        })
        .map_err(|_| "MAP_ANONYMOUS refused")?;
    nun::window::write_word(SCRATCH_ADDRESS, SCRATCH_VALUE).ok_or("write")?;
    match nun::window::read_word(SCRATCH_ADDRESS) {
        Some(SCRATCH_VALUE) => Ok(()),
        _ => Err("read back another value"),
    }
}

fn main(argument: u64) {
    let (space, pages) = decode_argument(argument);
    nun::debug_println!("posix-server: space {space}, root image {pages} pages");
    if root_image_is_ustar(pages) {
        nun::debug_println!("posix-server: root image ok");
    } else {
        nun::debug_println!("posix-server: no ustar root image");
    }
    match touch_anonymous_memory(space) {
        Ok(()) => nun::debug_println!("posix-server: ready"),
        Err(error) => nun::debug_println!("posix-server: anonymous memory: {error}"),
    }
}
