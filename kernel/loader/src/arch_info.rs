//! `BootInfo::arch_info`: the ACPI RSDP and the GOP framebuffer.

use a9n_abi::boot::{
    ARCH_INFO_ACPI_RSDP, ARCH_INFO_FRAMEBUFFER_ADDRESS, ARCH_INFO_FRAMEBUFFER_FORMAT,
    ARCH_INFO_FRAMEBUFFER_HEIGHT, ARCH_INFO_FRAMEBUFFER_SIZE, ARCH_INFO_FRAMEBUFFER_STRIDE,
    ARCH_INFO_FRAMEBUFFER_WIDTH, ARCH_INFO_WORDS,
};
use uefi::boot::{self, OpenProtocolAttributes, OpenProtocolParams};
use uefi::proto::console::gop::{GraphicsOutput, PixelFormat};
use uefi::table::cfg::ConfigTableEntry;

/// Fills the architecture slots; unknown things stay 0.
#[must_use]
pub fn collect() -> [u64; ARCH_INFO_WORDS] {
    let mut words = [0; ARCH_INFO_WORDS];
    words[ARCH_INFO_ACPI_RSDP] = acpi_rsdp();
    if let Some([address, size, width, height, stride, format]) = framebuffer() {
        words[ARCH_INFO_FRAMEBUFFER_ADDRESS] = address;
        words[ARCH_INFO_FRAMEBUFFER_SIZE] = size;
        words[ARCH_INFO_FRAMEBUFFER_WIDTH] = width;
        words[ARCH_INFO_FRAMEBUFFER_HEIGHT] = height;
        words[ARCH_INFO_FRAMEBUFFER_STRIDE] = stride;
        words[ARCH_INFO_FRAMEBUFFER_FORMAT] = format;
    }
    words
}

/// Physical address of the ACPI 2.0 RSDP, else the 1.0 one, else 0.
fn acpi_rsdp() -> u64 {
    uefi::system::with_config_table(|entries| {
        let find = |guid| {
            entries
                .iter()
                .find(|entry: &&ConfigTableEntry| entry.guid == guid)
                .map(|entry| entry.address as u64)
        };
        find(ConfigTableEntry::ACPI2_GUID)
            .or_else(|| find(ConfigTableEntry::ACPI_GUID))
            .unwrap_or(0)
    })
}

/// Slots 1..=6 (address, size, width, height, stride, format) of the current GOP
/// mode, if there is a GOP with a linear framebuffer.
fn framebuffer() -> Option<[u64; 6]> {
    let handle = boot::get_handle_for_protocol::<GraphicsOutput>().ok()?;
    // SAFETY: opened non-exclusively (so the firmware's console keeps working) and
    // only read; the protocol stays installed while the loader runs, and the scope
    // ends before boot services are exited.
    let mut gop = unsafe {
        boot::open_protocol::<GraphicsOutput>(
            OpenProtocolParams {
                handle,
                agent: boot::image_handle(),
                controller: None,
            },
            OpenProtocolAttributes::GetProtocol,
        )
    }
    .ok()?;
    let mode = gop.current_mode_info();
    let format = match mode.pixel_format() {
        PixelFormat::Rgb => 0,
        PixelFormat::Bgr => 1,
        PixelFormat::Bitmask => 2,
        PixelFormat::BltOnly => return None,
    };
    let (width, height) = mode.resolution();
    let mut frame_buffer = gop.frame_buffer();
    Some([
        frame_buffer.as_mut_ptr() as u64,
        frame_buffer.size() as u64,
        width as u64,
        height as u64,
        mode.stride() as u64,
        format,
    ])
}
