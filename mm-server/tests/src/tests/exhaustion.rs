//! Running out: a client that allocates until refused gets an error while other
//! clients are still served; per-client limits.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use a9n_abi::CapabilityType;
use mm_server_api::client::{Client, ClientError};
use mm_server_api::request::{AllocateObject, MapAnonymous, MapFlags};
use mm_server_api::{ClientId, FaultReason, MmError, ObjectsReply, Protection};
use mm_server_tests::child::{Child, DATA_BASE};
use mm_server_tests::work::{Operation, Order};
use nun::slot_allocator::Slot;

use crate::tests::faults::expect_forwarded;

use mm_server_tests::environment::{Environment, describe};
use mm_server_tests::harness::{TestResult, check};

type Batch = (ObjectsReply, Slot, usize);

/// Allocates objects of one kind, 15 at a time and then one at a time, until
/// refused; the error.
fn allocate_until_refused(
    environment: &mut Environment,
    object_type: CapabilityType,
    specific: u64,
    batches: &mut Vec<Batch>,
) -> Result<ClientError, String> {
    let mut count = 15;
    for _ in 0..4000 {
        let (destination, slot) = environment.destination(count as u64)?;
        match environment.mm.allocate_objects(
            AllocateObject {
                object_type,
                specific,
                count,
            },
            destination,
        ) {
            Ok(reply) => batches.push((reply, slot, count)),
            Err(error) => {
                environment.free_slots(slot, count as u64);
                if count == 1 {
                    return Ok(error);
                }
                count = 1;
            }
        }
    }
    Err("never refused".into())
}

fn free_all(environment: &mut Environment, client: Client, batches: Vec<Batch>) -> TestResult {
    for (reply, slot, count) in batches {
        for index in 0..count {
            let handle = reply.handle(index).ok_or("no handle")?;
            client
                .free_object(handle)
                .map_err(|error| format!("FREE_OBJECT: {}", describe(error)))?;
        }
        environment.free_slots(slot, count as u64);
    }
    Ok(())
}

/// Client 2 takes all the memory it can (2 MiB frames, then ever smaller nodes
/// down to 64 KiB, then 4 KiB frames, each until refused) and is refused with
/// NO_MEMORY; client 3 is still served (STATS, an address space, an object: small
/// kernel objects come from mm-server's reserve); then everything comes back.
pub fn exhausted_client_is_refused_others_served(environment: &mut Environment) -> TestResult {
    let before = environment.stats()?;
    let mut batches = Vec::new();
    let large = allocate_until_refused(environment, CapabilityType::Frame, 21, &mut batches)?;
    let mut small = Err(String::new());
    for (object_type, specific) in [
        (CapabilityType::Node, 14),
        (CapabilityType::Node, 12),
        (CapabilityType::Node, 10),
        (CapabilityType::Frame, 12),
    ] {
        small = allocate_until_refused(environment, object_type, specific, &mut batches);
        if small.is_err() {
            break;
        }
    }
    let exhausted = environment.stats();
    let other = environment.other;
    let served = (|| -> TestResult {
        check(large == ClientError::Refused(MmError::NoMemory), || {
            format!("2 MiB frames refused with {large:?}")
        })?;
        let small = small?;
        check(small == ClientError::Refused(MmError::NoMemory), || {
            format!("smaller objects refused with {small:?}")
        })?;
        let exhausted = exhausted?;
        check(exhausted.free_bytes < 16 << 20, || {
            format!("{} bytes still free when refused", exhausted.free_bytes)
        })?;
        other
            .stats(ClientId::CALLER)
            .map_err(|error| format!("client 3's STATS: {}", describe(error)))?;
        let (destination, slot) = environment.destination(2)?;
        let space = other
            .create_address_space(destination)
            .map_err(|error| format!("client 3's CREATE_ADDRESS_SPACE: {}", describe(error)))?;
        other
            .destroy_address_space(space)
            .map_err(|error| format!("client 3's DESTROY_ADDRESS_SPACE: {}", describe(error)))?;
        environment.free_slots(slot, 2);
        let (destination, slot) = environment.destination(1)?;
        let port = other
            .allocate_objects(
                AllocateObject {
                    object_type: CapabilityType::NotificationPort,
                    specific: 0,
                    count: 1,
                },
                destination,
            )
            .map_err(|error| format!("client 3's ALLOCATE_OBJECT: {}", describe(error)))?;
        other
            .free_object(port.first)
            .map_err(|error| format!("client 3's FREE_OBJECT: {}", describe(error)))?;
        environment.free_slots(slot, 1);
        Ok(())
    })();
    let client = environment.mm;
    free_all(environment, client, batches)?;
    served?;
    let after = environment.stats()?;
    check(after.client_used_bytes == before.client_used_bytes, || {
        format!(
            "{} bytes charged after freeing, {} before",
            after.client_used_bytes, before.client_used_bytes
        )
    })?;
    check(after.free_bytes == before.free_bytes, || {
        format!(
            "free memory {} before, {} after",
            before.free_bytes, after.free_bytes
        )
    })
}

/// One round of [`faults_exhaust_memory_server_survives`]: a child of client 2
/// touches a 1 GiB region (4 KiB pages) until a fault is forwarded as
/// OUT_OF_MEMORY; mm-server still answers STATS (both clients) and a further
/// MAP_ANONYMOUS; the child is destroyed. Free memory after the round.
fn exhaust_by_faults(environment: &mut Environment) -> Result<u64, String> {
    const LENGTH: u64 = 1 << 30;
    let client = environment.mm;
    let mut child = Child::create_for(environment, client)?;
    client
        .map_anonymous(MapAnonymous {
            space: child.space,
            address: DATA_BASE,
            length: LENGTH,
            protection: Protection::READ_WRITE,
            flags: MapFlags::NO_LARGE_PAGES,
            stack_limit: 0,
        })
        .map_err(|error| format!("MAP_ANONYMOUS: {}", describe(error)))?;
    let fill = Order {
        operation: Operation::Fill,
        start: DATA_BASE,
        count: LENGTH / 4096,
        stride: 4096,
        seed: 5,
    };
    let fault = expect_forwarded(environment, &mut child, fill);
    let exhausted = environment.stats();
    let other = environment
        .other
        .stats(ClientId::CALLER)
        .map_err(|error| format!("client 3's STATS when exhausted: {}", describe(error)));
    let more = client.map_anonymous(MapAnonymous {
        space: child.space,
        address: DATA_BASE + LENGTH,
        length: 1 << 20,
        protection: Protection::READ_WRITE,
        flags: MapFlags::NONE,
        stack_limit: 0,
    });
    child.destroy(environment)?;
    let fault = fault?;
    let exhausted = exhausted?;
    other?;
    more.map_err(|error| format!("MAP_ANONYMOUS when exhausted: {}", describe(error)))?;
    let touched = (fault.address - DATA_BASE) >> 20;
    nun::debug_println!(
        "mm-tests: exhausted after {touched} MiB touched, {} KiB free",
        exhausted.free_bytes >> 10
    );
    check(
        fault.reason == FaultReason::OutOfMemory
            && (DATA_BASE..DATA_BASE + LENGTH).contains(&fault.address),
        || format!("the exhausting fault forwarded as {fault:?}"),
    )?;
    check(exhausted.free_bytes < 96 << 20, || {
        format!("{} bytes still free when exhausted", exhausted.free_bytes)
    })?;
    Ok(environment.stats()?.free_bytes)
}

/// Client 2's faults take all the memory clients may have: mm-server forwards
/// the fault that finds none as OUT_OF_MEMORY and keeps serving (its bookkeeping
/// for 100 000 mappings comes from its reserve); destroying the space gives the
/// memory back, except what mm-server's heap grew by in the first round, and a
/// second round ends with about the same free memory as the first.
pub fn faults_exhaust_memory_server_survives(environment: &mut Environment) -> TestResult {
    let before = environment.stats()?;
    let first = exhaust_by_faults(environment)?;
    let second = exhaust_by_faults(environment)?;
    let after = environment.stats()?;
    nun::debug_println!(
        "mm-tests: free {} KiB before, {} KiB after one exhaustion, {} KiB after two",
        before.free_bytes >> 10,
        first >> 10,
        second >> 10
    );
    check(after.client_used_bytes == before.client_used_bytes, || {
        format!(
            "{} bytes charged after, {} before",
            after.client_used_bytes, before.client_used_bytes
        )
    })?;
    check(first + (32 << 20) >= before.free_bytes, || {
        format!(
            "free memory {} before, {first} after exhausting it",
            before.free_bytes
        )
    })?;
    // The heap keeps what it grew by; a second round reuses it (and may grow it
    // by a little: fragmentation, and a headroom of a quarter of a bigger heap).
    check(second + (4 << 20) >= first, || {
        format!("free memory {first} after one exhaustion, {second} after two")
    })
}

/// A client may lower its own limit, not raise it; allocations past the limit are
/// refused with LIMIT_EXCEEDED; nobody but init sets another client's limit.
pub fn limits_are_enforced(environment: &mut Environment) -> TestResult {
    let other = environment.other;
    let limit = 1 << 20;
    other
        .set_limit(ClientId::CALLER, limit)
        .map_err(|error| format!("lowering its own limit: {}", describe(error)))?;
    let stats = other
        .stats(ClientId::CALLER)
        .map_err(|error| format!("STATS: {}", describe(error)))?;
    check(stats.client_limit_bytes == limit, || {
        format!("limit reads {}", stats.client_limit_bytes)
    })?;
    let (destination, slot) = environment.destination(15)?;
    let refused = other.allocate_objects(
        AllocateObject {
            object_type: CapabilityType::Frame,
            specific: 21,
            count: 1,
        },
        destination,
    );
    check(
        refused == Err(ClientError::Refused(MmError::LimitExceeded)),
        || format!("a 2 MiB frame past a 1 MiB limit: {refused:?}"),
    )?;
    let within = other
        .allocate_objects(
            AllocateObject {
                object_type: CapabilityType::Frame,
                specific: 12,
                count: 15,
            },
            destination,
        )
        .map_err(|error| format!("15 pages within the limit: {}", describe(error)))?;
    free_all(environment, other, alloc::vec![(within, slot, 15)])?;
    let raised = other.set_limit(ClientId::CALLER, 2 * limit);
    check(
        raised == Err(ClientError::Refused(MmError::Permission)),
        || format!("raising its own limit: {raised:?}"),
    )?;
    let foreign = environment.mm.set_limit(ClientId(3), u64::MAX);
    check(
        foreign == Err(ClientError::Refused(MmError::Permission)),
        || format!("client 2 setting client 3's limit: {foreign:?}"),
    )
}

/// A page fault that would take a client past its limit is not resolved: it goes
/// to the space's handler as OUT_OF_MEMORY (client 3, whose limit the test before
/// lowered to 1 MiB).
pub fn faults_past_the_limit_are_forwarded(environment: &mut Environment) -> TestResult {
    let other = environment.other;
    let before = other
        .stats(ClientId::CALLER)
        .map_err(|error| format!("STATS: {}", describe(error)))?;
    let mut child = Child::create_for(environment, other)?;
    let length = 2 << 20;
    other
        .map_anonymous(MapAnonymous {
            space: child.space,
            address: DATA_BASE,
            length,
            protection: Protection::READ_WRITE,
            flags: MapFlags::NO_LARGE_PAGES,
            stack_limit: 0,
        })
        .map_err(|error| format!("MAP_ANONYMOUS: {}", describe(error)))?;
    let fill = Order {
        operation: Operation::Fill,
        start: DATA_BASE,
        count: length / 4096,
        stride: 4096,
        seed: 1,
    };
    let fault = expect_forwarded(environment, &mut child, fill)?;
    let stats = other
        .stats(ClientId::CALLER)
        .map_err(|error| format!("STATS: {}", describe(error)))?;
    check(
        fault.reason == FaultReason::OutOfMemory
            && (DATA_BASE..DATA_BASE + length).contains(&fault.address),
        || format!("a fault past the limit forwarded as {fault:?}"),
    )?;
    check(stats.client_used_bytes <= stats.client_limit_bytes, || {
        format!(
            "{} bytes charged past the limit {}",
            stats.client_used_bytes, stats.client_limit_bytes
        )
    })?;
    child.destroy(environment)?;
    let after = other
        .stats(ClientId::CALLER)
        .map_err(|error| format!("STATS: {}", describe(error)))?;
    check(after.client_used_bytes == before.client_used_bytes, || {
        format!(
            "{} bytes charged after, {} before",
            after.client_used_bytes, before.client_used_bytes
        )
    })
}

/// Page tables mm-server makes for a client's space are charged to the client:
/// touching pages 1 GiB apart (each needs a page directory and a page table of its
/// own, 8 KiB beside its 4 KiB frame) is forwarded as OUT_OF_MEMORY once the
/// tables pass the limit, although the frames alone would fit (client 3, limit
/// 1 MiB: 128 pages are 512 KiB); destroying the space gives every byte back.
pub fn page_tables_are_charged(environment: &mut Environment) -> TestResult {
    const GIB: u64 = 1 << 30;
    const TOUCHES: u64 = 128;
    let other = environment.other;
    let before = other
        .stats(ClientId::CALLER)
        .map_err(|error| format!("STATS: {}", describe(error)))?;
    let mut child = Child::create_for(environment, other)?;
    let length = TOUCHES * GIB;
    other
        .map_anonymous(MapAnonymous {
            space: child.space,
            address: DATA_BASE,
            length,
            protection: Protection::READ_WRITE,
            flags: MapFlags::NO_LARGE_PAGES,
            stack_limit: 0,
        })
        .map_err(|error| format!("MAP_ANONYMOUS: {}", describe(error)))?;
    let spread = Order {
        operation: Operation::Fill,
        start: DATA_BASE,
        count: TOUCHES,
        stride: GIB,
        seed: 3,
    };
    let fault = expect_forwarded(environment, &mut child, spread)?;
    let stats = other
        .stats(ClientId::CALLER)
        .map_err(|error| format!("STATS: {}", describe(error)))?;
    check(
        fault.reason == FaultReason::OutOfMemory
            && (DATA_BASE..DATA_BASE + length).contains(&fault.address),
        || format!("a fault past the limit forwarded as {fault:?}"),
    )?;
    check(stats.client_used_bytes <= stats.client_limit_bytes, || {
        format!(
            "{} bytes charged past the limit {}",
            stats.client_used_bytes, stats.client_limit_bytes
        )
    })?;
    // Every page touched before the refusal paid for its frame and two tables.
    let touched = (fault.address - DATA_BASE) / GIB;
    let at_least = before.client_used_bytes + touched * 3 * 4096;
    check(touched > 0 && stats.client_used_bytes >= at_least, || {
        format!(
            "{} bytes charged after {touched} pages 1 GiB apart (at least {at_least} expected)",
            stats.client_used_bytes
        )
    })?;
    child.destroy(environment)?;
    let after = other
        .stats(ClientId::CALLER)
        .map_err(|error| format!("STATS: {}", describe(error)))?;
    check(after.client_used_bytes == before.client_used_bytes, || {
        format!(
            "{} bytes charged after, {} before",
            after.client_used_bytes, before.client_used_bytes
        )
    })
}
