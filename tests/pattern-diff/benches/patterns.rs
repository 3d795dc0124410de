//! Generated matchers vs `regex::Regex::is_match` vs `regress` on the two most used
//! Atlas patterns, on a valid and an invalid input each.

use std::hint::black_box;

use atlas_pattern_diff::{bench_hex24, bench_name};
use criterion::{criterion_group, criterion_main, Criterion};

type Matcher = fn(&str) -> bool;
/// (input kind, input)
type Inputs = [(&'static str, &'static str); 2];

const CASES: [(&str, &str, Matcher, Inputs); 2] = [
    (
        "hex24",
        "^([a-f0-9]{24})$",
        bench_hex24,
        [
            ("valid", "5f2a9c0e8b7d4e3f1a2b3c4d"),
            ("invalid", "5f2a9c0e8b7d4e3f1a2b3c4G"),
        ],
    ),
    (
        "name",
        "^[a-zA-Z0-9][a-zA-Z0-9-]*$",
        bench_name,
        [
            ("valid", "my-cluster-Name-01"),
            ("invalid", "my-cluster_Name-01"),
        ],
    ),
];

fn patterns(c: &mut Criterion) {
    for (name, pattern, generated, inputs) in CASES {
        let re = regex::Regex::new(pattern).expect("valid regex");
        let rs = regress::Regex::new(pattern).expect("valid regress");
        for (kind, input) in inputs {
            assert_eq!(generated(input), kind == "valid");
            assert_eq!(re.is_match(input), kind == "valid");
            assert_eq!(rs.find(input).is_some(), kind == "valid");
            let mut group = c.benchmark_group(format!("{name}/{kind}"));
            group.bench_function("generated", |b| b.iter(|| generated(black_box(input))));
            group.bench_function("regex", |b| b.iter(|| re.is_match(black_box(input))));
            group.bench_function("regress", |b| {
                b.iter(|| rs.find(black_box(input)).is_some())
            });
            group.finish();
        }
    }
}

criterion_group!(benches, patterns);
criterion_main!(benches);
