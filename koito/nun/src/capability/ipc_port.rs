//! IPC_PORT: synchronous rendezvous between threads (not in the kernel yet: these
//! operations return the kernel's error until it has IPC).

use a9n_abi::message_info::{FIRST_PAYLOAD_MR, IDENTIFIER_MR, MAX_MESSAGE_LENGTH, MESSAGE_INFO_MR};
use a9n_abi::operation::IpcPortOperation;
use a9n_abi::{CapabilityError, Descriptor, MessageInfo, MessageSource};

use crate::call::{CallResults, capability_call};
use crate::ipc_buffer;

/// A message as RECEIVE (or CALL's reply) delivered it.
///
/// ```no_run
/// use a9n_abi::RootSlot;
/// use nun::capability::{IpcPort, Node};
///
/// let root = Node::new(RootSlot::RootNode.descriptor(), 8);
/// let port = IpcPort::new(root.slot(60).unwrap());
/// let message = port.receive(true)?;
/// let first_word = message.payload(0);
/// # Ok::<(), a9n_abi::CapabilityError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReceivedMessage {
    results: CallResults,
}

impl ReceivedMessage {
    /// The message_info word (MR2), decoded (`None` if the kernel sent an invalid one).
    #[must_use]
    pub fn info(&self) -> Option<MessageInfo> {
        MessageInfo::from_word(self.results.get(MESSAGE_INFO_MR)).ok()
    }

    /// The sender capability's identifier, or the notification bits (MR3).
    #[must_use]
    pub fn identifier(&self) -> u64 {
        self.results.get(IDENTIFIER_MR)
    }

    /// Message register `mr` as delivered (MR0..MR493; 0 past MR493). Fault messages
    /// are read this way, with the MR numbers of `a9n_abi::fault`.
    #[must_use]
    pub fn message_register(&self, mr: usize) -> u64 {
        self.results.get(mr)
    }

    /// Payload word `index` (MR4 + index); 0 past the payload's MRs.
    #[must_use]
    pub fn payload(&self, index: usize) -> u64 {
        if index < MAX_MESSAGE_LENGTH {
            self.results.get(FIRST_PAYLOAD_MR + index)
        } else {
            0
        }
    }
}

capability_handle! {
    /// An IPC port.
    ///
    /// ```no_run
    /// use a9n_abi::RootSlot;
    /// use nun::capability::{IpcPort, Node};
    ///
    /// let root = Node::new(RootSlot::RootNode.descriptor(), 8);
    /// let server = IpcPort::new(root.slot(60).unwrap());
    /// let reply = server.call(&[1, 2, 3])?;
    /// let answer = reply.payload(0);
    /// # Ok::<(), a9n_abi::CapabilityError>(())
    /// ```
    IpcPort
}

/// Builds the arguments of a message operation: message_info (MR2), MR3 unused,
/// payload from MR4.
fn message_arguments(
    block: bool,
    payload: &[u64],
    transfer_count: usize,
    arguments: &mut [u64],
) -> Result<usize, CapabilityError> {
    let info = MessageInfo::new(block, payload.len(), transfer_count, MessageSource::Normal)
        .map_err(|_| CapabilityError::InvalidArgument)?;
    let length = 2 + payload.len();
    let slots = arguments
        .get_mut(..length)
        .ok_or(CapabilityError::InvalidArgument)?;
    slots[0] = info.as_word();
    slots[1] = 0;
    slots[2..].copy_from_slice(payload);
    Ok(length)
}

/// Payload words that travel in registers (MR4..MR9): a message this short needs
/// no argument array the size of the longest message.
const REGISTER_PAYLOAD: usize = 6;

impl IpcPort {
    fn message_operation(
        self,
        operation: IpcPortOperation,
        block: bool,
        payload: &[u64],
    ) -> Result<ReceivedMessage, CapabilityError> {
        self.message_operation_with(operation, block, payload, &[])
    }

    fn message_operation_with(
        self,
        operation: IpcPortOperation,
        block: bool,
        payload: &[u64],
        capabilities: &[Descriptor],
    ) -> Result<ReceivedMessage, CapabilityError> {
        if !capabilities.is_empty() && !ipc_buffer::set_transfer_sources(capabilities) {
            return Err(CapabilityError::InvalidArgument);
        }
        if payload.len() <= REGISTER_PAYLOAD {
            // The common case: no 2 KiB array to clear on every call.
            let mut arguments = [0; REGISTER_PAYLOAD + 2];
            let length = message_arguments(block, payload, capabilities.len(), &mut arguments)?;
            return capability_call(self.descriptor(), operation.as_word(), &arguments[..length])
                .map(|results| ReceivedMessage { results });
        }
        let mut arguments = [0; MAX_MESSAGE_LENGTH + 2];
        let length = message_arguments(block, payload, capabilities.len(), &mut arguments)?;
        capability_call(self.descriptor(), operation.as_word(), &arguments[..length])
            .map(|results| ReceivedMessage { results })
    }

    /// SEND: sends `payload` (at most 255 words); `block` waits for a receiver.
    /// Needs WRITE.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn send(self, payload: &[u64], block: bool) -> Result<(), CapabilityError> {
        self.message_operation(IpcPortOperation::Send, block, payload)
            .map(|_| ())
    }

    /// SEND that also moves `capabilities` (at most 15, resolved in the caller's root
    /// node) to the receiver, through the IPC buffer's transfer fields. Needs WRITE.
    ///
    /// # Errors
    /// The kernel's error; `INVALID_ARGUMENT` without calling it for more than 15
    /// capabilities or without an IPC buffer.
    pub fn send_with_capabilities(
        self,
        payload: &[u64],
        capabilities: &[Descriptor],
        block: bool,
    ) -> Result<(), CapabilityError> {
        self.message_operation_with(IpcPortOperation::Send, block, payload, capabilities)
            .map(|_| ())
    }

    /// RECEIVE: waits (or, without `block`, only looks) for a message. Needs READ.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn receive(self, block: bool) -> Result<ReceivedMessage, CapabilityError> {
        self.message_operation(IpcPortOperation::Receive, block, &[])
    }

    /// CALL: sends `payload` and waits for the reply. Needs WRITE.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn call(self, payload: &[u64]) -> Result<ReceivedMessage, CapabilityError> {
        self.message_operation(IpcPortOperation::Call, true, payload)
    }

    /// REPLY: answers the CALL this thread received last. Needs no right.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn reply(self, payload: &[u64]) -> Result<(), CapabilityError> {
        self.message_operation(IpcPortOperation::Reply, false, payload)
            .map(|_| ())
    }

    /// REPLY that also moves `capabilities` (at most 15) to the caller, into the slots
    /// its IPC buffer names; if they do not fit there, the reply arrives without
    /// them and they stay with the server. Needs no right.
    ///
    /// # Errors
    /// The kernel's error; `INVALID_ARGUMENT` without calling it for more than 15
    /// capabilities or without an IPC buffer.
    pub fn reply_with_capabilities(
        self,
        payload: &[u64],
        capabilities: &[Descriptor],
    ) -> Result<(), CapabilityError> {
        self.message_operation_with(IpcPortOperation::Reply, false, payload, capabilities)
            .map(|_| ())
    }

    /// CALL that also moves `capabilities` (at most 15) to the server. Needs WRITE.
    ///
    /// # Errors
    /// As [`Self::send_with_capabilities`].
    pub fn call_with_capabilities(
        self,
        payload: &[u64],
        capabilities: &[Descriptor],
    ) -> Result<ReceivedMessage, CapabilityError> {
        self.message_operation_with(IpcPortOperation::Call, true, payload, capabilities)
    }

    /// REPLY_RECEIVE: replies, then waits for the next message. Needs READ.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn reply_receive(self, payload: &[u64]) -> Result<ReceivedMessage, CapabilityError> {
        self.message_operation(IpcPortOperation::ReplyReceive, true, payload)
    }

    /// IDENTIFY: stores `identifier` in this capability. Needs MODIFY.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn identify(self, identifier: u64) -> Result<(), CapabilityError> {
        capability_call(
            self.descriptor(),
            IpcPortOperation::Identify.as_word(),
            &[identifier],
        )
        .map(|_| ())
    }
}
