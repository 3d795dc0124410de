use super::*;

fn code(p: &str) -> Matcher {
    match plan(p) {
        PatternPlan::Code(m) => m,
        other => panic!("{p}: expected Code, got {other:?}"),
    }
}

/// Reference interpreter of the IR, for checking planning decisions only (the
/// differential tests run the emitted code).
fn run(m: &Matcher, s: &str) -> bool {
    match m {
        Matcher::Always => true,
        Matcher::Steps(st) => {
            let mut b = s.as_bytes();
            for step in &st.steps {
                match step {
                    Step::Literal(l) => match b.strip_prefix(l.as_slice()) {
                        Some(rest) => b = rest,
                        None => return false,
                    },
                    Step::Class { set, min, max } => {
                        let max = max.map_or(usize::MAX, |m| m as usize);
                        let n = b
                            .iter()
                            .take(max)
                            .take_while(|&&c| set.iter().any(|&(lo, hi)| lo <= c && c <= hi))
                            .count();
                        if n < *min as usize {
                            return false;
                        }
                        b = &b[n..];
                    }
                }
            }
            !st.end_anchored || b.is_empty()
        }
        Matcher::Dfa(d) => {
            let mut state = 0;
            for c in s.chars() {
                let st = &d.states[state];
                let t = st
                    .arms
                    .iter()
                    .find(|(r, _)| r.iter().any(|&(lo, hi)| lo <= c && c <= hi))
                    .map_or(st.otherwise, |(_, t)| *t);
                match t {
                    Target::Reject => return false,
                    Target::Accept => return true,
                    Target::State(n) => state = n,
                }
            }
            d.states[state].accept_at_end
        }
    }
}

fn oracle(p: &str, s: &str) -> bool {
    let flags = if p.contains("\\p{") { "u" } else { "" };
    regress::Regex::with_flags(p, flags)
        .expect("oracle compiles")
        .find(s)
        .is_some()
}

fn agree(p: &str, inputs: &[&str]) {
    let m = code(p);
    for s in inputs {
        assert_eq!(run(&m, s), oracle(p, s), "pattern {p:?} input {s:?}");
    }
}

#[test]
fn hex_id_is_a_single_fixed_step() {
    assert_eq!(
        code("^([a-f0-9]{24})$"),
        Matcher::Steps(Steps {
            steps: vec![Step::Class {
                set: vec![(b'0', b'9'), (b'a', b'f')],
                min: 24,
                max: Some(24)
            }],
            end_anchored: true,
        })
    );
}

#[test]
fn name_pattern_is_two_steps() {
    assert_eq!(
        code("^[a-zA-Z0-9][a-zA-Z0-9-]*$"),
        Matcher::Steps(Steps {
            steps: vec![
                Step::Class {
                    set: vec![(b'0', b'9'), (b'A', b'Z'), (b'a', b'z')],
                    min: 1,
                    max: Some(1)
                },
                Step::Class {
                    set: vec![(b'-', b'-'), (b'0', b'9'), (b'A', b'Z'), (b'a', b'z')],
                    min: 0,
                    max: None
                },
            ],
            end_anchored: true,
        })
    );
}

#[test]
fn literal_prefixes_merge() {
    let Matcher::Steps(s) = code("^mdb_sa_id_[a-fA-F\\d]{24}$") else {
        panic!("steps expected")
    };
    assert_eq!(s.steps[0], Step::Literal(b"mdb_sa_id_".to_vec()));
}

#[test]
fn overlapping_repetition_falls_back_to_dfa() {
    assert!(matches!(
        code("^[a-z][0-9a-z-]{4,28}[0-9a-z]{1}"),
        Matcher::Dfa(_)
    ));
    assert!(matches!(code("^a*a$"), Matcher::Dfa(_)));
}

#[test]
fn unanchored_patterns_search() {
    let m = code("[0-9a-f]+");
    assert!(matches!(m, Matcher::Dfa(ref d) if d.bytes));
    assert!(run(&m, "xx0"));
    assert!(!run(&m, "xyz"));
    agree(
        "([\\d]+\\.[\\d]+\\.[\\d]+)",
        &["1.2.3", "v1.2.3-x", "1.2", "", "1..2.3"],
    );
}

#[test]
fn unicode_properties_use_chars() {
    let m = code("^[\\p{L}\\p{N}\\-_.,' ]*$");
    assert!(matches!(m, Matcher::Dfa(ref d) if !d.bytes));
    agree(
        "^[\\p{L}\\p{N}\\-_.,' ]*$",
        &["José Ñoño", "a/b", "", "١٢٣", "p{L}", "x\n"],
    );
}

#[test]
fn ecma_classes_and_dot() {
    agree(
        "^\\s$",
        &[" ", "\u{a0}", "\u{feff}", "\u{2028}", "\u{85}", "x"],
    );
    agree("^\\d$", &["1", "١", "x"]);
    agree("^\\w+$", &["abc_1", "é", ""]);
    agree("^.$", &["a", "\n", "\r", "\u{2028}", "\u{2029}", "é", "😀"]);
    agree("^a$", &["a", "a\n", "\na"]);
    agree("[^,]", &["", ",", ",,é"]);
}

#[test]
fn annex_b_literals() {
    agree("^a{$", &["a{", "a"]);
    agree("^\\{x\\}$", &["{x}", "x"]);
    agree("^[a-z-0-9]+$", &["a-1", "_"]);
    agree("^[\\d-z]+$", &["1-z", "a"]);
    agree("^\\c$", &["\\c", "c"]);
    agree("^[\\b]$", &["\u{8}", "b"]);
    agree("^\\u00e9\\x41$", &["éA", "u00e9x41"]);
    agree("^]$", &["]"]);
    agree("^\\p$", &["p"]);
}

#[test]
fn mixed_anchors() {
    agree("^ab|cd$", &["abx", "xcd", "xabx", "cdx", ""]);
    agree("^$", &["", "a"]);
    agree("a|^$", &["", "b", "ba"]);
    agree("x^", &["x", ""]);
}

#[test]
fn always_matching() {
    assert_eq!(code(""), Matcher::Always);
    assert_eq!(code("a*"), Matcher::Always);
    assert_eq!(code("^"), Matcher::Always);
}

#[test]
fn ecma_only_features_go_to_regress() {
    let ip =
        "^((25[0-5]|(2[0-4]|1\\d|[1-9]|)\\d)(\\.(?!$)|$)){4}|([0-9a-f]{1,4}:){7}[0-9a-f]{1,4}$";
    assert_eq!(plan(ip), PatternPlan::Regress(ip.to_owned()));
    assert_eq!(plan("(a)\\1"), PatternPlan::Regress("(a)\\1".to_owned()));
    assert_eq!(plan("(?<=a)b").engine(), Some(Engine::Regress));
}

#[test]
fn word_boundary_goes_to_regex() {
    let p = plan("\\bfoo\\b");
    assert_eq!(p.engine(), Some(Engine::Regex));
    let PatternPlan::Regex(src) = p else {
        unreachable!()
    };
    let re = regex::Regex::new(&src).expect("valid");
    assert!(re.is_match("a foo."));
    assert!(!re.is_match("afoo"));
}

#[test]
fn not_regexes_are_invalid() {
    for p in [
        "/exported_snapshots/\\{ORG-NAME\\}/\\{PROJECT-NAME\\}",
        "^(?:[1-9]\\\\d{3})$",
        "(?:\\\\+?1\\\\s*)",
        "[a-",
        "a{2,1}",
        "*a",
        "(?<n>a)(?<n>b)",
        "(a",
        "a)",
    ] {
        assert!(
            matches!(plan(p), PatternPlan::Invalid { .. }),
            "{p}: {:?}",
            plan(p)
        );
    }
}

#[test]
fn engine_is_none_for_code() {
    assert_eq!(plan("^[0-9]{12}$").engine(), None);
}
