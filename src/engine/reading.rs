//! What an engine read from one picture, whichever engine read it: the
//! document type, the turn of the picture, and the fields in order. The
//! service's `result` object (PROTOCOL.md "Reply") has this shape, so a
//! reading is stored in `--out-dir` and read back as JSON of that shape.

use serde::{Deserialize, Deserializer, Serialize};

/// One picture's reading.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reading {
    /// Document type found, e.g. `id_card`; `other` when nothing was recognised.
    #[serde(rename = "type")]
    pub doc_type: String,
    /// The type's description; may be empty.
    #[serde(default, deserialize_with = "null_as_default")]
    pub type_description: String,
    /// Degrees the original must be turned clockwise to stand upright.
    #[serde(default)]
    pub image_angle: i64,
    /// Width of the upright picture, px.
    #[serde(default)]
    pub rotated_image_width: i64,
    /// Height of the upright picture, px.
    #[serde(default)]
    pub rotated_image_height: i64,
    /// The fields in the engine's order.
    #[serde(default, rename = "item_list")]
    pub items: Vec<ReadItem>,
    /// Time the service spent, milliseconds (the reply envelope's
    /// `cost_time`); `None` for the offline engine.
    #[serde(skip)]
    pub cost_time: Option<i64>,
}

/// One field of a reading.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReadItem {
    /// Field name, e.g. `name`, `id_number`, `head_portrait`.
    pub key: String,
    /// The text found; for picture fields, base64 (standard alphabet) of an
    /// image. May be empty.
    #[serde(default, deserialize_with = "null_as_default")]
    pub value: String,
    /// The field's Chinese label, e.g. `姓名`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub description: String,
    /// Empty, or 8 integers: x,y of the top-left, top-right, bottom-right and
    /// bottom-left corners in the upright picture, px.
    #[serde(default, deserialize_with = "null_as_default")]
    pub position: Vec<i64>,
    /// How sure the offline recogniser is of the text, 0..1 (mean of the
    /// per-character probabilities); the service does not send it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
}

/// A JSON `null` read as the type's default (the service sends `null` for
/// empty values).
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nulls_as_empty_and_writes_the_service_shape() {
        let r: Reading = serde_json::from_str(
            r#"{"type":"id_card","type_description":null,"item_list":[
            {"key":"name","value":null,"position":null}]}"#,
        )
        .unwrap();
        assert_eq!(r.items[0].value, "");
        assert!(r.items[0].position.is_empty());
        let back = serde_json::to_value(&r).unwrap();
        assert_eq!(back["item_list"][0]["key"], "name");
        assert_eq!(back["type"], "id_card");
    }
}
