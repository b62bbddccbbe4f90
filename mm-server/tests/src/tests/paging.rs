//! Demand paging: 64 MiB touched page by page, 2 MiB frames for aligned regions,
//! stack growth within the limit.

use alloc::format;

use mm_server_api::request::{MapAnonymous, MapFlags};
use mm_server_api::{FaultReason, Protection};

use crate::tests::faults::expect_forwarded;
use mm_server_tests::child::{Child, DATA_BASE, STACK_LIMIT, STACK_TOP};
use mm_server_tests::environment::{Environment, describe};
use mm_server_tests::harness::{TestResult, check};
use mm_server_tests::work::{Operation, Order};

const MIB: u64 = 1 << 20;

fn map(
    environment: &Environment,
    child: &Child,
    address: u64,
    length: u64,
    flags: MapFlags,
) -> TestResult {
    environment
        .mm
        .map_anonymous(MapAnonymous {
            space: child.space,
            address,
            length,
            protection: Protection::READ_WRITE,
            flags,
            stack_limit: 0,
        })
        .map(|_| ())
        .map_err(|error| format!("MAP_ANONYMOUS: {}", describe(error)))
}

/// 64 MiB of 4 KiB pages, each made on its first touch, all kept and then freed.
pub fn demand_paging_of_64_mib_page_by_page(environment: &mut Environment) -> TestResult {
    let before = environment.stats()?;
    let mut child = Child::create(environment)?;
    map(
        environment,
        &child,
        DATA_BASE,
        64 * MIB,
        MapFlags::NO_LARGE_PAGES,
    )?;
    let pages = 64 * MIB / 4096;
    let order = Order {
        operation: Operation::Fill,
        start: DATA_BASE,
        count: pages,
        stride: 4096,
        seed: 0x6464_0000,
    };
    let written = child.run(environment, order)?;
    check(written == pages, || {
        format!("{written} of {pages} pages written")
    })?;
    let during = environment.stats()?;
    check(
        during.client_used_bytes >= before.client_used_bytes + 64 * MIB,
        || format!("only {} bytes charged", during.client_used_bytes),
    )?;
    let wrong = child.run(
        environment,
        Order {
            operation: Operation::Verify,
            ..order
        },
    )?;
    check(wrong == 0, || format!("{wrong} pages read back wrong"))?;
    child.destroy(environment)?;
    let after = environment.stats()?;
    check(after.client_used_bytes == before.client_used_bytes, || {
        format!(
            "{} bytes charged after destroying (was {})",
            after.client_used_bytes, before.client_used_bytes
        )
    })?;
    // mm-server's heap may have grown to track 16384 pages; the rest comes back.
    check(after.free_bytes + 16 * MIB >= before.free_bytes, || {
        format!(
            "free {} before, {} after",
            before.free_bytes, after.free_bytes
        )
    })
}

/// An aligned region is backed by 2 MiB frames (charged with the page directory
/// above them).
pub fn large_frames_back_aligned_regions(environment: &mut Environment) -> TestResult {
    let mut child = Child::create(environment)?;
    map(environment, &child, DATA_BASE, 4 * MIB, MapFlags::NONE)?;
    // Fault the worker's stack in first.
    child.run(
        environment,
        Order {
            count: 2,
            ..Order::new(Operation::Recurse)
        },
    )?;
    let before = environment.stats()?;
    let order = Order {
        operation: Operation::Fill,
        start: DATA_BASE + 0x1000,
        count: 2,
        stride: 2 * MIB,
        seed: 0x2222,
    };
    check(child.run(environment, order)? == 2, || {
        "the writes failed".into()
    })?;
    let after = environment.stats()?;
    let charged = after.client_used_bytes - before.client_used_bytes;
    // Two 2 MiB frames and the page directory mm-server made above them (the
    // page-directory-pointer table there is the image's, made by the client).
    check(charged == 4 * MIB + 4096, || {
        format!("two touches charged {charged} bytes, not two 2 MiB frames and a page directory")
    })?;
    let wrong = child.run(
        environment,
        Order {
            operation: Operation::Verify,
            ..order
        },
    )?;
    check(wrong == 0, || format!("{wrong} words read back wrong"))?;
    child.destroy(environment)
}

/// The stack grows page by page on faults in its guard gap, up to its limit; a
/// touch past the limit is forwarded.
pub fn stack_grows_within_its_limit(environment: &mut Environment) -> TestResult {
    let mut child = Child::create(environment)?;
    let before = environment.stats()?;
    let depth = 200;
    let reached = child.run(
        environment,
        Order {
            count: depth,
            ..Order::new(Operation::Recurse)
        },
    )?;
    check(reached == depth, || format!("recursion reached {reached}"))?;
    let after = environment.stats()?;
    let grown = after.client_used_bytes - before.client_used_bytes;
    check(grown >= depth * 4096, || {
        format!("the stack grew by {grown} bytes only")
    })?;
    let mut beyond = Order::new(Operation::Write);
    beyond.start = STACK_TOP - STACK_LIMIT - 0x1_0000;
    let fault = expect_forwarded(environment, &mut child, beyond)?;
    check(
        fault.address == beyond.start && fault.reason == FaultReason::OutsideRegion,
        || format!("a touch past the stack limit forwarded as {fault:?}"),
    )?;
    child.destroy(environment)
}
