//! Fault delivery (docs/abi.md section 6): a thread's fault arrives at its resolver
//! port as a kernel-made CALL with source FAULT; the resolver's reply resumes it,
//! writing its registers back when the reply has length 23. The main thread is the
//! resolver; the faulting thread runs in the suite's own address space.

use a9n_abi::fault::{
    CALL_NUMBER_MR, FAULT_ADDRESS_MR, FAULT_TYPE_MR, FIRST_SAVED_REGISTER_MR, FaultType,
    INSTRUCTION_POINTER_MR, REGISTER_REPLY_LENGTH,
};
use a9n_abi::message_info::FIRST_PAYLOAD_MR;
use a9n_abi::paging::{FrameSize, MapAttributes};
use a9n_abi::scheduling::INIT_PRIORITY;
use a9n_abi::{MessageSource, Register, Rights, RootSlot};
use nun::capability::{AddressSpace, Configuration, IpcPort};
use nun::mapping::map_frame;
use nun::window;

use crate::check::{Expect, Failure, TestResult};
use crate::context::Context;
use crate::thread_bodies::{INVALID_KERNEL_CALL_NUMBER, emulated_kernel_call, read_input_address};
use crate::threads::{BOARD, create, yield_times, yield_until};
use crate::{ensure, fail};

pub const TESTS: &[crate::harness::Test] = tests![
    invalid_kernel_call_reaches_the_resolver_with_the_registers,
    reply_of_length_23_writes_the_registers_back,
    fault_queued_before_the_resolver_receives_is_resolved_alike,
    page_fault_is_resolved_by_mapping_and_replying,
];

const PATIENCE: u64 = 200;
/// Payload index (counted from MR4) of the first saved register of an
/// INVALID_KERNEL_CALL fault, and of the first register of a length-23 reply.
const FIRST_SAVED_REGISTER: usize = FIRST_SAVED_REGISTER_MR - FIRST_PAYLOAD_MR;
/// The resolver capability's identifier, seen in MR3 of every fault message.
const RESOLVER_IDENTIFIER: u64 = 0xfa17;

/// A resolver port, and thread 0 running `body` with it as fault resolver (resumed).
fn faulting_thread(
    context: &mut Context,
    body: nun::thread::ThreadEntry,
) -> Result<IpcPort, Failure> {
    let port = crate::tests::ipc::new_port(context)?;
    let resolver = IpcPort::new(context.mint(port.descriptor(), Rights::ALL)?.descriptor);
    resolver
        .identify(RESOLVER_IDENTIFIER)
        .expect_ok("IDENTIFY")?;
    let thread = create(context, 0, body, INIT_PRIORITY)?;
    thread
        .pcb
        .configure(&Configuration::new().fault_resolver(resolver.descriptor()))
        .expect_ok("CONFIGURE of the fault resolver")?;
    thread.pcb.resume().expect_ok("RESUME")?;
    Ok(port)
}

/// Receives the fault message and checks its header.
fn receive_fault(
    port: IpcPort,
    expected: FaultType,
) -> Result<nun::capability::ReceivedMessage, Failure> {
    let message = port.receive(true).expect_ok("RECEIVE of the fault")?;
    let Some(info) = message.info() else {
        fail!("the fault message has an invalid message_info");
    };
    ensure!(
        info.source() == MessageSource::Fault,
        "source {:?}",
        info.source()
    );
    ensure!(
        info.length() == expected.message_length(),
        "length {}, expected {}",
        info.length(),
        expected.message_length()
    );
    ensure!(
        message.identifier() == RESOLVER_IDENTIFIER,
        "identifier {:#x}",
        message.identifier()
    );
    ensure!(
        message.message_register(FAULT_TYPE_MR) == expected.as_word(),
        "fault type {}, expected {}",
        message.message_register(FAULT_TYPE_MR),
        expected.as_word()
    );
    Ok(message)
}

/// INVALID_KERNEL_CALL: MR6 is the call number, MR7.. the registers in ABI order; a
/// reply of another length resumes the thread after the `syscall` with its
/// registers unchanged.
fn invalid_kernel_call_reaches_the_resolver_with_the_registers(
    context: &mut Context,
) -> TestResult {
    let port = faulting_thread(context, emulated_kernel_call)?;
    let message = receive_fault(port, FaultType::InvalidKernelCall)?;
    ensure!(
        message.message_register(CALL_NUMBER_MR) == INVALID_KERNEL_CALL_NUMBER,
        "call number {:#x}",
        message.message_register(CALL_NUMBER_MR)
    );
    let saved =
        |register: Register| message.message_register(FIRST_SAVED_REGISTER_MR + register.index());
    ensure!(
        saved(Register::Rax) == INVALID_KERNEL_CALL_NUMBER,
        "RAX {:#x}",
        saved(Register::Rax)
    );
    ensure!(
        saved(Register::Rdi) == 0x10,
        "RDI (MR0) {:#x}",
        saved(Register::Rdi)
    );
    ensure!(
        saved(Register::Rdx) == 0x12,
        "RDX (MR2) {:#x}",
        saved(Register::Rdx)
    );
    ensure!(
        saved(Register::R15) == 0x19,
        "R15 (MR9) {:#x}",
        saved(Register::R15)
    );
    ensure!(
        saved(Register::Rip) == message.message_register(INSTRUCTION_POINTER_MR),
        "RIP {:#x}, MR5 {:#x}",
        saved(Register::Rip),
        message.message_register(INSTRUCTION_POINTER_MR)
    );
    port.reply(&[]).expect_ok("REPLY")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.value(0) == 1),
        "the thread did not go on"
    );
    ensure!(
        BOARD.output(0, 0) == 0x10 && BOARD.output(0, 1) == 0x12,
        "registers changed: MR0 {:#x}, MR2 {:#x}",
        BOARD.output(0, 0),
        BOARD.output(0, 1)
    );
    Ok(())
}

/// A reply of length 23 writes MR7..MR26 back as the 20 registers: the resolver
/// emulates the call by changing RDI and RDX.
fn reply_of_length_23_writes_the_registers_back(context: &mut Context) -> TestResult {
    emulate_kernel_call(context, false)
}

/// As above, with the fault queued at the port before the resolver RECEIVEs (the
/// thread runs and faults first).
fn fault_queued_before_the_resolver_receives_is_resolved_alike(
    context: &mut Context,
) -> TestResult {
    emulate_kernel_call(context, true)
}

/// Emulates the invalid kernel call of `emulated_kernel_call` by a reply of length
/// 23 that changes RDI and RDX; `fault_first` lets the thread fault before the
/// main thread waits at the port.
fn emulate_kernel_call(context: &mut Context, fault_first: bool) -> TestResult {
    let port = faulting_thread(context, emulated_kernel_call)?;
    if fault_first {
        yield_times(5);
        ensure!(
            BOARD.value(0) == 0,
            "the thread went on without a resolver's reply"
        );
    }
    let message = receive_fault(port, FaultType::InvalidKernelCall)?;
    let mut reply = [0u64; REGISTER_REPLY_LENGTH];
    for (index, word) in reply.iter_mut().enumerate().skip(FIRST_SAVED_REGISTER) {
        *word = message.payload(index);
    }
    reply[FIRST_SAVED_REGISTER + Register::Rdi.index()] = 0xaaaa;
    reply[FIRST_SAVED_REGISTER + Register::Rdx.index()] = 0xbbbb;
    port.reply(&reply).expect_ok("REPLY with registers")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.value(0) == 1),
        "the thread did not go on"
    );
    ensure!(
        BOARD.output(0, 0) == 0xaaaa && BOARD.output(0, 1) == 0xbbbb,
        "registers after the reply: MR0 {:#x}, MR2 {:#x}",
        BOARD.output(0, 0),
        BOARD.output(0, 1)
    );
    Ok(())
}

/// MEMORY: MR6 is the fault address. The resolver maps a frame holding a marker
/// there and replies; the access is retried and reads the marker.
fn page_fault_is_resolved_by_mapping_and_replying(context: &mut Context) -> TestResult {
    let address = window::BASE + 0x30_0000;
    let marker = 0x5eed_cafe;
    BOARD.set_input(0, address);
    let port = faulting_thread(context, read_input_address)?;
    let message = receive_fault(port, FaultType::Memory)?;
    ensure!(
        message.message_register(FAULT_ADDRESS_MR) == address,
        "fault address {:#x}",
        message.message_register(FAULT_ADDRESS_MR)
    );
    ensure!(BOARD.value(0) == 0, "the thread went on before the reply");
    let frame = context.make_frame()?;
    let view = nun::capability::Frame::new(context.copy(frame.descriptor())?.descriptor);
    let own = AddressSpace::new(RootSlot::AddressSpace.descriptor());
    let rw = MapAttributes::READ | MapAttributes::WRITE;
    for (mapped, at) in [(view, address + 0x10_0000), (frame, address)] {
        map_frame(
            own,
            context.generic,
            &mut context.slots,
            mapped,
            FrameSize::Small,
            at,
            rw,
        )
        .map_err(|error| Failure::new(format_args!("mapping at {at:#x}: {error:?}")))?;
    }
    window::write_word(address + 0x10_0000, marker);
    port.reply(&[]).expect_ok("REPLY")?;
    if !yield_until(PATIENCE, || BOARD.value(0) == 1) {
        // Say what became of it: a second fault waits at the port if it faulted again.
        match port.receive(false) {
            Ok(again) => fail!(
                "the thread did not go on: it faulted again (type {}, rip {:#x}, address {:#x})",
                again.message_register(FAULT_TYPE_MR),
                again.message_register(INSTRUCTION_POINTER_MR),
                again.message_register(FAULT_ADDRESS_MR)
            ),
            Err(_) => fail!("the thread did not go on"),
        }
    }
    ensure!(
        BOARD.output(0, 0) == marker,
        "the thread read {:#x}",
        BOARD.output(0, 0)
    );
    Ok(())
}
