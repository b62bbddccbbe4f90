//! CLONE_ADDRESS_SPACE: copy-on-write, then parent and child diverge.

use alloc::format;

use mm_server_api::Protection;
use mm_server_api::request::{MapAnonymous, MapFlags};

use mm_server_tests::child::{Child, DATA_BASE};
use mm_server_tests::environment::{Environment, describe};
use mm_server_tests::harness::{TestResult, check};
use mm_server_tests::work::{Operation, Order};

const MIB: u64 = 1 << 20;

/// Fills (or checks) 1 MiB of 4 KiB pages at `DATA_BASE` and a 2 MiB frame above.
fn both(operation: Operation, seed: u64) -> [Order; 2] {
    [
        Order {
            operation,
            start: DATA_BASE,
            count: 256,
            stride: 4096,
            seed,
        },
        Order {
            operation,
            start: DATA_BASE + 2 * MIB,
            count: 512,
            stride: 4096,
            seed: seed ^ 0xffff,
        },
    ]
}

fn fill(environment: &mut Environment, child: &mut Child, seed: u64) -> TestResult {
    for order in both(Operation::Fill, seed) {
        let written = child.run(environment, order)?;
        check(written == order.count, || {
            format!("{written} of {} written", order.count)
        })?;
    }
    Ok(())
}

fn verify(environment: &mut Environment, child: &mut Child, seed: u64, who: &str) -> TestResult {
    for order in both(Operation::Verify, seed) {
        let wrong = child.run(environment, order)?;
        check(wrong == 0, || {
            format!("{who}: {wrong} pages at {:#x} differ", order.start)
        })?;
    }
    Ok(())
}

/// After a clone both sides see the parent's data; writes on either side stay
/// on that side.
pub fn copy_on_write_clone_diverges(environment: &mut Environment) -> TestResult {
    let before = environment.stats()?;
    let mut parent = Child::create(environment)?;
    for (address, length, flags) in [
        (DATA_BASE, MIB, MapFlags::NO_LARGE_PAGES),
        (DATA_BASE + 2 * MIB, 2 * MIB, MapFlags::NONE),
    ] {
        environment
            .mm
            .map_anonymous(MapAnonymous {
                space: parent.space,
                address,
                length,
                protection: Protection::READ_WRITE,
                flags,
                stack_limit: 0,
            })
            .map_err(|error| format!("MAP_ANONYMOUS: {}", describe(error)))?;
    }
    let (first, second, third) = (0x1111_0000, 0x2222_0000, 0x3333_0000);
    fill(environment, &mut parent, first)?;
    let filled = environment.stats()?;
    let mut child = Child::clone_of(environment, &parent)?;
    let cloned = environment.stats()?;
    check(
        cloned.client_used_bytes <= filled.client_used_bytes + 64 * 1024,
        || {
            format!(
                "the clone copied memory: {} bytes charged, {} before",
                cloned.client_used_bytes, filled.client_used_bytes
            )
        },
    )?;
    verify(environment, &mut child, first, "the clone")?;
    fill(environment, &mut child, second)?;
    verify(
        environment,
        &mut parent,
        first,
        "the parent after the child wrote",
    )?;
    verify(environment, &mut child, second, "the child")?;
    fill(environment, &mut parent, third)?;
    verify(
        environment,
        &mut child,
        second,
        "the child after the parent wrote",
    )?;
    verify(environment, &mut parent, third, "the parent")?;
    let diverged = environment.stats()?;
    check(
        diverged.client_used_bytes >= filled.client_used_bytes + 3 * MIB,
        || {
            format!(
                "{} bytes charged after both sides wrote ({} before the clone)",
                diverged.client_used_bytes, filled.client_used_bytes
            )
        },
    )?;
    child.destroy(environment)?;
    verify(
        environment,
        &mut parent,
        third,
        "the parent after the child went",
    )?;
    parent.destroy(environment)?;
    let after = environment.stats()?;
    check(after.client_used_bytes == before.client_used_bytes, || {
        format!(
            "{} bytes charged at the end, {} at the start",
            after.client_used_bytes, before.client_used_bytes
        )
    })
}
