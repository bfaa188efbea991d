//! A search query as people type it, and its FTS5 `MATCH` expression.
//!
//! Syntax: words (all must match), `"a phrase"`, `prefix*`, `-excluded` (a word or a phrase),
//! and filters `project:`, `branch:`, `model:`, `since:`, `until:` (a value may be quoted).
//! Every term reaches FTS5 as a quoted string, so nothing typed is ever read as FTS5 syntax
//! (`AND`, `NEAR`, `col:`, `^`, parentheses are plain words), and a query never fails to
//! parse: an unterminated quote runs to the end.

use serde::Serialize;

/// Most terms kept from one query.
pub const MAX_TERMS: usize = 16;
/// Most chars kept of one term.
pub const MAX_TERM_CHARS: usize = 256;

/// One term: words that must (or, excluded, must not) appear, in this order when a phrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Term {
    /// The text as typed (without quotes, `-` or `*`).
    pub text: String,
    /// Typed in quotes.
    pub phrase: bool,
    /// Ends in `*`: its last word is a prefix.
    pub prefix: bool,
    /// Starts with `-`: must not appear.
    pub exclude: bool,
}

/// A parsed query: its terms and filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SearchQuery {
    /// Words and phrases.
    pub terms: Vec<Term>,
    /// `project:` (a path, or part of one).
    pub project: Option<String>,
    /// `branch:` (exact; a trailing `*` for a prefix).
    pub branch: Option<String>,
    /// `model:` (part of the model name, any case).
    pub model: Option<String>,
    /// `since:`, ms since the Unix epoch.
    pub since_ms: Option<i64>,
    /// `until:`, ms since the Unix epoch (exclusive: the end of the day given).
    pub until_ms: Option<i64>,
}

/// Why a query cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Only excluded terms (FTS5 cannot list "everything but").
    #[error("the query has nothing to look for (only excluded words)")]
    NothingToFind,
    /// A date filter that is not a date.
    #[error("{0}")]
    BadDate(String),
}

impl SearchQuery {
    /// Parses what a person typed. `now_ms` is today, for relative dates (`3d`, `today`).
    ///
    /// Errors: [`QueryError::BadDate`] for a `since:`/`until:` that is no date.
    pub fn parse(input: &str, now_ms: i64) -> Result<SearchQuery, QueryError> {
        let mut q = SearchQuery::default();
        for (raw, quoted) in tokens(input) {
            let (exclude, body) = match raw.strip_prefix('-') {
                Some(rest) if !rest.is_empty() || quoted => (true, rest.to_owned()),
                _ => (false, raw.clone()),
            };
            if !quoted && !exclude {
                if let Some((key, value)) = body.split_once(':') {
                    let value = value.trim_matches('"').to_owned();
                    match key.to_ascii_lowercase().as_str() {
                        "project" if !value.is_empty() => {
                            q.project = Some(value);
                            continue;
                        }
                        "branch" if !value.is_empty() => {
                            q.branch = Some(value);
                            continue;
                        }
                        "model" if !value.is_empty() => {
                            q.model = Some(value);
                            continue;
                        }
                        "since" if !value.is_empty() => {
                            q.since_ms = Some(date_ms(&value, now_ms, false)?);
                            continue;
                        }
                        "until" if !value.is_empty() => {
                            q.until_ms = Some(date_ms(&value, now_ms, true)?);
                            continue;
                        }
                        _ => {}
                    }
                }
            }
            let (text, prefix) = match body.strip_suffix('*') {
                Some(t) => (t.to_owned(), true),
                None => (body, false),
            };
            let text: String = text
                .chars()
                .filter(|c| !c.is_control())
                .take(MAX_TERM_CHARS)
                .collect();
            // Only what the tokenizer keeps can match: a term without a letter or digit is none.
            if !text.chars().any(char::is_alphanumeric) {
                continue;
            }
            if q.terms.len() < MAX_TERMS {
                q.terms.push(Term {
                    text,
                    phrase: quoted,
                    prefix,
                    exclude,
                });
            }
        }
        Ok(q)
    }

    /// [`SearchQuery::parse`] with relative dates counted from now.
    ///
    /// Errors: as [`SearchQuery::parse`].
    pub fn parse_now(input: &str) -> Result<SearchQuery, QueryError> {
        let now = i64::try_from(crate::pool::now_ms()).unwrap_or(i64::MAX);
        SearchQuery::parse(input, now)
    }

    /// Whether there is text to look for (else only the filters apply).
    pub fn has_text(&self) -> bool {
        self.terms.iter().any(|t| !t.exclude)
    }

    /// The FTS5 `MATCH` expression of the lines to find: every positive term ANDed.
    ///
    /// Errors: [`QueryError::NothingToFind`] when no term is positive.
    pub fn fts_match(&self) -> Result<String, QueryError> {
        let positive: Vec<String> = self
            .terms
            .iter()
            .filter(|t| !t.exclude)
            .map(quote)
            .collect();
        if positive.is_empty() {
            return Err(QueryError::NothingToFind);
        }
        Ok(positive.join(" AND "))
    }

    /// The FTS5 `MATCH` expression of the lines that exclude a session (any excluded term);
    /// `None` when nothing is excluded. An excluded word drops every session that has it
    /// anywhere, not only the lines that have it.
    pub fn fts_excluded(&self) -> Option<String> {
        let excluded: Vec<String> = self.terms.iter().filter(|t| t.exclude).map(quote).collect();
        (!excluded.is_empty()).then(|| excluded.join(" OR "))
    }

    /// The words to mark in snippets, lowercased: each positive term's words.
    pub fn marked_words(&self) -> Vec<String> {
        let mut words: Vec<String> = self
            .terms
            .iter()
            .filter(|t| !t.exclude)
            .flat_map(|t| {
                t.text
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_lowercase)
                    .collect::<Vec<_>>()
            })
            .collect();
        words.sort();
        words.dedup();
        words
    }
}

/// Folds a char as the index's tokenizer does, near enough (`unicode61 remove_diacritics 2`):
/// lowercase, accents dropped from the common Latin letters.
pub fn fold(c: char) -> char {
    let c = c.to_lowercase().next().unwrap_or(c);
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        c => c,
    }
}

/// The tokenizer's words of `text`, folded: runs of letters and digits.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().map(fold).collect())
        .collect()
}

/// Matches lines outside the index (the streaming scan while the index is being built) as the
/// FTS5 expressions of [`SearchQuery::fts_match`] and [`SearchQuery::fts_excluded`] do: a term is
/// its words in a row within one column (the last a prefix for `pref*`); a line matches when
/// every positive term is in one of its columns.
#[derive(Debug, Clone)]
pub struct LineMatcher {
    positive: Vec<(Vec<String>, bool)>,
    excluded: Vec<(Vec<String>, bool)>,
}

impl SearchQuery {
    /// This query's [`LineMatcher`].
    pub fn line_matcher(&self) -> LineMatcher {
        let of = |exclude: bool| {
            self.terms
                .iter()
                .filter(|t| t.exclude == exclude)
                .map(|t| (words(&t.text), t.prefix))
                .filter(|(w, _)| !w.is_empty())
                .collect()
        };
        LineMatcher {
            positive: of(false),
            excluded: of(true),
        }
    }
}

impl LineMatcher {
    /// Whether a line with these columns (prompt, reply, tool input, tool output) matches every
    /// positive term (false when there is none).
    pub fn matches(&self, columns: &[&str]) -> bool {
        !self.positive.is_empty() && self.all_in(&self.positive, columns)
    }

    /// Whether a line with these columns has any excluded term (its session is dropped).
    pub fn excludes(&self, columns: &[&str]) -> bool {
        if self.excluded.is_empty() {
            return false;
        }
        let cols: Vec<Vec<String>> = columns.iter().map(|c| words(c)).collect();
        self.excluded.iter().any(|t| cols.iter().any(|c| has(c, t)))
    }

    fn all_in(&self, terms: &[(Vec<String>, bool)], columns: &[&str]) -> bool {
        // A cheap test first, for ASCII text (where folding is lowercasing): every term's first
        // word must be somewhere in it.
        if columns.iter().all(|c| c.is_ascii()) {
            let lower: Vec<String> = columns.iter().map(|c| c.to_ascii_lowercase()).collect();
            if terms
                .iter()
                .any(|(t, _)| !lower.iter().any(|c| c.contains(t[0].as_str())))
            {
                return false;
            }
        }
        let cols: Vec<Vec<String>> = columns.iter().map(|c| words(c)).collect();
        terms.iter().all(|t| cols.iter().any(|c| has(c, t)))
    }
}

/// Whether `words` holds the term's words in a row (the last a prefix when `prefix`).
fn has(words: &[String], (term, prefix): &(Vec<String>, bool)) -> bool {
    let n = term.len();
    if n == 0 || words.len() < n {
        return false;
    }
    (0..=words.len() - n).any(|i| {
        (0..n).all(|j| {
            let w = &words[i + j];
            if j == n - 1 && *prefix {
                w.starts_with(term[j].as_str())
            } else {
                *w == term[j]
            }
        })
    })
}

/// A term as an FTS5 string (`"` doubled inside), with `*` for a prefix.
fn quote(t: &Term) -> String {
    let mut s = format!("\"{}\"", t.text.replace('"', "\"\""));
    if t.prefix {
        s.push('*');
    }
    s
}

/// Splits on whitespace outside quotes; returns each token and whether it was quoted. A `-`
/// right before a quote belongs to the quoted token (`-"a b"`).
fn tokens(input: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut tok = String::new();
        let mut quoted = false;
        if c == '-' {
            tok.push('-');
            chars.next();
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            quoted = true;
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                tok.push(c);
            }
            // A `*` right after the closing quote makes the phrase's last word a prefix.
            if chars.peek() == Some(&'*') {
                chars.next();
                tok.push('*');
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                if c == '"' && tok.contains(':') {
                    // `key:"quoted value"`
                    chars.next();
                    for c in chars.by_ref() {
                        if c == '"' {
                            break;
                        }
                        tok.push(c);
                    }
                    continue;
                }
                tok.push(c);
                chars.next();
            }
        }
        out.push((tok, quoted));
    }
    out
}

/// A date filter's value in ms: `YYYY-MM-DD` (UTC day; `until` takes its end), an RFC 3339
/// time, `Nh`/`Nd`/`Nw` ago, `today`, `yesterday`.
fn date_ms(value: &str, now_ms: i64, end_of_day: bool) -> Result<i64, QueryError> {
    const DAY: i64 = 86_400_000;
    let v = value.to_ascii_lowercase();
    let day_start = now_ms - now_ms.rem_euclid(DAY);
    let rel = |n: &str, unit: i64| n.parse::<i64>().ok().map(|n| now_ms - n * unit);
    let ms = match v.as_str() {
        "today" => Some(day_start + if end_of_day { DAY } else { 0 }),
        "yesterday" => Some(day_start - DAY + if end_of_day { DAY } else { 0 }),
        _ if v.ends_with('h') => rel(&v[..v.len() - 1], 3_600_000),
        _ if v.ends_with('d') => rel(&v[..v.len() - 1], DAY),
        _ if v.ends_with('w') => rel(&v[..v.len() - 1], 7 * DAY),
        _ => chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp_millis() + if end_of_day { DAY } else { 0 })
            .or_else(|| {
                chrono::DateTime::parse_from_rfc3339(value)
                    .ok()
                    .map(|d| d.timestamp_millis())
            }),
    };
    ms.ok_or_else(|| {
        QueryError::BadDate(format!(
            "{value:?} is not a date (YYYY-MM-DD, an RFC 3339 time, 3h, 2d, 1w, today, yesterday)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> SearchQuery {
        SearchQuery::parse(s, 1_767_225_600_000).unwrap() // 2026-01-01T00:00:00Z
    }

    #[test]
    fn words_phrases_prefixes_excludes_and_filters() {
        let q = parse(
            r#"index "session list" pars* -draft -"old code" project:/w/app branch:main model:opus since:2025-12-30 until:2025-12-31"#,
        );
        assert_eq!(
            q.fts_match().unwrap(),
            r#""index" AND "session list" AND "pars"*"#
        );
        assert_eq!(q.fts_excluded().unwrap(), r#""draft" OR "old code""#);
        assert_eq!(q.project.as_deref(), Some("/w/app"));
        assert_eq!(q.branch.as_deref(), Some("main"));
        assert_eq!(q.model.as_deref(), Some("opus"));
        assert_eq!(q.since_ms, Some(1_767_052_800_000));
        assert_eq!(q.until_ms, Some(1_767_225_600_000));
        assert_eq!(q.marked_words(), vec!["index", "list", "pars", "session"]);
    }

    #[test]
    fn fts5_syntax_typed_is_plain_text() {
        let q = parse(r#"NEAR(a b) col:x ^start a"b AND OR"#);
        let m = q.fts_match().unwrap();
        // A quote inside a word is part of it (doubled for FTS5); AND and OR are words.
        assert_eq!(
            m,
            r#""NEAR(a" AND "b)" AND "col:x" AND "^start" AND "a""b" AND "AND" AND "OR""#
        );
        // An unterminated quote runs to the end; only punctuation is dropped.
        let q = parse(r#"-- *** "" "unterminated phrase"#);
        assert_eq!(q.fts_match().unwrap(), r#""unterminated phrase""#);
        assert_eq!(
            parse("-only -excluded").fts_match(),
            Err(QueryError::NothingToFind)
        );
        assert!(SearchQuery::parse("since:someday", 0).is_err());
    }

    #[test]
    fn relative_dates() {
        let q = parse("x since:2d until:today");
        assert_eq!(q.since_ms, Some(1_767_225_600_000 - 2 * 86_400_000));
        assert_eq!(q.until_ms, Some(1_767_225_600_000 + 86_400_000));
    }
    #[test]
    fn the_line_matcher_reads_terms_as_the_index_does() {
        let q = SearchQuery::parse(r#"parse_session "naïve café" inde* -draft"#, 0).unwrap();
        let m = q.line_matcher();
        // Words in a row within one column, accents and case folded, a prefix, any column.
        assert!(m.matches(&["fix Parse-Session now", "a NAIVE cafe", "", "indexes"]));
        assert!(m.matches(&["fix parse_session", "", "Naïve Café", "indexes"]));
        // The phrase split across columns is no match; nor is a missing term.
        assert!(!m.matches(&["parse session", "naive", "cafe", "index"]));
        assert!(!m.matches(&["parse session naive cafe", "", "", ""]));
        // "parse_session" is a phrase of its parts: not "parse the session".
        assert!(!m.matches(&["parse the session", "naive cafe index", "", ""]));
        assert!(m.excludes(&["", "", "", "a Draft"]));
        assert!(!m.excludes(&["drafts", "", "", ""]));
        let only_excluded = SearchQuery::parse("-x", 0).unwrap().line_matcher();
        assert!(!only_excluded.matches(&["x", "", "", ""]));
    }
}
