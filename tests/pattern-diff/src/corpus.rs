//! Deterministic inputs biased toward a pattern: random strings the pattern (roughly)
//! describes, their mutations, and fixed edge cases.

use regex_syntax::hir::{Class, Hir, HirKind};

/// SplitMix64: small, seeded, deterministic.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator with a fixed seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// A random element of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Characters every corpus gets: separators, whitespace of all kinds, non-ASCII.
const EXTRAS: &[char] = &[
    '\n', '\r', '\t', ' ', '\u{a0}', '\u{2028}', '\u{feff}', 'é', 'Ж', '١', '😀', '0', '9', 'a',
    'f', 'g', 'z', 'A', 'F', 'Z', '_', '-', '.', ',', ':', '/', '%', '\\', '{', '}', '(', ')',
];

/// Strings the pattern roughly describes (`regex-syntax`'s reading of it; look-around
/// and anything it rejects just give fewer samples).
fn sample(hir: &Hir, rng: &mut Rng, out: &mut String) {
    if out.len() > 300 {
        return;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => out.push_str(&String::from_utf8_lossy(&lit.0)),
        HirKind::Class(Class::Unicode(c)) => {
            if let Some(r) = c.ranges().get(rng.below(c.ranges().len())) {
                let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                // Mostly near the low end, where the interesting ASCII lives.
                let span = (hi - lo).min(if rng.below(4) == 0 { u32::MAX } else { 64 });
                let v = lo + (rng.next_u64() % (u64::from(span) + 1)) as u32;
                out.push(char::from_u32(v).unwrap_or(r.start()));
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            if let Some(r) = c.ranges().get(rng.below(c.ranges().len())) {
                let v = r.start() + (rng.below(usize::from(r.end() - r.start()) + 1) as u8);
                out.push(char::from(v.min(0x7F)));
            }
        }
        HirKind::Repetition(rep) => {
            let max = rep.max.unwrap_or(rep.min + 6).min(rep.min + 6);
            let mut n = rep.min + rng.below((max - rep.min) as usize + 1) as u32;
            // Sometimes one too few or one too many.
            match rng.below(12) {
                0 => n = n.saturating_sub(1),
                1 => n += 1,
                _ => {}
            }
            for _ in 0..n {
                sample(&rep.sub, rng, out);
            }
        }
        HirKind::Capture(cap) => sample(&cap.sub, rng, out),
        HirKind::Concat(items) => items.iter().for_each(|h| sample(h, rng, out)),
        HirKind::Alternation(alts) => sample(&alts[rng.below(alts.len())], rng, out),
    }
}

/// Longest input in characters: enough for every bound in the Atlas patterns (64 is the
/// largest), short enough that backtracking in the reference engine stays cheap.
pub const MAX_LEN: usize = 80;

/// `count` deterministic inputs for `pattern` (plus fixed edge cases), each at most
/// [`MAX_LEN`] characters long.
pub fn corpus(pattern: &str, seed: u64, count: usize) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok();
    let mut alphabet: Vec<char> = pattern.chars().chain(EXTRAS.iter().copied()).collect();
    alphabet.sort_unstable();
    alphabet.dedup();
    let mut samples: Vec<String> = Vec::new();
    if let Some(hir) = &hir {
        for _ in 0..64 {
            let mut s = String::new();
            sample(hir, &mut rng, &mut s);
            samples.push(s);
        }
    }
    let random = |rng: &mut Rng, alphabet: &[char], len: usize| -> String {
        (0..len).map(|_| rng.pick(alphabet)).collect()
    };
    let mut out: Vec<String> = vec![
        String::new(),
        "\n".to_owned(),
        "é".to_owned(),
        "😀".to_owned(),
        "a".repeat(MAX_LEN),
    ];
    for s in samples.iter().take(16) {
        let mut chars: Vec<char> = s.chars().collect();
        out.push(s.clone());
        out.push(format!("{s}\n"));
        out.push(format!("\n{s}"));
        out.push(format!("{s}é"));
        chars.pop();
        out.push(chars.iter().collect());
        out.push(format!("{s}{}", s.chars().last().unwrap_or('a')));
    }
    while out.len() < count {
        let base = if samples.is_empty() || rng.below(5) == 0 {
            let len = rng.below(48);
            random(&mut rng, &alphabet, len)
        } else {
            samples[rng.below(samples.len())].clone()
        };
        let mut chars: Vec<char> = base.chars().collect();
        let mutations = rng.below(3);
        for _ in 0..mutations {
            let pos = rng.below(chars.len() + 1);
            match rng.below(8) {
                0 if pos < chars.len() => {
                    chars.remove(pos);
                }
                1 => chars.insert(pos, rng.pick(&alphabet)),
                2 if pos < chars.len() => chars[pos] = rng.pick(&alphabet),
                3 => chars.push('\n'),
                4 => chars.insert(0, rng.pick(&alphabet)),
                5 => chars.push(rng.pick(&alphabet)),
                6 if pos < chars.len() => {
                    let c = chars[pos];
                    chars[pos] = if c.is_ascii_lowercase() {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    };
                }
                _ if !samples.is_empty() => {
                    let other = &samples[rng.below(samples.len())];
                    chars.extend(other.chars());
                }
                _ => {}
            }
        }
        out.push(chars.into_iter().collect());
    }
    for s in &mut out {
        if let Some((cut, _)) = s.char_indices().nth(MAX_LEN) {
            s.truncate(cut);
        }
    }
    out
}
