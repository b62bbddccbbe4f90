//! IO_PORT: a range of x86 I/O ports.

use a9n_abi::operation::IoPortOperation;
use a9n_abi::operation::io_port::{IoWidth, VALUE_RESULT_MR};
use a9n_abi::{CapabilityError, Descriptor};

use crate::call::capability_call;

capability_handle! {
    /// An inclusive range of I/O ports; every access must lie wholly inside it.
    ///
    /// ```no_run
    /// use a9n_abi::operation::io_port::IoWidth;
    /// use a9n_abi::RootSlot;
    /// use nun::capability::{IoPort, Node};
    ///
    /// let all_ports = IoPort::new(RootSlot::IoPort.descriptor());
    /// let root = Node::new(RootSlot::RootNode.descriptor(), 8);
    /// // A capability for COM1 only, in root slot 50.
    /// all_ports.mint(0x3f8, 0x3ff, root.descriptor(), 50)?;
    /// let com1 = IoPort::new(root.slot(50).unwrap());
    /// com1.write(0x3ff, IoWidth::Byte, 0x5a)?;
    /// assert_eq!(com1.read(0x3ff, IoWidth::Byte)?, 0x5a);
    /// # Ok::<(), a9n_abi::CapabilityError>(())
    /// ```
    IoPort
}

impl IoPort {
    /// READ: reads `width` bytes from `port`. Needs READ.
    ///
    /// # Errors
    /// The kernel's error (an access outside the range is refused).
    pub fn read(self, port: u64, width: IoWidth) -> Result<u64, CapabilityError> {
        capability_call(
            self.descriptor(),
            IoPortOperation::Read.as_word(),
            &[port, width.as_word()],
        )
        .map(|results| results.get(VALUE_RESULT_MR))
    }

    /// WRITE: writes the low `width` bytes of `value` to `port`. Needs WRITE.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn write(self, port: u64, width: IoWidth, value: u64) -> Result<(), CapabilityError> {
        capability_call(
            self.descriptor(),
            IoPortOperation::Write.as_word(),
            &[port, width.as_word(), value],
        )
        .map(|_| ())
    }

    /// MINT: puts a capability for ports `min..=max` (a sub-range) in slot `index`
    /// of the node named by `destination`. Needs COPY here and WRITE on the node.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn mint(
        self,
        min: u64,
        max: u64,
        destination: Descriptor,
        index: u64,
    ) -> Result<(), CapabilityError> {
        capability_call(
            self.descriptor(),
            IoPortOperation::Mint.as_word(),
            &[min, max, destination.as_word(), index],
        )
        .map(|_| ())
    }
}
