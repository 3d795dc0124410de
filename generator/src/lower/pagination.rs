//! Paginated list operations: which operations are, and how to walk their
//! pages.
//!
//! An operation is paginated when it has `pageNum` and `itemsPerPage` query
//! parameters (integers) and its success type is a struct with a `results`
//! list (Atlas's `Paginated*` wrappers, which may also carry `totalCount` and
//! `links`). Its builder then gets `pages()` (a `Stream` of whole pages) and
//! `stream()` (a `Stream` of items), and its page type implements
//! `crate::runtime::Page`. When the walk stops is decided once, in the
//! runtime (`runtime/pagination.rs`).

use crate::ir::{
    Api, Field, Operation, PageField, PageLinks, Pagination, ParamLocation, Type, TypeDef,
};

/// Fills [`Operation::pagination`] for every paginated operation of `api`.
pub(crate) fn detect_all(api: &mut Api) {
    let found: Vec<Option<Pagination>> = api
        .operations
        .iter()
        .map(|op| detect(&api.types, op))
        .collect();
    for (op, pagination) in api.operations.iter_mut().zip(found) {
        op.pagination = pagination;
    }
}

/// The pagination of `op`, if it is a paginated list operation.
pub(crate) fn detect(
    types: &std::collections::BTreeMap<String, TypeDef>,
    op: &Operation,
) -> Option<Pagination> {
    let query_int = |name: &str| {
        op.params.iter().position(|p| {
            p.wire_name == name && p.location == ParamLocation::Query && p.ty == Type::I64
        })
    };
    let page_num = query_int("pageNum")?;
    let items_per_page = query_int("itemsPerPage")?;
    let Some(Type::Named(page_type)) = &op.success_type else {
        return None;
    };
    let Some(TypeDef::Struct(page)) = types.get(page_type) else {
        return None;
    };
    let results = page.fields.iter().find(|f| f.wire_name == "results")?;
    let Type::Vec(item) = &results.ty else {
        return None;
    };
    let field = |f: &Field| PageField {
        rust_name: f.rust_name.clone(),
        shape: f.shape(page.view),
    };
    let total_count = page
        .fields
        .iter()
        .find(|f| f.wire_name == "totalCount" && f.ty == Type::I64 && !f.boxed)
        .map(field);
    let links = page.fields.iter().find_map(|f| {
        if f.wire_name != "links" {
            return None;
        }
        let Type::Vec(inner) = &f.ty else {
            return None;
        };
        let (link, nullable_items) = match inner.as_ref() {
            Type::Named(link) => (link, false),
            Type::Nullable(inner) => match inner.as_ref() {
                Type::Named(link) => (link, true),
                _ => return None,
            },
            _ => return None,
        };
        let Some(TypeDef::Struct(link)) = types.get(link) else {
            return None;
        };
        let rel = link
            .fields
            .iter()
            .find(|l| l.wire_name == "rel" && l.ty == Type::String && !l.boxed)?;
        Some(PageLinks {
            field: field(f),
            nullable_items,
            rel: PageField {
                rust_name: rel.rust_name.clone(),
                shape: rel.shape(link.view),
            },
        })
    });
    let default_items_per_page = op.params[items_per_page]
        .default
        .as_ref()
        .and_then(serde_json::Value::as_i64);
    Some(Pagination {
        page_num,
        items_per_page,
        default_items_per_page,
        page_type: page_type.clone(),
        results: field(results),
        item: (**item).clone(),
        total_count,
        links,
    })
}
