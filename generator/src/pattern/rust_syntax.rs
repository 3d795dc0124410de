//! Prints a [`Node`] as `regex` crate syntax with the same (ECMA-262) meaning.

use std::fmt::Write;

use super::parse::Node;

/// Rust `regex` source equivalent to `node`: every class is spelled out with `\x{..}`
/// escapes, `^`/`$` are text anchors (`\A`, `\z`) and `\b` is the ASCII word boundary.
pub(crate) fn to_rust(node: &Node) -> String {
    let mut out = String::new();
    write_node(node, &mut out);
    out
}

fn write_node(node: &Node, out: &mut String) {
    match node {
        Node::Empty => out.push_str("(?:)"),
        Node::Set(set) => {
            if set.ranges().is_empty() {
                // Matches nothing.
                out.push_str("[^\\x{0}-\\x{10FFFF}]");
                return;
            }
            out.push('[');
            for r in set.ranges() {
                let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                let _ = write!(out, "\\x{{{lo:X}}}");
                if hi != lo {
                    let _ = write!(out, "-\\x{{{hi:X}}}");
                }
            }
            out.push(']');
        }
        Node::Start => out.push_str("\\A"),
        Node::End => out.push_str("\\z"),
        Node::WordBoundary(true) => out.push_str("(?-u:\\b)"),
        Node::WordBoundary(false) => out.push_str("(?-u:\\B)"),
        Node::Concat(items) => {
            for item in items {
                write_node(item, out);
            }
        }
        Node::Alt(alts) => {
            out.push_str("(?:");
            for (i, alt) in alts.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                write_node(alt, out);
            }
            out.push(')');
        }
        Node::Repeat { node, min, max } => {
            out.push_str("(?:");
            write_node(node, out);
            out.push(')');
            let _ = match max {
                Some(max) => write!(out, "{{{min},{max}}}"),
                None => write!(out, "{{{min},}}"),
            };
        }
    }
}
