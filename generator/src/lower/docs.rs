//! Every doc of the IR with its links absolute (see [`crate::links`]): a
//! `#tag/...` fragment of spec prose resolves against the operation's docs
//! page, and in the docs of types, fields and validated strings (which
//! belong to no one operation) against the page the spec's operations
//! share. Decided here once, so every emitter (rustdoc of models,
//! parameters, enums, operations; the command line's help) writes links
//! that go somewhere.

use std::collections::BTreeMap;

use crate::ir::{Api, TypeDef};
use crate::links::{absolute_links, docs_page};

/// The docs page most operations' `x-xgen-docs-url` point into (ties: the
/// first by name), if any has one.
pub(super) fn shared_docs_page(api: &Api) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for op in &api.operations {
        if let Some(page) = docs_page(op.docs_url.as_deref()) {
            *counts.entry(page).or_default() += 1;
        }
    }
    let most = counts.values().copied().max()?;
    counts
        .into_iter()
        .find(|(_, n)| *n == most)
        .map(|(page, _)| page.to_owned())
}

fn mend(doc: &mut Option<String>, page: Option<&str>) {
    if let Some(text) = doc {
        if text.contains("](") {
            *text = absolute_links(text, page);
        }
    }
}

/// Makes every link of every doc in `api` absolute, or plain text where it
/// cannot be resolved.
pub(super) fn absolute_doc_links(api: &mut Api) {
    let shared = shared_docs_page(api);
    let shared = shared.as_deref();
    for op in &mut api.operations {
        let own = docs_page(op.docs_url.as_deref())
            .map(str::to_owned)
            .or_else(|| shared.map(str::to_owned));
        let page = own.as_deref();
        mend(&mut op.summary, page);
        mend(&mut op.description, page);
        for param in &mut op.params {
            mend(&mut param.doc, page);
        }
        if let Some(body) = &mut op.body {
            mend(&mut body.doc, page);
        }
    }
    for def in api.types.values_mut() {
        match def {
            TypeDef::Struct(s) => {
                mend(&mut s.doc, shared);
                for field in &mut s.fields {
                    mend(&mut field.doc, shared);
                }
            }
            TypeDef::Enum(e) => mend(&mut e.doc, shared),
            TypeDef::Union(u) => mend(&mut u.doc, shared),
            TypeDef::Alias(a) => mend(&mut a.doc, shared),
            TypeDef::Wrapper(w) => mend(&mut w.doc, shared),
        }
    }
    for newtype in api.newtypes.values_mut() {
        mend(&mut newtype.doc, shared);
    }
}
