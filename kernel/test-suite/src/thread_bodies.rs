//! The code test threads run: each an `extern "C" fn(index) -> !` that reports to
//! the board and ends by suspending itself (or runs until it is stopped).

use core::sync::atomic::Ordering;

use nun::kernel_call::{self, RegisterMessages};

use crate::threads::{BOARD, own_pcb, stop};

fn slot(index: u64) -> usize {
    index as usize % crate::threads::THREAD_CAPACITY
}

/// Counts and yields forever.
pub extern "C" fn count_and_yield(index: u64) -> ! {
    loop {
        BOARD.counters[slot(index)].fetch_add(1, Ordering::SeqCst);
        kernel_call::yield_now();
    }
}

/// Counts forever without ever entering the kernel: only the timer can take the
/// processor away from it.
pub extern "C" fn count_busily(index: u64) -> ! {
    loop {
        BOARD.counters[slot(index)].fetch_add(1, Ordering::SeqCst);
    }
}

/// Draws a ticket (the order threads ran in), counts, and suspends itself; when
/// resumed, does it again.
pub extern "C" fn draw_ticket_and_suspend(index: u64) -> ! {
    loop {
        let ticket = BOARD.last_ticket.fetch_add(1, Ordering::SeqCst) + 1;
        BOARD.tickets[slot(index)].store(ticket, Ordering::SeqCst);
        BOARD.counters[slot(index)].fetch_add(1, Ordering::SeqCst);
        let _ = own_pcb(index).suspend();
    }
}

/// Reports its argument itself (the `RDI` it started with) and stops.
pub extern "C" fn report_argument(argument: u64) -> ! {
    // The board index is in the low bits; the high bits carry a marker.
    let index = argument & 0xff;
    BOARD.values[slot(index)].store(argument, Ordering::SeqCst);
    BOARD.counters[slot(index)].fetch_add(1, Ordering::SeqCst);
    stop(index)
}

/// Reports the word at `gs:[0]` (its thread-local block's IPC buffer address).
pub extern "C" fn report_thread_local_word(index: u64) -> ! {
    BOARD.values[slot(index)].store(nun::ipc_buffer::thread_local_word(), Ordering::SeqCst);
    BOARD.counters[slot(index)].fetch_add(1, Ordering::SeqCst);
    stop(index)
}

/// A kernel call number that is no kernel call.
pub const INVALID_KERNEL_CALL_NUMBER: u64 = 0x1234;

/// Makes an invalid kernel call (a fault: without a resolver the kernel suspends the
/// thread), then reports that it went on.
pub extern "C" fn make_invalid_kernel_call(index: u64) -> ! {
    BOARD.counters[slot(index)].fetch_add(1, Ordering::SeqCst);
    let mut registers = RegisterMessages::default();
    kernel_call::raw_call(INVALID_KERNEL_CALL_NUMBER, &mut registers);
    BOARD.values[slot(index)].store(1, Ordering::SeqCst);
    stop(index)
}

/// Reads an unmapped address of the memory window (a page fault: without a resolver
/// the kernel suspends the thread), then reports that it went on.
pub extern "C" fn touch_unmapped_memory(index: u64) -> ! {
    BOARD.counters[slot(index)].fetch_add(1, Ordering::SeqCst);
    let value = nun::window::read_word(nun::window::BASE + nun::window::SIZE / 2);
    BOARD.values[slot(index)].store(value.map_or(2, |_| 1), Ordering::SeqCst);
    stop(index)
}

/// Steps through two phases, suspending itself after each: counter 1, then 2.
pub extern "C" fn two_phases(index: u64) -> ! {
    BOARD.counters[slot(index)].store(1, Ordering::SeqCst);
    let _ = own_pcb(index).suspend();
    BOARD.counters[slot(index)].store(2, Ordering::SeqCst);
    stop(index)
}

/// Writes to the address the board holds in its value (a fault if that page is
/// read-only), then clears the value to report that it went on.
pub extern "C" fn write_to_reported_address(index: u64) -> ! {
    BOARD.counters[slot(index)].fetch_add(1, Ordering::SeqCst);
    let address = BOARD.values[slot(index)].load(Ordering::SeqCst);
    let _ = nun::window::write_word(address, 0xbad);
    BOARD.values[slot(index)].store(0, Ordering::SeqCst);
    stop(index)
}

/// Suspends the main thread (root slot 1), reports, resumes it, and stops: the
/// main thread must find the report when its SUSPEND-interrupted work goes on.
pub extern "C" fn suspend_and_resume_the_main_thread(index: u64) -> ! {
    let main = nun::capability::ProcessControlBlock::new(
        a9n_abi::RootSlot::ProcessControlBlock.descriptor(),
    );
    let suspended = main.suspend().is_ok();
    BOARD.values[slot(index)].store(u64::from(suspended) + 1, Ordering::SeqCst);
    BOARD.counters[slot(index)].fetch_add(1, Ordering::SeqCst);
    let _ = main.resume();
    stop(index)
}

/// The descriptor in the board's input word (the root node if it is none).
fn input_descriptor(index: u64) -> a9n_abi::Descriptor {
    let word = BOARD.inputs[slot(index)].load(Ordering::SeqCst);
    a9n_abi::Descriptor::from_word(word).unwrap_or(a9n_abi::Descriptor::ROOT_NODE)
}

/// Stores a message's first two payload words, its identifier and its message_info
/// word in the outputs.
fn report_message(index: u64, message: &nun::capability::ReceivedMessage) {
    let outputs = &BOARD.outputs[slot(index)];
    outputs[0].store(message.payload(0), Ordering::SeqCst);
    outputs[1].store(message.payload(1), Ordering::SeqCst);
    outputs[2].store(message.identifier(), Ordering::SeqCst);
    outputs[3].store(
        message.info().map_or(u64::MAX, |info| info.as_word()),
        Ordering::SeqCst,
    );
}

/// RECEIVEs one message on the IPC port in its input word and reports it (or, if
/// RECEIVE fails, reports the error in value: error + 1), then stops.
pub extern "C" fn receive_once(index: u64) -> ! {
    let port = nun::capability::IpcPort::new(input_descriptor(index));
    match port.receive(true) {
        Ok(message) => report_message(index, &message),
        Err(error) => BOARD.values[slot(index)].store(error.as_word() + 1, Ordering::SeqCst),
    }
    BOARD.counters[slot(index)].fetch_add(1, Ordering::SeqCst);
    stop(index)
}

/// Serves calls on the IPC port in its input word forever: answers each with its
/// first payload word plus one, through REPLY_RECEIVE.
pub extern "C" fn serve_increments(index: u64) -> ! {
    let port = nun::capability::IpcPort::new(input_descriptor(index));
    let mut received = port.receive(true);
    loop {
        let Ok(message) = received else {
            let error = received.err().map_or(0, |error| error.as_word());
            BOARD.values[slot(index)].store(error + 1, Ordering::SeqCst);
            stop(index)
        };
        report_message(index, &message);
        BOARD.counters[slot(index)].fetch_add(1, Ordering::SeqCst);
        received = port.reply_receive(&[message.payload(0) + 1]);
    }
}

/// WAITs on the notification port in its input word and reports the bits (or the
/// error in value: error + 1), then stops.
pub extern "C" fn wait_for_notification(index: u64) -> ! {
    let port = nun::capability::NotificationPort::new(input_descriptor(index));
    match port.wait() {
        Ok(bits) => BOARD.outputs[slot(index)][0].store(bits, Ordering::SeqCst),
        Err(error) => BOARD.values[slot(index)].store(error.as_word() + 1, Ordering::SeqCst),
    }
    BOARD.counters[slot(index)].fetch_add(1, Ordering::SeqCst);
    stop(index)
}

/// Reads the window word at the address in its input word (a page fault while the
/// page is missing), reports the value, then stops.
pub extern "C" fn read_input_address(index: u64) -> ! {
    BOARD.counters[slot(index)].fetch_add(1, Ordering::SeqCst);
    let address = BOARD.inputs[slot(index)].load(Ordering::SeqCst);
    let value = nun::window::read_word(address).unwrap_or(u64::MAX);
    BOARD.outputs[slot(index)][0].store(value, Ordering::SeqCst);
    BOARD.values[slot(index)].store(1, Ordering::SeqCst);
    stop(index)
}

/// Makes an invalid kernel call with MR0..MR9 = 0x10..0x19 and reports MR0 and MR2
/// as they came back (a resolver may have rewritten the registers).
pub extern "C" fn emulated_kernel_call(index: u64) -> ! {
    let mut registers = RegisterMessages::default();
    for (offset, register) in registers.iter_mut().enumerate() {
        *register = 0x10 + offset as u64;
    }
    kernel_call::raw_call(INVALID_KERNEL_CALL_NUMBER, &mut registers);
    BOARD.outputs[slot(index)][0].store(registers[0], Ordering::SeqCst);
    BOARD.outputs[slot(index)][1].store(registers[2], Ordering::SeqCst);
    BOARD.values[slot(index)].store(1, Ordering::SeqCst);
    stop(index)
}

/// CALLs the IPC port in its input word with payload [5, 6] and reports the reply
/// (or the error in value: error + 1), then stops.
pub extern "C" fn call_once(index: u64) -> ! {
    let port = nun::capability::IpcPort::new(input_descriptor(index));
    match port.call(&[5, 6]) {
        Ok(reply) => report_message(index, &reply),
        Err(error) => BOARD.values[slot(index)].store(error.as_word() + 1, Ordering::SeqCst),
    }
    BOARD.counters[slot(index)].fetch_add(1, Ordering::SeqCst);
    stop(index)
}
