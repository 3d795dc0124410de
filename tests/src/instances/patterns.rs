//! Strings that match a schema's `pattern`, drawn from the regex itself.

/// How pattern samples are drawn: the fewest repetitions or at least one,
/// and the first or the last branch of each alternation.
#[derive(Clone, Copy)]
struct Draw {
    at_least_one: bool,
    last_branch: bool,
}

fn class_char(ranges: &[(char, char)]) -> Option<char> {
    let prefer = ['a', 'b', '0', '1', 'A', 'B', '_', '-', '.'];
    prefer
        .iter()
        .copied()
        .find(|c| ranges.iter().any(|(lo, hi)| lo <= c && c <= hi))
        .or_else(|| {
            // A printable character if the class has one.
            ranges.iter().find_map(|(lo, hi)| {
                (u32::from(*lo)..=u32::from(*hi).min(u32::from(*lo) + 200))
                    .filter_map(char::from_u32)
                    .find(|c| !c.is_control() && !c.is_whitespace())
            })
        })
        .or_else(|| ranges.first().map(|(lo, _)| *lo))
}

fn sample_hir(hir: &regex_syntax::hir::Hir, draw: Draw, out: &mut String) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(lit) => match std::str::from_utf8(&lit.0) {
            Ok(text) => {
                out.push_str(text);
                true
            }
            Err(_) => false,
        },
        HirKind::Class(Class::Unicode(class)) => {
            let ranges: Vec<(char, char)> = class
                .ranges()
                .iter()
                .map(|r| (r.start(), r.end()))
                .collect();
            match class_char(&ranges) {
                Some(c) => {
                    out.push(c);
                    true
                }
                None => false,
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            let ranges: Vec<(char, char)> = class
                .ranges()
                .iter()
                .filter(|r| r.start().is_ascii())
                .map(|r| (char::from(r.start()), char::from(r.end().min(0x7f))))
                .collect();
            match class_char(&ranges) {
                Some(c) => {
                    out.push(c);
                    true
                }
                None => false,
            }
        }
        HirKind::Repetition(rep) => {
            let mut n = rep.min;
            if draw.at_least_one {
                n = n.max(1);
            }
            if let Some(max) = rep.max {
                n = n.min(max);
            }
            (0..n).all(|_| sample_hir(&rep.sub, draw, out))
        }
        HirKind::Capture(cap) => sample_hir(&cap.sub, draw, out),
        HirKind::Concat(parts) => parts.iter().all(|p| sample_hir(p, draw, out)),
        HirKind::Alternation(branches) => {
            let branch = if draw.last_branch {
                branches.last()
            } else {
                branches.first()
            };
            branch.is_some_and(|b| sample_hir(b, draw, out))
        }
    }
}

/// Strings that may match `pattern` (ECMA 262), shortest first; each must
/// still be checked against the pattern.
pub fn pattern_samples(pattern: &str) -> Vec<String> {
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .unicode(true)
        .utf8(true)
        .build()
        .parse(pattern)
    else {
        return Vec::new();
    };
    let mut samples = Vec::new();
    for at_least_one in [false, true] {
        for last_branch in [false, true] {
            let mut out = String::new();
            if sample_hir(
                &hir,
                Draw {
                    at_least_one,
                    last_branch,
                },
                &mut out,
            ) && !samples.contains(&out)
            {
                samples.push(out);
            }
        }
    }
    samples
}

/// Common shapes tried for patterns the sampler cannot read (look-arounds):
/// addresses, ids and versions.
pub(super) const COMMON_SAMPLES: &[&str] = &[
    "192.168.0.1",
    "192.168.0.0/24",
    "10.0.0.1/32",
    "32b6e34b3d91647abb20e7b8",
    "8.0.1",
    "Cluster0",
];
