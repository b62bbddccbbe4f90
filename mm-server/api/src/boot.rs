//! How init starts mm-server and the clients it serves: the root slots of the
//! capabilities init gives (`nun::server_start` layout: gifts from slot 5), the
//! argument word, and the client identifiers.
//!
//! | server | slot | capability |
//! |---|---|---|
//! | mm-server | [`GENERIC_NODE_SLOT`] (5) | init's node of every Generic (moved: init keeps none) |
//! | mm-server | [`INIT_INFO_SLOT`] (6) | the frame holding `InitInfo` (a copy; mapped read-only) |
//! | mm-server | [`SERVICE_PORT_SLOT`] (7) | the service IPC port (every right: mm-server receives on it) |
//! | test client | [`TEST_CLIENT_SLOT`] (5) | a client capability of the service port (WRITE, COPY) |
//! | test client | [`TEST_SECOND_CLIENT_SLOT`] (6) | a second one, with another identifier |
//! | test client | [`TEST_EXIT_PORT_SLOT`] (7) | IO ports `DEBUG_EXIT_PORT..=DEBUG_EXIT_PORT + 3` |
//!
//! mm-server's argument word is the radix of the Generic node. Its own capabilities
//! live in root slots from `nun::server_start::FIRST_FREE_SLOT` on.

/// mm-server's root slot of the node of Generics.
pub const GENERIC_NODE_SLOT: u64 = 5;
/// mm-server's root slot of the `InitInfo` frame.
pub const INIT_INFO_SLOT: u64 = 6;
/// mm-server's root slot of its service port.
pub const SERVICE_PORT_SLOT: u64 = 7;

/// The test client's root slot of its client capability.
pub const TEST_CLIENT_SLOT: u64 = 5;
/// The test client's root slot of a second client capability (another client, for
/// tests of one client's exhaustion while another is served).
pub const TEST_SECOND_CLIENT_SLOT: u64 = 6;
/// The test client's root slot of its IO port capability for QEMU's debug-exit port.
pub const TEST_EXIT_PORT_SLOT: u64 = 7;

/// The identifier of init's own client capability. Client 1 is the system's
/// manager: it may set any client's limit.
pub const INIT_CLIENT: u64 = 1;
/// First identifier init gives other clients.
pub const FIRST_OTHER_CLIENT: u64 = 2;
/// Client identifiers are below this; identifiers at or above it name mm-server's
/// own fault-resolver capabilities (one per address space).
pub const CLIENT_IDENTIFIER_LIMIT: u64 = 1 << 32;
