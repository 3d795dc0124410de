//! The user guide: how to use the client and the `atlas-api` command line
//! for real work. Every page applies to every operation; the backup-export
//! operations this crate ships serve as the examples. Every Rust snippet is
//! compiled (and, where it reaches no network, run) by `cargo test`, but
//! for the OpenTelemetry setup, which needs crates this one does not
//! depend on.
//!
//! | page | what it answers |
//! |---|---|
//! | [`authentication`] | service accounts, API keys, logins, the token cache; **every environment variable and profile key** in one table |
//! | [`production`] | timeouts, deadlines, retries (by status and by Atlas error code), the shared rate limiter, the `User-Agent`, TLS and private CAs, proxies, your own HTTP client, interceptors, streamed downloads, tracing, OpenTelemetry and the wire log |
//! | [`versions`] | API versions and their end (`x-sunset`, `410 Gone`), what the request and response types look like, and the decoding rules |
//! | [`errors`] | the one error type, its messages, and matching on it |
//! | [`pagination`] | page streams and waiters for long-running work |
//! | [`testing`] | testing your own code against a mock Atlas (feature `test-util`) |
//! | [`coming_from_go`] | the Go SDK and `atlas api`, side by side with this crate |
//! | [`cli`] | the `atlas-api` command line: what it covers, flags, output, scripts |
//! | [`whole_api`] | every operation: the whole Atlas API, other specs, cargo features per tag |
//! | [`releases`] | versions of this crate (Rust semver: what a release may change, building `#[non_exhaustive]` types), the changelog, where the maintainer docs are |
//!
//! The operations this build of the crate has (generated from the spec by
//! `cargo xtask codegen`, so it cannot go stale):
//!
#![doc = include_str!("gen/operations.md")]

#[doc = include_str!("guide/authentication.md")]
pub mod authentication {}

#[doc = include_str!("guide/production.md")]
pub mod production {}

#[doc = include_str!("guide/versions.md")]
pub mod versions {}

#[doc = include_str!("guide/errors.md")]
pub mod errors {}

#[doc = include_str!("guide/pagination.md")]
pub mod pagination {}

#[cfg_attr(feature = "test-util", doc = include_str!("guide/testing.md"))]
#[cfg_attr(
    not(feature = "test-util"),
    doc = "# Testing your code: a mock Atlas\n\nThis page needs the feature `test-util` \
           (its examples use it): `cargo doc --features test-util`, or docs.rs, shows it."
)]
pub mod testing {}

#[doc = include_str!("guide/coming_from_go.md")]
pub mod coming_from_go {}

#[doc = include_str!("guide/cli.md")]
pub mod cli {}

#[doc = include_str!("guide/whole_api.md")]
pub mod whole_api {}

#[doc = include_str!("guide/releases.md")]
pub mod releases {}
