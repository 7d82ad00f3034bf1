# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_xocr_global_optspecs
    string join \n color= h/help V/version
end

function __fish_xocr_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_xocr_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_xocr_using_subcommand
    set -l cmd (__fish_xocr_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c xocr -n "__fish_xocr_needs_command" -l color -d 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces colour)'
always\t'Always, also into a pipe or a file'
never\t'Never'"
complete -c xocr -n "__fish_xocr_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xocr -n "__fish_xocr_needs_command" -s V -l version -d 'Print version'
complete -c xocr -n "__fish_xocr_needs_command" -f -a "scan" -d 'Recognise the fields of one or more pictures and print them'
complete -c xocr -n "__fish_xocr_needs_command" -f -a "types" -d 'List the document types with the keys each returns'
complete -c xocr -n "__fish_xocr_needs_command" -f -a "codes" -d 'Explain the service\'s error codes: all of them, or CODE'
complete -c xocr -n "__fish_xocr_needs_command" -f -a "completions" -d 'Print the shell completion script for SHELL on stdout'
complete -c xocr -n "__fish_xocr_needs_command" -f -a "man" -d 'Print the manual page (roff) on stdout: xocr(1), or COMMAND\'s, e.g. `xocr man scan | man -l -`'
complete -c xocr -n "__fish_xocr_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l files-from -d 'Read input paths from FILE, one per line (`-` for standard input)' -r
complete -c xocr -n "__fish_xocr_using_subcommand scan" -s o -l format -d 'Output format' -r -f -a "table\t'Aligned tables, one per file, for people'
json\t'One JSON array with an object per input, in input order'
jsonl\t'One JSON object per line, written as each file is done'
csv\t'RFC 4180 CSV (see --csv-layout), for programs; a cell a spreadsheet would run as a formula gets a leading \' (see --csv-raw)'
xlsx\t'An Excel workbook, for a spreadsheet: a row per file, a column per key, every identifier kept as text, portraits in their cells. Needs --output FILE, or stdout not a terminal'"
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l output -d 'Write the output to FILE instead of stdout, in full or not at all: a temporary file beside it is renamed over FILE once the output is complete, so a failed or interrupted run never leaves FILE half written (an existing FILE is replaced only then)' -r -F
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l annotate -d 'Write each input picture, upright as it was read, into DIR with every item\'s box drawn and labelled with its key (failed checks in red, the document\'s outline when known), as `<input stem>.annotated.jpg`' -r -F
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l csv-layout -d 'CSV layout (with -o csv)' -r -f -a "long\t'One row per item: file,type,key,description,value,error'
wide\t'One row per file, a column per key (first-seen order), plus file,type,error'"
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l fields -d 'Keep only these keys in the output (comma-separated, e.g. name,id_number)' -r
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l max-side -d 'Longest side of a picture sent to the service, px; larger ones are scaled down (re-encoded as JPEG)' -r
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l max-bytes -d 'Largest picture file sent, e.g. 10M, 3.5MB, 800K (before base64, which adds a third); larger ones are re-encoded smaller' -r
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l jpeg-quality -d 'JPEG quality (1-100) of re-encoded pictures' -r
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l as-of -d 'Judge expiry dates against DATE (YYYY-MM-DD) instead of today' -r
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l save-images -d 'Write the pictures the service returns (portrait, crop, …) into DIR as `<input stem>.<key>.<ext>`' -r -F
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l engine -d 'Who reads the pictures: the OCR service (remote), or xocr\'s own offline recogniser (local: no token, nothing uploaded) [default: remote]' -r -f -a "remote\t'The OCR service (needs a token; pictures are uploaded)'
local\t'xocr\'s own offline recogniser: nothing is uploaded, no token needed'"
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l det-max-side -d 'With --engine local: the long side, px, pictures are scaled to for text detection (a multiple of 32 from 32 to 4096; larger finds smaller text but can join words apart into one line; time and memory grow with its square) [default: 960]' -r
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l token -d 'Service token. Prefer --token-file or XOCR_TOKEN: a flag is visible to other users in the process list' -r
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l token-file -d 'Read the service token from the first line of PATH' -r -F
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l endpoint -d 'Service endpoint URL [env: XOCR_ENDPOINT] [default: http://api.xinhuokj.com:40072/ocr]' -r
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l type -d 'Request type code sent to the service ("8": the service classifies the document itself and answers its type, e.g. id_card). Not a document type name' -r -f -a "8\t'multi-certificate: the service classifies the picture and answers its document type'"
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l timeout -d 'Seconds to wait for the connection and for the reply [default: 60]' -r
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l max-reply-size -d 'Largest reply read from the service, e.g. 64M, 200MB (K, M, G: powers of 1024). Replies carry the pictures the service cuts out (portrait, crop) as base64 and may pass 10 MB; a reply over the limit fails its file, is not retried, and is not read further, so an endless reply cannot exhaust memory [default: 64M]' -r
complete -c xocr -n "__fish_xocr_using_subcommand scan" -s j -l jobs -d 'Pictures in work at once: requests in flight with the service [default: 4]; pictures read in parallel with --engine local [default: the number of CPUs, at most 4]' -r
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l qps -d 'At most R requests per second across all workers (the account\'s limit). The rate also halves on a QPS-limit answer and recovers' -r
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l retries -d 'Retries of a retry-class failure (5xx, resets, time-outs, codes such as 40002 or 40018), with exponential backoff and jitter' -r
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l backoff-base-ms -d 'First backoff ceiling in milliseconds; doubles with each retry' -r
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l out-dir -d 'Store each result in DIR (one JSON file per picture, keyed by its SHA-256 and the request type, or the local engine\'s revision and --det-max-side); a rerun sends no request for a picture already stored' -r -F
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l shard -d 'Scan only shard K of N (1-based): the inputs whose path hashes to K. N machines with --shard 1/N … N/N split one folder without overlap' -r
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l config -d 'Config file to read instead of the default ($XDG_CONFIG_HOME/xocr/config.toml)' -r -F
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l color -d 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces colour)'
always\t'Always, also into a pipe or a file'
never\t'Never'"
complete -c xocr -n "__fish_xocr_using_subcommand scan" -s r -l recursive -d 'Scan the pictures inside directories, recursively'
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l no-images -d 'With -o xlsx: no portraits in the workbook (smaller, and written in constant memory)'
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l bom -d 'Start CSV output with a UTF-8 byte-order mark, so spreadsheet programs read Chinese text correctly. The CSV is for programs: a spreadsheet still turns long ID numbers into 1.10101E+17 and 12/30 into a date; for a spreadsheet use -o xlsx'
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l csv-raw -d 'With -o csv: write every cell as it is. By default a cell that a spreadsheet would run as a formula (OWASP\'s CSV injection advice) is written with a single quote \' in front: a cell whose first character is = + - @, a tab or a carriage return, or whose first character after leading white space is = + - or @. A cell that is a plain number (-12.5, +86, 1e5) is left as it is. This covers values, keys (the wide layout\'s header too), descriptions and file names'
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l no-convert -d 'Never re-encode: a picture outside the limits is rejected before upload, and a format the service does not list is sent as it is'
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l normalized -d 'Show normalised values (ISO dates, M/F, card numbers without spaces…) in table and CSV cells instead of the raw text. JSON always has both'
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l strict -d 'Count a file whose fields fail a check (ID check character, Luhn…) as failed (exit code 1)'
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l mask -d 'Mask personal fields in what is printed (names, ID and card numbers, addresses), for logs and screenshots'
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l include-images -d 'Include picture values (base64) in JSON and JSONL output'
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l force -d 'With --out-dir: request again even when a result is stored'
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l mask-saved -d 'With --out-dir: mask personal fields in the stored results too'
complete -c xocr -n "__fish_xocr_using_subcommand scan" -l unordered -d 'With -o jsonl: write each result as soon as it is done, not in input order'
complete -c xocr -n "__fish_xocr_using_subcommand scan" -s q -l quiet -d 'Print no warnings, per-file errors or summary on stderr'
complete -c xocr -n "__fish_xocr_using_subcommand scan" -s v -l verbose -d 'Print more about each file on stderr: -v a line per request, retry and conversion; -vv also each request\'s and reply\'s headers and sizes (never the token, never a body)'
complete -c xocr -n "__fish_xocr_using_subcommand scan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xocr -n "__fish_xocr_using_subcommand types" -l color -d 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces colour)'
always\t'Always, also into a pipe or a file'
never\t'Never'"
complete -c xocr -n "__fish_xocr_using_subcommand types" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xocr -n "__fish_xocr_using_subcommand codes" -l color -d 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces colour)'
always\t'Always, also into a pipe or a file'
never\t'Never'"
complete -c xocr -n "__fish_xocr_using_subcommand codes" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xocr -n "__fish_xocr_using_subcommand completions" -l color -d 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces colour)'
always\t'Always, also into a pipe or a file'
never\t'Never'"
complete -c xocr -n "__fish_xocr_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xocr -n "__fish_xocr_using_subcommand man" -l color -d 'Colour in tables and on stderr: auto (only on a terminal, and not when NO_COLOR is set to anything but the empty string; CLICOLOR_FORCE forces it), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces colour)'
always\t'Always, also into a pipe or a file'
never\t'Never'"
complete -c xocr -n "__fish_xocr_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xocr -n "__fish_xocr_using_subcommand help; and not __fish_seen_subcommand_from scan types codes completions man help" -f -a "scan" -d 'Recognise the fields of one or more pictures and print them'
complete -c xocr -n "__fish_xocr_using_subcommand help; and not __fish_seen_subcommand_from scan types codes completions man help" -f -a "types" -d 'List the document types with the keys each returns'
complete -c xocr -n "__fish_xocr_using_subcommand help; and not __fish_seen_subcommand_from scan types codes completions man help" -f -a "codes" -d 'Explain the service\'s error codes: all of them, or CODE'
complete -c xocr -n "__fish_xocr_using_subcommand help; and not __fish_seen_subcommand_from scan types codes completions man help" -f -a "completions" -d 'Print the shell completion script for SHELL on stdout'
complete -c xocr -n "__fish_xocr_using_subcommand help; and not __fish_seen_subcommand_from scan types codes completions man help" -f -a "man" -d 'Print the manual page (roff) on stdout: xocr(1), or COMMAND\'s, e.g. `xocr man scan | man -l -`'
complete -c xocr -n "__fish_xocr_using_subcommand help; and not __fish_seen_subcommand_from scan types codes completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
