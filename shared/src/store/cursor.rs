//! Opaque page cursors: the `LastEvaluatedKey` of a query, as base64url JSON of its string
//! attributes. Decoding checks the cursor has exactly the attributes of the query's index and
//! stays in the query's partition, so a crafted cursor can only fail with "cursor is invalid".

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::Item;
use crate::error::AppError;

const MAX_CURSOR_LEN: usize = 2048;

/// The cursor for the page after the one that ended at `last_key`.
pub fn encode(last_key: &Item) -> Result<String, AppError> {
    let mut map = BTreeMap::new();
    for (name, value) in last_key {
        let s = value
            .as_s()
            .map_err(|_| AppError::internal(format!("non-string key attribute {name}")))?;
        map.insert(name.as_str(), s.as_str());
    }
    let json = serde_json::to_vec(&map).map_err(AppError::internal)?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

/// Where a page query starts: `None` for an empty cursor (the first page).
///
/// `attrs` are the key attributes of the queried index; `partition` the partition attribute
/// and the value every page of this query shares.
pub fn decode(cursor: &str, attrs: &[&str], partition: (&str, &str)) -> Result<Option<Item>, AppError> {
    let cursor = cursor.trim();
    if cursor.is_empty() {
        return Ok(None);
    }
    let invalid = || AppError::bad_request("cursor is invalid");
    if cursor.len() > MAX_CURSOR_LEN {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let map: BTreeMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let mut expected: Vec<&str> = attrs.to_vec();
    expected.sort_unstable();
    if !map.keys().map(String::as_str).eq(expected.iter().copied()) {
        return Err(invalid());
    }
    if map.get(partition.0).map(String::as_str) != Some(partition.1) {
        return Err(invalid());
    }
    Ok(Some(map.into_iter().map(|(k, v)| (k, AttributeValue::S(v))).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(pk: &str, sk: &str) -> Item {
        Item::from([
            ("PK".into(), AttributeValue::S(pk.into())),
            ("SK".into(), AttributeValue::S(sk.into())),
        ])
    }

    #[test]
    fn round_trips() {
        let k = key("P#1", "C#2");
        let c = encode(&k).unwrap();
        assert_eq!(decode(&c, &["PK", "SK"], ("PK", "P#1")).unwrap(), Some(k));
    }

    #[test]
    fn empty_is_first_page() {
        assert_eq!(decode("", &["PK", "SK"], ("PK", "x")).unwrap(), None);
    }

    #[test]
    fn rejects_other_partition_other_shape_and_garbage() {
        let c = encode(&key("P#1", "C#2")).unwrap();
        assert!(decode(&c, &["PK", "SK"], ("PK", "P#2")).is_err());
        assert!(decode(&c, &["PK", "SK", "GSI1PK", "GSI1SK"], ("PK", "P#1")).is_err());
        assert!(decode("!!!", &["PK", "SK"], ("PK", "P#1")).is_err());
        assert!(decode(&URL_SAFE_NO_PAD.encode(b"[1,2]"), &["PK", "SK"], ("PK", "P#1")).is_err());
    }
}
