//! Property tests of the protocol: every valid message round-trips, and decoding
//! arbitrary words never panics and, when it succeeds, is the one encoding.

use a9n_abi::CapabilityType;
use mm_server_api::request::{
    AllocateObject, Brk, BrkFlags, CloneAddressSpace, CopyRange, CreateAddressSpace,
    DestroyAddressSpace, FreeObject, MAX_REQUEST_WORDS, MapAnonymous, MapDevice, MapFlags,
    MapSharedBuffer, Protect, RegisterFaultHandler, SetLimit, SharedMapping, Stats, Unmap,
};
use mm_server_api::{
    BrkReply, BufferId, ClientId, EmptyReply, FaultAccess, FaultReason, ForwardedFault,
    MAX_REPLY_WORDS, MapReply, MmError, ObjectHandle, ObjectsReply, Operation, PAGE_SIZE,
    PHYSICAL_ADDRESS_LIMIT, Protection, Request, SharedBufferReply, SpaceId, SpaceReply,
    StatsReply, USER_ADDRESS_LIMIT, encode_error,
};
use proptest::prelude::*;

const PAGES: u64 = USER_ADDRESS_LIMIT / PAGE_SIZE;

fn space() -> impl Strategy<Value = SpaceId> {
    (1..=u64::MAX).prop_map(|word| SpaceId::new(word).unwrap())
}

fn protection() -> impl Strategy<Value = Protection> {
    (0..8u64).prop_map(|bits| Protection::from_bits(bits).unwrap())
}

/// A page-aligned range inside user space: (address, length); address may be 0.
fn range() -> impl Strategy<Value = (u64, u64)> {
    (0..PAGES).prop_flat_map(|start| {
        (
            Just(start * PAGE_SIZE),
            (1..=PAGES - start).prop_map(|n| n * PAGE_SIZE),
        )
    })
}

fn allocate_object() -> impl Strategy<Value = AllocateObject> {
    let typed = prop_oneof![
        (1..=20u64).prop_map(|radix| (CapabilityType::Node, radix)),
        prop_oneof![Just(12u64), Just(21), Just(30)].prop_map(|bits| (CapabilityType::Frame, bits)),
        (1..=3u64).prop_map(|depth| (CapabilityType::PageTable, depth)),
        Just((CapabilityType::AddressSpace, 0)),
        Just((CapabilityType::ProcessControlBlock, 0)),
        Just((CapabilityType::IpcPort, 0)),
        Just((CapabilityType::NotificationPort, 0)),
    ];
    (typed, 1..=15usize).prop_map(|((object_type, specific), count)| AllocateObject {
        object_type,
        specific,
        count,
    })
}

fn map_anonymous() -> impl Strategy<Value = MapAnonymous> {
    (
        space(),
        range(),
        protection(),
        any::<bool>(),
        any::<bool>(),
        0..PAGES,
    )
        .prop_map(
            |(space, (address, length), protection, stack, no_large, extra)| {
                let mut flags = MapFlags::NONE;
                if no_large {
                    flags = flags.union(MapFlags::NO_LARGE_PAGES);
                }
                let stack_limit = if stack {
                    flags = flags.union(MapFlags::GROWS_DOWN);
                    (length + extra * PAGE_SIZE).min(USER_ADDRESS_LIMIT)
                } else {
                    0
                };
                MapAnonymous {
                    space,
                    address,
                    length,
                    protection,
                    flags,
                    stack_limit,
                }
            },
        )
}

fn copy_range() -> impl Strategy<Value = CopyRange> {
    (map_anonymous(), space(), 0..PAGES).prop_map(|(map, source_space, source_page)| CopyRange {
        target_space: map.space,
        target_address: map.address,
        length: map.length,
        protection: map.protection,
        flags: map.flags,
        stack_limit: map.stack_limit,
        source_space,
        source_address: (source_page * PAGE_SIZE).min(USER_ADDRESS_LIMIT - map.length),
    })
}

fn map_device() -> impl Strategy<Value = MapDevice> {
    (space(), range(), 0..(1u64 << 40), protection()).prop_map(
        |(space, (address, length), physical_page, protection)| MapDevice {
            space,
            address,
            length,
            physical_address: (physical_page * PAGE_SIZE).min(PHYSICAL_ADDRESS_LIMIT - length),
            protection,
        },
    )
}

fn map_shared_buffer() -> impl Strategy<Value = MapSharedBuffer> {
    (
        1..=(1u64 << 20),
        space(),
        protection(),
        space(),
        protection(),
        0..PAGES,
        0..PAGES,
    )
        .prop_map(|(pages, space1, prot1, space2, prot2, page1, page2)| {
            let length = pages * PAGE_SIZE;
            let place = |page: u64| (page * PAGE_SIZE).min(USER_ADDRESS_LIMIT - length);
            MapSharedBuffer {
                length,
                first: SharedMapping {
                    space: space1,
                    address: place(page1),
                    protection: prot1,
                },
                second: SharedMapping {
                    space: space2,
                    address: place(page2),
                    protection: prot2,
                },
            }
        })
}

fn brk() -> impl Strategy<Value = Brk> {
    (space(), 0..=USER_ADDRESS_LIMIT, any::<bool>()).prop_map(|(space, new_break, set_base)| {
        if set_base {
            Brk {
                space,
                new_break: (new_break & !(PAGE_SIZE - 1)).max(PAGE_SIZE),
                flags: BrkFlags::SET_BASE,
            }
        } else {
            Brk {
                space,
                new_break,
                flags: BrkFlags::NONE,
            }
        }
    })
}

/// Any valid request.
fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        allocate_object().prop_map(Request::AllocateObject),
        (1..=u64::MAX).prop_map(|handle| Request::FreeObject(FreeObject {
            handle: ObjectHandle::new(handle).unwrap()
        })),
        Just(Request::CreateAddressSpace(CreateAddressSpace)),
        space().prop_map(|space| Request::DestroyAddressSpace(DestroyAddressSpace { space })),
        map_anonymous().prop_map(Request::MapAnonymous),
        map_device().prop_map(Request::MapDevice),
        map_shared_buffer().prop_map(Request::MapSharedBuffer),
        (space(), range()).prop_map(|(space, (address, length))| Request::Unmap(Unmap {
            space,
            address,
            length
        })),
        (space(), range(), protection()).prop_map(|(space, (address, length), protection)| {
            Request::Protect(Protect {
                space,
                address,
                length,
                protection,
            })
        }),
        brk().prop_map(Request::Brk),
        space().prop_map(|space| Request::CloneAddressSpace(CloneAddressSpace { space })),
        (any::<u64>(), any::<u64>()).prop_map(|(client, limit_bytes)| Request::SetLimit(
            SetLimit {
                client: ClientId(client),
                limit_bytes
            }
        )),
        any::<u64>().prop_map(|client| Request::Stats(Stats {
            client: ClientId(client)
        })),
        space().prop_map(|space| Request::RegisterFaultHandler(RegisterFaultHandler { space })),
        copy_range().prop_map(Request::CopyRange),
    ]
}

/// Words that look like requests: a plausible operation word, a plausible length,
/// and fields drawn from values near every boundary the decoders check.
fn hostile_words() -> impl Strategy<Value = Vec<u64>> {
    let word = prop_oneof![
        0..20u64,
        any::<u64>(),
        (0..PAGES).prop_map(|page| page * PAGE_SIZE),
        Just(USER_ADDRESS_LIMIT),
        Just(USER_ADDRESS_LIMIT - PAGE_SIZE),
        Just(u64::MAX),
        Just(u64::MAX - PAGE_SIZE + 1),
        Just(1u64 << 52),
    ];
    proptest::collection::vec(word, 0..14)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_valid_request_round_trips(request in request()) {
        let mut words = [0u64; MAX_REQUEST_WORDS];
        let length = request.encode(&mut words);
        prop_assert!(length >= 1);
        prop_assert_eq!(words[0], request.operation().as_word());
        prop_assert_eq!(Request::decode(&words[..length]), Ok(request));
        // Any other length is rejected.
        prop_assert!(Request::decode(&words[..length - 1]).is_err());
        let mut longer = [0u64; MAX_REQUEST_WORDS + 1];
        longer[..length].copy_from_slice(&words[..length]);
        prop_assert!(Request::decode(&longer[..=length]).is_err());
        // A buffer one word short is refused, not overrun.
        prop_assert_eq!(request.encode(&mut words[..length - 1]), 0);
    }

    #[test]
    fn decoding_arbitrary_words_never_panics_and_is_canonical(words in hostile_words()) {
        if let Ok(request) = Request::decode(&words) {
            let mut again = [0u64; MAX_REQUEST_WORDS];
            let length = request.encode(&mut again);
            prop_assert_eq!(&again[..length], &words[..]);
        }
        // The reply and fault decoders also never panic.
        let _ = StatsReply::decode(&words);
        let _ = ObjectsReply::decode(&words);
        let _ = SharedBufferReply::decode(&words);
        let _ = MapReply::decode(&words);
        let _ = BrkReply::decode(&words);
        let _ = SpaceReply::decode(&words);
        let _ = EmptyReply::decode(&words);
        let _ = ForwardedFault::decode(&words);
    }

    #[test]
    fn mutating_one_word_of_a_valid_request_decodes_canonically_or_fails(
        request in request(),
        index in 0..MAX_REQUEST_WORDS,
        replacement in hostile_words(),
    ) {
        let mut words = [0u64; MAX_REQUEST_WORDS];
        let length = request.encode(&mut words);
        let index = index % length;
        words[index] = replacement.first().copied().unwrap_or(0);
        if let Ok(decoded) = Request::decode(&words[..length]) {
            let mut again = [0u64; MAX_REQUEST_WORDS];
            let again_length = decoded.encode(&mut again);
            prop_assert_eq!(&again[..again_length], &words[..length]);
        }
    }

    #[test]
    fn decoding_fully_random_words_never_panics(words in proptest::collection::vec(any::<u64>(), 0..300)) {
        let _ = Request::decode(&words);
        let _ = StatsReply::decode(&words);
        let _ = ForwardedFault::decode(&words);
    }

    #[test]
    fn each_operation_decoder_rejects_other_operations(request in request(), other in 1..=15u64) {
        let mut words = [0u64; MAX_REQUEST_WORDS];
        let length = request.encode(&mut words);
        words[0] = other;
        let decoded = Request::decode(&words[..length]);
        if let Ok(decoded) = decoded {
            prop_assert_eq!(decoded.operation(), Operation::from_word(other).unwrap());
        }
    }

    #[test]
    fn replies_round_trip(
        first in 1..u64::MAX - 20,
        count in 1..=15usize,
        space in space(),
        page in 0..PAGES,
        page2 in 0..PAGES,
        figures in proptest::array::uniform6(any::<u64>()),
        error in 0..9usize,
        fault_address in any::<u64>(),
        access in 0..3usize,
        reason in 0..4usize,
    ) {
        let mut words = [0u64; MAX_REPLY_WORDS];
        let objects = ObjectsReply { first: ObjectHandle::new(first).unwrap(), count };
        let n = objects.encode(&mut words);
        prop_assert_eq!(ObjectsReply::decode(&words[..n]), Ok(Ok(objects)));
        let reply = SpaceReply { space };
        let n = reply.encode(&mut words);
        prop_assert_eq!(SpaceReply::decode(&words[..n]), Ok(Ok(reply)));
        let reply = MapReply { address: page * PAGE_SIZE };
        let n = reply.encode(&mut words);
        prop_assert_eq!(MapReply::decode(&words[..n]), Ok(Ok(reply)));
        let reply = SharedBufferReply {
            buffer: BufferId::new(first).unwrap(),
            first_address: page * PAGE_SIZE,
            second_address: page2 * PAGE_SIZE,
        };
        let n = reply.encode(&mut words);
        prop_assert_eq!(SharedBufferReply::decode(&words[..n]), Ok(Ok(reply)));
        let reply = BrkReply { current_break: fault_address % (USER_ADDRESS_LIMIT + 1) };
        let n = reply.encode(&mut words);
        prop_assert_eq!(BrkReply::decode(&words[..n]), Ok(Ok(reply)));
        let [a, b, c, d, e, f] = figures;
        let reply = StatsReply {
            total_bytes: a.max(b),
            free_bytes: a.min(b),
            client_used_bytes: c,
            client_limit_bytes: d,
            client_address_spaces: e,
            client_objects: f,
        };
        let n = reply.encode(&mut words);
        prop_assert_eq!(StatsReply::decode(&words[..n]), Ok(Ok(reply)));
        let error = MmError::ALL[error];
        let n = encode_error(error, &mut words);
        prop_assert_eq!(StatsReply::decode(&words[..n]), Ok(Err(error)));
        prop_assert_eq!(EmptyReply::decode(&words[..n]), Ok(Err(error)));
        let fault = ForwardedFault {
            space,
            address: fault_address,
            access: FaultAccess::ALL[access],
            instruction_pointer: first,
            reason: FaultReason::ALL[reason],
        };
        let mut fault_words = [0u64; ForwardedFault::WORDS];
        prop_assert_eq!(fault.encode(&mut fault_words), ForwardedFault::WORDS);
        prop_assert_eq!(ForwardedFault::decode(&fault_words), Ok(fault));
    }
}
