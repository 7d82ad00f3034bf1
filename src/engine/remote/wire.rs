//! The JSON the service speaks (PROTOCOL.md "Request" and "Reply").

use serde::{Deserialize, Serialize};

use crate::engine::Reading;
use crate::engine::reading::null_as_default;

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
    /// The reading, on success.
    #[serde(default)]
    pub result: Option<Reading>,
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
        assert_eq!(res.items[0].value, "");
        assert_eq!(res.items[1].position, vec![1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn rejects_a_code_of_the_wrong_type() {
        let err = serde_json::from_str::<Reply>(r#"{"code":"200","message":"x"}"#).unwrap_err();
        assert!(err.to_string().contains("invalid type"), "{err}");
    }
}
