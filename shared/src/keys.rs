//! The single table's attribute and index names, the [`Key`] type, the registry of key prefixes
//! that keeps the surfaces apart, and the platform's own keys ([`storage`]). Each surface builds
//! its keys in its own `keys` module, every one under its registered prefix; nothing else builds
//! a key string. `docs/data-model.md` is the prose version of these modules.
//!
//! Table: `PK` (S, hash), `SK` (S, range). Overloaded indexes: `GSI1` (`GSI1PK`, `GSI1SK`),
//! projecting all attributes, and `GSI2` (`GSI2PK`, `GSI2SK`), sparse and keys only (what an
//! item there says is in its keys). Every item carries `entity`;
//! items that expire carry `expiresAt` (epoch seconds, the table's TTL attribute).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1: &str = "GSI1";
pub const GSI1_PK: &str = "GSI1PK";
pub const GSI1_SK: &str = "GSI1SK";
pub const GSI2: &str = "GSI2";
pub const GSI2_PK: &str = "GSI2PK";
pub const GSI2_SK: &str = "GSI2SK";
pub const ENTITY: &str = "entity";
pub const TTL: &str = "expiresAt";
/// The revision of an item's counters of counted items, moved by every change to one of them
/// (`Change::count`): what the counters' upkeep reads around its count (`crate::counters`).
pub const COUNT_REV: &str = "countRev";

/// The partition-key prefix of each owner of items in the table, one per surface and the
/// platform's own: storage nodes, rate limits, idempotency records and the warm-up key. Every key (and index partition) an owner builds starts with its
/// prefix, and no prefix is a prefix of another, so two owners' keys can never collide.
pub const PREFIXES: &[&str] = &[
    "CHATX#", "NOBASE#", "WEIF#", "INFO#", "STORAGE#", "RATE#", "IDEM#", "WARM#",
];

/// `prefix`, which must be in [`PREFIXES`]: used in a `const`, an unregistered prefix fails the build.
pub const fn registered(prefix: &'static str) -> &'static str {
    let mut i = 0;
    while i < PREFIXES.len() {
        if same(PREFIXES[i].as_bytes(), prefix.as_bytes()) {
            return prefix;
        }
        i += 1;
    }
    panic!("key prefix is not in shared::keys::PREFIXES")
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A primary key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }

    /// The key as DynamoDB attributes.
    pub fn to_item(&self) -> HashMap<String, AttributeValue> {
        HashMap::from([
            (PK.to_owned(), AttributeValue::S(self.pk.clone())),
            (SK.to_owned(), AttributeValue::S(self.sk.clone())),
        ])
    }

    /// The primary key of a raw item, if it has one.
    pub fn of_item(item: &HashMap<String, AttributeValue>) -> Option<Self> {
        let s = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
        Some(Self { pk: s(PK)?, sk: s(SK)? })
    }
}

/// A time as a sort-key fragment: zero-padded milliseconds, so strings sort like numbers.
pub fn time_part(ms: i64) -> String {
    format!("{:013}", ms.max(0))
}

/// Uploaded files, for every surface: one item per storage node.
pub mod storage {
    use super::Key;

    pub const PREFIX: &str = super::registered("STORAGE#");

    pub mod entity {
        pub const NODE: &str = "StorageNode";
    }

    pub mod attr {
        pub const WIDTH: &str = "width";
        pub const HEIGHT: &str = "height";
        pub const UPLOADED_SIZE: &str = "uploaded_size";
    }

    /// A node as the storage API issued it (`public:2026/01/02/<uuid>.png`).
    pub fn node(node: &str) -> Key {
        Key::new(format!("{PREFIX}NODE#{node}"), "NODE")
    }
}

/// The key every function reads during init to open its store connection (TLS included) before
/// its first invocation (`crate::lambda`). No item is ever written there; the template's
/// `StoreWarmUpPolicy` lets every function read this one partition and nothing else.
pub fn warm_up() -> Key {
    Key::new(registered("WARM#"), "WARM#")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_owners_prefix_is_a_prefix_of_anothers() {
        for (i, a) in PREFIXES.iter().enumerate() {
            assert!(a.ends_with('#') && a.len() > 1, "{a}");
            for b in &PREFIXES[i + 1..] {
                assert!(!a.starts_with(b) && !b.starts_with(a), "{a} and {b} overlap");
            }
        }
        assert_eq!(registered("INFO#"), "INFO#");
    }

    #[test]
    fn storage_keys_are_under_their_prefix() {
        assert_eq!(storage::node("public:a/b.png").pk, "STORAGE#NODE#public:a/b.png");
    }

    #[test]
    fn time_parts_sort_numerically() {
        assert!(time_part(999) < time_part(1000));
        assert_eq!(time_part(1_774_920_400_000).len(), 13);
    }
}
