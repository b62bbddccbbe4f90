//! What happens to objects when capabilities leave the derivation tree: mappings
//! are undone, threads stop, address spaces give back their id, and containers
//! (nodes, PCBs) hand their slots to the tree's cleanup.

use a9n_abi::capability_type::CapabilityType;
use a9n_core::capability::Capability;
use a9n_core::capability_tree::{Container, ObjectLifecycle};
use a9n_core::descriptor_resolution::node_radix;

use crate::arch::{fpu, paging};
use crate::objects::notification_port;
use crate::thread::{INTERNAL_SLOT_COUNT, InternalSlot, Thread};
use crate::{address_space_ids, interrupt_ports, ipc, mapping, scheduler};

/// The kernel's [`ObjectLifecycle`].
pub struct KernelLifecycle;

impl ObjectLifecycle for KernelLifecycle {
    fn capability_removed(&mut self, capability: &Capability) {
        mapping::unmap(capability);
    }

    fn last_capability_removed(&mut self, capability: &Capability) -> Option<Container> {
        match capability.object_type {
            CapabilityType::Node => Some(Container {
                first_slot: capability.object,
                count: 1 << node_radix(capability),
            }),
            CapabilityType::ProcessControlBlock => {
                let thread = Thread(capability.object);
                scheduler::suspend(thread);
                ipc::release_reply_waiter(thread);
                if let Some(notification) =
                    thread.internal_capability(InternalSlot::NotificationPort)
                {
                    notification_port::unbind(notification.object, thread);
                }
                fpu::forget(thread);
                Some(Container {
                    first_slot: thread.internal_slot(InternalSlot::AddressSpace),
                    count: INTERNAL_SLOT_COUNT,
                })
            }
            CapabilityType::AddressSpace => {
                if paging::current_root() == capability.object {
                    paging::load_kernel_address_space();
                }
                address_space_ids::release(capability.data[0]);
                None
            }
            CapabilityType::IpcPort => {
                ipc::release_port_waiters(capability.object);
                None
            }
            CapabilityType::NotificationPort => {
                notification_port::finalise(capability.object);
                interrupt_ports::notification_destroyed(capability.object);
                None
            }
            CapabilityType::InterruptPort => {
                interrupt_ports::destroy(capability.object);
                None
            }
            _ => None,
        }
    }
}
