//! A scripted HTTP server on 127.0.0.1 for the `comment` tests: it answers each request with
//! the next scripted reply (one request per connection) and records what it was sent.
//! `{base}` in a scripted header or body becomes the server's own URL (pagination links).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// One reply the server sends.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `body` member of the JSON body.
    pub fn comment(&self) -> String {
        let value: serde_json::Value = serde_json::from_str(&self.body).unwrap();
        value["body"].as_str().unwrap().to_string()
    }

    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.target)
    }
}

pub struct Server {
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    handle: Mutex<Option<JoinHandle<()>>>,
}

impl Server {
    /// Serve `script` in order, then stop accepting.
    pub fn start(script: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let base = url.clone();
        let handle = std::thread::spawn(move || {
            for reply in script {
                let Ok((stream, _)) = listener.accept() else {
                    return;
                };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let Some(request) = read_request(&mut reader) else {
                    return;
                };
                seen.lock().unwrap().push(request);
                let mut stream = stream;
                let body = reply.body.replace("{base}", &base);
                let mut head = format!(
                    "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                    reply.status,
                    body.len()
                );
                for (name, value) in &reply.headers {
                    let value = value.replace("{base}", &base);
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(body.as_bytes());
                let _ = stream.flush();
            }
        });
        Server {
            url,
            requests,
            handle: Mutex::new(Some(handle)),
        }
    }

    /// Every request received, once the script is served or the client gave up.
    pub fn requests(&self) -> Vec<Request> {
        // The client has exited by now; a server still waiting for a connection that will
        // never come is woken by one empty connection.
        if let Some(handle) = self.handle.lock().unwrap().take() {
            if !handle.is_finished() {
                let _ = std::net::TcpStream::connect(self.url.trim_start_matches("http://"));
            }
            let _ = handle.join();
        }
        self.requests.lock().unwrap().clone()
    }
}

fn read_request(reader: &mut impl BufRead) -> Option<Request> {
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    let mut parts = first.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        target,
        headers,
        body: String::from_utf8(body).ok()?,
    })
}
