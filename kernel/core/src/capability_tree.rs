//! Capability slots and the derivation tree: insertion, move, deletion with
//! finalisation of objects whose last capability goes, and revoke.
//!
//! A slot is eight words: four of capability ([`crate::capability`]) and four links
//! (parent, first child, next sibling, previous sibling), each the physical address
//! of another slot or 0. COPY inserts right after its source (same parent), MINT and
//! CONVERT insert children. So all capabilities to one object form a run of siblings
//! plus their subtrees, and whether a capability is the *last* one to its object can
//! be told from its parent, its two neighbours and its first child alone.
//!
//! Deleting the last capability of a container (a node, or a PCB with its internal
//! slots) must delete what the container holds, which may be the last capability of
//! another container, and so on. Instead of recursing, dead containers are kept on a
//! list threaded through their own first slot (emptied first, so it is free to hold
//! the link), and emptied one slot at a time until the list is empty. Work is
//! bounded by the number of slots involved; no stack grows with the nesting.

use crate::capability::{self, Capability, SlotContent};

/// Bytes of a slot.
pub const SLOT_SIZE: u64 = 64;

/// Where a slot lives (its physical address; 0 means "no slot").
pub type SlotAddress = u64;

/// The tree links of a slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Links {
    /// The slot this capability was derived from.
    pub parent: SlotAddress,
    /// The first capability derived from this one.
    pub first_child: SlotAddress,
    /// The next sibling.
    pub next: SlotAddress,
    /// The previous sibling.
    pub previous: SlotAddress,
}

/// Access to slot memory. The kernel implements it over its direct map; tests over
/// a map of addresses.
pub trait SlotStore {
    /// Reads the eight words of a slot.
    fn read_slot(&self, slot: SlotAddress) -> [u64; 8];
    /// Writes the eight words of a slot.
    fn write_slot(&mut self, slot: SlotAddress, words: [u64; 8]);
}

/// Consecutive slots that an object holds (a node's slots, a PCB's internal slots).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Container {
    /// Address of the first slot.
    pub first_slot: SlotAddress,
    /// Number of slots (at least 1).
    pub count: u64,
}

/// What the kernel does when capabilities leave the tree.
pub trait ObjectLifecycle {
    /// `capability` left the tree (undo what belongs to the capability itself, such
    /// as a mapping).
    fn capability_removed(&mut self, capability: &Capability);
    /// The last capability to `capability`'s object left the tree: finalise the
    /// object, and return the slots it holds, if any, so they are emptied too.
    fn last_capability_removed(&mut self, capability: &Capability) -> Option<Container>;
}

/// A slot decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// What it holds.
    pub content: SlotContent,
    /// Its tree links.
    pub links: Links,
}

/// Reads and decodes a slot.
pub fn load(store: &impl SlotStore, slot: SlotAddress) -> Slot {
    let words = store.read_slot(slot);
    Slot {
        content: capability::decode([words[0], words[1], words[2], words[3]]),
        links: Links {
            parent: words[4],
            first_child: words[5],
            next: words[6],
            previous: words[7],
        },
    }
}

/// Encodes and writes a slot.
pub fn save(store: &mut impl SlotStore, slot: SlotAddress, value: &Slot) {
    let capability = capability::encode(&value.content);
    store.write_slot(
        slot,
        [
            capability[0],
            capability[1],
            capability[2],
            capability[3],
            value.links.parent,
            value.links.first_child,
            value.links.next,
            value.links.previous,
        ],
    );
}

/// The capability in `slot`, if it holds one.
pub fn capability_at(store: &impl SlotStore, slot: SlotAddress) -> Option<Capability> {
    match load(store, slot).content {
        SlotContent::Capability(capability) => Some(capability),
        _ => None,
    }
}

/// Whether `slot` holds nothing.
pub fn is_empty(store: &impl SlotStore, slot: SlotAddress) -> bool {
    load(store, slot).content == SlotContent::Empty
}

fn update_links(store: &mut impl SlotStore, slot: SlotAddress, change: impl FnOnce(&mut Links)) {
    if slot == 0 {
        return;
    }
    let mut value = load(store, slot);
    change(&mut value.links);
    save(store, slot, &value);
}

/// Replaces the capability words of an occupied slot, keeping its place in the tree
/// (DEMOTE, IDENTIFY, a Generic's watermark, a frame's mapping state).
pub fn replace_capability(store: &mut impl SlotStore, slot: SlotAddress, capability: Capability) {
    let mut value = load(store, slot);
    value.content = SlotContent::Capability(capability);
    save(store, slot, &value);
}

/// Puts `capability` in the empty `destination` with no parent and no siblings (an
/// object the kernel made at boot).
pub fn insert_root(store: &mut impl SlotStore, destination: SlotAddress, capability: Capability) {
    save(
        store,
        destination,
        &Slot {
            content: SlotContent::Capability(capability),
            links: Links::default(),
        },
    );
}

/// Puts `capability` in the empty `destination` as the first child of `parent`.
pub fn insert_child(
    store: &mut impl SlotStore,
    parent: SlotAddress,
    destination: SlotAddress,
    capability: Capability,
) {
    let old_first = load(store, parent).links.first_child;
    save(
        store,
        destination,
        &Slot {
            content: SlotContent::Capability(capability),
            links: Links {
                parent,
                first_child: 0,
                next: old_first,
                previous: 0,
            },
        },
    );
    update_links(store, old_first, |links| links.previous = destination);
    update_links(store, parent, |links| links.first_child = destination);
}

/// Puts `capability` in the empty `destination` as the sibling right after `source`.
pub fn insert_copy(
    store: &mut impl SlotStore,
    source: SlotAddress,
    destination: SlotAddress,
    capability: Capability,
) {
    let source_links = load(store, source).links;
    save(
        store,
        destination,
        &Slot {
            content: SlotContent::Capability(capability),
            links: Links {
                parent: source_links.parent,
                first_child: 0,
                next: source_links.next,
                previous: source,
            },
        },
    );
    update_links(store, source_links.next, |links| {
        links.previous = destination
    });
    update_links(store, source, |links| links.next = destination);
}

/// Moves the capability of `from` into the empty `to`, keeping its place in the tree.
pub fn move_capability(store: &mut impl SlotStore, from: SlotAddress, to: SlotAddress) {
    if from == to {
        return;
    }
    let value = load(store, from);
    save(store, to, &value);
    save(
        store,
        from,
        &Slot {
            content: SlotContent::Empty,
            links: Links::default(),
        },
    );
    let links = value.links;
    if links.previous != 0 {
        update_links(store, links.previous, |other| other.next = to);
    } else {
        update_links(store, links.parent, |other| {
            if other.first_child == from {
                other.first_child = to;
            }
        });
    }
    update_links(store, links.next, |other| other.previous = to);
    let mut child = links.first_child;
    while child != 0 {
        let next = load(store, child).links.next;
        update_links(store, child, |other| other.parent = to);
        child = next;
    }
}

/// Takes the capability out of `slot` (its children take its place in its parent's
/// list) and says whether it was the last capability to its object. `None` if the
/// slot held no capability.
fn unlink(store: &mut impl SlotStore, slot: SlotAddress) -> Option<(Capability, bool)> {
    let value = load(store, slot);
    let SlotContent::Capability(capability) = value.content else {
        return None;
    };
    let links = value.links;
    let refers_to_same = |store: &_, other: SlotAddress| {
        other != 0
            && capability_at(store, other).is_some_and(|other| other.same_object(&capability))
    };
    let last = !(refers_to_same(store, links.parent)
        || refers_to_same(store, links.previous)
        || refers_to_same(store, links.next)
        || refers_to_same(store, links.first_child));

    let (replacement_first, replacement_last) = if links.first_child == 0 {
        (links.next, links.previous)
    } else {
        let mut child = links.first_child;
        let mut last_child = child;
        while child != 0 {
            update_links(store, child, |other| other.parent = links.parent);
            last_child = child;
            child = load(store, child).links.next;
        }
        update_links(store, links.first_child, |other| {
            other.previous = links.previous
        });
        update_links(store, last_child, |other| other.next = links.next);
        (links.first_child, last_child)
    };
    if links.previous != 0 {
        update_links(store, links.previous, |other| {
            other.next = replacement_first
        });
    } else {
        update_links(store, links.parent, |other| {
            other.first_child = replacement_first
        });
    }
    update_links(store, links.next, |other| other.previous = replacement_last);
    save(
        store,
        slot,
        &Slot {
            content: SlotContent::Empty,
            links: Links::default(),
        },
    );
    Some((capability, last))
}

/// The cleanup list of dead containers, threaded through their first slots.
struct CleanupList {
    head: SlotAddress,
}

/// The link a dead container keeps in its first slot: the next container and its
/// own size and scan position.
fn write_link(
    store: &mut impl SlotStore,
    first_slot: SlotAddress,
    next: SlotAddress,
    count: u64,
    cursor: u64,
) {
    let mut words = capability::encode(&SlotContent::CleanupLink(next));
    words[2] = count;
    words[3] = cursor;
    store.write_slot(
        first_slot,
        [words[0], words[1], words[2], words[3], 0, 0, 0, 0],
    );
}

fn read_link(store: &impl SlotStore, first_slot: SlotAddress) -> (SlotAddress, u64, u64) {
    let words = store.read_slot(first_slot);
    (words[1], words[2], words[3])
}

impl CleanupList {
    /// Adds a dead container (after emptying its first slot, which may kill another
    /// container: those are added in the same loop).
    fn push(
        &mut self,
        store: &mut impl SlotStore,
        lifecycle: &mut impl ObjectLifecycle,
        container: Container,
    ) {
        let mut container = container;
        loop {
            let freed = unlink(store, container.first_slot);
            write_link(store, container.first_slot, self.head, container.count, 1);
            self.head = container.first_slot;
            let Some((capability, last)) = freed else {
                return;
            };
            lifecycle.capability_removed(&capability);
            if !last {
                return;
            }
            match lifecycle.last_capability_removed(&capability) {
                Some(next) => container = next,
                None => return,
            }
        }
    }

    /// Empties every dead container, one slot at a time.
    fn drain(&mut self, store: &mut impl SlotStore, lifecycle: &mut impl ObjectLifecycle) {
        while self.head != 0 {
            let head = self.head;
            let (next, count, mut cursor) = read_link(store, head);
            while cursor < count && is_empty(store, head + cursor * SLOT_SIZE) {
                cursor += 1;
            }
            if cursor >= count {
                self.head = next;
                save(
                    store,
                    head,
                    &Slot {
                        content: SlotContent::Empty,
                        links: Links::default(),
                    },
                );
                continue;
            }
            write_link(store, head, next, count, cursor + 1);
            self.remove_one(store, lifecycle, head + cursor * SLOT_SIZE);
        }
    }

    fn remove_one(
        &mut self,
        store: &mut impl SlotStore,
        lifecycle: &mut impl ObjectLifecycle,
        slot: SlotAddress,
    ) {
        let Some((capability, last)) = unlink(store, slot) else {
            return;
        };
        lifecycle.capability_removed(&capability);
        if last && let Some(container) = lifecycle.last_capability_removed(&capability) {
            self.push(store, lifecycle, container);
        }
    }
}

/// Deletes the capability in `slot` (nothing if it is empty). If it was the last
/// one to its object, the object is finalised, and everything a dead container held
/// is deleted too, before this returns.
pub fn delete(store: &mut impl SlotStore, lifecycle: &mut impl ObjectLifecycle, slot: SlotAddress) {
    let mut list = CleanupList { head: 0 };
    list.remove_one(store, lifecycle, slot);
    list.drain(store, lifecycle);
}

/// The deepest descendant on the first-child path below `slot`, if it has children.
#[must_use]
pub fn deepest_descendant(store: &impl SlotStore, slot: SlotAddress) -> Option<SlotAddress> {
    let mut current = load(store, slot).links.first_child;
    if current == 0 {
        return None;
    }
    loop {
        let child = load(store, current).links.first_child;
        if child == 0 {
            return Some(current);
        }
        current = child;
    }
}

/// Whether anything was derived from the capability in `slot`.
#[must_use]
pub fn has_children(store: &impl SlotStore, slot: SlotAddress) -> bool {
    load(store, slot).links.first_child != 0
}

/// Deletes every capability derived from the one in `slot`, deepest first. Stops
/// early if the capability in `slot` itself goes (it may live inside an object
/// being destroyed). Returns whether `slot` still holds its capability.
pub fn revoke(
    store: &mut impl SlotStore,
    lifecycle: &mut impl ObjectLifecycle,
    slot: SlotAddress,
) -> bool {
    let original = load(store, slot).content;
    loop {
        if load(store, slot).content != original {
            return false;
        }
        let Some(leaf) = deepest_descendant(store, slot) else {
            return true;
        };
        delete(store, lifecycle, leaf);
    }
}
