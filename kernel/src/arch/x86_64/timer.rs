//! Time: the TSC and APIC timer rates, measured against the PIT, and the 1 ms tick.

use core::sync::atomic::{AtomicU64, Ordering};

use x86_64::instructions::port::Port;

use super::interrupts::TIMER_VECTOR;
use super::{apic, cpu};

/// The PIT's input clock in Hz.
const PIT_FREQUENCY: u64 = 1_193_182;
/// Length of the calibration window in milliseconds.
const CALIBRATION_MILLISECONDS: u64 = 10;
/// Timer interrupts per second (the ABI's tick is 1 ms).
pub const TICKS_PER_SECOND: u64 = 1000;

static TIME_STAMP_COUNTER_HZ: AtomicU64 = AtomicU64::new(0);
static APIC_TIMER_HZ: AtomicU64 = AtomicU64::new(0);
static TICKS: AtomicU64 = AtomicU64::new(0);

/// Busy-waits `CALIBRATION_MILLISECONDS` on PIT channel 2 and returns how far the
/// TSC and the APIC timer advanced meanwhile.
fn measure_against_pit() -> (u64, u64) {
    let count = PIT_FREQUENCY * CALIBRATION_MILLISECONDS / 1000;
    let mut gate = Port::<u8>::new(0x61);
    let mut command = Port::<u8>::new(0x43);
    let mut channel2 = Port::<u8>::new(0x42);
    // SAFETY: ports 0x42/0x43/0x61 are the PIT's channel 2 and its gate, which
    // nothing else in the system uses; the sequence programs a one-shot count.
    unsafe {
        let value = gate.read() & !0x02;
        gate.write(value & !0x01);
        command.write(0b1011_0000);
        channel2.write((count & 0xff) as u8);
        channel2.write((count >> 8) as u8);
        gate.write(value | 0x01);
    }
    let tsc_start = cpu::read_time_stamp_counter();
    apic::start_timer_measurement();
    // SAFETY: reading the gate port has no side effect; bit 5 is channel 2's output.
    while unsafe { gate.read() } & 0x20 == 0 {
        core::hint::spin_loop();
    }
    let apic_counts = u64::from(apic::timer_elapsed());
    let tsc_counts = cpu::read_time_stamp_counter() - tsc_start;
    (tsc_counts, apic_counts)
}

/// Measures the clocks and starts the periodic 1 ms tick (interrupts stay off
/// until the caller enables them).
pub fn init() {
    let (tsc_counts, apic_counts) = measure_against_pit();
    let tsc_hz = (tsc_counts * 1000 / CALIBRATION_MILLISECONDS).max(1);
    let apic_hz = (apic_counts * 1000 / CALIBRATION_MILLISECONDS).max(1);
    TIME_STAMP_COUNTER_HZ.store(tsc_hz, Ordering::Relaxed);
    APIC_TIMER_HZ.store(apic_hz, Ordering::Relaxed);
    let per_tick = (apic_hz / TICKS_PER_SECOND).clamp(1, u64::from(u32::MAX));
    apic::start_periodic_timer(TIMER_VECTOR, per_tick as u32);
}

/// Called by the timer interrupt.
pub fn tick() {
    TICKS.fetch_add(1, Ordering::Relaxed);
}

/// Timer ticks since [`init`].
#[must_use]
pub fn ticks() -> u64 {
    TICKS.load(Ordering::Relaxed)
}

/// The measured TSC rate in Hz.
#[must_use]
pub fn time_stamp_counter_hz() -> u64 {
    TIME_STAMP_COUNTER_HZ.load(Ordering::Relaxed)
}

/// The measured APIC timer rate (after its divide-by-16) in Hz.
#[must_use]
pub fn apic_timer_hz() -> u64 {
    APIC_TIMER_HZ.load(Ordering::Relaxed)
}

/// Converts a TSC difference into milliseconds.
#[must_use]
pub fn tsc_to_milliseconds(counts: u64) -> u64 {
    let hz = time_stamp_counter_hz().max(1);
    (u128::from(counts) * 1000 / u128::from(hz)) as u64
}
