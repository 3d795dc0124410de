//! What the mock knows of a generated operation ([`Operation`], and its
//! constants without types, `OperationInfo`) and the error body it answers
//! with ([`api_error_body`]). The bottom of the mock: it imports only the
//! response contract.

use crate::response::Endpoint;

/// What the mock needs to know about one generated operation (implemented
/// by the generated code, for each request builder with the `'static`
/// lifetime): how it is routed and which API versions it answers.
pub trait Operation: Endpoint + 'static {
    /// The spec's `operationId`.
    const OPERATION_ID: &'static str;
    /// The client's method for it (`create_backup_export`).
    const NAME: &'static str;
    /// HTTP method (`GET`).
    const METHOD: &'static str;
    /// The spec's path template.
    const PATH: &'static str;
    /// The API versions the operation answers, oldest first (empty for an
    /// operation without versioned media types).
    const VERSIONS: &'static [&'static str];
    /// The spec's default `itemsPerPage` (paginated operations).
    const ITEMS_PER_PAGE: i64 = 100;
    /// The request body type (`()` for none).
    type Body;
}

/// The constants of an [`Operation`], without its types.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OperationInfo {
    pub(crate) operation_id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) versions: &'static [&'static str],
    pub(crate) items_per_page: i64,
    pub(crate) success_status: u16,
}

impl OperationInfo {
    pub(crate) fn of<O: Operation>() -> Self {
        Self {
            operation_id: O::OPERATION_ID,
            name: O::NAME,
            method: O::METHOD,
            path: O::PATH,
            versions: O::VERSIONS,
            items_per_page: O::ITEMS_PER_PAGE,
            success_status: O::SUCCESS.first().map_or(200, |(status, _)| *status),
        }
    }
}

/// An `ApiError`-shaped JSON body, as Atlas sends with every 4xx and 5xx.
pub fn api_error_body(status: u16, error_code: &str, detail: &str) -> serde_json::Value {
    serde_json::json!({
        "error": status,
        "errorCode": error_code,
        "detail": detail,
        "reason": reason_phrase(status),
        "parameters": [],
    })
}

/// The reason phrase of a status (`Not Found`), empty for unknown ones.
fn reason_phrase(status: u16) -> &'static str {
    hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}
