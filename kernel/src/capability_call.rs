//! CAPABILITY_CALL: resolve the descriptor in MR0, check the operation in MR1 and
//! hand the call to the invoked object's module. The status goes back in MR0 (1:
//! success; 0: failure with the error in MR1).

use a9n_abi::capability_type::CapabilityType;
use a9n_abi::error::CapabilityError;
use a9n_abi::kernel_call::{CALL_FAILED, CALL_SUCCEEDED};
use a9n_core::capability::Capability;
use a9n_core::capability_tree::SlotAddress;
use a9n_core::descriptor_resolution::resolve_capability;

use crate::arch::object_memory::PhysicalSlots;
use crate::message_registers::MessageRegisters;
use crate::objects;
use crate::thread::{InternalSlot, Thread};

/// One invocation of a capability.
pub struct Invocation {
    /// The calling thread.
    pub thread: Thread,
    /// The slot of the invoked capability.
    pub slot: SlotAddress,
    /// The invoked capability.
    pub capability: Capability,
    /// The operation number (MR1).
    pub operation: u64,
    /// The caller's message registers (arguments in, results out).
    pub registers: MessageRegisters,
}

impl Invocation {
    /// Resolves a descriptor argument against the caller's root node.
    pub fn resolve(&self, descriptor: u64) -> Result<(SlotAddress, Capability), CapabilityError> {
        resolve_capability(
            &PhysicalSlots,
            self.thread.internal_slot(InternalSlot::RootNode),
            descriptor,
        )
    }

    /// Reads argument MR `index`.
    pub fn argument(&self, index: usize) -> Result<u64, CapabilityError> {
        self.registers.get(index)
    }

    /// Writes result MR `index`.
    pub fn set_result(&mut self, index: usize, value: u64) {
        self.registers.set(index, value);
    }
}

fn dispatch(invocation: &mut Invocation) -> Result<(), CapabilityError> {
    match invocation.capability.object_type {
        CapabilityType::Node => objects::node::invoke(invocation),
        CapabilityType::Generic => objects::generic::invoke(invocation),
        CapabilityType::AddressSpace => objects::address_space::invoke(invocation),
        CapabilityType::Frame => objects::frame::invoke(invocation),
        CapabilityType::ProcessControlBlock => objects::process_control_block::invoke(invocation),
        CapabilityType::IoPort => objects::io_port::invoke(invocation),
        CapabilityType::IpcPort => objects::ipc_port::invoke(invocation),
        CapabilityType::NotificationPort => objects::notification_port::invoke(invocation),
        CapabilityType::InterruptRegion => objects::interrupt::invoke_region(invocation),
        CapabilityType::InterruptPort => objects::interrupt::invoke_port(invocation),
        CapabilityType::PageTable
        | CapabilityType::None
        | CapabilityType::Debug
        | CapabilityType::VirtualCpu => Err(CapabilityError::IllegalOperation),
    }
}

/// Performs the CAPABILITY_CALL of `thread`.
pub fn invoke(thread: Thread) {
    let registers = MessageRegisters::of(thread);
    let descriptor = registers.register(0);
    let operation = registers.register(1);
    let root = thread.internal_slot(InternalSlot::RootNode);
    let result =
        resolve_capability(&PhysicalSlots, root, descriptor).and_then(|(slot, capability)| {
            let mut invocation = Invocation {
                thread,
                slot,
                capability,
                operation,
                registers,
            };
            let result = dispatch(&mut invocation);
            if result.is_ok() {
                invocation.set_result(0, CALL_SUCCEEDED);
            }
            result
        });
    if let Err(error) = result {
        let mut registers = MessageRegisters::of(thread);
        registers.set(0, CALL_FAILED);
        registers.set(1, error.as_word());
    }
}
