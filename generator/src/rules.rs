//! The rules the generator and the spec tools must apply alike, in one place:
//! [`lower`](crate::lower) and [`emit`](crate::emit) build the crate with
//! them, [`spec_tools::diff`](mod@crate::spec_tools::diff) reports on the crate
//! they build. Each is a pure function of strings and flags, so it serves
//! both the typed `openapiv3` model and the plain JSON tree.
//!
//! - API versions and media types: which Atlas version an operation is
//!   generated for ([`VersionPin`], [`offered_versions`],
//!   [`choose_version`]), which media type of a `content` map is used for it
//!   ([`pick_media`]) and how its body is read ([`body_kind`]).
//! - Fields: how a property is stored ([`shape`]).
//! - Scalars: the Rust type of a string, number or boolean schema
//!   ([`scalar`]).
//! - Response statuses: which are successes ([`is_success`]) and which no
//!   error ([`is_non_error`], [`is_non_error_key`]).
//! - JSON pointers: escaping a reference token ([`escape_token`],
//!   [`unescape_token`]).

use std::collections::BTreeSet;

// ----- Views ------------------------------------------------------------------

/// Which side of the wire a type describes (the IR re-exports it as
/// `crate::ir::View`). A schema with `readOnly` or `writeOnly` properties
/// (or anything else that reads differently in each direction) becomes one
/// type per direction it is used in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum View {
    /// Sent by the client: no `readOnly` fields; patterns enforced.
    Request,
    /// Received from the server: no `writeOnly` fields; lenient.
    Response,
}

// ----- JSON pointers ---------------------------------------------------------

/// Escapes one JSON-pointer reference token (RFC 6901): `~` as `~0`, `/` as
/// `~1`.
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescapes one JSON-pointer reference token (RFC 6901), the inverse of
/// [`escape_token`].
pub fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

// ----- Response statuses -----------------------------------------------------

/// Whether a status code is a success (`2xx`): its body is what the call
/// answers, and its media types offer the operation's API versions.
pub fn is_success(code: u16) -> bool {
    (200..300).contains(&code)
}

/// Whether a status code is no error: a success or informational (`1xx`)
/// one, which the client answers with `Ok`.
pub fn is_non_error(code: u16) -> bool {
    (100..200).contains(&code) || is_success(code)
}

/// [`is_non_error`] for a `responses` key, which may also be a range
/// (`2XX`): whether it is a `1..` or `2..` one.
pub fn is_non_error_key(key: &str) -> bool {
    key.starts_with('1') || key.starts_with('2')
}

// ----- API versions and media types ---------------------------------------

/// Whether `s` reads as a date `YYYY-MM-DD` (digits and dashes only).
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The version and format of an Atlas media type:
/// `application/vnd.atlas.2023-01-01+json` is `("2023-01-01", "json")`,
/// `application/vnd.atlas.preview+json` is `("preview", "json")`.
pub fn atlas_media(media: &str) -> Option<(&str, &str)> {
    let rest = media
        .split(';')
        .next()?
        .trim()
        .strip_prefix("application/vnd.atlas.")?;
    let (version, format) = rest.split_once('+')?;
    (is_date(version) || version == "preview").then_some((version, format))
}

/// Whether a media type carries JSON: `application/json`, any `+json`, or
/// `*/*`.
pub fn is_json_media(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*"
}

/// How a body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// Decoded from JSON into the schema's type.
    Json,
    /// Kept as bytes (`bytes::Bytes`): gzip, zip, octet streams, anything
    /// unknown.
    Binary,
    /// Kept as text (`String`): `text/*`, `+csv`.
    Text,
}

/// How a body with this media type is read.
pub fn body_kind(media: &str) -> BodyKind {
    let essence = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if is_json_media(&essence) {
        BodyKind::Json
    } else if essence.ends_with("+gzip")
        || essence == "application/gzip"
        || essence == "application/octet-stream"
        || essence.ends_with("+zip")
    {
        BodyKind::Binary
    } else if essence.starts_with("text/") || essence.ends_with("+csv") {
        BodyKind::Text
    } else {
        BodyKind::Binary
    }
}

/// Which Atlas API version (`application/vnd.atlas.<version>+json`) each
/// operation is generated for (`--api-version` of `cargo xtask codegen` and
/// `cargo xtask spec diff`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum VersionPin {
    /// The newest stable (dated) version each operation offers.
    #[default]
    Latest,
    /// The newest version no later than this date (`YYYY-MM-DD`); an
    /// operation whose versions are all later gets its oldest one.
    Date(String),
    /// `preview` where an operation offers it, else the newest stable one.
    Preview,
}

impl std::fmt::Display for VersionPin {
    /// As `--api-version` takes it: `latest`, `preview` or the date.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Latest => f.write_str("latest"),
            Self::Preview => f.write_str("preview"),
            Self::Date(date) => f.write_str(date),
        }
    }
}

impl std::str::FromStr for VersionPin {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "latest" => Ok(Self::Latest),
            "preview" => Ok(Self::Preview),
            date if is_date(date) => Ok(Self::Date(date.to_owned())),
            other => Err(format!(
                "API version {other:?}: expected `latest`, `preview` or a date such as 2024-08-05"
            )),
        }
    }
}

/// The Atlas versions (dates or `preview`) these media types name. An
/// operation offers the versions of its request body's and its success
/// responses' media types.
pub fn offered_versions<'m>(media_types: impl IntoIterator<Item = &'m str>) -> BTreeSet<&'m str> {
    media_types
        .into_iter()
        .filter_map(atlas_media)
        .map(|(version, _)| version)
        .collect()
}

/// The API version an operation is generated for, from the versions it
/// offers and the pin: see [`VersionPin`]. Without a stable version to
/// choose, the first offered one (`preview`); `None` when none is offered.
pub fn choose_version<'v>(offered: &BTreeSet<&'v str>, pin: &VersionPin) -> Option<&'v str> {
    let stable = || offered.iter().copied().filter(|v| is_date(v));
    let chosen = match pin {
        VersionPin::Latest => stable().next_back(),
        VersionPin::Preview => offered
            .get("preview")
            .copied()
            .or_else(|| stable().next_back()),
        VersionPin::Date(pin) => stable()
            .rfind(|v| *v <= pin.as_str())
            .or_else(|| stable().next()),
    };
    chosen.or_else(|| offered.iter().next().copied())
}

/// The media type used from a `content` map (given by its keys, in order)
/// for API version `version`: that version, else the newest dated one before
/// it (any dated one for `preview`), else the first JSON media type, else the
/// first of any kind.
pub fn pick_media<'m, I>(media_types: I, version: Option<&str>) -> Option<&'m str>
where
    I: IntoIterator<Item = &'m str>,
    I::IntoIter: Clone,
{
    let keys = media_types.into_iter();
    let versioned = || {
        let version = version?;
        keys.clone()
            .filter_map(|k| atlas_media(k).map(|(ver, _)| (ver, k)))
            .filter(|(ver, _)| {
                *ver == version || (is_date(ver) && (version == "preview" || *ver <= version))
            })
            .max_by(|a, b| {
                // The exact version first, then the newest date.
                (a.0 == version, a.0).cmp(&(b.0 == version, b.0))
            })
            .map(|(_, k)| k)
    };
    versioned()
        .or_else(|| keys.clone().find(|k| is_json_media(k)))
        .or_else(|| keys.clone().next())
}

// ----- fields --------------------------------------------------------------

/// How a field is stored in a generated struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `T`, always present.
    Plain,
    /// `Option<T>`, `None` skipped when sending.
    Optional,
    /// `Option<T>`, `None` sent as `null`.
    NullableRequired,
    /// `Option<Option<T>>`: absent, `null` or a value.
    ThreeState,
}

/// How a field is stored: `T` when required and not nullable; otherwise
/// `Option<T>` in a response type, and in a request type `Option<T>` or, when
/// optional and nullable, `Option<Option<T>>` (absent, `null`, value).
pub fn shape(required: bool, nullable: bool, view: View) -> Shape {
    match (view, required, nullable) {
        (_, true, false) => Shape::Plain,
        (View::Response, _, _) => Shape::Optional,
        (View::Request, true, true) => Shape::NullableRequired,
        (View::Request, false, false) => Shape::Optional,
        (View::Request, false, true) => Shape::ThreeState,
    }
}

impl Shape {
    /// The field's Rust type spelled out around `inner` (for messages).
    pub fn spell(self, inner: &str) -> String {
        match self {
            Shape::Plain => inner.to_owned(),
            Shape::Optional | Shape::NullableRequired => format!("Option<{inner}>"),
            Shape::ThreeState => format!("Option<Option<{inner}>>"),
        }
    }
}

// ----- scalars -------------------------------------------------------------

/// The Rust type of a scalar schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// `chrono::DateTime<Utc>` (`format: date-time`).
    DateTime,
    /// `chrono::NaiveDate` (`format: date`).
    Date,
    /// `String`.
    String,
    /// A validated string type, checked against the pattern before sending
    /// (a `pattern` in the request direction; a pattern that is not a valid
    /// regex stays a `String`, with a warning).
    Validated,
    /// `i64`: every integer, `format: int32` included (Atlas has sent values
    /// past `i32::MAX` in fields the spec calls int32, and a wider type never
    /// fails to decode them).
    I64,
    /// `f64`.
    F64,
    /// `bool`.
    Bool,
}

impl Scalar {
    /// The Rust type, for messages.
    pub fn rust(self) -> &'static str {
        match self {
            Scalar::DateTime => "chrono::DateTime<Utc>",
            Scalar::Date => "chrono::NaiveDate",
            Scalar::String => "String",
            Scalar::Validated => "validated String",
            Scalar::I64 => "i64",
            Scalar::F64 => "f64",
            Scalar::Bool => "bool",
        }
    }
}

/// The Rust type of a schema of `type` `ty` with this `format` and a
/// `pattern` or not, in `view`; `None` when `ty` is not a scalar type.
pub fn scalar(ty: &str, format: Option<&str>, pattern: bool, view: View) -> Option<Scalar> {
    Some(match ty {
        "string" => match format {
            Some("date-time") => Scalar::DateTime,
            Some("date") => Scalar::Date,
            _ if pattern && view == View::Request => Scalar::Validated,
            _ => Scalar::String,
        },
        "integer" => Scalar::I64,
        "number" => Scalar::F64,
        "boolean" => Scalar::Bool,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_escape_and_unescape() {
        for raw in ["a/b~c", "~1", "/~0/", "plain", ""] {
            assert_eq!(unescape_token(&escape_token(raw)), raw);
        }
        assert_eq!(escape_token("a/b~c"), "a~1b~0c");
        assert_eq!(unescape_token("~01"), "~1");
    }

    #[test]
    fn media_types_and_body_kinds() {
        assert_eq!(
            atlas_media("application/vnd.atlas.2023-01-01+json"),
            Some(("2023-01-01", "json"))
        );
        assert_eq!(
            atlas_media("application/vnd.atlas.preview+gzip; charset=x"),
            Some(("preview", "gzip"))
        );
        assert_eq!(atlas_media("application/vnd.atlas.2023-1-01+json"), None);
        assert_eq!(atlas_media("application/json"), None);
        assert_eq!(
            body_kind("application/vnd.atlas.2023-01-01+json"),
            BodyKind::Json
        );
        assert_eq!(body_kind("*/*"), BodyKind::Json);
        assert_eq!(
            body_kind("application/vnd.atlas.2023-01-01+gzip"),
            BodyKind::Binary
        );
        assert_eq!(
            body_kind("application/vnd.atlas.2023-01-01+csv"),
            BodyKind::Text
        );
        assert_eq!(body_kind("text/plain; charset=utf-8"), BodyKind::Text);
        assert_eq!(body_kind("image/png"), BodyKind::Binary);
    }

    #[test]
    fn versions_follow_the_pin() {
        let offered: BTreeSet<&str> = ["2023-01-01", "2024-05-30", "preview"].into();
        let pick = |pin: &str| choose_version(&offered, &pin.parse().expect("pin"));
        assert_eq!(pick("latest"), Some("2024-05-30"));
        assert_eq!(pick("preview"), Some("preview"));
        assert_eq!(pick("2024-01-01"), Some("2023-01-01"));
        assert_eq!(pick("2024-05-30"), Some("2024-05-30"));
        assert_eq!(pick("2020-01-01"), Some("2023-01-01"));
        let only_preview: BTreeSet<&str> = ["preview"].into();
        assert_eq!(
            choose_version(&only_preview, &VersionPin::Latest),
            Some("preview")
        );
        assert_eq!(choose_version(&BTreeSet::new(), &VersionPin::Latest), None);
        assert!("2024-5-30".parse::<VersionPin>().is_err());
        assert_eq!(
            offered_versions([
                "application/json",
                "application/vnd.atlas.2023-01-01+json",
                "application/vnd.atlas.2023-01-01+gzip"
            ]),
            ["2023-01-01"].into()
        );
    }

    #[test]
    fn media_follow_the_version() {
        let content = [
            "application/json",
            "application/vnd.atlas.2023-01-01+json",
            "application/vnd.atlas.2024-05-30+json",
            "application/vnd.atlas.preview+json",
        ];
        assert_eq!(
            pick_media(content, Some("2024-01-01")),
            Some("application/vnd.atlas.2023-01-01+json")
        );
        assert_eq!(
            pick_media(content, Some("2025-01-01")),
            Some("application/vnd.atlas.2024-05-30+json")
        );
        assert_eq!(
            pick_media(content, Some("preview")),
            Some("application/vnd.atlas.preview+json")
        );
        assert_eq!(
            pick_media(content[..3].iter().copied(), Some("preview")),
            Some("application/vnd.atlas.2024-05-30+json")
        );
        assert_eq!(pick_media(content, None), Some("application/json"));
        assert_eq!(pick_media(["text/csv"], None), Some("text/csv"));
        assert_eq!(pick_media([], Some("2024-01-01")), None);
    }

    #[test]
    fn fields_and_scalars() {
        use View::{Request, Response};
        assert_eq!(shape(true, false, Response), Shape::Plain);
        assert_eq!(shape(true, true, Response), Shape::Optional);
        assert_eq!(shape(false, true, Request), Shape::ThreeState);
        assert_eq!(shape(true, true, Request), Shape::NullableRequired);
        assert_eq!(Shape::ThreeState.spell("i64"), "Option<Option<i64>>");
        assert_eq!(
            scalar("string", Some("date-time"), true, Request),
            Some(Scalar::DateTime)
        );
        assert_eq!(
            scalar("string", None, true, Request),
            Some(Scalar::Validated)
        );
        assert_eq!(scalar("string", None, true, Response), Some(Scalar::String));
        assert_eq!(
            scalar("integer", Some("int32"), false, Request),
            Some(Scalar::I64)
        );
        assert_eq!(scalar("object", None, false, Request), None);
    }
}
