//! The part of the generated crate's `Cargo.toml` that codegen owns: the
//! features, between two marker lines inside its `[features]` table. The
//! rest of the manifest (dependencies, hand-written features) stays
//! hand-written.

/// The line before the generated features.
pub const BEGIN: &str =
    "# @generated features begin: `cargo xtask codegen` writes the lines up to the end marker";
/// The line after the generated features.
pub const END: &str = "# @generated features end";

/// Replaces the lines between [`BEGIN`] and [`END`] in `manifest` with
/// `block`. Errors when the markers are missing or out of order.
pub fn splice(manifest: &str, block: &str) -> Result<String, String> {
    let begin = manifest
        .find(BEGIN)
        .ok_or_else(|| format!("the manifest has no line `{BEGIN}`"))?;
    let after_begin = begin + BEGIN.len();
    let end = manifest[after_begin..]
        .find(END)
        .map(|i| i + after_begin)
        .ok_or_else(|| format!("the manifest has no line `{END}` after the begin marker"))?;
    let mut out = String::with_capacity(manifest.len() + block.len());
    out.push_str(&manifest[..after_begin]);
    out.push('\n');
    out.push_str(block);
    if !block.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&manifest[end..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_marked_lines_change() {
        let manifest =
            format!("[features]\ncli = []\n{BEGIN}\nold = []\n{END}\n\n[dependencies]\n");
        let out = splice(&manifest, "new = []\n").expect("markers present");
        assert_eq!(
            out,
            format!("[features]\ncli = []\n{BEGIN}\nnew = []\n{END}\n\n[dependencies]\n")
        );
        assert_eq!(splice(&out, "new = []\n").expect("idempotent"), out);
    }

    #[test]
    fn missing_markers_are_an_error() {
        assert!(splice("[features]\n", "x = []\n").is_err());
        assert!(splice(&format!("{BEGIN}\n"), "x = []\n").is_err());
    }
}
