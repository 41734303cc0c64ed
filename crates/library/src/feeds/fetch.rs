//! Fetching a source's document or an entry's page over HTTP(S), within limits, reaching only
//! the addresses the [`AddressPolicy`] allows.
//!
//! - **Addresses.** Every hop's host is resolved here and refused when none of its addresses
//!   may be reached (the refusal names the address and its range); the client resolves
//!   through the same check (`GuardedResolver`) and connects only to the addresses it
//!   returned, so a name that answers a public address to the check and a private one to the
//!   connection (DNS rebinding) is still refused. No proxy is used.
//! - **TLS**: https through rustls (the ring provider, TLS 1.2 and 1.3), the server's
//!   certificate checked against the system's trust store and the optional CA file
//!   ([`crate::http::Trust`]); a certificate refused (expired, for another host, an unknown
//!   issuer) is [`FetchError::Tls`], saying why. The address guard is the same as for http:
//!   the name is resolved by `GuardedResolver`, the certificate checked against the URL's
//!   host name.
//! - **Redirects** are followed here, not by the client: at most [`FetchLimits::redirects`],
//!   each target's scheme and address checked like the first; a redirect from https to
//!   http is refused (it would drop the encryption and the server's identity).
//! - **Limits**: the time to connect, the time of the whole fetch (redirects and body
//!   included), and the body's size, read as a stream and refused past the cap (a
//!   `Content-Length` over it is refused before reading).
//! - **Conditional GET**: the source's `ETag` and `Last-Modified` are sent back as
//!   `If-None-Match` and `If-Modified-Since`; 304 is [`Answer::NotModified`].
//! - **Per-host pause**: two requests to one host (and port) start at least
//!   [`FetchLimits::host_pause`] apart, whichever source or entry they are for.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{self, HeaderMap};
use tokio::time::Instant;

use super::address::{AddressPolicy, Refused};
use crate::http::{Trust, client_builder, tls_refusal};

/// What one fetch may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchLimits {
    /// The whole fetch: connecting, redirects and reading the body. Default 30 s.
    pub total: Duration,
    /// Connecting to one address. Default 10 s.
    pub connect: Duration,
    /// Bytes of a body. Default 20 MiB (a feed of a few thousand entries, a long page).
    pub bytes: u64,
    /// Redirects followed. Default 5.
    pub redirects: usize,
    /// The least time between two requests to one host. Default 1 s.
    pub host_pause: Duration,
}

impl Default for FetchLimits {
    fn default() -> Self {
        FetchLimits {
            total: Duration::from_secs(30),
            connect: Duration::from_secs(10),
            bytes: 20 * 1024 * 1024,
            redirects: 5,
            host_pause: Duration::from_secs(1),
        }
    }
}

/// The validators of a previous answer, sent back for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What a server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// 304: nothing changed since the validators sent.
    NotModified,
    Body(Body),
}

/// A successful answer's body, with what describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// Where it was found (after redirects).
    pub url: Url,
    pub status: u16,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
    pub validators: Validators,
}

/// Why a fetch failed. Each names the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("«{url}»: không phải địa chỉ http(s) hợp lệ (not a valid http(s) address): {why}")]
    BadUrl { url: String, why: String },
    #[error("«{url}»: {refused}")]
    Refused { url: String, refused: Refused },
    #[error("«{url}»: không tìm thấy máy chủ {host} (the host cannot be resolved): {why}")]
    Unresolved {
        url: String,
        host: String,
        why: String,
    },
    #[error("«{url}»: không trả lời trong {seconds} giây (no answer within {seconds} s)")]
    TimedOut { url: String, seconds: u64 },
    #[error("«{url}»: nội dung vượt quá {limit} byte (the body is over {limit} bytes)")]
    TooLarge { url: String, limit: u64 },
    #[error("«{url}»: quá {limit} lần chuyển hướng (more than {limit} redirects)")]
    TooManyRedirects { url: String, limit: usize },
    #[error("«{url}»: {why}")]
    Tls { url: String, why: String },
    #[error(
        "«{url}»: không theo chuyển hướng từ https sang http «{to}» (a redirect from https to \
         http is not followed)"
    )]
    Downgrade { url: String, to: String },
    #[error("«{url}»: máy chủ trả lời HTTP {status} (the server answered HTTP {status})")]
    Status { url: String, status: u16 },
    #[error("«{url}»: không tải được (the fetch failed): {why}")]
    Failed { url: String, why: String },
}

impl FetchError {
    /// The HTTP status the server answered, when it answered one.
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The HTTP client of one server's poller.
#[derive(Debug)]
pub struct Fetcher {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
    limits: FetchLimits,
    /// When the next request to each host may start.
    next_slot: Mutex<HashMap<String, Instant>>,
}

/// Hosts remembered for the pause before the map is pruned of past slots.
const PAUSE_HOSTS: usize = 1_000;

impl Fetcher {
    /// A client reaching what `policy` allows, within `limits`, trusting `trust` for https.
    pub fn new(
        policy: Arc<AddressPolicy>,
        limits: FetchLimits,
        trust: &Trust,
    ) -> Result<Fetcher, String> {
        let client = client_builder(trust)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(limits.total)
            .connect_timeout(limits.connect)
            .dns_resolver(Arc::new(GuardedResolver {
                policy: policy.clone(),
            }))
            .user_agent(concat!(
                "Dongbo-library/",
                env!("CARGO_PKG_VERSION"),
                " (pull sources)"
            ))
            .build()
            .map_err(|e| format!("the HTTP client cannot be set up: {}", chain(&e)))?;
        Ok(Fetcher {
            client,
            policy,
            limits,
            next_slot: Mutex::new(HashMap::new()),
        })
    }

    pub fn limits(&self) -> &FetchLimits {
        &self.limits
    }

    /// Fetches `url`, sending `validators` for a conditional GET.
    pub async fn fetch(&self, url: &str, validators: &Validators) -> Result<Answer, FetchError> {
        let deadline = Instant::now() + self.limits.total;
        let timed_out = |url: &Url| FetchError::TimedOut {
            url: url.to_string(),
            seconds: self.limits.total.as_secs().max(1),
        };
        let mut url = parse_url(url)?;
        for _hop in 0..=self.limits.redirects {
            check_url(&self.policy, &url).await?;
            self.pause_for_host(&url).await;
            let mut request = self.client.get(url.clone());
            if let Some(etag) = &validators.etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(modified) = &validators.last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, modified);
            }
            let response = tokio::time::timeout_at(deadline, request.send())
                .await
                .map_err(|_| timed_out(&url))?
                .map_err(|e| failed(&url, &e, &self.limits))?;
            let status = response.status();
            if status.is_redirection() && status != reqwest::StatusCode::NOT_MODIFIED {
                url = redirect_target(&url, response.headers())?;
                continue;
            }
            if status == reqwest::StatusCode::NOT_MODIFIED {
                return Ok(Answer::NotModified);
            }
            if !status.is_success() {
                return Err(FetchError::Status {
                    url: url.to_string(),
                    status: status.as_u16(),
                });
            }
            let validators = Validators {
                etag: header_text(response.headers(), header::ETAG),
                last_modified: header_text(response.headers(), header::LAST_MODIFIED),
            };
            let content_type = header_text(response.headers(), header::CONTENT_TYPE);
            let bytes = tokio::time::timeout_at(deadline, self.read_body(&url, response))
                .await
                .map_err(|_| timed_out(&url))??;
            return Ok(Answer::Body(Body {
                url,
                status: status.as_u16(),
                content_type,
                bytes,
                validators,
            }));
        }
        Err(FetchError::TooManyRedirects {
            url: url.to_string(),
            limit: self.limits.redirects,
        })
    }

    /// The body, read chunk by chunk and refused as soon as it passes the cap.
    async fn read_body(
        &self,
        url: &Url,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>, FetchError> {
        let limit = self.limits.bytes;
        let too_large = || FetchError::TooLarge {
            url: url.to_string(),
            limit,
        };
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| failed(url, &e, &self.limits))?
        {
            if (bytes.len() + chunk.len()) as u64 > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    /// Waits for this host's next slot and takes it.
    async fn pause_for_host(&self, url: &Url) {
        let key = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or_default()
        );
        let pause = self.limits.host_pause;
        let start = {
            let mut slots = self
                .next_slot
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            if slots.len() > PAUSE_HOSTS {
                slots.retain(|_, next| *next > now);
            }
            let start = slots.get(&key).map_or(now, |next| (*next).max(now));
            slots.insert(key, start + pause);
            start
        };
        tokio::time::sleep_until(start).await;
    }
}

/// `text` as an http or https URL, or why not.
pub fn parse_url(text: &str) -> Result<Url, FetchError> {
    let bad = |why: &str| FetchError::BadUrl {
        url: text.to_owned(),
        why: why.to_owned(),
    };
    let url = Url::parse(text.trim()).map_err(|e| bad(&e.to_string()))?;
    match url.scheme() {
        "http" | "https" => {}
        _ => return Err(bad("only http and https addresses are fetched")),
    }
    if url.host().is_none() {
        return Err(bad("no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("an address with a user name or password is not kept"));
    }
    Ok(url)
}

/// Refuses `url` when its host's addresses may not be reached (an address typed in the URL is
/// judged as it is; a name is resolved).
pub async fn check_url(policy: &AddressPolicy, url: &Url) -> Result<(), FetchError> {
    let refused = |refused| FetchError::Refused {
        url: url.to_string(),
        refused,
    };
    match url.host() {
        Some(url::Host::Ipv4(ip)) => policy.check(IpAddr::V4(ip)).map_err(refused),
        Some(url::Host::Ipv6(ip)) => policy.check(IpAddr::V6(ip)).map_err(refused),
        Some(url::Host::Domain(host)) => {
            resolve_checked(policy, host)
                .await
                .map(|_| ())
                .map_err(|e| match e {
                    Resolved::Refused(r) => refused(r),
                    Resolved::Unresolved(why) => FetchError::Unresolved {
                        url: url.to_string(),
                        host: host.to_owned(),
                        why,
                    },
                })
        }
        None => Err(FetchError::BadUrl {
            url: url.to_string(),
            why: "no host".to_owned(),
        }),
    }
}

enum Resolved {
    Refused(Refused),
    Unresolved(String),
}

/// The addresses of `host` that may be reached; when none may, the first refusal.
async fn resolve_checked(policy: &AddressPolicy, host: &str) -> Result<Vec<SocketAddr>, Resolved> {
    // A bracketed IPv6 literal reaches here without brackets from `Name`; a literal is judged
    // as it is.
    if let Ok(ip) = host.trim_matches(['[', ']']).parse::<IpAddr>() {
        return policy
            .check(ip)
            .map(|()| vec![SocketAddr::new(ip, 0)])
            .map_err(Resolved::Refused);
    }
    let found = tokio::time::timeout(Duration::from_secs(10), tokio::net::lookup_host((host, 0)))
        .await
        .map_err(|_| Resolved::Unresolved("no answer from the resolver in 10 s".to_owned()))?
        .map_err(|e| Resolved::Unresolved(e.to_string()))?;
    let mut first_refusal = None;
    let mut allowed = Vec::new();
    for address in found {
        match policy.check(address.ip()) {
            Ok(()) => allowed.push(address),
            Err(refused) => {
                first_refusal.get_or_insert(refused);
            }
        }
    }
    match (allowed.is_empty(), first_refusal) {
        (false, _) => Ok(allowed),
        (true, Some(refused)) => Err(Resolved::Refused(refused)),
        (true, None) => Err(Resolved::Unresolved("no address".to_owned())),
    }
}

/// The client's resolver: only the addresses the policy allows are given to the connector.
#[derive(Debug)]
struct GuardedResolver {
    policy: Arc<AddressPolicy>,
}

/// A resolver's refusal, as the client carries it in its error's chain.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct ResolveRefused(String);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            match resolve_checked(&policy, &host).await {
                Ok(addresses) => Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs),
                Err(Resolved::Refused(refused)) => {
                    Err(Box::new(ResolveRefused(refused.to_string())) as _)
                }
                Err(Resolved::Unresolved(why)) => Err(Box::new(ResolveRefused(why)) as _),
            }
        })
    }
}

/// Where a redirect leads, checked for its scheme (the address is checked on the next hop).
fn redirect_target(from: &Url, headers: &HeaderMap) -> Result<Url, FetchError> {
    let location = header_text(headers, header::LOCATION).ok_or_else(|| FetchError::Failed {
        url: from.to_string(),
        why: "a redirect without a Location".to_owned(),
    })?;
    let target = from.join(&location).map_err(|e| FetchError::BadUrl {
        url: location.clone(),
        why: e.to_string(),
    })?;
    let target = parse_url(target.as_str())?;
    if from.scheme() == "https" && target.scheme() == "http" {
        return Err(FetchError::Downgrade {
            url: from.to_string(),
            to: target.to_string(),
        });
    }
    Ok(target)
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

fn failed(url: &Url, error: &reqwest::Error, limits: &FetchLimits) -> FetchError {
    if error.is_timeout() {
        let seconds = if error.is_connect() {
            limits.connect.as_secs()
        } else {
            limits.total.as_secs()
        };
        return FetchError::TimedOut {
            url: url.to_string(),
            seconds: seconds.max(1),
        };
    }
    if let Some(why) = tls_refusal(error) {
        return FetchError::Tls {
            url: url.to_string(),
            why,
        };
    }
    FetchError::Failed {
        url: url.to_string(),
        why: chain(error),
    }
}

/// An error with its causes, as one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
