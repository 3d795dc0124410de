//! Turning spec names into Rust identifiers, in one place: heck for case,
//! keywords get a suffix, other characters become word breaks, leading digits
//! get a prefix. Callers keep the original name for `#[serde(rename)]`.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Names generated code uses for itself, which a type must not take.
const RESERVED_TYPES: &[&str] = &[
    "Client", "Error", "Response", "Option", "Result", "String", "Vec", "Box", "Some", "None",
    "Ok", "Err", "Self",
];

fn words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// Words for symbols, so that values made only of them (`>`, `>=`, `!=`)
/// still get distinct names.
fn symbol_words(raw: &str) -> String {
    raw.chars()
        .filter_map(|c| {
            Some(match c {
                '>' => "gt",
                '<' => "lt",
                '=' => "eq",
                '!' => "not",
                '+' => "plus",
                '-' => "minus",
                '*' => "star",
                '/' => "slash",
                '%' => "percent",
                '&' => "and",
                '|' => "or",
                '.' => "dot",
                '$' => "dollar",
                '@' => "at",
                '#' => "hash",
                '~' => "tilde",
                '^' => "caret",
                '?' => "question",
                _ => return None,
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every name a request builder uses besides its parameter setters: its
/// fields and the methods every builder (or every builder of a kind) gets.
/// Parameters are named around them, so a parameter called `body` or
/// `stream` gets a numbered setter instead of colliding. The one list the
/// lowering reserves and the emitters' methods are checked against (a test
/// parses every emitted builder).
pub const BUILDER_NAMES: &[&str] = &[
    // Fields and the constructor.
    "client",
    "call_options",
    "raw_body",
    "api_version",
    "new",
    // Methods of every builder (`emit/operations.rs`).
    "body",
    // Operations with a request body: the raw body is refused on unknown
    // fields when `strict_body(true)` (`emit/operations.rs`).
    "strict_body",
    "send",
    "customize",
    "into_request",
    // Binary and text operations.
    "send_stream",
    // Versions and formats (`emit/versions.rs`).
    "send_as",
    "send_as_stream",
    "into_request_as",
    "send_json",
    // Paginated operations (`emit/pagination.rs`).
    "pages",
    "stream",
    // Operations with a watcher (`emit/waiters.rs`).
    "send_and_wait",
    "wait_after",
    // Names the request-building code binds locally.
    "request",
    "raw",
    "unwrap_envelope",
];

/// `UpperCamelCase` name for a type or enum variant.
pub fn type_name(raw: &str) -> String {
    let mut name = words(raw).to_upper_camel_case();
    if name.is_empty() {
        name = symbol_words(raw).to_upper_camel_case();
    }
    if name.is_empty() {
        name = "Empty".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if RESERVED_TYPES.contains(&name.as_str()) {
        name.push_str("Type");
    }
    name
}

/// `snake_case` name for a field, parameter or function.
pub fn field_name(raw: &str) -> String {
    let mut name = words(raw).to_snake_case();
    if name.is_empty() {
        name = symbol_words(raw).to_snake_case();
    }
    if name.is_empty() {
        name = "empty".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// Hands out names unique within one scope: a taken name gets `2`, `3`, ...
#[derive(Debug, Default, Clone)]
pub struct NameScope {
    taken: BTreeSet<String>,
}

impl NameScope {
    /// A scope in which `reserved` are already taken.
    pub fn with_reserved<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            taken: reserved.into_iter().map(str::to_owned).collect(),
        }
    }

    /// Whether `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// Takes `name`, or the first free `name2`, `name3`, ... (with `_` between
    /// when `name` ends in a digit or `_`).
    /// Whether `name` is taken.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// `name`, or `name` with the first free number appended.
    pub fn take(&mut self, name: &str) -> String {
        if self.taken.insert(name.to_owned()) {
            return name.to_owned();
        }
        let sep = if name.ends_with(|c: char| c.is_ascii_digit() || c == '_') {
            "_"
        } else {
            ""
        };
        let mut n = 2usize;
        loop {
            let candidate = format!("{name}{sep}{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn awkward_spec_names_become_identifiers() {
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("match"), "match_");
        assert_eq!(field_name("_id"), "id");
        assert_eq!(
            field_name("2dsphereIndexVersion"),
            "_2dsphere_index_version"
        );
        assert_eq!(field_name(""), "empty");
        assert_eq!(field_name("exportBucketId"), "export_bucket_id");
        assert_eq!(type_name("1000 requests"), "V1000Requests");
        assert_eq!(type_name("eastus"), "Eastus");
        assert_eq!(type_name("IN_PROGRESS"), "InProgress");
        assert_eq!(type_name("Error"), "ErrorType");
        assert_eq!(type_name(""), "Empty");
        assert_eq!(type_name(">"), "Gt");
        assert_eq!(type_name(">="), "GtEq");
        assert_eq!(field_name("$"), "dollar");
    }

    #[test]
    fn scopes_number_repeats() {
        let mut scope = NameScope::default();
        assert_eq!(scope.take("Failed"), "Failed");
        assert_eq!(scope.take("Failed"), "Failed2");
        assert_eq!(scope.take("V2"), "V2");
        assert_eq!(scope.take("V2"), "V2_2");
    }
}
