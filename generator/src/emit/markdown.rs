//! Spec prose is CommonMark. The command line's help is plain text, so it
//! is rendered there ([`help_text`]): paragraphs and list items kept apart,
//! emphasis and code marks dropped, and each link as its text followed by
//! its URL in parentheses. Rustdoc reads Markdown itself, so only its links
//! are mended ([`absolute_links`]).
//!
//! Links of the Atlas spec often point into the API reference page itself
//! (`[/groups](#tag/Projects/operation/listProjects)`): a fragment of the
//! page the operation's `x-xgen-docs-url` names. One rule
//! ([`resolve_link`]) serves both: a fragment is made absolute against that
//! page when the operation has one; any other relative link, or a fragment
//! without a page, is left as its text alone (a URL we cannot vouch for is
//! not printed).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

pub use crate::links::{absolute_links, docs_page, resolve_link};

/// `markdown` as plain text for the command line's help.
pub fn help_text(markdown: &str, page: Option<&str>) -> String {
    let mut out = String::new();
    // Where the text of each open link starts, and where it points.
    let mut links: Vec<(usize, String)> = Vec::new();
    // The open lists: the next number of an ordered one.
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut in_code_block = false;
    let block_break = |out: &mut String| {
        let trimmed = out.trim_end_matches([' ', '\n']).len();
        out.truncate(trimmed);
        if !out.is_empty() {
            out.push_str("\n\n");
        }
    };
    for event in Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match event {
            // A paragraph right after a list item's mark continues it.
            Event::Start(Tag::Paragraph | Tag::Heading { .. } | Tag::BlockQuote(_))
                if !out.ends_with("- ") && !out.ends_with(". ") =>
            {
                if lists.is_empty() {
                    block_break(&mut out);
                } else if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
            }
            Event::Start(Tag::CodeBlock(_)) => {
                block_break(&mut out);
                in_code_block = true;
            }
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Start(Tag::List(first)) => {
                if lists.is_empty() {
                    block_break(&mut out);
                }
                lists.push(first);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                let trimmed = out.trim_end_matches(' ').len();
                out.truncate(trimmed);
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&"  ".repeat(lists.len().saturating_sub(1)));
                match lists.last_mut() {
                    Some(Some(n)) => {
                        out.push_str(&format!("{n}. "));
                        *n += 1;
                    }
                    _ => out.push_str("- "),
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                links.push((out.len(), dest_url.into_string()))
            }
            Event::End(TagEnd::Link) => {
                if let Some((start, dest)) = links.pop() {
                    let text = out[start..].trim().to_owned();
                    if let Some(url) = resolve_link(&dest, page) {
                        if text.is_empty() {
                            out.push_str(&url);
                        } else if text != url {
                            out.push_str(&format!(" ({url})"));
                        }
                    }
                }
            }
            Event::Text(text) if in_code_block => {
                for line in text.lines() {
                    out.push_str("    ");
                    out.push_str(line);
                    out.push('\n');
                }
            }
            Event::Text(text) | Event::Code(text) => push_words(&mut out, &text),
            Event::SoftBreak => push_words(&mut out, " "),
            Event::HardBreak => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push_str(" | "),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_owned()
}

/// Inline text onto `out`, runs of whitespace as one space.
fn push_words(out: &mut String, text: &str) {
    for (i, part) in text.split(char::is_whitespace).enumerate() {
        if i > 0 && !out.ends_with([' ', '\n']) && !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/";

    #[test]
    fn links_show_their_text_and_where_they_point() {
        let text = "Use [/groups](#tag/Projects/operation/listProjects) or [`/orgs`](#tag/Organizations/operation/listOrganizations); see [the manual](https://www.mongodb.com/docs/atlas/) and [there](other.html).";
        assert_eq!(
            help_text(text, Some(PAGE)),
            "Use /groups (https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Projects/operation/listProjects) or /orgs (https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Organizations/operation/listOrganizations); see the manual (https://www.mongodb.com/docs/atlas/) and there."
        );
        // No docs page: a fragment is its text alone.
        assert_eq!(
            help_text("Use [/groups](#tag/Projects).", None),
            "Use /groups."
        );
        assert_eq!(
            help_text("<https://a.b/c> and [https://a.b/c](https://a.b/c)", None),
            "https://a.b/c and https://a.b/c"
        );
    }

    #[test]
    fn blocks_stay_apart_and_marks_go() {
        let text = "First **bold** and *em*\nline.\n\n- one\n- two `code`\n\n1. a\n2. b\n\nLast.";
        assert_eq!(
            help_text(text, None),
            "First bold and em line.\n\n- one\n- two code\n\n1. a\n2. b\n\nLast."
        );
    }

    #[test]
    fn rustdoc_links_become_absolute_or_text() {
        let text = "See [/groups](#tag/Projects/operation/listProjects) and [x](https://a.b) and [y](rel.html).";
        assert_eq!(
            absolute_links(text, Some(PAGE)),
            "See [/groups](https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Projects/operation/listProjects) and [x](https://a.b) and y."
        );
        assert_eq!(
            absolute_links(text, None),
            "See /groups and [x](https://a.b) and y."
        );
        assert_eq!(
            docs_page(Some("https://x.y/v2/#tag/A/operation/b")),
            Some("https://x.y/v2/")
        );
    }
}
