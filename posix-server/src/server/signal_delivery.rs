//! Carrying out what the process table decides about signals: terminating,
//! stopping, continuing, waking a blocked process, or redirecting a running one
//! to its trampoline.

use alloc::vec::Vec;

use a9n_abi::Register;
use posix_server_api::shared_buffer::{IN_REQUEST_OFFSET, SIGNAL_FRAME_OFFSET, SIGNAL_FRAME_WORDS};

use super::{AfterReply, Server};
use posix_server::process_table::{Notification, Pid};
use posix_server::signals::{PostOutcome, wait_status};

impl Server {
    /// Acts on the table's notifications.
    pub fn act_on(&mut self, notifications: Vec<Notification>) {
        for notification in notifications {
            match notification {
                Notification::ChildChanged { parent } => self.wake(parent),
                Notification::Signal { pid, outcome, .. } => match outcome {
                    PostOutcome::Terminate(signal) => {
                        self.terminate(pid, wait_status::killed(signal.number() as i32));
                    }
                    PostOutcome::Stop(_) => {
                        if let Some(thread) = self.thread_of(pid) {
                            let _ = thread.suspend();
                        }
                    }
                    PostOutcome::Continue { interrupt, .. } => {
                        if let Some(thread) = self.thread_of(pid) {
                            let _ = thread.resume();
                        }
                        if interrupt {
                            self.interrupt(pid);
                        }
                    }
                    PostOutcome::Pending { interrupt: true } => self.interrupt(pid),
                    PostOutcome::Pending { interrupt: false } | PostOutcome::Discarded => {}
                },
            }
        }
    }

    /// A signal with a handler is deliverable to `pid`: wake it if it waits, or
    /// redirect its thread to its trampoline if it runs its own code.
    fn interrupt(&mut self, pid: Pid) {
        let Some(process) = self.table.get(pid) else {
            return;
        };
        let data = process.payload();
        if self.caller == Some(pid) {
            return;
        }
        if data.blocked {
            self.wake(pid);
            return;
        }
        let (start, end) = data.trampoline;
        let Some(kernel) = data.kernel.as_ref() else {
            return;
        };
        let buffer = kernel.buffer();
        if start == 0 {
            return;
        }
        let Some(thread) = self.thread_of(pid) else {
            return;
        };
        if thread.suspend().is_err() {
            return;
        }
        let in_request = nun::window::read_word(buffer + IN_REQUEST_OFFSET).unwrap_or(1) != 0;
        let registers = thread.read_registers(SIGNAL_FRAME_WORDS as usize);
        let Ok(mut registers) = registers else {
            let _ = thread.resume();
            return;
        };
        let rip = registers.get(Register::Rip).unwrap_or(0);
        let rsp = registers.get(Register::Rsp).unwrap_or(0);
        if in_request || (start..end).contains(&rip) || rsp < 4096 {
            let _ = thread.resume();
            return;
        }
        for (index, value) in registers.as_slice().iter().enumerate() {
            let _ =
                nun::window::write_word(buffer + SIGNAL_FRAME_OFFSET + 8 * index as u64, *value);
        }
        registers.set(Register::Rip, start);
        registers.set(Register::Rsp, (rsp - 160) & !15);
        let _ = thread.write_registers(registers.as_slice());
        let _ = thread.resume();
    }

    /// TAKE_SIGNAL for `pid`: the next handler to run, or 0.
    pub fn take_signal(&mut self, pid: Pid) -> Option<posix_server_api::Reply> {
        let delivery = self.table.signals_mut(pid)?.next_deliverable();
        match delivery {
            None => Some(posix_server_api::Reply::ok(0)),
            Some(posix_server::signals::Delivery::Terminate(signal)) => {
                self.terminate(pid, wait_status::killed(signal.number() as i32));
                None
            }
            Some(posix_server::signals::Delivery::Stop(signal)) => {
                if let Ok(notifications) = self.table.stop(pid, signal) {
                    self.act_on_without_stop(notifications);
                }
                self.after_reply.push(AfterReply::Suspend(pid));
                Some(posix_server_api::Reply::ok(0))
            }
            Some(posix_server::signals::Delivery::RunHandler {
                signal,
                handler,
                flags,
                saved_mask,
                ..
            }) => Some(posix_server_api::Reply::with_values(
                i64::from(signal.number()),
                [handler, flags, saved_mask.bits(), 0],
            )),
        }
    }

    fn act_on_without_stop(&mut self, notifications: Vec<Notification>) {
        let others = notifications
            .into_iter()
            .filter(|notification| {
                !matches!(
                    notification,
                    Notification::Signal {
                        outcome: PostOutcome::Stop(_),
                        ..
                    }
                )
            })
            .collect();
        self.act_on(others);
    }
}
