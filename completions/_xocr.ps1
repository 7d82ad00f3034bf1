
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'xocr' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'xocr'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'xocr' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Recognise the fields of one or more pictures and print them')
            [CompletionResult]::new('types', 'types', [CompletionResultType]::ParameterValue, 'List the document types with the keys each returns')
            [CompletionResult]::new('codes', 'codes', [CompletionResultType]::ParameterValue, 'Explain the service''s error codes: all of them, or CODE')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script for SHELL on stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff) on stdout: xocr(1), or COMMAND''s, e.g. `xocr man scan | man -l -`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'xocr;scan' {
            [CompletionResult]::new('--files-from', '--files-from', [CompletionResultType]::ParameterName, 'Read input paths from FILE, one per line (`-` for standard input)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the output to FILE instead of stdout, in full or not at all: a temporary file beside it is renamed over FILE once the output is complete, so a failed or interrupted run never leaves FILE half written (an existing FILE is replaced only then)')
            [CompletionResult]::new('--annotate', '--annotate', [CompletionResultType]::ParameterName, 'Write each input picture, upright as it was read, into DIR with every item''s box drawn and labelled with its key (failed checks in red, the document''s outline when known), as `<input stem>.annotated.jpg`')
            [CompletionResult]::new('--csv-layout', '--csv-layout', [CompletionResultType]::ParameterName, 'CSV layout (with -o csv)')
            [CompletionResult]::new('--fields', '--fields', [CompletionResultType]::ParameterName, 'Keep only these keys in the output (comma-separated, e.g. name,id_number)')
            [CompletionResult]::new('--max-side', '--max-side', [CompletionResultType]::ParameterName, 'Longest side of a picture sent to the service, px; larger ones are scaled down (re-encoded as JPEG)')
            [CompletionResult]::new('--max-bytes', '--max-bytes', [CompletionResultType]::ParameterName, 'Largest picture file sent, e.g. 10M, 3.5MB, 800K (before base64, which adds a third); larger ones are re-encoded smaller')
            [CompletionResult]::new('--jpeg-quality', '--jpeg-quality', [CompletionResultType]::ParameterName, 'JPEG quality (1-100) of re-encoded pictures')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Judge expiry dates against DATE (YYYY-MM-DD) instead of today')
            [CompletionResult]::new('--save-images', '--save-images', [CompletionResultType]::ParameterName, 'Write the pictures the service returns (portrait, crop, …) into DIR as `<input stem>.<key>.<ext>`')
            [CompletionResult]::new('--engine', '--engine', [CompletionResultType]::ParameterName, 'Who reads the pictures: the OCR service (remote), or xocr''s own offline recogniser (local: no token, nothing uploaded) [default: remote]')
            [CompletionResult]::new('--det-max-side', '--det-max-side', [CompletionResultType]::ParameterName, 'With --engine local: the long side, px, pictures are scaled to for text detection (a multiple of 32 from 32 to 4096; larger finds smaller text but can join words apart into one line; time and memory grow with its square) [default: 960]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Service token. Prefer --token-file or XOCR_TOKEN: a flag is visible to other users in the process list')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the service token from the first line of PATH')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Service endpoint URL [env: XOCR_ENDPOINT] [default: http://api.xinhuokj.com:40072/ocr]')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Request type code sent to the service ("8": the service classifies the document itself and answers its type, e.g. id_card). Not a document type name')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the connection and for the reply [default: 60]')
            [CompletionResult]::new('--max-reply-size', '--max-reply-size', [CompletionResultType]::ParameterName, 'Largest reply read from the service, e.g. 64M, 200MB (K, M, G: powers of 1024). Replies carry the pictures the service cuts out (portrait, crop) as base64 and may pass 10 MB; a reply over the limit fails its file, is not retried, and is not read further, so an endless reply cannot exhaust memory [default: 64M]')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Pictures in work at once: requests in flight with the service [default: 4]; pictures read in parallel with --engine local [default: the number of CPUs, at most 4]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Pictures in work at once: requests in flight with the service [default: 4]; pictures read in parallel with --engine local [default: the number of CPUs, at most 4]')
            [CompletionResult]::new('--qps', '--qps', [CompletionResultType]::ParameterName, 'At most R requests per second across all workers (the account''s limit). The rate also halves on a QPS-limit answer and recovers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a retry-class failure (5xx, resets, time-outs, codes such as 40002 or 40018), with exponential backoff and jitter')
            [CompletionResult]::new('--backoff-base-ms', '--backoff-base-ms', [CompletionResultType]::ParameterName, 'First backoff ceiling in milliseconds; doubles with each retry')
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Store each result in DIR (one JSON file per picture, keyed by its SHA-256 and the request type, or the local engine''s revision and --det-max-side); a rerun sends no request for a picture already stored')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Scan only shard K of N (1-based): the inputs whose path hashes to K. N machines with --shard 1/N … N/N split one folder without overlap')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read instead of the default ($XDG_CONFIG_HOME/xocr/config.toml)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Scan the pictures inside directories, recursively')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Scan the pictures inside directories, recursively')
            [CompletionResult]::new('--no-images', '--no-images', [CompletionResultType]::ParameterName, 'With -o xlsx: no portraits in the workbook (smaller, and written in constant memory)')
            [CompletionResult]::new('--bom', '--bom', [CompletionResultType]::ParameterName, 'Start CSV output with a UTF-8 byte-order mark, so spreadsheet programs read Chinese text correctly. The CSV is for programs: a spreadsheet still turns long ID numbers into 1.10101E+17 and 12/30 into a date; for a spreadsheet use -o xlsx')
            [CompletionResult]::new('--csv-raw', '--csv-raw', [CompletionResultType]::ParameterName, 'With -o csv: write every cell as it is. By default a cell that a spreadsheet would run as a formula (OWASP''s CSV injection advice) is written with a single quote '' in front: a cell whose first character is = + - @, a tab or a carriage return, or whose first character after leading white space is = + - or @. A cell that is a plain number (-12.5, +86, 1e5) is left as it is. This covers values, keys (the wide layout''s header too), descriptions and file names')
            [CompletionResult]::new('--no-convert', '--no-convert', [CompletionResultType]::ParameterName, 'Never re-encode: a picture outside the limits is rejected before upload, and a format the service does not list is sent as it is')
            [CompletionResult]::new('--normalized', '--normalized', [CompletionResultType]::ParameterName, 'Show normalised values (ISO dates, M/F, card numbers without spaces…) in table and CSV cells instead of the raw text. JSON always has both')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Count a file whose fields fail a check (ID check character, Luhn…) as failed (exit code 1)')
            [CompletionResult]::new('--mask', '--mask', [CompletionResultType]::ParameterName, 'Mask personal fields in what is printed (names, ID and card numbers, addresses), for logs and screenshots')
            [CompletionResult]::new('--include-images', '--include-images', [CompletionResultType]::ParameterName, 'Include picture values (base64) in JSON and JSONL output')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'With --out-dir: request again even when a result is stored')
            [CompletionResult]::new('--mask-saved', '--mask-saved', [CompletionResultType]::ParameterName, 'With --out-dir: mask personal fields in the stored results too')
            [CompletionResult]::new('--unordered', '--unordered', [CompletionResultType]::ParameterName, 'With -o jsonl: write each result as soon as it is done, not in input order')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, per-file errors or summary on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, per-file errors or summary on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about each file on stderr: -v a line per request, retry and conversion; -vv also each request''s and reply''s headers and sizes (never the token, never a body)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about each file on stderr: -v a line per request, retry and conversion; -vv also each request''s and reply''s headers and sizes (never the token, never a body)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'xocr;types' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'xocr;codes' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'xocr;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'xocr;man' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'xocr;help' {
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Recognise the fields of one or more pictures and print them')
            [CompletionResult]::new('types', 'types', [CompletionResultType]::ParameterValue, 'List the document types with the keys each returns')
            [CompletionResult]::new('codes', 'codes', [CompletionResultType]::ParameterValue, 'Explain the service''s error codes: all of them, or CODE')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script for SHELL on stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff) on stdout: xocr(1), or COMMAND''s, e.g. `xocr man scan | man -l -`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'xocr;help;scan' {
            break
        }
        'xocr;help;types' {
            break
        }
        'xocr;help;codes' {
            break
        }
        'xocr;help;completions' {
            break
        }
        'xocr;help;man' {
            break
        }
        'xocr;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
