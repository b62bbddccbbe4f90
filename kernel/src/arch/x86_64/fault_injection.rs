//! Deliberate kernel faults for the boot tests (built only with `inject-fault`).

/// Writes to the kernel's own text, which is mapped read-only with CR0.WP set: the
/// write must raise a page fault that the kernel reports and stops on.
pub fn write_to_kernel_text() {
    let text = write_to_kernel_text as *const () as *mut u8;
    // SAFETY: deliberately a fault, not a write: the page is read-only, so the
    // processor raises #PF before any byte changes, and the fault handler stops the
    // machine. This is what the test that enables this feature checks.
    unsafe { core::ptr::write_volatile(text, 0) };
}
