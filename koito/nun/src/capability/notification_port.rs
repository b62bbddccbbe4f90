//! NOTIFICATION_PORT: a word of pending bits (not in the kernel yet: these
//! operations return the kernel's error until it has IPC).

use a9n_abi::CapabilityError;
use a9n_abi::operation::NotificationPortOperation;
use a9n_abi::operation::notification_port::BITS_RESULT_MR;

use crate::call::capability_call;

capability_handle! {
    /// A notification port: NOTIFY ORs this capability's identifier into the pending
    /// word; WAIT and POLL return and clear it.
    ///
    /// ```no_run
    /// use a9n_abi::RootSlot;
    /// use nun::capability::{Node, NotificationPort};
    ///
    /// let root = Node::new(RootSlot::RootNode.descriptor(), 8);
    /// let port = NotificationPort::new(root.slot(61).unwrap());
    /// port.identify(0b100)?;
    /// port.notify()?;
    /// assert_eq!(port.poll()?, 0b100);
    /// # Ok::<(), a9n_abi::CapabilityError>(())
    /// ```
    NotificationPort
}

impl NotificationPort {
    fn invoke(
        self,
        operation: NotificationPortOperation,
        arguments: &[u64],
    ) -> Result<u64, CapabilityError> {
        capability_call(self.descriptor(), operation.as_word(), arguments)
            .map(|results| results.get(BITS_RESULT_MR))
    }

    /// NOTIFY: ORs this capability's identifier into the pending word. Needs WRITE.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn notify(self) -> Result<(), CapabilityError> {
        self.invoke(NotificationPortOperation::Notify, &[])
            .map(|_| ())
    }

    /// WAIT: blocks until bits are pending, returns and clears them. Needs READ.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn wait(self) -> Result<u64, CapabilityError> {
        self.invoke(NotificationPortOperation::Wait, &[])
    }

    /// POLL: as WAIT without blocking (0 when nothing is pending). Needs READ.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn poll(self) -> Result<u64, CapabilityError> {
        self.invoke(NotificationPortOperation::Poll, &[])
    }

    /// IDENTIFY: stores `identifier` in this capability. Needs MODIFY.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn identify(self, identifier: u64) -> Result<(), CapabilityError> {
        self.invoke(NotificationPortOperation::Identify, &[identifier])
            .map(|_| ())
    }
}
