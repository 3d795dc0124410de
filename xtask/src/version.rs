//! A release's version and the bump between two: the vocabulary that
//! `release.rs` (which proposes a bump) and `semver.rs` (which asks
//! cargo-semver-checks for one) share, below both.

/// Which number a release increments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bump {
    /// `x.0.0`
    Major,
    /// `0.x.0` / `1.x.0`
    Minor,
    /// `0.0.x`
    Patch,
}

/// A `MAJOR.MINOR.PATCH` version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version(pub u64, pub u64, pub u64);

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl std::str::FromStr for Version {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let parts: Vec<u64> = text
            .split('.')
            .map(|p| p.parse::<u64>())
            .collect::<Result<_, _>>()
            .map_err(|_| format!("version `{text}` is not MAJOR.MINOR.PATCH"))?;
        match parts.as_slice() {
            [a, b, c] => Ok(Version(*a, *b, *c)),
            _ => Err(format!("version `{text}` is not MAJOR.MINOR.PATCH")),
        }
    }
}

impl Bump {
    /// The larger of two bumps.
    pub fn max(self, other: Bump) -> Bump {
        let rank = |b: Bump| match b {
            Bump::Patch => 0,
            Bump::Minor => 1,
            Bump::Major => 2,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

impl Version {
    /// The version after `bump` (a major bump of a 0.x version is a minor
    /// one: cargo reads 0.x minor versions as incompatible).
    pub fn bumped(self, bump: Bump) -> Version {
        match (bump, self.0) {
            (Bump::Major, 0) | (Bump::Minor, _) => Version(self.0, self.1 + 1, 0),
            (Bump::Major, _) => Version(self.0 + 1, 0, 0),
            (Bump::Patch, _) => Version(self.0, self.1, self.2 + 1),
        }
    }
}
