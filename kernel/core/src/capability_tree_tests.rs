//! Tests of the derivation tree: fixed scenarios, and random operation sequences
//! that check the tree's invariants and the finalisation of objects after each step.

use std::collections::{BTreeMap, BTreeSet};
use std::vec::Vec;

use a9n_abi::capability_type::CapabilityType;
use a9n_abi::rights::Rights;
use proptest::prelude::*;

use crate::capability::{Capability, SlotContent};
use crate::capability_tree::*;

/// Slot memory as a map; unwritten slots read as zero (empty).
#[derive(Default)]
struct MapStore {
    slots: BTreeMap<u64, [u64; 8]>,
}

impl SlotStore for MapStore {
    fn read_slot(&self, slot: SlotAddress) -> [u64; 8] {
        assert!(
            slot != 0 && slot.is_multiple_of(SLOT_SIZE),
            "bad slot address {slot:#x}"
        );
        self.slots.get(&slot).copied().unwrap_or([0; 8])
    }
    fn write_slot(&mut self, slot: SlotAddress, words: [u64; 8]) {
        assert!(
            slot != 0 && slot.is_multiple_of(SLOT_SIZE),
            "bad slot address {slot:#x}"
        );
        self.slots.insert(slot, words);
    }
}

/// Slots per test node.
const NODE_SLOTS: u64 = 4;

/// Records finalisations; nodes are containers of `NODE_SLOTS` slots at their address.
#[derive(Default)]
struct Recorder {
    removed: u64,
    finalised: Vec<(u64, u64)>,
}

impl ObjectLifecycle for Recorder {
    fn capability_removed(&mut self, _capability: &Capability) {
        self.removed += 1;
    }
    fn last_capability_removed(&mut self, capability: &Capability) -> Option<Container> {
        self.finalised
            .push((capability.object_type.as_word(), capability.object));
        (capability.object_type == CapabilityType::Node).then_some(Container {
            first_slot: capability.object,
            count: NODE_SLOTS,
        })
    }
}

fn capability(object_type: CapabilityType, object: u64) -> Capability {
    Capability::new(object_type, Rights::ALL, object)
}

fn generic(object: u64, size_bits: u64) -> Capability {
    let mut capability = capability(CapabilityType::Generic, object);
    capability.data[0] = size_bits;
    capability
}

/// Every occupied slot's links agree with its neighbours'.
fn check_links(store: &MapStore) {
    for &address in store.slots.keys() {
        let slot = load(store, address);
        match slot.content {
            SlotContent::Empty => assert_eq!(
                slot.links,
                Links::default(),
                "empty slot {address:#x} has links"
            ),
            SlotContent::CleanupLink(_) => panic!("cleanup link left behind at {address:#x}"),
            SlotContent::Capability(_) => {
                let links = slot.links;
                if links.next != 0 {
                    let next = load(store, links.next);
                    assert_eq!(next.links.previous, address);
                    assert_eq!(next.links.parent, links.parent);
                }
                if links.previous != 0 {
                    assert_eq!(load(store, links.previous).links.next, address);
                } else if links.parent != 0 {
                    assert_eq!(load(store, links.parent).links.first_child, address);
                }
                if links.first_child != 0 {
                    let child = load(store, links.first_child);
                    assert_eq!(child.links.parent, address);
                    assert_eq!(child.links.previous, 0);
                }
                if links.parent != 0 {
                    assert!(matches!(
                        load(store, links.parent).content,
                        SlotContent::Capability(_)
                    ));
                }
            }
        }
    }
}

#[test]
fn copies_are_siblings_and_mints_are_children() {
    let mut store = MapStore::default();
    let root = 0x1000;
    insert_root(&mut store, root, generic(0x10_0000, 20));
    let frame = capability(CapabilityType::Frame, 0x10_0000);
    insert_child(&mut store, root, 0x1040, frame);
    insert_copy(&mut store, 0x1040, 0x1080, frame);
    insert_child(&mut store, 0x1040, 0x10c0, frame);
    check_links(&store);
    assert_eq!(load(&store, 0x1080).links.parent, root);
    assert_eq!(load(&store, 0x10c0).links.parent, 0x1040);
    assert_eq!(deepest_descendant(&store, root), Some(0x10c0));
    let mut recorder = Recorder::default();
    delete(&mut store, &mut recorder, 0x1040);
    assert!(recorder.finalised.is_empty(), "copies remain");
    // The minted child took the deleted capability's place under the Generic.
    assert_eq!(load(&store, 0x10c0).links.parent, root);
    check_links(&store);
    delete(&mut store, &mut recorder, 0x10c0);
    delete(&mut store, &mut recorder, 0x1080);
    assert_eq!(
        recorder.finalised,
        [(CapabilityType::Frame.as_word(), 0x10_0000)]
    );
    check_links(&store);
}

#[test]
fn revoke_of_a_three_level_tree_finalises_everything_below() {
    let mut store = MapStore::default();
    insert_root(&mut store, 0x1000, generic(0x10_0000, 20));
    let port = capability(CapabilityType::IpcPort, 0x10_0000);
    insert_child(&mut store, 0x1000, 0x1040, port);
    insert_child(&mut store, 0x1040, 0x1080, port);
    insert_child(&mut store, 0x1080, 0x10c0, port);
    insert_copy(&mut store, 0x10c0, 0x1100, port);
    let mut recorder = Recorder::default();
    assert!(revoke(&mut store, &mut recorder, 0x1000));
    assert_eq!(recorder.removed, 4);
    assert_eq!(
        recorder.finalised,
        [(CapabilityType::IpcPort.as_word(), 0x10_0000)]
    );
    for slot in [0x1040, 0x1080, 0x10c0, 0x1100] {
        assert!(is_empty(&store, slot));
    }
    check_links(&store);
}

#[test]
fn a_dead_node_deletes_what_it_holds_without_recursion() {
    // A chain of 100 nodes, each holding the only capability of the next.
    let mut store = MapStore::default();
    let node_address = |index: u64| 0x100_0000 + index * 0x1000;
    insert_root(
        &mut store,
        0x1000,
        capability(CapabilityType::Node, node_address(0)),
    );
    for index in 0..100 {
        insert_root(
            &mut store,
            node_address(index) + SLOT_SIZE,
            capability(CapabilityType::Node, node_address(index + 1)),
        );
    }
    let mut recorder = Recorder::default();
    delete(&mut store, &mut recorder, 0x1000);
    assert_eq!(recorder.finalised.len(), 101);
    check_links(&store);
    assert!(store.slots.values().all(|words| words[0] == 0));
}

#[test]
fn a_node_holding_its_own_last_capability_is_cleaned() {
    let mut store = MapStore::default();
    let node = 0x20_0000;
    insert_root(
        &mut store,
        node + 2 * SLOT_SIZE,
        capability(CapabilityType::Node, node),
    );
    insert_root(
        &mut store,
        node + 3 * SLOT_SIZE,
        capability(CapabilityType::Frame, 0x40_0000),
    );
    let mut recorder = Recorder::default();
    delete(&mut store, &mut recorder, node + 2 * SLOT_SIZE);
    assert_eq!(recorder.finalised.len(), 2);
    check_links(&store);
}

#[test]
fn move_keeps_the_tree_position() {
    let mut store = MapStore::default();
    insert_root(&mut store, 0x1000, generic(0x10_0000, 20));
    let frame = capability(CapabilityType::Frame, 0x10_0000);
    insert_child(&mut store, 0x1000, 0x1040, frame);
    insert_copy(&mut store, 0x1040, 0x1080, frame);
    insert_child(&mut store, 0x1080, 0x10c0, frame);
    move_capability(&mut store, 0x1080, 0x2000);
    check_links(&store);
    assert_eq!(load(&store, 0x2000).links.parent, 0x1000);
    assert_eq!(load(&store, 0x10c0).links.parent, 0x2000);
    move_capability(&mut store, 0x1000, 0x3000);
    check_links(&store);
    assert_eq!(load(&store, 0x1040).links.parent, 0x3000);
}

/// One random step of the property test.
#[derive(Clone, Debug)]
enum Step {
    Convert { kind: u8, slot: usize },
    Copy { from: usize, to: usize },
    Mint { from: usize, to: usize },
    Move { from: usize, to: usize },
    Delete { slot: usize },
    Revoke { slot: usize },
}

fn step() -> impl Strategy<Value = Step> {
    let slot = 0usize..64;
    prop_oneof![
        3 => (0u8..3, slot.clone()).prop_map(|(kind, slot)| Step::Convert { kind, slot }),
        2 => (slot.clone(), slot.clone()).prop_map(|(from, to)| Step::Copy { from, to }),
        2 => (slot.clone(), slot.clone()).prop_map(|(from, to)| Step::Mint { from, to }),
        2 => (slot.clone(), slot.clone()).prop_map(|(from, to)| Step::Move { from, to }),
        1 => slot.clone().prop_map(|slot| Step::Delete { slot }),
        1 => slot.prop_map(|slot| Step::Revoke { slot }),
    ]
}

/// The model: the root node (16 slots), a Generic in its slot 0, and converted nodes.
struct World {
    store: MapStore,
    recorder: Recorder,
    next_object: u64,
    created: BTreeSet<(u64, u64)>,
}

const ROOT_NODE: u64 = 0x8000;
const GENERIC_SLOT: u64 = ROOT_NODE;

impl World {
    fn new() -> Self {
        let mut store = MapStore::default();
        insert_root(&mut store, GENERIC_SLOT, generic(0x100_0000, 30));
        Self {
            store,
            recorder: Recorder::default(),
            next_object: 0x1000_0000,
            created: BTreeSet::new(),
        }
    }

    /// Slots a user could name: the root node's and those of live nodes.
    fn reachable_slots(&self) -> Vec<u64> {
        let mut slots: Vec<u64> = (1..16).map(|index| ROOT_NODE + index * SLOT_SIZE).collect();
        let mut live_nodes = BTreeSet::new();
        for &address in self.store.slots.keys() {
            if let Some(capability) = capability_at(&self.store, address)
                && capability.object_type == CapabilityType::Node
            {
                live_nodes.insert(capability.object);
            }
        }
        for node in live_nodes {
            slots.extend((0..NODE_SLOTS).map(|index| node + index * SLOT_SIZE));
        }
        slots
    }

    fn apply(&mut self, step: &Step) {
        let slots = self.reachable_slots();
        let pick = |index: usize| slots[index % slots.len()];
        let occupied = |world: &Self, slot| capability_at(&world.store, slot);
        match *step {
            Step::Convert { kind, slot } => {
                let slot = pick(slot);
                if !is_empty(&self.store, slot) {
                    return;
                }
                let object_type = [
                    CapabilityType::Node,
                    CapabilityType::Frame,
                    CapabilityType::IpcPort,
                ][kind as usize];
                let object = self.next_object;
                self.next_object += 0x1000;
                self.created.insert((object_type.as_word(), object));
                insert_child(
                    &mut self.store,
                    GENERIC_SLOT,
                    slot,
                    capability(object_type, object),
                );
            }
            Step::Copy { from, to } | Step::Mint { from, to } => {
                let (from, to) = (pick(from), pick(to));
                let Some(capability) = occupied(self, from) else {
                    return;
                };
                if capability.object_type == CapabilityType::Generic || !is_empty(&self.store, to) {
                    return;
                }
                if matches!(step, Step::Copy { .. }) {
                    insert_copy(&mut self.store, from, to, capability);
                } else {
                    insert_child(&mut self.store, from, to, capability);
                }
            }
            Step::Move { from, to } => {
                let (from, to) = (pick(from), pick(to));
                if occupied(self, from).is_some() && is_empty(&self.store, to) {
                    move_capability(&mut self.store, from, to);
                }
            }
            Step::Delete { slot } => {
                let slot = pick(slot);
                if slot != GENERIC_SLOT {
                    delete(&mut self.store, &mut self.recorder, slot);
                }
            }
            Step::Revoke { slot } => {
                let slot = pick(slot);
                if occupied(self, slot).is_some() {
                    revoke(&mut self.store, &mut self.recorder, slot);
                }
            }
        }
    }

    fn check(&self) {
        check_links(&self.store);
        let mut alive = BTreeSet::new();
        for &address in self.store.slots.keys() {
            if let Some(capability) = capability_at(&self.store, address)
                && capability.object_type != CapabilityType::Generic
            {
                alive.insert((capability.object_type.as_word(), capability.object));
                // Every capability descends from the Generic its object came from.
                let mut ancestor = load(&self.store, address).links.parent;
                while ancestor != 0 && ancestor != GENERIC_SLOT {
                    ancestor = load(&self.store, ancestor).links.parent;
                }
                assert_eq!(
                    ancestor, GENERIC_SLOT,
                    "capability at {address:#x} escaped its Generic"
                );
            }
        }
        let finalised: BTreeSet<_> = self.recorder.finalised.iter().copied().collect();
        assert_eq!(
            finalised.len(),
            self.recorder.finalised.len(),
            "an object was finalised twice"
        );
        let expected: BTreeSet<_> = self.created.difference(&alive).copied().collect();
        assert_eq!(
            finalised, expected,
            "finalised objects differ from objects without capabilities"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// After every step: links consistent, nothing escapes its Generic, and exactly
    /// the objects with no capability left have been finalised, each once.
    #[test]
    fn random_sequences_keep_the_tree_sound(steps in prop::collection::vec(step(), 1..200)) {
        let mut world = World::new();
        for step in &steps {
            world.apply(step);
            world.check();
        }
        // Revoking the Generic leaves nothing but the Generic.
        revoke(&mut world.store, &mut world.recorder, GENERIC_SLOT);
        world.check();
        prop_assert!(!has_children(&world.store, GENERIC_SLOT));
        prop_assert_eq!(world.recorder.finalised.len(), world.created.len());
    }
}
