//! Starting the memory server (issue 5) and its clients from the boot manifest.
//!
//! Init makes mm-server's service port and one client capability per client
//! (a copy of the port, identified, left with WRITE and COPY only), then starts
//! `mm-server.elf` with every Generic capability moved to it (init keeps none), a
//! copy of the frame holding `init_info` (so it knows the Generics' sizes) and the
//! service port: the slots of `mm_server_api::boot`. Every object these servers
//! need is made before the Generics go, from the one Generic init uses.
//!
//! The boot manifest (boot module `boot.manifest`, see [`crate::boot_manifest`])
//! lists the other servers init starts when their module is in the image: for now
//! mm-server's test client and benchmark program (only the images of their boot
//! test and of `cargo xtask bench` list them, since they end QEMU when done).

use a9n_abi::init::RootSlot;
use a9n_abi::test_exit::DEBUG_EXIT_PORT;
use a9n_abi::{CapabilityType, Descriptor, InitInfo, Rights};
use mm_server_api::boot::{
    FIRST_OTHER_CLIENT, GENERIC_NODE_SLOT, INIT_CLIENT, INIT_INFO_SLOT, SERVICE_PORT_SLOT,
    TEST_CLIENT_SLOT, TEST_EXIT_PORT_SLOT, TEST_SECOND_CLIENT_SLOT,
};
use nun::capability::{Generic, IoPort, IpcPort, Node};

use crate::child_space::{ChildError, kernel};
use crate::object_factory::ObjectFactory;
use crate::server_launcher::{self, Gift, Launch, Server};

/// The module the memory server comes from.
pub const MODULE: &str = "mm-server.elf";
/// Init's root slot for the node of its own window page tables and the
/// capabilities it hands out.
const SCRATCH_NODE_SLOT: u64 = 12;
/// Init's root slot for the memory server's root node.
const SERVER_NODE_SLOT: u64 = 13;
/// mm-server's priority (below init's, above every client's).
const SERVER_PRIORITY: u64 = a9n_abi::scheduling::INIT_PRIORITY - 1;

/// A server of the boot manifest: the module, init's root slot for its root node,
/// its priority, and what it gets.
pub struct ManifestEntry {
    /// Its place in the manifest (0 for the first server listed).
    pub index: usize,
    /// Boot module name.
    pub module: alloc::string::String,
    /// Init's root slot for its root node.
    pub node_slot: u64,
    /// Its priority.
    pub priority: u64,
    /// Its role, which says what it is given.
    pub role: Role,
}

/// What a manifest server is, and so which capabilities it gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// An mm-server test or benchmark program: two client capabilities (the next
    /// two identifiers) and the IO ports of QEMU's debug-exit device.
    MemoryProgram,
    /// posix-server: the capabilities of `posix_server_api::boot` (a client
    /// capability with the next identifier, every IO port, the interrupt region);
    /// [`crate::posix_server_space`] moves it into a space mm-server makes before it
    /// starts.
    PosixServer,
}

/// The boot manifest, read once by [`launch`].
static MANIFEST: spin::Once<alloc::vec::Vec<ManifestEntry>> = spin::Once::new();

/// The servers of the boot manifest (none before [`launch`] read it, or when the
/// image has no manifest).
#[must_use]
pub fn manifest() -> &'static [ManifestEntry] {
    MANIFEST.get().map_or(&[], alloc::vec::Vec::as_slice)
}

/// Reads the boot manifest module, if the image has one.
fn read_manifest(info: &InitInfo, scratch: &mut ObjectFactory) -> Result<(), ChildError> {
    if !present(info, crate::boot_manifest::MODULE) {
        return Ok(());
    }
    let parsed =
        server_launcher::with_module(info, scratch, crate::boot_manifest::MODULE, |bytes| {
            crate::boot_manifest::parse(core::str::from_utf8(bytes).unwrap_or(""))
        })?;
    match parsed {
        Ok(entries) => {
            MANIFEST.call_once(|| entries);
            Ok(())
        }
        Err(error) => {
            nun::debug_println!("init: boot manifest line {}: {}", error.line, error.reason);
            Err(ChildError::Resources("the boot manifest is malformed"))
        }
    }
}

/// What [`launch`] started.
pub struct Started {
    /// mm-server (running).
    pub server: Server,
    /// Init's own client capability (identifier 1).
    pub client: Descriptor,
    /// The manifest servers, prepared but not started.
    pub others: alloc::vec::Vec<Prepared>,
    /// Init's factory of scratch slots (its Generic is mm-server's now: slots only).
    pub scratch: ObjectFactory,
    /// The port every started server's faults (and stops) arrive at, identified
    /// with [`SUPERVISED_MEMORY_SERVER`] for mm-server and with the manifest index
    /// plus [`FIRST_SUPERVISED_MANIFEST`] for the others.
    pub supervisor: Descriptor,
}

/// A manifest server prepared by [`launch`] (not started).
pub struct Prepared {
    /// Its manifest entry.
    pub entry: &'static ManifestEntry,
    /// The server.
    pub server: Server,
    /// For posix-server: a client capability init keeps with the server's own
    /// client identifier (mm-server's service port is gone once it runs), through
    /// which init makes the server's address space, so that the server owns it.
    pub own_client: Option<Descriptor>,
}

/// The supervisor identifier of mm-server.
pub const SUPERVISED_MEMORY_SERVER: u64 = 1;
/// The supervisor identifier of manifest entry 0.
pub const FIRST_SUPERVISED_MANIFEST: u64 = 2;

/// The supervisor identifier of a manifest server.
#[must_use]
pub const fn supervised_identifier(entry: &ManifestEntry) -> u64 {
    FIRST_SUPERVISED_MANIFEST + entry.index as u64
}

/// The name of the server with supervisor identifier `identifier`.
#[must_use]
pub fn supervised_name(identifier: u64) -> &'static str {
    if identifier == SUPERVISED_MEMORY_SERVER {
        return MODULE;
    }
    identifier
        .checked_sub(FIRST_SUPERVISED_MANIFEST)
        .and_then(|index| manifest().get(index as usize))
        .map_or("an unknown server", |entry| entry.module.as_str())
}

/// A copy of the supervisor port identified with `identifier`.
pub fn supervisor_capability(
    scratch: &mut ObjectFactory,
    port: Descriptor,
    identifier: u64,
) -> Result<Descriptor, ChildError> {
    let slot = scratch.take_slot()?;
    kernel(
        "copy the supervisor port",
        scratch.node.copy(slot.index, port),
    )?;
    kernel(
        "identify a supervised server",
        IpcPort::new(slot.descriptor).identify(identifier),
    )?;
    Ok(slot.descriptor)
}

/// Whether the image has the module `name`.
#[must_use]
pub fn present(info: &InitInfo, name: &str) -> bool {
    info.module_descriptions().iter().any(|module| {
        module.name.starts_with(name.as_bytes()) && module.name.get(name.len()) == Some(&0)
    })
}

/// A client capability of `port` identified with `identifier`, in a scratch slot.
fn client_capability(
    scratch: &mut ObjectFactory,
    port: Descriptor,
    identifier: u64,
) -> Result<Descriptor, ChildError> {
    let slot = scratch.take_slot()?;
    kernel("copy the service port", scratch.node.copy(slot.index, port))?;
    kernel(
        "identify a client capability",
        IpcPort::new(slot.descriptor).identify(identifier),
    )?;
    kernel(
        "restrict a client capability",
        scratch
            .node
            .demote(slot.index, Rights::WRITE | Rights::COPY),
    )?;
    Ok(slot.descriptor)
}

/// Prepares a manifest server with what its role gets.
fn prepare(
    info: &InitInfo,
    scratch: &mut ObjectFactory,
    port: Descriptor,
    entry: &ManifestEntry,
    next_client: &mut u64,
    supervisor: Descriptor,
    own_client: &mut Option<Descriptor>,
) -> Result<Server, ChildError> {
    match entry.role {
        Role::MemoryProgram => {
            let first = client_capability(scratch, port, *next_client)?;
            let second = client_capability(scratch, port, *next_client + 1)?;
            *next_client += 2;
            let exit = scratch.take_slot()?;
            kernel(
                "mint the debug-exit ports",
                IoPort::new(RootSlot::IoPort.descriptor()).mint(
                    u64::from(DEBUG_EXIT_PORT),
                    u64::from(DEBUG_EXIT_PORT) + 3,
                    scratch.node.descriptor(),
                    exit.index,
                ),
            )?;
            let gift = |source, slot| Gift {
                source,
                slot,
                moved: true,
            };
            server_launcher::launch(
                info,
                scratch,
                &Launch {
                    name: &entry.module,
                    root_slot: entry.node_slot,
                    gifts: &[
                        gift(first, TEST_CLIENT_SLOT),
                        gift(second, TEST_SECOND_CLIENT_SLOT),
                        gift(exit.descriptor, TEST_EXIT_PORT_SLOT),
                    ],
                    argument: 0,
                    priority: entry.priority,
                    supervisor: Some(supervisor),
                },
            )
        }
        Role::PosixServer => {
            let client = client_capability(scratch, port, *next_client)?;
            *own_client = Some(client_capability(scratch, port, *next_client)?);
            *next_client += 1;
            server_launcher::launch(
                info,
                scratch,
                &Launch {
                    name: &entry.module,
                    root_slot: entry.node_slot,
                    gifts: &[
                        Gift {
                            source: client,
                            slot: posix_server_api::boot::MEMORY_CLIENT_SLOT,
                            moved: true,
                        },
                        Gift {
                            source: RootSlot::IoPort.descriptor(),
                            slot: posix_server_api::boot::IO_PORT_SLOT,
                            moved: false,
                        },
                        Gift {
                            source: RootSlot::InterruptRegion.descriptor(),
                            slot: posix_server_api::boot::INTERRUPT_REGION_SLOT,
                            moved: false,
                        },
                    ],
                    // Written again once its space and root image are known.
                    argument: 0,
                    priority: entry.priority,
                    supervisor: Some(supervisor),
                },
            )
        }
    }
}

/// Starts the memory server and prepares the manifest servers whose module is
/// present; afterwards init holds no Generic.
pub fn launch(info: &InitInfo) -> Result<Started, ChildError> {
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
    let port = scratch.make(CapabilityType::IpcPort, 0)?.descriptor;
    let client = client_capability(&mut scratch, port, INIT_CLIENT)?;
    let supervisor = scratch.make(CapabilityType::IpcPort, 0)?.descriptor;

    let mut others = alloc::vec::Vec::new();
    let mut next_client = FIRST_OTHER_CLIENT;
    read_manifest(info, &mut scratch)?;
    for entry in manifest() {
        if present(info, &entry.module) {
            let resolver =
                supervisor_capability(&mut scratch, supervisor, supervised_identifier(entry))?;
            let mut own_client = None;
            let server = prepare(
                info,
                &mut scratch,
                port,
                entry,
                &mut next_client,
                resolver,
                &mut own_client,
            )?;
            others.push(Prepared {
                entry,
                server,
                own_client,
            });
        }
    }

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
            slot: INIT_INFO_SLOT,
            moved: false,
        },
        Gift {
            source: port,
            slot: SERVICE_PORT_SLOT,
            moved: true,
        },
        Gift {
            source: RootSlot::GenericNode.descriptor(),
            slot: GENERIC_NODE_SLOT,
            moved: true,
        },
    ];
    let resolver = supervisor_capability(&mut scratch, supervisor, SUPERVISED_MEMORY_SERVER)?;
    let server = server_launcher::launch(
        info,
        &mut scratch,
        &Launch {
            name: MODULE,
            root_slot: SERVER_NODE_SLOT,
            gifts: &gifts,
            argument: info.generic_node_radix,
            priority: SERVER_PRIORITY,
            supervisor: Some(resolver),
        },
    )?;
    server.start()?;
    Ok(Started {
        server,
        client,
        others,
        scratch,
        supervisor,
    })
}

/// Asks mm-server for the memory figures through init's client capability.
pub fn stats(client: Descriptor) -> Result<mm_server_api::StatsReply, ChildError> {
    let mut words = [0; mm_server_api::request::Stats::WORDS];
    mm_server_api::request::Stats {
        client: mm_server_api::ClientId::CALLER,
    }
    .encode(&mut words);
    let reply = kernel("call mm-server", IpcPort::new(client).call(&words))?;
    let length = reply.info().map_or(0, |info| info.length());
    let mut payload = [0; mm_server_api::MAX_REPLY_WORDS];
    for (index, word) in payload.iter_mut().enumerate().take(length) {
        *word = reply.payload(index);
    }
    match mm_server_api::StatsReply::decode(payload.get(..length).unwrap_or(&[])) {
        Ok(Ok(stats)) => Ok(stats),
        Ok(Err(_)) => Err(ChildError::Silent("mm-server refused STATS")),
        Err(_) => Err(ChildError::Silent("mm-server sent a malformed STATS reply")),
    }
}
