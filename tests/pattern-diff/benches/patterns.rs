//! Generated matchers vs `regex::Regex::is_match` vs `regress` on the two most used
//! Atlas patterns, on valid and invalid inputs.
//!
//! Each generated matcher is called directly (static dispatch), as generated validators
//! call the matcher code they contain; the input goes through `black_box`, so nothing
//! is known about it at compile time.

use std::hint::black_box;

use atlas_pattern_diff::{bench_hex24, bench_name};
use criterion::{criterion_group, criterion_main, Criterion};

/// (input kind, input, whether it matches)
type Inputs = &'static [(&'static str, &'static str, bool)];

/// A 24-hex-digit object id, the same id with a bad last character (same length), and
/// the id one character short.
const HEX24_INPUTS: Inputs = &[
    ("valid", "5f2a9c0e8b7d4e3f1a2b3c4d", true),
    ("invalid", "5f2a9c0e8b7d4e3f1a2b3c4G", false),
    ("invalid-length", "5f2a9c0e8b7d4e3f1a2b3c4", false),
];

/// Cluster names: an 18-character one and the same with `_` in the middle, a typical
/// short one and the same with `_`.
const NAME_INPUTS: Inputs = &[
    ("valid", "my-cluster-Name-01", true),
    ("invalid", "my-cluster_Name-01", false),
    ("valid-short", "Cluster0-prod", true),
    ("invalid-short", "Cluster0_prod", false),
];

fn bench_pattern(
    c: &mut Criterion,
    name: &str,
    pattern: &str,
    generated: impl Fn(&str) -> bool,
    inputs: Inputs,
) {
    let re = regex::Regex::new(pattern).expect("valid regex");
    let rs = regress::Regex::new(pattern).expect("valid regress");
    for &(kind, input, valid) in inputs {
        assert_eq!(generated(input), valid, "{name} {input:?}");
        assert_eq!(re.is_match(input), valid, "{name} {input:?}");
        assert_eq!(rs.find(input).is_some(), valid, "{name} {input:?}");
        let mut group = c.benchmark_group(format!("{name}/{kind}"));
        group.bench_function("generated", |b| b.iter(|| generated(black_box(input))));
        group.bench_function("regex", |b| b.iter(|| re.is_match(black_box(input))));
        group.bench_function("regress", |b| {
            b.iter(|| rs.find(black_box(input)).is_some())
        });
        group.finish();
    }
}

fn patterns(c: &mut Criterion) {
    bench_pattern(c, "hex24", "^([a-f0-9]{24})$", bench_hex24, HEX24_INPUTS);
    bench_pattern(
        c,
        "name",
        "^[a-zA-Z0-9][a-zA-Z0-9-]*$",
        bench_name,
        NAME_INPUTS,
    );
}

criterion_group!(benches, patterns);
criterion_main!(benches);
