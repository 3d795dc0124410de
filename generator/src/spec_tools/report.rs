//! The change report: what changed between two specs, per operation and per
//! type, in terms of the generated Rust crate, each change classified as
//! breaking or not for its users. Text for people ([`Report::to_text`]) and
//! JSON for CI ([`Report::to_json`]).

use std::fmt::Write as _;

use serde::Serialize;

/// Whether a change breaks code that uses the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Classification {
    /// Code that compiled and worked against the old crate may not any more.
    Breaking,
    /// Existing code keeps compiling and working.
    NonBreaking,
}

/// What a change is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Subject {
    /// An operation (a client method).
    Operation {
        /// The short name (`x-xgen-operation-id-override`, else `operationId`).
        name: String,
        /// The Rust method on the client.
        method_name: String,
        /// `POST`, `GET`, ...
        method: String,
        /// The path template.
        path: String,
    },
    /// A named type (a component schema that becomes a struct or enum).
    Type {
        /// The Rust name.
        name: String,
        /// The component schema name.
        schema: String,
        /// `request`, `response` or both: how the compared operations use it.
        directions: Vec<String>,
    },
}

impl Subject {
    fn heading(&self) -> String {
        match self {
            Subject::Operation {
                name,
                method_name,
                method,
                path,
            } => format!("operation {name}: {method} {path}, client.{method_name}()"),
            Subject::Type {
                name,
                schema,
                directions,
            } => {
                let dirs = if directions.is_empty() {
                    "unused by the compared operations".to_owned()
                } else {
                    directions.join(" and ")
                };
                if name == schema {
                    format!("type {name} ({dirs})")
                } else {
                    format!("type {name} ({dirs}; schema {schema})")
                }
            }
        }
    }
}

/// The kind of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// A new operation.
    OperationAdded,
    /// An operation is gone.
    OperationRemoved,
    /// The Rust method name of an operation changed.
    OperationRenamed,
    /// The method or path of an operation changed, its name did not.
    OperationMoved,
    /// A new API version (`application/vnd.atlas.<version>+...`, a date or
    /// `preview`) is offered by the request body or a success response.
    ApiVersionAdded,
    /// An offered version is gone.
    ApiVersionRemoved,
    /// The version the client sends (the newest stable one, or the one the
    /// pin picks) changed.
    ApiVersionSelected,
    /// A new parameter.
    ParameterAdded,
    /// A parameter is gone.
    ParameterRemoved,
    /// A request body appeared.
    RequestBodyAdded,
    /// The request body is gone.
    RequestBodyRemoved,
    /// A new documented response status.
    ResponseAdded,
    /// A documented response status is gone.
    ResponseRemoved,
    /// A response gained a body.
    ResponseBodyAdded,
    /// A response lost its body.
    ResponseBodyRemoved,
    /// A new named type.
    TypeAdded,
    /// A named type is gone.
    TypeRemoved,
    /// A new field.
    FieldAdded,
    /// A field is gone.
    FieldRemoved,
    /// `readOnly`/`writeOnly` moved a field in or out of one direction.
    FieldVisibilityChanged,
    /// A field or parameter became required or optional.
    RequiredChanged,
    /// A value became nullable or not.
    NullableChanged,
    /// The type of a value changed.
    TypeChanged,
    /// The `format` of a value changed.
    FormatChanged,
    /// The `pattern` of a string changed.
    PatternChanged,
    /// A new enum value.
    EnumValueAdded,
    /// An enum value is gone.
    EnumValueRemoved,
    /// A `oneOf`/`anyOf` alternative or discriminator mapping was added.
    VariantAdded,
    /// A `oneOf`/`anyOf` alternative or discriminator mapping is gone.
    VariantRemoved,
    /// A `default` changed.
    DefaultChanged,
}

/// Which of the two specs a pointer is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// The old spec.
    Old,
    /// The new spec.
    New,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The operation or type it belongs to.
    pub subject: Subject,
    /// What changed.
    pub kind: ChangeKind,
    /// Where inside the subject (`field `snapshot_id``), empty for the subject itself.
    pub location: String,
    /// What changed, in Rust terms.
    pub detail: String,
    /// Breaking or not.
    pub classification: Classification,
    /// Why it is (not) breaking.
    pub reason: String,
    /// The spec the pointer is in (the new one, or the old one for removals).
    pub side: Side,
    /// The JSON pointer of the changed node.
    pub pointer: String,
}

/// Counts of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    /// Breaking changes.
    pub breaking: usize,
    /// Other changes.
    pub non_breaking: usize,
}

/// Everything that changed between two specs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The old spec, as named on the command line.
    pub old: String,
    /// The new spec.
    pub new: String,
    /// The changes: operations first (by name), then types (by name).
    pub changes: Vec<Change>,
}

impl Report {
    /// How many changes are breaking and how many are not.
    pub fn counts(&self) -> Counts {
        let breaking = self
            .changes
            .iter()
            .filter(|c| c.classification == Classification::Breaking)
            .count();
        Counts {
            breaking,
            non_breaking: self.changes.len() - breaking,
        }
    }

    /// Whether any change is breaking.
    pub fn has_breaking(&self) -> bool {
        self.counts().breaking > 0
    }

    /// The report for people: a heading per operation and type, one line
    /// per change.
    pub fn to_text(&self) -> String {
        let counts = self.counts();
        let mut out = String::new();
        let _ = writeln!(out, "spec changes: {} -> {}", self.old, self.new);
        if self.changes.is_empty() {
            let _ = writeln!(out, "no changes that affect the generated crate");
            return out;
        }
        let _ = writeln!(
            out,
            "{} breaking, {} non-breaking",
            counts.breaking, counts.non_breaking
        );
        let mut current: Option<&Subject> = None;
        for c in &self.changes {
            if current != Some(&c.subject) {
                let _ = writeln!(out, "\n{}", c.subject.heading());
                current = Some(&c.subject);
            }
            let tag = match c.classification {
                Classification::Breaking => "BREAKING",
                Classification::NonBreaking => "ok      ",
            };
            let location = if c.location.is_empty() {
                String::new()
            } else {
                format!("{}: ", c.location)
            };
            let _ = writeln!(out, "  {tag} {location}{}", c.detail);
            let _ = writeln!(out, "           {}", c.reason);
        }
        out
    }

    /// The report for CI, as pretty-printed JSON with the counts.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            old: &'a str,
            new: &'a str,
            counts: Counts,
            changes: &'a [Change],
        }
        let out = Out {
            old: &self.old,
            new: &self.new,
            counts: self.counts(),
            changes: &self.changes,
        };
        // Serialising plain strings, enums and numbers cannot fail.
        serde_json::to_string_pretty(&out).unwrap_or_default()
    }
}
