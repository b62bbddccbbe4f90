//! INTERRUPT_REGION and INTERRUPT_PORT: IRQ delivery to notification ports.

use a9n_abi::operation::interrupt::IRQ_RESULT_MR;
use a9n_abi::operation::{InterruptPortOperation, InterruptRegionOperation};
use a9n_abi::{CapabilityError, Descriptor};

use crate::call::capability_call;

capability_handle! {
    /// The interrupt region (init's root slot 8): authority to make interrupt ports.
    ///
    /// ```no_run
    /// use a9n_abi::RootSlot;
    /// use nun::capability::{InterruptPort, InterruptRegion, Node};
    ///
    /// let root = Node::new(RootSlot::RootNode.descriptor(), 8);
    /// let region = InterruptRegion::new(RootSlot::InterruptRegion.descriptor());
    /// region.make_port(4, root.descriptor(), 70)?; // COM1's IRQ
    /// let com1 = InterruptPort::new(root.slot(70).unwrap());
    /// assert_eq!(com1.get_irq_number()?, 4);
    /// # Ok::<(), a9n_abi::CapabilityError>(())
    /// ```
    InterruptRegion
}

impl InterruptRegion {
    /// MAKE_PORT: puts the interrupt port of `irq` in slot `index` of the node named
    /// by `destination`. Needs WRITE here and on the node.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn make_port(
        self,
        irq: u64,
        destination: Descriptor,
        index: u64,
    ) -> Result<(), CapabilityError> {
        capability_call(
            self.descriptor(),
            InterruptRegionOperation::MakePort.as_word(),
            &[irq, destination.as_word(), index],
        )
        .map(|_| ())
    }
}

capability_handle! {
    /// One IRQ line: bind it to a notification port, ACK it after handling.
    ///
    /// ```no_run
    /// use a9n_abi::RootSlot;
    /// use nun::capability::{InterruptPort, Node};
    ///
    /// let root = Node::new(RootSlot::RootNode.descriptor(), 8);
    /// let irq = InterruptPort::new(root.slot(70).unwrap());
    /// irq.bind_notification_port(root.slot(71).unwrap())?;
    /// irq.ack()?;
    /// # Ok::<(), a9n_abi::CapabilityError>(())
    /// ```
    InterruptPort
}

impl InterruptPort {
    fn invoke(
        self,
        operation: InterruptPortOperation,
        arguments: &[u64],
    ) -> Result<u64, CapabilityError> {
        capability_call(self.descriptor(), operation.as_word(), arguments)
            .map(|results| results.get(IRQ_RESULT_MR))
    }

    /// BIND_NOTIFICATION_PORT: delivers this IRQ to the notification port named by
    /// `port`. Needs WRITE.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn bind_notification_port(self, port: Descriptor) -> Result<(), CapabilityError> {
        self.invoke(
            InterruptPortOperation::BindNotificationPort,
            &[port.as_word()],
        )
        .map(|_| ())
    }

    /// UNBIND: stops delivering this IRQ. Needs WRITE.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn unbind(self) -> Result<(), CapabilityError> {
        self.invoke(InterruptPortOperation::Unbind, &[]).map(|_| ())
    }

    /// ACK: unmasks the IRQ after handling it. Needs WRITE.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn ack(self) -> Result<(), CapabilityError> {
        self.invoke(InterruptPortOperation::Ack, &[]).map(|_| ())
    }

    /// GET_IRQ_NUMBER: the IRQ this port delivers. Needs READ.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn get_irq_number(self) -> Result<u64, CapabilityError> {
        self.invoke(InterruptPortOperation::GetIrqNumber, &[])
    }
}
