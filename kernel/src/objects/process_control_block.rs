//! PROCESS_CONTROL_BLOCK operations: CONFIGURE, READ_REGISTER, WRITE_REGISTER,
//! RESUME, SUSPEND (docs/abi.md sections 5 and 12).

use a9n_abi::boot::USER_ADDRESS_LIMIT;
use a9n_abi::capability_type::CapabilityType;
use a9n_abi::error::CapabilityError;
use a9n_abi::operation::process_control_block::{
    CONFIGURE_MASK_MR, ConfigureField, ConfigureFields, FIRST_REGISTER_MR,
    ProcessControlBlockOperation, REGISTER_COUNT_MR,
};
use a9n_abi::register::{REGISTER_COUNT, Register};
use a9n_abi::rights::Rights;
use a9n_abi::scheduling::PRIORITY_COUNT;
use a9n_core::capability_tree::{self, SlotAddress};
use a9n_core::generic_conversion::DEVICE_FLAG;

use super::require_rights;
use crate::arch::object_memory::PhysicalSlots;
use crate::arch::user_context::sanitize_rflags;
use crate::capability_call::Invocation;
use crate::lifecycle::KernelLifecycle;
use crate::objects::notification_port;
use crate::thread::{InternalSlot, Thread};
use crate::{mapping, scheduler};

/// A capability field of CONFIGURE: its internal slot and the type it must have.
const CAPABILITY_FIELDS: [(ConfigureField, InternalSlot, CapabilityType); 5] = [
    (
        ConfigureField::AddressSpace,
        InternalSlot::AddressSpace,
        CapabilityType::AddressSpace,
    ),
    (
        ConfigureField::RootNode,
        InternalSlot::RootNode,
        CapabilityType::Node,
    ),
    (
        ConfigureField::IpcBuffer,
        InternalSlot::IpcBuffer,
        CapabilityType::Frame,
    ),
    (
        ConfigureField::NotificationPort,
        InternalSlot::NotificationPort,
        CapabilityType::NotificationPort,
    ),
    (
        ConfigureField::FaultResolver,
        InternalSlot::FaultResolver,
        CapabilityType::IpcPort,
    ),
];

/// Puts a copy of the capability in `source` into `thread`'s internal `slot`,
/// deleting what was there only once the copy is in place (the old capability may
/// be the last one to a node that holds `source`).
fn install(thread: Thread, slot: InternalSlot, source: SlotAddress) {
    let destination = thread.internal_slot(slot);
    if destination == source {
        return;
    }
    let store = &mut PhysicalSlots;
    let staging = thread.internal_slot(InternalSlot::Staging);
    capability_tree::delete(store, &mut KernelLifecycle, staging);
    if !capability_tree::is_empty(store, destination) {
        capability_tree::move_capability(store, destination, staging);
    }
    if let Some(capability) = capability_tree::capability_at(store, source) {
        capability_tree::insert_copy(
            store,
            source,
            destination,
            mapping::without_mapping(&capability),
        );
    }
    capability_tree::delete(store, &mut KernelLifecycle, staging);
}

fn configure(invocation: &Invocation, thread: Thread) -> Result<(), CapabilityError> {
    let fields = ConfigureFields::from_bits(invocation.argument(CONFIGURE_MASK_MR)?)
        .ok_or(CapabilityError::InvalidArgument)?;
    let value = |field: ConfigureField| -> Result<Option<u64>, CapabilityError> {
        if fields.contains(field.flag()) {
            invocation.argument(field.message_register()).map(Some)
        } else {
            Ok(None)
        }
    };
    // Validate everything first.
    let mut sources: [Option<SlotAddress>; 5] = [None; 5];
    for (index, (field, _, object_type)) in CAPABILITY_FIELDS.iter().enumerate() {
        if let Some(descriptor) = value(*field)? {
            let (slot, capability) = invocation.resolve(descriptor)?;
            if capability.object_type != *object_type {
                return Err(CapabilityError::InvalidDescriptor);
            }
            if *field == ConfigureField::IpcBuffer {
                // The kernel reads and writes IPC buffers through its direct map,
                // which holds RAM only: a device frame cannot be one.
                let device = capability.data[0] & DEVICE_FLAG != 0;
                if mapping::frame_size_bits(&capability) != 12 || device {
                    return Err(CapabilityError::InvalidArgument);
                }
                require_rights(&capability, Rights::READ | Rights::WRITE)?;
            }
            sources[index] = Some(slot);
        }
    }
    let user_address = |field| -> Result<Option<u64>, CapabilityError> {
        match value(field)? {
            Some(address) if address >= USER_ADDRESS_LIMIT => Err(CapabilityError::InvalidArgument),
            other => Ok(other),
        }
    };
    let instruction_pointer = user_address(ConfigureField::InstructionPointer)?;
    let stack_pointer = user_address(ConfigureField::StackPointer)?;
    let thread_local_base = user_address(ConfigureField::ThreadLocalBase)?;
    let priority = value(ConfigureField::Priority)?;
    if priority.is_some_and(|priority| priority >= PRIORITY_COUNT as u64) {
        return Err(CapabilityError::InvalidArgument);
    }
    let affinity = value(ConfigureField::CpuAffinity)?;
    if affinity.is_some_and(|cpu| cpu != 0) {
        return Err(CapabilityError::InvalidArgument);
    }

    // Then apply.
    for (index, (_, slot, _)) in CAPABILITY_FIELDS.iter().enumerate() {
        if let Some(source) = sources[index] {
            let binding = *slot == InternalSlot::NotificationPort;
            if binding && let Some(old) = thread.internal_capability(InternalSlot::NotificationPort)
            {
                notification_port::unbind(old.object, thread);
            }
            install(thread, *slot, source);
            if binding && let Some(new) = thread.internal_capability(InternalSlot::NotificationPort)
            {
                notification_port::bind(new.object, thread);
            }
        }
    }
    if let Some(address) = instruction_pointer {
        thread.set_register(Register::Rip, address);
        thread.force_full_return();
    }
    if let Some(address) = stack_pointer {
        thread.set_register(Register::Rsp, address);
    }
    if let Some(address) = thread_local_base {
        thread.set_gs_base(address);
    }
    if let Some(priority) = priority {
        scheduler::set_priority(thread, priority as u8);
    }
    if let Some(cpu) = affinity {
        thread.set_affinity(cpu);
    }
    Ok(())
}

fn register_count(invocation: &Invocation) -> Result<usize, CapabilityError> {
    let count = invocation.argument(REGISTER_COUNT_MR)?;
    if count > REGISTER_COUNT as u64 {
        return Err(CapabilityError::InvalidArgument);
    }
    let count = count as usize;
    if count > 0 && FIRST_REGISTER_MR + count > 10 && !invocation.registers.has_ipc_buffer() {
        return Err(CapabilityError::InvalidArgument);
    }
    Ok(count)
}

fn write_registers(invocation: &Invocation, thread: Thread) -> Result<(), CapabilityError> {
    let count = register_count(invocation)?;
    let mut values = [0u64; REGISTER_COUNT];
    for (index, value) in values.iter_mut().enumerate().take(count) {
        *value = invocation.argument(FIRST_REGISTER_MR + index)?;
        let register = Register::ALL[index];
        let must_be_user_address = matches!(
            register,
            Register::Rip | Register::Rsp | Register::FsBase | Register::GsBase
        );
        if must_be_user_address && *value >= USER_ADDRESS_LIMIT {
            return Err(CapabilityError::InvalidArgument);
        }
    }
    for (index, value) in values.iter().enumerate().take(count) {
        let register = Register::ALL[index];
        let value = if register == Register::Rflags {
            sanitize_rflags(*value)
        } else {
            *value
        };
        thread.set_register(register, value);
    }
    thread.force_full_return();
    Ok(())
}

/// Performs a PROCESS_CONTROL_BLOCK operation.
pub fn invoke(invocation: &mut Invocation) -> Result<(), CapabilityError> {
    let operation = ProcessControlBlockOperation::from_word(invocation.operation)
        .ok_or(CapabilityError::IllegalOperation)?;
    require_rights(&invocation.capability, operation.required_rights())?;
    let thread = Thread(invocation.capability.object);
    match operation {
        ProcessControlBlockOperation::Configure => configure(invocation, thread),
        ProcessControlBlockOperation::ReadRegister => {
            let count = register_count(invocation)?;
            for index in 0..count {
                let value = thread.register(Register::ALL[index]);
                invocation.set_result(FIRST_REGISTER_MR + index, value);
            }
            Ok(())
        }
        ProcessControlBlockOperation::WriteRegister => write_registers(invocation, thread),
        ProcessControlBlockOperation::Resume => {
            let runnable = thread
                .internal_capability(InternalSlot::AddressSpace)
                .is_some()
                && thread.internal_capability(InternalSlot::RootNode).is_some();
            if !runnable {
                return Err(CapabilityError::InvalidArgument);
            }
            scheduler::resume(thread);
            Ok(())
        }
        ProcessControlBlockOperation::Suspend => {
            scheduler::suspend(thread);
            Ok(())
        }
    }
}
