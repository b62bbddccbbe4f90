//! IPC_PORT operations: SEND, RECEIVE, CALL, REPLY, REPLY_RECEIVE, IDENTIFY
//! (docs/abi.md section 5). The rendezvous itself is in `crate::ipc`.

use a9n_abi::error::CapabilityError;
use a9n_abi::message_info::{MESSAGE_INFO_MR, MessageInfo};
use a9n_abi::operation::ipc_port::{IDENTIFIER_ARGUMENT_MR, IpcPortOperation};
use a9n_core::capability_tree;

use super::require_rights;
use crate::arch::object_memory::PhysicalSlots;
use crate::capability_call::Invocation;
use crate::thread::SendKind;
use crate::{ipc, scheduler};

/// Performs an IPC_PORT operation.
pub fn invoke(invocation: &mut Invocation) -> Result<(), CapabilityError> {
    let operation = IpcPortOperation::from_word(invocation.operation)
        .ok_or(CapabilityError::IllegalOperation)?;
    let port = invocation.capability;
    require_rights(&port, operation.required_rights())?;
    let thread = invocation.thread;
    let info = || -> Result<MessageInfo, CapabilityError> {
        MessageInfo::from_word(invocation.argument(MESSAGE_INFO_MR)?)
            .map_err(|_| CapabilityError::InvalidArgument)
    };
    match operation {
        IpcPortOperation::Send => ipc::send(thread, &port, info()?, SendKind::Send),
        IpcPortOperation::Call => ipc::send(thread, &port, info()?, SendKind::Call),
        IpcPortOperation::Receive => ipc::receive(thread, port.object, info()?.block()),
        IpcPortOperation::Reply => {
            let caller = ipc::reply(thread, info()?)?;
            scheduler::wake(caller);
            Ok(())
        }
        IpcPortOperation::ReplyReceive => {
            let info = info()?;
            let caller = match ipc::reply(thread, info) {
                Ok(caller) => Some(caller),
                Err(CapabilityError::IllegalOperation) => None,
                Err(error) => return Err(error),
            };
            let received = ipc::receive(thread, port.object, true);
            if let Some(caller) = caller {
                if scheduler::current().is_none() && scheduler::may_switch_directly(caller) {
                    scheduler::switch_directly(caller);
                } else {
                    scheduler::wake(caller);
                }
            }
            received
        }
        IpcPortOperation::Identify => {
            let mut identified = port;
            identified.data[0] = invocation.argument(IDENTIFIER_ARGUMENT_MR)?;
            capability_tree::replace_capability(&mut PhysicalSlots, invocation.slot, identified);
            Ok(())
        }
    }
}
