//! Page-table-aware mapping: map a frame at a virtual address, converting and mapping
//! the missing page tables on the way, asked with GET_UNSET_DEPTH (docs/abi.md
//! section 5), so that callers never need to know the architecture's levels.
//!
//! The decision logic ([`next_step`], [`map_with`]) is pure and works on any
//! [`Paging`] implementation; [`map_frame`] runs it against the kernel, taking page
//! tables from a Generic and their slots from a [`SlotAllocator`].
//!
//! ```no_run
//! use a9n_abi::paging::{FrameSize, MapAttributes};
//! use a9n_abi::{CapabilityType, RootSlot};
//! use nun::capability::{AddressSpace, Frame, Generic, Node};
//! use nun::mapping::map_frame;
//! use nun::slot_allocator::SlotAllocator;
//!
//! let root = Node::new(RootSlot::RootNode.descriptor(), 8);
//! let memory = Generic::new(Node::new(RootSlot::GenericNode.descriptor(), 8).slot(0).unwrap());
//! let mut slots = SlotAllocator::<4>::new(root, 16, 240).unwrap();
//! let frame_slot = slots.allocate().unwrap();
//! memory.convert(CapabilityType::Frame, 12, 1, root.descriptor(), frame_slot.index)?;
//! let report = map_frame(
//!     AddressSpace::new(RootSlot::AddressSpace.descriptor()),
//!     memory,
//!     &mut slots,
//!     Frame::new(frame_slot.descriptor),
//!     FrameSize::Small,
//!     0x100_0000_0000,
//!     MapAttributes::READ | MapAttributes::WRITE,
//! )
//! .unwrap();
//! // Up to three page tables (PDPT, PD, PT) were added on the way.
//! assert!(report.table_count() <= 3);
//! # Ok::<(), a9n_abi::CapabilityError>(())
//! ```

use a9n_abi::paging::{FrameSize, MapAttributes, PATH_COMPLETE, PageTableDepth};
use a9n_abi::{CapabilityError, CapabilityType};

use crate::capability::{AddressSpace, Frame, Generic};
use crate::slot_allocator::{Slot, SlotAllocator};

/// The most page tables one mapping can need (PDPT, PD, PT).
pub const MAX_TABLES: usize = 3;

/// What to do next, given the depth GET_UNSET_DEPTH reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MappingStep {
    /// Convert a page table of this depth and map it.
    AddPageTable(PageTableDepth),
    /// The path is complete: map the frame.
    MapFrame,
}

/// Why a mapping failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MappingError {
    /// A kernel call failed.
    Kernel(CapabilityError),
    /// The slot allocator had no slot for a page table.
    OutOfSlots,
    /// GET_UNSET_DEPTH reported a depth that makes no sense for this leaf (e.g. a
    /// missing PT for a 2 MiB frame, or more than 3).
    UnexpectedDepth(u64),
    /// A page table was added but GET_UNSET_DEPTH still reports the same depth or a
    /// deeper one.
    NotProgressing(u64),
    /// The address is not aligned to the frame's size.
    Misaligned,
}

impl From<CapabilityError> for MappingError {
    fn from(error: CapabilityError) -> Self {
        Self::Kernel(error)
    }
}

/// The step that follows GET_UNSET_DEPTH's answer `unset_depth` on the way to a
/// `leaf` frame.
///
/// # Errors
/// [`MappingError::UnexpectedDepth`] for a depth over 3 or one below the level that
/// maps the leaf (a 2 MiB frame never needs a PT).
pub const fn next_step(unset_depth: u64, leaf: FrameSize) -> Result<MappingStep, MappingError> {
    if unset_depth == PATH_COMPLETE {
        return Ok(MappingStep::MapFrame);
    }
    match PageTableDepth::from_word(unset_depth) {
        Some(depth) if depth as u64 >= leaf.mapping_depth() as u64 => {
            Ok(MappingStep::AddPageTable(depth))
        }
        _ => Err(MappingError::UnexpectedDepth(unset_depth)),
    }
}

/// The address at which a page table of `depth` is mapped for `address`: `address`
/// rounded down to the region the table covers.
#[must_use]
pub const fn table_address(address: u64, depth: PageTableDepth) -> u64 {
    address & !((1 << depth.covered_bits()) - 1)
}

/// The kernel operations a mapping needs; [`map_with`] drives them. Implement it
/// over a model to test a pager's decisions on the host, as Nun's own tests do.
///
/// ```
/// use a9n_abi::paging::{FrameSize, PageTableDepth};
/// use nun::mapping::{MappingError, Paging, map_with};
///
/// /// An address space with every table present except `missing` levels.
/// struct Model {
///     missing: u64,
///     added: Vec<PageTableDepth>,
/// }
///
/// impl Paging for Model {
///     fn unset_depth(&mut self, _: u64, _: FrameSize) -> Result<u64, MappingError> {
///         Ok(self.missing)
///     }
///     fn add_page_table(&mut self, depth: PageTableDepth, _: u64) -> Result<(), MappingError> {
///         self.added.push(depth);
///         self.missing -= 1;
///         Ok(())
///     }
///     fn map_frame(&mut self, _: u64) -> Result<(), MappingError> {
///         Ok(())
///     }
/// }
///
/// let mut model = Model { missing: 2, added: Vec::new() };
/// assert_eq!(map_with(&mut model, 0x20_0000, FrameSize::Small), Ok(2));
/// assert_eq!(model.added, [PageTableDepth::Pd, PageTableDepth::Pt]);
/// ```
pub trait Paging {
    /// GET_UNSET_DEPTH for a `leaf` frame at `address`.
    ///
    /// # Errors
    /// Whatever stops the query.
    fn unset_depth(&mut self, address: u64, leaf: FrameSize) -> Result<u64, MappingError>;

    /// Makes a page table of `depth` and maps it at `address` (already rounded with
    /// [`table_address`]).
    ///
    /// # Errors
    /// Whatever stops the table from being made or mapped.
    fn add_page_table(&mut self, depth: PageTableDepth, address: u64) -> Result<(), MappingError>;

    /// Maps the frame at `address`.
    ///
    /// # Errors
    /// Whatever stops the mapping.
    fn map_frame(&mut self, address: u64) -> Result<(), MappingError>;
}

/// Asks for the missing page table, adds it, and repeats until the path is
/// complete, then maps the frame. Returns how many tables were added (at most 3).
///
/// # Errors
/// [`MappingError`]: a failed step, or a kernel that does not make progress.
pub fn map_with<P: Paging>(
    paging: &mut P,
    address: u64,
    leaf: FrameSize,
) -> Result<usize, MappingError> {
    if !address.is_multiple_of(leaf.bytes()) {
        return Err(MappingError::Misaligned);
    }
    let mut added = 0;
    let mut previous: Option<u64> = None;
    loop {
        let depth = paging.unset_depth(address, leaf)?;
        match next_step(depth, leaf)? {
            MappingStep::MapFrame => {
                paging.map_frame(address)?;
                return Ok(added);
            }
            MappingStep::AddPageTable(table_depth) => {
                if previous.is_some_and(|previous| depth >= previous) || added == MAX_TABLES {
                    return Err(MappingError::NotProgressing(depth));
                }
                paging.add_page_table(table_depth, table_address(address, table_depth))?;
                previous = Some(depth);
                added += 1;
            }
        }
    }
}

/// The page tables a [`map_frame`] call added, in the order it added them.
///
/// ```no_run
/// # use nun::mapping::MappingReport;
/// # use nun::capability::Node;
/// # fn clean_up(report: MappingReport, node: Node) -> Result<(), a9n_abi::CapabilityError> {
/// // Removing the page tables' capabilities unmaps them (and what they map).
/// for table in report.tables() {
///     node.remove(table.index)?;
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MappingReport {
    tables: [Option<Slot>; MAX_TABLES],
    count: usize,
}

impl MappingReport {
    /// The slots of the page tables added (remove them to free the tables).
    pub fn tables(&self) -> impl Iterator<Item = Slot> + '_ {
        self.tables[..self.count].iter().flatten().copied()
    }

    /// How many page tables were added (0..=3).
    #[must_use]
    pub const fn table_count(&self) -> usize {
        self.count
    }
}

/// [`Paging`] against the kernel: page tables come from `generic` into slots of
/// `slots`.
struct KernelPaging<'a, const WORDS: usize> {
    address_space: AddressSpace,
    generic: Generic,
    slots: &'a mut SlotAllocator<WORDS>,
    frame: Frame,
    attributes: MapAttributes,
    report: MappingReport,
}

impl<const WORDS: usize> Paging for KernelPaging<'_, WORDS> {
    fn unset_depth(&mut self, address: u64, leaf: FrameSize) -> Result<u64, MappingError> {
        Ok(self.address_space.get_unset_depth(address, leaf)?)
    }

    fn add_page_table(&mut self, depth: PageTableDepth, address: u64) -> Result<(), MappingError> {
        let slot = self.slots.allocate().ok_or(MappingError::OutOfSlots)?;
        let node = self.slots.node();
        let made = self
            .generic
            .convert(
                CapabilityType::PageTable,
                depth.as_word(),
                1,
                node.descriptor(),
                slot.index,
            )
            .and_then(|()| {
                self.address_space
                    .map(slot.descriptor, address, MapAttributes::READ)
                    .inspect_err(|_| {
                        let _ = node.remove(slot.index);
                    })
            });
        if let Err(error) = made {
            self.slots.free(slot.index);
            return Err(error.into());
        }
        self.report.tables[self.report.count] = Some(slot);
        self.report.count += 1;
        Ok(())
    }

    fn map_frame(&mut self, address: u64) -> Result<(), MappingError> {
        Ok(self
            .address_space
            .map(self.frame.descriptor(), address, self.attributes)?)
    }
}

/// Maps `frame` (of `size`) at `address` in `address_space` with `attributes`,
/// first converting and mapping every missing page table from `generic` into slots
/// taken from `slots`.
///
/// # Errors
/// [`MappingError`]; tables added before the failure stay mapped.
pub fn map_frame<const WORDS: usize>(
    address_space: AddressSpace,
    generic: Generic,
    slots: &mut SlotAllocator<WORDS>,
    frame: Frame,
    size: FrameSize,
    address: u64,
    attributes: MapAttributes,
) -> Result<MappingReport, MappingError> {
    let mut paging = KernelPaging {
        address_space,
        generic,
        slots,
        frame,
        attributes,
        report: MappingReport::default(),
    };
    map_with(&mut paging, address, size)?;
    Ok(paging.report)
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;

    /// A model address space: the set of tables present (by depth and the address
    /// their region starts at), answering GET_UNSET_DEPTH as the ABI says.
    #[derive(Default)]
    struct ModelPaging {
        tables: Vec<(PageTableDepth, u64)>,
        mapped: Vec<u64>,
        /// Pretend that adding a table has no effect.
        stuck: bool,
        calls: usize,
    }

    impl Paging for ModelPaging {
        fn unset_depth(&mut self, address: u64, leaf: FrameSize) -> Result<u64, MappingError> {
            self.calls += 1;
            for &depth in PageTableDepth::ALL.iter().rev() {
                if (depth as u64) < leaf.mapping_depth() as u64 {
                    break;
                }
                if !self
                    .tables
                    .contains(&(depth, table_address(address, depth)))
                {
                    return Ok(depth.as_word());
                }
            }
            Ok(PATH_COMPLETE)
        }

        fn add_page_table(
            &mut self,
            depth: PageTableDepth,
            address: u64,
        ) -> Result<(), MappingError> {
            assert_eq!(
                address,
                table_address(address, depth),
                "table address aligned"
            );
            if !self.stuck {
                self.tables.push((depth, address));
            }
            Ok(())
        }

        fn map_frame(&mut self, address: u64) -> Result<(), MappingError> {
            self.mapped.push(address);
            Ok(())
        }
    }

    #[test]
    fn an_empty_space_needs_three_tables_for_a_small_frame() {
        let mut paging = ModelPaging::default();
        assert_eq!(map_with(&mut paging, 0x1234_5000, FrameSize::Small), Ok(3));
        assert_eq!(paging.mapped, [0x1234_5000]);
        assert_eq!(
            paging.tables,
            [
                (PageTableDepth::Pdpt, 0),
                (PageTableDepth::Pd, 0),
                (PageTableDepth::Pt, 0x1220_0000)
            ]
        );
        // A neighbour in the same 2 MiB needs nothing more.
        assert_eq!(map_with(&mut paging, 0x1234_6000, FrameSize::Small), Ok(0));
        // One in the next 2 MiB needs only a PT.
        assert_eq!(map_with(&mut paging, 0x1260_0000, FrameSize::Small), Ok(1));
    }

    #[test]
    fn large_and_huge_frames_need_fewer_tables() {
        let mut paging = ModelPaging::default();
        assert_eq!(map_with(&mut paging, 0x4000_0000, FrameSize::Large), Ok(2));
        assert_eq!(
            map_with(&mut paging, 0x80_0000_0000, FrameSize::Huge),
            Ok(1)
        );
    }

    #[test]
    fn misaligned_addresses_are_refused_before_any_call() {
        let mut paging = ModelPaging::default();
        assert_eq!(
            map_with(&mut paging, 0x1000, FrameSize::Large),
            Err(MappingError::Misaligned)
        );
        assert_eq!(paging.calls, 0);
    }

    #[test]
    fn a_kernel_that_makes_no_progress_is_detected() {
        let mut paging = ModelPaging {
            stuck: true,
            ..ModelPaging::default()
        };
        assert_eq!(
            map_with(&mut paging, 0, FrameSize::Small),
            Err(MappingError::NotProgressing(3))
        );
    }

    #[test]
    fn steps_follow_the_reported_depth() {
        assert_eq!(next_step(0, FrameSize::Small), Ok(MappingStep::MapFrame));
        assert_eq!(
            next_step(1, FrameSize::Small),
            Ok(MappingStep::AddPageTable(PageTableDepth::Pt))
        );
        assert_eq!(
            next_step(3, FrameSize::Huge),
            Ok(MappingStep::AddPageTable(PageTableDepth::Pdpt))
        );
        assert_eq!(
            next_step(1, FrameSize::Large),
            Err(MappingError::UnexpectedDepth(1))
        );
        assert_eq!(
            next_step(4, FrameSize::Small),
            Err(MappingError::UnexpectedDepth(4))
        );
    }

    #[test]
    fn table_addresses_round_down_to_the_covered_region() {
        assert_eq!(table_address(0x1234_5678, PageTableDepth::Pt), 0x1220_0000);
        assert_eq!(table_address(0x1234_5678, PageTableDepth::Pd), 0);
        assert_eq!(
            table_address(0x81_2345_6789, PageTableDepth::Pdpt),
            0x80_0000_0000
        );
    }
}
