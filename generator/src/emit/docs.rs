//! Markdown the generated crate's documentation includes, so that prose
//! never restates what the spec says: `operations.md`, the table of every
//! operation the crate has. The crate's front page and its user guide
//! `include_str!` it; `cargo xtask codegen --check` keeps it current like
//! any other generated file.

use super::cli::tag_command;
use crate::ir::{Api, Operation};

/// The file name of the operation table below the generated directory.
pub const OPERATIONS_TABLE: &str = "operations.md";

/// The table of every operation of `api`: by feature (tag), then by short
/// name; one row each with the client method, the HTTP method and path, the
/// API versions (the generated one in bold), what it adds besides `send()`
/// (page streams, a waiter), and its `atlas-api` command.
pub fn operations_table(api: &Api) -> String {
    let mut ops: Vec<&Operation> = api.operations.iter().collect();
    ops.sort_by(|a, b| {
        (&a.feature, &a.short_name, &a.operation_id).cmp(&(
            &b.feature,
            &b.short_name,
            &b.operation_id,
        ))
    });
    let mut out = String::new();
    out.push_str(&format!(
        "{} operations, {} cargo feature(s).\n\n",
        ops.len(),
        api.features.len()
    ));
    out.push_str(
        "| operation | client method | HTTP | API versions | also | feature | `atlas-api` command |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|\n");
    for op in ops {
        let versions: Vec<String> = op
            .api_versions
            .iter()
            .map(|v| {
                if op.api_version.as_deref() == Some(v.as_str()) {
                    format!("**{v}**")
                } else {
                    v.clone()
                }
            })
            .collect();
        let mut also = Vec::new();
        if op.pagination.is_some() {
            also.push("`.stream()`, `.pages()`");
        }
        if op.watcher.is_some() {
            also.push("`.send_and_wait()`");
        }
        let command = match api.features.get(&op.feature) {
            Some(def) => format!("`{} {}`", tag_command(&def.tag), op.short_name),
            None => String::new(),
        };
        let name = if op.short_name == op.operation_id {
            format!("`{}`", op.short_name)
        } else {
            format!("`{}` (`{}`)", op.short_name, op.operation_id)
        };
        out.push_str(&format!(
            "| {name} | `{}()` | `{} {}` | {} | {} | `{}` | {command} |\n",
            op.method_name,
            op.method.as_str(),
            op.path,
            cell(&versions.join(", ")),
            cell(&also.join(", ")),
            op.feature,
        ));
    }
    out
}

/// A table cell: a dash when empty, pipes escaped.
fn cell(text: &str) -> String {
    if text.is_empty() {
        "-".to_owned()
    } else {
        text.replace('|', "\\|")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_one_row_per_operation_in_a_stable_order() {
        let spec = crate::load::parse(
            std::path::Path::new("t.yaml"),
            r#"
openapi: 3.0.1
info: {title: t, version: "1"}
paths:
  /b:
    get:
      operationId: zList
      tags: [Things]
      responses: {"200": {description: ok}}
  /a:
    post:
      operationId: aCreate
      tags: [Things]
      responses: {"204": {description: none}}
"#,
        )
        .expect("parses");
        let api = crate::lower::lower_with(&spec, &Default::default())
            .expect("lowers")
            .api;
        let table = operations_table(&api);
        let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("| `")).collect();
        assert_eq!(rows.len(), 2, "{table}");
        assert!(
            rows[0].starts_with("| `aCreate` | `a_create()` | `POST /a`"),
            "{table}"
        );
        assert!(rows[1].contains("`things zList`"), "{table}");
        assert!(
            table.starts_with("2 operations, 1 cargo feature(s)."),
            "{table}"
        );
    }
}
