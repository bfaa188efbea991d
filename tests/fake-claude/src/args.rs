//! Command-line parsing, lenient like the real CLI's commander setup: `--flag=value` and
//! `--flag value` both work, unknown flags are skipped.

/// What this fake cares about from its command line.
#[derive(Debug, Default)]
pub struct Args {
    pub version: bool,
    pub include_partial: bool,
    pub resume: Option<String>,
    pub fork: bool,
    pub continue_last: bool,
    pub session_id: Option<String>,
    pub model: Option<String>,
    pub permission_mode: Option<String>,
    pub permission_prompt_tool: Option<String>,
    pub no_persistence: bool,
    /// First positional argument (`claude -p "prompt"`).
    pub prompt: Option<String>,
}

/// Known flags that take exactly one value.
const VALUE_FLAGS: &[&str] = &[
    "--output-format",
    "--input-format",
    "--model",
    "--permission-mode",
    "--permission-prompt-tool",
    "--max-turns",
    "--max-budget-usd",
    "--system-prompt",
    "--system-prompt-file",
    "--append-system-prompt",
    "--append-system-prompt-file",
    "--settings",
    "--setting-sources",
    "--fallback-model",
    "--agents",
    "--agent",
    "--effort",
    "--json-schema",
    "--max-thinking-tokens",
    "--session-id",
    "--resume-session-at",
];

/// Known flags that take one or more values (`--allowedTools Bash Write`).
const MULTI_FLAGS: &[&str] = &[
    "--allowedTools",
    "--allowed-tools",
    "--disallowedTools",
    "--disallowed-tools",
    "--tools",
    "--add-dir",
    "--mcp-config",
    "--betas",
    "--plugin-dir",
];

/// Known flags without a value.
const BOOL_FLAGS: &[&str] = &[
    "-p",
    "--print",
    "--verbose",
    "--include-partial-messages",
    "--fork-session",
    "-c",
    "--continue",
    "--dangerously-skip-permissions",
    "--allow-dangerously-skip-permissions",
    "--strict-mcp-config",
    "--replay-user-messages",
    "--no-session-persistence",
    "--debug",
    "-d",
    "--ide",
    "-v",
    "--version",
    "-h",
    "--help",
];

fn is_flag(s: &str) -> bool {
    s.starts_with('-') && s.len() > 1
}

/// The argument at `*i` as a flag's value (advancing `*i`), unless missing, or a flag while
/// the value is `optional`.
fn take_next(argv: &[String], i: &mut usize, optional: bool) -> Option<String> {
    match argv.get(*i) {
        Some(next) if !(optional && is_flag(next)) => {
            *i += 1;
            Some(next.clone())
        }
        _ => None,
    }
}

/// Parses the arguments after the program name.
pub fn parse<I: IntoIterator<Item = String>>(argv: I) -> Args {
    let argv: Vec<String> = argv.into_iter().collect();
    let mut a = Args::default();
    let mut i = 0;
    let mut only_positional = false;
    while i < argv.len() {
        let arg = argv[i].as_str();
        i += 1;
        if only_positional || !is_flag(arg) {
            if a.prompt.is_none() {
                a.prompt = Some(arg.to_owned());
            }
            continue;
        }
        if arg == "--" {
            only_positional = true;
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_owned())),
            _ => (arg, None),
        };
        let take_value = |optional: bool, i: &mut usize| -> Option<String> {
            if inline.is_some() {
                return inline.clone();
            }
            take_next(&argv, i, optional)
        };
        match name {
            "--resume" | "-r" => a.resume = take_value(true, &mut i).filter(|v| !v.is_empty()),
            "--session-id" => a.session_id = take_value(false, &mut i),
            "--model" => a.model = take_value(false, &mut i),
            "--permission-mode" => a.permission_mode = take_value(false, &mut i),
            "--permission-prompt-tool" => a.permission_prompt_tool = take_value(false, &mut i),
            "--include-partial-messages" => a.include_partial = true,
            "--fork-session" => a.fork = true,
            "--continue" | "-c" => a.continue_last = true,
            "--no-session-persistence" => a.no_persistence = true,
            "--version" | "-v" => a.version = true,
            n if VALUE_FLAGS.contains(&n) => {
                take_value(false, &mut i);
            }
            n if MULTI_FLAGS.contains(&n) && inline.is_none() => {
                while argv.get(i).is_some_and(|s| !is_flag(s)) {
                    i += 1;
                }
            }
            n if MULTI_FLAGS.contains(&n) || BOOL_FLAGS.contains(&n) => {}
            // Unknown long flag: its value is the next argument when that is not a flag.
            n if n.starts_with("--") => {
                take_value(true, &mut i);
            }
            _ => {}
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Args {
        parse(s.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn both_forms() {
        let a = p("--output-format stream-json --verbose --input-format=stream-json --resume=abc --fork-session --model m1 --permission-mode=plan --include-partial-messages");
        assert_eq!(a.resume.as_deref(), Some("abc"));
        assert!(a.fork && a.include_partial);
        assert_eq!(a.model.as_deref(), Some("m1"));
        assert_eq!(a.permission_mode.as_deref(), Some("plan"));
        assert!(a.prompt.is_none());
        let a = p("--resume abc --session-id=x --permission-prompt-tool stdio -p");
        assert_eq!(a.resume.as_deref(), Some("abc"));
        assert_eq!(a.session_id.as_deref(), Some("x"));
        assert_eq!(a.permission_prompt_tool.as_deref(), Some("stdio"));
    }

    #[test]
    fn unknown_and_multi_flags() {
        let a = p("--allowedTools Bash Write --frobnicate yes --weird --max-turns 3 -p hello");
        assert_eq!(a.prompt.as_deref(), Some("hello"));
        let a = p("--resume --verbose");
        assert!(a.resume.is_none());
        assert!(p("--version").version);
    }
}
