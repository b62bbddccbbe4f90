//! Starting the memory server (issue 5): from the boot module `mm-server.elf`, with
//! every Generic capability moved to it (init keeps none) and a copy of the frame
//! holding `init_info` (so it knows the Generics' sizes).

use a9n_abi::InitInfo;
use a9n_abi::init::RootSlot;
use a9n_abi::{CapabilityType, Descriptor};
use nun::capability::{Generic, Node};
use nun::server_start::FIRST_GIVEN_SLOT;

use crate::child_space::{ChildError, kernel};
use crate::object_factory::ObjectFactory;
use crate::server_launcher::{self, Gift, Server};

/// The module the memory server comes from.
pub const MODULE: &str = "mm-server.elf";
/// Init's root slot for the node of its own window page tables.
const SCRATCH_NODE_SLOT: u64 = 12;
/// Init's root slot for the memory server's root node.
const SERVER_NODE_SLOT: u64 = 13;
/// The memory server's root slot of the node of Generics.
pub const GENERIC_NODE_GIFT_SLOT: u64 = FIRST_GIVEN_SLOT;
/// The memory server's root slot of the `init_info` frame.
pub const INIT_INFO_GIFT_SLOT: u64 = FIRST_GIVEN_SLOT + 1;

/// Whether the image has the module.
#[must_use]
pub fn present(info: &InitInfo) -> bool {
    info.module_descriptions().iter().any(|module| {
        module.name.starts_with(MODULE.as_bytes()) && module.name.get(MODULE.len()) == Some(&0)
    })
}

/// Launches the memory server; afterwards init holds no Generic.
pub fn launch(info: &InitInfo) -> Result<Server, ChildError> {
    let generic_node = Node::new(
        RootSlot::GenericNode.descriptor(),
        info.generic_node_radix as u32,
    );
    let index = info
        .generic_descriptions()
        .iter()
        .position(|generic| generic.is_device == 0 && generic.size_bits >= 22)
        .ok_or(ChildError::Resources("no Generic of 4 MiB or more"))?;
    let generic = Generic::new(
        generic_node
            .slot(index as u64)
            .ok_or(ChildError::Resources("bad Generic index"))?,
    );
    let root = Node::new(RootSlot::RootNode.descriptor(), a9n_abi::init::ROOT_RADIX);
    kernel(
        "convert init's scratch node",
        generic.convert(
            CapabilityType::Node,
            6,
            1,
            root.descriptor(),
            SCRATCH_NODE_SLOT,
        ),
    )?;
    let scratch_node = Node::new(
        root.slot(SCRATCH_NODE_SLOT)
            .unwrap_or(Descriptor::ROOT_NODE),
        6,
    );
    let mut scratch = ObjectFactory::new(generic, scratch_node, 0)?;
    let frame_node = Node::new(
        RootSlot::FrameNode.descriptor(),
        info.frame_node_radix as u32,
    );
    let init_info_frame = frame_node
        .slot(info.frame_count.saturating_sub(2))
        .ok_or(ChildError::Resources("bad frame index"))?;
    let gifts = [
        Gift {
            source: init_info_frame,
            slot: INIT_INFO_GIFT_SLOT,
            moved: false,
        },
        Gift {
            source: RootSlot::GenericNode.descriptor(),
            slot: GENERIC_NODE_GIFT_SLOT,
            moved: true,
        },
    ];
    let argument = info.generic_node_radix;
    server_launcher::launch(
        info,
        &mut scratch,
        SERVER_NODE_SLOT,
        MODULE,
        &gifts,
        argument,
        a9n_abi::scheduling::INIT_PRIORITY - 1,
    )
}
