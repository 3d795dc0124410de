//! The generated matchers (compiled Rust, see `build.rs`) agree with `regress`.

use atlas_pattern_diff::{corpus::corpus, oracle_flags, Case, HANDWRITTEN, NEEDS_SPECS, UPSTREAM};

/// Inputs per pattern; keeps a debug run well under the time budget.
const CASES: usize = 3_000;
/// Inputs always checked per pattern.
const MIN_CASES: usize = 500;
/// Time after which a pattern's remaining inputs are skipped (past `MIN_CASES`).
const BUDGET: std::time::Duration = std::time::Duration::from_secs(2);

/// `regress`'s answer, from its PikeVM backend: same parser and compiler as its default
/// backtracking executor, but no exponential blow-up on nested quantifiers such as
/// `([a-z0-9\.]+)+\.` in the Atlas spec.
fn regress_matches(re: &regress::Regex, input: &str) -> bool {
    regress::backends::find::<regress::backends::PikeVMExecutor>(re, input, 0)
        .next()
        .is_some()
}

/// Patterns with nested unbounded repetition (`([a-z0-9\.]+)+` in the Atlas spec) make
/// both `regress` executors take exponential time on failing inputs. For those, when the
/// pattern uses nothing whose meaning differs between ECMA-262 and the `regex` crate
/// (`\d \w \s \b` and their negations, `.`), `regex` is the oracle instead.
fn regex_oracle(pattern: &str) -> Option<regex::Regex> {
    fn nested(h: &regex_syntax::hir::Hir, inside: bool) -> bool {
        use regex_syntax::hir::HirKind;
        match h.kind() {
            HirKind::Repetition(r) => {
                let unbounded = r.max.is_none();
                (unbounded && inside) || nested(&r.sub, inside || unbounded)
            }
            HirKind::Capture(c) => nested(&c.sub, inside),
            HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(|h| nested(h, inside)),
            _ => false,
        }
    }
    let hir = regex_syntax::parse(pattern).ok()?;
    if !nested(&hir, false) {
        return None;
    }
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '.' => return None,
            '\\' if matches!(
                chars.next(),
                Some('d' | 'D' | 'w' | 'W' | 's' | 'S' | 'b' | 'B')
            ) =>
            {
                return None
            }
            _ => {}
        }
    }
    regex::Regex::new(pattern).ok()
}

/// Compares every enforced case with `regress`; returns a summary line.
fn check(cases: &[Case]) -> String {
    let mut failures = Vec::new();
    let (mut compared, mut not_enforced, mut rejected) = (0, 0, 0);
    for (i, case) in cases.iter().enumerate() {
        let Ok(oracle) = regress::Regex::with_flags(case.pattern, oracle_flags(case.pattern))
        else {
            rejected += 1;
            continue;
        };
        let Some(matcher) = case.matcher else {
            not_enforced += 1;
            continue;
        };
        compared += 1;
        let fallback = regex_oracle(case.pattern);
        if fallback.is_some() {
            println!(
                "{:?}: nested repetition, `regex` is the oracle",
                case.pattern
            );
        }
        let started = std::time::Instant::now();
        for (n, input) in corpus(case.pattern, 0x5EED + i as u64, CASES)
            .iter()
            .enumerate()
        {
            // `regress` backtracks: a few patterns cost it O(n^3) per input in a debug
            // build. Past a floor of inputs, stop at a time budget.
            if n >= MIN_CASES && started.elapsed() > BUDGET {
                println!("{:?}: time budget reached after {n} inputs", case.pattern);
                break;
            }
            let want = match &fallback {
                Some(re) => re.is_match(input),
                None => regress_matches(&oracle, input),
            };
            if matcher(input) != want {
                failures.push(format!(
                    "{:?} ({}) on {input:?}: generated {}, regress {want}",
                    case.pattern, case.plan, !want
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements, first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    format!(
        "{compared} patterns agree on up to {CASES} inputs each; {not_enforced} valid but not \
         enforced (plan `invalid`); {rejected} rejected by regress"
    )
}

#[test]
fn handwritten_patterns_agree_with_regress() {
    println!("{}", check(HANDWRITTEN));
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn atlas_patterns_agree_with_regress() {
    let Some(cases) = UPSTREAM else {
        panic!("{NEEDS_SPECS}: set it when building, e.g. ATLAS_SPECS_DIR=../shared/specs/atlas");
    };
    assert!(!cases.is_empty(), "no patterns found in the Atlas spec");
    for case in cases {
        println!("{:8} {}", case.plan, case.pattern);
    }
    println!("{}", check(cases));
}

/// Class-run patterns whose generated code tests bytes 16, 8 or 4 at a time: (pattern,
/// valid prefix, filler accepted by the repeated class).
const SUBSTITUTION: &[(&str, &str, char)] = &[
    ("^([a-f0-9]{24})$", "", 'a'),
    ("^[a-zA-Z0-9][a-zA-Z0-9-]*$", "a", '-'),
    ("^[a-z-0-9]+$", "", 'z'),
    ("^\\w*$", "", '_'),
    ("^x[a-c]{2,}$", "x", 'b'),
    ("^([a-f0-9]{8,32})$", "", '0'),
    ("^[a-fA-F0-9]{64}$", "", 'F'),
    ("^[@-Z`-z]{9}$", "", '@'),
    ("^[\\x00-\\x2f\\x7f]{17}$", "", '\u{7f}'),
    ("^[Zz0]{33}$", "", 'Z'),
    ("^mdb_sa_id_[a-fA-F\\d]{24}$", "mdb_sa_id_", 'e'),
];

/// Every length up to 50 (up to three 16-byte chunks besides the first and last) and, at every position, every ASCII byte and two non-ASCII
/// characters: chunk boundaries and overlaps agree with `regress`.
#[test]
fn byte_substitutions_agree_with_regress() {
    let mut failures = Vec::new();
    for &(pattern, prefix, fill) in SUBSTITUTION {
        let case = HANDWRITTEN
            .iter()
            .find(|c| c.pattern == pattern)
            .unwrap_or_else(|| panic!("{pattern:?} is not in HANDWRITTEN"));
        assert_eq!(case.plan, "code", "{pattern:?}");
        let matcher = case.matcher.expect("code plans are enforced");
        let oracle = regress::Regex::new(pattern).expect("valid pattern");
        let substitutes = (0u8..0x80).map(char::from).chain(['é', '\u{80}']);
        for len in prefix.len()..=50 {
            let base: Vec<char> = prefix
                .chars()
                .chain(std::iter::repeat(fill))
                .take(len)
                .collect();
            for pos in 0..=len {
                for c in substitutes.clone() {
                    let mut chars = base.clone();
                    if pos < len {
                        chars[pos] = c;
                    } else if c != 'a' {
                        continue;
                    }
                    let input: String = chars.into_iter().collect();
                    let want = regress_matches(&oracle, &input);
                    if matcher(&input) != want {
                        failures.push(format!("{pattern:?} on {input:?}: regress {want}"));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements, first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}
