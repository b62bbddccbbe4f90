//! IRQ numbers (INTERRUPT_REGION MAKE_PORT, docs/abi.md section 5) to I/O APIC
//! inputs. IRQ 0..16 are ISA IRQs, taken through the MADT's interrupt source
//! overrides (identity, edge, active high where there is none); IRQ 16 and above
//! are global system interrupts (GSIs) as they are (level, active low: PCI). The
//! numbering is one-to-one: a GSI that an override gives to some ISA IRQ can only be
//! named as that ISA IRQ, so two IRQ numbers never reach one input.

use crate::acpi_madt::{Madt, Polarity, Trigger};

/// ISA IRQ numbers are below this; numbers from here on are GSIs.
pub const ISA_IRQ_LIMIT: u64 = 16;
/// GSIs the kernel routes (each gets a vector of its own): 0..128.
pub const GSI_LIMIT: u32 = 128;

/// How one IRQ reaches the I/O APIC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    /// The global system interrupt (below [`GSI_LIMIT`]).
    pub gsi: u32,
    /// Active low (else active high).
    pub active_low: bool,
    /// Level triggered (else edge).
    pub level_triggered: bool,
}

/// Where the IRQ number `irq` arrives, or `None` if it names no input: above the
/// limit, not wired to any I/O APIC (`covered` says which GSIs are), or an ISA IRQ
/// whose same-numbered input an override gives to another ISA IRQ (such as IRQ 2
/// when IRQ 0 arrives at GSI 2), or a GSI of 16 and above that an override gives to
/// an ISA IRQ.
#[must_use]
pub fn route(madt: &Madt, covered: impl Fn(u32) -> bool, irq: u64) -> Option<Route> {
    let route = if irq < ISA_IRQ_LIMIT {
        match madt.source_override(irq as u8) {
            Some(entry) => Route {
                gsi: entry.gsi,
                active_low: entry.polarity == Polarity::ActiveLow,
                level_triggered: entry.trigger == Trigger::Level,
            },
            None => {
                let gsi = irq as u32;
                if madt.source_overrides().any(|entry| entry.gsi == gsi) {
                    return None;
                }
                Route {
                    gsi,
                    active_low: false,
                    level_triggered: false,
                }
            }
        }
    } else {
        let gsi = u32::try_from(irq).ok()?;
        if madt.source_overrides().any(|entry| entry.gsi == gsi) {
            return None;
        }
        Route {
            gsi,
            active_low: true,
            level_triggered: true,
        }
    };
    (route.gsi < GSI_LIMIT && covered(route.gsi)).then_some(route)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acpi_madt::parse_madt;
    use std::vec;
    use std::vec::Vec;

    /// A MADT with the given override entries (bus, irq, gsi, flags).
    fn madt(overrides: &[(u8, u8, u32, u16)]) -> Madt {
        let mut bytes = vec![0u8; 44];
        bytes[..4].copy_from_slice(b"APIC");
        for &(bus, irq, gsi, flags) in overrides {
            let mut entry: Vec<u8> = vec![2, 10, bus, irq];
            entry.extend_from_slice(&gsi.to_le_bytes());
            entry.extend_from_slice(&flags.to_le_bytes());
            bytes.extend_from_slice(&entry);
        }
        parse_madt(&bytes, 0).expect("a valid MADT")
    }

    fn below_24(gsi: u32) -> bool {
        gsi < 24
    }

    fn qemu() -> Madt {
        madt(&[
            (0, 0, 2, 0),
            (0, 5, 5, 0b1101),
            (0, 9, 9, 0b1101),
            (0, 10, 10, 0b1101),
            (0, 11, 11, 0b1101),
        ])
    }

    #[test]
    fn isa_irqs_without_override_are_identity_edge_active_high() {
        for irq in [1, 3, 4, 8, 15] {
            assert_eq!(
                route(&qemu(), below_24, irq),
                Some(Route {
                    gsi: irq as u32,
                    active_low: false,
                    level_triggered: false
                })
            );
        }
    }

    #[test]
    fn overrides_move_isa_irqs_and_set_their_modes() {
        assert_eq!(
            route(&qemu(), below_24, 0),
            Some(Route {
                gsi: 2,
                active_low: false,
                level_triggered: false
            })
        );
        assert_eq!(
            route(&qemu(), below_24, 9),
            Some(Route {
                gsi: 9,
                active_low: false,
                level_triggered: true
            })
        );
        let low = madt(&[(0, 9, 20, 0b1111)]);
        assert_eq!(
            route(&low, below_24, 9),
            Some(Route {
                gsi: 20,
                active_low: true,
                level_triggered: true
            })
        );
    }

    #[test]
    fn an_input_taken_by_an_override_has_one_name_only() {
        // IRQ 2 would be GSI 2, which belongs to IRQ 0.
        assert_eq!(route(&qemu(), below_24, 2), None);
        // GSI 20 belongs to ISA IRQ 9.
        let moved = madt(&[(0, 9, 20, 0)]);
        assert_eq!(route(&moved, below_24, 20), None);
        assert!(route(&moved, below_24, 21).is_some());
        // GSI 9 itself is free again, but only as ISA IRQ 9, which now means 20.
        assert_eq!(route(&moved, below_24, 9).map(|route| route.gsi), Some(20));
    }

    #[test]
    fn gsis_from_16_are_level_active_low() {
        assert_eq!(
            route(&qemu(), below_24, 16),
            Some(Route {
                gsi: 16,
                active_low: true,
                level_triggered: true
            })
        );
        assert!(route(&qemu(), below_24, 23).is_some());
    }

    #[test]
    fn numbers_without_an_input_have_no_route() {
        for irq in [24, 127, 128, 1000, u64::from(u32::MAX) + 16, u64::MAX] {
            assert_eq!(route(&qemu(), below_24, irq), None, "IRQ {irq}");
        }
        assert_eq!(
            route(&qemu(), |_| true, 127).map(|route| route.gsi),
            Some(127)
        );
        assert_eq!(route(&qemu(), |_| true, 128), None);
        // No I/O APIC at all.
        assert_eq!(route(&qemu(), |_| false, 4), None);
        // An override to a GSI no I/O APIC has.
        assert_eq!(route(&madt(&[(0, 4, 40, 0)]), below_24, 4), None);
    }
}
