//! The test driver: before each test a fresh child Generic and scratch node, after
//! it their revocation and a leak check; one line per test on the debug console and
//! the closing `kernel tests: N passed, N failed`.
//!
//! Independence: every object a test makes comes from its child Generic (root slot
//! 32), carved from the parent Generic. Setup revokes the parent first (resetting
//! its watermark, whatever the previous test left), then converts the child and
//! the scratch node. Teardown revokes and removes the child, checks that the
//! scratch node went with it, revokes the parent and checks that its watermark is
//! back at its start: a 4 KiB frame converted from it must sit at its first byte.

use a9n_abi::scheduling::INIT_PRIORITY;
use a9n_abi::{CapabilityType, InitInfo, RootSlot};
use nun::capability::{Configuration, Frame, Generic, Node, ProcessControlBlock};

use crate::check::{Expect, Failure, TestResult};
use crate::context::SMALL_FRAME_BITS;
use crate::context::{
    CHILD_GENERIC_SIZE_BITS, CHILD_GENERIC_SLOT, Context, ParentGeneric, SCRATCH_NODE_RADIX,
    SCRATCH_NODE_SLOT, ensure_empty, root_node, root_slot,
};
use crate::threads::BOARD;

/// Root slot used by the leak check.
const LEAK_CHECK_SLOT: u64 = 64;

/// One test: a name and a function.
pub struct Test {
    /// The name printed in `test NAME ... ok`.
    pub name: &'static str,
    /// The test.
    pub run: fn(&mut Context) -> TestResult,
}

/// Counts of one run.
#[derive(Default)]
pub struct Totals {
    /// Tests that passed.
    pub passed: u64,
    /// Tests that failed.
    pub failed: u64,
}

/// The largest RAM Generic of root slot 7, if any is big enough for a child.
pub fn choose_parent(info: &InitInfo) -> Option<ParentGeneric> {
    let generic_node = Node::new(
        RootSlot::GenericNode.descriptor(),
        info.generic_node_radix as u32,
    );
    info.generic_descriptions()
        .iter()
        .enumerate()
        .filter(|(_, description)| !description.device())
        .filter(|(_, description)| description.size_bits > CHILD_GENERIC_SIZE_BITS)
        .max_by_key(|(_, description)| description.size_bits)
        .and_then(|(index, description)| {
            Some(ParentGeneric {
                index: index as u64,
                generic: Generic::new(generic_node.slot(index as u64)?),
                physical_address: description.physical_address,
                size_bits: description.size_bits,
            })
        })
}

fn generic_node(info: &InitInfo) -> Node {
    Node::new(
        RootSlot::GenericNode.descriptor(),
        info.generic_node_radix as u32,
    )
}

fn set_up(info: &'static InitInfo, parent: ParentGeneric) -> Result<Context, Failure> {
    BOARD.reset();
    generic_node(info)
        .revoke(parent.index)
        .expect_ok("setup: REVOKE of the parent Generic")?;
    let root = root_node();
    parent
        .generic
        .convert(
            CapabilityType::Generic,
            CHILD_GENERIC_SIZE_BITS,
            1,
            root.descriptor(),
            CHILD_GENERIC_SLOT,
        )
        .expect_ok("setup: CONVERT of the child Generic")?;
    Generic::new(root_slot(CHILD_GENERIC_SLOT))
        .convert(
            CapabilityType::Node,
            u64::from(SCRATCH_NODE_RADIX),
            1,
            root.descriptor(),
            SCRATCH_NODE_SLOT,
        )
        .expect_ok("setup: CONVERT of the scratch node")?;
    Ok(Context::new(info, parent))
}

fn tear_down(context: &mut Context) -> TestResult {
    let root = root_node();
    let own = ProcessControlBlock::new(RootSlot::ProcessControlBlock.descriptor());
    own.configure(&Configuration::new().priority(INIT_PRIORITY))
        .expect_ok("teardown: restoring init's priority")?;
    for index in crate::context::ROOT_SCRATCH_FIRST
        ..crate::context::ROOT_SCRATCH_FIRST + crate::context::ROOT_SCRATCH_COUNT
    {
        if context.root_slots.is_used(index) {
            let _ = root.remove(index);
        }
    }
    root.revoke(CHILD_GENERIC_SLOT)
        .expect_ok("teardown: REVOKE of the child Generic")?;
    root.remove(CHILD_GENERIC_SLOT)
        .expect_ok("teardown: REMOVE of the child Generic")?;
    ensure_empty(
        root_slot(SCRATCH_NODE_SLOT),
        "teardown: scratch node after the child's revocation",
    )?;
    ensure_empty(
        root_slot(CHILD_GENERIC_SLOT),
        "teardown: child Generic slot",
    )?;
    let parent = context.parent;
    generic_node(context.info)
        .revoke(parent.index)
        .expect_ok("teardown: REVOKE of the parent Generic")?;
    parent
        .generic
        .convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            1,
            root.descriptor(),
            LEAK_CHECK_SLOT,
        )
        .expect_ok("leak check: CONVERT from the parent")?;
    let address = Frame::new(root_slot(LEAK_CHECK_SLOT))
        .get_address()
        .expect_ok("leak check: GET_ADDRESS")?;
    root.remove(LEAK_CHECK_SLOT)
        .expect_ok("leak check: REMOVE")?;
    crate::ensure!(
        address == parent.physical_address,
        "leak check: the parent's watermark did not return to its start (frame at {address:#x}, Generic at {:#x})",
        parent.physical_address
    );
    Ok(())
}

/// Runs one test between setup and teardown.
fn run_one(info: &'static InitInfo, parent: ParentGeneric, test: &Test) -> TestResult {
    let mut context = set_up(info, parent)?;
    let outcome = (test.run)(&mut context);
    // Keep the test's message: the teardown may make a failure of its own.
    let test_message = outcome.as_ref().err().map(Failure::message);
    match (tear_down(&mut context), test_message) {
        (cleanup, None) => cleanup,
        (Ok(()), Some(_)) => outcome,
        (Err(cleanup), Some(message)) => {
            let cleanup_message = cleanup.message();
            Err(Failure::new(format_args!(
                "{message}; then {cleanup_message}"
            )))
        }
    }
}

/// Runs every test of `groups`, printing one line per test, and returns the counts
/// and the names of failed tests (up to the capacity of `failed_names`).
pub fn run_all(
    info: &'static InitInfo,
    parent: ParentGeneric,
    groups: &[&[Test]],
    failed_names: &mut [&'static str],
) -> Totals {
    let mut totals = Totals::default();
    for test in groups.iter().flat_map(|group| group.iter()) {
        match run_one(info, parent, test) {
            Ok(()) => {
                totals.passed += 1;
                nun::debug_println!("test {} ... ok", test.name);
            }
            Err(failure) => {
                if let Some(slot) = failed_names.get_mut(totals.failed as usize) {
                    *slot = test.name;
                }
                totals.failed += 1;
                nun::debug_print!("test {} ... FAILED: ", test.name);
                failure.print();
                nun::debug_println!();
            }
        }
    }
    totals
}
