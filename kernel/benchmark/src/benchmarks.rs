//! The benchmark rows, in the order they are printed. Each row starts the threads
//! it needs, checks once with Nun's typed calls that the round trip does what it
//! should (an echo of the payload, the notification bits), then measures.

use a9n_abi::kernel_call::{DESCRIPTOR_MR, OPERATION_MR};
use a9n_abi::message_info::{FIRST_PAYLOAD_MR, MESSAGE_INFO_MR};
use a9n_abi::operation::IpcPortOperation;
use a9n_abi::{CapabilityType, Descriptor, InitInfo, MessageInfo, MessageSource};
use nun::capability::{IpcPort, NotificationPort};
use nun::kernel_call::RegisterMessages;
use nun::timed_call;

use crate::error::{BenchmarkError, kernel};
use crate::local_threads::{self, ThreadPlan};
use crate::measurement::{Figures, StatusCheck, measure};
use crate::resources::Resources;
use crate::second_address_space;
use crate::thread_bodies::{self, FAULT_FIGURES};

/// Row: CALL + REPLY_RECEIVE between two address spaces, no payload.
const INTER_ADDRESS_SPACE: &str = "ipc round trip (inter address space, 0 words)";
/// Rows: CALL + REPLY_RECEIVE within one address space, by payload length.
const SAME_ADDRESS_SPACE: [(&str, usize); 3] = [
    ("ipc round trip (same address space, 0 words)", 0),
    ("ipc round trip (same address space, 4 words)", 4),
    ("ipc round trip (same address space, 10 words)", 10),
];
/// Row: NOTIFY + WAIT on one side, WAIT + NOTIFY on the other.
const NOTIFICATION: &str = "notification round trip";
/// Row: YIELD with no other thread ready.
const NULL_CALL: &str = "null kernel call (YIELD, nothing else ready)";
/// Row: an INVALID_KERNEL_CALL fault to the resolver and its empty reply.
const FAULT: &str = "fault delivery + reply round trip";

/// The identifier the notification capabilities NOTIFY with (0 would wake no one).
const NOTIFICATION_BIT: u64 = 1;
/// Stacks (see `local_threads`): the same-address-space servers take 0..=2.
const NOTIFICATION_PARTNER_STACK: usize = 3;
/// Stack of the fault resolver.
const RESOLVER_STACK: usize = 4;
/// Stack of the faulting thread.
const FAULTING_STACK: usize = 5;
/// Payload words sent to check the echo (MR4 = 1, MR5 = 2, ...).
const CHECK_PAYLOAD: [u64; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/// Prints one row, and the overhead that was subtracted from it.
fn report(name: &str, figures: Figures) {
    nun::debug_println!("bench-overhead {name}: {} instructions", figures.overhead);
    nun::debug_println!(
        "bench {name}: min {} median {} instructions",
        figures.minimum,
        figures.median
    );
}

/// A blocking NORMAL message_info with `length` payload words.
fn message_info(length: usize) -> Result<MessageInfo, BenchmarkError> {
    MessageInfo::new(true, length, 0, MessageSource::Normal)
        .map_err(|_| BenchmarkError::Resources("message length"))
}

/// One CALL through Nun with `length` words: the server must echo them.
fn check_echo(port: Descriptor, length: usize) -> Result<(), BenchmarkError> {
    let reply = kernel(
        "check call",
        IpcPort::new(port).call(&CHECK_PAYLOAD[..length]),
    )?;
    let echoed = reply.info().is_some_and(|info| info.length() == length)
        && (0..length).all(|index| reply.payload(index) == CHECK_PAYLOAD[index]);
    if echoed {
        Ok(())
    } else {
        Err(BenchmarkError::WrongResult(
            "the server did not echo the message",
        ))
    }
}

/// Measures CALL round trips with `length` words on `port`, whose server is
/// running.
fn ipc_round_trip(
    name: &'static str,
    port: Descriptor,
    length: usize,
) -> Result<Figures, BenchmarkError> {
    check_echo(port, length)?;
    let mut request = RegisterMessages::default();
    request[DESCRIPTOR_MR] = port.as_word();
    request[OPERATION_MR] = IpcPortOperation::Call.as_word();
    request[MESSAGE_INFO_MR] = message_info(length)?.as_word();
    let in_registers = length.min(request.len() - FIRST_PAYLOAD_MR);
    request[FIRST_PAYLOAD_MR..FIRST_PAYLOAD_MR + in_registers]
        .copy_from_slice(&CHECK_PAYLOAD[..in_registers]);
    measure(
        name,
        StatusCheck::MustSucceed,
        || {
            let mut registers = request;
            timed_call::timed_capability_call(&mut registers)
        },
        || {
            let mut registers = request;
            timed_call::timed_capability_call_overhead(&mut registers)
        },
    )
}

/// Client: this thread; server: a thread in a second address space.
fn inter_address_space(resources: &mut Resources) -> Result<(), BenchmarkError> {
    let port = resources.make_in_root(CapabilityType::IpcPort)?.descriptor;
    second_address_space::start_server(resources, port, message_info(0)?)?;
    report(
        INTER_ADDRESS_SPACE,
        ipc_round_trip(INTER_ADDRESS_SPACE, port, 0)?,
    );
    Ok(())
}

/// Client: this thread; server: a thread of this program, one per length.
fn same_address_space(resources: &mut Resources) -> Result<(), BenchmarkError> {
    for (stack, (name, length)) in SAME_ADDRESS_SPACE.into_iter().enumerate() {
        let port = resources.make_in_root(CapabilityType::IpcPort)?.descriptor;
        local_threads::start(
            resources,
            &ThreadPlan {
                stack,
                entry: thread_bodies::ipc_server,
                arguments: [port.as_word(), message_info(length)?.as_word()],
                fault_resolver: None,
            },
        )?;
        report(name, ipc_round_trip(name, port, length)?);
    }
    Ok(())
}

/// A notification port in a root slot whose capability NOTIFYs [`NOTIFICATION_BIT`].
fn notification_port(resources: &mut Resources) -> Result<NotificationPort, BenchmarkError> {
    let port = NotificationPort::new(
        resources
            .make_in_root(CapabilityType::NotificationPort)?
            .descriptor,
    );
    kernel(
        "identify a notification port",
        port.identify(NOTIFICATION_BIT),
    )?;
    Ok(port)
}

/// This thread NOTIFYs `first` and WAITs on `second`; the partner thread WAITs on
/// `first` and NOTIFYs `second`.
fn notification(resources: &mut Resources) -> Result<(), BenchmarkError> {
    let (first, second) = (notification_port(resources)?, notification_port(resources)?);
    local_threads::start(
        resources,
        &ThreadPlan {
            stack: NOTIFICATION_PARTNER_STACK,
            entry: thread_bodies::notification_partner,
            arguments: [first.descriptor().as_word(), second.descriptor().as_word()],
            fault_resolver: None,
        },
    )?;
    kernel("check notify", first.notify())?;
    if kernel("check wait", second.wait())? != NOTIFICATION_BIT {
        return Err(BenchmarkError::WrongResult(
            "the partner's bits did not arrive",
        ));
    }
    let figures = measure(
        NOTIFICATION,
        StatusCheck::MustSucceed,
        || timed_call::timed_notify_then_wait(first.descriptor(), second.descriptor()),
        || timed_call::timed_notify_then_wait_overhead(first.descriptor(), second.descriptor()),
    )?;
    report(NOTIFICATION, figures);
    Ok(())
}

/// YIELD while every other thread waits in the kernel.
fn null_call() -> Result<(), BenchmarkError> {
    let figures = measure(
        NULL_CALL,
        StatusCheck::MustSucceed,
        timed_call::timed_yield,
        timed_call::timed_yield_overhead,
    )?;
    report(NULL_CALL, figures);
    Ok(())
}

/// A faulting thread measures itself against a resolver that replies with length
/// 0; this thread waits for the figures.
fn fault(resources: &mut Resources) -> Result<(), BenchmarkError> {
    let port = resources.make_in_root(CapabilityType::IpcPort)?.descriptor;
    let done = notification_port(resources)?;
    local_threads::start(
        resources,
        &ThreadPlan {
            stack: RESOLVER_STACK,
            entry: thread_bodies::ipc_server,
            arguments: [port.as_word(), message_info(0)?.as_word()],
            fault_resolver: None,
        },
    )?;
    let faulting = local_threads::start(
        resources,
        &ThreadPlan {
            stack: FAULTING_STACK,
            entry: thread_bodies::faulting_thread,
            arguments: [done.descriptor().as_word(), 0],
            fault_resolver: Some(port),
        },
    )?;
    kernel("wait for the faulting thread", done.wait())?;
    kernel("suspend the faulting thread", faulting.suspend())?;
    let figures = FAULT_FIGURES.load().ok_or(BenchmarkError::WrongResult(
        "the faulting thread measured nothing",
    ))?;
    report(FAULT, figures);
    Ok(())
}

/// Runs every row.
///
/// # Errors
/// The first step that failed.
pub fn run_all(info: &'static InitInfo) -> Result<(), BenchmarkError> {
    let mut resources = Resources::new(info)?;
    inter_address_space(&mut resources)?;
    same_address_space(&mut resources)?;
    notification(&mut resources)?;
    null_call()?;
    fault(&mut resources)
}
