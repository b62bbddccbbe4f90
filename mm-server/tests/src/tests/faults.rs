//! Faults mm-server does not resolve reach the space's registered handler.

use alloc::format;
use alloc::string::String;

use a9n_abi::CapabilityType;
use mm_server_api::request::{AllocateObject, MapAnonymous, MapFlags, Protect};
use mm_server_api::{FaultAccess, FaultReason, ForwardedFault, Protection};
use nun::capability::IpcPort;

use mm_server_tests::child::{Child, DATA_BASE};
use mm_server_tests::environment::{Environment, describe};
use mm_server_tests::harness::{TestResult, check};
use mm_server_tests::work::{Operation, Order};

/// Starts a worker on `order` in `child` and returns the fault mm-server forwards
/// to a handler port registered for the space (the worker is destroyed after).
pub fn expect_forwarded(
    environment: &mut Environment,
    child: &mut Child,
    order: Order,
) -> Result<ForwardedFault, String> {
    let client = child.client;
    let (destination, port) = environment.destination(2)?;
    let reply = client
        .allocate_objects(
            AllocateObject {
                object_type: CapabilityType::IpcPort,
                specific: 0,
                count: 1,
            },
            destination,
        )
        .map_err(|error| format!("ALLOCATE_OBJECT of a port: {}", describe(error)))?;
    let copy = environment.next(port, 1);
    environment
        .node
        .copy(copy.index, port.descriptor)
        .map_err(|error| format!("copy the port: {}", error.name()))?;
    client
        .register_fault_handler(child.space, Some(copy.descriptor))
        .map_err(|error| format!("REGISTER_FAULT_HANDLER: {}", describe(error)))?;
    child.start(environment, order)?;
    let message = IpcPort::new(port.descriptor)
        .receive(true)
        .map_err(|error| format!("RECEIVE a forwarded fault: {}", error.name()));
    let result = message.and_then(|message| {
        let length = message.info().map_or(0, |info| info.length());
        let words: [u64; ForwardedFault::WORDS] =
            core::array::from_fn(|index| message.payload(index));
        check(length == ForwardedFault::WORDS, || {
            format!("{length} words forwarded")
        })?;
        ForwardedFault::decode(&words).map_err(|error| format!("forwarded fault: {error:?}"))
    });
    child.stop(environment)?;
    client
        .register_fault_handler(child.space, None)
        .map_err(|error| format!("unregister the handler: {}", describe(error)))?;
    client
        .free_object(reply.first)
        .map_err(|error| format!("FREE_OBJECT of the port: {}", describe(error)))?;
    environment.free_slots(port, 2);
    result
}

/// Writing a read-only region and reading an inaccessible one are forwarded with
/// reason PERMISSION; touching no region with OUTSIDE_REGION.
pub fn protection_faults_are_forwarded(environment: &mut Environment) -> TestResult {
    let mut child = Child::create(environment)?;
    let space = child.space;
    let length = 64 * 1024;
    environment
        .mm
        .map_anonymous(MapAnonymous {
            space,
            address: DATA_BASE,
            length,
            protection: Protection::READ_WRITE,
            flags: MapFlags::NONE,
            stack_limit: 0,
        })
        .map_err(|error| format!("MAP_ANONYMOUS: {}", describe(error)))?;
    let mut write = Order::new(Operation::Write);
    write.start = DATA_BASE + 0x1000;
    write.seed = 0x5eed;
    check(child.run(environment, write)? == 1, || {
        "the first write failed".into()
    })?;
    environment
        .mm
        .protect(Protect {
            space,
            address: DATA_BASE,
            length,
            protection: Protection::READ,
        })
        .map_err(|error| format!("PROTECT: {}", describe(error)))?;
    let mut read = Order::new(Operation::Read);
    read.start = write.start;
    check(child.run(environment, read)? == 0x5eed, || {
        "the page lost its contents when made read-only".into()
    })?;
    let fault = expect_forwarded(environment, &mut child, write)?;
    check(
        fault.space == space
            && fault.address == write.start
            && fault.access == FaultAccess::Write
            && fault.reason == FaultReason::Permission,
        || format!("write to a read-only page forwarded as {fault:?}"),
    )?;
    environment
        .mm
        .protect(Protect {
            space,
            address: DATA_BASE,
            length,
            protection: Protection::NONE,
        })
        .map_err(|error| format!("PROTECT none: {}", describe(error)))?;
    let fault = expect_forwarded(environment, &mut child, read)?;
    check(
        fault.access == FaultAccess::Read && fault.reason == FaultReason::Permission,
        || format!("read of an inaccessible page forwarded as {fault:?}"),
    )?;
    let mut outside = read;
    outside.start = DATA_BASE + length + 0x10_0000;
    let fault = expect_forwarded(environment, &mut child, outside)?;
    check(
        fault.address == outside.start && fault.reason == FaultReason::OutsideRegion,
        || format!("read outside every region forwarded as {fault:?}"),
    )?;
    // Writable again: a write fault makes the page writable in place.
    environment
        .mm
        .protect(Protect {
            space,
            address: DATA_BASE,
            length,
            protection: Protection::READ_WRITE,
        })
        .map_err(|error| format!("PROTECT read-write: {}", describe(error)))?;
    check(child.run(environment, write)? == 1, || {
        "the write after re-protecting failed".into()
    })?;
    child.destroy(environment)
}

/// PROTECT to no access keeps the pages' contents: a write, PROTECT none (an access
/// is forwarded with PERMISSION), PROTECT read-only then read-write, and the value
/// written is read back each time (the same frame, mapped again).
pub fn contents_survive_protect_none(environment: &mut Environment) -> TestResult {
    let mut child = Child::create(environment)?;
    let space = child.space;
    let length = 64 * 1024;
    environment
        .mm
        .map_anonymous(MapAnonymous {
            space,
            address: DATA_BASE,
            length,
            protection: Protection::READ_WRITE,
            flags: MapFlags::NONE,
            stack_limit: 0,
        })
        .map_err(|error| format!("MAP_ANONYMOUS: {}", describe(error)))?;
    let mut write = Order::new(Operation::Write);
    write.start = DATA_BASE + 0x3000;
    write.seed = 0xc0de_cafe;
    check(child.run(environment, write)? == 1, || {
        "the first write failed".into()
    })?;
    let protect = |environment: &mut Environment, protection: Protection| {
        environment
            .mm
            .protect(Protect {
                space,
                address: DATA_BASE,
                length,
                protection,
            })
            .map_err(|error| format!("PROTECT {protection:?}: {}", describe(error)))
    };
    protect(environment, Protection::NONE)?;
    let mut read = Order::new(Operation::Read);
    read.start = write.start;
    let fault = expect_forwarded(environment, &mut child, read)?;
    check(
        fault.address == read.start
            && fault.access == FaultAccess::Read
            && fault.reason == FaultReason::Permission,
        || format!("read of an inaccessible page forwarded as {fault:?}"),
    )?;
    protect(environment, Protection::READ_WRITE)?;
    let value = child.run(environment, read)?;
    check(value == 0xc0de_cafe, || {
        format!("after PROTECT none then read-write the page holds {value:#x}")
    })?;
    // Again, back to read-only this time (mapped on the next fault or at once).
    protect(environment, Protection::NONE)?;
    protect(environment, Protection::READ)?;
    let value = child.run(environment, read)?;
    check(value == 0xc0de_cafe, || {
        format!("after PROTECT none then read the page holds {value:#x}")
    })?;
    let fault = expect_forwarded(environment, &mut child, write)?;
    check(
        fault.access == FaultAccess::Write && fault.reason == FaultReason::Permission,
        || format!("write to the read-only page forwarded as {fault:?}"),
    )?;
    child.destroy(environment)
}
