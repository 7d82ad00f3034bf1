
use builtin;
use str;

set edit:completion:arg-completer[xocr] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'xocr'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'xocr'= {
            cand --color 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand scan 'Recognise the fields of one or more pictures and print them'
            cand types 'List the document types with the keys each returns'
            cand codes 'Explain the service''s error codes: all of them, or CODE'
            cand completions 'Print the shell completion script for SHELL on stdout'
            cand man 'Print the manual page (roff) on stdout: xocr(1), or COMMAND''s, e.g. `xocr man scan | man -l -`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'xocr;scan'= {
            cand --files-from 'Read input paths from FILE, one per line (`-` for standard input)'
            cand -o 'Output format'
            cand --format 'Output format'
            cand --output 'Write the output to FILE instead of stdout, in full or not at all: a temporary file beside it is renamed over FILE once the output is complete, so a failed or interrupted run never leaves FILE half written (an existing FILE is replaced only then)'
            cand --annotate 'Write each input picture, upright as it was read, into DIR with every item''s box drawn and labelled with its key (failed checks in red, the document''s outline when known), as `<input stem>.annotated.jpg`'
            cand --csv-layout 'CSV layout (with -o csv)'
            cand --fields 'Keep only these keys in the output (comma-separated, e.g. name,id_number)'
            cand --max-side 'Longest side of a picture sent to the service, px; larger ones are scaled down (re-encoded as JPEG)'
            cand --max-bytes 'Largest picture file sent, e.g. 10M, 3.5MB, 800K (before base64, which adds a third); larger ones are re-encoded smaller'
            cand --jpeg-quality 'JPEG quality (1-100) of re-encoded pictures'
            cand --as-of 'Judge expiry dates against DATE (YYYY-MM-DD) instead of today'
            cand --save-images 'Write the pictures the service returns (portrait, crop, …) into DIR as `<input stem>.<key>.<ext>`'
            cand --engine 'Who reads the pictures: the OCR service (remote), or xocr''s own offline recogniser (local: no token, nothing uploaded) [default: remote]'
            cand --det-max-side 'With --engine local: the long side, px, pictures are scaled to for text detection (a multiple of 32 from 32 to 4096; larger finds smaller text but can join words apart into one line; time and memory grow with its square) [default: 960]'
            cand --token 'Service token. Prefer --token-file or XOCR_TOKEN: a flag is visible to other users in the process list'
            cand --token-file 'Read the service token from the first line of PATH'
            cand --endpoint 'Service endpoint URL [env: XOCR_ENDPOINT] [default: http://api.xinhuokj.com:40072/ocr]'
            cand --type 'Request type code sent to the service ("8": the service classifies the document itself and answers its type, e.g. id_card). Not a document type name'
            cand --timeout 'Seconds to wait for the connection and for the reply [default: 60]'
            cand --max-reply-size 'Largest reply read from the service, e.g. 64M, 200MB (K, M, G: powers of 1024). Replies carry the pictures the service cuts out (portrait, crop) as base64 and may pass 10 MB; a reply over the limit fails its file, is not retried, and is not read further, so an endless reply cannot exhaust memory [default: 64M]'
            cand -j 'Pictures in work at once: requests in flight with the service [default: 4]; pictures read in parallel with --engine local [default: the number of CPUs, at most 4]'
            cand --jobs 'Pictures in work at once: requests in flight with the service [default: 4]; pictures read in parallel with --engine local [default: the number of CPUs, at most 4]'
            cand --qps 'At most R requests per second across all workers (the account''s limit). The rate also halves on a QPS-limit answer and recovers'
            cand --retries 'Retries of a retry-class failure (5xx, resets, time-outs, codes such as 40002 or 40018), with exponential backoff and jitter'
            cand --backoff-base-ms 'First backoff ceiling in milliseconds; doubles with each retry'
            cand --out-dir 'Store each result in DIR (one JSON file per picture, keyed by its SHA-256 and the request type, or the local engine''s revision and --det-max-side); a rerun sends no request for a picture already stored'
            cand --shard 'Scan only shard K of N (1-based): the inputs whose path hashes to K. N machines with --shard 1/N … N/N split one folder without overlap'
            cand --config 'Config file to read instead of the default ($XDG_CONFIG_HOME/xocr/config.toml)'
            cand --color 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never'
            cand -r 'Scan the pictures inside directories, recursively'
            cand --recursive 'Scan the pictures inside directories, recursively'
            cand --no-images 'With -o xlsx: no portraits in the workbook (smaller, and written in constant memory)'
            cand --bom 'Start CSV output with a UTF-8 byte-order mark, so spreadsheet programs read Chinese text correctly. The CSV is for programs: a spreadsheet still turns long ID numbers into 1.10101E+17 and 12/30 into a date; for a spreadsheet use -o xlsx'
            cand --csv-raw 'With -o csv: write every cell as it is. By default a cell that a spreadsheet would run as a formula (OWASP''s CSV injection advice) is written with a single quote '' in front: a cell whose first character is = + - @, a tab or a carriage return, or whose first character after leading white space is = + - or @. A cell that is a plain number (-12.5, +86, 1e5) is left as it is. This covers values, keys (the wide layout''s header too), descriptions and file names'
            cand --no-convert 'Never re-encode: a picture outside the limits is rejected before upload, and a format the service does not list is sent as it is'
            cand --normalized 'Show normalised values (ISO dates, M/F, card numbers without spaces…) in table and CSV cells instead of the raw text. JSON always has both'
            cand --strict 'Count a file whose fields fail a check (ID check character, Luhn…) as failed (exit code 1)'
            cand --mask 'Mask personal fields in what is printed (names, ID and card numbers, addresses), for logs and screenshots'
            cand --include-images 'Include picture values (base64) in JSON and JSONL output'
            cand --force 'With --out-dir: request again even when a result is stored'
            cand --mask-saved 'With --out-dir: mask personal fields in the stored results too'
            cand --unordered 'With -o jsonl: write each result as soon as it is done, not in input order'
            cand -q 'Print no warnings, per-file errors or summary on stderr'
            cand --quiet 'Print no warnings, per-file errors or summary on stderr'
            cand -v 'Print more about each file on stderr: -v a line per request, retry and conversion; -vv also each request''s and reply''s headers and sizes (never the token, never a body)'
            cand --verbose 'Print more about each file on stderr: -v a line per request, retry and conversion; -vv also each request''s and reply''s headers and sizes (never the token, never a body)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'xocr;types'= {
            cand --color 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'xocr;codes'= {
            cand --color 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'xocr;completions'= {
            cand --color 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'xocr;man'= {
            cand --color 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'xocr;help'= {
            cand scan 'Recognise the fields of one or more pictures and print them'
            cand types 'List the document types with the keys each returns'
            cand codes 'Explain the service''s error codes: all of them, or CODE'
            cand completions 'Print the shell completion script for SHELL on stdout'
            cand man 'Print the manual page (roff) on stdout: xocr(1), or COMMAND''s, e.g. `xocr man scan | man -l -`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'xocr;help;scan'= {
        }
        &'xocr;help;types'= {
        }
        &'xocr;help;codes'= {
        }
        &'xocr;help;completions'= {
        }
        &'xocr;help;man'= {
        }
        &'xocr;help;help'= {
        }
    ]
    $completions[$command]
}
