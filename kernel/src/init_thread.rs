//! Creating the initial thread (docs/abi.md section 9): its PCB, address space,
//! root node and the nodes of slots 4, 5, 7 and 10 come from the boot allocator;
//! every page left free becomes a Generic in slot 7; `init_info` is written into
//! the init image; then the thread is made runnable.

use a9n_abi::boot::{BootInfo, MemoryType, PAGE_SIZE, SEGMENT_EXECUTE, SEGMENT_WRITE};
use a9n_abi::capability_type::CapabilityType;
use a9n_abi::init::{GENERIC_CAPACITY, INIT_INFO_VERSION, InitInfo, ROOT_RADIX, RootSlot};
use a9n_abi::object::{SLOT_SIZE_BITS, initial_rights};
use a9n_abi::operation::io_port::MAX_PORT;
use a9n_abi::register::Register;
use a9n_abi::rights::Rights;
use a9n_abi::scheduling::INIT_PRIORITY;
use a9n_core::capability::Capability;
use a9n_core::capability_tree::{self, SLOT_SIZE};
use a9n_core::generic_conversion::GenericState;
use a9n_core::physical_memory::{PhysicalMemory, aligned_blocks};

use crate::arch::object_memory::{PhysicalSlots, write_init_info, zero};
use crate::arch::paging;
use crate::thread::{InternalSlot, Thread};
use crate::{address_space_ids, scheduler, thread_setup, user_page_tables};

/// Why init could not be created.
#[derive(Clone, Copy, Debug)]
pub enum InitError {
    /// The boot allocator ran out of memory.
    OutOfMemory,
    /// The init image description is unusable.
    BadImage,
    /// More page tables than the fixed table here can record.
    TooManyPageTables,
}

/// What init got, for the boot log.
#[derive(Clone, Copy, Debug)]
pub struct InitSummary {
    /// Number of Generics in slot 7.
    pub generic_count: u64,
    /// Bytes of Generic memory (not device memory).
    pub generic_bytes: u64,
    /// Bytes of free memory that did not fit the Generic list.
    pub dropped_bytes: u64,
}

/// Page tables the init image needs at most (one PDPT, one PD, PTs for 16 MiB).
const PAGE_TABLE_CAPACITY: usize = 16;

/// Radix big enough for `count` slots (at least 1).
fn radix_for(count: u64) -> u32 {
    (64 - count.max(2).saturating_sub(1).leading_zeros()).max(1)
}

/// Zeroed, physically contiguous memory for a node of `radix`.
fn allocate_node(memory: &mut PhysicalMemory, radix: u32) -> Result<u64, InitError> {
    let bytes = (1u64 << (radix + SLOT_SIZE_BITS)).max(PAGE_SIZE);
    let pages = bytes / PAGE_SIZE;
    let address = memory
        .allocate_contiguous(pages)
        .ok_or(InitError::OutOfMemory)?;
    zero(address, bytes);
    Ok(address)
}

fn allocate_page(memory: &mut PhysicalMemory) -> Result<u64, InitError> {
    let page = memory.allocate_page().ok_or(InitError::OutOfMemory)?;
    zero(page, PAGE_SIZE);
    Ok(page)
}

fn node_capability(address: u64, radix: u32) -> Capability {
    let mut capability = Capability::new(CapabilityType::Node, Rights::ALL, address);
    capability.data[0] = u64::from(radix);
    capability
}

/// A page table made for the init image.
#[derive(Clone, Copy, Default)]
struct MadeTable {
    address: u64,
    depth: u64,
    base: u64,
}

/// Maps one 4 KiB page of init, making page tables as needed.
fn map_init_page(
    memory: &mut PhysicalMemory,
    root: u64,
    tables: &mut [MadeTable; PAGE_TABLE_CAPACITY],
    table_count: &mut usize,
    virtual_address: u64,
    frame: u64,
    flags: u64,
) -> Result<(), InitError> {
    loop {
        let depth = user_page_tables::unset_depth(root, virtual_address, 12);
        if depth == 0 {
            break;
        }
        if *table_count >= PAGE_TABLE_CAPACITY {
            return Err(InitError::TooManyPageTables);
        }
        let table = allocate_page(memory)?;
        let level = depth as u32 + 1;
        let covered = 12 + 9 * depth as u32;
        let base = virtual_address & !((1u64 << covered) - 1);
        let entry =
            user_page_tables::entry_address(root, base, level).ok_or(InitError::BadImage)?;
        user_page_tables::set_table_entry(entry, table);
        tables[*table_count] = MadeTable {
            address: table,
            depth,
            base,
        };
        *table_count += 1;
    }
    let entry =
        user_page_tables::entry_address(root, virtual_address, 1).ok_or(InitError::BadImage)?;
    user_page_tables::set_frame_entry(
        entry,
        frame,
        12,
        flags & SEGMENT_WRITE != 0,
        flags & SEGMENT_EXECUTE != 0,
        false,
    );
    Ok(())
}

/// Flags of the init page at `virtual_address`, or `None` if no segment holds it.
fn page_flags(info: &BootInfo, virtual_address: u64) -> Option<u64> {
    let image = &info.init;
    if virtual_address == image.init_info_address {
        return Some(0);
    }
    if virtual_address == image.ipc_buffer_address {
        return Some(SEGMENT_WRITE);
    }
    info.init_segments()
        .iter()
        .find(|segment| {
            segment.virtual_address <= virtual_address
                && virtual_address < segment.virtual_address + segment.size
        })
        .map(|segment| segment.flags)
}

/// Builds init and makes it runnable.
pub fn create(info: &BootInfo, memory: &mut PhysicalMemory) -> Result<InitSummary, InitError> {
    let image = info.init;
    if image.size == 0
        || !image.size.is_multiple_of(PAGE_SIZE)
        || !image.virtual_address.is_multiple_of(PAGE_SIZE)
    {
        return Err(InitError::BadImage);
    }
    let frame_count = image.size / PAGE_SIZE;
    let module_pages: u64 = info
        .boot_modules()
        .iter()
        .map(|module| module.size.div_ceil(PAGE_SIZE))
        .sum();

    // Objects from the boot allocator.
    let pcb = allocate_page(memory)?;
    thread_setup::initialise(pcb);
    let root_node = allocate_node(memory, ROOT_RADIX)?;
    let pml4 = allocate_page(memory)?;
    paging::copy_kernel_half(pml4);
    let token = address_space_ids::allocate(pml4).ok_or(InitError::OutOfMemory)?;
    let frame_radix = radix_for(frame_count);
    let frame_node = allocate_node(memory, frame_radix)?;
    let page_table_radix = radix_for(PAGE_TABLE_CAPACITY as u64);
    let page_table_node = allocate_node(memory, page_table_radix)?;
    let generic_radix = radix_for(GENERIC_CAPACITY as u64);
    let generic_node = allocate_node(memory, generic_radix)?;
    let module_radix = radix_for(module_pages);
    let module_node = allocate_node(memory, module_radix)?;

    // Map the image and record its frames and page tables.
    let store = &mut PhysicalSlots;
    let mut tables = [MadeTable::default(); PAGE_TABLE_CAPACITY];
    let mut table_count = 0;
    for index in 0..frame_count {
        let virtual_address = image.virtual_address + index * PAGE_SIZE;
        let frame = image.physical_address + index * PAGE_SIZE;
        let mut capability = Capability::new(CapabilityType::Frame, Rights::ALL, frame);
        capability.data[0] = 12;
        if let Some(flags) = page_flags(info, virtual_address) {
            map_init_page(
                memory,
                pml4,
                &mut tables,
                &mut table_count,
                virtual_address,
                frame,
                flags,
            )?;
            capability.data[1] = token;
            capability.data[2] = virtual_address;
        }
        capability_tree::insert_root(store, frame_node + index * SLOT_SIZE, capability);
    }
    for (index, table) in tables.iter().take(table_count).enumerate() {
        let mut capability = Capability::new(CapabilityType::PageTable, Rights::ALL, table.address);
        capability.data = [table.depth, token, table.base];
        capability_tree::insert_root(
            store,
            page_table_node + index as u64 * SLOT_SIZE,
            capability,
        );
    }

    // Boot module frames, consecutive per module.
    let mut init_info = InitInfo::new();
    init_info.version = INIT_INFO_VERSION;
    init_info.arch_info = info.arch_info;
    let mut next_module_slot = 0;
    for (index, module) in info.boot_modules().iter().enumerate() {
        let pages = module.size.div_ceil(PAGE_SIZE);
        for page in 0..pages {
            let mut capability = Capability::new(
                CapabilityType::Frame,
                Rights::ALL,
                module.physical_address + page * PAGE_SIZE,
            );
            capability.data[0] = 12;
            capability_tree::insert_root(
                store,
                module_node + (next_module_slot + page) * SLOT_SIZE,
                capability,
            );
        }
        init_info.modules[index].name = module.name;
        init_info.modules[index].size = module.size;
        init_info.modules[index].slot = next_module_slot;
        next_module_slot += pages;
    }
    init_info.module_count = info.boot_modules().len() as u64;

    // The root node.
    let slot = |root_slot: RootSlot| root_node + root_slot.as_word() * SLOT_SIZE;
    capability_tree::insert_root(
        store,
        slot(RootSlot::ProcessControlBlock),
        Capability::new(CapabilityType::ProcessControlBlock, Rights::ALL, pcb),
    );
    let mut address_space = Capability::new(CapabilityType::AddressSpace, Rights::ALL, pml4);
    address_space.data[0] = token;
    capability_tree::insert_root(store, slot(RootSlot::AddressSpace), address_space);
    capability_tree::insert_root(
        store,
        slot(RootSlot::RootNode),
        node_capability(root_node, ROOT_RADIX),
    );
    capability_tree::insert_root(
        store,
        slot(RootSlot::PageTableNode),
        node_capability(page_table_node, page_table_radix),
    );
    capability_tree::insert_root(
        store,
        slot(RootSlot::FrameNode),
        node_capability(frame_node, frame_radix),
    );
    let ipc_buffer_index = (image.ipc_buffer_address - image.virtual_address) / PAGE_SIZE;
    let ipc_buffer_source = frame_node + ipc_buffer_index * SLOT_SIZE;
    if let Some(frame) = capability_tree::capability_at(store, ipc_buffer_source) {
        capability_tree::insert_copy(
            store,
            ipc_buffer_source,
            slot(RootSlot::IpcBuffer),
            crate::mapping::without_mapping(&frame),
        );
    }
    capability_tree::insert_root(
        store,
        slot(RootSlot::GenericNode),
        node_capability(generic_node, generic_radix),
    );
    capability_tree::insert_root(
        store,
        slot(RootSlot::InterruptRegion),
        Capability::new(CapabilityType::InterruptRegion, Rights::ALL, 0),
    );
    let mut io_port = Capability::new(CapabilityType::IoPort, Rights::ALL, 0);
    io_port.data = [0, MAX_PORT, 0];
    capability_tree::insert_root(store, slot(RootSlot::IoPort), io_port);
    capability_tree::insert_root(
        store,
        slot(RootSlot::BootModuleNode),
        node_capability(module_node, module_radix),
    );

    // The thread.
    let thread = Thread(pcb);
    capability_tree::insert_copy(
        store,
        slot(RootSlot::AddressSpace),
        thread.internal_slot(InternalSlot::AddressSpace),
        address_space,
    );
    capability_tree::insert_copy(
        store,
        slot(RootSlot::RootNode),
        thread.internal_slot(InternalSlot::RootNode),
        node_capability(root_node, ROOT_RADIX),
    );
    if let Some(frame) = capability_tree::capability_at(store, slot(RootSlot::IpcBuffer)) {
        capability_tree::insert_copy(
            store,
            slot(RootSlot::IpcBuffer),
            thread.internal_slot(InternalSlot::IpcBuffer),
            frame,
        );
    }
    thread.set_register(Register::Rip, image.entry_point);
    thread.set_register(Register::Rdi, image.init_info_address);
    thread.set_register(Register::Rsp, 0);
    thread.set_priority(INIT_PRIORITY as u8);

    // Everything still free becomes Generic memory; the largest blocks first if
    // there are more than the list holds.
    let mut summary = InitSummary {
        generic_count: 0,
        generic_bytes: 0,
        dropped_bytes: 0,
    };
    let mut blocks = [(0u64, 0u32, false); 512];
    let mut block_count = 0;
    let mut add_block = |address: u64, size_bits: u32, device: bool, summary: &mut InitSummary| {
        if block_count < blocks.len() {
            blocks[block_count] = (address, size_bits, device);
            block_count += 1;
        } else if !device {
            summary.dropped_bytes += 1 << size_bits;
        }
    };
    for range in memory.free_ranges() {
        for (address, size_bits) in aligned_blocks(range.start, range.end) {
            add_block(address, size_bits, false, &mut summary);
        }
    }
    for region in info
        .memory_regions()
        .iter()
        .filter(|region| region.memory_type == MemoryType::Device as u64)
    {
        for (address, size_bits) in aligned_blocks(region.start, region.end()) {
            add_block(address, size_bits, true, &mut summary);
        }
    }
    let blocks = &mut blocks[..block_count];
    // Memory before devices, then larger before smaller.
    blocks.sort_unstable_by(|left, right| (left.2, right.1).cmp(&(right.2, left.1)));
    for (index, &(address, size_bits, device)) in blocks.iter().enumerate() {
        if index >= GENERIC_CAPACITY {
            if !device {
                summary.dropped_bytes += 1 << size_bits;
            }
            continue;
        }
        let state = GenericState {
            base: address,
            size_bits,
            device,
            watermark: 0,
        };
        let mut capability = Capability::new(
            CapabilityType::Generic,
            initial_rights(CapabilityType::Generic),
            address,
        );
        capability.data = state.data();
        capability_tree::insert_root(store, generic_node + index as u64 * SLOT_SIZE, capability);
        init_info.generics[index].physical_address = address;
        init_info.generics[index].size_bits = u64::from(size_bits);
        init_info.generics[index].is_device = u64::from(device);
        summary.generic_count += 1;
        if !device {
            summary.generic_bytes += 1 << size_bits;
        }
    }
    init_info.generic_count = summary.generic_count;
    init_info.ipc_buffer_address = image.ipc_buffer_address;
    init_info.image_address = image.virtual_address;
    init_info.page_table_node_radix = u64::from(page_table_radix);
    init_info.page_table_count = table_count as u64;
    init_info.frame_node_radix = u64::from(frame_radix);
    init_info.frame_count = frame_count;
    init_info.generic_node_radix = u64::from(generic_radix);
    init_info.boot_module_node_radix = u64::from(module_radix);
    let info_physical = image.physical_address + (image.init_info_address - image.virtual_address);
    write_init_info(info_physical, &init_info);

    scheduler::resume(thread);
    Ok(summary)
}
