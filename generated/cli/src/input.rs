//! What a command reads: the request body (`--file`, standard input) and
//! flag values of types other than strings, numbers and booleans.

use std::io::{IsTerminal, Read};

use clap::ArgMatches;
use serde::de::DeserializeOwned;

use crate::error::CliError;

/// The request body: `--file PATH` (`-` for stdin), else standard input when
/// it is not a terminal; `None` when neither gives any text.
pub fn read_body(matches: &ArgMatches) -> Result<Option<serde_json::Value>, CliError> {
    let path = matches.try_get_one::<String>("file").ok().flatten();
    let text = match path.map(String::as_str) {
        Some("-") => read_stdin()?,
        Some(path) => std::fs::read_to_string(path)
            .map_err(|err| CliError::usage(format!("cannot read --file {path}: {err}")))?,
        None if !std::io::stdin().is_terminal() => read_stdin()?,
        None => String::new(),
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|err| CliError::usage(format!("the request body is not JSON: {err}")))
}

fn read_stdin() -> Result<String, CliError> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|err| CliError::usage(format!("cannot read standard input: {err}")))?;
    Ok(text)
}

/// The body as the operation's request type: fields that break their
/// pattern or type are reported here, before anything is sent.
pub fn typed_body<T: DeserializeOwned>(body: &serde_json::Value) -> Result<T, CliError> {
    // Exactly: required fields present, and no field the type does not
    // know (a typo would otherwise be dropped silently); the error names
    // the field and the closest known name.
    atlas_admin_runtime::serde_helpers::with_options(
        atlas_admin_runtime::DecodeOptions::EXACT,
        || T::deserialize(body),
    )
    .map_err(|err| CliError::usage(format!("invalid request body: {err}")))
}

/// The body as given, checked against the operation's request type `T`
/// before it is sent unchanged: a value of the wrong type, a broken
/// pattern or a missing required field is refused (exit 2, nothing sent);
/// a field `T` does not know is sent with a warning on standard error
/// (Atlas, not the client, decides what it accepts), or refused when
/// `strict` (`--strict`).
pub fn checked_body<T: DeserializeOwned>(
    body: &serde_json::Value,
    strict: bool,
) -> Result<(), CliError> {
    let unknown = atlas_admin_runtime::check_json_body::<T>("body", body, strict)
        .map_err(|err| CliError::usage(format!("request not sent: {err}")))?;
    for field in unknown {
        eprintln!(
            "warning: the request body has field {field}, which the spec does not list; sent as given (--strict refuses it)"
        );
    }
    Ok(())
}

/// A flag value of a type other than a string, number or boolean (an enum,
/// a date): read as a JSON string, else as JSON.
pub fn parse_arg<T: DeserializeOwned>(flag: &str, value: &str) -> Result<T, CliError> {
    serde_json::from_value(serde_json::Value::String(value.to_owned()))
        .or_else(|_| serde_json::from_str(value))
        .map_err(|err| CliError::usage(format!("invalid --{flag} {value:?}: {err}")))
}
