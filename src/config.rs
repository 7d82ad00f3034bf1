//! Resolves flags > environment > config file > defaults into one [`Settings`].
//! Nothing here prints.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use serde::Deserialize;

use crate::cli::{CsvLayout, EngineName, Format, ScanArgs};
use crate::engine::remote::Service;
use crate::engine::remote::retry::RetryPolicy;
use crate::engine::{DEFAULT_DET_MAX_SIDE, LOCAL_TYPES};
use crate::exit::usage;
use crate::secret::Secret;

/// The vendor's endpoint, used when neither `--endpoint`, `XOCR_ENDPOINT` nor
/// the config file names one.
pub const DEFAULT_ENDPOINT: &str = "http://api.xinhuokj.com:40072/ocr";
/// Request type "8": the multi-certificate service that classifies the picture.
pub const DEFAULT_TYPE: &str = "8";
/// Connect and read time-out when none is given, seconds.
pub const DEFAULT_TIMEOUT_SECS: f64 = 60.0;
/// Largest picture file the service takes, bytes (PROTOCOL.md).
pub const MAX_UPLOAD_BYTES: u64 = 10 * 1024 * 1024;
/// Longest time-out accepted, seconds (one day).
pub const MAX_TIMEOUT_SECS: f64 = 86_400.0;
/// Largest reply read from the service when `--max-reply-size` (or
/// `max_reply_size` in the config file) does not say, bytes: 64 MiB.
/// A reply carries the pictures the service cuts out as base64: the crop of
/// a picture of up to 10 MB (13.4 MB as base64) and smaller ones (portrait,
/// number), so a real reply stays well under 40 MB, while `-j` replies in
/// flight at 64 MiB each still fit in memory (1 GiB at `-j 16`).
pub const DEFAULT_MAX_REPLY_BYTES: u64 = 64 << 20;

/// The config file, `$XDG_CONFIG_HOME/xocr/config.toml` by default. Every key
/// is optional; unknown keys are an error so a typo does not go unnoticed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Service token (keep the file private: `chmod 600`).
    pub token: Option<String>,
    /// Service endpoint URL.
    pub endpoint: Option<String>,
    /// Request type, e.g. "8".
    #[serde(rename = "type")]
    pub request_type: Option<String>,
    /// Connect and read time-out, seconds.
    pub timeout: Option<f64>,
    /// `remote` or `local`.
    pub engine: Option<EngineName>,
    /// Largest reply read from the service: a size such as `"64M"`, or a
    /// number of bytes.
    pub max_reply_size: Option<SizeValue>,
    /// Where the file was read from (not a key of the file).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// A size in the config file: `"64M"` (as `--max-reply-size` takes it) or
/// a number of bytes.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SizeValue {
    Bytes(u64),
    Text(String),
}

/// What to print and where to put pictures.
#[derive(Debug, Clone)]
pub struct Output {
    pub format: Format,
    pub csv_layout: CsvLayout,
    pub bom: bool,
    /// CSV cells written as they are, without the formula guard.
    pub csv_raw: bool,
    /// Keys to keep; empty keeps all.
    pub fields: Vec<String>,
    pub include_images: bool,
    pub save_images: Option<PathBuf>,
    /// Table and CSV cells show normalised values.
    pub normalized: bool,
    /// Personal fields are masked in what is printed.
    pub mask: bool,
    /// `--output FILE`: where the output goes instead of stdout.
    pub output: Option<PathBuf>,
    /// `--no-images`: no portraits in a workbook.
    pub no_images: bool,
    /// `--annotate DIR`: where pictures with their boxes drawn go.
    pub annotate: Option<PathBuf>,
}

/// How recognised fields are checked.
#[derive(Debug, Clone, Copy)]
pub struct Checks {
    /// "Today" for expiry and future-date checks.
    pub as_of: chrono::NaiveDate,
    /// A failed check fails the file.
    pub strict: bool,
}

/// How a batch runs.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Inputs in work at once (1..=256): requests in flight with the
    /// service, pictures read in parallel by the offline engine.
    pub jobs: usize,
    /// Requests per second across all workers; `None`: no cap.
    pub qps: Option<f64>,
    pub retry: RetryPolicy,
    /// `--out-dir`: the result store.
    pub out_dir: Option<PathBuf>,
    /// Request again even when a result is stored.
    pub force: bool,
    /// Mask personal fields in stored results.
    pub mask_saved: bool,
    /// Scan only shard K of N (1-based).
    pub shard: Option<(u32, u32)>,
    /// JSONL written as files finish, not in input order.
    pub unordered: bool,
}

/// Who reads the pictures, and how.
#[derive(Debug, Clone)]
pub enum EngineSettings {
    /// The OCR service.
    Remote(Service),
    /// The offline recogniser.
    Local {
        /// Long side for text detection, px (multiple of 32).
        det_max_side: u32,
    },
}

/// Everything a scan needs, resolved once.
#[derive(Debug, Clone)]
pub struct Settings {
    pub engine: EngineSettings,
    pub output: Output,
    pub checks: Checks,
    pub batch: Batch,
    /// What may be done to a picture before upload.
    pub preflight: crate::preflight::Options,
    pub quiet: bool,
    /// The number of `-v` (0 with `--quiet`).
    pub verbose: u8,
}

/// Where the config file is looked for when `--config`/`XOCR_CONFIG` is not
/// given: the platform's config directory (`$XDG_CONFIG_HOME/xocr/config.toml`,
/// else `~/.config/xocr/config.toml` on Linux). `None` when no home is known.
pub fn default_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "xocr").map(|d| d.config_dir().join("config.toml"))
}

/// Reads the config file. A missing default file is an empty config; a
/// missing file named explicitly, or one that does not parse, fails with a
/// usage error naming the file.
pub fn load_config(explicit: Option<&Path>) -> Result<ConfigFile> {
    let (path, required) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => match default_config_path() {
            Some(p) => (p, false),
            None => return Ok(ConfigFile::default()),
        },
    };
    let text = match read_config_text(&path) {
        Ok(t) if t.starts_with('\u{feff}') => t.trim_start_matches('\u{feff}').to_string(),
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok(ConfigFile::default());
        }
        Err(e) => {
            return Err(usage(format!(
                "cannot read config file {}: {e}",
                path.display()
            )));
        }
    };
    let mut file: ConfigFile = toml::from_str(&text).map_err(|e| {
        usage(format!(
            "config file {} is not valid TOML{}",
            path.display(),
            toml_error(&text, &e)
        ))
    })?;
    file.path = Some(path);
    Ok(file)
}

/// Largest config file read, bytes: a config file is a few lines.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Longest first line of a token file read, bytes: a token is a few
/// dozen characters.
pub const MAX_TOKEN_LINE_BYTES: u64 = 64 << 10;

/// The text of the config file at `path`, read no further than
/// [`MAX_CONFIG_BYTES`], so that `--config /dev/zero` fails at once.
/// Fails when it cannot be read, is larger, or is not UTF-8.
fn read_config_text(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB, more than any config file",
            MAX_CONFIG_BYTES >> 20
        )));
    }
    String::from_utf8(bytes)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}

/// The first line of the token file at `path` (without its line end), read
/// no further than [`MAX_TOKEN_LINE_BYTES`]: the rest of the file is never
/// read, so a pipe works and `/dev/zero` fails at once. Fails with a usage
/// error naming the file, never quoting it.
fn read_token_line(path: &Path) -> Result<String> {
    use std::io::{BufRead, Read};
    let name = path.display();
    let mut line = Vec::new();
    std::fs::File::open(path)
        .map(std::io::BufReader::new)
        .and_then(|r| {
            r.take(MAX_TOKEN_LINE_BYTES + 1)
                .read_until(b'\n', &mut line)
        })
        .map_err(|e| usage(format!("cannot read token file {name}: {e}")))?;
    if line.last() == Some(&b'\n') {
        line.pop();
    } else if line.len() as u64 > MAX_TOKEN_LINE_BYTES {
        return Err(usage(format!(
            "token file {name}: its first line is longer than {} KiB, longer than any token (is it the token file?)",
            MAX_TOKEN_LINE_BYTES >> 10
        )));
    }
    String::from_utf8(line).map_err(|_| {
        usage(format!(
            "token file {name}: its first line is not UTF-8 text"
        ))
    })
}

/// The keys of the config file.
const CONFIG_KEYS: &[&str] = &[
    "token",
    "endpoint",
    "type",
    "timeout",
    "engine",
    "max_reply_size",
];

/// Where a config file fails to parse and why, without a word of the file
/// but a key name (only one of [`CONFIG_KEYS`]): the offending line may
/// hold the token, and toml's own messages quote values (`invalid type:
/// integer `12345678901234``) and lines. E.g. ` at line 2, column 9, key
/// `token`: a value of the wrong type (expected a string)`.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let mut at = String::new();
    if let Some(span) = e.span() {
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        at = format!(" at line {line}, column {column}");
        let line_text = text[line_start..].lines().next().unwrap_or("");
        if let Some((key, _)) = line_text.split_once('=') {
            let key = key.trim().trim_matches(['"', '\'']);
            if let Some(known) = CONFIG_KEYS.iter().find(|k| **k == key) {
                at.push_str(&format!(", key `{known}`"));
            }
        }
    }
    // Only what the schema says is repeated: what was expected, never what
    // was found.
    let message = e.message();
    let expected = message
        .split_once(", expected ")
        .or_else(|| message.split_once("expected "))
        .map(|(_, x)| x.trim_end().to_string());
    let reason = if message.starts_with("unknown field") {
        format!("an unknown key (the keys are {})", CONFIG_KEYS.join(", "))
    } else if message.starts_with("invalid type")
        || message.starts_with("invalid value")
        || message.starts_with("invalid length")
        || message.starts_with("unknown variant")
    {
        match expected.as_deref() {
            Some("f64" | "i64" | "u64" | "a number") => {
                "a value of the wrong type (expected a number)".to_string()
            }
            Some(x) if !x.contains('\n') => format!("a value of the wrong type (expected {x})"),
            _ => "a value of the wrong type".to_string(),
        }
    } else if message.starts_with("data did not match any variant") {
        "a value of the wrong type (expected a size such as \"64M\", or a number of bytes)"
            .to_string()
    } else if message.starts_with("duplicate key") {
        "a key set twice".to_string()
    } else {
        "a syntax error (a string needs quotes on both sides: token = \"…\")".to_string()
    };
    format!("{at}: {reason}")
}

/// Resolves the settings of `xocr scan`. `env` looks up an environment
/// variable (injected for tests). Fails with a usage error when no token is
/// set anywhere, the token file cannot be read, or a value is out of range.
pub fn resolve(
    args: &ScanArgs,
    file: &ConfigFile,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Settings> {
    check_combinations(args)?;
    let endpoint = args
        .endpoint
        .clone()
        .or_else(|| env("XOCR_ENDPOINT").filter(|s| !s.is_empty()))
        .or_else(|| file.endpoint.clone())
        .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
    if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
        return Err(usage(format!(
            "endpoint {endpoint:?} is not an http:// or https:// URL"
        )));
    }
    let timeout = args
        .timeout
        .or(file.timeout)
        .unwrap_or(DEFAULT_TIMEOUT_SECS);
    if !(timeout.is_finite() && timeout > 0.0 && timeout <= MAX_TIMEOUT_SECS) {
        return Err(usage(format!(
            "timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT_SECS}, not {timeout}"
        )));
    }
    let request_type = args
        .request_type
        .clone()
        .or_else(|| file.request_type.clone())
        .unwrap_or_else(|| DEFAULT_TYPE.to_string());
    if request_type.trim().is_empty() {
        return Err(usage(
            "the request type (--type or type = in the config file) is empty; the service's is \"8\"",
        ));
    }
    let kind = args.engine.or(file.engine).unwrap_or(EngineName::Remote);
    let doc_names = crate::fields::catalog().iter().map(|d| d.name);
    if kind == EngineName::Remote
        && let Some(name) =
            crate::suggest::nearest(&request_type, doc_names.chain(LOCAL_TYPES.iter().copied()))
    {
        return Err(usage(format!(
            "the request type (--type, or type = in the config file) is the service's code (\"8\": the service tells the document type itself), not a document type such as {name}; leave it out to read any document"
        )));
    }
    match kind {
        EngineName::Remote if args.det_max_side.is_some() => {
            return Err(usage(
                "--det-max-side goes with the offline engine (--engine local, or engine = \"local\" in the config file)",
            ));
        }
        EngineName::Local => {
            let service_only = [
                ("--qps", args.qps.is_some()),
                ("--type", args.request_type.is_some()),
                ("--token", args.token.is_some()),
                ("--token-file", args.token_file.is_some()),
                ("--endpoint", args.endpoint.is_some()),
                ("--timeout", args.timeout.is_some()),
                ("--max-reply-size", args.max_reply_size.is_some()),
            ];
            let given: Vec<&str> = service_only
                .iter()
                .filter(|(_, on)| *on)
                .map(|(flag, _)| *flag)
                .collect();
            if !given.is_empty() {
                return Err(usage(format!(
                    "{} only apply to the service; the offline engine (--engine local, or engine = \"local\" in the config file) sends no request",
                    given.join(", ")
                )));
            }
        }
        _ => {}
    }
    let engine = match kind {
        EngineName::Remote => EngineSettings::Remote(Service {
            endpoint,
            request_type,
            timeout: Duration::from_secs_f64(timeout),
            token: resolve_token(args, file, &env)?,
            max_reply_bytes: max_reply_bytes(args, file)?,
        }),
        EngineName::Local => EngineSettings::Local {
            det_max_side: args.det_max_side.unwrap_or(DEFAULT_DET_MAX_SIDE),
        },
    };
    Ok(Settings {
        engine,
        output: Output {
            format: args.format,
            csv_layout: args.csv_layout,
            bom: args.bom,
            csv_raw: args.csv_raw,
            fields: args
                .fields
                .iter()
                .map(|f| f.trim().to_string())
                .filter(|f| !f.is_empty())
                .collect(),
            include_images: args.include_images,
            save_images: args.save_images.clone(),
            normalized: args.normalized,
            mask: args.mask,
            output: args.output.clone(),
            no_images: args.no_images,
            annotate: args.annotate.clone(),
        },
        checks: Checks {
            as_of: args
                .as_of
                .unwrap_or_else(|| chrono::Local::now().date_naive()),
            strict: args.strict,
        },
        preflight: crate::preflight::Options {
            max_side: args.max_side,
            max_bytes: args.max_bytes,
            jpeg_quality: args.jpeg_quality,
            convert: !args.no_convert,
            ..Default::default()
        },
        batch: Batch {
            jobs: args.jobs.map_or_else(|| default_jobs(kind), usize::from),
            qps: args.qps,
            retry: RetryPolicy {
                retries: args.retries,
                base: Duration::from_millis(args.backoff_base_ms),
            },
            out_dir: args.out_dir.clone(),
            force: args.force,
            mask_saved: args.mask_saved,
            shard: args.shard,
            unordered: args.unordered,
        },
        quiet: args.quiet,
        verbose: if args.quiet { 0 } else { args.verbose },
    })
}

/// `--jobs` when not given: 4 requests in flight for the service (its
/// latency, not this machine, is the limit); one picture per CPU, at most 4,
/// for the offline engine, whose work is CPU-bound and whose every picture
/// in work holds about 100 MB of model activations (measured over 14
/// pictures on 2 cores: `-j 2` 4.9 s and 403 MB peak, `-j 4` 4.6 s and
/// 633 MB).
fn default_jobs(engine: EngineName) -> usize {
    match engine {
        EngineName::Remote => 4,
        EngineName::Local => std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4),
    }
}

/// Flags that would be silently ignored are usage errors instead.
fn check_combinations(args: &ScanArgs) -> Result<()> {
    let format = args.format;
    if args.unordered && format != Format::Jsonl {
        return Err(usage(
            "--unordered goes with -o jsonl (the other formats keep input order)",
        ));
    }
    if (args.bom || args.csv_raw || args.csv_layout != CsvLayout::Long) && format != Format::Csv {
        return Err(usage("--bom, --csv-raw and --csv-layout go with -o csv"));
    }
    if args.include_images && !matches!(format, Format::Json | Format::Jsonl) {
        return Err(usage(
            "--include-images goes with -o json or -o jsonl (tables and CSV show pictures as a placeholder or their saved path)",
        ));
    }
    if args.no_images && format != Format::Xlsx {
        return Err(usage(
            "--no-images goes with -o xlsx (the other formats hold no pictures, unless --include-images)",
        ));
    }
    if args.fields.iter().any(|f| f.trim().is_empty()) {
        return Err(usage(
            "--fields has an empty key; give keys such as name,id_number (`xocr types` lists them)",
        ));
    }
    if args.max_bytes > MAX_UPLOAD_BYTES {
        return Err(usage(format!(
            "--max-bytes may be at most 10M: the service takes pictures of at most {MAX_UPLOAD_BYTES} bytes"
        )));
    }
    Ok(())
}

/// `--max-reply-size`, else the config file's `max_reply_size`, else
/// [`DEFAULT_MAX_REPLY_BYTES`]. A config value that is not a size is a
/// usage error (which does not quote it).
fn max_reply_bytes(args: &ScanArgs, file: &ConfigFile) -> Result<u64> {
    if let Some(n) = args.max_reply_size {
        return Ok(n);
    }
    let bad = || {
        usage(format!(
            "max_reply_size in config file {} is not a size such as \"64M\" (K, M, G) or a number of bytes of at least 1",
            file.path
                .as_deref()
                .map_or_else(|| "?".into(), |p| p.display().to_string())
        ))
    };
    match &file.max_reply_size {
        None => Ok(DEFAULT_MAX_REPLY_BYTES),
        Some(SizeValue::Bytes(0)) => Err(bad()),
        Some(SizeValue::Bytes(n)) => Ok(*n),
        Some(SizeValue::Text(t)) => crate::cli::parse_size(t).map_err(|_| bad()),
    }
}

fn resolve_token(
    args: &ScanArgs,
    file: &ConfigFile,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<Secret> {
    // A source that is given but empty is a mistake worth naming; an empty
    // XOCR_TOKEN counts as unset, as shells make that easy to do by accident.
    let token = if let Some(t) = &args.token {
        let t = Secret::new(t);
        if t.is_empty() {
            return Err(usage("--token is empty"));
        }
        t
    } else if let Some(path) = &args.token_file {
        let t = Secret::new(&read_token_line(path)?);
        if t.is_empty() {
            return Err(usage(format!(
                "token file {} is empty: its first line must hold the token",
                path.display()
            )));
        }
        t
    } else if let Some(t) = env("XOCR_TOKEN").filter(|t| !t.trim().is_empty()) {
        Secret::new(&t)
    } else if let Some(t) = file.token.as_deref().filter(|t| !t.trim().is_empty()) {
        Secret::new(t)
    } else {
        Secret::new("")
    };
    if token.is_empty() {
        let where_ = file
            .path
            .clone()
            .or_else(default_config_path)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "$XDG_CONFIG_HOME/xocr/config.toml".into());
        return Err(usage(format!(
            "no service token set. Get one from the vendor's user centre, then either\n  \
             export XOCR_TOKEN=…            (environment)\n  \
             xocr scan --token-file PATH …   (a file holding the token)\n  \
             token = \"…\" in {where_}\n\
             or read the pictures offline, without a token and without uploading them:\n  \
             xocr scan --engine local …      (ID cards and bank cards; `xocr types` says more)"
        )));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn jobs(argv: &[&str]) -> usize {
        let Command::Scan(args) = Cli::try_parse_from(argv).unwrap().command else {
            panic!("not a scan command");
        };
        let env = |k: &str| (k == "XOCR_TOKEN").then(|| "t".to_string());
        resolve(&args, &ConfigFile::default(), env)
            .unwrap()
            .batch
            .jobs
    }

    #[test]
    fn config_errors_quote_no_value() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                "token = 12345678901234\n",
                "line 1, column 9, key `token`: a value of the wrong type (expected a string)",
            ),
            ("endpoint = \"x\"\ntoken = \"s3cr3t-value\n", "line 2"),
            ("token: \"s3cr3t-value\"\n", "line 1"),
            ("s3cr3t-value = 1\n", "an unknown key"),
            (
                "engine = \"s3cr3t-value\"\n",
                "key `engine`: a value of the wrong type (expected `remote` or `local`)",
            ),
            ("timeout = \"s3cr3t-value\"\n", "key `timeout`"),
            ("token = \"a\"\ntoken = \"s3cr3t-value\"\n", "line 2"),
        ];
        for (body, want) in cases {
            let p = dir.path().join("c.toml");
            std::fs::write(&p, body).unwrap();
            let e = format!("{:#}", load_config(Some(&p)).unwrap_err());
            assert!(e.contains("is not valid TOML at line"), "{body}: {e}");
            assert!(e.contains(want), "{body}: {e}");
            for secret in ["12345678901234", "s3cr3t"] {
                assert!(!e.contains(secret), "{body}: {e}");
            }
        }
    }

    #[test]
    fn jobs_default_per_engine() {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(jobs(&["xocr", "scan", "a.jpg"]), 4);
        assert_eq!(
            jobs(&["xocr", "scan", "--engine", "local", "a.jpg"]),
            cpus.clamp(1, 4)
        );
        assert_eq!(
            jobs(&["xocr", "scan", "--engine", "local", "-j", "7", "a.jpg"]),
            7
        );
        assert_eq!(jobs(&["xocr", "scan", "-j", "1", "a.jpg"]), 1);
    }

    #[test]
    fn engine_specific_flags_need_their_engine() {
        let resolve_args = |argv: &[&str]| {
            let Command::Scan(args) = Cli::try_parse_from(argv).unwrap().command else {
                panic!("not a scan command");
            };
            let env = |k: &str| (k == "XOCR_TOKEN").then(|| "t".to_string());
            resolve(&args, &ConfigFile::default(), env)
        };
        let err = |argv: &[&str]| format!("{:#}", resolve_args(argv).unwrap_err());
        assert!(
            err(&["xocr", "scan", "--det-max-side", "640", "a.jpg"]).contains("--engine local")
        );
        assert!(
            err(&["xocr", "scan", "--engine", "local", "--qps", "2", "a.jpg"]).contains("--qps")
        );
        let e = err(&["xocr", "scan", "--engine=local", "--max-reply-size=1M", "a"]);
        assert!(e.starts_with("--max-reply-size only apply"), "{e}");
        let e = err(&[
            "xocr",
            "scan",
            "--engine=local",
            "--type=2",
            "--token=t",
            "a.jpg",
        ]);
        assert!(
            e.starts_with("--type, --token only apply to the service"),
            "{e}"
        );
        assert!(!e.contains("=t"), "{e}");
        let s = resolve_args(&["xocr", "scan", "--engine", "local", "a.jpg"]).unwrap();
        assert!(matches!(
            s.engine,
            EngineSettings::Local { det_max_side: 960 }
        ));
        let s = resolve_args(&["xocr", "scan", "--engine=local", "--det-max-side=1280", "a"]);
        assert!(matches!(
            s.unwrap().engine,
            EngineSettings::Local { det_max_side: 1280 }
        ));
        for bad in ["-5", "0", "100", "4097", "4128", "x"] {
            let flag = format!("--det-max-side={bad}");
            let e = Cli::try_parse_from(["xocr", "scan", "--engine", "local", &flag, "a"]);
            let e = e.unwrap_err().to_string();
            assert!(e.contains("multiple of 32"), "{bad}: {e}");
        }
    }
}
