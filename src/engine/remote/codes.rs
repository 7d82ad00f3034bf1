//! The service's error codes (PROTOCOL.md, from the vendor's document), each
//! with its class and what to do about it.

pub use crate::engine::ErrorClass;

/// One row of the vendor's error-code table.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    /// The `code` field of the reply.
    pub code: i64,
    /// The vendor's `message` for it.
    pub message: &'static str,
    /// What it means, in English.
    pub meaning: &'static str,
    pub class: ErrorClass,
    /// What the user should do.
    pub action: &'static str,
}

use ErrorClass::{File, Retry, Stop};

const fn c(
    code: i64,
    message: &'static str,
    meaning: &'static str,
    class: ErrorClass,
    action: &'static str,
) -> CodeInfo {
    CodeInfo {
        code,
        message,
        meaning,
        class,
        action,
    }
}

const RETRY_LATER: &str = "try again later; contact the vendor if it persists";
const CHECK_TOKEN: &str = "check the token (--token-file, XOCR_TOKEN or the config file)";
const RECHARGE: &str = "recharge or wait for the quota to reset in the vendor's user centre";
const CHECK_ENDPOINT: &str = "check --endpoint / XOCR_ENDPOINT and --type";

/// Every code in the vendor's table, in its order.
pub const CODES: &[CodeInfo] = &[
    c(
        500,
        "Server error",
        "internal server error",
        Retry,
        RETRY_LATER,
    ),
    c(
        40001,
        "Access server error",
        "auth server error",
        Retry,
        RETRY_LATER,
    ),
    c(
        40002,
        "Service temporarily unavailable",
        "service unavailable",
        Retry,
        RETRY_LATER,
    ),
    c(
        40003,
        "Unsupported openapi method",
        "the API called does not exist",
        Stop,
        CHECK_ENDPOINT,
    ),
    c(
        40004,
        "Open api request limit reached",
        "the service's cluster is over its limit",
        Retry,
        "wait and try again later",
    ),
    c(
        40017,
        "Open api daily request limit reached",
        "the account's daily quota is used up",
        Stop,
        RECHARGE,
    ),
    c(
        40018,
        "Open api qps request limit reached",
        "too many requests per second",
        Retry,
        "lower --jobs or --qps",
    ),
    c(
        40019,
        "Open api total request limit reached",
        "the account's total quota is used up",
        Stop,
        RECHARGE,
    ),
    c(
        40020,
        "Open api daily testing limit reached.",
        "the test quota is used up for today",
        Stop,
        RECHARGE,
    ),
    c(
        40100,
        "Empty App key or app secret",
        "no credentials were sent",
        Stop,
        CHECK_TOKEN,
    ),
    c(
        40101,
        "App does not exist",
        "the token is unknown",
        Stop,
        CHECK_TOKEN,
    ),
    c(
        40102,
        "Invalid app secret",
        "the token is wrong",
        Stop,
        CHECK_TOKEN,
    ),
    c(
        40103,
        "Invalid App",
        "the account is disabled",
        Stop,
        "contact the vendor",
    ),
    c(
        40104,
        "App has expired",
        "the account has expired",
        Stop,
        "renew the account in the vendor's user centre",
    ),
    c(
        40105,
        "Invalid IP source",
        "this machine's IP address is not allowed",
        Stop,
        "allow this IP address in the vendor's user centre",
    ),
    c(
        40106,
        "App does not match service",
        "the token is not valid for this service",
        Stop,
        CHECK_TOKEN,
    ),
    c(
        40107,
        "App has been overdrawn by 5% of the total count. Please use it after recharging.",
        "the account's credit is overdrawn",
        Stop,
        RECHARGE,
    ),
    c(
        40110,
        "App key or app secret invalid",
        "the credentials are invalid",
        Stop,
        CHECK_TOKEN,
    ),
    c(
        40200,
        "Internal error",
        "internal server error",
        Retry,
        RETRY_LATER,
    ),
    c(
        40201,
        "Not enough param",
        "a required parameter is missing",
        Stop,
        CHECK_ENDPOINT,
    ),
    c(
        40202,
        "Service not support",
        "the service is not supported at this URL",
        Stop,
        CHECK_ENDPOINT,
    ),
    c(
        40300,
        "Empty image",
        "the picture is empty",
        File,
        "check the file",
    ),
    c(
        40301,
        "Image format error",
        "unsupported picture format (PNG, JPG, JPEG, BMP)",
        File,
        "convert the picture to JPEG or PNG",
    ),
    c(
        40302,
        "Image size error",
        "the picture's size is out of range",
        File,
        "use a picture of at most 10 MB with sides of 20 to 10000 px",
    ),
    c(
        40303,
        "File type unsupport",
        "the file type is not supported",
        File,
        "convert the picture to JPEG or PNG",
    ),
    c(
        40400,
        "Recognize error",
        "recognition failed",
        Retry,
        "try again; a sharper picture may help",
    ),
    c(
        40401,
        "Image recognize error",
        "recognition failed",
        File,
        "use a sharper, upright picture of the whole document",
    ),
    c(
        40500,
        "Classify failed",
        "not a supported document",
        File,
        "check that the picture shows a supported document (xocr types)",
    ),
    c(
        40600,
        "Missing request body",
        "no request body",
        Stop,
        CHECK_ENDPOINT,
    ),
    c(
        50001,
        "Time out",
        "the service timed out",
        Retry,
        RETRY_LATER,
    ),
    c(90099, "Unknown error", "unknown error", Retry, RETRY_LATER),
];

/// The table row for `code`, or `None` for a code the vendor does not list
/// (such a code is treated as class `file`).
pub fn lookup(code: i64) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code == code)
}

/// The class of a service `code`: the table's, or `file` for unknown codes.
pub fn class_of(code: i64) -> ErrorClass {
    lookup(code).map_or(File, |c| c.class)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_protocol_table() {
        for code in [500, 40001, 40002, 40004, 40018, 40200, 40400, 50001, 90099] {
            assert_eq!(class_of(code), Retry, "{code}");
        }
        for code in [40300, 40301, 40302, 40303, 40401, 40500] {
            assert_eq!(class_of(code), File, "{code}");
        }
        for code in [
            40003, 40017, 40019, 40020, 40100, 40101, 40102, 40103, 40104, 40105, 40106, 40107,
            40110, 40201, 40202, 40600,
        ] {
            assert_eq!(class_of(code), Stop, "{code}");
        }
        assert_eq!(class_of(12345), File);
        assert_eq!(CODES.len(), 31);
    }
}
