//! DynamoDB's capacity rules, from item sizes (docs/benchmarks.md, *How the units are counted*):
//! an item's size, a write's and a read's units. Items are DynamoDB's JSON (`{"S": "…"}`), as
//! the API carries them; their size is `shared::store::size`'s rule, the one the store applies.

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use serde_json::{Map, Value};
use shared::store::size;

/// A value in DynamoDB's JSON as the SDK holds it (what `shared::store::size` sizes). Binaries
/// are base64 on the wire; one that doesn't decode counts as its text.
fn attribute(value: &Value) -> AttributeValue {
    let Some((kind, v)) = value.as_object().and_then(|o| o.iter().next()) else {
        return AttributeValue::Null(true);
    };
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let texts = |v: &Value| {
        v.as_array()
            .map_or(Vec::new(), |a| a.iter().map(text).collect::<Vec<_>>())
    };
    let blob = |b64: String| {
        let bytes = base64::engine::general_purpose::STANDARD.decode(&b64);
        Blob::new(bytes.unwrap_or_else(|_| b64.into_bytes()))
    };
    match kind.as_str() {
        "S" => AttributeValue::S(text(v)),
        "N" => AttributeValue::N(text(v)),
        "B" => AttributeValue::B(blob(text(v))),
        "BOOL" => AttributeValue::Bool(v.as_bool().unwrap_or_default()),
        "SS" => AttributeValue::Ss(texts(v)),
        "NS" => AttributeValue::Ns(texts(v)),
        "BS" => AttributeValue::Bs(texts(v).into_iter().map(blob).collect()),
        "L" => AttributeValue::L(v.as_array().map_or(Vec::new(), |a| a.iter().map(attribute).collect())),
        "M" => AttributeValue::M(v.as_object().map_or(Default::default(), |m| {
            m.iter().map(|(k, e)| (k.clone(), attribute(e))).collect()
        })),
        _ => AttributeValue::Null(true),
    }
}

/// Bytes of one attribute value.
pub fn value_size(value: &Value) -> u64 {
    size::value_size(&attribute(value)) as u64
}

/// An item's size: each attribute's name length plus its value's size.
pub fn item_size(item: &Map<String, Value>) -> u64 {
    item.iter().map(|(name, v)| name.len() as u64 + value_size(v)).sum()
}

/// Write units of writing an item of `size` bytes: one per KB started, at least one.
pub fn write_units(size: u64) -> u64 {
    size.div_ceil(1024).max(1)
}

/// Read units of reading `size` bytes in one go: one per 4 KB started, at least one; half
/// that eventually consistent.
pub fn read_units(size: u64, consistent: bool) -> f64 {
    let units = size.div_ceil(4096).max(1) as f64;
    if consistent { units } else { units / 2.0 }
}

/// An index's entry for an item: the index key's values and the projected attributes' size.
/// `None` when the item lacks a key attribute of the index (a sparse index leaves it out).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Vec<Value>,
    pub projected: Map<String, Value>,
}

/// How an index projects: its key attributes and the table's ([`Projection::KeysOnly`]), or
/// every attribute ([`Projection::All`]; `INCLUDE` is counted as `ALL`, an upper bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projection {
    All,
    KeysOnly,
}

/// A global secondary index as the bench needs it.
#[derive(Debug, Clone)]
pub struct Index {
    pub key: Vec<String>,
    pub projection: Projection,
}

impl Index {
    /// The item's entry in this index, if it is in it; `table_key` names the table's keys.
    pub fn entry(&self, item: &Map<String, Value>, table_key: &[String]) -> Option<Entry> {
        let key: Vec<Value> = self.key.iter().map(|k| item.get(k).cloned()).collect::<Option<_>>()?;
        let projected = match self.projection {
            Projection::All => item.clone(),
            Projection::KeysOnly => item
                .iter()
                .filter(|(k, _)| self.key.contains(k) || table_key.contains(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        Some(Entry { key, projected })
    }

    /// Write units this index costs when an item goes from `before` to `after`: a put or a
    /// delete of the entry, both when the index key moves, one write of the larger entry when
    /// a projected attribute changes, nothing otherwise.
    pub fn write_units(
        &self,
        before: Option<&Map<String, Value>>,
        after: Option<&Map<String, Value>>,
        table_key: &[String],
    ) -> u64 {
        let entry = |item: Option<&Map<String, Value>>| item.and_then(|i| self.entry(i, table_key));
        let size = |e: &Entry| write_units(item_size(&e.projected));
        match (entry(before), entry(after)) {
            (None, None) => 0,
            (Some(b), None) => size(&b),
            (None, Some(a)) => size(&a),
            (Some(b), Some(a)) if b.key != a.key => size(&b) + size(&a),
            (Some(b), Some(a)) if b.projected != a.projected => size(&b).max(size(&a)),
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn item(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn sizes_follow_dynamodbs_rules() {
        assert_eq!(value_size(&json!({"S": "héllo"})), 6, "UTF-8 bytes");
        let number = |n: &str| value_size(&json!({ "N": n }));
        assert_eq!(number("0"), 1);
        assert_eq!(number("7"), 2);
        assert_eq!(number("12345"), 4, "5 digits: 3 bytes + 1");
        assert_eq!(number("-1200"), 2, "trailing zeros trimmed");
        assert_eq!(number("0.0015"), 2, "leading zeros trimmed");
        assert_eq!(value_size(&json!({"B": "AAEC"})), 3, "decoded bytes");
        assert_eq!(value_size(&json!({"BOOL": true})), 1);
        assert_eq!(value_size(&json!({"NULL": true})), 1);
        assert_eq!(value_size(&json!({"L": []})), 3);
        assert_eq!(value_size(&json!({"L": [{"S": "ab"}, {"N": "1"}]})), 3 + 3 + 3);
        assert_eq!(value_size(&json!({"M": {"k": {"S": "ab"}}})), 3 + 1 + 1 + 2);
        assert_eq!(value_size(&json!({"SS": ["a", "bc"]})), 3);
        assert_eq!(value_size(&json!({"BS": ["AAEC", "AA=="]})), 3 + 1);
        assert_eq!(value_size(&json!({"NS": ["1", "123"]})), 2 + 3);
        assert_eq!(
            item_size(&item(json!({"PK": {"S": "POST#1"}, "likes": {"N": "42"}}))),
            2 + 6 + 5 + 2
        );
    }

    #[test]
    fn units_round_up_per_kilobyte_and_per_four() {
        assert_eq!(write_units(0), 1, "a write of nothing still costs one");
        assert_eq!(write_units(1024), 1);
        assert_eq!(write_units(1025), 2);
        assert_eq!(read_units(0, true), 1.0);
        assert_eq!(read_units(4096, false), 0.5);
        assert_eq!(read_units(4097, true), 2.0);
        assert_eq!(read_units(4097, false), 1.0);
    }

    fn gsi(projection: Projection) -> Index {
        Index {
            key: vec!["GSI1PK".into(), "GSI1SK".into()],
            projection,
        }
    }

    #[test]
    fn an_index_costs_what_changes_in_it() {
        let table_key = ["PK".to_owned(), "SK".to_owned()];
        let base =
            json!({"PK": {"S": "P"}, "SK": {"S": "S"}, "GSI1PK": {"S": "G"}, "GSI1SK": {"S": "1"}, "n": {"N": "1"}});
        let mut counted = base.clone();
        counted["n"] = json!({"N": "2"});
        let mut moved = base.clone();
        moved["GSI1SK"] = json!({"S": "2"});
        let outside = json!({"PK": {"S": "P"}, "SK": {"S": "S"}, "n": {"N": "1"}});
        let (base, counted, moved, outside) = (item(base), item(counted), item(moved), item(outside));
        let all = gsi(Projection::All);
        assert_eq!(all.write_units(None, None, &table_key), 0);
        assert_eq!(all.write_units(None, Some(&base), &table_key), 1, "a put");
        assert_eq!(all.write_units(Some(&base), None, &table_key), 1, "a delete");
        assert_eq!(
            all.write_units(Some(&base), Some(&base), &table_key),
            0,
            "nothing changed"
        );
        assert_eq!(
            all.write_units(Some(&base), Some(&counted), &table_key),
            1,
            "a projected attribute changed"
        );
        assert_eq!(
            all.write_units(Some(&base), Some(&moved), &table_key),
            2,
            "the key moved: delete + put"
        );
        assert_eq!(
            all.write_units(Some(&outside), Some(&outside), &table_key),
            0,
            "not in the index"
        );
        let keys = gsi(Projection::KeysOnly);
        assert_eq!(
            keys.write_units(Some(&base), Some(&counted), &table_key),
            0,
            "a counter outside the projection costs the index nothing"
        );
    }
}
