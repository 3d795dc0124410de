//! Tokens kept across clients and renewed as Atlas needs, against the
//! loopback Atlas of `support/oauth_server.rs` (rate limit included):
//! service-account tokens shared through a [`FileTokenCache`] (two clients,
//! thirty clients in a row, eight at once), cached tokens that expired or
//! are refused replaced once, the token endpoint's 429 waited out or
//! reported with the server's words, and `atlas auth login` sessions
//! renewed with their refresh token (or reported dead).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use atlas_admin_runtime::{
    Auth, AuthError, CachedToken, Error, FileTokenCache, LoginStore, RenewedLogin, RetryPolicy,
    ServiceAccount, TokenCache, TokenKey, Transport, UserAccount,
};
use serde_json::Value;

mod common;
#[path = "support/oauth_server.rs"]
mod oauth_server;

use oauth_server::{OAuthServer, CLIENT_ID, CLIENT_SECRET};

fn client(server: &OAuthServer, auth: impl Into<Auth>) -> Transport {
    client_with(server, auth, RetryPolicy::new())
}

fn client_with(server: &OAuthServer, auth: impl Into<Auth>, retry: RetryPolicy) -> Transport {
    Transport::builder()
        .base_url(server.uri())
        .auth(auth.into())
        .retry(retry.base_delay(Duration::from_millis(10)))
        .build()
        .expect("client")
}

fn cached_account(cache: &FileTokenCache) -> ServiceAccount {
    ServiceAccount::new(CLIENT_ID, CLIENT_SECRET).token_cache(cache.clone())
}

fn key(server: &OAuthServer) -> TokenKey {
    TokenKey::new(format!("{}/api/oauth/token", server.uri()), CLIENT_ID)
}

async fn call(client: &Transport) -> Result<Value, Error<Value>> {
    common::export(client, None).await.map(|r| r.body)
}

#[tokio::test]
async fn two_clients_share_one_token_through_the_cache() {
    let atlas = OAuthServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let cache = FileTokenCache::new(dir.path());
    for _ in 0..2 {
        let client = client(&atlas, cached_account(&cache));
        for _ in 0..5 {
            call(&client).await.expect("call succeeds");
        }
    }
    assert_eq!(atlas.state.tokens(), 1);
    assert_eq!(atlas.state.api_calls(), 10);
    assert_eq!(atlas.state.tokens_used().len(), 1);
    // The cache holds the token under its key, never the secret.
    let stored = std::fs::read_to_string(cache.entry_path(&key(&atlas))).expect("entry");
    assert!(stored.contains(&atlas.state.tokens_used()[0]), "{stored}");
    assert!(!stored.contains(CLIENT_SECRET), "{stored}");
}

#[tokio::test]
async fn thirty_clients_in_a_row_need_one_token_and_without_the_cache_hit_the_limit() {
    let atlas = OAuthServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let cache = FileTokenCache::new(dir.path());
    for _ in 0..30 {
        call(&client(&atlas, cached_account(&cache)))
            .await
            .expect("call succeeds");
    }
    assert_eq!((atlas.state.tokens(), atlas.state.api_calls()), (1, 30));

    // Without a cache each client mints its own: the eleventh in a minute
    // is refused, and the error names Atlas's limit.
    let atlas = OAuthServer::start().await;
    let retry = RetryPolicy::new().max_retry_after(Duration::from_secs(2));
    let mut outcomes = Vec::new();
    for _ in 0..12 {
        let account = Auth::service_account(CLIENT_ID, CLIENT_SECRET);
        outcomes.push(call(&client_with(&atlas, account, retry.clone())).await);
    }
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 10);
    match &outcomes[10] {
        Err(Error::Auth(err @ AuthError::RateLimited { retry_after, .. })) => {
            let shown = err.to_string();
            assert!(
                shown.contains("HTTP 429")
                    && shown.contains(
                        "RATE_LIMITED: Resource /api/oauth/token is limited to 10 requests every 1 minutes."
                    )
                    && shown.contains("past the 2 s this client waits"),
                "{shown}"
            );
            assert!(retry_after.is_some_and(|w| w > Duration::from_secs(2)));
        }
        other => panic!("expected the rate limit, got {other:?}"),
    }
    assert_eq!(atlas.state.limited(), 2);
}

#[tokio::test]
async fn clients_starting_together_wait_for_one_token() {
    let atlas = OAuthServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    // Eight clients, each with its own handle on the directory (as separate
    // processes would have), all calling at once.
    let clients: Vec<Transport> = (0..8)
        .map(|_| client(&atlas, cached_account(&FileTokenCache::new(dir.path()))))
        .collect();
    let calls = clients.iter().map(call);
    for outcome in futures_util::future::join_all(calls).await {
        outcome.expect("call succeeds");
    }
    assert_eq!(atlas.state.tokens(), 1);
    assert_eq!(atlas.state.tokens_used().len(), 1);
}

#[tokio::test]
async fn an_expired_or_refused_cached_token_is_replaced_once() {
    let atlas = OAuthServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let cache = FileTokenCache::new(dir.path());
    // Expired: never sent; one new token, which replaces it in the cache.
    cache
        .store(
            &key(&atlas),
            &CachedToken::new("old", SystemTime::now() - Duration::from_secs(5)),
        )
        .expect("store");
    call(&client(&atlas, cached_account(&cache)))
        .await
        .expect("call succeeds");
    assert_eq!(atlas.state.tokens(), 1);
    let fresh = atlas.state.tokens_used();
    assert_eq!(fresh.len(), 1);
    let cached = cache.load(&key(&atlas)).expect("load").expect("entry");
    assert_eq!(cached.access_token(), fresh[0]);

    // Refused: the server revoked it before it expired. It is sent, refused
    // as invalid, dropped, and replaced by one new token.
    atlas.state.revoke(&fresh[0]);
    call(&client(&atlas, cached_account(&cache)))
        .await
        .expect("call succeeds");
    assert_eq!(atlas.state.tokens(), 2);
    let used = atlas.state.tokens_used();
    assert_eq!(used.len(), 2);
    assert_eq!(atlas.state.api_calls(), 3);
    let cached = cache.load(&key(&atlas)).expect("load").expect("entry");
    assert_eq!(cached.access_token(), used[1]);
}

#[tokio::test]
async fn unusable_cache_entries_are_ignored() {
    let atlas = OAuthServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let cache = FileTokenCache::new(dir.path());
    std::fs::write(cache.entry_path(&key(&atlas)), "{\"access_tok").expect("write");
    call(&client(&atlas, cached_account(&cache)))
        .await
        .expect("call succeeds");
    assert_eq!(atlas.state.tokens(), 1);
    assert!(cache.load(&key(&atlas)).expect("load").is_some());
}

#[tokio::test]
async fn a_rate_limited_token_request_is_waited_out() {
    // One token a second: the second client's first request is refused
    // with `Retry-After: 1`, waited out, and sent again.
    let atlas = OAuthServer::with_limit(1, Duration::from_secs(1)).await;
    call(&client(
        &atlas,
        ServiceAccount::new(CLIENT_ID, CLIENT_SECRET),
    ))
    .await
    .expect("first");
    call(&client(
        &atlas,
        ServiceAccount::new(CLIENT_ID, CLIENT_SECRET),
    ))
    .await
    .expect("second, after the wait");
    assert_eq!(atlas.state.limited(), 1);
    assert_eq!(atlas.state.tokens(), 3);
    assert_eq!(atlas.state.api_calls(), 2);
}

#[tokio::test]
async fn a_rate_limit_past_the_operation_deadline_is_named_at_once() {
    // One token a minute: the second client is told to wait about a
    // minute. The retry policy would wait that out (up to 120 s), but the
    // call's 2 s deadline cannot, so it ends at once naming the limit and
    // the deadline, instead of sleeping until the deadline cuts it.
    let atlas = OAuthServer::with_limit(1, Duration::from_secs(60)).await;
    call(&client(
        &atlas,
        ServiceAccount::new(CLIENT_ID, CLIENT_SECRET),
    ))
    .await
    .expect("first");
    let second = Transport::builder()
        .base_url(atlas.uri())
        .auth(ServiceAccount::new(CLIENT_ID, CLIENT_SECRET).into())
        .operation_timeout(Duration::from_secs(2))
        .build()
        .expect("client");
    match call(&second).await {
        Err(Error::Auth(
            err @ AuthError::RateLimited {
                by_deadline: true,
                allowance,
                ..
            },
        )) => {
            assert!(allowance <= Duration::from_secs(2), "{allowance:?}");
            let shown = err.to_string();
            assert!(
                shown.contains("RATE_LIMITED") && shown.contains("operation deadline"),
                "{shown}"
            );
        }
        other => panic!("expected the rate limit within the deadline, got {other:?}"),
    }
    assert_eq!(atlas.state.limited(), 1);
    assert_eq!(atlas.state.api_calls(), 1);
}

/// A profile in memory: the tokens stored now, and every pair saved.
#[derive(Debug, Default)]
struct Profile {
    stored: Mutex<Option<(String, String)>>,
    saved: Mutex<Vec<(String, String)>>,
}

#[derive(Debug, Clone)]
struct Store(Arc<Profile>);

impl LoginStore for Store {
    fn load(&self) -> Result<Option<(String, String)>, String> {
        Ok(self.0.stored.lock().expect("lock").clone())
    }

    fn save(&self, renewed: &RenewedLogin) -> Result<(), String> {
        let pair = (
            renewed.access_token().to_owned(),
            renewed.refresh_token().to_owned(),
        );
        *self.0.stored.lock().expect("lock") = Some(pair.clone());
        self.0.saved.lock().expect("lock").push(pair);
        Ok(())
    }
}

/// A login stored in a profile, and that profile.
fn login(access: &str, refresh: &str) -> (UserAccount, Arc<Profile>) {
    let profile = Arc::new(Profile::default());
    *profile.stored.lock().expect("lock") = Some((access.to_owned(), refresh.to_owned()));
    let account = UserAccount::new(access, refresh).store(Store(profile.clone()));
    (account, profile)
}

#[tokio::test]
async fn an_expired_login_is_renewed_once_with_its_refresh_token() {
    let atlas = OAuthServer::start().await;
    let (access, refresh) = atlas.state.user_login(Some(60));
    let (account, kept) = login(&access, &refresh);
    let client = client(&atlas, account);
    call(&client).await.expect("renewed, then sent");
    call(&client).await.expect("the renewed token again");
    assert_eq!(atlas.state.refreshes(), 1);
    // The expired token was never sent: its JWT says it expired.
    let used = atlas.state.tokens_used();
    assert_eq!(used.len(), 1);
    assert_ne!(used[0], access);
    let kept = kept.saved.lock().expect("lock").clone();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].0, used[0]);
    assert!(atlas.state.refresh_token_works(&kept[0].1));
    assert!(!atlas.state.refresh_token_works(&refresh));
}

#[tokio::test]
async fn a_refused_login_token_is_renewed_and_the_call_sent_again() {
    let atlas = OAuthServer::start().await;
    let (access, refresh) = atlas.state.user_login(None);
    atlas.state.revoke(&access);
    let (account, kept) = login(&access, &refresh);
    let body = call(&client(&atlas, account)).await.expect("call succeeds");
    assert_eq!(body["totalCount"], 1);
    assert_eq!(atlas.state.refreshes(), 1);
    assert_eq!(atlas.state.api_calls(), 2);
    assert_eq!(kept.saved.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn a_dead_refresh_token_says_to_log_in_again() {
    let atlas = OAuthServer::start().await;
    let (access, _) = atlas.state.user_login(Some(60));
    let (account, kept) = login(&access, "refresh-revoked");
    let err = call(&client(&atlas, account))
        .await
        .expect_err("session expired");
    let shown = err.to_string();
    assert!(
        matches!(err, Error::Auth(AuthError::LoginExpired { .. }))
            && shown.contains("INVALID_REFRESH_TOKEN")
            && shown.contains("run `atlas auth login`"),
        "{shown}"
    );
    assert!(!shown.contains("refresh-revoked"), "{shown}");
    assert_eq!(atlas.state.refreshes(), 1);
    assert_eq!(atlas.state.api_calls(), 0);
    assert!(kept.saved.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn a_login_renewed_by_another_process_meanwhile_is_picked_up() {
    let atlas = OAuthServer::start().await;
    let (access, refresh) = atlas.state.user_login(Some(60));
    // Two processes start with the same expired login; the first renews
    // it (and saves the new pair); the second's renewal with the old
    // refresh token is refused, so it reads the profile again.
    let (first, profile) = login(&access, &refresh);
    let second = UserAccount::new(&access, &refresh).store(Store(profile.clone()));
    call(&client(&atlas, first)).await.expect("first renews");
    call(&client(&atlas, second)).await.expect("second adopts");
    assert_eq!(atlas.state.refreshes(), 2);
    assert_eq!(atlas.state.tokens_used().len(), 1);
    assert_eq!(profile.saved.lock().expect("lock").len(), 1);
}
