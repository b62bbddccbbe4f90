//! Threads that run (docs/abi.md sections 3, 5, 6 and 12): arguments through
//! WRITE_REGISTER, the thread-local base, SUSPEND and RESUME from outside and from
//! the thread itself, idempotence, threads stopped by REMOVE and REVOKE, faults
//! without a resolver, and a PCB's own copies of its capabilities.

use core::sync::atomic::Ordering;

use a9n_abi::scheduling::INIT_PRIORITY;
use a9n_abi::{CapabilityType, RootSlot};
use nun::capability::{Configuration, Generic, ProcessControlBlock};
use nun::ipc_buffer::ThreadLocalBlock;

use crate::check::{Expect, TestResult};
use crate::context::Context;
use crate::ensure;
use crate::thread_bodies::{
    count_and_yield, draw_ticket_and_suspend, report_argument, report_thread_local_word,
    suspend_and_resume_the_main_thread, touch_unmapped_memory, two_phases,
};
use crate::threads::{BOARD, configuration, create, set_argument, start, yield_times, yield_until};

pub const TESTS: &[crate::harness::Test] = tests![
    thread_starts_with_the_argument_written_to_rdi,
    thread_finds_its_thread_local_base_at_gs_0,
    suspended_thread_does_not_run_until_resumed,
    thread_suspending_itself_continues_where_it_stopped,
    resume_is_idempotent,
    suspend_is_idempotent,
    removing_the_last_pcb_capability_stops_the_thread,
    revoking_the_pcb_generic_stops_the_thread,
    page_fault_without_resolver_suspends_the_thread,
    thread_keeps_its_own_copies_of_configured_capabilities,
    another_thread_can_suspend_and_resume_the_main_thread,
];

/// Yields that are plenty for a ready thread of the same priority to run.
const PATIENCE: u64 = 200;

/// WRITE_REGISTER of RDI before the first RESUME is the thread's argument.
fn thread_starts_with_the_argument_written_to_rdi(context: &mut Context) -> TestResult {
    let thread = create(context, 0, report_argument, INIT_PRIORITY)?;
    let argument = 0x5eed_0000_0000_0000 | 0x1234_5600;
    set_argument(thread.pcb, argument)?;
    thread.pcb.resume().expect_ok("RESUME")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) == 1),
        "the thread did not run"
    );
    let seen = BOARD.value(0);
    ensure!(
        seen == argument,
        "the thread saw {seen:#x}, expected {argument:#x}"
    );
    Ok(())
}

/// The block a thread's thread-local base points at: `gs:[0]` reads its word.
static WORKER_BLOCK: ThreadLocalBlock = ThreadLocalBlock::new();

/// [section 3] CONFIGURE's thread-local base is the GS base: the thread reads the
/// word its block holds at `gs:[0]`.
fn thread_finds_its_thread_local_base_at_gs_0(context: &mut Context) -> TestResult {
    let marker = 0x0000_7e57_0000_1000;
    WORKER_BLOCK.set_ipc_buffer_address(marker);
    let thread = create(context, 0, report_thread_local_word, INIT_PRIORITY)?;
    thread
        .pcb
        .configure(&Configuration::new().thread_local_base(WORKER_BLOCK.address()))
        .expect_ok("CONFIGURE of the thread-local base")?;
    thread.pcb.resume().expect_ok("RESUME")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) == 1),
        "the thread did not run"
    );
    let seen = BOARD.value(0);
    ensure!(
        seen == marker,
        "gs:[0] read {seen:#x}, expected {marker:#x}"
    );
    Ok(())
}

/// A counting thread counts while resumed, stands still while suspended by another
/// thread, and counts again once resumed.
fn suspended_thread_does_not_run_until_resumed(context: &mut Context) -> TestResult {
    let thread = start(context, 0, count_and_yield, INIT_PRIORITY)?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) >= 3),
        "the thread did not count"
    );
    thread.pcb.suspend().expect_ok("SUSPEND")?;
    let frozen = BOARD.counter(0);
    yield_times(PATIENCE);
    ensure!(BOARD.counter(0) == frozen, "a suspended thread counted");
    thread.pcb.resume().expect_ok("RESUME")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) > frozen + 2),
        "the resumed thread did not count"
    );
    thread.pcb.suspend().expect_ok("SUSPEND")
}

/// A thread that suspends itself returns from SUSPEND when resumed.
fn thread_suspending_itself_continues_where_it_stopped(context: &mut Context) -> TestResult {
    let thread = start(context, 0, two_phases, INIT_PRIORITY)?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) == 1),
        "phase 1 did not run"
    );
    yield_times(PATIENCE / 4);
    ensure!(BOARD.counter(0) == 1, "the thread went on while suspended");
    thread.pcb.resume().expect_ok("RESUME")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) == 2),
        "phase 2 did not run"
    );
    Ok(())
}

/// Two RESUMEs of a suspended thread run it once.
fn resume_is_idempotent(context: &mut Context) -> TestResult {
    let thread = create(context, 0, draw_ticket_and_suspend, INIT_PRIORITY)?;
    thread.pcb.resume().expect_ok("first RESUME")?;
    thread.pcb.resume().expect_ok("second RESUME")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) >= 1),
        "the thread did not run"
    );
    yield_times(PATIENCE / 4);
    ensure!(
        BOARD.counter(0) == 1,
        "the thread ran {} times",
        BOARD.counter(0)
    );
    thread.pcb.resume().expect_ok("RESUME")?;
    thread.pcb.resume().expect_ok("RESUME again")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) >= 2),
        "the thread did not run again"
    );
    yield_times(PATIENCE / 4);
    ensure!(
        BOARD.counter(0) == 2,
        "the thread ran {} times",
        BOARD.counter(0)
    );
    Ok(())
}

/// SUSPEND of a suspended (or never started) thread succeeds and changes nothing.
fn suspend_is_idempotent(context: &mut Context) -> TestResult {
    let thread = create(context, 0, count_and_yield, INIT_PRIORITY)?;
    thread.pcb.suspend().expect_ok("SUSPEND of a new thread")?;
    thread.pcb.suspend().expect_ok("second SUSPEND")?;
    yield_times(PATIENCE / 4);
    ensure!(BOARD.counter(0) == 0, "a suspended thread ran");
    thread.pcb.resume().expect_ok("RESUME")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) > 0),
        "the thread did not run"
    );
    thread.pcb.suspend().expect_ok("SUSPEND")?;
    thread.pcb.suspend().expect_ok("SUSPEND again")?;
    let frozen = BOARD.counter(0);
    yield_times(PATIENCE / 4);
    ensure!(BOARD.counter(0) == frozen, "a suspended thread counted");
    Ok(())
}

/// REMOVE of a running thread's only PCB capability finalises the PCB: it stops.
fn removing_the_last_pcb_capability_stops_the_thread(context: &mut Context) -> TestResult {
    let thread = start(context, 0, count_and_yield, INIT_PRIORITY)?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) >= 2),
        "the thread did not count"
    );
    context
        .scratch
        .remove(thread.slot.index)
        .expect_ok("REMOVE of the PCB")?;
    let frozen = BOARD.counter(0);
    yield_times(PATIENCE);
    ensure!(
        BOARD.counter(0) == frozen,
        "the thread ran after its PCB was removed"
    );
    Ok(())
}

/// REVOKE of the Generic a running thread's PCB came from stops the thread.
fn revoking_the_pcb_generic_stops_the_thread(context: &mut Context) -> TestResult {
    let (generic_slot, generic) = context.make_generic(14)?;
    let pcb_slot = context.make_from(generic, CapabilityType::ProcessControlBlock, 0)?;
    let pcb = ProcessControlBlock::new(pcb_slot.descriptor);
    BOARD.process_control_blocks[0].store(pcb_slot.descriptor.as_word(), Ordering::SeqCst);
    pcb.configure(&configuration(0, count_and_yield, INIT_PRIORITY))
        .expect_ok("CONFIGURE")?;
    pcb.resume().expect_ok("RESUME")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) >= 2),
        "the thread did not count"
    );
    context
        .scratch
        .revoke(generic_slot.index)
        .expect_ok("REVOKE of the Generic")?;
    let frozen = BOARD.counter(0);
    yield_times(PATIENCE);
    ensure!(
        BOARD.counter(0) == frozen,
        "the thread ran after its Generic was revoked"
    );
    // The memory is usable again at once.
    context.make_from(
        Generic::new(generic_slot.descriptor),
        CapabilityType::ProcessControlBlock,
        0,
    )?;
    Ok(())
}

/// [section 6] a thread that faults with no resolver is suspended: it never reaches
/// the code after the faulting access.
fn page_fault_without_resolver_suspends_the_thread(context: &mut Context) -> TestResult {
    start(context, 0, touch_unmapped_memory, INIT_PRIORITY)?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) == 1),
        "the thread did not run"
    );
    yield_times(PATIENCE / 2);
    ensure!(BOARD.value(0) == 0, "the thread went on after a page fault");
    Ok(())
}

/// [section 12] a PCB holds its own copies of the capabilities CONFIGURE gives it:
/// removing the copies it was configured from does not stop it from running.
fn thread_keeps_its_own_copies_of_configured_capabilities(context: &mut Context) -> TestResult {
    let space = context.copy(RootSlot::AddressSpace.descriptor())?;
    let root = context.copy(RootSlot::RootNode.descriptor())?;
    let thread = create(context, 0, count_and_yield, INIT_PRIORITY)?;
    thread
        .pcb
        .configure(
            &Configuration::new()
                .address_space(space.descriptor)
                .root_node(root.descriptor),
        )
        .expect_ok("CONFIGURE with copies")?;
    context
        .scratch
        .remove(space.index)
        .expect_ok("REMOVE of the address-space copy")?;
    context
        .scratch
        .remove(root.index)
        .expect_ok("REMOVE of the root-node copy")?;
    thread.pcb.resume().expect_ok("RESUME")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) >= 3),
        "the thread did not run on its own copies"
    );
    thread.pcb.suspend().expect_ok("SUSPEND")
}

/// A thread at the main thread's priority suspends the main thread, reports, and
/// resumes it: the main thread's YIELD returns only after all of that.
fn another_thread_can_suspend_and_resume_the_main_thread(context: &mut Context) -> TestResult {
    start(
        context,
        0,
        suspend_and_resume_the_main_thread,
        INIT_PRIORITY,
    )?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) == 1),
        "the thread did not run"
    );
    ensure!(
        BOARD.value(0) == 2,
        "the thread could not SUSPEND the main thread (value {})",
        BOARD.value(0)
    );
    Ok(())
}
