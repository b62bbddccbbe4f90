//! The offsets, sizes and example words quoted in docs/abi.md, checked against the
//! crate, so that the reference cannot drift from the code.

use core::mem::{offset_of, size_of};

use a9n_abi::boot::{BootInfo, InitImage};
use a9n_abi::descriptor::Descriptor;
use a9n_abi::init::InitInfo;
use a9n_abi::ipc_buffer::IpcBuffer;
use a9n_abi::test_exit::{FAILURE, KERNEL_FAULT, LOADER_FAILURE, SUCCESS, qemu_status};

#[test]
fn boot_info_offsets_in_section_8() {
    assert_eq!(offset_of!(BootInfo, memory_map), 32);
    assert_eq!(offset_of!(BootInfo, kernel), 6176);
    assert_eq!(offset_of!(BootInfo, init), 6200);
    assert_eq!(offset_of!(BootInfo, arch_info), 6448);
    assert_eq!(offset_of!(BootInfo, module_count), 7472);
    assert_eq!(offset_of!(BootInfo, modules), 7480);
    assert_eq!(size_of::<BootInfo>(), 8504);
    assert_eq!(size_of::<InitImage>(), 248);
    assert_eq!(offset_of!(InitImage, init_info_address), 32);
    assert_eq!(offset_of!(InitImage, ipc_buffer_address), 40);
    assert_eq!(offset_of!(InitImage, segments), 56);
}

#[test]
fn ipc_buffer_offsets_in_section_3() {
    assert_eq!(offset_of!(IpcBuffer, transfer_source_descriptors), 3952);
    assert_eq!(offset_of!(IpcBuffer, transfer_destination_node), 4080);
    assert_eq!(offset_of!(IpcBuffer, transfer_destination_index), 4088);
}

#[test]
fn init_info_offsets_in_section_9() {
    assert_eq!(offset_of!(InitInfo, ipc_buffer_address), 1032);
    assert_eq!(offset_of!(InitInfo, image_address), 1040);
    assert_eq!(offset_of!(InitInfo, generic_count), 1096);
    assert_eq!(offset_of!(InitInfo, generics), 1104);
    assert_eq!(offset_of!(InitInfo, module_count), 3024);
    assert_eq!(offset_of!(InitInfo, modules), 3032);
    assert_eq!(offset_of!(InitInfo, reserved), 4056);
    assert_eq!(size_of::<InitInfo>(), 4096);
}

#[test]
fn descriptor_examples_in_section_4() {
    assert_eq!(Descriptor::ROOT_NODE.as_word(), 0);
    let generic_node = Descriptor::root_slot(8, 7).unwrap();
    assert_eq!(
        generic_node.child(8, 3).unwrap().as_word(),
        0x1007_0300_0000_0000
    );
}

#[test]
fn exit_statuses_in_section_10() {
    assert_eq!(
        [SUCCESS, FAILURE, KERNEL_FAULT, LOADER_FAILURE].map(qemu_status),
        [33, 35, 37, 39]
    );
}
