//! The HTTP client of the OCR service: one request per picture, the reply
//! parsed into a [`Reading`] or an [`ApiError`]. Knows nothing about files
//! or terminals.

use std::io::Read;
use std::time::Duration;

use base64::Engine as _;

use super::{Service, codes, wire};
use crate::engine::{ErrorClass, Failure, Note, Reading};
use crate::safe_text::terminal_safe;
use crate::secret::{REDACTED, Redactor, Secret};

/// Why a request did not give a result.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The service answered with an error `code`.
    #[error("service error {code}: {message}")]
    Service { code: i64, message: String },
    /// An HTTP status other than 200 (the body, shortened, in `detail`).
    #[error("HTTP {status} from the service{detail}")]
    Http {
        status: u16,
        /// Seconds the server asked to wait (`Retry-After`), if any.
        retry_after: Option<Duration>,
        detail: String,
    },
    /// No answer at all: the connection was refused or failed, the host
    /// was not found, or connecting or waiting for the reply timed out. The
    /// text says which. Counted towards a dead endpoint
    /// ([`super::DEAD_AFTER_FILES`]).
    #[error("{0}")]
    Unreachable(String),
    /// An answer broken off: the connection reset, a reply cut short, a
    /// protocol error. The text says which.
    #[error("{0}")]
    Transport(String),
    /// A reply that is not the documented JSON.
    #[error("malformed reply from the service: {0}")]
    Malformed(String),
    /// An HTTP redirect (3xx). xocr never follows one: the request would
    /// carry the picture and the token to another address, and whatever
    /// answers there would be taken as the result. Class stop: every file
    /// would get the same. `location` is the `Location` header with the
    /// token redacted, shortened to 160 characters and with control
    /// characters escaped, or empty when there was none.
    #[error(
        "HTTP {status} redirect from the service{}: the endpoint URL is wrong (xocr never follows a redirect)",
        if location.is_empty() { " without a Location".to_string() } else { format!(" to {location}") }
    )]
    Redirect { status: u16, location: String },
    /// A reply body larger than the limit (`--max-reply-size`), bytes:
    /// announced by its `Content-Length`, or found while reading, which
    /// stops one byte past the limit. Class file, never retried: the same
    /// request would get the same reply, downloaded again.
    #[error(
        "the service's reply is larger than {} (--max-reply-size): not read further",
        size_text(*limit)
    )]
    ReplyTooLarge { limit: u64 },
}

impl ApiError {
    /// The class that decides retry, go on, or stop (PROTOCOL.md).
    pub fn class(&self) -> ErrorClass {
        match self {
            ApiError::Service { code, .. } => codes::class_of(*code),
            ApiError::Http { status, .. } => match status {
                429 | 500..=599 => ErrorClass::Retry,
                // Wrong URL or no access: every request would fail alike.
                401 | 403 | 404 | 405 => ErrorClass::Stop,
                _ => ErrorClass::File,
            },
            ApiError::Unreachable(_) | ApiError::Transport(_) | ApiError::Malformed(_) => {
                ErrorClass::Retry
            }
            ApiError::Redirect { .. } => ErrorClass::Stop,
            ApiError::ReplyTooLarge { .. } => ErrorClass::File,
        }
    }

    /// The service code, when the service gave one.
    pub fn code(&self) -> Option<i64> {
        match self {
            ApiError::Service { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// What the user should do, when there is something to say.
    pub fn action(&self) -> Option<&'static str> {
        match self {
            ApiError::Service { code, .. } => codes::lookup(*code).map(|c| c.action),
            ApiError::Http {
                status: 404 | 405, ..
            } => Some("check --endpoint / XOCR_ENDPOINT: the URL does not take OCR requests"),
            ApiError::Http {
                status: 401 | 403, ..
            } => Some("check the token and that this machine may use the service"),
            ApiError::Unreachable(_) | ApiError::Transport(_) => {
                Some("check the endpoint URL, the network and any proxy settings")
            }
            ApiError::Redirect { .. } => Some(
                "check --endpoint / XOCR_ENDPOINT: give the URL the service answers at itself, if you trust where the redirect points",
            ),
            ApiError::ReplyTooLarge { .. } => Some(
                "raise --max-reply-size (or max_reply_size in the config file) if the service's replies are really this large",
            ),
            _ => None,
        }
    }
}

impl From<&ApiError> for Failure {
    fn from(e: &ApiError) -> Self {
        Failure {
            code: e.code(),
            message: e.to_string(),
            class: e.class(),
            hint: e.action().map(str::to_string),
        }
    }
}

/// The `User-Agent` of every request.
const USER_AGENT: &str = concat!("xocr/", env!("CARGO_PKG_VERSION"));
/// Most reply headers noted for `-vv`; a reply with more has the rest
/// counted, not listed.
const MAX_NOTED_HEADERS: usize = 40;
/// Longest header value noted for `-vv`, characters.
const MAX_HEADER_CHARS: usize = 200;

/// A client for one endpoint, sharing one connection pool between threads.
pub struct Client {
    agent: ureq::Agent,
    endpoint: String,
    request_type: String,
    token: Secret,
    /// Takes the token out of whatever the server sends back.
    redactor: Redactor,
    /// Largest reply body read, bytes.
    max_reply_bytes: u64,
}

impl Client {
    /// Builds the client. Proxies come from the usual environment variables
    /// (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`); `timeout`
    /// bounds connecting, sending and each wait for reply bytes.
    pub fn new(service: &Service, pool_size: usize) -> Self {
        let t = Some(service.timeout);
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A 3xx comes back as a response, never followed.
            .max_redirects(0)
            .timeout_connect(t)
            .timeout_send_request(t)
            .timeout_send_body(t)
            .timeout_recv_response(t)
            .timeout_recv_body(t)
            .max_idle_connections(pool_size.max(1))
            .max_idle_connections_per_host(pool_size.max(1))
            .user_agent(USER_AGENT)
            .build()
            .into();
        Client {
            agent,
            endpoint: service.endpoint.clone(),
            request_type: service.request_type.clone(),
            token: service.token.clone(),
            redactor: service.token.redactor(),
            max_reply_bytes: service.max_reply_bytes,
        }
    }

    /// Sends one picture (its file bytes as they are) and returns the result.
    /// Fails with [`ApiError`] when the service answers an error code, the
    /// HTTP status is not 200 (a redirect is never followed), the transport
    /// fails, the reply is larger than the service's `max_reply_bytes`, or it
    /// is not the documented JSON. The token never appears in the error, nor
    /// in the result, in any form it can be echoed in ([`Redactor::redact`]).
    pub fn recognize(&self, picture: &[u8]) -> Result<Reading, ApiError> {
        self.send(&self.request_body(picture)?, &mut Vec::new())
    }

    /// The request body for `picture`: JSON with its bytes in base64
    /// (standard alphabet), the request type and the token. Built once per
    /// picture, so retries and the rate limit see only the sending.
    pub fn request_body(&self, picture: &[u8]) -> Result<Vec<u8>, ApiError> {
        let image = base64::engine::general_purpose::STANDARD.encode(picture);
        serde_json::to_vec(&wire::Request {
            image: &image,
            request_type: &self.request_type,
            token: self.token.expose(),
        })
        .map_err(|e| ApiError::Malformed(format!("cannot build the request: {e}")))
    }

    /// Sends a body from [`request_body`](Self::request_body) and reads the
    /// reply, failing as [`recognize`](Self::recognize) does. Notes for
    /// `-vv` go to `log`: the request line and headers (all of them are set
    /// here, so the notes are what is sent; `Host` is the endpoint's), the
    /// body's size, the reply's status, headers and body size; never the
    /// token (a header value equal to it is redacted) nor a body.
    pub fn send(&self, body: &[u8], log: &mut Vec<Note>) -> Result<Reading, ApiError> {
        let length = body.len().to_string();
        // In the order ureq would add them itself.
        let headers = [
            ("Content-Type", "application/json"),
            ("Accept-Encoding", "gzip"),
            ("Content-Length", length.as_str()),
            ("User-Agent", USER_AGENT),
            ("Accept", "*/*"),
        ];
        let mut request = self.agent.post(&self.endpoint);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let started = std::time::Instant::now();
        let result = request.send(body);
        // Noted after the sending, so that nothing is done between the
        // rate limit's start and the request's.
        log.push(Note::vv(format!(
            "request: POST {}",
            self.redactor.redact(&endpoint_shown(&self.endpoint))
        )));
        for (name, value) in headers {
            let shown = if !self.token.is_empty() && value == self.token.expose() {
                REDACTED
            } else {
                value
            };
            log.push(Note::vv(format!("request header: {name}: {shown}")));
        }
        log.push(Note::vv(format!(
            "request body: {} bytes (JSON: the picture in base64, the type, the token)",
            body.len()
        )));
        let mut response = match result {
            Ok(r) => r,
            Err(e) => {
                let e = self.redact(transport_error(e));
                log.push(Note::vv(format!(
                    "no reply after {} ms: {e}",
                    started.elapsed().as_millis()
                )));
                return Err(e);
            }
        };
        let status = response.status().as_u16();
        log.push(Note::vv(format!(
            "reply: {:?} {status} after {} ms",
            response.version(),
            started.elapsed().as_millis()
        )));
        for (i, (name, value)) in response.headers().iter().enumerate() {
            if i == MAX_NOTED_HEADERS {
                log.push(Note::vv(format!(
                    "reply header: … {} more",
                    response.headers().len() - i
                )));
                break;
            }
            let value = quote(
                &self.redactor,
                &String::from_utf8_lossy(value.as_bytes()),
                MAX_HEADER_CHARS,
            );
            log.push(Note::vv(format!(
                "reply header: {}: {value}",
                terminal_safe(name.as_str())
            )));
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        if (300..400).contains(&status) {
            let location = response
                .headers()
                .get("location")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_default();
            return Err(self.redact(ApiError::Redirect {
                status,
                location: quote(&self.redactor, &location, MAX_LOCATION_CHARS),
            }));
        }
        let limit = self.max_reply_bytes;
        let headers = response.headers();
        let declared = headers
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        // A compressed body's length says little about the decoded one.
        if declared.is_some_and(|n| n > limit) && !headers.contains_key("content-encoding") {
            return Err(ApiError::ReplyTooLarge { limit });
        }
        let bytes = match read_capped(response.body_mut().as_reader(), limit) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                log.push(Note::vv(format!(
                    "reply body: more than {limit} bytes, not read further"
                )));
                return Err(ApiError::ReplyTooLarge { limit });
            }
            Err(e) => {
                return Err(self.redact(ApiError::Transport(format!(
                    "the service's reply was cut short: {e}"
                ))));
            }
        };
        log.push(Note::vv(format!(
            "reply body: {} bytes after {} ms",
            bytes.len(),
            started.elapsed().as_millis()
        )));
        if status != 200 {
            return Err(self.redact(ApiError::Http {
                status,
                retry_after,
                detail: snippet(&bytes, &self.redactor),
            }));
        }
        parse(&bytes, &self.redactor).map_err(|e| self.redact(e))
    }

    /// The last pass over every error: fragments of the token redacted and
    /// control characters escaped in all its texts, whatever made them.
    fn redact(&self, e: ApiError) -> ApiError {
        let clean = |s: String| terminal_safe(&self.redactor.redact_fragments(&s)).into_owned();
        match e {
            ApiError::Service { code, message } => ApiError::Service {
                code,
                message: clean(message),
            },
            ApiError::Http {
                status,
                retry_after,
                detail,
            } => ApiError::Http {
                status,
                retry_after,
                detail: clean(detail),
            },
            ApiError::Unreachable(m) => ApiError::Unreachable(clean(m)),
            ApiError::Transport(m) => ApiError::Transport(clean(m)),
            ApiError::Malformed(m) => ApiError::Malformed(clean(m)),
            ApiError::Redirect { status, location } => ApiError::Redirect {
                status,
                location: clean(location),
            },
            e @ ApiError::ReplyTooLarge { .. } => e,
        }
    }
}

/// Reads `r` to its end, or `None` as soon as it holds more than `limit`
/// bytes. The buffer never grows past `limit + 1` bytes, so a reply that
/// never ends costs at most that much memory.
fn read_capped(r: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let cap = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX);
    let mut r = r.take(limit.saturating_add(1));
    let mut bytes: Vec<u8> = Vec::with_capacity(cap.min(64 * 1024));
    loop {
        if bytes.len() == bytes.capacity() {
            let want = (bytes.capacity() * 2).min(cap);
            if want == bytes.len() {
                break;
            }
            bytes.reserve_exact(want - bytes.len());
        }
        let len = bytes.len();
        let room = (bytes.capacity() - len).min(64 * 1024);
        bytes.resize(len + room, 0);
        match r.read(&mut bytes[len..]) {
            Ok(0) => {
                bytes.truncate(len);
                break;
            }
            Ok(n) => bytes.truncate(len + n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => bytes.truncate(len),
            Err(e) => return Err(e),
        }
    }
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// A byte count as people read limits: `64 MiB`, `800 KiB`, `1000 bytes`.
fn size_text(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

/// Turns a reply body into a result: code 200 with a `result` object, or the
/// error it names.
pub fn parse_reply(bytes: &[u8]) -> Result<Reading, ApiError> {
    parse(bytes, &Secret::new("").redactor())
}

/// [`parse_reply`], taking the token out of the error texts (see [`quote`])
/// and out of the result's texts.
fn parse(bytes: &[u8], redactor: &Redactor) -> Result<Reading, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::Malformed("empty body".into()));
    }
    let reply: wire::Reply = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_eof() {
            ApiError::Malformed(format!("the JSON ends early after {} bytes", bytes.len()))
        } else if e.is_data() {
            // serde quotes the offending value.
            let why = quote(redactor, &e.to_string(), MAX_MESSAGE_CHARS);
            ApiError::Malformed(format!("a field has the wrong type: {why}"))
        } else {
            ApiError::Malformed(format!("not JSON ({e}){}", snippet(bytes, redactor)))
        }
    })?;
    match (reply.code, reply.result) {
        (200, Some(mut result)) => {
            result.cost_time = reply.cost_time;
            redact_result(&mut result, redactor);
            Ok(result)
        }
        (200, None) => Err(ApiError::Malformed("code 200 without a result".into())),
        (code, _) => Err(ApiError::Service {
            code,
            message: quote(redactor, &reply.message, MAX_MESSAGE_CHARS),
        }),
    }
}

/// A result that echoes the token (in a value, a key, a description or
/// the type) has it redacted there too.
fn redact_result(result: &mut Reading, redactor: &Redactor) {
    let fix = |s: &mut String| {
        if let std::borrow::Cow::Owned(clean) = redactor.redact(s) {
            *s = clean;
        }
    };
    fix(&mut result.doc_type);
    fix(&mut result.type_description);
    for item in &mut result.items {
        fix(&mut item.key);
        fix(&mut item.value);
        fix(&mut item.description);
    }
}

/// The endpoint as noted for `-vv`: without any `user:password@`.
fn endpoint_shown(endpoint: &str) -> String {
    match endpoint.split_once("://") {
        Some((scheme, rest)) => {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let (authority, tail) = rest.split_at(end);
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            terminal_safe(&format!("{scheme}://{host}{tail}")).into_owned()
        }
        None => terminal_safe(endpoint).into_owned(),
    }
}

/// A ureq error as an [`ApiError`]: [`ApiError::Unreachable`] when the
/// service gave no answer at all (refused, not found, timed out),
/// [`ApiError::Transport`] for the rest.
fn transport_error(e: ureq::Error) -> ApiError {
    use std::io::ErrorKind as K;
    let unreachable =
        |why: &str| ApiError::Unreachable(format!("could not reach the service: {why}"));
    match e {
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => {
            unreachable("timed out connecting")
        }
        ureq::Error::Timeout(t) => {
            ApiError::Unreachable(format!("the service did not answer in time ({t})"))
        }
        ureq::Error::HostNotFound => unreachable("host not found"),
        ureq::Error::ConnectionFailed => unreachable("connection failed"),
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                K::ConnectionRefused
                    | K::TimedOut
                    | K::HostUnreachable
                    | K::NetworkUnreachable
                    | K::AddrNotAvailable
            ) =>
        {
            unreachable(&io.to_string())
        }
        ureq::Error::BadUri(u) => {
            ApiError::Transport(format!("could not reach the service: bad URL: {u}"))
        }
        other => ApiError::Transport(format!("could not reach the service: {other}")),
    }
}

/// Longest `Location` quoted in a redirect error, characters.
const MAX_LOCATION_CHARS: usize = 160;
/// Longest service message (or other server text) quoted, characters.
const MAX_MESSAGE_CHARS: usize = 300;
/// Longest part of an error body quoted, characters.
const MAX_SNIPPET_CHARS: usize = 200;

/// Text from the server made fit to quote in an error message, in this
/// order: the token redacted in every form on the WHOLE text (before any
/// cut, so that a cut cannot split it), white space collapsed to single
/// spaces, the text cut to `max` characters (`…` marks the cut), any
/// fragment of at least six characters of the token still there redacted
/// ([`Redactor::redact_fragments`]: a token the server itself cut short),
/// and control characters escaped ([`terminal_safe`]).
fn quote(redactor: &Redactor, raw: &str, max: usize) -> String {
    let whole = redactor.redact(raw);
    let mut kept = String::new();
    let mut n = 0;
    let mut cut = false;
    'words: for word in whole.split_whitespace() {
        if !kept.is_empty() {
            if n >= max {
                cut = true;
                break;
            }
            kept.push(' ');
            n += 1;
        }
        let mut rest = word;
        while let Some(c) = rest.chars().next() {
            if n >= max {
                cut = true;
                break 'words;
            }
            // The marker is kept whole, even past `max`.
            let take = if rest.starts_with(REDACTED) {
                REDACTED.len()
            } else {
                c.len_utf8()
            };
            kept.push_str(&rest[..take]);
            n += rest[..take].chars().count();
            rest = &rest[take..];
        }
    }
    let mut out = terminal_safe(&redactor.redact_fragments(&kept)).into_owned();
    if cut {
        out.push('…');
    }
    out
}

/// The start of a body, on one line, for error messages: `": <text>"`,
/// or empty for a blank body. See [`quote`].
fn snippet(bytes: &[u8], redactor: &Redactor) -> String {
    let text = quote(redactor, &String::from_utf8_lossy(bytes), MAX_SNIPPET_CHARS);
    if text.is_empty() {
        String::new()
    } else {
        format!(": {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reply_names_each_failure() {
        assert!(matches!(parse_reply(b""), Err(ApiError::Malformed(_))));
        let e = parse_reply(b"<html><body>502 Bad Gateway</body></html>").unwrap_err();
        assert!(e.to_string().contains("not JSON"), "{e}");
        assert!(e.to_string().contains("502 Bad Gateway"), "{e}");
        let e = parse_reply(br#"{"code":200,"result":{"type":"id_c"#).unwrap_err();
        assert!(e.to_string().contains("ends early"), "{e}");
        let e = parse_reply(br#"{"code":200,"message":"success"}"#).unwrap_err();
        assert!(e.to_string().contains("without a result"), "{e}");
        match parse_reply(br#"{"code":40101,"message":"App does not exist"}"#) {
            Err(ApiError::Service { code, message }) => {
                assert_eq!(code, 40101);
                assert_eq!(message, "App does not exist");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn http_status_classes() {
        let h = |status| ApiError::Http {
            status,
            retry_after: None,
            detail: String::new(),
        };
        assert_eq!(h(503).class(), ErrorClass::Retry);
        assert_eq!(h(429).class(), ErrorClass::Retry);
        assert_eq!(h(404).class(), ErrorClass::Stop);
        assert_eq!(h(413).class(), ErrorClass::File);
        let r = ApiError::Redirect {
            status: 307,
            location: "http://elsewhere/ocr".into(),
        };
        assert_eq!(r.class(), ErrorClass::Stop);
        assert!(r.to_string().contains("to http://elsewhere/ocr"), "{r}");
        assert!(r.action().unwrap().contains("--endpoint"));
    }

    #[test]
    fn replies_are_read_up_to_the_limit_only() {
        let body = vec![7u8; 1000];
        assert_eq!(read_capped(&body[..], 1000).unwrap().unwrap().len(), 1000);
        assert!(read_capped(&body[..], 999).unwrap().is_none());
        let endless = std::io::repeat(1);
        assert!(read_capped(endless, 300_000).unwrap().is_none());
        let e = ApiError::ReplyTooLarge { limit: 64 << 20 };
        assert_eq!(e.class(), ErrorClass::File);
        assert!(e.to_string().contains("64 MiB (--max-reply-size)"), "{e}");
        assert_eq!(size_text(1000), "1000 bytes");
        assert_eq!(size_text(800 << 10), "800 KiB");
    }

    #[test]
    fn quoted_server_text_is_redacted_before_the_cut() {
        let token = Secret::new("tok\tSECRET-0123456789");
        let r = token.redactor();
        let none = Secret::new("").redactor();
        assert_eq!(quote(&none, "  a \n b  ", 10), "a b");
        assert_eq!(quote(&none, "abcdef", 3), "abc…");
        assert_eq!(quote(&none, "ab cd", 2), "ab…");
        // The token straddles the cut: redacted whole first.
        let body = format!("{}tok\tSECRET-0123456789 tail", "x".repeat(195));
        let q = quote(&r, &body, 200);
        assert!(q.ends_with("xx<redacted>…"), "{q}");
        assert!(!q.contains("tok") && !q.contains("SECRET"), "{q}");
        // The server cut it short itself: the fragment goes.
        assert_eq!(quote(&r, "echo: tok SECR", 100), "echo: <redacted>");
        assert_eq!(quote(&none, "a\u{1b}]0;x\u{7}", 100), "a\\x1b]0;x\\x07");
    }
}
