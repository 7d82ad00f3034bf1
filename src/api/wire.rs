//! The JSON the service speaks (PROTOCOL.md "Request" and "Reply").

use serde::{Deserialize, Deserializer, Serialize};

/// The request body: `{"image": <base64>, "type": "8", "token": "…"}`.
#[derive(Serialize)]
pub struct Request<'a> {
    /// The picture's bytes, base64 standard alphabet, padded, no line breaks.
    pub image: &'a str,
    /// Request type, e.g. "8".
    #[serde(rename = "type")]
    pub request_type: &'a str,
    /// The account token.
    pub token: &'a str,
}

/// The reply envelope. `code` must be an integer and `result` must be present
/// when `code` is 200; anything else is a malformed reply.
#[derive(Debug, Deserialize)]
pub struct Reply {
    pub code: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub message: String,
    /// Server time, milliseconds; may be absent.
    #[serde(default)]
    pub cost_time: Option<i64>,
    #[serde(default)]
    pub result: Option<OcrResult>,
}

/// The `result` object of a successful reply.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OcrResult {
    /// Document type found, e.g. `id_card`; `other` when nothing was recognised.
    #[serde(rename = "type")]
    pub doc_type: String,
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
    #[serde(default)]
    pub item_list: Vec<WireItem>,
    /// The envelope's `cost_time`: server time, milliseconds.
    #[serde(skip)]
    pub cost_time: Option<i64>,
}

/// One recognised field.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireItem {
    /// Field name, e.g. `name`, `id_number`, `head_portrait`.
    pub key: String,
    /// The text found; for picture fields, base64 of an image. May be empty.
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

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
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
    fn tolerates_missing_and_null_fields_and_extras() {
        let r: Reply = serde_json::from_str(
            r#"{"code":200,"message":"success","extra":1,"result":{"type":"id_card",
            "item_list":[{"key":"name","value":null,"position":[]},{"key":"sex","value":"女",
            "description":"性别","position":[1,2,3,4,5,6,7,8],"more":true}]}}"#,
        )
        .unwrap();
        assert_eq!(r.code, 200);
        assert_eq!(r.cost_time, None);
        let res = r.result.unwrap();
        assert_eq!(res.doc_type, "id_card");
        assert_eq!(res.item_list[0].value, "");
        assert_eq!(res.item_list[1].position, vec![1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn rejects_a_code_of_the_wrong_type() {
        let err = serde_json::from_str::<Reply>(r#"{"code":"200","message":"x"}"#).unwrap_err();
        assert!(err.to_string().contains("invalid type"), "{err}");
    }
}
