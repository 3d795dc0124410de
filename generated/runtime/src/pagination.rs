//! Walking the pages of a paginated list operation (`listBackupExports`,
//! `listExportBuckets`, ...). The generated builders of those operations get
//! `pages()` (a [`Results`] stream of whole pages) and `stream()` (a [`Results`] stream of
//! items); one page is still a plain `send()` (set `page_num` to pick it).
//!
//! Pages are fetched lazily: one request when the stream needs the next
//! page, never ahead. The walk starts at the builder's `pageNum` (default 1),
//! keeps its `itemsPerPage`, `includeCount` and every other input, and stops
//! after a page when the first of these holds:
//!
//! 1. the page is empty;
//! 2. the page holds fewer items than `itemsPerPage` (the one set on the
//!    builder, else the spec's default, which is what the server uses);
//! 3. the page carries `totalCount` (`includeCount` true, the server's
//!    default) and the items up to and including this page,
//!    `(pageNum - 1) * itemsPerPage + len`, reach it;
//! 4. the page carries `links` and none of them has `rel: "next"`.
//!
//! Without `includeCount` rule 3 never applies and rules 1, 2 and 4 end the
//! walk (a full last page is recognised by its missing `next` link, or costs
//! one more request that returns an empty page). A failed request ends the
//! stream with its error (the client has already retried it as its
//! [`RetryPolicy`](super::RetryPolicy) allows).

use std::future::Future;

use futures_util::stream::{self, BoxStream, StreamExt};

use super::error::Error;
use super::response::Response;

/// A page type of a paginated operation (implemented by generated code for
/// Atlas's `Paginated*` wrappers).
pub trait Page {
    /// The type of one item.
    type Item;

    /// How many items this page holds.
    fn item_count(&self) -> usize;

    /// `totalCount`, when the server sent it.
    fn total_count(&self) -> Option<i64>;

    /// Whether the page's `links` include one with `rel: "next"`; `None`
    /// when the page carries no links.
    fn has_next_link(&self) -> Option<bool>;

    /// The items, in order.
    fn into_items(self) -> Vec<Self::Item>;
}

/// What a page's `links` say about a next page, from their `rel`s: `None`
/// when there are no links, else whether one is `"next"`. Every generated
/// [`Page::has_next_link`] is this over its own link type.
pub fn next_link<'a>(rels: impl IntoIterator<Item = Option<&'a str>>) -> Option<bool> {
    let mut any = false;
    for rel in rels {
        if rel == Some("next") {
            return Some(true);
        }
        any = true;
    }
    any.then_some(false)
}

/// Whether the walk stops after page `page_num` (see the module docs).
pub fn is_last_page<P: Page>(page: &P, page_num: i64, items_per_page: Option<i64>) -> bool {
    let len = i64::try_from(page.item_count()).unwrap_or(i64::MAX);
    if len == 0 {
        return true;
    }
    if items_per_page.is_some_and(|per_page| len < per_page) {
        return true;
    }
    if let (Some(total), Some(per_page)) = (page.total_count(), items_per_page) {
        let seen = (page_num.max(1) - 1)
            .saturating_mul(per_page)
            .saturating_add(len);
        if seen >= total {
            return true;
        }
    }
    page.has_next_link() == Some(false)
}

/// The stream a paginated builder's `pages()` and `stream()` return: the
/// results one at a time, a failed page as its error (which ends it). It is
/// `Unpin` and `Send`, so `while let Some(job) = jobs.try_next().await?`
/// works as written (with [`futures_util::TryStreamExt`], re-exported as
/// `atlas_admin_api::prelude::*`).
pub type Results<'a, T, E> = BoxStream<'a, Result<T, Error<E>>>;

/// The pages from `first` on, fetched lazily with `fetch(page_num)`.
pub fn pages<'a, P, E, F, Fut>(
    first: i64,
    items_per_page: Option<i64>,
    fetch: F,
) -> Results<'a, Response<P>, E>
where
    P: Page + Send + 'a,
    E: Send + 'a,
    F: FnMut(i64) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Response<P>, Error<E>>> + Send + 'a,
{
    stream::unfold((Some(first), fetch), move |(next, mut fetch)| async move {
        let page_num = next?;
        match fetch(page_num).await {
            Ok(page) => {
                let next = if is_last_page(&page.body, page_num, items_per_page) {
                    None
                } else {
                    page_num.checked_add(1)
                };
                Some((Ok(page), (next, fetch)))
            }
            Err(err) => Some((Err(err), (None, fetch))),
        }
    })
    .boxed()
}

/// A page as the server sent it, read as JSON (`results`, `totalCount`,
/// `links`), for walking the pages of any API version: the command line's
/// `--all` prints the items as received. A body without a `results` array
/// holds no items (which ends a walk).
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPage(pub serde_json::Value);

impl JsonPage {
    fn results(&self) -> &[serde_json::Value] {
        self.0
            .get("results")
            .and_then(serde_json::Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
}

impl Page for JsonPage {
    type Item = serde_json::Value;

    fn item_count(&self) -> usize {
        self.results().len()
    }

    fn total_count(&self) -> Option<i64> {
        self.0.get("totalCount").and_then(serde_json::Value::as_i64)
    }

    fn has_next_link(&self) -> Option<bool> {
        let links = self.0.get("links")?.as_array()?;
        next_link(
            links
                .iter()
                .map(|link| link.get("rel").and_then(serde_json::Value::as_str)),
        )
    }

    fn into_items(self) -> Vec<serde_json::Value> {
        match self.0 {
            serde_json::Value::Object(mut map) => match map.remove("results") {
                Some(serde_json::Value::Array(items)) => items,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}

/// The items of a stream of pages, in order; an error is passed on and ends
/// the stream.
pub fn items<'a, P, E>(pages: Results<'a, Response<P>, E>) -> Results<'a, P::Item, E>
where
    P: Page + Send + 'a,
    P::Item: Send,
    E: Send + 'a,
{
    pages
        .flat_map(|page| {
            let items: Vec<Result<P::Item, Error<E>>> = match page {
                Ok(page) => page.body.into_items().into_iter().map(Ok).collect(),
                Err(err) => vec![Err(err)],
            };
            stream::iter(items)
        })
        .boxed()
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_link_reads_the_rels() {
        assert_eq!(super::next_link([]), None);
        assert_eq!(super::next_link([Some("self"), None]), Some(false));
        assert_eq!(super::next_link([Some("self"), Some("next")]), Some(true));
    }

    use super::*;

    struct Fake {
        n: usize,
        total: Option<i64>,
        next: Option<bool>,
    }

    impl Page for Fake {
        type Item = ();
        fn item_count(&self) -> usize {
            self.n
        }
        fn total_count(&self) -> Option<i64> {
            self.total
        }
        fn has_next_link(&self) -> Option<bool> {
            self.next
        }
        fn into_items(self) -> Vec<()> {
            vec![(); self.n]
        }
    }

    fn page(n: usize, total: Option<i64>, next: Option<bool>) -> Fake {
        Fake { n, total, next }
    }

    #[test]
    fn stop_rules() {
        // Empty and short pages end the walk.
        assert!(is_last_page(&page(0, None, None), 1, Some(3)));
        assert!(is_last_page(&page(2, None, None), 1, Some(3)));
        // A full page without any other sign goes on.
        assert!(!is_last_page(&page(3, None, None), 1, Some(3)));
        // totalCount reached, counting the pages before.
        assert!(is_last_page(&page(3, Some(6), None), 2, Some(3)));
        assert!(!is_last_page(&page(3, Some(7), None), 2, Some(3)));
        // Links without `next` end it; with `next` they do not.
        assert!(is_last_page(&page(3, None, Some(false)), 1, Some(3)));
        assert!(!is_last_page(&page(3, None, Some(true)), 1, Some(3)));
        // Without a page size only emptiness, totalCount-less links count.
        assert!(!is_last_page(&page(3, Some(3), None), 1, None));
    }

    #[test]
    fn json_pages_read_results_total_and_links() {
        let page = JsonPage(serde_json::json!({
            "results": [{"id": 1}, {"id": 2}],
            "totalCount": 5,
            "links": [{"rel": "self"}, {"rel": "next"}],
        }));
        assert_eq!(page.item_count(), 2);
        assert_eq!(page.total_count(), Some(5));
        assert_eq!(page.has_next_link(), Some(true));
        assert!(!is_last_page(&page, 1, Some(2)));
        assert!(is_last_page(&page, 3, Some(2)));
        assert_eq!(page.into_items().len(), 2);
        let odd = JsonPage(serde_json::json!({"results": "no", "links": [{"rel": "self"}]}));
        assert_eq!((odd.item_count(), odd.has_next_link()), (0, Some(false)));
        assert!(JsonPage(serde_json::json!([1])).into_items().is_empty());
    }
}
