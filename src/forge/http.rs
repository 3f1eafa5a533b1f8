//! The one HTTP client the forge APIs are called through: blocking HTTPS (rustls), retries on
//! server errors, and answers read whatever their status so each forge can explain a refusal.

use std::time::Duration;

/// An HTTP method the forge APIs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// One request: what `--dry-run` prints instead of sending a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub method: Method,
    pub url: String,
    /// A JSON body, for POST, PATCH and PUT.
    pub body: Option<String>,
}

/// An answer, whatever its status.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub status: u16,
    /// GitHub's `Link` header (pagination).
    pub link: Option<String>,
    /// GitLab's `X-Next-Page` header (pagination).
    pub next_page: Option<String>,
    pub body: String,
}

/// Answers longer than this are refused: a page of 100 comments of at most 65,536 characters
/// each stays well below it.
const BODY_LIMIT: u64 = 64 * 1024 * 1024;

/// Attempts per request: the first and up to three retries.
const ATTEMPTS: u32 = 4;

/// The client: headers every request carries (authentication, API version) and the retry
/// policy.
pub struct Http {
    agent: ureq::Agent,
    headers: Vec<(&'static str, String)>,
    /// The wait before the first retry; it doubles for each next one.
    retry_delay: Duration,
}

impl Http {
    pub fn new(headers: Vec<(&'static str, String)>, retry_delay: Duration) -> Self {
        let config = ureq::Agent::config_builder()
            // A 4xx or 5xx is an answer to explain, not a transport error.
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent(concat!("trustgate/", env!("CARGO_PKG_VERSION")))
            .build();
        Http {
            agent: ureq::Agent::new_with_config(config),
            headers,
            retry_delay,
        }
    }

    /// Send `call`, retrying a server error (5xx), a rate limit (429) or a failed connection
    /// with a doubling wait. A retried POST may in rare cases create a second comment when the
    /// server made the first one but failed to say so; `--behavior update` updates the newest
    /// one on the next run.
    pub fn send(&self, call: &Call) -> Result<Reply, String> {
        let mut delay = self.retry_delay;
        let mut last = String::new();
        for attempt in 1..=ATTEMPTS {
            match self.once(call) {
                Ok(reply) if !retryable(reply.status) => return Ok(reply),
                Ok(reply) => {
                    last = format!("HTTP {}{}", reply.status, summary(&reply.body));
                    if attempt == ATTEMPTS {
                        return Ok(reply);
                    }
                }
                Err(e) => last = e,
            }
            if attempt < ATTEMPTS {
                std::thread::sleep(delay);
                delay = delay.saturating_mul(2);
            }
        }
        Err(format!(
            "{} {}: no answer after {ATTEMPTS} attempts: {last}",
            call.method.as_str(),
            call.url
        ))
    }

    fn once(&self, call: &Call) -> Result<Reply, String> {
        let result = match (call.method, &call.body) {
            (Method::Get, _) => self.with_headers(self.agent.get(&call.url)).call(),
            (Method::Delete, _) => self.with_headers(self.agent.delete(&call.url)).call(),
            (method, body) => {
                let builder = match method {
                    Method::Patch => self.agent.patch(&call.url),
                    Method::Put => self.agent.put(&call.url),
                    _ => self.agent.post(&call.url),
                };
                self.with_headers(builder)
                    .content_type("application/json")
                    .send(body.as_deref().unwrap_or("{}"))
            }
        };
        let mut response =
            result.map_err(|e| format!("{} {}: {e}", call.method.as_str(), call.url))?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let link = header("link");
        let next_page = header("x-next-page");
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_string()
            .map_err(|e| {
                format!(
                    "{} {}: cannot read the answer: {e}",
                    call.method.as_str(),
                    call.url
                )
            })?;
        Ok(Reply {
            status,
            link,
            next_page,
            body,
        })
    }

    fn with_headers<B>(&self, mut builder: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        for (name, value) in &self.headers {
            builder = builder.header(*name, value);
        }
        builder
    }
}

fn retryable(status: u16) -> bool {
    status == 429 || status >= 500
}

/// `: MESSAGE` from a JSON error answer (`{"message": ...}` on both forges, `{"error": ...}`
/// on some GitLab ones), cut to one short line; empty when there is none.
pub fn summary(body: &str) -> String {
    let value: serde_json::Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(_) => return String::new(),
    };
    let message = ["message", "error"]
        .iter()
        .find_map(|k| value.get(*k))
        .map(|m| match m {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    match message {
        Some(m) => {
            let one_line: String = m.split_whitespace().collect::<Vec<_>>().join(" ");
            let cut: String = one_line.chars().take(200).collect();
            format!(": {cut}")
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reads_both_forges_error_shapes() {
        assert_eq!(
            summary(r#"{"message":"Bad credentials"}"#),
            ": Bad credentials"
        );
        assert_eq!(
            summary(r#"{"error":"insufficient_scope"}"#),
            ": insufficient_scope"
        );
        assert_eq!(
            summary(r#"{"message":{"note":["is too long"]}}"#),
            r#": {"note":["is too long"]}"#
        );
        assert_eq!(summary("<html>oops</html>"), "");
        assert_eq!(summary(r#"{"other":1}"#), "");
    }

    #[test]
    fn only_server_errors_and_rate_limits_are_retried() {
        assert!(retryable(500) && retryable(502) && retryable(503) && retryable(429));
        assert!(!retryable(200) && !retryable(401) && !retryable(403) && !retryable(404));
        assert!(!retryable(422));
    }
}
