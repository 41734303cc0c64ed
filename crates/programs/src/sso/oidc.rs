//! Signing in through an OpenID Connect provider (a government or ministry identity provider):
//! the authorization-code flow with PKCE, state and nonce, by the `openidconnect` crate.
//!
//! 1. [`OidcConfig::begin`] gives the provider's authorization address and the [`Pending`]
//!    sign-in the browser keeps (in a cookie) until it comes back: the state, the nonce and
//!    the PKCE verifier, and where the user was going.
//! 2. The provider sends the browser back with a code and the state; [`OidcConfig::finish`]
//!    checks the state against the pending one, exchanges the code (with the verifier) for
//!    tokens at the token endpoint, checks the ID token — its signature by the provider's
//!    published keys, its issuer, audience, expiry and nonce — and reads the person from its
//!    claims ([`Person`]).
//!
//! The provider's metadata and keys are discovered at the first sign-in and kept for an hour;
//! an ID token signed by a key not among them makes one fresh discovery (the provider rotated
//! its keys). Every answer from the provider is read under a size limit and a time limit.
//!
//! The claims are read from the verified ID token (its payload is the one whose signature was
//! checked). When the username claim is not in it, the userinfo endpoint is asked with the
//! access token, and its answer is used only when its `sub` is the ID token's.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest, HttpResponse, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq as _;
use tokio::sync::Mutex;

use super::mapping::Mapping;

/// The most an answer of the provider may hold (its metadata, keys, tokens): 1 MiB.
const MAX_ANSWER_BYTES: usize = 1 << 20;
/// How long discovered metadata and keys are used before they are asked for again.
const METADATA_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// How long a sign-in may take at the provider (the pending cookie's lifetime).
pub const PENDING_SECONDS: i64 = 10 * 60;

/// An OpenID Connect provider's settings (`dongbo serve --oidc-issuer …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcSettings {
    /// The provider's issuer identifier (`https://id.bo.gov.vn/realms/bo`).
    pub issuer: String,
    pub client_id: String,
    /// Empty for a public client (PKCE alone).
    pub client_secret: String,
    /// This server's callback, as registered at the provider
    /// (`https://dongbo.bo.gov.vn/login/oidc/callback`).
    pub redirect_url: String,
    /// The scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    /// The claim that is the account's username (`preferred_username`, `email`, `sub`, …).
    pub username_claim: String,
    /// The claim listing the person's groups, for the mapping file.
    pub groups_claim: String,
    /// What the login page's button says (the provider's name as users know it).
    pub label: String,
}

/// An OpenID Connect provider to sign in through.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    pub settings: OidcSettings,
    /// The mapping of groups to roles on agencies; without it roles are kept local.
    pub mapping: Option<Mapping>,
    /// The client every request to the provider goes through (no redirects followed).
    http: reqwest::Client,
    /// The provider's discovered metadata and keys, and when they were fetched.
    discovered: Arc<Mutex<Option<(CoreProviderMetadata, Instant)>>>,
}

/// A sign-in begun and not yet come back from the provider: kept by the browser only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    /// Where to go once signed in (a path of this site, checked again when used).
    pub next: String,
}

/// What the provider says about the person who signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The username claim's value, as the provider gives it.
    pub username: String,
    /// The `name` claim, if any.
    pub name: String,
    /// The `email` claim, unless the provider says it is not verified.
    pub email: Option<String>,
    /// The groups claim's values (an array of strings, or one string).
    pub groups: Vec<String>,
}

/// Why a sign-in through the provider did not give a person.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The browser came back without the sign-in it began (an old tab, another browser, or a
    /// forged request): the user starts again.
    #[error("the sign-in does not match the one begun in this browser")]
    StateMismatch,
    /// The provider said no (the user cancelled, or may not use this application).
    #[error("the identity provider refused the sign-in: {0}")]
    Refused(String),
    /// What the provider sent does not hold: a token that fails its checks, a claim missing.
    #[error("the identity provider's answer is not acceptable: {0}")]
    Invalid(String),
    /// The provider could not be asked.
    #[error("the identity provider cannot be reached: {0}")]
    Unavailable(String),
}

/// A request to the provider that failed (for `openidconnect`'s HTTP client).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

impl OidcConfig {
    /// A provider with `settings`, checked; its metadata is discovered at the first sign-in.
    /// `http` must follow no redirects.
    pub fn new(
        settings: OidcSettings,
        mapping: Option<Mapping>,
        http: reqwest::Client,
    ) -> Result<OidcConfig, String> {
        check_url(&settings.issuer, "issuer")?;
        check_url(&settings.redirect_url, "redirect URL")?;
        if settings.client_id.trim().is_empty() {
            return Err("the client id is empty".to_owned());
        }
        if settings.username_claim.trim().is_empty() || settings.groups_claim.trim().is_empty() {
            return Err("a claim's name is empty".to_owned());
        }
        Ok(OidcConfig {
            settings,
            mapping,
            http,
            discovered: Arc::default(),
        })
    }

    /// The provider's metadata and keys: kept ones while fresh, else discovered anew.
    async fn metadata(&self, fresh: bool) -> Result<CoreProviderMetadata, OidcError> {
        let mut kept = self.discovered.lock().await;
        if let Some((metadata, at)) = kept.as_ref()
            && !fresh
            && at.elapsed() < METADATA_LIFETIME
        {
            return Ok(metadata.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| OidcError::Invalid(format!("issuer: {e}")))?;
        let http = self.http_client();
        let metadata = CoreProviderMetadata::discover_async(issuer, &http)
            .await
            .map_err(|e| OidcError::Unavailable(format!("discovery: {}", chain(&e))))?;
        *kept = Some((metadata.clone(), Instant::now()));
        Ok(metadata)
    }

    /// `openidconnect`'s HTTP client over ours; its futures own what they use, so a sign-in's
    /// future stays `Send` for the server.
    fn http_client(
        &self,
    ) -> impl Fn(
        HttpRequest,
    )
        -> std::pin::Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send>> {
        let client = self.http.clone();
        move |request| {
            let client = client.clone();
            Box::pin(async move { send(&client, request).await })
        }
    }

    fn client(&self, metadata: CoreProviderMetadata) -> Result<Client, OidcError> {
        let redirect = RedirectUrl::new(self.settings.redirect_url.clone())
            .map_err(|e| OidcError::Invalid(format!("redirect URL: {e}")))?;
        let settings = &self.settings;
        let secret = (!settings.client_secret.is_empty())
            .then(|| ClientSecret::new(settings.client_secret.clone()));
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(settings.client_id.clone()),
            secret,
        )
        .set_redirect_uri(redirect))
    }

    /// Begins a sign-in: the address to send the browser to, and what it keeps until it comes
    /// back. `next` is where the user was going.
    pub async fn begin(&self, next: &str) -> Result<(String, Pending), OidcError> {
        let client = self.client(self.metadata(false).await?)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &self.settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        let pending = Pending {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            next: next.to_owned(),
        };
        Ok((url.to_string(), pending))
    }

    /// Ends a sign-in the browser came back from with `code` and `state`, begun as `pending`.
    pub async fn finish(
        &self,
        pending: &Pending,
        code: &str,
        state: &str,
    ) -> Result<Person, OidcError> {
        let same_state: bool = pending.state.as_bytes().ct_eq(state.as_bytes()).into();
        if !same_state || code.is_empty() {
            return Err(OidcError::StateMismatch);
        }
        let client = self.client(self.metadata(false).await?)?;
        let http = self.http_client();
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Invalid(format!("token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&http)
            .await
            .map_err(|e| match &e {
                openidconnect::RequestTokenError::ServerResponse(answer) => {
                    OidcError::Refused(answer.to_string())
                }
                openidconnect::RequestTokenError::Request(_) => {
                    OidcError::Unavailable(format!("token endpoint: {}", chain(&e)))
                }
                _ => OidcError::Invalid(format!("token endpoint: {}", chain(&e))),
            })?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| OidcError::Invalid("no ID token in the token response".to_owned()))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let subject = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(claims) => claims.subject().to_string(),
            // A key the kept metadata does not have: the provider may have rotated its keys.
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(_)) => {
                let client = self.client(self.metadata(true).await?)?;
                let claims = id_token
                    .claims(&client.id_token_verifier(), &nonce)
                    .map_err(|e| OidcError::Invalid(format!("ID token: {}", chain(&e))))?;
                claims.subject().to_string()
            }
            Err(e) => return Err(OidcError::Invalid(format!("ID token: {}", chain(&e)))),
        };
        // The payload whose signature and claims were just checked.
        let mut claims = jwt_payload(&id_token.to_string())?;
        if !claims.contains_key(&self.settings.username_claim)
            && let Some(endpoint) = client.user_info_url()
        {
            let answer = self
                .http
                .get(endpoint.url().clone())
                .bearer_auth(tokens.access_token().secret())
                .header(reqwest::header::ACCEPT, "application/json")
                .send()
                .await
                .map_err(|e| OidcError::Unavailable(format!("userinfo: {e}")))?;
            let body = read_capped(answer)
                .await
                .map_err(|e| OidcError::Unavailable(format!("userinfo: {e}")))?;
            let info: Map<String, Value> = serde_json::from_slice(&body.1)
                .map_err(|e| OidcError::Invalid(format!("userinfo is not a JSON object: {e}")))?;
            if info.get("sub").and_then(Value::as_str) != Some(subject.as_str()) {
                return Err(OidcError::Invalid(
                    "userinfo is about another subject than the ID token".to_owned(),
                ));
            }
            for (name, value) in info {
                claims.entry(name).or_insert(value);
            }
        }
        person(&claims, &self.settings)
    }
}

/// The person `claims` describe, read by the claim names of `settings`.
fn person(claims: &Map<String, Value>, settings: &OidcSettings) -> Result<Person, OidcError> {
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    let username = text(&settings.username_claim).ok_or_else(|| {
        OidcError::Invalid(format!(
            "the ID token has no claim «{}» to be the username",
            settings.username_claim
        ))
    })?;
    let verified = claims.get("email_verified").and_then(Value::as_bool) != Some(false);
    let groups = match claims.get(&settings.groups_claim) {
        Some(Value::Array(values)) => values
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    };
    Ok(Person {
        username,
        name: text("name").unwrap_or_default(),
        email: text("email").filter(|_| verified),
        groups,
    })
}

/// The client as made from discovered metadata: an authorization endpoint, perhaps a token
/// and a userinfo endpoint.
type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

impl Pending {
    /// As the browser keeps it: four parts joined by `.`, each base64url (the path written so,
    /// so nothing in it can break the cookie).
    pub fn to_cookie(&self) -> String {
        let next = URL_SAFE_NO_PAD.encode(self.next.as_bytes());
        format!("{}.{}.{}.{next}", self.state, self.nonce, self.verifier)
    }

    /// Read back from the cookie; `None` when it is not one.
    pub fn from_cookie(cookie: &str) -> Option<Pending> {
        let mut parts = cookie.split('.');
        let (state, nonce, verifier, next) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let token = |part: &str| {
            (!part.is_empty()
                && part.len() <= 256
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
            .then(|| part.to_owned())
        };
        if parts.next().is_some() || next.len() > 4096 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(next).ok()?;
        Some(Pending {
            state: token(state)?,
            nonce: token(nonce)?,
            verifier: token(verifier)?,
            next: String::from_utf8(bytes).ok()?,
        })
    }
}

/// An issuer or a redirect address: `https://`, or `http://` on loopback only (a provider on
/// the same machine, as in tests).
fn check_url(address: &str, what: &str) -> Result<(), String> {
    let url = url::Url::parse(address).map_err(|e| format!("{what} «{address}»: {e}"))?;
    let loopback = matches!(
        url.host(),
        Some(url::Host::Domain("localhost"))
            | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
            | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
    );
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(format!(
            "{what} «{address}» must be https:// (http:// only on loopback)"
        )),
    }
}

/// Sends one of `openidconnect`'s requests through `client`, reading the answer under the
/// size limit.
async fn send(client: &reqwest::Client, request: HttpRequest) -> Result<HttpResponse, HttpError> {
    let (parts, body) = request.into_parts();
    let answer = client
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .map_err(|e| HttpError(format!("{}: {}", parts.uri, chain(&e))))?;
    let (head, body) = read_capped(answer).await?;
    let mut response = HttpResponse::new(body);
    *response.status_mut() = head.0;
    *response.headers_mut() = head.1;
    Ok(response)
}

type Head = (reqwest::StatusCode, reqwest::header::HeaderMap);

/// The answer's status, headers and body, refused past [`MAX_ANSWER_BYTES`].
async fn read_capped(mut answer: reqwest::Response) -> Result<(Head, Vec<u8>), HttpError> {
    let head = (answer.status(), answer.headers().clone());
    let mut body = Vec::new();
    while let Some(chunk) = answer
        .chunk()
        .await
        .map_err(|e| HttpError(format!("{}: {}", answer.url(), chain(&e))))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(HttpError(format!(
                "{}: the answer is larger than {MAX_ANSWER_BYTES} bytes",
                answer.url()
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((head, body))
}

/// The payload of a compact JWT, as a JSON object.
fn jwt_payload(jwt: &str) -> Result<Map<String, Value>, OidcError> {
    let payload = jwt
        .split('.')
        .nth(1)
        .ok_or_else(|| OidcError::Invalid("the ID token is not a compact JWT".to_owned()))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|e| OidcError::Invalid(format!("the ID token's payload is not base64url: {e}")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| OidcError::Invalid(format!("the ID token's payload: {e}")))
}

/// An error with its causes, as one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_sign_in_round_trips_through_its_cookie_and_nothing_else_is_one() {
        let pending = Pending {
            state: "c3RhdGU".into(),
            nonce: "bm9uY2U-_".into(),
            verifier: "dmVyaWZpZXI".into(),
            next: "/programs/1?tab=nhiệm vụ;x".into(),
        };
        let cookie = pending.to_cookie();
        assert!(!cookie.contains([';', ' ', ',', '"']), "{cookie}");
        assert_eq!(Pending::from_cookie(&cookie), Some(pending));
        for bad in [
            "", "a.b.c", "a.b.c.0", "a.b.c.zz", "a b.c.d.", "a.b.c..e", "a..c.",
        ] {
            assert_eq!(Pending::from_cookie(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn only_https_or_loopback_providers_are_accepted() {
        assert!(check_url("https://id.bo.gov.vn/realms/bo", "issuer").is_ok());
        assert!(check_url("http://127.0.0.1:8080", "issuer").is_ok());
        assert!(check_url("http://localhost:8080/cb", "issuer").is_ok());
        let error = check_url("http://id.bo.gov.vn", "issuer").expect_err("plain http");
        assert!(error.contains("https://"), "{error}");
        assert!(check_url("id.bo.gov.vn", "issuer").is_err());
    }

    #[test]
    fn a_jwt_payload_is_read_as_base64url() {
        // {"sub":"tran.thi.binh","name":"Trần"} in base64url, without padding.
        let payload = "eyJzdWIiOiJ0cmFuLnRoaS5iaW5oIiwibmFtZSI6IlRy4bqnbiJ9";
        let claims = jwt_payload(&format!("e30.{payload}.sig")).expect("a payload");
        assert_eq!(claims["sub"], "tran.thi.binh");
        assert_eq!(claims["name"], "Trần");
        assert!(jwt_payload("e30.!!!.sig").is_err());
        assert!(jwt_payload("nodots").is_err());
    }

    #[test]
    fn the_person_is_read_from_the_configured_claims() {
        let settings = OidcSettings {
            issuer: "https://id.example".into(),
            client_id: "dongbo".into(),
            client_secret: "secret".into(),
            redirect_url: "https://dongbo.example/login/oidc/callback".into(),
            scopes: vec![],
            username_claim: "email".into(),
            groups_claim: "roles".into(),
            label: String::new(),
        };
        let claims: Map<String, Value> = serde_json::from_str(
            r#"{"sub":"1","email":"an@bo.gov.vn","email_verified":true,"name":"Nguyễn An","roles":"bao-cao"}"#,
        )
        .expect("json");
        let read = person(&claims, &settings).expect("a person");
        assert_eq!(read.username, "an@bo.gov.vn");
        assert_eq!(read.groups, vec!["bao-cao".to_owned()]);
        assert_eq!(read.email.as_deref(), Some("an@bo.gov.vn"));
        let unverified: Map<String, Value> =
            serde_json::from_str(r#"{"sub":"1","email":"an@bo.gov.vn","email_verified":false}"#)
                .expect("json");
        assert_eq!(
            person(&unverified, &settings).expect("a person").email,
            None
        );
        let missing: Map<String, Value> = serde_json::from_str(r#"{"sub":"1"}"#).expect("json");
        assert!(matches!(
            person(&missing, &settings),
            Err(OidcError::Invalid(why)) if why.contains("«email»")
        ));
    }
}
