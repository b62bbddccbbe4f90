//! Capability rights (docs/abi.md section 4): READ 1, WRITE 2, COPY 4, MODIFY 8.
//!
//! Every operation checks the rights it needs (see each operation's
//! `required_rights`). MINT and DEMOTE may only remove rights: the new rights must be
//! a subset ([`Rights::is_subset_of`]) of the old ones.

word_flags! {
    /// A set of capability rights.
    pub struct Rights {
        /// Observe or receive through the object (RECEIVE, WAIT, reading state).
        const READ = 1 => "READ";
        /// Change or send through the object (SEND, NOTIFY, changing state).
        const WRITE = 2 => "WRITE";
        /// Make copies (NODE COPY/MINT of this capability, IO_PORT MINT).
        const COPY = 4 => "COPY";
        /// Change the capability's identifier (IDENTIFY).
        const MODIFY = 8 => "MODIFY";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_the_spec_numbers() {
        assert_eq!(Rights::READ.bits(), 1);
        assert_eq!(Rights::WRITE.bits(), 2);
        assert_eq!(Rights::COPY.bits(), 4);
        assert_eq!(Rights::MODIFY.bits(), 8);
        assert_eq!(Rights::ALL.bits(), 15);
        assert_eq!(Rights::NONE.bits(), 0);
    }

    #[test]
    fn from_bits_accepts_every_defined_set_and_rejects_unknown_bits() {
        for bits in 0..16 {
            let rights = Rights::from_bits(bits).unwrap();
            assert_eq!(rights.bits(), bits);
            assert_eq!(Rights::try_from(bits), Ok(rights));
            assert_eq!(u64::from(rights), bits);
        }
        for bits in [16, 17, 0xff, 1 << 63, u64::MAX] {
            assert_eq!(Rights::from_bits(bits), None);
            assert_eq!(Rights::try_from(bits), Err(bits));
        }
        assert_eq!(
            Rights::from_bits_truncate(0x13),
            Rights::READ | Rights::WRITE
        );
    }

    #[test]
    fn set_operations() {
        let read_write = Rights::READ | Rights::WRITE;
        assert!(read_write.contains(Rights::READ));
        assert!(read_write.contains(read_write));
        assert!(read_write.contains(Rights::NONE));
        assert!(!read_write.contains(Rights::COPY));
        assert!(!read_write.contains(Rights::READ | Rights::COPY));
        assert!(Rights::READ.is_subset_of(read_write));
        assert!(Rights::NONE.is_subset_of(Rights::NONE));
        assert!(!Rights::ALL.is_subset_of(read_write));
        assert_eq!(read_write & (Rights::WRITE | Rights::MODIFY), Rights::WRITE);
        assert_eq!(Rights::ALL - read_write, Rights::COPY | Rights::MODIFY);
        assert!((Rights::READ & Rights::WRITE).is_empty());
        assert!(!Rights::READ.is_empty());
    }

    #[test]
    fn subset_is_exactly_contains_reversed() {
        for a in 0..16 {
            for b in 0..16 {
                let (a, b) = (Rights::from_bits(a).unwrap(), Rights::from_bits(b).unwrap());
                assert_eq!(a.is_subset_of(b), b.contains(a));
                assert_eq!(a.is_subset_of(b), a.bits() & !b.bits() == 0);
                assert_eq!(a.union(b).bits(), a.bits() | b.bits());
                assert_eq!(a.intersection(b).bits(), a.bits() & b.bits());
            }
        }
    }

    #[test]
    fn debug_names_the_flags() {
        extern crate std;
        use std::format;
        assert_eq!(format!("{:?}", Rights::NONE), "Rights()");
        assert_eq!(
            format!("{:?}", Rights::READ | Rights::MODIFY),
            "Rights(READ | MODIFY)"
        );
        assert_eq!(
            format!("{:?}", Rights::ALL),
            "Rights(READ | WRITE | COPY | MODIFY)"
        );
    }
}
