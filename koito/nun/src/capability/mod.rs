//! Typed capability handles: one type per kernel object (docs/abi.md section 5),
//! each wrapping a [`Descriptor`] and offering one method per ABI operation, every
//! method returning `Result<_, CapabilityError>`.
//!
//! A handle is only a name: creating one checks nothing, and a handle whose
//! descriptor names another type of object simply gets the kernel's error (usually
//! `ILLEGAL_OPERATION`) back. Handles are `Copy`; copying one does not copy the
//! capability (use [`Node::copy`] for that).
//!
//! | object | handle | operations |
//! |---|---|---|
//! | NODE | [`Node`] | copy, move, mint, demote, revoke, remove |
//! | GENERIC | [`Generic`] | convert |
//! | ADDRESS_SPACE | [`AddressSpace`] | map, unmap, get_unset_depth, can_map_frame_size_bits |
//! | PAGE_TABLE | [`PageTable`] | (none) |
//! | FRAME | [`Frame`] | get_address |
//! | PROCESS_CONTROL_BLOCK | [`ProcessControlBlock`] | configure, read/write registers, resume, suspend |
//! | IPC_PORT | [`IpcPort`] | send, receive, call, reply, reply_receive, identify |
//! | NOTIFICATION_PORT | [`NotificationPort`] | notify, wait, poll, identify |
//! | INTERRUPT_REGION | [`InterruptRegion`] | make_port |
//! | INTERRUPT_PORT | [`InterruptPort`] | bind, unbind, ack, get_irq_number |
//! | IO_PORT | [`IoPort`] | read, write, mint |
//!
//! ```no_run
//! use a9n_abi::operation::io_port::IoWidth;
//! use a9n_abi::RootSlot;
//! use nun::capability::IoPort;
//!
//! // Init's root slot 9 holds the IO port capability for every port.
//! let ports = IoPort::new(RootSlot::IoPort.descriptor());
//! let value = ports.read(0x3ff, IoWidth::Byte)?;
//! # Ok::<(), a9n_abi::CapabilityError>(())
//! ```
//!
//! [`Descriptor`]: a9n_abi::Descriptor

/// Defines a handle type: a `Copy` newtype over a descriptor with `new` and
/// `descriptor`.
macro_rules! capability_handle {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name(a9n_abi::Descriptor);

        impl $name {
            /// The handle of the capability named by `descriptor` (nothing is
            /// checked until an operation is invoked).
            #[must_use]
            pub const fn new(descriptor: a9n_abi::Descriptor) -> Self {
                Self(descriptor)
            }

            /// The descriptor this handle names.
            #[must_use]
            pub const fn descriptor(self) -> a9n_abi::Descriptor {
                self.0
            }
        }
    };
}

mod address_space;
mod frame;
mod generic;
mod interrupt;
mod io_port;
mod ipc_port;
mod node;
mod notification_port;
mod page_table;
mod process_control_block;

pub use address_space::AddressSpace;
pub use frame::Frame;
pub use generic::Generic;
pub use interrupt::{InterruptPort, InterruptRegion};
pub use io_port::IoPort;
pub use ipc_port::{IpcPort, ReceivedMessage};
pub use node::Node;
pub use notification_port::NotificationPort;
pub use page_table::PageTable;
pub use process_control_block::{Configuration, ProcessControlBlock, RegisterValues};
