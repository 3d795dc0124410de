//! Which Atlas API version (media type) each operation and body is
//! generated for, through [`crate::rules`].

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use openapiv3::{MediaType, StatusCode};

use super::Lowerer;
use crate::extensions;
use crate::ir::VersionMedia;
use crate::rules;

impl<'a> Lowerer<'a> {
    /// Every API version an operation's request body and success responses offer.
    pub(super) fn offered_versions(&self, op: &'a openapiv3::Operation) -> BTreeSet<&'a str> {
        let mut media: Vec<&'a str> = Vec::new();
        if let Some(rb) = op.request_body.as_ref().and_then(|b| self.resolve_body(b)) {
            media.extend(rb.content.keys().map(String::as_str));
        }
        for (status, resp) in &op.responses.responses {
            if !matches!(status, StatusCode::Code(c) if rules::is_success(*c)) {
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

    /// What each offered version's media types say: its 2xx response
    /// formats, earliest `x-sunset` and public preview mark (same order as
    /// [`Self::offered_versions`]).
    pub(super) fn version_media(&self, op: &'a openapiv3::Operation) -> Vec<VersionMedia> {
        let mut by_version: BTreeMap<String, VersionMedia> = BTreeMap::new();
        let mut note = |content: &IndexMap<String, MediaType>, response: bool| {
            for (media, mt) in content {
                let Some((version, format)) = rules::atlas_media(media) else {
                    continue;
                };
                let entry = by_version
                    .entry(version.to_owned())
                    .or_insert_with(|| VersionMedia {
                        version: version.to_owned(),
                        formats: Vec::new(),
                        sunset: None,
                        public_preview: false,
                    });
                if response && !entry.formats.iter().any(|f| f == format) {
                    entry.formats.push(format.to_owned());
                }
                if let Some(sunset) = extensions::sunset(&mt.extensions) {
                    if entry.sunset.as_deref().is_none_or(|known| sunset < known) {
                        entry.sunset = Some(sunset.to_owned());
                    }
                }
                if extensions::public_preview(&mt.extensions) {
                    entry.public_preview = true;
                }
            }
        };
        if let Some(rb) = op.request_body.as_ref().and_then(|b| self.resolve_body(b)) {
            note(&rb.content, false);
        }
        for (status, resp) in &op.responses.responses {
            if !matches!(status, StatusCode::Code(c) if rules::is_success(*c)) {
                continue;
            }
            if let Some(resp) = self.resolve_response(resp) {
                note(&resp.content, true);
            }
        }
        by_version
            .into_values()
            .map(|mut v| {
                v.formats.sort();
                v
            })
            .collect()
    }
}
