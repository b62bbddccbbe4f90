//! COPY_RANGE: a range shared copy-on-write into a new region of another space
//! (and of the same space); both sides diverge on writes; the refusals.

use alloc::format;
use alloc::string::String;

use mm_server_api::client::ClientError;
use mm_server_api::request::{CopyRange, MapAnonymous, MapFlags, MapSharedBuffer, SharedMapping};
use mm_server_api::{MmError, Protection, SpaceId};

use mm_server_tests::child::{Child, DATA_BASE};
use mm_server_tests::environment::{Environment, describe};
use mm_server_tests::harness::{TestResult, check};
use mm_server_tests::work::{Operation, Order};

const MIB: u64 = 1 << 20;
/// The source's 4 KiB-page region: 1 MiB.
const SMALL_REGION: u64 = DATA_BASE;
/// The source's 2 MiB-frame region: 2 MiB, aligned.
const LARGE_REGION: u64 = DATA_BASE + 2 * MIB;

/// `count` pages from `start`, `Fill` or `Verify` with `seed`.
const fn pages(operation: Operation, start: u64, count: u64, seed: u64) -> Order {
    Order {
        operation,
        start,
        count,
        stride: 4096,
        seed,
    }
}

/// The orders covering both source regions as laid out at `base` (the small
/// region at `base`, the large one 2 MiB above).
const fn both(operation: Operation, base: u64, seed: u64) -> [Order; 2] {
    [
        pages(operation, base, 256, seed),
        pages(operation, base + 2 * MIB, 512, seed ^ 0xffff),
    ]
}

fn fill(environment: &mut Environment, child: &mut Child, orders: &[Order]) -> TestResult {
    for &order in orders {
        let order = Order {
            operation: Operation::Fill,
            ..order
        };
        let written = child.run(environment, order)?;
        check(written == order.count, || {
            format!("{written} of {} written at {:#x}", order.count, order.start)
        })?;
    }
    Ok(())
}

fn verify(
    environment: &mut Environment,
    child: &mut Child,
    orders: &[Order],
    who: &str,
) -> TestResult {
    for &order in orders {
        let order = Order {
            operation: Operation::Verify,
            ..order
        };
        let wrong = child.run(environment, order)?;
        check(wrong == 0, || {
            format!("{who}: {wrong} pages at {:#x} differ", order.start)
        })?;
    }
    Ok(())
}

/// A COPY_RANGE of `length` bytes, read-write, no flags.
fn copy(
    environment: &Environment,
    target_space: SpaceId,
    target_address: u64,
    length: u64,
    source_space: SpaceId,
    source_address: u64,
) -> Result<u64, ClientError> {
    environment.mm.copy_range(CopyRange {
        target_space,
        target_address,
        length,
        protection: Protection::READ_WRITE,
        flags: MapFlags::NONE,
        stack_limit: 0,
        source_space,
        source_address,
    })
}

fn copied_at(result: Result<u64, ClientError>, expected: u64) -> TestResult {
    let address = result.map_err(|error| format!("COPY_RANGE: {}", describe(error)))?;
    check(address == expected, || {
        format!("COPY_RANGE placed the copy at {address:#x}, not {expected:#x}")
    })
}

fn refused_with(result: Result<u64, ClientError>, expected: MmError, case: &str) -> TestResult {
    check(result == Err(ClientError::Refused(expected)), || {
        format!("{case}: {result:?}, not {}", expected.name())
    })
}

/// The source's regions: 1 MiB of 4 KiB pages and an aligned 2 MiB frame.
fn map_source(environment: &Environment, source: &Child) -> TestResult {
    for (address, length, flags) in [
        (SMALL_REGION, MIB, MapFlags::NO_LARGE_PAGES),
        (LARGE_REGION, 2 * MIB, MapFlags::NONE),
    ] {
        environment
            .mm
            .map_anonymous(MapAnonymous {
                space: source.space,
                address,
                length,
                protection: Protection::READ_WRITE,
                flags,
                stack_limit: 0,
            })
            .map_err(|error| format!("MAP_ANONYMOUS: {}", describe(error)))?;
    }
    Ok(())
}

/// A pattern written in one space is seen in the copy in another space (and in
/// the same space, and through a copy of half a 2 MiB frame); writes on either
/// side stay there; the copy costs no frames until written.
pub fn copy_range_shares_then_diverges(environment: &mut Environment) -> TestResult {
    let before = environment.stats()?;
    let mut source = Child::create(environment)?;
    let mut target = Child::create(environment)?;
    map_source(environment, &source)?;
    let (first, second, third, fourth) = (0x1111_0000, 0x2222_0000, 0x3333_0000, 0x4444_0000);
    fill(
        environment,
        &mut source,
        &both(Operation::Fill, DATA_BASE, first),
    )?;
    let filled = environment.stats()?;
    // Both regions into the other space, at the same addresses (the 2 MiB frame
    // is shared whole).
    copied_at(
        copy(
            environment,
            target.space,
            SMALL_REGION,
            MIB,
            source.space,
            SMALL_REGION,
        ),
        SMALL_REGION,
    )?;
    copied_at(
        copy(
            environment,
            target.space,
            LARGE_REGION,
            2 * MIB,
            source.space,
            LARGE_REGION,
        ),
        LARGE_REGION,
    )?;
    let copied = environment.stats()?;
    check(
        copied.client_used_bytes <= filled.client_used_bytes + 64 * 1024,
        || {
            format!(
                "the copy took memory: {} bytes charged, {} before",
                copied.client_used_bytes, filled.client_used_bytes
            )
        },
    )?;
    verify(
        environment,
        &mut target,
        &both(Operation::Verify, DATA_BASE, first),
        "the copy",
    )?;
    fill(
        environment,
        &mut target,
        &both(Operation::Fill, DATA_BASE, second),
    )?;
    verify(
        environment,
        &mut source,
        &both(Operation::Verify, DATA_BASE, first),
        "the source after the copy was written",
    )?;
    verify(
        environment,
        &mut target,
        &both(Operation::Verify, DATA_BASE, second),
        "the copy",
    )?;
    fill(
        environment,
        &mut source,
        &both(Operation::Fill, DATA_BASE, third),
    )?;
    verify(
        environment,
        &mut target,
        &both(Operation::Verify, DATA_BASE, second),
        "the copy after the source was written",
    )?;
    verify(
        environment,
        &mut source,
        &both(Operation::Verify, DATA_BASE, third),
        "the source",
    )?;
    // Within the same space, 8 MiB up.
    let same = DATA_BASE + 8 * MIB;
    copied_at(
        copy(
            environment,
            source.space,
            same,
            MIB,
            source.space,
            SMALL_REGION,
        ),
        same,
    )?;
    verify(
        environment,
        &mut source,
        &[pages(Operation::Verify, same, 256, third)],
        "the copy in the same space",
    )?;
    fill(
        environment,
        &mut source,
        &[pages(Operation::Fill, same, 256, fourth)],
    )?;
    verify(
        environment,
        &mut source,
        &[pages(Operation::Verify, SMALL_REGION, 256, third)],
        "the source after its copy in the same space was written",
    )?;
    // The upper half of the 2 MiB frame: demoted in the source first. Page
    // 256 + k held `seed ^ (256 + k)`, which is `(seed ^ 256) ^ k`.
    let half = DATA_BASE + 16 * MIB;
    copied_at(
        copy(
            environment,
            target.space,
            half,
            MIB,
            source.space,
            LARGE_REGION + MIB,
        ),
        half,
    )?;
    verify(
        environment,
        &mut target,
        &[pages(Operation::Verify, half, 256, third ^ 0xffff ^ 256)],
        "the copy of half a 2 MiB frame",
    )?;
    verify(
        environment,
        &mut source,
        &both(Operation::Verify, DATA_BASE, third),
        "the source after its 2 MiB frame was demoted",
    )?;
    // The source goes: the copies keep their pages.
    source.destroy(environment)?;
    verify(
        environment,
        &mut target,
        &both(Operation::Verify, DATA_BASE, second),
        "the copy after the source went",
    )?;
    verify(
        environment,
        &mut target,
        &[pages(Operation::Verify, half, 256, third ^ 0xffff ^ 256)],
        "the half copy after the source went",
    )?;
    target.destroy(environment)?;
    let after = environment.stats()?;
    check(after.client_used_bytes == before.client_used_bytes, || {
        format!(
            "{} bytes charged at the end, {} at the start",
            after.client_used_bytes, before.client_used_bytes
        )
    })
}

/// Every refusal, with its status; address 0 lets mm-server choose.
pub fn copy_range_refusals(environment: &mut Environment) -> TestResult {
    let before = environment.stats()?;
    let source = Child::create(environment)?;
    let target = Child::create(environment)?;
    map_source(environment, &source)?;
    let result = refusals(environment, &source, &target);
    source.destroy(environment)?;
    target.destroy(environment)?;
    result?;
    let after = environment.stats()?;
    check(after.client_used_bytes == before.client_used_bytes, || {
        format!(
            "{} bytes charged at the end, {} at the start",
            after.client_used_bytes, before.client_used_bytes
        )
    })
}

fn refusals(environment: &mut Environment, source: &Child, target: &Child) -> TestResult {
    let (source_space, target_space) = (source.space, target.space);
    refused_with(
        copy(
            environment,
            target_space,
            DATA_BASE + 0x800,
            MIB,
            source_space,
            SMALL_REGION,
        ),
        MmError::InvalidArgument,
        "an unaligned target",
    )?;
    refused_with(
        copy(
            environment,
            target_space,
            DATA_BASE,
            MIB,
            source_space,
            SMALL_REGION + 8,
        ),
        MmError::InvalidArgument,
        "an unaligned source",
    )?;
    refused_with(
        copy(
            environment,
            target_space,
            DATA_BASE,
            0,
            source_space,
            SMALL_REGION,
        ),
        MmError::InvalidArgument,
        "a zero length",
    )?;
    refused_with(
        copy(
            environment,
            target_space,
            DATA_BASE,
            MIB,
            source_space,
            DATA_BASE + 32 * MIB,
        ),
        MmError::NotMapped,
        "a source range without a region",
    )?;
    refused_with(
        copy(
            environment,
            target_space,
            DATA_BASE,
            3 * MIB,
            source_space,
            SMALL_REGION,
        ),
        MmError::NotMapped,
        "a source range with a hole",
    )?;
    copied_at(
        copy(
            environment,
            target_space,
            DATA_BASE,
            MIB,
            source_space,
            SMALL_REGION,
        ),
        DATA_BASE,
    )?;
    refused_with(
        copy(
            environment,
            target_space,
            DATA_BASE + MIB / 2,
            MIB,
            source_space,
            SMALL_REGION,
        ),
        MmError::Overlap,
        "a taken target range",
    )?;
    refused_with(
        copy(
            environment,
            source_space,
            LARGE_REGION,
            MIB,
            source_space,
            SMALL_REGION,
        ),
        MmError::Overlap,
        "a target range on the source in the same space",
    )?;
    // Address 0: mm-server chooses.
    let chosen = copy(
        environment,
        target_space,
        0,
        MIB,
        source_space,
        SMALL_REGION,
    )
    .map_err(|error| format!("COPY_RANGE to address 0: {}", describe(error)))?;
    check(chosen != 0 && chosen % 4096 == 0, || {
        format!("COPY_RANGE chose {chosen:#x}")
    })?;
    // A shared buffer is not anonymous memory.
    let buffer_address = DATA_BASE + 24 * MIB;
    environment
        .mm
        .map_shared_buffer(MapSharedBuffer {
            length: 64 * 1024,
            first: SharedMapping {
                space: source_space,
                address: buffer_address,
                protection: Protection::READ_WRITE,
            },
            second: SharedMapping {
                space: target_space,
                address: buffer_address,
                protection: Protection::READ_WRITE,
            },
        })
        .map_err(|error| format!("MAP_SHARED_BUFFER: {}", describe(error)))?;
    refused_with(
        copy(
            environment,
            target_space,
            DATA_BASE + 40 * MIB,
            64 * 1024,
            source_space,
            buffer_address,
        ),
        MmError::Unsupported,
        "a shared-buffer source",
    )?;
    other_clients_space(environment, source_space, target_space)
}

/// A space of another client is no source (PERMISSION), and the other client may
/// not copy into this client's space (NO_SUCH_ADDRESS_SPACE).
fn other_clients_space(
    environment: &mut Environment,
    source_space: SpaceId,
    target_space: SpaceId,
) -> TestResult {
    let other = environment.other;
    let (destination, slots) = environment.destination(2)?;
    let foreign = other.create_address_space(destination).map_err(|error| {
        format!(
            "CREATE_ADDRESS_SPACE of the other client: {}",
            describe(error)
        )
    })?;
    let result = (|| -> Result<(), String> {
        other
            .map_anonymous(MapAnonymous {
                space: foreign,
                address: DATA_BASE,
                length: MIB,
                protection: Protection::READ_WRITE,
                flags: MapFlags::NONE,
                stack_limit: 0,
            })
            .map_err(|error| format!("MAP_ANONYMOUS of the other client: {}", describe(error)))?;
        refused_with(
            copy(
                environment,
                target_space,
                DATA_BASE + 48 * MIB,
                MIB,
                foreign,
                DATA_BASE,
            ),
            MmError::Permission,
            "another client's source",
        )?;
        let into = other.copy_range(CopyRange {
            target_space,
            target_address: DATA_BASE + 48 * MIB,
            length: MIB,
            protection: Protection::READ_WRITE,
            flags: MapFlags::NONE,
            stack_limit: 0,
            source_space,
            source_address: SMALL_REGION,
        });
        refused_with(
            into,
            MmError::NoSuchAddressSpace,
            "another client's copy into this client's space",
        )
    })();
    other.destroy_address_space(foreign).map_err(|error| {
        format!(
            "DESTROY_ADDRESS_SPACE of the other client: {}",
            describe(error)
        )
    })?;
    environment.free_slots(slots, 2);
    result
}
