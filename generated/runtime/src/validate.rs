//! Validation of request inputs before anything leaves the process, and
//! validated string types: [`Validated`] and the `validated!` macro that
//! generated models expand (re-exported as `serde_helpers::validated!`).

use std::fmt;

/// Longest part of an offending value that is quoted in an error message.
const MAX_QUOTED_CHARS: usize = 64;

/// A request input that breaks the spec: caught before any network I/O.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Name of the field or parameter as the spec spells it (`groupId`).
    pub field: &'static str,
    /// What is wrong with it.
    pub kind: ValidationErrorKind,
}

/// The ways an input can break the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationErrorKind {
    /// A string that does not match the field's pattern.
    Pattern {
        /// The offending value, cut to at most 64 characters (with `…`).
        value: String,
        /// The ECMA-262 pattern from the spec.
        pattern: &'static str,
    },
    /// A required parameter or body that was never set.
    Missing,
    /// A body given as JSON (`raw_body`, the CLI's `--file`) that breaks
    /// its type: a value of the wrong type, a broken pattern, a missing
    /// required field, or (checked strictly) a field the type does not know.
    Body {
        /// Why, naming the field.
        message: String,
    },
}

impl ValidationError {
    /// A value that does not match `pattern`.
    pub fn pattern(field: &'static str, pattern: &'static str, value: &str) -> Self {
        Self {
            field,
            kind: ValidationErrorKind::Pattern {
                value: truncate(value),
                pattern,
            },
        }
    }

    /// A required input that was not given.
    pub fn missing(field: &'static str) -> Self {
        Self {
            field,
            kind: ValidationErrorKind::Missing,
        }
    }
}

/// Checks a request body given as JSON against the type `T` the operation
/// sends, without re-encoding it: what the spec is sure of (types,
/// patterns, required fields) must hold; a field `T` does not know is
/// returned ("`maxInstanceSize` in AdvancedComputeAutoScaling", to be sent
/// with a warning: Atlas, not the client, decides what it accepts), or
/// refused when `strict` (`--strict`, `strict_body(true)`).
pub fn check_json_body<T: serde::de::DeserializeOwned>(
    field: &'static str,
    body: &serde_json::Value,
    strict: bool,
) -> Result<Vec<String>, ValidationError> {
    use crate::serde_helpers::{with_options_noting_unknown, DecodeOptions};
    let options = if strict {
        DecodeOptions::EXACT
    } else {
        DecodeOptions::STRICT
    };
    let (checked, unknown) = with_options_noting_unknown(options, || T::deserialize(body));
    match checked {
        Ok(_) => Ok(unknown),
        Err(err) => {
            let mut message = err.to_string();
            // A broken body with fields the type does not know: likely a
            // typo (`snapshotID`); name it and the closest known name.
            if !unknown.is_empty() {
                let exact = crate::serde_helpers::with_options(DecodeOptions::EXACT, || {
                    T::deserialize(body)
                });
                if let Err(exact) = exact {
                    message = format!("{message} ({exact})");
                }
            }
            Err(ValidationError {
                field,
                kind: ValidationErrorKind::Body { message },
            })
        }
    }
}

/// Reports, through `tracing` (target `atlas_admin_api::request`), the
/// fields of a body given as JSON that its type does not know: they are
/// sent as given.
pub fn warn_unknown_fields(operation: &str, unknown: &[String]) {
    for field in unknown {
        tracing::warn!(
            target: "atlas_admin_api::request",
            operation,
            "{operation}: sending field {field}, which the spec does not list (sent as given; strict_body(true) refuses it)"
        );
    }
}

fn truncate(value: &str) -> String {
    match value.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ValidationErrorKind::Pattern { value, pattern } => write!(
                f,
                "invalid `{}`: {:?} does not match the pattern `{}`",
                self.field, value, pattern
            ),
            ValidationErrorKind::Missing => write!(f, "missing required `{}`", self.field),
            ValidationErrorKind::Body { message } => {
                write!(f, "invalid `{}`: {message}", self.field)
            }
        }
    }
}

impl std::error::Error for ValidationError {}

/// A string type whose values are known to match a spec pattern: it can only
/// be built through [`Validated::parse`] (or `FromStr`/`TryFrom`).
pub trait Validated: Sized {
    /// Field or parameter name the type was generated for, as in the spec.
    const FIELD: &'static str;
    /// The pattern every value matches (ECMA-262 syntax, as in the spec).
    const PATTERN: &'static str;

    /// Whether `value` matches [`Self::PATTERN`].
    fn is_valid(value: &str) -> bool;

    /// Wraps a value already checked with [`Self::is_valid`].
    #[doc(hidden)]
    fn from_checked(value: String) -> Self;

    /// The value as a string slice.
    fn as_str(&self) -> &str;

    /// Checks `value` against the pattern and wraps it.
    fn parse(value: impl Into<String>) -> Result<Self, ValidationError> {
        let value = value.into();
        if Self::is_valid(&value) {
            Ok(Self::from_checked(value))
        } else {
            Err(ValidationError::pattern(Self::FIELD, Self::PATTERN, &value))
        }
    }
}

/// A builder's stored input of a validated type: unset, or the value
/// with the outcome of its check (reported when the request is sent).
pub type Checked<T> = Option<Result<T, ValidationError>>;

/// Anything a validated parameter can be set from: the validated type itself
/// (`GroupId`), a reference to it (`&GroupId`), or a string (`&str`,
/// `String`, `&String`) that is checked when the request is built (an
/// invalid one makes `send()` return `Error::InvalidRequest` before
/// anything is sent).
pub trait IntoValidated<T> {
    /// Converts, checking the pattern where the input is a plain string.
    fn into_validated(self) -> Result<T, ValidationError>;
}

impl<T: Validated> IntoValidated<T> for &str {
    fn into_validated(self) -> Result<T, ValidationError> {
        T::parse(self)
    }
}

impl<T: Validated> IntoValidated<T> for String {
    fn into_validated(self) -> Result<T, ValidationError> {
        T::parse(self)
    }
}

impl<T: Validated> IntoValidated<T> for &String {
    fn into_validated(self) -> Result<T, ValidationError> {
        T::parse(self.as_str())
    }
}

/// Takes a required builder input, or reports it missing.
pub fn required<T>(
    value: Option<Result<T, ValidationError>>,
    field: &'static str,
) -> Result<T, ValidationError> {
    value.unwrap_or(Err(ValidationError::missing(field)))
}

/// The impls of a validated string type (`pub struct Type(String)`):
/// `validated!(Type, "field", "pattern", matcher)`: `as_str`,
/// [`Validated`](crate::Validated) (checked with `matcher`),
/// [`IntoValidated`](crate::IntoValidated) from the type itself and
/// a reference to it (builders take those, and strings), `FromStr`,
/// `TryFrom<String>`, `From<Type> for String`, `AsRef<str>`, `Display`,
/// serde (checked when decoded) and [`Decode`].
#[macro_export]
#[doc(hidden)]
macro_rules! validated {
    ($ty:ident, $field:literal, $pattern:literal, $matcher:ident) => {
        impl $ty {
            /// The value as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl $crate::Validated for $ty {
            const FIELD: &'static str = $field;
            const PATTERN: &'static str = $pattern;

            fn is_valid(input: &str) -> bool {
                $matcher(input)
            }

            fn from_checked(value: String) -> Self {
                Self(value)
            }

            fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl $crate::IntoValidated<$ty> for $ty {
            fn into_validated(self) -> Result<$ty, $crate::ValidationError> {
                Ok(self)
            }
        }

        impl $crate::IntoValidated<$ty> for &$ty {
            fn into_validated(self) -> Result<$ty, $crate::ValidationError> {
                Ok(self.clone())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::ValidationError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                <Self as $crate::Validated>::parse(value)
            }
        }

        impl ::std::convert::TryFrom<String> for $ty {
            type Error = $crate::ValidationError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                <Self as $crate::Validated>::parse(value)
            }
        }

        impl ::std::convert::From<$ty> for String {
            fn from(value: $ty) -> Self {
                value.0
            }
        }

        impl ::std::convert::AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                let value = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                <Self as $crate::Validated>::parse(value)
                    .map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }

        impl $crate::serde_helpers::Decode for $ty {
            fn decode<'de, D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                <Self as ::serde::Deserialize>::deserialize(deserializer)
            }
        }
    };
}

/// Two validated string types with the same pattern, made interchangeable
/// without checking again: `same_pattern!(A, B)`: `From<A> for B` and
/// `From<B> for A`, and [`IntoValidated`](crate::IntoValidated) of each
/// (and of a reference to it) for the other, so builders taking one take
/// both.
#[macro_export]
#[doc(hidden)]
macro_rules! same_pattern {
    ($a:ident, $b:ident) => {
        $crate::same_pattern!(@one $a, $b);
        $crate::same_pattern!(@one $b, $a);
    };
    (@one $from:ident, $to:ident) => {
        impl ::std::convert::From<$from> for $to {
            fn from(value: $from) -> Self {
                <$to as $crate::Validated>::from_checked(::std::string::String::from(value))
            }
        }

        impl $crate::IntoValidated<$to> for $from {
            fn into_validated(self) -> Result<$to, $crate::ValidationError> {
                Ok(<$to as ::std::convert::From<$from>>::from(self))
            }
        }

        impl $crate::IntoValidated<$to> for &$from {
            fn into_validated(self) -> Result<$to, $crate::ValidationError> {
                Ok(<$to as ::std::convert::From<$from>>::from(self.clone()))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_on_a_char_boundary() {
        let long = "é".repeat(100);
        let err = ValidationError::pattern("f", "^x$", &long);
        let ValidationErrorKind::Pattern { value, .. } = err.kind else {
            panic!("expected a pattern error");
        };
        assert_eq!(value.chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(value.ends_with('…'));
    }

    #[test]
    fn messages_name_field_value_and_pattern() {
        let err = ValidationError::pattern("groupId", "^([a-f0-9]{24})$", "nope");
        assert_eq!(
            err.to_string(),
            "invalid `groupId`: \"nope\" does not match the pattern `^([a-f0-9]{24})$`"
        );
        assert_eq!(
            ValidationError::missing("body").to_string(),
            "missing required `body`"
        );
    }
}
