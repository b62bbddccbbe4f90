//! FRAME: a page of physical memory (4 KiB, 2 MiB or 1 GiB).

use a9n_abi::CapabilityError;
use a9n_abi::operation::FrameOperation;
use a9n_abi::operation::frame::ADDRESS_RESULT_MR;

use crate::call::capability_call;

capability_handle! {
    /// A frame: map it with [`AddressSpace::map`](crate::capability::AddressSpace::map),
    /// or ask its physical address.
    ///
    /// ```no_run
    /// use a9n_abi::RootSlot;
    /// use nun::capability::Frame;
    ///
    /// let ipc_buffer = Frame::new(RootSlot::IpcBuffer.descriptor());
    /// let physical = ipc_buffer.get_address()?;
    /// assert_eq!(physical % 4096, 0);
    /// # Ok::<(), a9n_abi::CapabilityError>(())
    /// ```
    Frame
}

impl Frame {
    /// GET_ADDRESS: the frame's physical address. Needs READ.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn get_address(self) -> Result<u64, CapabilityError> {
        capability_call(self.descriptor(), FrameOperation::GetAddress.as_word(), &[])
            .map(|results| results.get(ADDRESS_RESULT_MR))
    }
}
