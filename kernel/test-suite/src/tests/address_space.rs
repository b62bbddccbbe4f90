//! ADDRESS_SPACE MAP, UNMAP, GET_UNSET_DEPTH and CAN_MAP_FRAME_SIZE_BITS (docs/abi.md
//! sections 5 and 12), on a fresh address space that no thread runs in: the order of
//! levels, alignment, the user limit, double maps, mapped capabilities, rights,
//! unmapping and what removal and revocation do to mappings.
//!
//! An entry's state is observed with MAP itself: a fresh frame maps at a free entry
//! and is refused (INVALID_ARGUMENT) at a present one. docs/abi.md names no error
//! for UNMAP of something not mapped there, nor for MAP of an object that is neither
//! a page table nor a frame; those tests accept any error.

use a9n_abi::boot::USER_ADDRESS_LIMIT;
use a9n_abi::operation::AddressSpaceOperation;
use a9n_abi::paging::{FrameSize, MapAttributes, PageTableDepth};
use a9n_abi::{CapabilityError, CapabilityType, Rights};
use nun::call::capability_call;
use nun::capability::AddressSpace;
use nun::slot_allocator::Slot;

use crate::check::{Expect, Failure, TestResult, expect_error, expect_error_among, expect_failure};
use crate::context::Context;
use crate::context::{LARGE_FRAME_BITS, SMALL_FRAME_BITS};
use crate::ensure;

pub const TESTS: &[crate::harness::Test] = tests![
    get_unset_depth_reports_each_missing_level_in_turn,
    get_unset_depth_stops_at_the_level_of_large_and_huge_frames,
    get_unset_depth_with_bad_leaf_bits_is_invalid_argument,
    map_of_a_page_table_below_a_missing_level_is_invalid_argument,
    map_of_a_frame_without_its_page_tables_is_invalid_argument,
    map_at_an_unaligned_address_is_invalid_argument,
    map_at_or_above_the_user_limit_is_invalid_argument,
    map_over_a_present_entry_is_invalid_argument,
    map_of_an_already_mapped_capability_is_illegal_operation,
    map_of_a_copy_of_a_mapped_frame_succeeds,
    map_writable_needs_write_on_the_frame,
    map_needs_read_on_the_frame,
    map_and_unmap_need_write_on_the_address_space,
    queries_need_read_on_the_address_space,
    map_with_undefined_attribute_bits_is_invalid_argument,
    map_with_attributes_without_read_is_invalid_argument,
    map_of_an_object_that_is_neither_frame_nor_page_table_fails,
    unmap_frees_the_entry_and_the_capability,
    unmap_of_a_page_table_reopens_the_level,
    unmap_of_an_unmapped_frame_fails,
    unmap_at_another_address_fails_and_keeps_the_mapping,
    removing_a_mapped_frame_unmaps_it,
    removing_a_mapped_page_table_unmaps_it,
    revoking_a_generic_unmaps_its_frames_everywhere,
    revoking_a_frame_unmaps_its_mapped_children,
    moving_a_mapped_frame_keeps_its_mapping,
    can_map_frame_size_bits_answers_for_each_size,
    map_of_a_large_frame_at_its_level,
    address_space_unknown_operations_are_illegal,
    page_table_has_no_operations,
];

/// Where the tests map (1 GiB: PML4 entry 0, PDPT entry 1).
const ADDRESS: u64 = 0x4000_0000;
const RW: MapAttributes = MapAttributes::READ.union(MapAttributes::WRITE);

/// A fresh address space.
pub fn new_address_space(context: &mut Context) -> Result<AddressSpace, Failure> {
    Ok(AddressSpace::new(
        context.make(CapabilityType::AddressSpace, 0)?.descriptor,
    ))
}

/// A page table of `depth` mapped at `address` in `space`.
pub fn add_table(
    context: &mut Context,
    space: AddressSpace,
    depth: PageTableDepth,
    address: u64,
) -> Result<Slot, Failure> {
    let table = context.make(CapabilityType::PageTable, depth.as_word())?;
    space
        .map(table.descriptor, address, MapAttributes::READ)
        .map_err(|error| {
            Failure::new(format_args!(
                "MAP of a depth-{} table: {}",
                depth.as_word(),
                error.name()
            ))
        })?;
    Ok(table)
}

/// Every table from the PDPT down to `lowest` mapped for `address`.
pub fn add_path(
    context: &mut Context,
    space: AddressSpace,
    address: u64,
    lowest: PageTableDepth,
) -> Result<(), Failure> {
    for &depth in PageTableDepth::ALL.iter().rev() {
        if (depth as u64) < lowest as u64 {
            break;
        }
        add_table(context, space, depth, address)?;
    }
    Ok(())
}

/// A fresh address space with PDPT, PD and PT for [`ADDRESS`].
fn space_with_path(context: &mut Context) -> Result<AddressSpace, Failure> {
    let space = new_address_space(context)?;
    add_path(context, space, ADDRESS, PageTableDepth::Pt)?;
    Ok(space)
}

/// Fails unless a fresh frame maps at `address` (the entry was free); the probe
/// frame stays mapped.
fn ensure_entry_free(context: &mut Context, space: AddressSpace, address: u64) -> TestResult {
    let probe = context.make_frame()?;
    space
        .map(probe.descriptor(), address, MapAttributes::READ)
        .map_err(|error| {
            Failure::new(format_args!(
                "MAP at {address:#x} (expected a free entry): {}",
                error.name()
            ))
        })
}

/// Fails unless a fresh frame is refused at `address` with INVALID_ARGUMENT.
fn ensure_entry_present(context: &mut Context, space: AddressSpace, address: u64) -> TestResult {
    let probe = context.make_frame()?;
    expect_error(
        space.map(probe.descriptor(), address, MapAttributes::READ),
        CapabilityError::InvalidArgument,
        "MAP over an entry that should be present",
    )
}

/// PDPT, then PD, then PT are reported missing in turn; then the path is complete.
fn get_unset_depth_reports_each_missing_level_in_turn(context: &mut Context) -> TestResult {
    let space = new_address_space(context)?;
    for &depth in PageTableDepth::ALL.iter().rev() {
        let reported = space
            .get_unset_depth(ADDRESS, FrameSize::Small)
            .expect_ok("GET_UNSET_DEPTH")?;
        ensure!(
            reported == depth.as_word(),
            "reported {reported}, expected {}",
            depth.as_word()
        );
        add_table(context, space, depth, ADDRESS)?;
    }
    let reported = space
        .get_unset_depth(ADDRESS + 0x1000, FrameSize::Small)
        .expect_ok("GET_UNSET_DEPTH")?;
    ensure!(reported == 0, "complete path reported {reported}");
    Ok(())
}

/// A 2 MiB leaf needs PDPT and PD only; a 1 GiB leaf the PDPT only.
fn get_unset_depth_stops_at_the_level_of_large_and_huge_frames(
    context: &mut Context,
) -> TestResult {
    let space = new_address_space(context)?;
    let depth = |leaf| {
        space
            .get_unset_depth(ADDRESS, leaf)
            .expect_ok("GET_UNSET_DEPTH")
    };
    ensure!(depth(FrameSize::Huge)? == 3, "1 GiB leaf in an empty space");
    ensure!(
        depth(FrameSize::Large)? == 3,
        "2 MiB leaf in an empty space"
    );
    add_table(context, space, PageTableDepth::Pdpt, ADDRESS)?;
    ensure!(depth(FrameSize::Huge)? == 0, "1 GiB leaf under a PDPT");
    ensure!(depth(FrameSize::Large)? == 2, "2 MiB leaf under a PDPT");
    add_table(context, space, PageTableDepth::Pd, ADDRESS)?;
    ensure!(depth(FrameSize::Large)? == 0, "2 MiB leaf under a PD");
    ensure!(depth(FrameSize::Small)? == 1, "4 KiB leaf under a PD");
    Ok(())
}

/// Leaf size bits other than 12, 21 and 30 are out of range.
fn get_unset_depth_with_bad_leaf_bits_is_invalid_argument(context: &mut Context) -> TestResult {
    let space = new_address_space(context)?;
    for bits in [0u64, 13, 22, 39, u64::MAX] {
        expect_error(
            capability_call(
                space.descriptor(),
                AddressSpaceOperation::GetUnsetDepth.as_word(),
                &[ADDRESS, bits],
            ),
            CapabilityError::InvalidArgument,
            "GET_UNSET_DEPTH with bad leaf bits",
        )?;
    }
    Ok(())
}

/// A PT with no PD above it, or a PD with no PDPT, is "wrong level missing on the
/// way down".
fn map_of_a_page_table_below_a_missing_level_is_invalid_argument(
    context: &mut Context,
) -> TestResult {
    let space = new_address_space(context)?;
    let table = context.make(CapabilityType::PageTable, PageTableDepth::Pt.as_word())?;
    let directory = context.make(CapabilityType::PageTable, PageTableDepth::Pd.as_word())?;
    expect_error(
        space.map(table.descriptor, ADDRESS, MapAttributes::READ),
        CapabilityError::InvalidArgument,
        "MAP of a PT in an empty space",
    )?;
    expect_error(
        space.map(directory.descriptor, ADDRESS, MapAttributes::READ),
        CapabilityError::InvalidArgument,
        "MAP of a PD in an empty space",
    )?;
    add_table(context, space, PageTableDepth::Pdpt, ADDRESS)?;
    expect_error(
        space.map(table.descriptor, ADDRESS, MapAttributes::READ),
        CapabilityError::InvalidArgument,
        "MAP of a PT under a PDPT only",
    )
}

/// A 4 KiB frame needs the whole path; a 2 MiB frame needs PDPT and PD.
fn map_of_a_frame_without_its_page_tables_is_invalid_argument(context: &mut Context) -> TestResult {
    let space = new_address_space(context)?;
    let frame = context.make_frame()?;
    expect_error(
        space.map(frame.descriptor(), ADDRESS, RW),
        CapabilityError::InvalidArgument,
        "MAP of a frame in an empty space",
    )?;
    add_path(context, space, ADDRESS, PageTableDepth::Pd)?;
    expect_error(
        space.map(frame.descriptor(), ADDRESS, RW),
        CapabilityError::InvalidArgument,
        "MAP of a 4 KiB frame without a PT",
    )?;
    let large = context.make(CapabilityType::Frame, LARGE_FRAME_BITS)?;
    let other_space = new_address_space(context)?;
    add_table(context, other_space, PageTableDepth::Pdpt, ADDRESS)?;
    expect_error(
        other_space.map(large.descriptor, ADDRESS, RW),
        CapabilityError::InvalidArgument,
        "MAP of a 2 MiB frame without a PD",
    )
}

/// Frames must be aligned to their size.
fn map_at_an_unaligned_address_is_invalid_argument(context: &mut Context) -> TestResult {
    let space = space_with_path(context)?;
    let frame = context.make_frame()?;
    for offset in [0x800u64, 8, 1] {
        expect_error(
            space.map(frame.descriptor(), ADDRESS + offset, RW),
            CapabilityError::InvalidArgument,
            "MAP of a 4 KiB frame at an unaligned address",
        )?;
    }
    let large = context.make(CapabilityType::Frame, LARGE_FRAME_BITS)?;
    expect_error(
        space.map(large.descriptor, ADDRESS + 0x20_1000, RW),
        CapabilityError::InvalidArgument,
        "MAP of a 2 MiB frame at a 4 KiB-aligned address",
    )?;
    ensure_entry_free(context, space, ADDRESS)
}

/// Mappings stay below `USER_ADDRESS_LIMIT`: the limit itself, the kernel's direct
/// map and its image are refused.
fn map_at_or_above_the_user_limit_is_invalid_argument(context: &mut Context) -> TestResult {
    let space = new_address_space(context)?;
    let table = context.make(CapabilityType::PageTable, PageTableDepth::Pdpt.as_word())?;
    for address in [
        USER_ADDRESS_LIMIT,
        0xffff_8000_0000_0000,
        0xffff_ffff_8000_0000,
        0x0001_0000_0000_0000,
    ] {
        expect_error(
            space.map(table.descriptor, address, MapAttributes::READ),
            CapabilityError::InvalidArgument,
            "MAP of a PDPT at or above the user limit",
        )?;
    }
    space
        .map(
            table.descriptor,
            USER_ADDRESS_LIMIT - (1 << 39),
            MapAttributes::READ,
        )
        .expect_ok("MAP of a PDPT just below the limit")
}

/// MAP over a present entry fails, for frames and page tables alike.
fn map_over_a_present_entry_is_invalid_argument(context: &mut Context) -> TestResult {
    let space = space_with_path(context)?;
    let first = context.make_frame()?;
    space
        .map(first.descriptor(), ADDRESS, RW)
        .expect_ok("first MAP")?;
    ensure_entry_present(context, space, ADDRESS)?;
    let second_table = context.make(CapabilityType::PageTable, PageTableDepth::Pt.as_word())?;
    expect_error(
        space.map(second_table.descriptor, ADDRESS, MapAttributes::READ),
        CapabilityError::InvalidArgument,
        "MAP of a second PT over a present one",
    )
}

/// [section 12] a capability maps at most once: a mapped frame or page table is
/// refused with ILLEGAL_OPERATION.
fn map_of_an_already_mapped_capability_is_illegal_operation(context: &mut Context) -> TestResult {
    let space = space_with_path(context)?;
    let frame = context.make_frame()?;
    space
        .map(frame.descriptor(), ADDRESS, RW)
        .expect_ok("first MAP")?;
    expect_error(
        space.map(frame.descriptor(), ADDRESS + 0x1000, RW),
        CapabilityError::IllegalOperation,
        "second MAP of a mapped frame",
    )?;
    let table = add_table(context, space, PageTableDepth::Pt, ADDRESS + (2 << 20))?;
    expect_error(
        space.map(table.descriptor, ADDRESS + (4 << 20), MapAttributes::READ),
        CapabilityError::IllegalOperation,
        "second MAP of a mapped PT",
    )?;
    ensure_entry_free(context, space, ADDRESS + 0x1000)
}

/// COPY of a mapped capability is unmapped: it maps elsewhere.
fn map_of_a_copy_of_a_mapped_frame_succeeds(context: &mut Context) -> TestResult {
    let space = space_with_path(context)?;
    let frame = context.make_frame()?;
    space
        .map(frame.descriptor(), ADDRESS, RW)
        .expect_ok("MAP")?;
    let copy = context.copy(frame.descriptor())?;
    space
        .map(copy.descriptor, ADDRESS + 0x1000, RW)
        .expect_ok("MAP of the copy")?;
    let child = context.mint(frame.descriptor(), Rights::READ)?;
    space
        .map(child.descriptor, ADDRESS + 0x2000, MapAttributes::READ)
        .expect_ok("MAP of a mint")
}

/// [KOITO] a writable mapping needs WRITE on the frame; a read-only one does not.
fn map_writable_needs_write_on_the_frame(context: &mut Context) -> TestResult {
    let space = space_with_path(context)?;
    let frame = context.make_frame()?;
    let read_only = context.mint(frame.descriptor(), Rights::READ | Rights::COPY)?;
    expect_error(
        space.map(read_only.descriptor, ADDRESS, RW),
        CapabilityError::PermissionDenied,
        "writable MAP of a read-only frame",
    )?;
    space
        .map(read_only.descriptor, ADDRESS, MapAttributes::READ)
        .expect_ok("read-only MAP of a read-only frame")
}

/// [KOITO] every mapping needs READ on the frame.
fn map_needs_read_on_the_frame(context: &mut Context) -> TestResult {
    let space = space_with_path(context)?;
    let frame = context.make_frame()?;
    let write_only = context.mint(frame.descriptor(), Rights::WRITE | Rights::COPY)?;
    for (attributes, what) in [
        (RW, "read-write MAP of a frame without READ"),
        (MapAttributes::READ, "read-only MAP of a frame without READ"),
    ] {
        expect_error(
            space.map(write_only.descriptor, ADDRESS, attributes),
            CapabilityError::PermissionDenied,
            what,
        )?;
    }
    // Rights are checked before the attributes (section 12), so even attributes
    // without READ are refused for the missing right.
    expect_error(
        space.map(write_only.descriptor, ADDRESS, MapAttributes::WRITE),
        CapabilityError::PermissionDenied,
        "write-only MAP of a frame without READ",
    )?;
    ensure_entry_free(context, space, ADDRESS)
}

/// MAP and UNMAP need WRITE on the address space.
fn map_and_unmap_need_write_on_the_address_space(context: &mut Context) -> TestResult {
    let space = space_with_path(context)?;
    let read_only = AddressSpace::new(
        context
            .mint(space.descriptor(), Rights::READ | Rights::COPY)?
            .descriptor,
    );
    let frame = context.make_frame()?;
    expect_error(
        read_only.map(frame.descriptor(), ADDRESS, RW),
        CapabilityError::PermissionDenied,
        "MAP through a read-only address space",
    )?;
    space
        .map(frame.descriptor(), ADDRESS, RW)
        .expect_ok("MAP")?;
    expect_error(
        read_only.unmap(frame.descriptor(), ADDRESS),
        CapabilityError::PermissionDenied,
        "UNMAP through a read-only address space",
    )?;
    ensure_entry_present(context, space, ADDRESS)
}

/// GET_UNSET_DEPTH and CAN_MAP_FRAME_SIZE_BITS need READ.
fn queries_need_read_on_the_address_space(context: &mut Context) -> TestResult {
    let space = new_address_space(context)?;
    let write_only = AddressSpace::new(
        context
            .mint(space.descriptor(), Rights::WRITE | Rights::COPY)?
            .descriptor,
    );
    expect_error(
        write_only.get_unset_depth(ADDRESS, FrameSize::Small),
        CapabilityError::PermissionDenied,
        "GET_UNSET_DEPTH without READ",
    )?;
    expect_error(
        write_only.can_map_frame_size_bits(12),
        CapabilityError::PermissionDenied,
        "CAN_MAP_FRAME_SIZE_BITS without READ",
    )
}

/// Attribute bits above EXECUTE are out of range.
fn map_with_undefined_attribute_bits_is_invalid_argument(context: &mut Context) -> TestResult {
    let space = space_with_path(context)?;
    let frame = context.make_frame()?;
    for attributes in [8u64, 0x10 | 3, u64::MAX] {
        expect_error(
            capability_call(
                space.descriptor(),
                AddressSpaceOperation::Map.as_word(),
                &[frame.descriptor().as_word(), ADDRESS, attributes],
            ),
            CapabilityError::InvalidArgument,
            "MAP with undefined attribute bits",
        )?;
    }
    ensure_entry_free(context, space, ADDRESS)
}

/// [section 12] attributes without READ are INVALID_ARGUMENT (checked after the
/// frame's rights, which are all there).
fn map_with_attributes_without_read_is_invalid_argument(context: &mut Context) -> TestResult {
    let space = space_with_path(context)?;
    let frame = context.make_frame()?;
    for (attributes, what) in [
        (MapAttributes::NONE, "MAP with no attributes"),
        (MapAttributes::WRITE, "MAP with WRITE only"),
        (MapAttributes::EXECUTE, "MAP with EXECUTE only"),
        (
            MapAttributes::WRITE | MapAttributes::EXECUTE,
            "MAP with WRITE|EXECUTE",
        ),
    ] {
        expect_error(
            space.map(frame.descriptor(), ADDRESS, attributes),
            CapabilityError::InvalidArgument,
            what,
        )?;
    }
    ensure_entry_free(context, space, ADDRESS)
}

/// A node, a Generic or an empty slot is not mappable (empty: INVALID_DESCRIPTOR;
/// others: any error).
fn map_of_an_object_that_is_neither_frame_nor_page_table_fails(
    context: &mut Context,
) -> TestResult {
    let space = space_with_path(context)?;
    let (node, _) = context.make_node(2)?;
    let (generic, _) = context.make_generic(12)?;
    expect_failure(space.map(node.descriptor, ADDRESS, RW), "MAP of a node")?;
    expect_failure(
        space.map(generic.descriptor, ADDRESS, RW),
        "MAP of a Generic",
    )?;
    expect_failure(
        space.map(space.descriptor(), ADDRESS, RW),
        "MAP of the address space itself",
    )?;
    let empty = context.slot()?;
    expect_error(
        space.map(empty.descriptor, ADDRESS, RW),
        CapabilityError::InvalidDescriptor,
        "MAP of an empty slot",
    )?;
    ensure_entry_free(context, space, ADDRESS)
}

/// After UNMAP the entry is free and the capability maps again.
fn unmap_frees_the_entry_and_the_capability(context: &mut Context) -> TestResult {
    let space = space_with_path(context)?;
    let frame = context.make_frame()?;
    space
        .map(frame.descriptor(), ADDRESS, RW)
        .expect_ok("MAP")?;
    space
        .unmap(frame.descriptor(), ADDRESS)
        .expect_ok("UNMAP")?;
    space
        .map(frame.descriptor(), ADDRESS + 0x3000, RW)
        .expect_ok("MAP of the unmapped frame elsewhere")?;
    ensure_entry_free(context, space, ADDRESS)
}

/// UNMAP of a page table: its level is missing again.
fn unmap_of_a_page_table_reopens_the_level(context: &mut Context) -> TestResult {
    let space = space_with_path(context)?;
    let table = add_table(context, space, PageTableDepth::Pt, ADDRESS + (2 << 20))?;
    space
        .unmap(table.descriptor, ADDRESS + (2 << 20))
        .expect_ok("UNMAP of a PT")?;
    let depth = space
        .get_unset_depth(ADDRESS + (2 << 20), FrameSize::Small)
        .expect_ok("GET_UNSET_DEPTH")?;
    ensure!(depth == 1, "after UNMAP of the PT: depth {depth}");
    Ok(())
}

/// UNMAP of a frame that is not mapped fails (no error named: any error).
fn unmap_of_an_unmapped_frame_fails(context: &mut Context) -> TestResult {
    let space = space_with_path(context)?;
    let frame = context.make_frame()?;
    expect_failure(
        space.unmap(frame.descriptor(), ADDRESS),
        "UNMAP of an unmapped frame",
    )?;
    space
        .map(frame.descriptor(), ADDRESS, RW)
        .expect_ok("MAP afterwards")
}

/// UNMAP at an address where the frame is not mapped fails (no error named: any
/// error) and the real mapping stays.
fn unmap_at_another_address_fails_and_keeps_the_mapping(context: &mut Context) -> TestResult {
    let space = space_with_path(context)?;
    let frame = context.make_frame()?;
    let other = context.make_frame()?;
    space
        .map(frame.descriptor(), ADDRESS, RW)
        .expect_ok("MAP")?;
    space
        .map(other.descriptor(), ADDRESS + 0x1000, RW)
        .expect_ok("MAP")?;
    expect_failure(
        space.unmap(frame.descriptor(), ADDRESS + 0x1000),
        "UNMAP of a frame at another frame's address",
    )?;
    ensure_entry_present(context, space, ADDRESS)?;
    ensure_entry_present(context, space, ADDRESS + 0x1000)
}

/// Removing a mapped capability unmaps it.
fn removing_a_mapped_frame_unmaps_it(context: &mut Context) -> TestResult {
    let space = space_with_path(context)?;
    let frame = context.make(CapabilityType::Frame, SMALL_FRAME_BITS)?;
    space.map(frame.descriptor, ADDRESS, RW).expect_ok("MAP")?;
    context.scratch.remove(frame.index).expect_ok("REMOVE")?;
    ensure_entry_free(context, space, ADDRESS)
}

/// A mapped page table is unmapped when its capability goes.
fn removing_a_mapped_page_table_unmaps_it(context: &mut Context) -> TestResult {
    let space = new_address_space(context)?;
    add_path(context, space, ADDRESS, PageTableDepth::Pd)?;
    let table = add_table(context, space, PageTableDepth::Pt, ADDRESS)?;
    let frame = context.make_frame()?;
    space
        .map(frame.descriptor(), ADDRESS, RW)
        .expect_ok("MAP")?;
    context
        .scratch
        .remove(table.index)
        .expect_ok("REMOVE of the PT")?;
    let depth = space
        .get_unset_depth(ADDRESS, FrameSize::Small)
        .expect_ok("GET_UNSET_DEPTH")?;
    ensure!(depth == 1, "after REMOVE of the PT: depth {depth}");
    Ok(())
}

/// REVOKE of a frame's Generic unmaps the frame and every copy, in every space.
fn revoking_a_generic_unmaps_its_frames_everywhere(context: &mut Context) -> TestResult {
    let first_space = space_with_path(context)?;
    let second_space = space_with_path(context)?;
    let (generic_slot, generic) = context.make_generic(14)?;
    let frame = context.make_from(generic, CapabilityType::Frame, SMALL_FRAME_BITS)?;
    let copy = context.copy(frame.descriptor)?;
    first_space
        .map(frame.descriptor, ADDRESS, RW)
        .expect_ok("MAP")?;
    second_space
        .map(copy.descriptor, ADDRESS + 0x5000, RW)
        .expect_ok("MAP of the copy")?;
    context
        .scratch
        .revoke(generic_slot.index)
        .expect_ok("REVOKE")?;
    ensure_entry_free(context, first_space, ADDRESS)?;
    ensure_entry_free(context, second_space, ADDRESS + 0x5000)
}

/// 4 KiB and 2 MiB frames can be mapped; other sizes cannot (0, or
/// INVALID_ARGUMENT); 1 GiB frames depend on the CPU (a plain yes or no).
fn can_map_frame_size_bits_answers_for_each_size(context: &mut Context) -> TestResult {
    let space = new_address_space(context)?;
    for bits in [12u64, 21] {
        ensure!(
            space
                .can_map_frame_size_bits(bits)
                .expect_ok("CAN_MAP_FRAME_SIZE_BITS")?,
            "cannot map 2^{bits} frames"
        );
    }
    space
        .can_map_frame_size_bits(30)
        .expect_ok("CAN_MAP_FRAME_SIZE_BITS 30")?;
    for bits in [0u64, 13, 20, 31, 64] {
        match space.can_map_frame_size_bits(bits) {
            Ok(false) => {}
            Ok(true) => crate::fail!("2^{bits} frames reported mappable"),
            Err(error) => expect_error_among(
                Err::<(), _>(error),
                &[CapabilityError::InvalidArgument],
                "CAN_MAP_FRAME_SIZE_BITS of a bad size",
            )?,
        }
    }
    Ok(())
}

/// A 2 MiB frame maps at the PD level, at a 2 MiB-aligned address.
fn map_of_a_large_frame_at_its_level(context: &mut Context) -> TestResult {
    let space = new_address_space(context)?;
    add_path(context, space, ADDRESS, PageTableDepth::Pd)?;
    let large = context.make(CapabilityType::Frame, LARGE_FRAME_BITS)?;
    space
        .map(large.descriptor, ADDRESS + (2 << 20), RW)
        .expect_ok("MAP of a 2 MiB frame")?;
    let table = context.make(CapabilityType::PageTable, PageTableDepth::Pt.as_word())?;
    expect_error(
        space.map(table.descriptor, ADDRESS + (2 << 20), MapAttributes::READ),
        CapabilityError::InvalidArgument,
        "MAP of a PT where a 2 MiB frame is",
    )
}

/// Operation numbers 0 and 5.. do not exist for an address space.
fn address_space_unknown_operations_are_illegal(context: &mut Context) -> TestResult {
    let space = new_address_space(context)?;
    for operation in [0u64, 5, u64::MAX] {
        expect_error(
            capability_call(space.descriptor(), operation, &[ADDRESS, 12, 0]),
            CapabilityError::IllegalOperation,
            "an unknown address-space operation",
        )?;
    }
    Ok(())
}

/// PAGE_TABLE has no operations at all.
fn page_table_has_no_operations(context: &mut Context) -> TestResult {
    let table = context.make(CapabilityType::PageTable, PageTableDepth::Pt.as_word())?;
    for operation in [0u64, 1, 2, 3, 4, u64::MAX] {
        expect_error(
            capability_call(table.descriptor, operation, &[0, 0, 0]),
            CapabilityError::IllegalOperation,
            "an operation on a page table",
        )?;
    }
    Ok(())
}

/// REVOKE of a frame capability deletes its mapped children, which unmaps them.
fn revoking_a_frame_unmaps_its_mapped_children(context: &mut Context) -> TestResult {
    let space = space_with_path(context)?;
    let frame = context.make(CapabilityType::Frame, SMALL_FRAME_BITS)?;
    let child = context.mint(frame.descriptor, Rights::READ | Rights::WRITE)?;
    space
        .map(child.descriptor, ADDRESS, RW)
        .expect_ok("MAP of the child")?;
    context
        .scratch
        .revoke(frame.index)
        .expect_ok("REVOKE of the frame")?;
    crate::context::ensure_empty(child.descriptor, "the child")?;
    ensure_entry_free(context, space, ADDRESS)
}

/// MOVE keeps a capability's place, and a mapped capability stays mapped: UNMAP
/// through its new slot frees the entry.
fn moving_a_mapped_frame_keeps_its_mapping(context: &mut Context) -> TestResult {
    let space = space_with_path(context)?;
    let frame = context.make_frame()?;
    space
        .map(frame.descriptor(), ADDRESS, RW)
        .expect_ok("MAP")?;
    let destination = context.slot()?;
    context
        .scratch
        .move_capability(destination.index, frame.descriptor())
        .expect_ok("MOVE of the mapped frame")?;
    ensure_entry_present(context, space, ADDRESS)?;
    expect_error(
        space.map(destination.descriptor, ADDRESS + 0x1000, RW),
        CapabilityError::IllegalOperation,
        "MAP of the moved, still mapped frame",
    )?;
    space
        .unmap(destination.descriptor, ADDRESS)
        .expect_ok("UNMAP through the new slot")?;
    ensure_entry_free(context, space, ADDRESS)
}
