//! Version vectors: for each device's op log, the highest sequence number held.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a replica holds: per origin (a device's id), every op up to this sequence number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VersionVector(BTreeMap<String, u64>);

impl VersionVector {
    /// An empty vector: nothing held.
    pub fn new() -> VersionVector {
        VersionVector::default()
    }

    /// The highest sequence number held from `origin` (0 for none).
    pub fn get(&self, origin: &str) -> u64 {
        self.0.get(origin).copied().unwrap_or(0)
    }

    /// Whether the op `(origin, seq)` is held already.
    pub fn contains(&self, origin: &str, seq: u64) -> bool {
        seq <= self.get(origin)
    }

    /// Records that ops from `origin` up to `seq` are held; never moves back.
    pub fn observe(&mut self, origin: &str, seq: u64) {
        let entry = self.0.entry(origin.to_string()).or_insert(0);
        *entry = (*entry).max(seq);
    }

    /// Takes in everything `other` holds (the least vector holding both).
    pub fn join(&mut self, other: &VersionVector) {
        for (origin, seq) in other.iter() {
            self.observe(origin, seq);
        }
    }

    /// For each origin where `self` holds more than `other`, the range `other` lacks:
    /// `(origin, first missing seq, last held seq)`.
    pub fn ahead_of(&self, other: &VersionVector) -> Vec<(String, u64, u64)> {
        self.0
            .iter()
            .filter(|(origin, seq)| **seq > other.get(origin))
            .map(|(origin, seq)| (origin.clone(), other.get(origin) + 1, *seq))
            .collect()
    }

    /// Every origin and its sequence number.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.0.iter().map(|(o, s)| (o.as_str(), *s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_other_side_lacks() {
        let mut phone = VersionVector::new();
        phone.observe("phone", 10);
        phone.observe("desk-a", 4);
        let mut desk = VersionVector::new();
        desk.observe("phone", 7);
        desk.observe("desk-a", 6);
        desk.observe("phone", 3);
        assert_eq!(desk.get("phone"), 7, "never moves back");
        assert_eq!(phone.ahead_of(&desk), vec![("phone".to_string(), 8, 10)]);
        assert_eq!(desk.ahead_of(&phone), vec![("desk-a".to_string(), 5, 6)]);
        assert!(desk.contains("desk-a", 6) && !desk.contains("desk-b", 1));
        let json = serde_json::to_string(&phone).expect("json");
        assert_eq!(json, r#"{"desk-a":4,"phone":10}"#);
    }
}
