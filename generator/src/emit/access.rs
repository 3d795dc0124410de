//! Reading a field of a generated struct whatever its shape: one home for
//! the expressions that turn a field stored as `T`, `Option<T>` or
//! `Option<Option<T>>` ([`Shape`]) into what hand-written runtime traits
//! ask for (`Option<&str>`, `Option<T>`, an iterator). Emitters that read
//! fields (page walkers, error details) go through these, so that a field
//! the spec makes required, optional or nullable reads right in each case.

use proc_macro2::TokenStream;
use quote::quote;

use crate::rules::Shape;

/// `Option<&str>` from a `String` field expression `value` of `shape`.
pub(super) fn str_ref(value: &TokenStream, shape: Shape) -> TokenStream {
    match shape {
        Shape::Plain => quote! { Some(#value.as_str()) },
        Shape::Optional | Shape::NullableRequired => quote! { #value.as_deref() },
        Shape::ThreeState => quote! { #value.as_ref().and_then(|v| v.as_deref()) },
    }
}

/// `Option<T>` from a `Copy` field expression `value` of `shape`.
pub(super) fn copied(value: &TokenStream, shape: Shape) -> TokenStream {
    match shape {
        Shape::Plain => quote! { Some(#value) },
        Shape::Optional | Shape::NullableRequired => quote! { #value },
        Shape::ThreeState => quote! { #value.flatten() },
    }
}

/// The number of items of a list field expression `value` of `shape`
/// (0 when absent or `null`).
pub(super) fn len(value: &TokenStream, shape: Shape) -> TokenStream {
    match shape {
        Shape::Plain => quote! { #value.len() },
        Shape::Optional | Shape::NullableRequired => quote! { #value.as_ref().map_or(0, Vec::len) },
        Shape::ThreeState => {
            quote! { #value.as_ref().and_then(Option::as_ref).map_or(0, Vec::len) }
        }
    }
}

/// The list a list field expression `value` of `shape` holds, moved out
/// (empty when absent or `null`).
pub(super) fn into_list(value: &TokenStream, shape: Shape) -> TokenStream {
    match shape {
        Shape::Plain => quote! { #value },
        Shape::Optional | Shape::NullableRequired => quote! { #value.unwrap_or_default() },
        Shape::ThreeState => quote! { #value.flatten().unwrap_or_default() },
    }
}

/// An iterator over references to the items of a list field expression
/// `value` of `shape` (none when absent or `null`), skipping `null` items
/// when `nullable_items`.
pub(super) fn iter(value: &TokenStream, shape: Shape, nullable_items: bool) -> TokenStream {
    let list = match shape {
        Shape::Plain => quote! { #value.iter() },
        Shape::Optional | Shape::NullableRequired => quote! { #value.iter().flatten() },
        Shape::ThreeState => quote! { #value.iter().flatten().flatten() },
    };
    if nullable_items {
        quote! { #list.flatten() }
    } else {
        list
    }
}
