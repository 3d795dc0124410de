//! The generated matchers (compiled Rust, see `build.rs`) agree with `regress`.

use atlas_pattern_diff::{corpus::corpus, oracle_flags, Case, HANDWRITTEN, NEEDS_SPECS, UPSTREAM};

/// Inputs per pattern; keeps a debug run well under the time budget.
const CASES: usize = 3_000;

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
        eprintln!("checking {:?}", case.pattern);
        let started = std::time::Instant::now();
        for input in corpus(case.pattern, 0x5EED + i as u64, CASES) {
            let want = oracle.find(&input).is_some();
            if matcher(&input) != want {
                failures.push(format!(
                    "{:?} ({}) on {input:?}: generated {}, regress {want}",
                    case.pattern,
                    case.plan,
                    !want
                ));
            }
        }
        let took = started.elapsed();
        if took.as_millis() > 500 {
            eprintln!("slow: {:?} took {took:?}", case.pattern);
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements, first ones:\n{}",
        failures.len(),
        failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
    format!(
        "{compared} patterns agree on {CASES} inputs each; {not_enforced} valid but not \
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
