//! Diagnostics: every error and warning names the spec file and the JSON
//! pointer of the node it is about.

use std::fmt;
use std::path::{Path, PathBuf};

pub use crate::rules::escape_token;
use crate::rules::unescape_token;

/// A JSON pointer into the spec, built token by token.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pointer(String);

impl Pointer {
    /// The document root, `#`.
    pub fn root() -> Self {
        Self(String::new())
    }

    /// Parses the fragment of a local `$ref` (`#/components/schemas/Foo`).
    pub fn from_ref(reference: &str) -> Option<Self> {
        reference
            .strip_prefix('#')
            .map(|rest| Self(rest.to_owned()))
    }

    /// This pointer with one more token.
    pub fn join(&self, token: impl AsRef<str>) -> Self {
        Self(format!("{}/{}", self.0, escape_token(token.as_ref())))
    }

    /// The unescaped tokens.
    pub fn tokens(&self) -> impl Iterator<Item = String> + '_ {
        self.0.split('/').skip(1).map(unescape_token)
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Generation went on, with a documented fallback.
    Warning,
    /// Generation stopped.
    Error,
}

/// One message about the spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The spec file.
    pub file: PathBuf,
    /// Where in the document.
    pub pointer: Pointer,
    /// Line and column (1-based), for syntax errors.
    pub line_col: Option<(usize, usize)>,
    /// What was found and what was expected.
    pub message: String,
    /// For warnings, the kind: how warnings are grouped and counted.
    pub code: Option<WarningCode>,
}

/// The kinds of warnings, each named in diagnostics as `warning[kind]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WarningCode {
    /// A pattern that is not a valid regex, so not enforced.
    UnenforcedPattern,
    /// A place kept as `serde_json::Value` because the spec could not be
    /// modelled exactly there.
    JsonFallback,
    /// A keyword the generator does not act on (an unknown format, a status
    /// range, a cookie parameter, ...).
    IgnoredKeyword,
    /// A name that collided with another and was changed.
    Renamed,
    /// An overlay action whose target selects nothing.
    OverlayNoMatch,
    /// A key of the `x-xgen-atlascli` extension this generator does not know.
    AtlasCliUnknownKey,
    /// An `x-xgen-atlascli` watcher that cannot be generated (it polls an
    /// operation that is not there, or not a GET, names parameters either
    /// side lacks, ...): the operation gets no waiter; or one that was
    /// mended (it names a mutation, or reads the body of an answer that has
    /// none) and says what it polls instead.
    AtlasCliWatcher,
}

impl WarningCode {
    /// The kind as diagnostics print it (`json-fallback`).
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::UnenforcedPattern => "unenforced-pattern",
            WarningCode::JsonFallback => "json-fallback",
            WarningCode::IgnoredKeyword => "ignored-keyword",
            WarningCode::Renamed => "renamed",
            WarningCode::OverlayNoMatch => "overlay-no-match",
            WarningCode::AtlasCliUnknownKey => "atlascli-unknown-key",
            WarningCode::AtlasCliWatcher => "atlascli-watcher",
        }
    }
}

impl fmt::Display for WarningCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Diagnostic {
    /// An error at `pointer`.
    pub fn error(file: &Path, pointer: &Pointer, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            file: file.to_owned(),
            pointer: pointer.clone(),
            line_col: None,
            message: message.into(),
            code: None,
        }
    }

    /// The same diagnostic with a kind (see [`Diagnostic::code`]).
    pub fn with_code(mut self, code: WarningCode) -> Self {
        self.code = Some(code);
        self
    }

    /// A warning at `pointer`.
    pub fn warning(file: &Path, pointer: &Pointer, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(file, pointer, message)
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        match self.code {
            None => writeln!(f, "{level}: {}", self.message)?,
            Some(code) => writeln!(f, "{level}[{code}]: {}", self.message)?,
        }
        match self.line_col {
            Some((line, col)) => write!(f, "  --> {}:{line}:{col}", self.file.display())?,
            None => write!(f, "  --> {}", self.file.display())?,
        }
        if self.pointer != Pointer::root() || self.line_col.is_none() {
            write!(f, " at {}", self.pointer)?;
        }
        Ok(())
    }
}

/// Generation failed: the errors, and any warnings collected before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// All diagnostics, errors first.
    pub diagnostics: Vec<Diagnostic>,
}

impl Failure {
    /// A failure with one error.
    pub fn single(diagnostic: Diagnostic) -> Self {
        Self {
            diagnostics: vec![diagnostic],
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_slashes_and_tildes() {
        let p = Pointer::root()
            .join("paths")
            .join("/api/atlas/v2/groups/{groupId}")
            .join("post")
            .join("a~b");
        assert_eq!(
            p.to_string(),
            "#/paths/~1api~1atlas~1v2~1groups~1{groupId}/post/a~0b"
        );
        assert_eq!(
            p.tokens().collect::<Vec<_>>(),
            ["paths", "/api/atlas/v2/groups/{groupId}", "post", "a~b"]
        );
    }
}
