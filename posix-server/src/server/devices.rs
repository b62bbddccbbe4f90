//! The devices posix-server drives through its IO port capability: COM1 (a
//! 16550 UART: transmit by polling the line status, receive by interrupt), the
//! PIT (channel 0 one-shot timer, and TSC calibration) and the CMOS real-time
//! clock (read once at start-up).

use a9n_abi::operation::io_port::IoWidth;
use nun::capability::IoPort;

/// COM1's base port.
const COM1: u64 = 0x3f8;
/// Line status: data ready.
const LINE_DATA_READY: u64 = 1;
/// Line status: transmit holding register empty.
const LINE_TRANSMIT_EMPTY: u64 = 0x20;
/// The PIT's channel 0 data port.
const PIT_CHANNEL_0: u64 = 0x40;
/// The PIT's mode/command port.
const PIT_COMMAND: u64 = 0x43;
/// PIT ticks per second.
pub const PIT_HERTZ: u64 = posix_server::clock::PIT_HERTZ;
/// CMOS index port.
const CMOS_INDEX: u64 = 0x70;
/// CMOS data port.
const CMOS_DATA: u64 = 0x71;
/// COM1's IRQ.
pub const SERIAL_IRQ: u64 = 4;
/// The PIT's IRQ.
pub const TIMER_IRQ: u64 = 0;

/// The IO ports.
#[derive(Clone, Copy)]
pub struct Devices {
    ports: IoPort,
}

impl Devices {
    /// Through capability `ports`.
    #[must_use]
    pub const fn new(ports: IoPort) -> Self {
        Self { ports }
    }

    fn read(self, port: u64) -> u64 {
        self.ports.read(port, IoWidth::Byte).unwrap_or(0)
    }

    fn write(self, port: u64, value: u64) {
        let _ = self.ports.write(port, IoWidth::Byte, value);
    }

    /// Enables COM1's receive interrupt (FIFO on, OUT2 set so the line reaches
    /// the interrupt controller).
    pub fn serial_enable_receive(self) {
        self.write(COM1 + 2, 0xc7);
        self.write(COM1 + 4, 0x0b);
        self.write(COM1 + 1, 0x01);
    }

    /// Writes `bytes` to COM1.
    pub fn serial_write(self, bytes: &[u8]) {
        for &byte in bytes {
            let mut patience = 100_000;
            while self.read(COM1 + 5) & LINE_TRANSMIT_EMPTY == 0 && patience > 0 {
                patience -= 1;
            }
            self.write(COM1, u64::from(byte));
        }
    }

    /// The next received byte, if any.
    #[must_use]
    pub fn serial_read(self) -> Option<u8> {
        if self.read(COM1 + 5) & LINE_DATA_READY != 0 {
            Some(self.read(COM1) as u8)
        } else {
            None
        }
    }

    /// Arms PIT channel 0 to interrupt once after `ticks` (1..=65535) PIT ticks
    /// (mode 0, interrupt on terminal count).
    pub fn timer_arm(self, ticks: u64) {
        let ticks = ticks.clamp(1, 0xffff);
        self.write(PIT_COMMAND, 0x30);
        self.write(PIT_CHANNEL_0, ticks & 0xff);
        self.write(PIT_CHANNEL_0, ticks >> 8);
    }

    /// Channel 0's current count (latched).
    fn timer_count(self) -> u64 {
        self.write(PIT_COMMAND, 0x00);
        let low = self.read(PIT_CHANNEL_0);
        let high = self.read(PIT_CHANNEL_0);
        low | (high << 8)
    }

    /// TSC ticks per second, measured over `pit_ticks` ticks of the PIT's channel
    /// 0 (polled; its interrupt is masked until the port is bound).
    #[must_use]
    pub fn measure_tsc_hertz(self, pit_ticks: u64) -> u64 {
        self.timer_arm(pit_ticks);
        let start = read_tsc();
        let mut previous = self.timer_count();
        let mut patience = 50_000_000u64;
        loop {
            let count = self.timer_count();
            // Mode 0 counts down to 0, then wraps to 0xffff.
            if count > previous || count == 0 || patience == 0 {
                break;
            }
            previous = count;
            patience -= 1;
        }
        let elapsed = read_tsc().saturating_sub(start).max(1);
        elapsed.saturating_mul(PIT_HERTZ) / pit_ticks.max(1)
    }

    fn cmos(self, register: u64) -> u64 {
        self.write(CMOS_INDEX, register);
        self.read(CMOS_DATA)
    }

    /// The CMOS clock as seconds since 1970 (UTC), assuming BCD and 24-hour mode
    /// unless its status register says binary.
    #[must_use]
    pub fn real_time_seconds(self) -> u64 {
        let mut patience = 1_000_000;
        while self.cmos(0x0a) & 0x80 != 0 && patience > 0 {
            patience -= 1;
        }
        let binary = self.cmos(0x0b) & 0x04 != 0;
        let decode = |value: u64| {
            if binary {
                value
            } else {
                (value & 0x0f) + (value >> 4) * 10
            }
        };
        let second = decode(self.cmos(0x00));
        let minute = decode(self.cmos(0x02));
        let hour = decode(self.cmos(0x04) & 0x7f);
        let day = decode(self.cmos(0x07));
        let month = decode(self.cmos(0x08));
        let year = 2000 + decode(self.cmos(0x09));
        posix_server::clock::unix_seconds(year, month, day, hour, minute, second)
    }
}

/// The time-stamp counter.
#[must_use]
pub fn read_tsc() -> u64 {
    nun::timed_access::timestamp()
}
