//! A small least-recently-used map: the bound the seed asks for ("LRU or a
//! size limit, so the cache cannot eat the memory").
//!
//! Single-threaded on purpose: every cache strategy wraps it in its own lock
//! (or none), and that choice is the point of the strategies. Entries live in
//! one `Vec` used as a doubly linked list by index (most recent at the head)
//! plus a `HashMap` from key to slot, so `get` and `insert` are O(1) and an
//! evicted slot is reused without allocating.

use std::collections::HashMap;
use std::hash::Hash;

const NIL: usize = usize::MAX;

#[derive(Debug, Clone)]
struct Node<K, V> {
    key: K,
    value: V,
    prev: usize,
    next: usize,
}

/// A map that, once it holds `capacity` entries, evicts the least recently
/// used one to make room. Capacity 0 means unbounded.
#[derive(Debug, Clone)]
pub struct Lru<K, V> {
    capacity: usize,
    slots: HashMap<K, usize>,
    nodes: Vec<Node<K, V>>,
    head: usize,
    tail: usize,
}

impl<K: Copy + Eq + Hash, V: Copy> Lru<K, V> {
    pub fn new(capacity: usize) -> Self {
        Lru {
            capacity,
            slots: HashMap::new(),
            nodes: Vec::new(),
            head: NIL,
            tail: NIL,
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The value for `key`, marking it most recently used.
    pub fn get(&mut self, key: &K) -> Option<V> {
        let slot = *self.slots.get(key)?;
        self.touch(slot);
        Some(self.nodes[slot].value)
    }

    /// Inserts or replaces `key`, marking it most recently used. Returns the
    /// key evicted to make room, if any (replacing never evicts).
    pub fn insert(&mut self, key: K, value: V) -> Option<K> {
        if let Some(&slot) = self.slots.get(&key) {
            self.nodes[slot].value = value;
            self.touch(slot);
            return None;
        }
        let full = self.capacity != 0 && self.slots.len() >= self.capacity;
        let (slot, evicted) = if full {
            // Reuse the least recently used slot for the new entry.
            let slot = self.tail;
            let old = self.nodes[slot].key;
            self.unlink(slot);
            self.slots.remove(&old);
            self.nodes[slot].key = key;
            self.nodes[slot].value = value;
            (slot, Some(old))
        } else {
            self.nodes.push(Node {
                key,
                value,
                prev: NIL,
                next: NIL,
            });
            (self.nodes.len() - 1, None)
        };
        self.slots.insert(key, slot);
        self.push_front(slot);
        evicted
    }

    fn touch(&mut self, slot: usize) {
        if self.head != slot {
            self.unlink(slot);
            self.push_front(slot);
        }
    }

    fn unlink(&mut self, slot: usize) {
        let Node { prev, next, .. } = self.nodes[slot];
        match prev {
            NIL => self.head = next,
            prev => self.nodes[prev].next = next,
        }
        match next {
            NIL => self.tail = prev,
            next => self.nodes[next].prev = prev,
        }
    }

    fn push_front(&mut self, slot: usize) {
        self.nodes[slot].prev = NIL;
        self.nodes[slot].next = self.head;
        match self.head {
            NIL => self.tail = slot,
            head => self.nodes[head].prev = slot,
        }
        self.head = slot;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The least recently *used* entry goes first: a `get` protects a key.
    #[test]
    fn evicts_least_recently_used() {
        let mut lru = Lru::new(2);
        assert_eq!(lru.insert(1, 10), None);
        assert_eq!(lru.insert(2, 20), None);
        assert_eq!(lru.get(&1), Some(10));
        assert_eq!(lru.insert(3, 30), Some(2));
        assert_eq!(lru.get(&2), None);
        assert_eq!(lru.insert(1, 11), None, "replacing never evicts");
        assert_eq!(lru.insert(4, 40), Some(3));
        assert_eq!(
            (lru.get(&1), lru.get(&4), lru.len()),
            (Some(11), Some(40), 2)
        );
    }

    /// Capacity 0 never evicts; capacity 1 keeps only the last key.
    #[test]
    fn unbounded_and_single() {
        let mut lru = Lru::new(0);
        assert!((0..1_000).all(|k| lru.insert(k, k).is_none()));
        assert_eq!(lru.len(), 1_000);
        let mut one = Lru::new(1);
        assert_eq!(one.insert(1, 1), None);
        assert_eq!(one.insert(2, 2), Some(1));
        assert_eq!((one.get(&1), one.get(&2)), (None, Some(2)));
    }

    /// Against a naive model (a Vec in recency order) over a long random
    /// sequence of gets and inserts.
    #[test]
    fn matches_naive_model() {
        let mut rng = super::super::stream::SplitMix64::new(7);
        let mut lru = Lru::new(5);
        let mut model: Vec<(u64, u64)> = Vec::new(); // most recent last
        for step in 0..20_000 {
            let key = rng.below(12);
            if rng.below(2) == 0 {
                let want = model.iter().position(|&(k, _)| k == key).map(|i| {
                    let entry = model.remove(i);
                    model.push(entry);
                    entry.1
                });
                assert_eq!(lru.get(&key), want, "step {step}");
            } else {
                let evicted = match model.iter().position(|&(k, _)| k == key) {
                    Some(i) => {
                        model.remove(i);
                        None
                    }
                    None if model.len() == 5 => Some(model.remove(0).0),
                    None => None,
                };
                model.push((key, step));
                assert_eq!(lru.insert(key, step), evicted, "step {step}");
            }
            assert_eq!(lru.len(), model.len());
        }
    }
}
