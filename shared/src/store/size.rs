//! An item's size as DynamoDB bills it (the developer guide's *Item sizes and formats*): the
//! sum of its attribute names and values. Written here rather than taken from a crate: no
//! maintained crate sizes the SDK's `AttributeValue` (the ones found size JSON in Node and
//! Python), and the rule is a dozen lines. `tools/bench` sizes the JSON it meters with it too.

use aws_sdk_dynamodb::types::AttributeValue;

use super::Item;

/// What one write unit covers: an item up to this size costs 1 WRU per write (2 inside a
/// transaction), every KB started beyond it one more.
pub const WRITE_UNIT: usize = 1024;

/// Bytes of `item`: each attribute's name length plus its value's size.
pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(name, v)| name.len() + value_size(v)).sum()
}

/// Bytes of one value: strings and binaries their length (UTF-8), numbers one byte per two
/// significant digits plus one, booleans and null one, lists and maps 3 plus one per element
/// plus the elements (a map's element also its name), sets their elements.
pub fn value_size(v: &AttributeValue) -> usize {
    match v {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number_size(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(ss) => ss.iter().map(String::len).sum(),
        AttributeValue::Ns(ns) => ns.iter().map(|n| number_size(n)).sum(),
        AttributeValue::Bs(bs) => bs.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(l) => 3 + l.iter().map(|e| 1 + value_size(e)).sum::<usize>(),
        AttributeValue::M(m) => 3 + m.iter().map(|(k, e)| 1 + k.len() + value_size(e)).sum::<usize>(),
        _ => 0,
    }
}

/// A number's size: its significant digits (leading and trailing zeros trimmed), one byte per
/// two, plus one.
fn number_size(n: &str) -> usize {
    let mantissa = n.trim_start_matches(['-', '+']).split(['e', 'E']).next().unwrap_or("");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').trim_end_matches('0').len().div_ceil(2) + 1
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.into())
    }

    #[test]
    fn strings_count_utf8_bytes_and_names() {
        let item: Item = HashMap::from([("PK".to_owned(), s("abc")), ("名".to_owned(), s("字"))]);
        assert_eq!(item_size(&item), 2 + 3 + 3 + 3);
    }

    #[test]
    fn numbers_count_significant_digits() {
        assert_eq!(number_size("1"), 2);
        assert_eq!(number_size("12"), 2);
        assert_eq!(number_size("123"), 3);
        assert_eq!(number_size("1700000000000"), 2, "trailing zeros are trimmed");
        assert_eq!(number_size("1758000123456"), 8);
        assert_eq!(number_size("-0.0012"), 2);
    }

    #[test]
    fn lists_and_maps_cost_three_bytes_and_one_per_element() {
        let list = AttributeValue::L(vec![s("ab"), AttributeValue::Bool(true)]);
        assert_eq!(value_size(&list), 3 + (1 + 2) + (1 + 1));
        let map = AttributeValue::M(HashMap::from([("k".to_owned(), s("v")), ("n".to_owned(), list)]));
        assert_eq!(value_size(&map), 3 + (1 + 1 + 1) + (1 + 1 + 8));
        assert_eq!(value_size(&AttributeValue::M(HashMap::new())), 3);
    }
}
