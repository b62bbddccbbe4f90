//! The operation number: word 0 of every request.

protocol_enum! {
    /// What a request asks mm-server to do (payload word 0, i.e. MR4).
    ///
    /// 0 is not an operation, so an all-zero payload is never a valid request.
    pub enum Operation {
        /// Convert kernel objects for the caller and transfer their capabilities.
        AllocateObject = 1 => "ALLOCATE_OBJECT",
        /// Destroy an object made by ALLOCATE_OBJECT (revoke) so its memory is reused.
        FreeObject = 2 => "FREE_OBJECT",
        /// Make an empty address space managed (paged) by mm-server.
        CreateAddressSpace = 3 => "CREATE_ADDRESS_SPACE",
        /// Destroy an address space: every frame and page table goes back.
        DestroyAddressSpace = 4 => "DESTROY_ADDRESS_SPACE",
        /// Add an anonymous (demand-zero) region, optionally a grow-down stack.
        MapAnonymous = 5 => "MAP_ANONYMOUS",
        /// Add a region backed by a fixed physical range (device memory).
        MapDevice = 6 => "MAP_DEVICE",
        /// Make a new shared buffer and map it into two address spaces.
        MapSharedBuffer = 7 => "MAP_SHARED_BUFFER",
        /// Remove every region (or part of one) in a range.
        Unmap = 8 => "UNMAP",
        /// Change the permissions of a fully mapped range.
        Protect = 9 => "PROTECT",
        /// Query, set up, grow or shrink the heap (program break).
        Brk = 10 => "BRK",
        /// Copy an address space, copy-on-write (for fork).
        CloneAddressSpace = 11 => "CLONE_ADDRESS_SPACE",
        /// Set a client's memory limit.
        SetLimit = 12 => "SET_LIMIT",
        /// Report free/used memory, system-wide and for one client.
        Stats = 13 => "STATS",
        /// Name the IPC port that receives the faults mm-server cannot resolve.
        RegisterFaultHandler = 14 => "REGISTER_FAULT_HANDLER",
        /// Add an anonymous region whose contents are a copy-on-write copy of a
        /// range of another (or the same) address space.
        CopyRange = 15 => "COPY_RANGE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_numbered_from_one_and_round_trip() {
        assert_eq!(Operation::ALL.len(), 15);
        for (index, &operation) in Operation::ALL.iter().enumerate() {
            assert_eq!(operation.as_word(), index as u64 + 1);
            assert_eq!(Operation::from_word(index as u64 + 1), Some(operation));
        }
        assert_eq!(Operation::from_word(0), None);
        assert_eq!(Operation::from_word(16), None);
        assert_eq!(Operation::from_word(u64::MAX), None);
        assert_eq!(Operation::Brk.name(), "BRK");
    }
}
