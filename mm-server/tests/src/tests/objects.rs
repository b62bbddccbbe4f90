//! ALLOCATE_OBJECT and FREE_OBJECT: every allocatable type, usable capabilities,
//! memory back after freeing, and freed memory reused.

use alloc::format;
use alloc::vec::Vec;

use a9n_abi::CapabilityType;
use mm_server_api::request::AllocateObject;
use nun::capability::{Frame, IpcPort};

use mm_server_tests::environment::{Environment, describe};
use mm_server_tests::harness::{TestResult, check};

fn allocate(
    environment: &mut Environment,
    object_type: CapabilityType,
    specific: u64,
    count: usize,
) -> Result<(mm_server_api::ObjectsReply, nun::slot_allocator::Slot), alloc::string::String> {
    let (destination, slot) = environment.destination(count as u64)?;
    let reply = environment
        .mm
        .allocate_objects(
            AllocateObject {
                object_type,
                specific,
                count,
            },
            destination,
        )
        .map_err(|error| format!("ALLOCATE_OBJECT {object_type:?}: {}", describe(error)))?;
    Ok((reply, slot))
}

/// Objects of every kind come, work, go, and their memory comes back and is reused.
pub fn objects_are_made_freed_and_reused(environment: &mut Environment) -> TestResult {
    let before = environment.stats()?;
    let kinds = [
        (CapabilityType::ProcessControlBlock, 0, 2),
        (CapabilityType::IpcPort, 0, 15),
        (CapabilityType::NotificationPort, 0, 3),
        (CapabilityType::Node, 4, 2),
        (CapabilityType::Frame, 12, 4),
        (CapabilityType::Frame, 21, 1),
        (CapabilityType::PageTable, 1, 2),
        (CapabilityType::AddressSpace, 0, 1),
    ];
    let mut made = Vec::new();
    for (object_type, specific, count) in kinds {
        let (reply, slot) = allocate(environment, object_type, specific, count)?;
        made.push((reply, slot, count));
    }
    let during = environment.stats()?;
    check(during.client_objects == before.client_objects + 30, || {
        format!("{} objects held", during.client_objects)
    })?;
    check(during.free_bytes < before.free_bytes, || {
        "free memory did not go down".into()
    })?;
    // The capabilities work: frames have addresses, ports can be identified.
    let frame = made[4].1;
    let address = Frame::new(frame.descriptor)
        .get_address()
        .map_err(|error| format!("GET_ADDRESS: {}", error.name()))?;
    check(address % 4096 == 0, || format!("frame at {address:#x}"))?;
    let large = Frame::new(made[5].1.descriptor)
        .get_address()
        .map_err(|error| format!("GET_ADDRESS: {}", error.name()))?;
    check(large % (2 << 20) == 0, || {
        format!("2 MiB frame at {large:#x}")
    })?;
    IpcPort::new(made[1].1.descriptor)
        .identify(42)
        .map_err(|error| format!("IDENTIFY: {}", error.name()))?;
    for (reply, slot, count) in made {
        for index in 0..count {
            let handle = reply.handle(index).ok_or("no handle")?;
            environment
                .mm
                .free_object(handle)
                .map_err(|error| format!("FREE_OBJECT: {}", describe(error)))?;
        }
        environment.free_slots(slot, count as u64);
    }
    // Freeing twice is refused.
    let first = allocate(environment, CapabilityType::Frame, 12, 1)?;
    let reused_address = Frame::new(first.1.descriptor).get_address().unwrap_or(0);
    environment
        .mm
        .free_object(first.0.first)
        .map_err(|error| format!("FREE_OBJECT: {}", describe(error)))?;
    check(environment.mm.free_object(first.0.first).is_err(), || {
        "a second FREE_OBJECT succeeded".into()
    })?;
    environment.free_slots(first.1, 1);
    let second = allocate(environment, CapabilityType::Frame, 12, 1)?;
    let again = Frame::new(second.1.descriptor).get_address().unwrap_or(1);
    environment
        .mm
        .free_object(second.0.first)
        .map_err(|error| format!("FREE_OBJECT: {}", describe(error)))?;
    environment.free_slots(second.1, 1);
    check(again == reused_address, || {
        format!("a freed frame at {reused_address:#x} was not reused (got {again:#x})")
    })?;
    let after = environment.stats()?;
    check(after.free_bytes == before.free_bytes, || {
        format!(
            "free memory {} before, {} after",
            before.free_bytes, after.free_bytes
        )
    })?;
    check(after.client_used_bytes == before.client_used_bytes, || {
        format!(
            "client charged {} before, {} after",
            before.client_used_bytes, after.client_used_bytes
        )
    })
}
