//! PCB CONFIGURE, READ_REGISTER, WRITE_REGISTER, RESUME and SUSPEND on threads that
//! do not run (docs/abi.md sections 5 and 12): registers of a new PCB, round trips,
//! sanitising, canonical addresses, counts, priorities, CPUs, unknown fields,
//! all-or-nothing, object types and rights.
//!
//! docs/abi.md names no error for a CONFIGURE field that names an object of the
//! wrong type; that test accepts any error.

use a9n_abi::operation::ProcessControlBlockOperation;
use a9n_abi::operation::process_control_block::ConfigureField;
use a9n_abi::register::REGISTER_COUNT;
use a9n_abi::{CapabilityError, CapabilityType, Register, Rights, RootSlot};
use nun::call::capability_call;
use nun::capability::{Configuration, ProcessControlBlock};

use crate::check::{Expect, Failure, TestResult, expect_error, expect_failure};
use crate::context::Context;
use crate::context::LARGE_FRAME_BITS;
use crate::ensure;
use crate::tests::init_protocol::INTERRUPT_FLAG;

pub const TESTS: &[crate::harness::Test] = tests![
    new_pcb_has_zero_registers_and_interrupts_enabled,
    written_registers_read_back,
    written_rflags_are_sanitised,
    register_counts_above_20_are_invalid_argument,
    written_addresses_must_be_canonical_user_addresses,
    configure_refuses_addresses_outside_user_space,
    configure_refuses_priority_32,
    configure_refuses_a_cpu_that_does_not_exist,
    configure_refuses_unknown_field_bits,
    configure_is_all_or_nothing,
    configure_refuses_objects_of_the_wrong_type,
    configure_needs_a_4_kib_frame_for_the_ipc_buffer,
    resume_needs_an_address_space_and_a_root_node,
    pcb_operations_need_their_rights,
    pcb_unknown_operations_are_illegal,
];

const INSTRUCTION_POINTER: u64 = 0x40_1000;
const STACK_POINTER: u64 = 0x50_0ff8;

fn new_pcb(context: &mut Context) -> Result<ProcessControlBlock, Failure> {
    Ok(ProcessControlBlock::new(
        context
            .make(CapabilityType::ProcessControlBlock, 0)?
            .descriptor,
    ))
}

fn register(pcb: ProcessControlBlock, register: Register) -> Result<u64, Failure> {
    pcb.read_registers(REGISTER_COUNT)
        .expect_ok("READ_REGISTER")?
        .get(register)
        .ok_or_else(|| Failure::new(format_args!("{} not returned", register.name())))
}

/// All 20 registers are 0 except RFLAGS, which has IF (and at most the always-one
/// bit 1).
fn new_pcb_has_zero_registers_and_interrupts_enabled(context: &mut Context) -> TestResult {
    let pcb = new_pcb(context)?;
    let registers = pcb
        .read_registers(REGISTER_COUNT)
        .expect_ok("READ_REGISTER")?;
    for &name in Register::ALL {
        let value = registers.get(name).unwrap_or(u64::MAX);
        if name == Register::Rflags {
            ensure!(value & INTERRUPT_FLAG != 0, "RFLAGS {value:#x} without IF");
            ensure!(value & !(INTERRUPT_FLAG | 2) == 0, "RFLAGS {value:#x}");
        } else {
            ensure!(value == 0, "{} is {value:#x}", name.name());
        }
    }
    Ok(())
}

/// What WRITE_REGISTER stores, READ_REGISTER returns (20 registers, MR3..MR22: most
/// of them travel in the IPC buffer).
fn written_registers_read_back(context: &mut Context) -> TestResult {
    let pcb = new_pcb(context)?;
    let mut values = [0u64; REGISTER_COUNT];
    for (index, value) in values.iter_mut().enumerate() {
        *value = 0x1111_0000_0000 + index as u64;
    }
    values[Register::Rip.index()] = INSTRUCTION_POINTER;
    values[Register::Rflags.index()] = INTERRUPT_FLAG | 1;
    values[Register::Rsp.index()] = STACK_POINTER;
    values[Register::FsBase.index()] = 0x60_0000;
    values[Register::GsBase.index()] = 0x70_0000;
    pcb.write_registers(&values).expect_ok("WRITE_REGISTER")?;
    let read = pcb
        .read_registers(REGISTER_COUNT)
        .expect_ok("READ_REGISTER")?;
    for &name in Register::ALL {
        let value = read.get(name).unwrap_or(u64::MAX);
        let expected = values[name.index()];
        if name == Register::Rflags {
            ensure!(
                value & (INTERRUPT_FLAG | 1) == INTERRUPT_FLAG | 1,
                "RFLAGS {value:#x}"
            );
        } else {
            ensure!(
                value == expected,
                "{} reads {value:#x}, wrote {expected:#x}",
                name.name()
            );
        }
    }
    let first_two = pcb.read_registers(2).expect_ok("READ_REGISTER of 2")?;
    ensure!(
        first_two.as_slice() == &values[..2],
        "the first two registers differ"
    );
    Ok(())
}

/// RFLAGS keeps only user-settable flags: IF stays on, IOPL stays 0.
fn written_rflags_are_sanitised(context: &mut Context) -> TestResult {
    let pcb = new_pcb(context)?;
    let mut values = [0u64; Register::Rflags.index() + 1];
    values[Register::Rip.index()] = INSTRUCTION_POINTER;
    values[Register::Rflags.index()] = 0x3000 | 1; // IOPL 3, CF, IF clear
    pcb.write_registers(&values).expect_ok("WRITE_REGISTER")?;
    let rflags = register(pcb, Register::Rflags)?;
    ensure!(
        rflags & INTERRUPT_FLAG != 0,
        "RFLAGS {rflags:#x}: IF cleared"
    );
    ensure!(rflags & 0x3000 == 0, "RFLAGS {rflags:#x}: IOPL set");
    ensure!(rflags & 1 == 1, "RFLAGS {rflags:#x}: CF lost");
    Ok(())
}

/// READ_REGISTER and WRITE_REGISTER take at most 20 registers.
fn register_counts_above_20_are_invalid_argument(context: &mut Context) -> TestResult {
    let pcb = new_pcb(context)?;
    for count in [21u64, 100, u64::MAX] {
        expect_error(
            capability_call(
                pcb.descriptor(),
                ProcessControlBlockOperation::ReadRegister.as_word(),
                &[count],
            ),
            CapabilityError::InvalidArgument,
            "READ_REGISTER of more than 20",
        )?;
        expect_error(
            capability_call(
                pcb.descriptor(),
                ProcessControlBlockOperation::WriteRegister.as_word(),
                &[count, 1, 2, 3],
            ),
            CapabilityError::InvalidArgument,
            "WRITE_REGISTER of more than 20",
        )?;
    }
    ensure!(register(pcb, Register::Rax)? == 0, "RAX changed");
    Ok(())
}

/// RIP, RSP, FS_BASE and GS_BASE must be canonical user addresses; a refused write
/// changes no register.
fn written_addresses_must_be_canonical_user_addresses(context: &mut Context) -> TestResult {
    let pcb = new_pcb(context)?;
    for register_name in [
        Register::Rip,
        Register::Rsp,
        Register::FsBase,
        Register::GsBase,
    ] {
        for bad in [
            0x0000_8000_0000_0000u64,
            0xffff_8000_0000_0000,
            0x0001_0000_0000_0000,
        ] {
            let mut values = [0u64; REGISTER_COUNT];
            values[Register::Rax.index()] = 0x77;
            values[register_name.index()] = bad;
            expect_error(
                pcb.write_registers(&values),
                CapabilityError::InvalidArgument,
                register_name.name(),
            )?;
        }
    }
    ensure!(
        register(pcb, Register::Rax)? == 0,
        "a refused WRITE_REGISTER changed RAX"
    );
    Ok(())
}

/// CONFIGURE's instruction pointer, stack pointer and thread-local base must be
/// canonical user addresses.
fn configure_refuses_addresses_outside_user_space(context: &mut Context) -> TestResult {
    let pcb = new_pcb(context)?;
    for bad in [0x0000_8000_0000_0000u64, 0xffff_ffff_8010_0000, u64::MAX] {
        for configuration in [
            Configuration::new().instruction_pointer(bad),
            Configuration::new().stack_pointer(bad),
            Configuration::new().thread_local_base(bad),
        ] {
            expect_error(
                pcb.configure(&configuration),
                CapabilityError::InvalidArgument,
                "CONFIGURE with a kernel or non-canonical address",
            )?;
        }
    }
    pcb.configure(
        &Configuration::new()
            .instruction_pointer(INSTRUCTION_POINTER)
            .stack_pointer(STACK_POINTER)
            .thread_local_base(0x60_0000),
    )
    .expect_ok("CONFIGURE with user addresses")?;
    ensure!(
        register(pcb, Register::Rip)? == INSTRUCTION_POINTER,
        "RIP not set"
    );
    ensure!(
        register(pcb, Register::Rsp)? == STACK_POINTER,
        "RSP not set"
    );
    ensure!(
        register(pcb, Register::GsBase)? == 0x60_0000,
        "GS base not set"
    );
    Ok(())
}

/// Priorities are 0..=31.
fn configure_refuses_priority_32(context: &mut Context) -> TestResult {
    let pcb = new_pcb(context)?;
    for priority in [32u64, 255, u64::MAX] {
        expect_error(
            pcb.configure(&Configuration::new().priority(priority)),
            CapabilityError::InvalidArgument,
            "CONFIGURE with priority >= 32",
        )?;
    }
    for priority in [0u64, 31] {
        pcb.configure(&Configuration::new().priority(priority))
            .expect_ok("CONFIGURE with a valid priority")?;
    }
    Ok(())
}

/// This kernel runs on CPU 0 only.
fn configure_refuses_a_cpu_that_does_not_exist(context: &mut Context) -> TestResult {
    let pcb = new_pcb(context)?;
    for cpu in [1u64, 64, u64::MAX] {
        expect_error(
            pcb.configure(&Configuration::new().cpu_affinity(cpu)),
            CapabilityError::InvalidArgument,
            "CONFIGURE with a CPU that does not exist",
        )?;
    }
    pcb.configure(&Configuration::new().cpu_affinity(0))
        .expect_ok("CONFIGURE with CPU 0")
}

/// Field bits above 9 are out of range.
fn configure_refuses_unknown_field_bits(context: &mut Context) -> TestResult {
    let pcb = new_pcb(context)?;
    for mask in [1u64 << 10, 1 << 63, (1 << 5) | (1 << 12)] {
        let mut arguments = [0u64; 11];
        arguments[0] = mask;
        arguments[1 + ConfigureField::InstructionPointer as usize] = INSTRUCTION_POINTER;
        expect_error(
            capability_call(
                pcb.descriptor(),
                ProcessControlBlockOperation::Configure.as_word(),
                &arguments,
            ),
            CapabilityError::InvalidArgument,
            "CONFIGURE with an unknown field bit",
        )?;
    }
    ensure!(
        register(pcb, Register::Rip)? == 0,
        "a refused CONFIGURE set RIP"
    );
    Ok(())
}

/// A request with one bad field applies none of its fields.
fn configure_is_all_or_nothing(context: &mut Context) -> TestResult {
    let pcb = new_pcb(context)?;
    expect_error(
        pcb.configure(
            &Configuration::new()
                .instruction_pointer(INSTRUCTION_POINTER)
                .stack_pointer(STACK_POINTER)
                .priority(32),
        ),
        CapabilityError::InvalidArgument,
        "CONFIGURE with a bad priority",
    )?;
    ensure!(register(pcb, Register::Rip)? == 0, "RIP was applied");
    ensure!(register(pcb, Register::Rsp)? == 0, "RSP was applied");
    expect_error(
        pcb.configure(
            &Configuration::new()
                .address_space(RootSlot::AddressSpace.descriptor())
                .root_node(RootSlot::RootNode.descriptor())
                .instruction_pointer(0xffff_8000_0000_0000),
        ),
        CapabilityError::InvalidArgument,
        "CONFIGURE with a kernel instruction pointer",
    )?;
    // Neither the address space nor the root node was applied: RESUME still refuses.
    expect_error(
        pcb.resume(),
        CapabilityError::InvalidArgument,
        "RESUME after a refused CONFIGURE",
    )
}

/// Address space, root node and IPC buffer fields must name objects of their type
/// (no error named: any error); an empty slot does not resolve.
fn configure_refuses_objects_of_the_wrong_type(context: &mut Context) -> TestResult {
    let pcb = new_pcb(context)?;
    let frame = context.make_frame()?;
    let (node, _) = context.make_node(2)?;
    expect_failure(
        pcb.configure(&Configuration::new().address_space(frame.descriptor())),
        "CONFIGURE with a frame as address space",
    )?;
    expect_failure(
        pcb.configure(&Configuration::new().root_node(frame.descriptor())),
        "CONFIGURE with a frame as root node",
    )?;
    expect_failure(
        pcb.configure(&Configuration::new().ipc_buffer(node.descriptor)),
        "CONFIGURE with a node as IPC buffer",
    )?;
    let empty = context.slot()?;
    expect_error(
        pcb.configure(&Configuration::new().address_space(empty.descriptor)),
        CapabilityError::InvalidDescriptor,
        "CONFIGURE with an empty slot as address space",
    )
}

/// The IPC buffer is a 4 KiB frame: a 2 MiB frame is inconsistent.
fn configure_needs_a_4_kib_frame_for_the_ipc_buffer(context: &mut Context) -> TestResult {
    let pcb = new_pcb(context)?;
    let large = context.make(CapabilityType::Frame, LARGE_FRAME_BITS)?;
    expect_error(
        pcb.configure(&Configuration::new().ipc_buffer(large.descriptor)),
        CapabilityError::InvalidArgument,
        "CONFIGURE with a 2 MiB IPC buffer",
    )?;
    let small = context.make_frame()?;
    pcb.configure(&Configuration::new().ipc_buffer(small.descriptor()))
        .expect_ok("CONFIGURE with a 4 KiB IPC buffer")
}

/// A new PCB is inactive; RESUME needs both an address space and a root node.
fn resume_needs_an_address_space_and_a_root_node(context: &mut Context) -> TestResult {
    let bare = new_pcb(context)?;
    expect_error(
        bare.resume(),
        CapabilityError::InvalidArgument,
        "RESUME of a bare PCB",
    )?;
    let space_only = new_pcb(context)?;
    space_only
        .configure(&Configuration::new().address_space(RootSlot::AddressSpace.descriptor()))
        .expect_ok("CONFIGURE of the address space")?;
    expect_error(
        space_only.resume(),
        CapabilityError::InvalidArgument,
        "RESUME without a root node",
    )?;
    let root_only = new_pcb(context)?;
    root_only
        .configure(&Configuration::new().root_node(RootSlot::RootNode.descriptor()))
        .expect_ok("CONFIGURE of the root node")?;
    expect_error(
        root_only.resume(),
        CapabilityError::InvalidArgument,
        "RESUME without an address space",
    )?;
    // SUSPEND of a thread that never ran is fine (idempotent).
    bare.suspend().expect_ok("SUSPEND of an inactive PCB")
}

/// READ_REGISTER needs READ; CONFIGURE, WRITE_REGISTER, RESUME and SUSPEND need
/// WRITE.
fn pcb_operations_need_their_rights(context: &mut Context) -> TestResult {
    let pcb = new_pcb(context)?;
    let read_only = ProcessControlBlock::new(
        context
            .mint(pcb.descriptor(), Rights::READ | Rights::COPY)?
            .descriptor,
    );
    let write_only = ProcessControlBlock::new(
        context
            .mint(pcb.descriptor(), Rights::WRITE | Rights::COPY)?
            .descriptor,
    );
    expect_error(
        write_only.read_registers(1),
        CapabilityError::PermissionDenied,
        "READ_REGISTER without READ",
    )?;
    read_only
        .read_registers(1)
        .expect_ok("READ_REGISTER with READ")?;
    expect_error(
        read_only.configure(&Configuration::new().priority(1)),
        CapabilityError::PermissionDenied,
        "CONFIGURE without WRITE",
    )?;
    expect_error(
        read_only.write_registers(&[1]),
        CapabilityError::PermissionDenied,
        "WRITE_REGISTER without WRITE",
    )?;
    expect_error(
        read_only.resume(),
        CapabilityError::PermissionDenied,
        "RESUME without WRITE",
    )?;
    expect_error(
        read_only.suspend(),
        CapabilityError::PermissionDenied,
        "SUSPEND without WRITE",
    )?;
    write_only
        .write_registers(&[5])
        .expect_ok("WRITE_REGISTER with WRITE")?;
    ensure!(register(pcb, Register::Rax)? == 5, "RAX not written");
    Ok(())
}

/// Operation numbers 0 and 6.. do not exist for a PCB.
fn pcb_unknown_operations_are_illegal(context: &mut Context) -> TestResult {
    let pcb = new_pcb(context)?;
    for operation in [0u64, 6, u64::MAX] {
        expect_error(
            capability_call(pcb.descriptor(), operation, &[0]),
            CapabilityError::IllegalOperation,
            "an unknown PCB operation",
        )?;
    }
    Ok(())
}
