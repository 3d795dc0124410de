//! Links of spec prose, made absolute once for every doc the generator
//! writes. Atlas's prose often points into the API reference page itself
//! (`[/groups](#tag/Projects/operation/listProjects)`): a fragment of the
//! page named by the operations' `x-xgen-docs-url`. [`resolve_link`] is the
//! one rule: a fragment is made absolute against that page; any other
//! relative link, or a fragment without a page, is left as its text alone
//! (a URL we cannot vouch for is not printed). The lowering applies it to
//! every doc of the IR (operations, parameters, bodies, types, fields,
//! validated strings: `lower/docs.rs`); the command line's help applies it
//! while rendering plain text (`emit/markdown.rs`).

use pulldown_cmark::{Event, Parser, Tag};

/// The page a fragment link (`#tag/...`) of an operation's prose refers
/// to: its docs URL without the fragment.
pub fn docs_page(docs_url: Option<&str>) -> Option<&str> {
    let url = docs_url?;
    Some(url.split_once('#').map_or(url, |(page, _)| page))
}

/// Where a link of spec prose points, absolute, or `None` when it is a
/// relative link that cannot be resolved (then only its text is kept).
pub fn resolve_link(dest: &str, page: Option<&str>) -> Option<String> {
    if dest.starts_with("https://") || dest.starts_with("http://") || dest.starts_with("mailto:") {
        return Some(dest.to_owned());
    }
    match (dest.strip_prefix('#'), page) {
        (Some(_), Some(page)) => Some(format!("{page}{dest}")),
        _ => None,
    }
}

/// `markdown` with its relative links resolved for rustdoc: a fragment
/// link points into `page`; a link that cannot be resolved becomes its
/// text.
pub fn absolute_links(markdown: &str, page: Option<&str>) -> String {
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for (event, range) in Parser::new(markdown).into_offset_iter() {
        let Event::Start(Tag::Link { dest_url, .. }) = event else {
            continue;
        };
        let source = &markdown[range.clone()];
        // Only inline links (`[text](dest)`) are rewritten; autolinks and
        // references are absolute or left alone.
        let (Some(open), true) = (source.rfind("]("), source.ends_with(')')) else {
            continue;
        };
        if resolve_link(&dest_url, None).is_some() {
            continue;
        }
        let replacement = match resolve_link(&dest_url, page) {
            Some(url) => format!("{}]({url})", &source[..open]),
            None => source[1..open].to_owned(),
        };
        edits.push((range, replacement));
    }
    let mut out = markdown.to_owned();
    for (range, replacement) in edits.into_iter().rev() {
        out.replace_range(range, &replacement);
    }
    out
}
