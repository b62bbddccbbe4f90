//! INTERRUPT_REGION MAKE_PORT and the INTERRUPT_PORT operations BIND_NOTIFICATION_PORT,
//! UNBIND, ACK, GET_IRQ_NUMBER (docs/abi.md sections 5 and 13). An interrupt port
//! capability's object word is its IRQ number; the port itself is an entry of
//! `interrupt_ports`.

use a9n_abi::capability_type::CapabilityType;
use a9n_abi::error::CapabilityError;
use a9n_abi::operation::DESTINATION_NODE_RIGHTS;
use a9n_abi::operation::interrupt::{
    DESTINATION_INDEX_MR, DESTINATION_NODE_MR, IRQ_MR, IRQ_RESULT_MR, InterruptPortOperation,
    InterruptRegionOperation, NOTIFICATION_PORT_MR,
};
use a9n_abi::rights::Rights;
use a9n_core::capability::Capability;
use a9n_core::capability_tree;

use super::node::empty_slot_of;
use super::require_rights;
use crate::arch::io_apic;
use crate::arch::object_memory::PhysicalSlots;
use crate::capability_call::Invocation;
use crate::interrupt_ports::{self, Binding};

/// Rights a notification capability needs to be bound: an IRQ notifies with it.
const NOTIFICATION_RIGHTS: Rights = Rights::WRITE;

/// Performs an INTERRUPT_REGION operation.
pub fn invoke_region(invocation: &mut Invocation) -> Result<(), CapabilityError> {
    let operation = InterruptRegionOperation::from_word(invocation.operation)
        .ok_or(CapabilityError::IllegalOperation)?;
    require_rights(&invocation.capability, operation.required_rights())?;
    match operation {
        InterruptRegionOperation::MakePort => {
            let irq = invocation.argument(IRQ_MR)?;
            let route = io_apic::route(irq).ok_or(CapabilityError::InvalidArgument)?;
            if interrupt_ports::has_port(route) {
                return Err(CapabilityError::IllegalOperation);
            }
            let (_, node) = invocation.resolve(invocation.argument(DESTINATION_NODE_MR)?)?;
            if node.object_type != CapabilityType::Node {
                return Err(CapabilityError::InvalidDescriptor);
            }
            require_rights(&node, DESTINATION_NODE_RIGHTS)?;
            let destination = empty_slot_of(&node, invocation.argument(DESTINATION_INDEX_MR)?)?;
            interrupt_ports::create(irq, route);
            capability_tree::insert_child(
                &mut PhysicalSlots,
                invocation.slot,
                destination,
                Capability::new(CapabilityType::InterruptPort, Rights::ALL, irq),
            );
        }
    }
    Ok(())
}

/// Performs an INTERRUPT_PORT operation.
pub fn invoke_port(invocation: &mut Invocation) -> Result<(), CapabilityError> {
    let operation = InterruptPortOperation::from_word(invocation.operation)
        .ok_or(CapabilityError::IllegalOperation)?;
    require_rights(&invocation.capability, operation.required_rights())?;
    let irq = invocation.capability.object;
    if !interrupt_ports::exists(irq) {
        // A capability outlives its port only if the kernel lost track of it.
        return Err(CapabilityError::Fatal);
    }
    match operation {
        InterruptPortOperation::BindNotificationPort => {
            let (_, notification) =
                invocation.resolve(invocation.argument(NOTIFICATION_PORT_MR)?)?;
            if notification.object_type != CapabilityType::NotificationPort {
                return Err(CapabilityError::InvalidDescriptor);
            }
            require_rights(&notification, NOTIFICATION_RIGHTS)?;
            // A notification capability keeps its identifier (IDENTIFY) in data[0].
            let bits = notification.data[0];
            if bits == 0 {
                // OR-ing 0 into the pending word would never wake anyone.
                return Err(CapabilityError::InvalidArgument);
            }
            interrupt_ports::bind(
                irq,
                Binding {
                    notification: notification.object,
                    bits,
                },
            );
        }
        InterruptPortOperation::Unbind => interrupt_ports::unbind(irq),
        InterruptPortOperation::Ack => interrupt_ports::acknowledge(irq),
        InterruptPortOperation::GetIrqNumber => invocation.set_result(IRQ_RESULT_MR, irq),
    }
    Ok(())
}
