//! BRK: the heap's base, growth and shrinking.

use alloc::format;

use mm_server_api::FaultReason;
use mm_server_api::request::{Brk, BrkFlags};

use crate::tests::faults::expect_forwarded;
use mm_server_tests::child::{Child, DATA_BASE};
use mm_server_tests::environment::{Environment, describe};
use mm_server_tests::harness::{TestResult, check};
use mm_server_tests::work::{Operation, Order};

const MIB: u64 = 1 << 20;

/// The heap grows (demand-zero), shrinks (pages given back), and a touch past the
/// break is forwarded.
pub fn brk_grows_and_shrinks(environment: &mut Environment) -> TestResult {
    let mut child = Child::create(environment)?;
    let space = child.space;
    let brk = |environment: &Environment, new_break: u64, flags: BrkFlags| {
        environment
            .mm
            .brk(Brk {
                space,
                new_break,
                flags,
            })
            .map_err(|error| format!("BRK {new_break:#x}: {}", describe(error)))
    };
    let base = DATA_BASE;
    check(brk(environment, base, BrkFlags::SET_BASE)? == base, || {
        "SET_BASE".into()
    })?;
    check(brk(environment, 0, BrkFlags::NONE)? == base, || {
        "query".into()
    })?;
    // Grow by 8 MiB and a few bytes; touch every page.
    let grown = base + 8 * MIB + 100;
    check(brk(environment, grown, BrkFlags::NONE)? == grown, || {
        "grow".into()
    })?;
    child.run(
        environment,
        Order {
            count: 1,
            ..Order::new(Operation::Recurse)
        },
    )?;
    let before_touch = environment.stats()?;
    let pages = (8 * MIB) / 4096 + 1;
    let fill = Order {
        operation: Operation::Fill,
        start: base,
        count: pages,
        stride: 4096,
        seed: 0xb4b4,
    };
    check(child.run(environment, fill)? == pages, || {
        "touching the heap failed".into()
    })?;
    let touched = environment.stats()?;
    let charged = touched.client_used_bytes - before_touch.client_used_bytes;
    check(charged >= 8 * MIB, || {
        format!("the heap was charged {charged} bytes")
    })?;
    // Shrink to 1 MiB + 100 bytes: memory goes back, the rest keeps its data.
    let shrunk = base + MIB + 100;
    check(brk(environment, shrunk, BrkFlags::NONE)? == shrunk, || {
        "shrink".into()
    })?;
    let after_shrink = environment.stats()?;
    let returned = touched.client_used_bytes - after_shrink.client_used_bytes;
    check(returned >= 6 * MIB, || {
        format!("shrinking gave back {returned} bytes")
    })?;
    let kept = Order {
        operation: Operation::Verify,
        count: MIB / 4096 + 1,
        ..fill
    };
    let wrong = child.run(environment, kept)?;
    check(wrong == 0, || {
        format!("{wrong} heap pages lost their contents")
    })?;
    let mut past = Order::new(Operation::Write);
    past.start = base + 4 * MIB;
    let fault = expect_forwarded(environment, &mut child, past)?;
    check(fault.reason == FaultReason::OutsideRegion, || {
        format!("a touch past the break forwarded as {fault:?}")
    })?;
    // Below the base is refused.
    check(
        brk(environment, base - 4096, BrkFlags::NONE).is_err(),
        || "BRK below the base succeeded".into(),
    )?;
    child.destroy(environment)
}
