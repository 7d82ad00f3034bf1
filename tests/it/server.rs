//! A stand-in for the OCR service: a real HTTP server on 127.0.0.1 (an
//! ephemeral port) that checks every request as the vendor does and answers
//! realistic replies, error codes and broken replies on demand.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The token the server accepts.
pub const TOKEN: &str = "tok-3f9a1c2e7b-secret";

/// What the server answers for a picture.
#[derive(Clone, Debug)]
pub enum Scenario {
    /// Resident ID card, front side, with portrait, crop and number pictures.
    IdFront,
    /// ID card front whose number has a wrong check character and whose
    /// sex disagrees with the number: a misread.
    IdFrontMisread,
    /// Resident ID card, back side.
    IdBack,
    BankCard,
    BusinessLicense,
    /// `type: other` with no items.
    Other,
    /// An error reply with this code and the vendor's message.
    Code(i64),
    /// An HTTP status with this body.
    Http(u16, &'static str),
    /// HTTP 200 with this body as it is.
    Raw(&'static str),
    /// A success whose crop_image is a picture of at least this many bytes.
    LargePicture(usize),
    /// A success with a picture under a hostile key.
    HostileKey,
    /// Wait this long, then answer IdFront.
    Slow(Duration),
    /// The first N requests for this picture get the inner scenario, the
    /// rest IdFront.
    Flaky(u32, Box<Scenario>),
    /// Close the connection without a reply.
    Reset,
    /// Promise the whole body, send half, close.
    Truncated,
    /// HTTP 429 with `Retry-After: N` seconds.
    RetryAfter(u64),
    /// IdFront whose portrait is a JPEG of about this many KB, its pixels
    /// made from the request's picture: every picture gets a portrait of
    /// its own (for workbook memory benchmarks).
    DistinctPortrait(usize),
}

/// One request the server received.
#[derive(Clone, Debug)]
pub struct Seen {
    /// SHA-256 of the decoded picture, hex.
    pub sha256: String,
    /// Decoded picture size, bytes.
    pub bytes: usize,
    /// The reply's `code`, or the HTTP status for non-JSON replies.
    pub code: i64,
    pub at: Instant,
}

struct State {
    scenarios: Mutex<HashMap<String, Scenario>>,
    default: Mutex<Scenario>,
    /// Requests seen per picture (SHA-256 hex), for `Flaky`.
    attempts: Mutex<HashMap<String, u32>>,
    seen: Mutex<Vec<Seen>>,
    /// Requests that broke the protocol (bad base64, missing field…).
    violations: Mutex<Vec<String>>,
    /// Added before every reply.
    latency: Mutex<Duration>,
}

/// The server: one thread accepting, one thread per connection, HTTP/1.1
/// with keep-alive, written by hand so that faults (resets, truncated
/// bodies) can be injected exactly.
pub struct Server {
    pub url: String,
    state: Arc<State>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    addr: std::net::SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = std::net::TcpStream::connect(self.addr);
    }
}

impl Server {
    /// Starts the server on an ephemeral port of 127.0.0.1.
    pub fn start() -> Server {
        Server::start_on("127.0.0.1:0")
    }

    /// Starts the server on `addr` (e.g. `127.0.0.1:8080`).
    pub fn start_on(addr: &str) -> Server {
        let listener = std::net::TcpListener::bind(addr).expect("bind the address");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State {
            scenarios: Mutex::new(HashMap::new()),
            default: Mutex::new(Scenario::IdFront),
            attempts: Mutex::new(HashMap::new()),
            seen: Mutex::new(Vec::new()),
            violations: Mutex::new(Vec::new()),
            latency: Mutex::new(Duration::ZERO),
        });
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        {
            let (state, stop) = (state.clone(), stop.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(std::sync::atomic::Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let state = state.clone();
                    std::thread::spawn(move || serve_connection(&state, conn));
                }
            });
        }
        Server {
            url: format!("http://{addr}/ocr"),
            state,
            stop,
            addr,
        }
    }

    /// Answers `scenario` for this picture (matched by its bytes).
    pub fn on(&self, picture: &[u8], scenario: Scenario) {
        self.state
            .scenarios
            .lock()
            .unwrap()
            .insert(sha_hex(picture), scenario);
    }

    /// Answers `scenario` for every picture without its own.
    pub fn default_scenario(&self, scenario: Scenario) {
        *self.state.default.lock().unwrap() = scenario;
    }

    /// Waits this long before every reply.
    pub fn latency(&self, d: Duration) {
        *self.state.latency.lock().unwrap() = d;
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    pub fn violations(&self) -> Vec<String> {
        self.state.violations.lock().unwrap().clone()
    }

    /// `xocr` with this server's endpoint and token, a private config
    /// directory and no XOCR_* variables from the caller's environment.
    pub fn xocr(&self, home: &Path) -> assert_cmd::Command {
        let mut cmd = xocr_bare(home);
        cmd.env("XOCR_ENDPOINT", &self.url).env("XOCR_TOKEN", TOKEN);
        cmd
    }
}

/// `xocr` with a private HOME/config directory and no XOCR_* variables.
pub fn xocr_bare(home: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("xocr").expect("binary built");
    for (k, _) in std::env::vars() {
        if k.starts_with("XOCR_") || k.ends_with("_PROXY") || k.ends_with("_proxy") {
            cmd.env_remove(k);
        }
    }
    // No colour and no table width from the caller's terminal settings.
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS");
    cmd
}

pub fn sha_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A parsed request.
struct HttpRequest {
    method: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl HttpRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one request; `None` when the client closed the connection.
fn read_request(r: &mut impl std::io::BufRead) -> Option<HttpRequest> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let method = line.split_whitespace().next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(HttpRequest {
        method,
        headers,
        body,
    })
}

/// What goes back on the wire.
enum Wire {
    Reply {
        status: u16,
        body: Vec<u8>,
        headers: Vec<(&'static str, String)>,
    },
    /// Close the connection without a reply.
    Reset,
    /// Headers promising the whole body, half of it, then close.
    Truncated(Vec<u8>),
}

fn serve_connection(state: &State, conn: std::net::TcpStream) {
    // Replies go out in one write, and without Nagle's delay.
    let _ = conn.set_nodelay(true);
    let mut reader = std::io::BufReader::new(match conn.try_clone() {
        Ok(c) => c,
        Err(_) => return,
    });
    let mut writer = conn;
    while let Some(req) = read_request(&mut reader) {
        use std::io::Write;
        if req.method == "CONNECT" {
            // Acting as the client's proxy: the tunnel ends here, and the
            // requests that follow on this connection are served as usual.
            if writer
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .is_err()
            {
                return;
            }
            continue;
        }
        if req.header("transfer-encoding").is_some() {
            state
                .violations
                .lock()
                .unwrap()
                .push("chunked request body".into());
        }
        let (picture, reply) = check(state, &req);
        let wire = match reply {
            Ok(scenario) => answer_with_faults(state, picture.as_deref(), &scenario),
            Err(code) => Wire::Reply {
                status: 200,
                body: error_reply(code).to_string().into_bytes(),
                headers: vec![],
            },
        };
        let code = match &wire {
            Wire::Reply {
                status: 200, body, ..
            } => serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|v| v["code"].as_i64())
                .unwrap_or(200),
            Wire::Reply { status, .. } => i64::from(*status),
            Wire::Reset | Wire::Truncated(_) => -1,
        };
        if let Some(p) = &picture {
            state.seen.lock().unwrap().push(Seen {
                sha256: sha_hex(p),
                bytes: p.len(),
                code,
                at: Instant::now(),
            });
        }
        // Counted on arrival, before the latency: a request whose client
        // dies while waiting was still received (and would be paid for).
        let latency = *state.latency.lock().unwrap();
        if !latency.is_zero() {
            std::thread::sleep(latency);
        }
        match wire {
            Wire::Reply {
                status,
                body,
                headers,
            } => {
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n",
                    body.len()
                );
                for (k, v) in headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                let mut all = head.into_bytes();
                all.extend_from_slice(&body);
                if writer.write_all(&all).and_then(|_| writer.flush()).is_err() {
                    return;
                }
            }
            Wire::Reset => {
                let _ = writer.shutdown(std::net::Shutdown::Both);
                return;
            }
            Wire::Truncated(body) => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                let _ = writer.write_all(head.as_bytes());
                let _ = writer.write_all(&body[..body.len() / 2]);
                let _ = writer.flush();
                let _ = writer.shutdown(std::net::Shutdown::Both);
                return;
            }
        }
    }
}

/// Checks a request as the vendor does; returns the decoded picture (when
/// there is one) and the scenario to answer, or the error code to answer.
fn check(state: &State, req: &HttpRequest) -> (Option<Vec<u8>>, Result<Scenario, i64>) {
    let violation = |m: String| state.violations.lock().unwrap().push(m);
    if req.method != "POST" {
        violation(format!("method {}", req.method));
        return (None, Err(40003));
    }
    if !req
        .header("content-type")
        .is_some_and(|v| v.starts_with("application/json"))
    {
        violation("no Content-Type: application/json".into());
    }
    let body = &req.body;
    if body.is_empty() {
        violation("empty body".into());
        return (None, Err(40600));
    }
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        violation("body is not JSON".into());
        return (None, Err(40201));
    };
    let field = |k: &str| v.get(k).and_then(Value::as_str);
    let (Some(image), Some(kind), Some(token)) = (field("image"), field("type"), field("token"))
    else {
        violation(format!(
            "missing or non-string field in {:?}",
            v.as_object().map(|o| o.keys().collect::<Vec<_>>())
        ));
        return (None, Err(40201));
    };
    if v.as_object().map_or(0, |o| o.len()) != 3 {
        violation("extra fields in the body".into());
    }
    if token != TOKEN {
        return (None, Err(40101));
    }
    if kind != "8" {
        violation(format!("type {kind:?}"));
        return (None, Err(40202));
    }
    // Strict: standard alphabet, padded, no white space, no data: prefix.
    let Ok(picture) = base64::engine::general_purpose::STANDARD.decode(image) else {
        violation("image is not strict standard base64".into());
        return (None, Err(40301));
    };
    if picture.is_empty() {
        return (Some(picture), Err(40300));
    }
    let accepted = matches!(
        imagesize::image_type(&picture),
        Ok(imagesize::ImageType::Jpeg
            | imagesize::ImageType::Png
            | imagesize::ImageType::Bmp
            | imagesize::ImageType::Tiff)
    );
    if !accepted {
        return (Some(picture), Err(40301));
    }
    if picture.len() > 10 * 1024 * 1024 {
        return (Some(picture), Err(40302));
    }
    match imagesize::blob_size(&picture) {
        Ok(s) if (20..=10000).contains(&s.width) && (20..=10000).contains(&s.height) => {}
        _ => return (Some(picture), Err(40302)),
    }
    let scenario = state
        .scenarios
        .lock()
        .unwrap()
        .get(&sha_hex(&picture))
        .cloned()
        .unwrap_or_else(|| state.default.lock().unwrap().clone());
    (Some(picture), Ok(scenario))
}

/// Resolves `Flaky` and the wire-level faults, then the reply.
fn answer_with_faults(state: &State, picture: Option<&[u8]>, scenario: &Scenario) -> Wire {
    let mut scenario = scenario.clone();
    if let Scenario::Flaky(n, fault) = &scenario {
        let key = picture.map(sha_hex).unwrap_or_default();
        let mut attempts = state.attempts.lock().unwrap();
        let seen = attempts.entry(key).or_default();
        *seen += 1;
        scenario = if *seen <= *n {
            (**fault).clone()
        } else {
            Scenario::IdFront
        };
    }
    if let Scenario::DistinctPortrait(kb) = scenario {
        let mut r = id_front();
        let portrait = distinct_portrait(picture.unwrap_or_default(), kb);
        for it in r["item_list"].as_array_mut().unwrap() {
            if it["key"] == "head_portrait" {
                it["value"] = json!(b64(&portrait));
            }
        }
        let body = json!({"code": 200, "message": "success", "result": r});
        return Wire::Reply {
            status: 200,
            body: body.to_string().into_bytes(),
            headers: vec![],
        };
    }
    match scenario {
        Scenario::Reset => Wire::Reset,
        Scenario::Truncated => Wire::Truncated(
            json!({"code": 200, "message": "success", "result": id_front()})
                .to_string()
                .into_bytes(),
        ),
        Scenario::RetryAfter(secs) => Wire::Reply {
            status: 429,
            body: b"Too Many Requests".to_vec(),
            headers: vec![("Retry-After", secs.to_string())],
        },
        other => {
            let (status, body, _) = answer(&other);
            Wire::Reply {
                status,
                body,
                headers: vec![],
            }
        }
    }
}

fn answer(scenario: &Scenario) -> (u16, Vec<u8>, i64) {
    let ok = |result: Value| {
        let body = json!({"code": 200, "message": "success", "cost_time": 412, "result": result});
        (200, body.to_string().into_bytes(), 200)
    };
    match scenario {
        Scenario::IdFront => ok(id_front()),
        Scenario::IdFrontMisread => {
            let mut r = id_front();
            for it in r["item_list"].as_array_mut().unwrap() {
                match it["key"].as_str().unwrap() {
                    "id_number" => it["value"] = json!("110101199003074519"),
                    "sex" => it["value"] = json!("女"),
                    _ => {}
                }
            }
            ok(r)
        }
        Scenario::IdBack => ok(result(
            "id_card",
            vec![
                item(
                    "issue_authority",
                    "签发机关",
                    "上海市公安局普陀分局",
                    &[120, 210, 380, 210, 380, 236, 120, 236],
                ),
                item(
                    "validate_date",
                    "有效期限",
                    "2015.03.01-2035.03.01",
                    &[120, 250, 400, 250, 400, 276, 120, 276],
                ),
            ],
        )),
        Scenario::BankCard => ok(result(
            "bank_card",
            vec![
                item(
                    "card_number",
                    "卡号",
                    "6222 0212 3456 7890 128",
                    &[40, 180, 430, 180, 430, 210, 40, 210],
                ),
                item("bank_name", "银行名称", "中国工商银行", &[]),
                item("validate_date", "有效期", "09/28", &[]),
                item("card_type", "卡类型", "借记卡", &[]),
            ],
        )),
        Scenario::BusinessLicense => ok(result(
            "business_license",
            vec![
                item(
                    "unified_social_credit_code",
                    "统一社会信用代码",
                    "91350100M000100Y43",
                    &[],
                ),
                item("company_name", "名称", "某某科技有限公司", &[]),
                item("registered_capital", "注册资本", "壹佰万元整", &[]),
                item("legal_representative", "法定代表人", "张三", &[]),
            ],
        )),
        Scenario::Other => ok(result("other", vec![])),
        Scenario::Code(code) => (200, error_reply(*code).to_string().into_bytes(), *code),
        Scenario::Http(status, body) => (*status, body.as_bytes().to_vec(), i64::from(*status)),
        Scenario::Raw(body) => (200, body.as_bytes().to_vec(), 200),
        Scenario::LargePicture(n) => {
            let crop = noise_png(*n);
            ok(result(
                "id_card",
                vec![
                    item("name", "姓名", "王小明", &[]),
                    item("crop_image", "切边图像", &b64(&crop), &[]),
                ],
            ))
        }
        Scenario::HostileKey => ok(result(
            "id_card",
            vec![
                item("../../escape", "头像", &b64(&portrait_png()), &[]),
                item("name", "姓名", "李四", &[]),
            ],
        )),
        Scenario::Slow(d) => {
            std::thread::sleep(*d);
            ok(id_front())
        }
        // Resolved by answer_with_faults before this.
        Scenario::Flaky(..)
        | Scenario::Reset
        | Scenario::Truncated
        | Scenario::RetryAfter(_)
        | Scenario::DistinctPortrait(_) => ok(id_front()),
    }
}

fn error_reply(code: i64) -> Value {
    let message = match code {
        500 => "Server error",
        40002 => "Service temporarily unavailable",
        40017 => "Open api daily request limit reached",
        40018 => "Open api qps request limit reached",
        40101 => "App does not exist",
        40201 => "Not enough param",
        40202 => "Service not support",
        40300 => "Empty image",
        40301 => "Image format error",
        40302 => "Image size error",
        40401 => "Image recognize error",
        40500 => "Classify failed",
        40600 => "Missing request body",
        _ => "Unknown error",
    };
    json!({"code": code, "message": message})
}

fn result(doc_type: &str, items: Vec<Value>) -> Value {
    json!({
        "type": doc_type, "type_description": "", "image_angle": 0,
        "rotated_image_width": 476, "rotated_image_height": 306, "item_list": items,
        "unknown_extra": {"ignored": true}
    })
}

fn item(key: &str, description: &str, value: &str, position: &[i64]) -> Value {
    json!({"key": key, "description": description, "value": value, "position": position})
}

/// The ID front reply (fake person, valid check character).
pub fn id_front() -> Value {
    result(
        "id_card",
        vec![
            item(
                "name",
                "姓名",
                "王小明",
                &[92, 38, 160, 38, 160, 62, 92, 62],
            ),
            item("sex", "性别", "男", &[92, 76, 110, 76, 110, 98, 92, 98]),
            item(
                "nationality",
                "民族",
                "汉",
                &[180, 76, 200, 76, 200, 98, 180, 98],
            ),
            item(
                "birth",
                "出生日期",
                "1990年3月7日",
                &[92, 112, 240, 112, 240, 134, 92, 134],
            ),
            item(
                "address",
                "地址",
                "北京市东城区景山前街4号紫禁城博物院东华门内南三所",
                &[92, 150, 300, 150, 300, 196, 92, 196],
            ),
            item(
                "id_number",
                "身份证号",
                "110101199003074514",
                &[170, 260, 440, 260, 440, 284, 170, 284],
            ),
            item(
                "id_number_image",
                "身份证号码图像",
                &b64(&number_png()),
                &[],
            ),
            item(
                "head_portrait",
                "头像",
                &b64(&portrait_png()),
                &[320, 40, 440, 40, 440, 190, 320, 190],
            ),
            item("crop_image", "切边图像", &b64(&crop_jpeg()), &[]),
            item("validate_date", "有效期限", "", &[]),
            item("issue_authority", "签发机构", "", &[]),
        ],
    )
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The portrait the server returns: a 36×44 PNG.
pub fn portrait_png() -> Vec<u8> {
    encode(
        &image::RgbImage::from_fn(36, 44, |x, y| image::Rgb([x as u8 * 7, y as u8 * 5, 120])),
        image::ImageFormat::Png,
    )
}

/// A portrait JPEG of about `kb` KB (quality 85, noise over a gradient),
/// seeded by the SHA-256 of `seed`, so that each picture's is its own.
pub fn distinct_portrait(seed: &[u8], kb: usize) -> Vec<u8> {
    let hash = Sha256::digest(seed);
    let mut state = u64::from_le_bytes(hash[..8].try_into().unwrap()) | 1;
    // About 0.55 bytes a pixel at quality 85 with this much noise.
    let side = ((kb * 1024) as f64 / 0.55).sqrt() as u32;
    let (w, h) = (side * 9 / 10, side * 11 / 10);
    let img = image::RgbImage::from_fn(w.max(8), h.max(8), |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let n = (state & 31) as u8;
        image::Rgb([
            (x % 200) as u8 + n,
            (y % 200) as u8 + n,
            hash[8].wrapping_add(n),
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .unwrap();
    out
}

/// The ID number picture: a 120×16 PNG.
pub fn number_png() -> Vec<u8> {
    encode(
        &image::RgbImage::from_fn(120, 16, |x, _| image::Rgb([(x % 2) as u8 * 255; 3])),
        image::ImageFormat::Png,
    )
}

/// The crop: an 86×54 JPEG.
pub fn crop_jpeg() -> Vec<u8> {
    encode(
        &image::RgbImage::from_fn(86, 54, |x, y| image::Rgb([200, x as u8, y as u8])),
        image::ImageFormat::Jpeg,
    )
}

/// A PNG of noise of at least `n` bytes.
pub fn noise_png(n: usize) -> Vec<u8> {
    let side = ((n / 3) as f64).sqrt().ceil() as u32 + 8;
    let mut seed = 0x2545F4914F6CDD1Du64;
    let img = image::RgbImage::from_fn(side, side, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        image::Rgb([seed as u8, (seed >> 8) as u8, (seed >> 16) as u8])
    });
    encode(&img, image::ImageFormat::Png)
}

/// A w×h picture in `format`, its pixels varied by `seed` so that every
/// picture made with another seed has other bytes.
pub fn picture(w: u32, h: u32, seed: u8, format: image::ImageFormat) -> Vec<u8> {
    encode(
        &image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([seed, (x % 251) as u8, (y % 251) as u8])
        }),
        format,
    )
}

fn encode(img: &image::RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The image corpus: `$XOCR_CORPUS`, else `tests/corpus` in the crate.
pub fn corpus_dir() -> PathBuf {
    match std::env::var_os("XOCR_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"),
    }
}

/// Bytes as text, lossily (for stdout and stderr in assertions).
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The item `key` of a record.
pub fn find_item<'a>(record: &'a Value, key: &str) -> &'a Value {
    record["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("no item {key} in {record}"))
}
