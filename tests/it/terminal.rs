//! xocr on a terminal and in pipes: results streamed as each file is done,
//! the progress bar never left between tables, colour only where it
//! belongs, tables fitted to the width, `-vv`, the man page and the
//! completions of document types. The terminal tests run the real binary
//! on a pseudo-terminal of their own (Unix) and replay what it wrote on a
//! small screen model ([`Screen`]).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::server::{Scenario, Server, TOKEN};
use crate::testenv::TestEnv;
use image::ImageFormat::Jpeg;

/// `n` distinct pictures in the folder, named `<prefix>N.jpg`.
fn pictures(env: &TestEnv, prefix: &str, n: usize) -> Vec<PathBuf> {
    (0..n)
        .map(|i| env.picture(&format!("{prefix}{i}.jpg"), 120, 80, 40 + i as u8, Jpeg))
        .collect()
}

/// The `xocr` binary as a plain command: the server's endpoint and token,
/// a private HOME, no XOCR_*, proxy, colour or width variables from the
/// caller, and `TERM=xterm-256color`.
fn xocr(server: &Server, home: &Path) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("xocr"));
    for (k, _) in std::env::vars() {
        if k.starts_with("XOCR_")
            || k.to_ascii_lowercase().ends_with("_proxy")
            || ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "COLUMNS", "LINES"].contains(&k.as_str())
        {
            cmd.env_remove(k);
        }
    }
    cmd.current_dir(home)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("TERM", "xterm-256color")
        .env("XOCR_ENDPOINT", &server.url)
        .env("XOCR_TOKEN", TOKEN);
    cmd
}

/// Display width of a string on a terminal: East Asian wide characters
/// (CJK, Hangul, full-width forms) take two columns, everything else one.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match u32::from(c) {
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

/// A terminal screen, enough to replay what xocr and indicatif write:
/// printable text (wrapping at the width), `\r`, `\n`, backspace, and the
/// CSI sequences for cursor moves (`A`, `B`, `C`, `D`, `G`) and erasing
/// (`K`, `J`); colours and modes are skipped.
struct Screen {
    rows: Vec<Vec<char>>,
    row: usize,
    col: usize,
    width: usize,
}

impl Screen {
    fn new(width: usize) -> Self {
        Screen {
            rows: vec![Vec::new()],
            row: 0,
            col: 0,
            width,
        }
    }

    fn replay(width: usize, bytes: &[u8]) -> Self {
        let mut s = Screen::new(width);
        let text = String::from_utf8_lossy(bytes);
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => s.col = 0,
                '\n' => s.down(1),
                '\u{8}' => s.col = s.col.saturating_sub(1),
                '\u{1b}' => {
                    if chars.peek() != Some(&'[') {
                        chars.next();
                        continue;
                    }
                    chars.next();
                    let mut params = String::new();
                    let mut fin = '\0';
                    for c in chars.by_ref() {
                        if ('\u{40}'..='\u{7e}').contains(&c) {
                            fin = c;
                            break;
                        }
                        params.push(c);
                    }
                    s.csi(&params, fin);
                }
                c if c < ' ' => {}
                c => s.put(c),
            }
        }
        s
    }

    fn down(&mut self, n: usize) {
        self.row += n;
        while self.rows.len() <= self.row {
            self.rows.push(Vec::new());
        }
    }

    fn line(&mut self) -> &mut Vec<char> {
        &mut self.rows[self.row]
    }

    fn put(&mut self, c: char) {
        let w = display_width(&c.to_string());
        if self.col + w > self.width {
            self.col = 0;
            self.down(1);
        }
        let col = self.col;
        let line = self.line();
        while line.len() < col + w {
            line.push(' ');
        }
        line[col] = c;
        if w == 2 {
            // The right half of a wide character.
            line[col + 1] = '\0';
        }
        self.col += w;
    }

    fn csi(&mut self, params: &str, fin: char) {
        let n = params
            .trim_start_matches('?')
            .split(';')
            .next()
            .and_then(|p| p.parse::<usize>().ok());
        let by = n.unwrap_or(1).max(1);
        match fin {
            'A' => self.row = self.row.saturating_sub(by),
            'B' => self.down(by),
            'C' => self.col += by,
            'D' => self.col = self.col.saturating_sub(by),
            'G' => self.col = by - 1,
            'K' => {
                let col = self.col;
                let line = self.line();
                match n.unwrap_or(0) {
                    0 => line.truncate(col),
                    1 => line.iter_mut().take(col + 1).for_each(|c| *c = ' '),
                    _ => line.clear(),
                }
            }
            'J' if n.unwrap_or(0) == 0 => {
                let (row, col) = (self.row, self.col);
                self.rows[row].truncate(col);
                self.rows.truncate(row + 1);
            }
            _ => {}
        }
    }

    /// The lines shown, right-trimmed.
    fn lines(&self) -> Vec<String> {
        self.rows
            .iter()
            .map(|r| {
                r.iter()
                    .filter(|c| **c != '\0')
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect()
    }
}

/// True for a line that shows the progress bar.
fn is_bar_line(l: &str) -> bool {
    l.contains("ETA") || l.contains("ok, ") && l.contains(" failed ·")
}

/// Everything a run on a pseudo-terminal wrote (its stdout and stderr
/// both), each chunk with the moment it was read.
#[cfg(unix)]
struct PtyRun {
    chunks: Vec<(Instant, Vec<u8>)>,
    code: Option<i32>,
}

#[cfg(unix)]
impl PtyRun {
    fn bytes(&self) -> Vec<u8> {
        self.chunks.iter().flat_map(|(_, b)| b.clone()).collect()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }

    /// When the output first held `needle`.
    fn first_seen(&self, needle: &str) -> Option<Instant> {
        let mut so_far = Vec::new();
        for (at, b) in &self.chunks {
            so_far.extend_from_slice(b);
            if String::from_utf8_lossy(&so_far).contains(needle) {
                return Some(*at);
            }
        }
        None
    }
}

/// Runs `cmd` with stdin, stdout and stderr on a new pseudo-terminal of
/// `cols` × 40, calling `during(pid, output so far)` every 20 ms until it
/// exits (killed after `timeout`).
#[cfg(unix)]
fn on_pty(
    mut cmd: Command,
    cols: u16,
    timeout: Duration,
    mut during: impl FnMut(u32, &[u8]),
) -> PtyRun {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::OpenOptionsExt;
    use std::sync::{Arc, Mutex};

    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("openpt");
    grantpt(&master).expect("grantpt");
    unlockpt(&master).expect("unlockpt");
    let name = ptsname(&master, Vec::new()).expect("ptsname");
    rustix::termios::tcsetwinsize(
        &master,
        rustix::termios::Winsize {
            ws_row: 40,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        },
    )
    .expect("window size");
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(rustix::fs::OFlags::NOCTTY.bits() as i32)
        .open(std::ffi::OsStr::from_bytes(name.as_bytes()))
        .expect("open the terminal");
    cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    let mut child = cmd.spawn().expect("start xocr");
    // The parent's ends of the terminal must be closed, or reading never
    // ends.
    drop(cmd);

    let chunks = Arc::new(Mutex::new(Vec::<(Instant, Vec<u8>)>::new()));
    let reader = {
        let chunks = chunks.clone();
        let mut master = std::fs::File::from(master);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            // Linux answers EIO once the terminal's last user closed it.
            while let Ok(n @ 1..) = master.read(&mut buf) {
                chunks
                    .lock()
                    .unwrap()
                    .push((Instant::now(), buf[..n].to_vec()));
            }
        })
    };
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        let so_far: Vec<u8> = chunks
            .lock()
            .unwrap()
            .iter()
            .flat_map(|(_, b)| b.clone())
            .collect();
        during(child.id(), &so_far);
        std::thread::sleep(Duration::from_millis(20));
    };
    reader.join().unwrap();
    let chunks = std::mem::take(&mut *chunks.lock().unwrap());
    PtyRun {
        chunks,
        code: status.code(),
    }
}

/// Sends SIGINT to `pid`, as Ctrl-C does.
#[cfg(unix)]
fn interrupt(pid: u32) {
    let pid = rustix::process::Pid::from_raw(pid as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
}

#[cfg(unix)]
#[test]
fn tables_appear_on_the_terminal_as_each_file_is_done_without_a_stale_bar() {
    let env = TestEnv::new();
    let files = pictures(&env, "slow", 3);
    for f in &files {
        env.answer(f, Scenario::Slow(Duration::from_millis(700)));
    }
    let mut cmd = xocr(&env.server, env.path());
    cmd.env("NO_COLOR", "1")
        .args(["scan", "-j", "1", "slow0.jpg", "slow1.jpg", "slow2.jpg"]);
    let run = on_pty(cmd, 100, Duration::from_secs(60), |_, _| {});
    let text = run.text();
    assert_eq!(run.code, Some(0), "{text}");

    // Streamed: the first table is on the screen before the service sent
    // its last reply (each reply is sent 700 ms after its request).
    let replies = env.server.requests();
    assert_eq!(replies.len(), 3, "{text}");
    let last_reply = replies.iter().map(|r| r.at).max().unwrap();
    let first_table = run.first_seen("slow0.jpg  id_card").expect("first table");
    assert!(
        first_table < last_reply,
        "the first table came {:?} after the last reply\n{text}",
        first_table - last_reply
    );
    // In input order.
    let at = |f: &str| text.find(&format!("{f}  id_card")).expect(f);
    assert!(at("slow0.jpg") < at("slow1.jpg") && at("slow1.jpg") < at("slow2.jpg"));

    // The bar was drawn (between the files), and no bar line is left on
    // the screen: not between the tables, not at the end.
    assert!(text.contains("ETA"), "no progress bar was drawn\n{text}");
    let screen = Screen::replay(100, &run.bytes()).lines();
    let stale: Vec<&String> = screen.iter().filter(|l| is_bar_line(l)).collect();
    assert!(stale.is_empty(), "bar lines left: {stale:?}\n{screen:#?}");
    // Each table starts on a line of its own, its heading line first.
    for f in ["slow0.jpg", "slow1.jpg", "slow2.jpg"] {
        let heading = screen
            .iter()
            .position(|l| l.starts_with(&format!("{f}  id_card")))
            .unwrap_or_else(|| panic!("no heading line for {f}\n{screen:#?}"));
        assert!(screen[heading + 1].starts_with('┌'), "{screen:#?}");
    }
    assert!(
        screen
            .iter()
            .any(|l| l.starts_with("xocr: 3 files: 3 succeeded")),
        "{screen:#?}"
    );
}

/// Runs `xocr ARGS` with stdout into a pipe and returns when its first
/// line was read, and all of stdout.
fn first_line_through_a_pipe(env: &TestEnv, args: &[&str]) -> (Instant, String) {
    let mut cmd = xocr(&env.server, env.path());
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let mut first = None;
    loop {
        let n = out.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
        if first.is_none() && got.contains(&b'\n') {
            first = Some(Instant::now());
        }
    }
    assert!(child.wait().unwrap().success());
    (first.expect("a line"), String::from_utf8(got).unwrap())
}

#[test]
fn every_format_streams_through_a_pipe() {
    for format in ["table", "jsonl", "json", "csv"] {
        let env = TestEnv::new();
        let files = pictures(&env, "p", 3);
        for f in &files {
            env.answer(f, Scenario::Slow(Duration::from_millis(500)));
        }
        let args = [
            "scan", "-j", "1", "-o", format, "p0.jpg", "p1.jpg", "p2.jpg",
        ];
        let (first, out) = first_line_through_a_pipe(&env, &args);
        let last_reply = env.server.requests().iter().map(|r| r.at).max().unwrap();
        assert!(
            first < last_reply,
            "-o {format}: the first line came {:?} after the last reply",
            first - last_reply
        );
        assert!(out.contains("p2.jpg"), "-o {format}: {out}");
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_leaves_no_bar_on_the_screen() {
    for presses in [1, 2] {
        let env = TestEnv::new();
        let files = pictures(&env, "c", 4);
        for f in &files {
            env.answer(f, Scenario::Slow(Duration::from_millis(600)));
        }
        let mut cmd = xocr(&env.server, env.path());
        cmd.env("NO_COLOR", "1")
            .args(["scan", "-j", "1", "c0.jpg", "c1.jpg", "c2.jpg", "c3.jpg"]);
        let mut sent = 0;
        let run = on_pty(cmd, 100, Duration::from_secs(60), |pid, so_far| {
            let seen = String::from_utf8_lossy(so_far);
            // After the first table, with the bar on the screen.
            if sent == 0 && seen.contains("c0.jpg  id_card") && seen.contains("ETA") {
                interrupt(pid);
                sent = 1;
            } else if sent == 1 && presses == 2 && seen.contains("interrupted: finishing") {
                interrupt(pid);
                sent = 2;
            }
        });
        let text = run.text();
        assert_eq!(sent, presses, "{text}");
        assert_eq!(run.code, Some(130), "{text}");
        let screen = Screen::replay(100, &run.bytes()).lines();
        let stale: Vec<&String> = screen.iter().filter(|l| is_bar_line(l)).collect();
        assert!(
            stale.is_empty(),
            "{presses} Ctrl-C: bar lines left: {stale:?}\n{screen:#?}"
        );
        assert!(
            screen
                .iter()
                .any(|l| l.starts_with("xocr: interrupted: finishing the requests in flight")),
            "{screen:#?}"
        );
        if presses == 1 {
            assert!(
                screen.iter().any(|l| l.contains("not attempted")),
                "{screen:#?}"
            );
        }
    }
}

/// The colour sequences (SGR, `ESC[…m`) in `s`; the progress bar's line
/// erasing (`ESC[2K`) is no colour.
fn sgr_count(s: &str) -> usize {
    s.split("\u{1b}[")
        .skip(1)
        .filter(|rest| {
            let params = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == ';');
            params.starts_with('m')
        })
        .count()
}

/// True when some `needle` in `s` follows a colour sequence (`ESC[…m`,
/// maybe with a space between, as comfy-table colours a cell's padding).
fn coloured(s: &str, needle: &str) -> bool {
    s.match_indices(needle).any(|(i, _)| {
        let before = s[..i].trim_end_matches(' ');
        before.ends_with('m')
            && before
                .rfind('\u{1b}')
                .is_some_and(|e| before.len() - e <= 14 && before[e..].starts_with("\u{1b}["))
    })
}

#[cfg(unix)]
#[test]
fn colour_on_a_terminal_unless_no_color() {
    let env = TestEnv::new();
    let misread = env.picture("misread.jpg", 120, 80, 7, Jpeg);
    env.answer(&misread, Scenario::IdFrontMisread);
    env.write("notes.txt", b"not a picture");
    let run_with = |no_color: Option<&str>, extra: &[&str]| {
        let mut cmd = xocr(&env.server, env.path());
        cmd.args(["scan", "misread.jpg", "notes.txt"]).args(extra);
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let run = on_pty(cmd, 120, Duration::from_secs(30), |_, _| {});
        assert_eq!(run.code, Some(1), "{}", run.text());
        run.text()
    };
    let bold_file = "\u{1b}[1mmisread.jpg\u{1b}[0m  id_card";
    let red = "\u{1b}[31m";

    let out = run_with(None, &[]);
    assert!(out.contains(bold_file), "{out:?}");
    // The failed check's mark in the table and its detail line are red.
    assert!(coloured(&out, "✗ id_check_char"), "{out:?}");
    assert!(
        out.contains(&format!("{red}✗ id_number (id_check_char)")),
        "{out:?}"
    );
    // On stderr: the file name bold, its error red.
    assert!(
        out.contains(&format!("xocr: \u{1b}[1mnotes.txt\u{1b}[0m: {red}")),
        "{out:?}"
    );
    // An empty NO_COLOR is no NO_COLOR (no-color.org).
    assert!(run_with(Some(""), &[]).contains(bold_file));

    for plain in [
        run_with(Some("1"), &[]),
        run_with(None, &["--color", "never"]),
    ] {
        assert_eq!(sgr_count(&plain), 0, "{plain:?}");
        assert!(plain.contains("misread.jpg  id_card"), "{plain:?}");
        assert!(plain.contains("✗ id_check_char"), "{plain:?}");
    }
}

#[test]
fn colour_never_reaches_a_pipe_unless_forced() {
    let env = TestEnv::new();
    let misread = env.picture("misread.jpg", 120, 80, 7, Jpeg);
    env.answer(&misread, Scenario::IdFrontMisread);
    env.write("notes.txt", b"not a picture");
    let scan = ["scan", "misread.jpg", "notes.txt"];
    // TestEnv sets NO_COLOR=1; auto into a pipe without it is plain too.
    let out = env
        .xocr()
        .env("NO_COLOR", "")
        .env("TERM", "xterm-256color")
        .args(scan)
        .run()
        .code(1);
    assert_eq!(sgr_count(&out.stdout()), 0, "{:?}", out.stdout());
    assert_eq!(sgr_count(&out.stderr()), 0, "{:?}", out.stderr());
    assert!(out.stdout().contains("✗ id_check_char"));

    let forced = env
        .xocr()
        .env("NO_COLOR", "")
        .args(["--color", "always"])
        .args(scan)
        .run()
        .code(1);
    assert!(
        forced.stdout().contains("\u{1b}[1mmisread.jpg\u{1b}[0m"),
        "{:?}",
        forced.stdout()
    );
    assert!(coloured(&forced.stdout(), "✗ id_check_char"));
    assert!(
        forced
            .stdout()
            .contains("\u{1b}[31m✗ id_number (id_check_char)")
    );
    assert!(
        forced
            .stderr()
            .contains("\u{1b}[1mnotes.txt\u{1b}[0m: \u{1b}[31m"),
        "{:?}",
        forced.stderr()
    );
    // Also after the subcommand, and for the errors that end the command.
    let e = env
        .bare()
        .args(["scan", "--color=always", "nope.jpg"])
        .run()
        .code(2);
    assert!(
        e.stderr()
            .contains("xocr: \u{1b}[31merror:\u{1b}[0m no service token"),
        "{:?}",
        e.stderr()
    );
    // JSON is never coloured.
    let json = env
        .xocr()
        .args(["--color", "always", "scan", "-o", "json", "misread.jpg"])
        .run()
        .code(0);
    assert_eq!(sgr_count(&json.stdout()), 0);
    json.json();
}

/// Checks that every line of `out` fits `width` columns and that table
/// lines start and end on a border (so a value wrapped inside its cell).
#[track_caller]
fn fits(out: &str, width: usize) {
    for line in out.lines() {
        assert!(
            display_width(line) <= width,
            "{} columns > {width}: {line:?}\n{out}",
            display_width(line)
        );
        if line.starts_with(['│', '├', '┌', '└', '╞']) {
            assert!(line.ends_with(['│', '┤', '┐', '┘', '╡']), "{line:?}\n{out}");
        }
    }
}

#[test]
fn tables_fit_columns_and_wrap_inside_their_cells() {
    let env = TestEnv::new();
    let id = env.picture("id.jpg", 120, 80, 9, Jpeg);
    env.answer(&id, Scenario::IdFront);
    let wide = env.run(["scan", "id.jpg"]).code(0).stdout();
    // Unfitted, the address row is wider than 60 columns.
    let longest = wide.lines().map(display_width).max().unwrap();
    assert!(longest > 80, "{wide}");
    let address = "北京市东城区景山前街4号紫禁城博物院东华门内南三所";
    assert!(wide.contains(address), "{wide}");

    for width in [60, 100] {
        let out = env
            .xocr()
            .env("COLUMNS", width.to_string())
            .args(["scan", "id.jpg"])
            .run()
            .code(0)
            .stdout();
        fits(&out, width);
        let rows = |s: &str| s.lines().filter(|l| l.starts_with('│')).count();
        if width == 60 {
            // The address is wrapped onto more lines of its cell, and
            // every character of it is still there.
            assert!(rows(&out) > rows(&wide), "{out}");
            assert!(!out.contains(address), "{out}");
            let cells: String = out
                .lines()
                .filter_map(|l| l.rsplit('┆').next())
                .map(|c| c.trim_matches(['│', ' ']))
                .collect();
            assert!(cells.contains(address), "{cells}\n{out}");
        }
    }
}

#[cfg(unix)]
#[test]
fn tables_fit_the_terminal_without_columns() {
    let env = TestEnv::new();
    let id = env.picture("id.jpg", 120, 80, 9, Jpeg);
    env.answer(&id, Scenario::IdFront);
    let mut cmd = xocr(&env.server, env.path());
    cmd.env("NO_COLOR", "1").args(["scan", "id.jpg"]);
    let run = on_pty(cmd, 60, Duration::from_secs(30), |_, _| {});
    assert_eq!(run.code, Some(0), "{}", run.text());
    let text = run.text().replace("\r\n", "\n");
    assert!(text.contains("身份证号"), "{text}");
    fits(&text, 60);
}

#[test]
fn codes_fit_a_100_column_terminal() {
    let env = TestEnv::new();
    // A pipe without COLUMNS: 100 columns.
    let out = env.bare().arg("codes").run().code(0).stdout();
    assert!(out.contains("40301") && out.contains("40110"), "{out}");
    fits(&out, 100);
    let narrow = env
        .bare()
        .env("COLUMNS", "100")
        .args(["codes", "40101"])
        .run()
        .code(0)
        .stdout();
    fits(&narrow, 100);
}

#[cfg(unix)]
#[test]
fn codes_fit_a_100_column_pty() {
    let env = TestEnv::new();
    let mut cmd = xocr(&env.server, env.path());
    cmd.arg("codes");
    let run = on_pty(cmd, 100, Duration::from_secs(30), |_, _| {});
    assert_eq!(run.code, Some(0));
    let text = run.text().replace("\r\n", "\n");
    assert!(text.contains("40019"), "{text}");
    fits(&text, 100);
}

#[test]
fn vv_adds_request_and_reply_headers_and_sizes_never_the_token() {
    let env = TestEnv::new();
    let id = env.picture("id.jpg", 120, 80, 9, Jpeg);
    env.answer(&id, Scenario::IdFront);
    let v = env
        .run(["scan", "-v", "id.jpg"])
        .code(0)
        .stderr_has("id.jpg: read ")
        .stderr_lacks("Content-Type")
        .stderr_lacks("reply body");

    let vv = env.run(["scan", "-vv", "id.jpg"]).code(0);
    let err = vv.stderr();
    let vv = vv
        .stderr_has("id.jpg: read ")
        .stderr_has(&format!("id.jpg: request: POST {}", env.server.url))
        .stderr_has("id.jpg: request header: Content-Type: application/json")
        .stderr_has("id.jpg: request header: Content-Length: ")
        .stderr_has("id.jpg: reply: HTTP/1.1 200")
        .stderr_has("id.jpg: reply header: content-type: application/json");
    // The reply's size, as the server sent it.
    let length: usize = err
        .lines()
        .find_map(|l| l.strip_prefix("xocr: id.jpg: reply header: content-length: "))
        .expect("the reply's Content-Length")
        .parse()
        .unwrap();
    assert!(
        err.contains(&format!("id.jpg: reply body: {length} bytes")),
        "{err}"
    );
    assert!(!err.contains(TOKEN) && !err.contains("3f9a1c2e7b"), "{err}");
    // stdout is the same table.
    assert_eq!(vv.stdout(), v.stdout());
}

#[test]
fn committed_man_pages_match_the_cli() {
    let update = std::env::var_os("XOCR_UPDATE_MAN").is_some();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let env = TestEnv::new();
    let mut pages = vec![(None, "xocr.1".to_string())];
    for c in ["scan", "types", "codes", "completions", "man"] {
        pages.push((Some(c), format!("xocr-{c}.1")));
    }
    for (command, file) in pages {
        let mut cmd = env.bare();
        cmd.arg("man");
        if let Some(c) = command {
            cmd.arg(c);
        }
        let page = String::from_utf8(cmd.run().code(0).stdout_bytes().to_vec()).unwrap();
        assert!(page.starts_with(".ie \\n(.g .ds Aq"), "{file}: {page}");
        let title = file.trim_end_matches(".1");
        assert!(page.contains(&format!(".TH {title} 1")), "{file}: {page}");
        if command == Some("scan") {
            for flag in ["\\-\\-color", "\\-\\-engine", "\\-\\-verbose"] {
                assert!(page.contains(flag), "{file} lacks {flag}");
            }
        }
        let path = dir.join(&file);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &page).unwrap();
        } else {
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == page,
                "man/{file} is out of date: run XOCR_UPDATE_MAN=1 cargo test --test it man_pages"
            );
        }
    }
    env.bare()
        .args(["man", "nothing"])
        .run()
        .code(2)
        .stderr_has("invalid value 'nothing'");
}

#[test]
fn completions_offer_document_types_and_request_types() {
    let env = TestEnv::new();
    let bash = env
        .bare()
        .args(["completions", "bash"])
        .run()
        .code(0)
        .stdout();
    // `xocr types NAME`.
    let types = bash
        .split("xocr__subcmd__types)")
        .nth(1)
        .expect("a types section");
    let types = &types[..types.find(";;").unwrap()];
    assert!(
        types.contains("bank_card") && types.contains("id_card") && types.contains("passport"),
        "{types}"
    );
    // `--type`: the request type codes, not document names.
    let scan = bash
        .split("xocr__subcmd__scan)")
        .nth(1)
        .expect("a scan section");
    let scan = &scan[..scan.find("\n            ;;").unwrap()];
    let type_case = scan.split("--type)").nth(1).expect("--type's values");
    let type_case = &type_case[..type_case.find(";;").unwrap()];
    assert!(type_case.contains("\"8\""), "{type_case}");
    assert!(!type_case.contains("id_card"), "{type_case}");

    let zsh = env
        .bare()
        .args(["completions", "zsh"])
        .run()
        .code(0)
        .stdout();
    assert!(zsh.contains("id_card\\:\"身份证\""), "{zsh}");
    assert!(zsh.contains("TYPE:((8\\:\"multi-certificate"), "{zsh}");
    // And the names are still only offered: the service's other codes and
    // any name still get through clap to xocr's own messages.
    env.run(["scan", "--type", "2", "nope.jpg"]).code(1);
}

#[cfg(unix)]
#[test]
fn a_workbook_is_refused_on_a_terminal_with_a_hint() {
    let env = TestEnv::new();
    let files = pictures(&env, "card", 1);
    let mut cmd = xocr(&env.server, env.path());
    cmd.args(["scan", "-o", "xlsx"]).arg(&files[0]);
    let run = on_pty(cmd, 100, Duration::from_secs(20), |_, _| {});
    let text = run.text();
    assert_eq!(run.code, Some(2), "{text}");
    assert!(text.contains("--output FILE"), "{text}");
    assert!(
        !text.contains("PK\u{3}\u{4}"),
        "no workbook on the terminal"
    );
    assert!(
        env.server.requests().is_empty(),
        "refused before any request"
    );
    // With --output the same run writes the file, on a terminal too.
    let mut cmd = xocr(&env.server, env.path());
    cmd.args(["scan", "-o", "xlsx", "--output", "r.xlsx"])
        .arg(&files[0]);
    let run = on_pty(cmd, 100, Duration::from_secs(20), |_, _| {});
    assert_eq!(run.code, Some(0), "{}", run.text());
    assert!(env.path().join("r.xlsx").is_file());
}
