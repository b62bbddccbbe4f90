//! NODE operations (docs/abi.md section 5). The invoked node is the destination;
//! source descriptors resolve from the caller's root node.

use crate::rights::Rights;

word_enum! {
    /// An operation on a capability node.
    pub enum NodeOperation: u64 {
        /// Copy a capability (a sibling) into slot MR2 from the descriptor in MR3.
        Copy = 1 => "COPY",
        /// Move a capability into slot MR2 from the descriptor in MR3.
        Move = 2 => "MOVE",
        /// Copy with the rights in MR4 (a subset); the copy is a child of the source.
        Mint = 3 => "MINT",
        /// Reduce the rights of slot MR2 to those in MR4 (a subset).
        Demote = 4 => "DEMOTE",
        /// Delete every capability derived from slot MR2, finalising objects whose
        /// last capability goes.
        Revoke = 5 => "REVOKE",
        /// Delete slot MR2's capability, finalising the object if it was the last.
        Remove = 6 => "REMOVE",
    }
}

/// MR of the slot index in the invoked node (destination of COPY/MOVE/MINT, target
/// of DEMOTE/REVOKE/REMOVE).
pub const INDEX_MR: usize = 2;
/// MR of the source descriptor (COPY, MOVE, MINT), resolved from the caller's root.
pub const SOURCE_DESCRIPTOR_MR: usize = 3;
/// MR of the new rights (MINT, DEMOTE); must be a subset of the old rights.
pub const NEW_RIGHTS_MR: usize = 4;

impl NodeOperation {
    /// Rights needed on the invoked node. Spec: COPY READ|WRITE, MOVE WRITE.
    /// KOITO: MINT as COPY; DEMOTE, REVOKE, REMOVE change a slot, so WRITE.
    #[must_use]
    pub const fn required_rights(self) -> Rights {
        match self {
            Self::Copy | Self::Mint => Rights::READ.union(Rights::WRITE),
            Self::Move | Self::Demote | Self::Revoke | Self::Remove => Rights::WRITE,
        }
    }

    /// Rights needed on the source capability. Spec: COPY needs COPY; KOITO: MINT
    /// too. Nothing for the others.
    #[must_use]
    pub const fn required_source_rights(self) -> Rights {
        match self {
            Self::Copy | Self::Mint => Rights::COPY,
            Self::Move | Self::Demote | Self::Revoke | Self::Remove => Rights::NONE,
        }
    }

    /// True for the operations that take a source descriptor in
    /// [`SOURCE_DESCRIPTOR_MR`].
    #[must_use]
    pub const fn has_source(self) -> bool {
        matches!(self, Self::Copy | Self::Move | Self::Mint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        let names = ["COPY", "MOVE", "MINT", "DEMOTE", "REVOKE", "REMOVE"];
        assert_eq!(NodeOperation::ALL.len(), names.len());
        for (i, &operation) in NodeOperation::ALL.iter().enumerate() {
            let number = i as u64 + 1;
            assert_eq!(operation.as_word(), number);
            assert_eq!(operation.name(), names[i]);
            assert_eq!(NodeOperation::try_from(number), Ok(operation));
        }
        for word in [0, 7, u64::MAX] {
            assert_eq!(NodeOperation::try_from(word), Err(word));
        }
    }

    #[test]
    fn rights_follow_the_spec() {
        assert_eq!(
            NodeOperation::Copy.required_rights(),
            Rights::READ | Rights::WRITE
        );
        assert_eq!(NodeOperation::Copy.required_source_rights(), Rights::COPY);
        assert_eq!(NodeOperation::Move.required_rights(), Rights::WRITE);
        assert_eq!(NodeOperation::Move.required_source_rights(), Rights::NONE);
        for &operation in NodeOperation::ALL {
            assert!(!operation.required_rights().is_empty());
            assert_eq!(
                operation.has_source(),
                operation.as_word() <= 3,
                "{operation:?}"
            );
        }
    }
}
