//! Serving a list one page at a time, as Atlas's paginated operations do.

use bytes::Bytes;

/// The page a request asks for: `pageNum` (from 1) and `itemsPerPage`
/// from `query`, else 1 and `default_per_page`. The body is Atlas's
/// `Paginated*` shape: `results`, `totalCount` (left out when the request
/// says `includeCount=false`) and `links` (`self`, and `next` while items
/// remain), hrefs absolute on `origin` (`http://127.0.0.1:PORT`).
pub(crate) fn page_body(
    items: &[serde_json::Value],
    query: &[(String, String)],
    default_per_page: i64,
    origin: &str,
    path: &str,
) -> Bytes {
    let read = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.parse::<i64>().ok())
    };
    let page_num = read("pageNum").unwrap_or(1).max(1);
    let per_page = read("itemsPerPage").unwrap_or(default_per_page).max(1);
    let include_count = query
        .iter()
        .find(|(n, _)| n == "includeCount")
        .is_none_or(|(_, v)| v != "false");
    let start = usize::try_from((page_num - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let count = usize::try_from(per_page).unwrap_or(usize::MAX);
    let results: Vec<&serde_json::Value> = items.iter().skip(start).take(count).collect();
    let href = |page: i64| format!("{origin}{path}?pageNum={page}&itemsPerPage={per_page}");
    let mut links = vec![serde_json::json!({"href": href(page_num), "rel": "self"})];
    if page_num > 1 {
        links.push(serde_json::json!({"href": href(page_num - 1), "rel": "previous"}));
    }
    if start.saturating_add(results.len()) < items.len() {
        links.push(serde_json::json!({"href": href(page_num + 1), "rel": "next"}));
    }
    let mut body = serde_json::json!({ "links": links, "results": results });
    if include_count {
        body["totalCount"] = serde_json::json!(items.len());
    }
    Bytes::from(body.to_string())
}

#[cfg(test)]
mod tests {
    use super::page_body;

    fn page(query: &[(&str, &str)]) -> serde_json::Value {
        let items: Vec<serde_json::Value> = (1..=5).map(|i| serde_json::json!(i)).collect();
        let query: Vec<(String, String)> = query
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        serde_json::from_slice(&page_body(&items, &query, 2, "http://h", "/p")).unwrap_or_default()
    }

    fn rels(page: &serde_json::Value) -> Vec<&str> {
        page["links"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["rel"].as_str())
            .collect()
    }

    #[test]
    fn pages_follow_page_num_and_items_per_page() {
        let first = page(&[]);
        assert_eq!(first["results"], serde_json::json!([1, 2]));
        assert_eq!(first["totalCount"], 5);
        assert_eq!(rels(&first), ["self", "next"]);
        let last = page(&[("pageNum", "3")]);
        assert_eq!(last["results"], serde_json::json!([5]));
        assert_eq!(rels(&last), ["self", "previous"]);
        let big = page(&[("itemsPerPage", "10"), ("includeCount", "false")]);
        assert_eq!(big["results"], serde_json::json!([1, 2, 3, 4, 5]));
        assert!(big.get("totalCount").is_none());
        assert_eq!(
            big["links"][0]["href"],
            "http://h/p?pageNum=1&itemsPerPage=10"
        );
        assert_eq!(page(&[("pageNum", "9")])["results"], serde_json::json!([]));
    }
}
