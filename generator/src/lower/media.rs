//! Which Atlas API version (media type) each operation and body is
//! generated for, through [`crate::rules`].

use super::*;

impl<'a> Lowerer<'a> {
    /// Every API version an operation's request body and success responses offer.
    pub(super) fn offered_versions(&self, op: &'a openapiv3::Operation) -> BTreeSet<&'a str> {
        let mut media: Vec<&'a str> = Vec::new();
        if let Some(rb) = op.request_body.as_ref().and_then(|b| self.resolve_body(b)) {
            media.extend(rb.content.keys().map(String::as_str));
        }
        for (status, resp) in &op.responses.responses {
            if !matches!(status, StatusCode::Code(c) if (200..300).contains(c)) {
                continue;
            }
            if let Some(resp) = self.resolve_response(resp) {
                media.extend(resp.content.keys().map(String::as_str));
            }
        }
        rules::offered_versions(media)
    }

    /// The API version an operation is generated for, from the versions its
    /// request body and success responses offer and the pin.
    pub(super) fn choose_version(&self, op: &'a openapiv3::Operation) -> Option<String> {
        rules::choose_version(&self.offered_versions(op), &self.version).map(str::to_owned)
    }
}
