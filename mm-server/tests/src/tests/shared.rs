//! MAP_SHARED_BUFFER: one buffer, two address spaces, the same memory.

use alloc::format;

use mm_server_api::Protection;
use mm_server_api::request::{MapSharedBuffer, SharedMapping};

use mm_server_tests::child::{Child, DATA_BASE};
use mm_server_tests::environment::{Environment, describe};
use mm_server_tests::harness::{TestResult, check};
use mm_server_tests::work::{Operation, Order};

/// What one side writes, the other reads, both ways; the pages go with the
/// last region.
pub fn shared_buffer_in_two_spaces(environment: &mut Environment) -> TestResult {
    let before = environment.stats()?;
    let mut first = Child::create(environment)?;
    let mut second = Child::create(environment)?;
    let length = 256 * 1024;
    let reply = environment
        .mm
        .map_shared_buffer(MapSharedBuffer {
            length,
            first: SharedMapping {
                space: first.space,
                address: DATA_BASE,
                protection: Protection::READ_WRITE,
            },
            second: SharedMapping {
                space: second.space,
                address: DATA_BASE + 0x100_0000,
                protection: Protection::READ_WRITE,
            },
        })
        .map_err(|error| format!("MAP_SHARED_BUFFER: {}", describe(error)))?;
    check(
        reply.first_address == DATA_BASE && reply.second_address == DATA_BASE + 0x100_0000,
        || format!("mapped at {reply:?}"),
    )?;
    let pages = length / 4096;
    let at = |start: u64, operation: Operation, seed: u64| Order {
        operation,
        start,
        count: pages,
        stride: 4096,
        seed,
    };
    check(
        first.run(
            environment,
            at(reply.first_address, Operation::Fill, 0xaaaa),
        )? == pages,
        || "the first side could not write".into(),
    )?;
    let wrong = second.run(
        environment,
        at(reply.second_address, Operation::Verify, 0xaaaa),
    )?;
    check(wrong == 0, || {
        format!("the second side sees {wrong} pages differ")
    })?;
    second.run(
        environment,
        at(reply.second_address, Operation::Fill, 0xbbbb),
    )?;
    let wrong = first.run(
        environment,
        at(reply.first_address, Operation::Verify, 0xbbbb),
    )?;
    check(wrong == 0, || {
        format!("the first side sees {wrong} pages differ")
    })?;
    first.destroy(environment)?;
    let wrong = second.run(
        environment,
        at(reply.second_address, Operation::Verify, 0xbbbb),
    )?;
    check(wrong == 0, || {
        format!("after the first space went, {wrong} pages differ")
    })?;
    second.destroy(environment)?;
    let after = environment.stats()?;
    check(after.client_used_bytes == before.client_used_bytes, || {
        format!(
            "{} bytes charged at the end, {} at the start",
            after.client_used_bytes, before.client_used_bytes
        )
    })
}
