//! The flags of `atlas-api` a spec parameter cannot take, and what a
//! parameter's flag and aliases are because of them.
//!
//! The list is the command line crate's: `generated/cli/src/flags.rs`
//! writes each flag's name, its clap `Arg` and `RESERVED_FLAGS` once. The
//! generator does not depend on that crate (it would compile clap), and
//! keeps no copy of the list: the file is compiled in as text and its
//! `RESERVED_FLAGS` read from it ([`reserved_flags`]), so a flag added there
//! is reserved here at the next build.

use std::sync::OnceLock;

use crate::ir::Operation;

/// The command line crate's flags file, as text.
const CLI_FLAGS: &str = include_str!("../../../generated/cli/src/flags.rs");

/// How the list begins in [`CLI_FLAGS`].
const LIST_START: &str = "pub const RESERVED_FLAGS: &[&str] = &[";

/// Flags every operation command has (or the binary adds): the runtime's
/// `cli_runtime::RESERVED_FLAGS`, read from its source. A parameter so
/// named gets `Param` appended to its flag; no alias may take one of them.
pub fn reserved_flags() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| string_list(CLI_FLAGS, LIST_START))
}

/// The string literals of the list that follows `start` in `text`, up to
/// its `];` (empty when `text` has no such list: a test fails then).
fn string_list(text: &'static str, start: &str) -> Vec<&'static str> {
    let Some(at) = text.find(start) else {
        return Vec::new();
    };
    let rest = &text[at + start.len()..];
    let end = rest.find("];").unwrap_or(rest.len());
    rest[..end]
        .split(',')
        .filter_map(|item| item.trim().strip_prefix('"')?.strip_suffix('"'))
        .collect()
}

/// The flag of a parameter named `id`, as `cli_runtime::flag_name` spells it.
pub(crate) fn flag_of(id: &str) -> String {
    if reserved_flags().contains(&id) {
        format!("{id}Param")
    } else {
        id.to_owned()
    }
}

/// The other spellings of a parameter's flag: its `x-xgen-atlascli`
/// aliases (`projectId` for `groupId`, from the overlays), except those
/// that are the flag of another parameter of the operation, an alias an
/// earlier parameter took, or a reserved flag (clap would refuse the
/// command).
pub(crate) fn aliases(op: &Operation, index: usize) -> Vec<String> {
    let Some(p) = op.params.get(index) else {
        return Vec::new();
    };
    let flags: Vec<String> = op.params.iter().map(|q| flag_of(&q.wire_name)).collect();
    let earlier: Vec<&String> = op.params[..index]
        .iter()
        .flat_map(|q| q.cli.aliases.iter())
        .collect();
    let mut out: Vec<String> = Vec::new();
    for alias in &p.cli.aliases {
        if !flags.contains(alias)
            && !reserved_flags().contains(&alias.as_str())
            && !earlier.contains(&alias)
            && !out.contains(alias)
        {
            out.push(alias.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_read_from_the_command_lines_flags_file() {
        let flags = reserved_flags();
        for flag in [
            "file",
            "version",
            "help",
            "debug",
            "caCert",
            "body-template",
        ] {
            assert!(flags.contains(&flag), "{flag} missing from {flags:?}");
        }
        // Every entry of the list is a string literal the reading kept.
        let start = CLI_FLAGS.find(LIST_START).expect("the list");
        let body = &CLI_FLAGS[start + LIST_START.len()..];
        let body = &body[..body.find("];").expect("its end")];
        assert_eq!(flags.len(), body.matches(',').count(), "{body}");
    }

    #[test]
    fn a_list_is_its_string_literals() {
        let text = "x\npub const L: &[&str] = &[\n    \"a\",\n    \"b-c\",\n];\n";
        assert_eq!(string_list(text, "pub const L: &[&str] = &["), ["a", "b-c"]);
        assert!(string_list(text, "pub const M").is_empty());
    }
}
