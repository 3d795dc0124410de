//! The classification rules: one [`Rule`] per row of the table in the
//! module docs of [`diff`](super). Each gives the change's kind, its verdict
//! (breaking or not), the reason shown with it and its row of that table; a
//! test checks that the table in the docs is exactly [`Rule::row`] of every
//! rule.

use crate::spec_tools::report::{ChangeKind, Classification, Side};

/// One classification rule. The fields are what the verdict depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rule {
    /// A new operation.
    OperationAdded,
    /// An operation is gone.
    OperationRemoved,
    /// An operation's Rust method name changed.
    OperationRenamed,
    /// An operation moved to another method or path, its name did not.
    OperationMoved,
    /// A new API version is offered.
    ApiVersionAdded {
        /// The client now sends it.
        sent: bool,
    },
    /// An API version is no longer offered.
    ApiVersionRemoved {
        /// The client sent it.
        sent: bool,
    },
    /// The client sends another version, though none it would pick was
    /// added (the one it sent was removed).
    ApiVersionSelected,
    /// A new parameter.
    ParameterAdded {
        /// It is required.
        required: bool,
    },
    /// A parameter is gone.
    ParameterRemoved,
    /// A parameter became required or optional.
    ParameterRequired {
        /// It is now required.
        now: bool,
    },
    /// A request body appeared.
    BodyAdded {
        /// It is required.
        required: bool,
    },
    /// The request body is gone.
    BodyRemoved,
    /// The request body became required or optional.
    BodyRequired {
        /// It is now required.
        now: bool,
    },
    /// A new response status.
    ResponseAdded,
    /// A response status is gone.
    ResponseRemoved,
    /// A response gained a body.
    ResponseBodyAdded {
        /// A success (1xx, 2xx) status.
        success: bool,
    },
    /// A response lost its body.
    ResponseBodyRemoved {
        /// A success (1xx, 2xx) status.
        success: bool,
    },
    /// A new named type.
    TypeAdded,
    /// A named type is gone.
    TypeRemoved,
    /// A new field.
    FieldAdded {
        /// It is in a request type.
        request: bool,
        /// It is required.
        required: bool,
    },
    /// A field is gone.
    FieldRemoved,
    /// `readOnly`/`writeOnly` took a field out of a direction the type is
    /// used in.
    FieldHidden,
    /// `readOnly`/`writeOnly` no longer keeps a field out of a direction the
    /// type is used in.
    FieldShown {
        /// It enters the request direction.
        request: bool,
        /// It is required.
        required: bool,
    },
    /// A field became required or optional.
    FieldRequired {
        /// Its Rust type changes.
        changes_type: bool,
    },
    /// A field became nullable or not.
    FieldNullable {
        /// Its Rust type changes.
        changes_type: bool,
    },
    /// A schema that does not shape a field (a named type, a list item, a
    /// map value, a parameter's schema) became nullable or not.
    Nullable,
    /// The Rust type of a value changed.
    TypeChanged,
    /// The `format` of a value changed.
    FormatChanged {
        /// Its Rust type changes.
        changes_type: bool,
    },
    /// A `pattern` was added, changed or removed.
    PatternChanged {
        /// The value is in a request.
        request: bool,
    },
    /// A `default` changed.
    DefaultChanged,
    /// A new enum value.
    EnumValueAdded,
    /// An enum value is gone.
    EnumValueRemoved {
        /// The enum is in a request.
        request: bool,
    },
    /// A new `oneOf`/`anyOf` alternative or discriminator value.
    VariantAdded,
    /// A `oneOf`/`anyOf` alternative or discriminator value is gone.
    VariantRemoved,
    /// A discriminator value now maps to another type.
    DiscriminatorRetargeted,
}

const TYPE_CHANGES: &str = "the Rust type changes";
const FIELD_TYPE_CHANGES: &str = "the Rust field type changes";
const FIELD_TYPE_KEPT: &str = "the Rust field type does not change";
const NEW_REQUIRED_FIELD: &str =
    "a new required request field: the constructor `new()` gains an argument";
const FIELD_GONE: &str = "code that sets or reads the field no longer compiles";
const ALTERNATIVE_ADDED: &str =
    "an added alternative accepts more values; the union is `#[non_exhaustive]`";
const ALTERNATIVE_REMOVED: &str = "values of the removed alternative are no longer valid";

impl Rule {
    /// The kind of change the rule classifies.
    pub(super) fn kind(self) -> ChangeKind {
        match self {
            Rule::OperationAdded => ChangeKind::OperationAdded,
            Rule::OperationRemoved => ChangeKind::OperationRemoved,
            Rule::OperationRenamed => ChangeKind::OperationRenamed,
            Rule::OperationMoved => ChangeKind::OperationMoved,
            Rule::ApiVersionAdded { .. } => ChangeKind::ApiVersionAdded,
            Rule::ApiVersionRemoved { .. } => ChangeKind::ApiVersionRemoved,
            Rule::ApiVersionSelected => ChangeKind::ApiVersionSelected,
            Rule::ParameterAdded { .. } => ChangeKind::ParameterAdded,
            Rule::ParameterRemoved => ChangeKind::ParameterRemoved,
            Rule::ParameterRequired { .. }
            | Rule::BodyRequired { .. }
            | Rule::FieldRequired { .. } => ChangeKind::RequiredChanged,
            Rule::BodyAdded { .. } => ChangeKind::RequestBodyAdded,
            Rule::BodyRemoved => ChangeKind::RequestBodyRemoved,
            Rule::ResponseAdded => ChangeKind::ResponseAdded,
            Rule::ResponseRemoved => ChangeKind::ResponseRemoved,
            Rule::ResponseBodyAdded { .. } => ChangeKind::ResponseBodyAdded,
            Rule::ResponseBodyRemoved { .. } => ChangeKind::ResponseBodyRemoved,
            Rule::TypeAdded => ChangeKind::TypeAdded,
            Rule::TypeRemoved => ChangeKind::TypeRemoved,
            Rule::FieldAdded { .. } => ChangeKind::FieldAdded,
            Rule::FieldRemoved => ChangeKind::FieldRemoved,
            Rule::FieldHidden | Rule::FieldShown { .. } => ChangeKind::FieldVisibilityChanged,
            Rule::FieldNullable { .. } | Rule::Nullable => ChangeKind::NullableChanged,
            Rule::TypeChanged | Rule::DiscriminatorRetargeted => ChangeKind::TypeChanged,
            Rule::FormatChanged { .. } => ChangeKind::FormatChanged,
            Rule::PatternChanged { .. } => ChangeKind::PatternChanged,
            Rule::DefaultChanged => ChangeKind::DefaultChanged,
            Rule::EnumValueAdded => ChangeKind::EnumValueAdded,
            Rule::EnumValueRemoved { .. } => ChangeKind::EnumValueRemoved,
            Rule::VariantAdded => ChangeKind::VariantAdded,
            Rule::VariantRemoved => ChangeKind::VariantRemoved,
        }
    }

    /// The document the change's pointer points into: the old one for what
    /// is gone, the new one otherwise.
    pub(super) fn side(self) -> Side {
        match self {
            Rule::OperationRemoved
            | Rule::ApiVersionRemoved { .. }
            | Rule::ParameterRemoved
            | Rule::BodyRemoved
            | Rule::ResponseRemoved
            | Rule::ResponseBodyRemoved { .. }
            | Rule::TypeRemoved
            | Rule::FieldRemoved
            | Rule::EnumValueRemoved { .. }
            | Rule::VariantRemoved => Side::Old,
            _ => Side::New,
        }
    }

    /// The verdict: whether the change breaks code that uses the generated
    /// crate, and why.
    pub(super) fn verdict(self) -> (Classification, &'static str) {
        use Classification::{Breaking, NonBreaking};
        let pick = |breaking: bool, yes: &'static str, no: &'static str| {
            if breaking {
                (Breaking, yes)
            } else {
                (NonBreaking, no)
            }
        };
        match self {
            Rule::OperationAdded => (NonBreaking, "a new client method"),
            Rule::OperationRemoved => (Breaking, "calls to the method no longer compile"),
            Rule::OperationRenamed => (Breaking, "calls to the old method no longer compile"),
            Rule::OperationMoved => (NonBreaking, "the client method and its inputs stay the same"),
            Rule::ApiVersionAdded { sent } => pick(
                sent,
                "the client now sends this version: Atlas issues a new resource version only for breaking changes",
                "the client keeps sending the version it sent before",
            ),
            Rule::ApiVersionRemoved { sent } => pick(
                sent,
                "the client sent this version and now sends another one",
                "the client did not send this version",
            ),
            Rule::ApiVersionSelected => (Breaking, "the client switches to another resource version"),
            Rule::ParameterAdded { required } => pick(
                required,
                "`send()` fails until the new builder method is called",
                "an optional builder method existing code need not call",
            ),
            Rule::ParameterRemoved => (Breaking, "its builder method is gone"),
            Rule::ParameterRequired { now } => pick(
                now,
                "`send()` fails unless the builder method is called",
                "calling the builder method stays valid",
            ),
            Rule::BodyAdded { required } => pick(
                required,
                "`send()` fails until the body is set",
                "an optional body existing code need not set",
            ),
            Rule::BodyRemoved => (Breaking, "the builder's `body()` method is gone"),
            Rule::BodyRequired { now } => pick(
                now,
                "`send()` fails unless the body is set",
                "setting the body stays valid",
            ),
            Rule::ResponseAdded => (
                NonBreaking,
                "another documented outcome; the return type is unchanged",
            ),
            Rule::ResponseRemoved => (
                NonBreaking,
                "one documented outcome fewer; the return type is unchanged",
            ),
            Rule::ResponseBodyAdded { success } | Rule::ResponseBodyRemoved { success } => pick(
                success,
                "the return type changes",
                "error bodies decode into the error type",
            ),
            Rule::TypeAdded => (NonBreaking, "a new type existing code does not use"),
            Rule::TypeRemoved => (Breaking, "code that names the type no longer compiles"),
            Rule::FieldAdded { request, required } => match (request, required) {
                (true, true) => (Breaking, NEW_REQUIRED_FIELD),
                (true, false) => (
                    NonBreaking,
                    "a new optional field: `new()` is unchanged and the struct is `#[non_exhaustive]`",
                ),
                (false, _) => (
                    NonBreaking,
                    "a new response field: the struct is `#[non_exhaustive]`, built with `Default` and setters",
                ),
            },
            Rule::FieldRemoved | Rule::FieldHidden => (Breaking, FIELD_GONE),
            Rule::FieldShown { request, required } => pick(
                request && required,
                NEW_REQUIRED_FIELD,
                "a field that existing code does not use",
            ),
            Rule::FieldRequired { changes_type } | Rule::FieldNullable { changes_type } => {
                pick(changes_type, FIELD_TYPE_CHANGES, FIELD_TYPE_KEPT)
            }
            Rule::Nullable => (
                NonBreaking,
                "nullability here does not change the Rust type",
            ),
            Rule::TypeChanged => (Breaking, TYPE_CHANGES),
            Rule::FormatChanged { changes_type } => pick(
                changes_type,
                TYPE_CHANGES,
                "the format does not change the Rust type",
            ),
            Rule::PatternChanged { request } => pick(
                request,
                "request values are validated against the pattern before sending: values accepted before may be refused, and the validated type changes",
                "responses are never checked against patterns",
            ),
            Rule::DefaultChanged => (NonBreaking, "defaults only appear in the docs"),
            Rule::EnumValueAdded => (
                NonBreaking,
                "the enum is `#[non_exhaustive]` and unknown values already decode into the fallback variant",
            ),
            Rule::EnumValueRemoved { request } => (
                Breaking,
                if request {
                    "senders: the server no longer accepts it, and the variant is gone from the Rust enum"
                } else {
                    "the variant is gone from the Rust enum: code that names it no longer compiles"
                },
            ),
            Rule::VariantAdded => (NonBreaking, ALTERNATIVE_ADDED),
            Rule::VariantRemoved => (Breaking, ALTERNATIVE_REMOVED),
            Rule::DiscriminatorRetargeted => {
                (Breaking, "the Rust type of that alternative changes")
            }
        }
    }

    /// The rule's row in the table of the module docs: the change, and when
    /// it is breaking (`always`, `never`, or the condition).
    #[cfg(test)]
    pub(super) fn row(self) -> (&'static str, &'static str) {
        const FIELD_SHAPE_RULE: &str = "when the Rust field type changes (`T`, `Option<T>`, `Option<Option<T>>`) in a direction the type is used in";
        const RESPONSE_BODY_RULE: &str =
            "for a success status (the return type changes); for an error status never";
        match self {
            Rule::OperationAdded => ("operation added", "never"),
            Rule::OperationRemoved => ("operation removed", "always"),
            Rule::OperationRenamed => ("operation's Rust method renamed", "always"),
            Rule::OperationMoved => (
                "operation moved to another method or path, same name",
                "never (the method is unchanged)",
            ),
            Rule::ApiVersionAdded { .. } => (
                "API version added",
                "when the client now sends it (the newest stable one, or the one `--api-version` picks): Atlas issues a new resource version only for breaking changes",
            ),
            Rule::ApiVersionRemoved { .. } => ("API version removed", "when the client sent it"),
            Rule::ApiVersionSelected => (
                "the client sends another API version, none added (the one it sent was removed)",
                "always",
            ),
            Rule::ParameterAdded { .. } => (
                "parameter added",
                "when required (`send()` fails without it)",
            ),
            Rule::ParameterRemoved => ("parameter removed", "always (its builder method is gone)"),
            Rule::ParameterRequired { .. } => {
                ("parameter made required or optional", "when made required")
            }
            Rule::BodyAdded { .. } => ("request body added", "when required"),
            Rule::BodyRemoved => ("request body removed", "always"),
            Rule::BodyRequired { .. } => {
                ("request body made required or optional", "when made required")
            }
            Rule::ResponseAdded => ("response status added", "never"),
            Rule::ResponseRemoved => ("response status removed", "never"),
            Rule::ResponseBodyAdded { .. } => ("response gains a body", RESPONSE_BODY_RULE),
            Rule::ResponseBodyRemoved { .. } => ("response loses its body", RESPONSE_BODY_RULE),
            Rule::TypeAdded => ("named type added", "never"),
            Rule::TypeRemoved => ("named type removed", "always"),
            Rule::FieldAdded { .. } => (
                "field added",
                "in a request type when required (`new()` gains an argument); otherwise never (structs are `#[non_exhaustive]`)",
            ),
            Rule::FieldRemoved => ("field removed", "always"),
            Rule::FieldHidden => (
                "field made readOnly / writeOnly, leaving a direction the type is used in",
                "always",
            ),
            Rule::FieldShown { .. } => (
                "field no longer readOnly / writeOnly, entering a direction the type is used in",
                "when it enters the request direction and is required",
            ),
            Rule::FieldRequired { .. } => ("field made required or optional", FIELD_SHAPE_RULE),
            Rule::FieldNullable { .. } => ("field made nullable or not", FIELD_SHAPE_RULE),
            Rule::Nullable => (
                "named type, list item, map value or parameter schema made nullable or not",
                "never (the Rust type does not change)",
            ),
            Rule::TypeChanged => (
                "type changed",
                "always (reported only when the Rust type changes)",
            ),
            Rule::FormatChanged { .. } => (
                "format changed",
                "when the Rust type changes (`date-time`, `date`); other formats (`int32`, `email`, ...) never",
            ),
            Rule::PatternChanged { .. } => (
                "pattern added, changed or removed",
                "in requests (values are validated before sending and the validated type changes); in responses never (not checked)",
            ),
            Rule::DefaultChanged => ("`default` changed", "never"),
            Rule::EnumValueAdded => (
                "enum value added",
                "never (enums are `#[non_exhaustive]`; unknown values decode into the fallback variant)",
            ),
            Rule::EnumValueRemoved { .. } => (
                "enum value removed",
                "always (senders: the server no longer accepts it; everyone: the variant is gone)",
            ),
            Rule::VariantAdded => (
                "`oneOf`/`anyOf` alternative or discriminator value added",
                "never (unions are `#[non_exhaustive]`)",
            ),
            Rule::VariantRemoved => (
                "`oneOf`/`anyOf` alternative or discriminator value removed",
                "always",
            ),
            Rule::DiscriminatorRetargeted => {
                ("discriminator value mapped to another type", "always")
            }
        }
    }
}
