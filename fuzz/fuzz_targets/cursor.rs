//! Page cursors (`shared::store::cursor`): decoding never panics; a cursor that decodes has
//! exactly the index's key attributes, stays in the query's partition, and re-encodes to a
//! cursor that decodes to the same key (the encoding is canonical: encoding it again gives the
//! same text).
//!
//! Input: the cursor.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::AppError;
use shared::store::cursor;

const ATTRS: [&str; 4] = ["PK", "SK", "GSI1PK", "GSI1SK"];
const PARTITION: (&str, &str) = ("GSI1PK", "FEED#1");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for attrs in [&ATTRS[..2], &ATTRS[..]] {
        let partition = if attrs.len() == 2 { ("PK", "FEED#1") } else { PARTITION };
        match cursor::decode(text, attrs, partition) {
            Ok(None) => assert!(text.trim().is_empty(), "only a blank cursor is the first page"),
            Ok(Some(key)) => {
                let mut names: Vec<&str> = key.keys().map(String::as_str).collect();
                names.sort_unstable();
                let mut expected = attrs.to_vec();
                expected.sort_unstable();
                assert_eq!(names, expected, "exactly the index's attributes");
                assert_eq!(key[partition.0].as_s().ok().map(String::as_str), Some(partition.1));
                let again = cursor::encode(&key).expect("a decoded key encodes");
                assert_eq!(cursor::decode(&again, attrs, partition).unwrap(), Some(key.clone()));
                let decoded = cursor::decode(&again, attrs, partition).unwrap().unwrap();
                assert_eq!(cursor::encode(&decoded).unwrap(), again, "canonical");
            }
            Err(AppError::BadRequest(m)) => assert_eq!(m.to_string(), "cursor is invalid"),
            Err(e) => panic!("a cursor refused with {e:?}"),
        }
    }
});
