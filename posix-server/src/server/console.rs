//! The console: bytes COM1 received go through the tty's line discipline, which
//! echoes, signals the foreground process group, and wakes readers.

use super::Server;
use posix_server::process_table::Pid;
use posix_server::tty::InputEffects;

impl Server {
    /// Reads every byte COM1 holds.
    pub fn serial_input(&mut self) {
        while let Some(byte) = self.devices.serial_read() {
            let effects = self.tty.input(byte);
            self.serial_effects(effects);
        }
    }

    /// Carries out what the line discipline decided.
    pub fn serial_effects(&mut self, effects: InputEffects) {
        if !effects.echo.is_empty() {
            self.devices.serial_write(&effects.echo);
        }
        if let Some(signal) = effects.signal
            && let Some(group) = self.tty.foreground_group()
            && let Ok(notifications) = self.table.signal_group(Pid(group), signal)
        {
            self.act_on(notifications);
        }
        if effects.wake_readers || effects.signal.is_some() {
            for reader in core::mem::take(&mut self.tty_readers) {
                self.wake(reader);
            }
        }
    }
}
