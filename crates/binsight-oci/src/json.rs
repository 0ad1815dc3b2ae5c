//! JSON in and out. Out: canonical bytes (keys sorted, no whitespace), so the same value always
//! has the same digest. In: what an image states is read leniently, as a field-by-field reader
//! would: a field of the wrong type reads as absent (or empty), never as a failed parse, so the
//! checks that follow say what is wrong with the image in its own terms.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// `value` as canonical JSON: object keys sorted (serde_json's map is ordered), no
/// insignificant whitespace. Field order of the Rust types does not matter.
pub fn canonical<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_value(value).and_then(|v| serde_json::to_vec(&v)).unwrap_or_default()
}

/// Parse `bytes` as JSON into `T`, leniently: `Err` only when the bytes are not JSON at all; a
/// document of another shape (an array where an object is expected, a string where a number
/// is) gives `T::default()` or absent fields.
pub fn parse_lenient<T: DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    let v: Value = serde_json::from_slice(bytes)?;
    Ok(from_value(v))
}

fn from_value<T: DeserializeOwned + Default>(v: Value) -> T {
    serde_json::from_value(v).unwrap_or_default()
}

/// A field that reads as `None` when it has the wrong type.
pub(crate) fn opt<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    Ok(serde_json::from_value(Value::deserialize(d)?).ok())
}

/// A field that is present whatever its value: `Some(T::default())` when of the wrong type.
pub(crate) fn present<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(d: D) -> Result<Option<T>, D::Error> {
    Ok(Some(from_value(Value::deserialize(d)?)))
}

/// A list field that is present whatever its value: its elements each read leniently
/// (`T::default()` for one of the wrong shape), `Some(empty)` when it is not a list.
pub(crate) fn present_list<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    Ok(Some(match Value::deserialize(d)? {
        Value::Array(a) => a.into_iter().map(from_value).collect(),
        _ => Vec::new(),
    }))
}

/// A string field: `""` when absent or of the wrong type.
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        _ => String::new(),
    })
}

/// A list of strings: its non-string elements skipped, empty when it is not a list.
pub(crate) fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(a) => a
            .into_iter()
            .filter_map(|x| match x {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// A map of strings (annotations): entries with non-string values skipped; `None` when it is
/// not a map.
pub(crate) fn string_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<std::collections::BTreeMap<String, String>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(m) => Some(
            m.into_iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k, s)),
                    _ => None,
                })
                .collect(),
        ),
        _ => None,
    })
}

/// A map of objects: each value read leniently (`T::default()` when of the wrong shape);
/// `None` when it is not a map. Keys in serde_json's order (sorted).
pub(crate) fn struct_map<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(
    d: D,
) -> Result<Option<std::collections::BTreeMap<String, T>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(m) => Some(m.into_iter().map(|(k, v)| (k, from_value(v))).collect()),
        _ => None,
    })
}

/// Parse `bytes` as a JSON list of `T`, leniently: `Err` only when the bytes are not JSON; a
/// document that is not a list gives an empty one, an element of the wrong shape
/// `T::default()` (so the list keeps its length and order).
pub fn parse_list<T: DeserializeOwned + Default>(bytes: &[u8]) -> Result<Vec<T>, serde_json::Error> {
    Ok(match serde_json::from_slice::<Value>(bytes)? {
        Value::Array(a) => a.into_iter().map(from_value).collect(),
        _ => Vec::new(),
    })
}
