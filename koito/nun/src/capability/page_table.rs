//! PAGE_TABLE: a page table of depth 1 (PT), 2 (PD) or 3 (PDPT); no operations.

capability_handle! {
    /// A page table. It has no operations of its own: map it into an address space
    /// at its depth ([`AddressSpace::map`](crate::capability::AddressSpace::map)),
    /// which is what [`mapping`](crate::mapping) does for you.
    ///
    /// ```no_run
    /// use a9n_abi::{CapabilityType, RootSlot};
    /// use a9n_abi::paging::{MapAttributes, PageTableDepth};
    /// use nun::capability::{AddressSpace, Generic, Node, PageTable};
    ///
    /// let root = Node::new(RootSlot::RootNode.descriptor(), 8);
    /// let memory = Generic::new(Node::new(RootSlot::GenericNode.descriptor(), 8).slot(0).unwrap());
    /// memory.convert(CapabilityType::PageTable, PageTableDepth::Pt.as_word(), 1, root.descriptor(), 30)?;
    /// let table = PageTable::new(root.slot(30).unwrap());
    /// AddressSpace::new(RootSlot::AddressSpace.descriptor())
    ///     .map(table.descriptor(), 0x4000_0000, MapAttributes::READ)?;
    /// # Ok::<(), a9n_abi::CapabilityError>(())
    /// ```
    PageTable
}
