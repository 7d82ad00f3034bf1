//! The committed completion scripts match the clap definition.
//! Regenerate them with `XOCR_UPDATE_COMPLETIONS=1 cargo test --test it completions`.

use std::path::Path;

use crate::testenv::TestEnv;

const SHELLS: &[(&str, &str)] = &[
    ("bash", "xocr.bash"),
    ("zsh", "_xocr"),
    ("fish", "xocr.fish"),
    ("powershell", "_xocr.ps1"),
    ("elvish", "xocr.elv"),
];

#[test]
fn committed_completions_match_the_cli() {
    let update = std::env::var_os("XOCR_UPDATE_COMPLETIONS").is_some();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let env = TestEnv::new();
    for (shell, file) in SHELLS {
        let out = env.bare().args(["completions", shell]).run().code(0);
        let script = String::from_utf8(out.stdout_bytes().to_vec()).unwrap();
        assert!(
            script.contains("scan"),
            "{shell} script lacks the scan command"
        );
        let path = dir.join(file);
        if update {
            std::fs::write(&path, &script).unwrap();
        } else {
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == script,
                "completions/{file} is out of date: run XOCR_UPDATE_COMPLETIONS=1 cargo test --test it completions"
            );
        }
    }
}
