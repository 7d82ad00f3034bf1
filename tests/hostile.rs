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

/// One request as the server read it.
#[derive(Clone, Debug)]
#[allow(dead_code)] // `at` and `picture`: for the tests to come
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
#[allow(dead_code)] // `Endless`: for the tests to come
enum Answer {
    /// Status, extra headers and body; Content-Length is added.
    Reply(u16, Vec<(String, String)>, Vec<u8>),
    /// Status 200 and a body that never ends: chunked, or with a
    /// Content-Length of 1 TiB.
    Endless { chunked: bool },
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

    #[allow(dead_code)]
    fn endless_written(&self) -> Vec<u64> {
        self.state.endless_written.lock().unwrap().clone()
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
            Answer::Endless { chunked } => {
                let n = endless(state, &mut writer, chunked);
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
fn endless(state: &State, w: &mut TcpStream, chunked: bool) -> u64 {
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
    while sent < ENDLESS_CAP && !state.over() {
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
        if let Some((k, v)) = h.split_once(':') {
            if k.trim().eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().ok()?;
            }
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
