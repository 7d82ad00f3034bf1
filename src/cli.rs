//! Command-line definitions (clap derive). No I/O happens here: `config` turns
//! these values, the environment and the config file into one `Settings`.

use std::path::PathBuf;

use std::ffi::OsStr;

use clap::builder::{PossibleValue, StringValueParser, TypedValueParser};
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

const EXIT_CODES: &str = "\
Exit codes:
  0    every file succeeded
  1    at least one file failed (the others were still scanned)
  2    usage or configuration error (bad flag, no token, no input matched)
  3    stopped by a stop-class service code (credentials, quota, endpoint),
       or by 3 files in a row that got no answer from the service (a dead
       endpoint); the remaining files are reported as not attempted
  130  interrupted by Ctrl-C; finished results are kept (and stored with
       --out-dir), the rest are reported as not attempted
  141  stdout was closed early (e.g. `| head`); the batch stopped";

/// Read ID cards, bank cards, licences and other certificates from pictures.
#[derive(Debug, Parser)]
#[command(name = "xocr", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Colour in tables and on stderr: auto (only on a terminal, and not
    /// when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE
    /// forces it), always, never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

/// When to colour output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces colour).
    Auto,
    /// Always, also into a pipe or a file.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Recognise the fields of one or more pictures and print them.
    #[command(after_help = EXIT_CODES)]
    Scan(Box<ScanArgs>),
    /// List the document types with the keys each returns.
    Types {
        /// Show only this type, e.g. id_card.
        #[arg(value_parser = Suggested(doc_type_names), hide_possible_values = true)]
        name: Option<String>,
    },
    /// Explain the service's error codes: all of them, or CODE.
    Codes {
        /// A code from a reply, e.g. 40301.
        code: Option<i64>,
    },
    /// Print the shell completion script for SHELL on stdout.
    Completions {
        /// The shell to generate completions for.
        shell: Shell,
    },
    /// Print the manual page (roff) on stdout: xocr(1), or COMMAND's, e.g.
    /// `xocr man scan | man -l -`.
    Man {
        /// The command whose page to print: scan, types, codes, completions
        /// or man.
        #[arg(value_parser = MAN_COMMANDS)]
        command: Option<String>,
    },
}

/// The commands with a manual page of their own (`xocr man COMMAND`,
/// `man/xocr-COMMAND.1`).
pub const MAN_COMMANDS: [&str; 5] = ["scan", "types", "codes", "completions", "man"];

/// A value parser that takes any text but offers `values` to shell
/// completion (and the man page): values that are common but not the only
/// ones allowed, or that are checked later with a better message than
/// clap's.
#[derive(Clone)]
struct Suggested(fn() -> Vec<PossibleValue>);

impl TypedValueParser for Suggested {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new((self.0)().into_iter()))
    }
}

/// The document type names of the catalogue, with their descriptions.
fn doc_type_names() -> Vec<PossibleValue> {
    crate::fields::catalog()
        .iter()
        .map(|d| PossibleValue::new(d.name).help(d.description))
        .collect()
}

/// The request types PROTOCOL.md lists, with what each asks for.
fn request_types() -> Vec<PossibleValue> {
    crate::engine::remote::REQUEST_TYPES
        .iter()
        .map(|(code, what)| PossibleValue::new(*code).help(*what))
        .collect()
}

/// Output format written to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned tables, one per file, for people.
    Table,
    /// One JSON array with an object per input, in input order.
    Json,
    /// One JSON object per line, written as each file is done.
    Jsonl,
    /// RFC 4180 CSV (see --csv-layout), for programs; a cell a spreadsheet
    /// would run as a formula gets a leading ' (see --csv-raw).
    Csv,
    /// An Excel workbook, for a spreadsheet: a row per file, a column per
    /// key, every identifier kept as text, portraits in their cells. Needs
    /// --output FILE, or stdout not a terminal.
    Xlsx,
}

/// Who reads the pictures (`--engine`, `engine =` in the config file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineName {
    /// The OCR service (needs a token; pictures are uploaded).
    Remote,
    /// xocr's own offline recogniser: nothing is uploaded, no token needed.
    Local,
}

/// How CSV rows are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CsvLayout {
    /// One row per item: file,type,key,description,value,error.
    Long,
    /// One row per file, a column per key (first-seen order), plus file,type,error.
    Wide,
}

/// A size in bytes: a number with an optional K, M or G suffix (powers of
/// 1024; `B`, `iB` and lower case accepted), e.g. `10M`, `3.5MB`, `800k`.
pub(crate) fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let unit_start = lower
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(lower.len());
    let (num, unit) = lower.split_at(unit_start);
    let factor: u64 = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("unknown size unit in {t:?}: use K, M or G")),
    };
    match num.parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 1.0 => Ok((n * factor as f64) as u64),
        _ => Err(format!("expected a size such as 10M, not {t:?}")),
    }
}

fn parse_qps(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if (0.01..=100_000.0).contains(&r) => Ok(r),
        _ => Err("expected requests per second from 0.01 to 100000".into()),
    }
}

fn parse_det_max_side(s: &str) -> Result<u32, String> {
    use crate::engine::{DEFAULT_DET_MAX_SIDE, DET_MAX_SIDE_RANGE, valid_det_max_side};
    match s.parse::<u32>() {
        Ok(px) if valid_det_max_side(px) => Ok(px),
        _ => Err(format!(
            "expected pixels, a multiple of 32 from {} to {} (default {DEFAULT_DET_MAX_SIDE})",
            DET_MAX_SIDE_RANGE.start(),
            DET_MAX_SIDE_RANGE.end()
        )),
    }
}

fn parse_shard(s: &str) -> Result<(u32, u32), String> {
    let err = || format!("expected K/N with 1 <= K <= N, e.g. 2/4, not {s:?}");
    let (k, n) = s.split_once('/').ok_or_else(err)?;
    let (k, n): (u32, u32) = (
        k.trim().parse().map_err(|_| err())?,
        n.trim().parse().map_err(|_| err())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(err());
    }
    Ok((k, n))
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| format!("{e}: expected a date as YYYY-MM-DD"))
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Pictures to scan: file paths, glob patterns (expanded by xocr), directories
    /// (with -r), or `-` for one picture on standard input.
    #[arg(value_name = "INPUT", required_unless_present = "files_from")]
    pub inputs: Vec<String>,

    /// Read input paths from FILE, one per line (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    pub files_from: Option<String>,

    /// Scan the pictures inside directories, recursively.
    #[arg(short, long)]
    pub recursive: bool,

    /// Output format.
    #[arg(short = 'o', long = "format", value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the output to FILE instead of stdout, in full or not at all:
    /// a temporary file beside it is renamed over FILE once the output is
    /// complete, so a failed or interrupted run never leaves FILE half
    /// written (an existing FILE is replaced only then).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// With -o xlsx: no portraits in the workbook (smaller, and written in
    /// constant memory).
    #[arg(long)]
    pub no_images: bool,

    /// Write each input picture, upright as it was read, into DIR with every
    /// item's box drawn and labelled with its key (failed checks in red, the
    /// document's outline when known), as `<input stem>.annotated.jpg`.
    #[arg(long, value_name = "DIR")]
    pub annotate: Option<PathBuf>,

    /// CSV layout (with -o csv).
    #[arg(long, value_enum, default_value_t = CsvLayout::Long)]
    pub csv_layout: CsvLayout,

    /// Start CSV output with a UTF-8 byte-order mark, so spreadsheet programs
    /// read Chinese text correctly. The CSV is for programs: a spreadsheet
    /// still turns long ID numbers into 1.10101E+17 and 12/30 into a date;
    /// for a spreadsheet use -o xlsx.
    #[arg(long)]
    pub bom: bool,

    /// With -o csv: write every cell as it is. By default a cell that a
    /// spreadsheet would run as a formula (OWASP's CSV injection advice) is
    /// written with a single quote ' in front: a cell whose first character
    /// is = + - @, a tab or a carriage return, or whose first character after
    /// leading white space is = + - or @. A cell that is a plain number
    /// (-12.5, +86, 1e5) is left as it is. This covers values, keys (the
    /// wide layout's header too), descriptions and file names.
    #[arg(long)]
    pub csv_raw: bool,

    /// Keep only these keys in the output (comma-separated, e.g. name,id_number).
    #[arg(long, value_delimiter = ',', value_name = "KEYS")]
    pub fields: Vec<String>,

    /// Longest side of a picture sent to the service, px; larger ones are
    /// scaled down (re-encoded as JPEG).
    #[arg(long, value_name = "PX", default_value_t = 4096,
          value_parser = clap::value_parser!(u32).range(20..=10000))]
    pub max_side: u32,

    /// Largest picture file sent, e.g. 10M, 3.5MB, 800K (before base64,
    /// which adds a third); larger ones are re-encoded smaller.
    #[arg(long, value_name = "SIZE", default_value = "10M", value_parser = parse_size)]
    pub max_bytes: u64,

    /// JPEG quality (1-100) of re-encoded pictures.
    #[arg(long, value_name = "Q", default_value_t = 90,
          value_parser = clap::value_parser!(u8).range(1..=100))]
    pub jpeg_quality: u8,

    /// Never re-encode: a picture outside the limits is rejected before
    /// upload, and a format the service does not list is sent as it is.
    #[arg(long)]
    pub no_convert: bool,

    /// Show normalised values (ISO dates, M/F, card numbers without spaces…)
    /// in table and CSV cells instead of the raw text. JSON always has both.
    #[arg(long)]
    pub normalized: bool,

    /// Count a file whose fields fail a check (ID check character, Luhn…)
    /// as failed (exit code 1).
    #[arg(long)]
    pub strict: bool,

    /// Judge expiry dates against DATE (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<chrono::NaiveDate>,

    /// Mask personal fields in what is printed (names, ID and card numbers,
    /// addresses), for logs and screenshots.
    #[arg(long)]
    pub mask: bool,

    /// Include picture values (base64) in JSON and JSONL output.
    #[arg(long)]
    pub include_images: bool,

    /// Write the pictures the service returns (portrait, crop, …) into DIR as
    /// `<input stem>.<key>.<ext>`.
    #[arg(long, value_name = "DIR")]
    pub save_images: Option<PathBuf>,

    /// Who reads the pictures: the OCR service (remote), or xocr's own
    /// offline recogniser (local: no token, nothing uploaded) [default: remote]
    #[arg(long, value_enum, value_name = "ENGINE")]
    pub engine: Option<EngineName>,

    /// With --engine local: the long side, px, pictures are scaled to for
    /// text detection (a multiple of 32 from 32 to 4096; larger finds
    /// smaller text but can join words apart into one line; time and memory
    /// grow with its square) [default: 960]
    #[arg(long, value_name = "PX", value_parser = parse_det_max_side)]
    pub det_max_side: Option<u32>,

    /// Service token. Prefer --token-file or XOCR_TOKEN: a flag is visible to
    /// other users in the process list.
    #[arg(long, value_name = "TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// Read the service token from the first line of PATH.
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,

    /// Service endpoint URL [env: XOCR_ENDPOINT] [default: http://api.xinhuokj.com:40072/ocr]
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,

    /// Request type code sent to the service ("8": the service classifies
    /// the document itself and answers its type, e.g. id_card). Not a
    /// document type name.
    #[arg(long = "type", value_name = "TYPE", value_parser = Suggested(request_types),
          hide_possible_values = true)]
    pub request_type: Option<String>,

    /// Seconds to wait for the connection and for the reply [default: 60].
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,

    /// Largest reply read from the service, e.g. 64M, 200MB (K, M, G:
    /// powers of 1024). Replies carry the pictures the service cuts out
    /// (portrait, crop) as base64 and may pass 10 MB; a reply over the limit
    /// fails its file, is not retried, and is not read further, so an
    /// endless reply cannot exhaust memory [default: 64M]
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_reply_size: Option<u64>,

    /// Pictures in work at once: requests in flight with the service
    /// [default: 4]; pictures read in parallel with --engine local [default:
    /// the number of CPUs, at most 4]
    #[arg(short = 'j', long, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,

    /// At most R requests per second across all workers (the account's
    /// limit). The rate also halves on a QPS-limit answer and recovers.
    #[arg(long, value_name = "R", value_parser = parse_qps)]
    pub qps: Option<f64>,

    /// Retries of a retry-class failure (5xx, resets, time-outs, codes such
    /// as 40002 or 40018), with exponential backoff and jitter.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,

    /// First backoff ceiling in milliseconds; doubles with each retry.
    #[arg(long, value_name = "MS", default_value_t = 500, hide = true)]
    pub backoff_base_ms: u64,

    /// Store each result in DIR (one JSON file per picture, keyed by its
    /// SHA-256 and the request type, or the local engine's revision and
    /// --det-max-side); a rerun sends no request for a picture already stored.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,

    /// With --out-dir: request again even when a result is stored.
    #[arg(long, requires = "out_dir")]
    pub force: bool,

    /// With --out-dir: mask personal fields in the stored results too.
    #[arg(long, requires = "out_dir")]
    pub mask_saved: bool,

    /// Scan only shard K of N (1-based): the inputs whose path hashes to K.
    /// N machines with --shard 1/N … N/N split one folder without overlap.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u32, u32)>,

    /// With -o jsonl: write each result as soon as it is done, not in
    /// input order.
    #[arg(long)]
    pub unordered: bool,

    /// Config file to read instead of the default ($XDG_CONFIG_HOME/xocr/config.toml).
    #[arg(long, value_name = "PATH", env = "XOCR_CONFIG")]
    pub config: Option<PathBuf>,

    /// Print no warnings, per-file errors or summary on stderr.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more about each file on stderr: -v a line per request, retry
    /// and conversion; -vv also each request's and reply's headers and
    /// sizes (never the token, never a body).
    #[arg(short, long, action = ArgAction::Count)]
    pub verbose: u8,
}
