//! Generic CONVERT planning: where the next objects go in a Generic, checked before
//! anything changes (docs/abi.md section 12).
//!
//! A Generic capability keeps its size in bits and a device flag in its first data
//! word and its watermark (bytes used from its base) in its second.

use a9n_abi::capability_type::CapabilityType;
use a9n_abi::error::CapabilityError;
use a9n_abi::object::object_size_bits;

use crate::capability::Capability;

/// Device flag bit in a Generic's (or frame's) first data word.
pub const DEVICE_FLAG: u64 = 1 << 8;

/// A Generic's state, decoded from its capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GenericState {
    /// Physical base address.
    pub base: u64,
    /// log2 of its size.
    pub size_bits: u32,
    /// Device memory (only frames and Generics may be made from it; never zeroed).
    pub device: bool,
    /// Bytes used from the base.
    pub watermark: u64,
}

impl GenericState {
    /// Reads the state out of a Generic capability.
    #[must_use]
    pub const fn of(capability: &Capability) -> Self {
        Self {
            base: capability.object,
            size_bits: (capability.data[0] & 0xff) as u32,
            device: capability.data[0] & DEVICE_FLAG != 0,
            watermark: capability.data[1],
        }
    }

    /// Size in bytes.
    #[must_use]
    pub const fn size(&self) -> u64 {
        1 << self.size_bits
    }

    /// The capability data words for this state.
    #[must_use]
    pub const fn data(&self) -> [u64; 3] {
        [
            self.size_bits as u64 | if self.device { DEVICE_FLAG } else { 0 },
            self.watermark,
            0,
        ]
    }
}

/// Where CONVERT puts its objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConversionPlan {
    /// Physical address of the first object.
    pub first_object: u64,
    /// log2 of each object's size.
    pub object_size_bits: u32,
    /// How many objects.
    pub count: u64,
    /// The Generic's watermark afterwards.
    pub new_watermark: u64,
}

/// Plans converting `count` objects of `object_type` (with CONVERT's `specific`
/// bits) from `generic`. All-or-nothing: an error means nothing may change.
pub fn plan(
    generic: &Capability,
    object_type: CapabilityType,
    specific: u64,
    count: u64,
) -> Result<ConversionPlan, CapabilityError> {
    let state = GenericState::of(generic);
    let size_bits =
        object_size_bits(object_type, specific).ok_or(CapabilityError::InvalidArgument)?;
    if count == 0 || (state.device && !object_type.is_device_convertible()) {
        return Err(CapabilityError::InvalidArgument);
    }
    let object_size = 1u64 << size_bits;
    let first_offset = state
        .watermark
        .checked_next_multiple_of(object_size)
        .ok_or(CapabilityError::InvalidArgument)?;
    let total = count
        .checked_mul(object_size)
        .and_then(|total| first_offset.checked_add(total))
        .ok_or(CapabilityError::InvalidArgument)?;
    // The base is aligned to the Generic's size, so offsets aligned to the object
    // size give aligned physical addresses as long as the object is not larger.
    if size_bits > state.size_bits || total > state.size() {
        return Err(CapabilityError::InvalidArgument);
    }
    Ok(ConversionPlan {
        first_object: state.base + first_offset,
        object_size_bits: size_bits,
        count,
        new_watermark: total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use a9n_abi::rights::Rights;

    fn generic(size_bits: u32, watermark: u64, device: bool) -> Capability {
        let state = GenericState {
            base: 0x100_0000,
            size_bits,
            device,
            watermark,
        };
        let mut capability = Capability::new(CapabilityType::Generic, Rights::ALL, state.base);
        capability.data = state.data();
        capability
    }

    #[test]
    fn objects_are_aligned_to_their_size_past_the_watermark() {
        let plan = plan(
            &generic(20, 64, false),
            CapabilityType::ProcessControlBlock,
            0,
            2,
        )
        .unwrap();
        assert_eq!(plan.first_object, 0x100_1000);
        assert_eq!(plan.new_watermark, 0x3000);
        let plan = super::plan(&generic(20, 0, false), CapabilityType::Node, 4, 3).unwrap();
        assert_eq!(plan.object_size_bits, 10);
        assert_eq!(plan.new_watermark, 3 << 10);
    }

    #[test]
    fn exhaustion_and_bad_arguments_are_refused() {
        let full = generic(12, 4096, false);
        assert_eq!(
            plan(&full, CapabilityType::IpcPort, 0, 1),
            Err(CapabilityError::InvalidArgument)
        );
        let small = generic(12, 0, false);
        assert_eq!(
            plan(&small, CapabilityType::Frame, 21, 1),
            Err(CapabilityError::InvalidArgument)
        );
        assert_eq!(
            plan(&small, CapabilityType::IpcPort, 0, 0),
            Err(CapabilityError::InvalidArgument)
        );
        assert_eq!(
            plan(&small, CapabilityType::IpcPort, 0, 65),
            Err(CapabilityError::InvalidArgument)
        );
        assert!(plan(&small, CapabilityType::IpcPort, 0, 64).is_ok());
        assert_eq!(
            plan(&small, CapabilityType::IoPort, 0, 1),
            Err(CapabilityError::InvalidArgument)
        );
        assert_eq!(
            plan(&small, CapabilityType::Node, 0, 1),
            Err(CapabilityError::InvalidArgument)
        );
        assert_eq!(
            plan(&small, CapabilityType::IpcPort, 0, u64::MAX),
            Err(CapabilityError::InvalidArgument)
        );
    }

    #[test]
    fn device_memory_makes_only_frames_and_generics() {
        let device = generic(21, 0, true);
        assert!(plan(&device, CapabilityType::Frame, 12, 1).is_ok());
        assert!(plan(&device, CapabilityType::Generic, 12, 1).is_ok());
        assert_eq!(
            plan(&device, CapabilityType::Node, 4, 1),
            Err(CapabilityError::InvalidArgument)
        );
    }
}
