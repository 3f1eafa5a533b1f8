//! A byte-level JSON scanner over any `Read`, in fixed buffers: the layer under the streaming
//! plan reader (`stream`). It validates JSON syntax as fast as it can skip it, never recurses
//! (nesting is a bit stack, one bit per level), and allocates nothing for skipped values.
//!
//! It knows nothing of plans. The reader above it asks for keys (classified without
//! allocating), skips values it does not need, and captures the bytes of the few values it
//! hands to serde (a role's `resource_changes` entry, a top-level scalar).
//!
//! Syntax errors carry the line and column serde_json would give, and the same wording for
//! the common cases; the callers that can re-read their input use serde's own message.

// Positions and counts here are bounded by the bytes read so far, and every step of `pos`
// stays within the current buffer (it is checked against `end` before it is taken), so
// none of this arithmetic can overflow; the scanner's hot loop keeps plain arithmetic rather
// than paying for checked forms. Indexing is checked (`get`) everywhere.
#![allow(clippy::arithmetic_side_effects)]

use std::io::{self, Read};

/// The read buffer: large enough that a refill is rare next to the work on its bytes, small
/// enough to stay in cache. Measured in turn with the floor on two machines: on a 2-core AMD
/// EPYC VM 256 KiB beat 1 MiB (fewer fresh pages to fault in, 12.2 -> 10.5 ms at 1k
/// resources, equal or better at 100k) and 128 KiB; on a 2-vCPU Intel Xeon VM whose two CPUs
/// share a core, 512 KiB read the 100k plan 6% faster than 256 KiB (0.83x -> 0.78x the floor)
/// and 1 MiB no faster again, for 2 MiB more at the role-heavy plan's peak (1 MiB: 5 MiB).
/// Waking the read-ahead thread in batches instead of once a chunk halved the context
/// switches and was no faster: the chunk's size is what counts.
pub(super) const CHUNK: usize = 1 << 19;

/// Longest key or string the scanner keeps to compare; longer ones are never a name it looks
/// for, so they are skipped (still validated) rather than kept.
pub(super) const SHORT: usize = 256;

/// Why scanning stopped.
#[derive(Debug)]
pub(super) enum ScanError {
    Io(io::Error),
    /// Invalid JSON at a position (1-based line, column as serde_json counts it).
    Syntax {
        line: usize,
        column: usize,
        reason: &'static str,
        /// The input ended inside a value.
        eof: bool,
    },
}

impl ScanError {
    /// A trailing-comma error reworded.
    fn trailing_comma(self, reason: &'static str) -> ScanError {
        match self {
            ScanError::Syntax {
                line,
                column,
                reason: "trailing comma",
                eof,
            } => ScanError::Syntax {
                line,
                column,
                reason,
                eof,
            },
            other => other,
        }
    }
}

/// A byte source with a fixed buffer, position tracking for messages, and capture of the
/// bytes of one value at a time.
pub(super) struct Source<R> {
    reader: R,
    /// The current chunk; only `..end` holds input.
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    /// Newlines in the bytes already dropped from the buffer.
    lines_before: usize,
    /// Bytes since the last newline at the start of the buffer.
    column_before: usize,
    /// The newlines of the current buffer.
    lines: Lines,
    /// The current buffer's string-special bytes, one bit a byte (`specials_of`), when its
    /// source indexed it (the read-ahead thread does); empty otherwise.
    specials: Vec<u64>,
    capture: Capture,
    /// Bit stack of open containers while skipping (1 = object).
    stack: Vec<u64>,
    scratch: Vec<u8>,
    text: String,
}

/// The capture of one value's bytes. Lazy: bytes are copied only when the buffer is refilled
/// in the middle of the value, so a capture that is dropped at the end cost almost nothing.
#[derive(Default)]
struct Capture {
    active: bool,
    /// Where the value starts in the current buffer.
    start: usize,
    /// Bytes of the value from earlier buffers.
    bytes: Vec<u8>,
    /// Beyond this many bytes the capture is given up (`overflowed`).
    limit: usize,
    overflowed: bool,
}

/// Where the scanner's bytes come from: a chunk at a time, so a reader on another thread can
/// hand its buffer over instead of having it copied (`readahead`).
pub(super) trait Chunks {
    /// Put the next bytes of the input in `buf[..n]` (`buf` may be swapped for another
    /// buffer) and return `n` with the newlines of those bytes; `n == 0` at the end.
    /// `specials` becomes the bytes' `specials_of` index, or empty (the scanner then finds
    /// string ends itself).
    fn next_chunk(
        &mut self,
        buf: &mut Vec<u8>,
        specials: &mut Vec<u64>,
    ) -> io::Result<(usize, Lines)>;
}

/// Any `Read`, read on this thread: one `read` per chunk (so a reader that hands out a byte
/// at a time exercises every refill boundary).
impl<R: Read> Chunks for R {
    fn next_chunk(
        &mut self,
        buf: &mut Vec<u8>,
        specials: &mut Vec<u64>,
    ) -> io::Result<(usize, Lines)> {
        // Indexing here would cost this thread what the index saves it.
        specials.clear();
        if buf.len() < CHUNK {
            // Zeroed by the allocator, page by page as it is touched: a small input costs
            // no more than its size.
            *buf = vec![0; CHUNK];
        }
        loop {
            match self.read(buf) {
                Ok(n) => {
                    let n = n.min(buf.len());
                    return Ok((n, Lines::of(buf.get(..n).unwrap_or_default())));
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
    }
}

/// The newlines in a chunk: how many, and where the last one is. Counted when the chunk is
/// read (on the read-ahead thread, when there is one), so the scanner only adds them up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Lines {
    count: usize,
    last: Option<usize>,
}

impl Lines {
    pub fn of(bytes: &[u8]) -> Lines {
        let (count, last) = newlines(bytes);
        Lines { count, last }
    }
}

impl<R: Chunks> Source<R> {
    pub fn new(reader: R) -> Self {
        Source {
            reader,
            buf: Vec::new(),
            lines: Lines::default(),
            specials: Vec::new(),
            pos: 0,
            end: 0,
            eof: false,
            lines_before: 0,
            column_before: 0,
            capture: Capture::default(),
            stack: Vec::new(),
            scratch: Vec::new(),
            text: String::new(),
        }
    }

    /// Make sure a byte is buffered; false at the end of the input.
    #[inline]
    fn fill(&mut self) -> Result<bool, ScanError> {
        if self.pos < self.end {
            return Ok(true);
        }
        self.refill()
    }

    #[cold]
    fn refill(&mut self) -> Result<bool, ScanError> {
        if self.eof {
            return Ok(false);
        }
        match self.lines {
            Lines {
                count,
                last: Some(last),
            } => {
                self.lines_before += count;
                self.column_before = self.end - last - 1;
            }
            Lines { last: None, .. } => self.column_before += self.end,
        }
        if self.capture.active {
            let part = self
                .buf
                .get(self.capture.start..self.end)
                .unwrap_or_default();
            if self.capture.bytes.len() + part.len() > self.capture.limit {
                self.capture.active = false;
                self.capture.overflowed = true;
                self.capture.bytes = Vec::new();
            } else {
                self.capture.bytes.extend_from_slice(part);
            }
            self.capture.start = 0;
        }
        self.pos = 0;
        self.end = 0;
        self.lines = Lines::default();
        self.specials.clear();
        let (n, lines) = self
            .reader
            .next_chunk(&mut self.buf, &mut self.specials)
            .map_err(ScanError::Io)?;
        if n == 0 {
            self.eof = true;
            return Ok(false);
        }
        self.end = n.min(self.buf.len());
        self.lines = lines;
        Ok(true)
    }

    // --- positions and errors ------------------------------------------------------------

    /// The line and column of the byte just before buffer index `after` (serde_json's
    /// convention: an error names the column of the offending byte, 1-based).
    fn position(&self, after: usize) -> (usize, usize) {
        let upto = self.buf.get(..after.min(self.end)).unwrap_or_default();
        match newlines(upto) {
            (count, Some(last)) => (self.lines_before + count + 1, upto.len() - last - 1),
            (_, None) => (self.lines_before + 1, self.column_before + upto.len()),
        }
    }

    /// An error at the byte just consumed.
    #[cold]
    pub fn error(&self, reason: &'static str) -> ScanError {
        let (line, column) = self.position(self.pos);
        ScanError::Syntax {
            line,
            column,
            reason,
            eof: false,
        }
    }

    /// An error reported where serde_json reports it for a control character in a string:
    /// at the byte before it.
    #[cold]
    fn error_before(&self, reason: &'static str) -> ScanError {
        let (line, column) = self.position(self.pos.saturating_sub(1));
        ScanError::Syntax {
            line,
            column,
            reason,
            eof: false,
        }
    }

    /// An error at the byte about to be read (peeked, not consumed).
    #[cold]
    pub fn error_at_next(&self, reason: &'static str) -> ScanError {
        let (line, column) = self.position(self.pos + 1);
        ScanError::Syntax {
            line,
            column,
            reason,
            eof: false,
        }
    }

    #[cold]
    fn eof_error(&self, reason: &'static str) -> ScanError {
        let (line, column) = self.position(self.end);
        ScanError::Syntax {
            line,
            column,
            reason,
            eof: true,
        }
    }

    // --- bytes ---------------------------------------------------------------------------

    /// The next byte, consumed; `None` at the end of the input.
    #[inline(always)]
    fn next(&mut self) -> Result<Option<u8>, ScanError> {
        if !self.fill()? {
            return Ok(None);
        }
        let b = self.buf.get(self.pos).copied();
        self.pos += 1;
        Ok(b)
    }

    /// The next byte that is not whitespace, not consumed; `None` at the end of the input.
    #[inline(always)]
    pub fn peek_nonws(&mut self) -> Result<Option<u8>, ScanError> {
        // Terraform writes plans minified: the next byte is nearly always the answer.
        if self.pos < self.end {
            if let Some(&b) = self.buf.get(self.pos) {
                if !matches!(b, b' ' | b'\n' | b'\t' | b'\r') {
                    return Ok(Some(b));
                }
            }
        }
        self.peek_nonws_slow()
    }

    fn peek_nonws_slow(&mut self) -> Result<Option<u8>, ScanError> {
        loop {
            let slice = self.buf.get(self.pos..self.end).unwrap_or_default();
            match slice
                .iter()
                .position(|&b| !matches!(b, b' ' | b'\n' | b'\t' | b'\r'))
            {
                Some(i) => {
                    self.pos += i;
                    return Ok(slice.get(i).copied());
                }
                None => {
                    self.pos = self.end;
                    if !self.refill()? {
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// The next byte that is not whitespace, consumed; the end of the input is an error.
    #[inline(always)]
    pub fn next_nonws(&mut self, eof: &'static str) -> Result<u8, ScanError> {
        match self.peek_nonws()? {
            Some(b) => {
                self.pos += 1;
                Ok(b)
            }
            None => Err(self.eof_error(eof)),
        }
    }

    /// Consume the byte `peek_nonws` just returned.
    #[inline(always)]
    pub fn bump(&mut self) {
        self.pos += 1;
    }

    /// `:` between a key and its value.
    #[inline(always)]
    pub fn colon(&mut self) -> Result<(), ScanError> {
        match self.next_nonws(EOF_OBJECT)? {
            b':' => Ok(()),
            _ => Err(self.error("expected `:`")),
        }
    }

    /// After `{`: whether a key follows (its opening quote consumed) or the object is empty.
    #[inline(always)]
    pub fn first_key(&mut self) -> Result<bool, ScanError> {
        match self.next_nonws(EOF_OBJECT)? {
            b'"' => Ok(true),
            b'}' => Ok(false),
            _ => Err(self.error("key must be a string")),
        }
    }

    /// After a member: whether another key follows (its quote consumed) or the object ends.
    #[inline(always)]
    pub fn next_key(&mut self) -> Result<bool, ScanError> {
        match self.next_nonws(EOF_OBJECT)? {
            b',' => match self.next_nonws(EOF_VALUE)? {
                b'"' => Ok(true),
                b'}' => Err(self.error("trailing comma")),
                _ => Err(self.error("key must be a string")),
            },
            b'}' => Ok(false),
            _ => Err(self.error("expected `,` or `}`")),
        }
    }

    /// After `[`: whether an element follows (not consumed) or the array is empty.
    #[inline(always)]
    pub fn first_element(&mut self) -> Result<bool, ScanError> {
        match self.peek_nonws()? {
            Some(b']') => {
                self.pos += 1;
                Ok(false)
            }
            Some(_) => Ok(true),
            None => Err(self.eof_error(EOF_LIST)),
        }
    }

    /// After an element: whether another follows (not consumed) or the array ends.
    #[inline(always)]
    pub fn next_element(&mut self) -> Result<bool, ScanError> {
        match self.next_nonws(EOF_LIST)? {
            b',' => match self.peek_nonws()? {
                Some(b']') => Err(self.error_at_next("trailing comma")),
                Some(_) => Ok(true),
                None => Err(self.eof_error(EOF_VALUE)),
            },
            b']' => Ok(false),
            _ => Err(self.error("expected `,` or `]`")),
        }
    }

    /// The rest of a literal whose first byte was consumed.
    pub fn literal(&mut self, rest: &[u8]) -> Result<(), ScanError> {
        for &want in rest {
            match self.next()? {
                Some(b) if b == want => {}
                Some(_) => return Err(self.error("expected ident")),
                None => return Err(self.eof_error(EOF_VALUE)),
            }
        }
        Ok(())
    }

    // --- strings -------------------------------------------------------------------------

    /// The buffer index of the first string-special byte at or after `pos` (`special_from`),
    /// when the buffer holds one.
    #[inline(always)]
    fn next_special(&self) -> Option<usize> {
        special_from(
            self.buf.get(..self.end).unwrap_or_default(),
            &self.specials,
            self.pos,
        )
    }

    /// Skip a string whose opening quote was consumed: escapes and control characters are
    /// checked (as serde_json does for a skipped string), UTF-8 is not.
    #[inline(always)]
    pub fn skip_string(&mut self) -> Result<(), ScanError> {
        loop {
            match self.next_special() {
                Some(i) => {
                    let b = self.buf.get(i).copied();
                    self.pos = i + 1;
                    match b {
                        Some(b'"') => return Ok(()),
                        Some(b'\\') => {
                            self.escape()?;
                        }
                        _ => return Err(self.error_before(CONTROL)),
                    }
                }
                None => {
                    self.pos = self.end;
                    if !self.refill()? {
                        return Err(self.eof_error(EOF_STRING));
                    }
                }
            }
        }
    }

    /// One escape after its backslash; returns its raw bytes (without the backslash).
    fn escape(&mut self) -> Result<([u8; 5], usize), ScanError> {
        let Some(c) = self.next()? else {
            return Err(self.eof_error(EOF_STRING));
        };
        match c {
            c if short_escape(c).is_some() => Ok(([c, 0, 0, 0, 0], 1)),
            b'u' => {
                // serde_json takes all four bytes, then judges them: same position.
                let mut raw = [b'u', 0, 0, 0, 0];
                for slot in raw.iter_mut().skip(1) {
                    match self.next()? {
                        Some(h) => *slot = h,
                        None => return Err(self.eof_error(EOF_STRING)),
                    }
                }
                if !raw.iter().skip(1).all(u8::is_ascii_hexdigit) {
                    return Err(self.error("invalid escape"));
                }
                Ok((raw, 5))
            }
            _ => Err(self.error("invalid escape")),
        }
    }

    /// A key (opening quote consumed), classified by `classify` without allocating. A key
    /// too long to be any name the reader looks for is classified as the empty key.
    #[inline]
    pub fn key<K>(&mut self, classify: fn(&[u8]) -> K) -> Result<K, ScanError> {
        let slice = self.buf.get(self.pos..self.end).unwrap_or_default();
        if let Some(i) = self.next_special().map(|i| i - self.pos) {
            if slice.get(i) == Some(&b'"') {
                let raw = slice.get(..i).unwrap_or_default();
                // Keys are checked as UTF-8, like serde_json does when it reads them; an
                // ASCII key (nearly all) needs no more than the ASCII check.
                if !raw.is_ascii() && std::str::from_utf8(raw).is_err() {
                    self.pos += i + 1;
                    return Err(self.error(INVALID_UNICODE));
                }
                let key = classify(raw);
                self.pos += i + 1;
                return Ok(key);
            }
        }
        Ok(classify(self.string(SHORT)?.unwrap_or_default().as_bytes()))
    }

    /// A string (opening quote consumed), decoded, when its raw text is at most `cap` bytes;
    /// `None` for a longer one (skipped, escapes still checked).
    pub fn string(&mut self, cap: usize) -> Result<Option<&str>, ScanError> {
        // Nearly every string ends in the buffer without an escape: read in place.
        let found = self.next_special();
        if let Some(i) = found.filter(|&i| self.buf.get(i) == Some(&b'"')) {
            let start = self.pos;
            self.pos = i + 1;
            if i - start > cap {
                return Ok(None);
            }
            let raw = self.buf.get(start..i).unwrap_or_default();
            return match std::str::from_utf8(raw) {
                Ok(text) => Ok(Some(text)),
                Err(_) => Err(self.error(INVALID_UNICODE)),
            };
        }
        self.scratch.clear();
        let mut fits = true;
        let mut escaped = false;
        // The search above found the first run's end already.
        let mut first = Some(found);
        loop {
            let slice = self.buf.get(self.pos..self.end).unwrap_or_default();
            let found = match first.take() {
                Some(found) => found,
                None => self.next_special(),
            }
            .map(|i| i - self.pos);
            let run = slice
                .get(..found.unwrap_or(slice.len()))
                .unwrap_or_default();
            fits = fits && self.scratch.len() + run.len() <= cap;
            if fits {
                self.scratch.extend_from_slice(run);
            }
            match found {
                Some(i) => {
                    let b = slice.get(i).copied();
                    self.pos += i + 1;
                    match b {
                        Some(b'"') => break,
                        Some(b'\\') => {
                            escaped = true;
                            let (raw, len) = self.escape()?;
                            fits = fits && self.scratch.len() + len < cap;
                            if fits {
                                self.scratch.push(b'\\');
                                self.scratch
                                    .extend_from_slice(raw.get(..len).unwrap_or_default());
                            }
                        }
                        // serde counts a control character in a string it reads (not skips).
                        _ => return Err(self.error(CONTROL)),
                    }
                }
                None => {
                    self.pos = self.end;
                    if !self.refill()? {
                        return Err(self.eof_error(EOF_STRING));
                    }
                }
            }
        }
        if !fits {
            return Ok(None);
        }
        self.text.clear();
        if escaped && !self.scratch.windows(2).any(|w| w == b"\\u") {
            // Simple escapes (a for_each key's quotes in an address) are decoded in place:
            // the decoded text is never longer than the raw one. The escapes were checked as
            // they were read.
            let mut to = 0;
            let mut from = 0;
            while let Some(&b) = self.scratch.get(from) {
                let out = if b == b'\\' {
                    from += 1;
                    match self.scratch.get(from) {
                        Some(&c) => short_escape(c).unwrap_or(c),
                        None => break,
                    }
                } else {
                    b
                };
                if let Some(slot) = self.scratch.get_mut(to) {
                    *slot = out;
                }
                to += 1;
                from += 1;
            }
            self.scratch.truncate(to);
            match std::str::from_utf8(&self.scratch) {
                Ok(text) => self.text.push_str(text),
                Err(_) => return Err(self.error(INVALID_UNICODE)),
            }
        } else if escaped {
            // Rare: let serde_json decode `\u` escapes, so surrogates follow its rules.
            let mut quoted = Vec::with_capacity(self.scratch.len() + 2);
            quoted.push(b'"');
            quoted.extend_from_slice(&self.scratch);
            quoted.push(b'"');
            match serde_json::from_slice::<String>(&quoted) {
                Ok(text) => self.text = text,
                Err(_) => return Err(self.error("invalid unicode code point")),
            }
        } else {
            match std::str::from_utf8(&self.scratch) {
                Ok(text) => self.text.push_str(text),
                Err(_) => return Err(self.error(INVALID_UNICODE)),
            }
        }
        Ok(Some(&self.text))
    }

    // --- numbers -------------------------------------------------------------------------

    /// The rest of a number whose first byte (`-` or a digit) was consumed, by JSON's grammar.
    fn skip_number(&mut self, first: u8) -> Result<(), ScanError> {
        let lead = if first == b'-' {
            match self.next()? {
                Some(d) if d.is_ascii_digit() => d,
                Some(_) => return Err(self.error("invalid number")),
                None => return Err(self.eof_error(EOF_VALUE)),
            }
        } else {
            first
        };
        if lead == b'0' {
            if self.peek_byte()?.is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.error_at_next("invalid number"));
            }
        } else {
            self.digits()?;
        }
        if self.peek_byte()? == Some(b'.') {
            self.pos += 1;
            if self.digits()? == 0 {
                return Err(self.number_error()?);
            }
        }
        if matches!(self.peek_byte()?, Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek_byte()?, Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits()? == 0 {
                return Err(self.number_error()?);
            }
        }
        Ok(())
    }

    #[cold]
    fn number_error(&mut self) -> Result<ScanError, ScanError> {
        Ok(match self.peek_byte()? {
            Some(_) => self.error_at_next("invalid number"),
            None => self.eof_error(EOF_VALUE),
        })
    }

    #[inline]
    fn peek_byte(&mut self) -> Result<Option<u8>, ScanError> {
        if !self.fill()? {
            return Ok(None);
        }
        Ok(self.buf.get(self.pos).copied())
    }

    /// Skip ASCII digits; how many.
    fn digits(&mut self) -> Result<usize, ScanError> {
        let mut count = 0;
        loop {
            let slice = self.buf.get(self.pos..self.end).unwrap_or_default();
            let run = slice.iter().take_while(|b| b.is_ascii_digit()).count();
            self.pos += run;
            count += run;
            if run < slice.len() || !self.refill()? {
                return Ok(count);
            }
        }
    }

    // --- values --------------------------------------------------------------------------

    /// Skip one value, validating it, with an explicit stack (deep nesting costs one bit per
    /// level, never a stack frame). Two paths share the walk: `skip_fast` takes every token
    /// that is whole in the buffer and plainly valid, on local copies of the position; the
    /// steps below take one token at a time wherever it stops (a buffer's end, an escape it
    /// does not know, anything invalid), so every error is found, worded and placed by them.
    pub fn skip_value(&mut self) -> Result<(), ScanError> {
        let mut depth: usize = 0;
        // Whether a value just ended (else one is expected).
        let mut after = false;
        loop {
            self.skip_fast(&mut depth, &mut after);
            if !after {
                let b = self.next_nonws(EOF_VALUE)?;
                match b {
                    b'"' => self.skip_string()?,
                    b'{' => {
                        if self.first_key()? {
                            push(&mut self.stack, depth, true);
                            depth += 1;
                            self.skip_string()?;
                            self.colon()?;
                            continue;
                        }
                    }
                    b'[' => {
                        if self.first_element()? {
                            push(&mut self.stack, depth, false);
                            depth += 1;
                            continue;
                        }
                    }
                    b't' => self.literal(b"rue")?,
                    b'f' => self.literal(b"alse")?,
                    b'n' => self.literal(b"ull")?,
                    b'-' | b'0'..=b'9' => self.skip_number(b)?,
                    _ => return Err(self.error("expected value")),
                }
                after = true;
                continue;
            }
            // A value ended: close the container it completes, or go on to its next member.
            // A trailing comma is worded as serde words it in a value it skips.
            if depth == 0 {
                return Ok(());
            }
            if is_object(&self.stack, depth - 1) {
                if self
                    .next_key()
                    .map_err(|e| e.trailing_comma("key must be a string"))?
                {
                    self.skip_string()?;
                    self.colon()?;
                    after = false;
                    continue;
                }
            } else if self
                .next_element()
                .map_err(|e| e.trailing_comma("expected value"))?
            {
                after = false;
                continue;
            }
            depth -= 1;
        }
    }

    /// The fast path of `skip_value`: tokens whole in the buffer and plainly valid, taken
    /// with the position in a local; it stops before the first token it does not take, with
    /// nothing of that token consumed, and leaves `depth` and `after` as the steps expect.
    #[inline]
    fn skip_fast(&mut self, depth: &mut usize, after: &mut bool) {
        let s = self.buf.get(..self.end).unwrap_or_default();
        let bits = &self.specials[..];
        let stack = &mut self.stack;
        let mut p = self.pos;
        let mut d = *depth;
        let mut a = *after;
        loop {
            if a {
                if d == 0 {
                    break;
                }
                let Some(q) = skip_ws(s, p) else { break };
                let object = is_object(stack, d - 1);
                match s.get(q) {
                    Some(b',') => {
                        let Some(q) = skip_ws(s, q + 1) else { break };
                        if object {
                            let Some(q) = key_and_colon(s, bits, q) else {
                                break;
                            };
                            p = q;
                        } else {
                            match s.get(q) {
                                Some(b']') | None => break,
                                Some(_) => p = q,
                            }
                        }
                        a = false;
                    }
                    Some(b'}') if object => {
                        p = q + 1;
                        d -= 1;
                    }
                    Some(b']') if !object => {
                        p = q + 1;
                        d -= 1;
                    }
                    _ => break,
                }
            } else {
                let Some(q) = skip_ws(s, p) else { break };
                let Some(&b) = s.get(q) else { break };
                match b {
                    b'"' => {
                        let Some(e) = string_end(s, bits, q + 1) else {
                            break;
                        };
                        p = e;
                        a = true;
                    }
                    b'{' | b'[' => {
                        let object = b == b'{';
                        let Some(q) = skip_ws(s, q + 1) else { break };
                        if s.get(q) == Some(if object { &b'}' } else { &b']' }) {
                            p = q + 1;
                            a = true;
                            continue;
                        }
                        // An object's first member starts with its key; an array's first
                        // element is the next value.
                        let q = if object {
                            let Some(q) = key_and_colon(s, bits, q) else {
                                break;
                            };
                            q
                        } else {
                            q
                        };
                        push(stack, d, object);
                        d += 1;
                        p = q;
                    }
                    b't' | b'f' | b'n' => {
                        let word: &[u8] = match b {
                            b't' => b"true",
                            b'f' => b"false",
                            _ => b"null",
                        };
                        if s.get(q..q + word.len()) != Some(word) {
                            break;
                        }
                        p = q + word.len();
                        a = true;
                    }
                    b'-' | b'0'..=b'9' => {
                        let Some(e) = number_end(s, q) else { break };
                        p = e;
                        a = true;
                    }
                    _ => break,
                }
            }
        }
        self.pos = p;
        *depth = d;
        *after = a;
    }

    // --- capture -------------------------------------------------------------------------

    /// Start keeping the bytes of the value that begins at the next byte.
    pub fn begin_capture(&mut self, limit: usize) {
        self.capture.active = true;
        self.capture.overflowed = false;
        self.capture.start = self.pos;
        self.capture.bytes.clear();
        self.capture.limit = limit;
    }

    /// How many bytes the active capture holds up to the current position: where the next
    /// value starts in the bytes `end_capture` will return. `None` without an active capture.
    pub fn capture_offset(&self) -> Option<usize> {
        self.capture.active.then(|| {
            self.capture
                .bytes
                .len()
                .saturating_add(self.pos.saturating_sub(self.capture.start))
        })
    }

    /// Lower the capture's limit (the value turned out not to be needed whole); a capture
    /// already past it is given up at the next refill.
    pub fn limit_capture(&mut self, limit: usize) {
        self.capture.limit = self.capture.limit.min(limit);
    }

    /// The bytes captured so far plus the rest of the buffer: enough for serde to find an
    /// error at or before the current position.
    pub fn captured_so_far(&self) -> Option<Vec<u8>> {
        if !self.capture.active {
            return None;
        }
        let mut bytes = self.capture.bytes.clone();
        bytes.extend_from_slice(
            self.buf
                .get(self.capture.start..self.end)
                .unwrap_or_default(),
        );
        Some(bytes)
    }

    /// Stop capturing; the bytes from `begin_capture` to here, or `None` when the value was
    /// larger than the limit.
    pub fn end_capture(&mut self) -> Option<Vec<u8>> {
        let active = std::mem::replace(&mut self.capture.active, false);
        if !active {
            return None;
        }
        let mut bytes = std::mem::take(&mut self.capture.bytes);
        bytes.extend_from_slice(
            self.buf
                .get(self.capture.start..self.pos)
                .unwrap_or_default(),
        );
        Some(bytes)
    }

    /// Stop capturing and forget the bytes (keeping a modest allocation for the next one).
    pub fn drop_capture(&mut self) {
        self.capture.active = false;
        self.capture.bytes.clear();
        if self.capture.bytes.capacity() > 4 << 20 {
            self.capture.bytes = Vec::new();
        }
    }

    // --- after an error ------------------------------------------------------------------

    /// Whether any line from the one holding the current position to the end of the input
    /// starts with setup-terraform wrapper output. Read line by line without keeping lines,
    /// so even a huge input costs no memory here.
    pub fn rest_looks_like_wrapper(&mut self) -> bool {
        let upto = self.buf.get(..self.pos.min(self.end)).unwrap_or_default();
        let start = upto.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let mut lines = LineHeads::default();
        lines.feed(self.buf.get(start..self.end).unwrap_or_default());
        while !lines.found {
            self.pos = self.end;
            match self.refill() {
                Ok(true) => lines.feed(self.buf.get(..self.end).unwrap_or_default()),
                _ => break,
            }
        }
        lines.finish();
        lines.found
    }
}

/// The first bytes of every line (after leading whitespace), checked for wrapper markers.
#[derive(Default)]
struct LineHeads {
    head: Vec<u8>,
    /// The current line's head is complete (full, or checked).
    done: bool,
    found: bool,
}

impl LineHeads {
    const HEAD: usize = 16;

    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' {
                self.finish();
                self.head.clear();
                self.done = false;
            } else if !self.done {
                if self.head.is_empty() && b.is_ascii_whitespace() {
                    continue;
                }
                self.head.push(b);
                if self.head.len() == Self::HEAD {
                    self.finish();
                    self.done = true;
                }
            }
        }
    }

    fn finish(&mut self) {
        self.found |= super::input::looks_like_wrapper(&self.head);
    }
}

const EOF_VALUE: &str = "EOF while parsing a value";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_STRING: &str = "EOF while parsing a string";
const CONTROL: &str = "control character (\\u0000-\\u001F) found while parsing a string";
const INVALID_UNICODE: &str = "invalid unicode code point";

/// How many newlines `bytes` holds, and where the last one is. Counted in 64-byte blocks
/// (which the compiler vectorises): this runs over every byte of the input, on each refill.
fn newlines(bytes: &[u8]) -> (usize, Option<usize>) {
    let mut count = 0;
    let mut last_block = None;
    let mut blocks = bytes.chunks_exact(64);
    for (i, block) in (&mut blocks).enumerate() {
        // A byte-wide sum vectorises; a 64-byte block cannot overflow it.
        let n = usize::from(
            block
                .iter()
                .fold(0u8, |sum, &b| sum.wrapping_add(u8::from(b == b'\n'))),
        );
        if n > 0 {
            count += n;
            last_block = Some(i * 64);
        }
    }
    let tail_start = bytes.len() - blocks.remainder().len();
    let tail = blocks.remainder();
    count += tail.iter().filter(|&&b| b == b'\n').count();
    let last = match tail.iter().rposition(|&b| b == b'\n') {
        Some(i) => Some(tail_start + i),
        None => last_block.and_then(|start| {
            let block = bytes.get(start..start + 64).unwrap_or_default();
            block.iter().rposition(|&b| b == b'\n').map(|i| start + i)
        }),
    };
    (count, last)
}

/// The byte a one-letter JSON escape (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`)
/// stands for, after its backslash; `None` for `u` (four hex digits follow) or anything else.
pub(super) fn short_escape(c: u8) -> Option<u8> {
    Some(match c {
        b'"' | b'\\' | b'/' => c,
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        _ => return None,
    })
}

/// Record at `depth` of `stack` (one bit a level) whether the container there is an object.
fn push(stack: &mut Vec<u64>, depth: usize, object: bool) {
    let (word, bit) = (depth / 64, depth % 64);
    if word >= stack.len() {
        stack.push(0);
    }
    if let Some(w) = stack.get_mut(word) {
        if object {
            *w |= 1 << bit;
        } else {
            *w &= !(1 << bit);
        }
    }
}

fn is_object(stack: &[u64], depth: usize) -> bool {
    stack
        .get(depth / 64)
        .is_some_and(|w| w & (1 << (depth % 64)) != 0)
}

/// The index of the first byte from `p` that is not whitespace, if the buffer has one.
#[inline(always)]
fn skip_ws(s: &[u8], mut p: usize) -> Option<usize> {
    loop {
        match s.get(p)? {
            b' ' | b'\n' | b'\t' | b'\r' => p += 1,
            _ => return Some(p),
        }
    }
}

/// Just past the closing quote of a string whose body starts at `p`, when the buffer holds
/// it whole and it is plainly valid (a byte-for-byte escape, or `\u` and four hex digits);
/// `None` leaves it to `skip_string`.
#[inline(always)]
fn string_end(s: &[u8], bits: &[u64], mut p: usize) -> Option<usize> {
    loop {
        let i = special_from(s, bits, p)?;
        match s.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match s.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => p = i + 2,
                b'u' if s.get(i + 2..i + 6)?.iter().all(u8::is_ascii_hexdigit) => p = i + 6,
                _ => return None,
            },
            _ => return None,
        }
    }
}

/// Just past the `:` of a key that starts (its quote) at `p`, or `None` (see `string_end`).
#[inline(always)]
fn key_and_colon(s: &[u8], bits: &[u64], p: usize) -> Option<usize> {
    if s.get(p) != Some(&b'"') {
        return None;
    }
    let q = skip_ws(s, string_end(s, bits, p + 1)?)?;
    (s.get(q) == Some(&b':')).then_some(q + 1)
}

/// Just past a number that starts at `p`, when it follows JSON's grammar and a byte after it
/// is in the buffer (else it might go on in the next chunk); `None` leaves it to
/// `skip_number`.
#[inline(always)]
fn number_end(s: &[u8], mut p: usize) -> Option<usize> {
    let digits = |p: usize| {
        s.get(p..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_digit()).count()
        })
    };
    if s.get(p) == Some(&b'-') {
        p += 1;
    }
    match s.get(p)? {
        b'0' => p += 1,
        b'1'..=b'9' => p += digits(p),
        _ => return None,
    }
    if s.get(p) == Some(&b'.') {
        let n = digits(p + 1);
        if n == 0 {
            return None;
        }
        p += 1 + n;
    }
    if matches!(s.get(p), Some(b'e' | b'E')) {
        p += 1;
        if matches!(s.get(p), Some(b'+' | b'-')) {
            p += 1;
        }
        let n = digits(p);
        if n == 0 {
            return None;
        }
        p += n;
    }
    // A digit right after a leading zero is an error `skip_number` words.
    match s.get(p)? {
        b'0'..=b'9' => None,
        _ => Some(p),
    }
}

/// The index in `s` of the first string-special byte at or after `p` (see `find_special`),
/// read off `bits` (`specials_of(s)`) a word of 64 bytes at a time when the source indexed
/// the buffer, else searched for.
#[inline(always)]
fn special_from(s: &[u8], bits: &[u64], p: usize) -> Option<usize> {
    if bits.is_empty() {
        return Some(p + find_special(s.get(p..)?)?);
    }
    let mut w = p / 64;
    let mut word = bits.get(w)? & (u64::MAX << (p % 64));
    loop {
        if word != 0 {
            let i = w * 64 + word.trailing_zeros() as usize;
            return (i < s.len()).then_some(i);
        }
        w += 1;
        word = *bits.get(w)?;
    }
}

/// The string-special bytes of `bytes` (those `find_special` stops at), one bit a byte, bit
/// `i % 64` of word `i / 64` for byte `i`. Built on the read-ahead thread, which has time to
/// spare, so the scanner finds each string's end with a shift and a count instead of a search:
/// the flags of 64 bytes are compared in one vectorised pass, then packed eight at a time by
/// a multiplication that gathers each byte's low bit into the top byte.
pub(super) fn specials_of(bytes: &[u8], out: &mut Vec<u64>) {
    const GATHER: u64 = 0x0102_0408_1020_4080;
    let special = |b: u8| u8::from((b == b'"') | (b == b'\\') | (b < 0x20));
    out.clear();
    out.reserve(bytes.len().div_ceil(64));
    let mut blocks = bytes.chunks_exact(64);
    for block in &mut blocks {
        let mut flags = [0u8; 64];
        for (f, &b) in flags.iter_mut().zip(block) {
            *f = special(b);
        }
        let mut word = 0u64;
        for (i, eight) in flags.chunks_exact(8).enumerate() {
            let w = u64::from_le_bytes(<[u8; 8]>::try_from(eight).unwrap_or([0; 8]));
            word |= (w.wrapping_mul(GATHER) >> 56) << (i * 8);
        }
        out.push(word);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let word = tail
            .iter()
            .enumerate()
            .fold(0u64, |word, (i, &b)| word | (u64::from(special(b)) << i));
        out.push(word);
    }
}

/// The index of the first byte that ends a plain run inside a string: `"`, `\` or a control
/// character. Eight bytes at a time (SWAR): each mask's lowest set bit is exact, so the
/// lowest bit of their union is the first special byte.
#[inline]
pub(crate) fn find_special(s: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const QUOTE: u64 = ONES * b'"' as u64;
    const BACKSLASH: u64 = ONES * b'\\' as u64;
    const SPACE: u64 = ONES * 0x20;
    let mut chunks = s.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let w = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or([0; 8]));
        let q = w ^ QUOTE;
        let bs = w ^ BACKSLASH;
        let mask = ((q.wrapping_sub(ONES) & !q)
            | (bs.wrapping_sub(ONES) & !bs)
            | (w.wrapping_sub(SPACE) & !w))
            & HIGH;
        if mask != 0 {
            return Some(offset + (mask.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| offset + i)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn find_special_matches_a_byte_loop() {
        let mut bytes: Vec<u8> = (0u32..4000).map(|i| (i * 7919 % 251) as u8).collect();
        bytes.extend_from_slice(b"plain text without specials, then a \"");
        for start in 0..bytes.len() {
            let s = &bytes[start..];
            let want = s.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            assert_eq!(find_special(s), want, "from {start}");
        }
    }

    /// The index marks exactly the bytes `find_special` stops at, whatever the length (a
    /// partial last word included), and `special_from` reads the same answer off it as the
    /// search gives from every position.
    #[test]
    fn the_specials_index_agrees_with_the_search() {
        let mut bytes: Vec<u8> = (0u32..700).map(|i| (i * 7919 % 251) as u8).collect();
        bytes.extend_from_slice(&[b'a'; 150]);
        let mut index = Vec::new();
        for len in [0, 1, 7, 8, 63, 64, 65, 127, 128, 129, 700, bytes.len()] {
            let s = &bytes[..len];
            specials_of(s, &mut index);
            assert_eq!(index.len(), len.div_ceil(64), "len {len}");
            for (i, &b) in s.iter().enumerate() {
                let marked = index[i / 64] >> (i % 64) & 1 == 1;
                assert_eq!(
                    marked,
                    b == b'"' || b == b'\\' || b < 0x20,
                    "len {len} byte {i}"
                );
            }
            for p in 0..=len {
                let searched = find_special(&s[p..]).map(|i| p + i);
                assert_eq!(special_from(s, &index, p), searched, "len {len} from {p}");
                assert_eq!(special_from(s, &[], p), searched, "len {len} from {p}");
            }
        }
    }

    /// A reader that hands out one byte at a time: every refill boundary gets exercised.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((b, rest)), Some(slot)) => {
                    *slot = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn skip_all(json: &[u8]) -> Result<(), ScanError> {
        skip_from(Source::new(Trickle(json)))
    }

    fn skip_from<R: Chunks>(mut src: Source<R>) -> Result<(), ScanError> {
        src.skip_value()?;
        match src.peek_nonws()? {
            None => Ok(()),
            Some(_) => Err(src.error_at_next("trailing characters")),
        }
    }

    /// A reader that hands out `.1` bytes at a time.
    struct Pieces<'a>(&'a [u8], usize);

    impl Read for Pieces<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            let (head, rest) = self.0.split_at(n);
            buf[..n].copy_from_slice(head);
            self.0 = rest;
            Ok(n)
        }
    }

    /// A reader whose chunks come with their specials index, as the read-ahead thread's do.
    struct Indexed<R>(R);

    impl<R: Read> Chunks for Indexed<R> {
        fn next_chunk(
            &mut self,
            buf: &mut Vec<u8>,
            specials: &mut Vec<u64>,
        ) -> io::Result<(usize, Lines)> {
            let (n, lines) = self.0.next_chunk(buf, specials)?;
            specials_of(&buf[..n], specials);
            Ok((n, lines))
        }
    }

    /// The outcome of skipping `json` whole (the fast path takes all it can), in pieces of
    /// `piece` bytes (it stops at every piece's end) and a byte at a time (it hardly runs);
    /// the first two also with each chunk's specials index.
    fn outcomes(json: &[u8], piece: usize) -> [String; 5] {
        [
            format!("{:?}", skip_from(Source::new(json))),
            format!("{:?}", skip_from(Source::new(Pieces(json, piece)))),
            format!("{:?}", skip_all(json)),
            format!("{:?}", skip_from(Source::new(Indexed(json)))),
            format!("{:?}", skip_from(Source::new(Indexed(Pieces(json, piece))))),
        ]
    }

    /// JSON text: values of every kind, strings with escapes, numbers of every form, and
    /// whitespace between tokens.
    fn json_text() -> impl Strategy<Value = String> {
        let ws = prop::sample::select(vec!["", "", "", " ", "\n  ", "\t"]);
        let leaf = prop_oneof![
            Just("true".to_string()),
            Just("false".to_string()),
            Just("null".to_string()),
            "-?(0|[1-9][0-9]{0,3})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,2})?",
            "\"([a-z:/ *]|\\\\[\"\\\\/bfnrt]|\\\\u00[0-9a-fA-F]{2}|é){0,12}\"",
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            let ws = ws.clone();
            prop_oneof![
                prop::collection::vec((inner.clone(), ws.clone()), 0..6).prop_map(|items| {
                    let body: Vec<String> = items
                        .into_iter()
                        .map(|(v, w)| format!("{w}{v}{w}"))
                        .collect();
                    format!("[{}]", body.join(","))
                }),
                prop::collection::vec(("[a-z\\\\\"]{0,4}", inner, ws), 0..6).prop_map(|members| {
                    let body: Vec<String> = members
                        .into_iter()
                        .map(|(k, v, w)| format!("{w}{:?}{w}:{w}{v}", k))
                        .collect();
                    format!("{{{}}}", body.join(","))
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The fast path changes nothing: a text skipped whole, in pieces and a byte at a time
        /// gives one outcome (the same error at the same place), and it is valid exactly when
        /// serde_json says so; the texts are valid JSON with up to three bytes replaced or
        /// inserted, so every kind of error meets every kind of token.
        #[test]
        fn skipping_is_the_same_whole_in_pieces_and_bytewise(
            text in json_text(),
            edits in prop::collection::vec(
                (any::<prop::sample::Index>(), prop::sample::select(b"\\\",:]}01-.eEu\x01 x[{".to_vec()), any::<bool>()),
                0..4,
            ),
            piece in 1usize..40,
        ) {
            let mut bytes = text.into_bytes();
            for (at, b, insert) in edits {
                let i = at.index(bytes.len() + 1);
                if insert || i == bytes.len() {
                    bytes.insert(i, b);
                } else {
                    bytes[i] = b;
                }
            }
            let [whole, pieces, bytewise, indexed, indexed_pieces] = outcomes(&bytes, piece);
            prop_assert_eq!(&whole, &pieces);
            prop_assert_eq!(&whole, &bytewise);
            prop_assert_eq!(&whole, &indexed);
            prop_assert_eq!(&whole, &indexed_pieces);
            let serde_ok = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok();
            prop_assert_eq!(whole == "Ok(())", serde_ok, "{}", String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn skips_what_serde_accepts_and_refuses_what_it_refuses() {
        let cases: &[&str] = &[
            r#"{"a":[1,-2.5e+3,0,true,false,null,"x\"\\\/\b\f\n\r\t\u00e9"],"b":{}}"#,
            "[]",
            "[[[[]]]]",
            r#"{"k":{"k":{"k":[{"k":0.5E-2}]}}}"#,
            "01",
            "[1,]",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{1:2}"#,
            "[1 2]",
            "\"\u{1}\"",
            r#""\x""#,
            r#""\u12G4""#,
            "tru",
            "-",
            "1.",
            "1e",
            "[",
            r#"{"a":"#,
            "\"abc",
        ];
        for case in cases {
            let ours = skip_all(case.as_bytes()).is_ok();
            let serde = serde_json::from_str::<serde::de::IgnoredAny>(case).is_ok();
            assert_eq!(ours, serde, "{case}");
        }
    }

    #[test]
    fn positions_match_serde() {
        for case in ["{\n  \"a\": 1,,\n}", "[1,\n2,\n x]", "{\"a\":\n\n", "[1]x"] {
            let Err(ScanError::Syntax { line, column, .. }) = skip_all(case.as_bytes()) else {
                panic!("{case} should fail");
            };
            let err = serde_json::from_str::<serde::de::IgnoredAny>(case).unwrap_err();
            assert_eq!((line, column), (err.line(), err.column()), "{case}");
        }
    }

    #[test]
    fn deep_nesting_is_skipped_without_recursion() {
        let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
        let mut src = Source::new(deep.as_bytes());
        src.skip_value().unwrap();
    }

    #[test]
    fn captures_across_refills() {
        let json = br#"{"a":"long string","b":[1,2,3]} tail"#;
        let mut src = Source::new(Trickle(json));
        src.begin_capture(usize::MAX);
        src.skip_value().unwrap();
        assert_eq!(
            src.end_capture().unwrap(),
            br#"{"a":"long string","b":[1,2,3]}"#
        );
    }

    #[test]
    fn keys_and_strings_decode() {
        let mut src = Source::new(Trickle(br#""typ\u0065" "x\"y" "#));
        src.next().unwrap();
        assert!(src.key(|k| k == b"type").unwrap());
        src.next_nonws("eof").unwrap();
        assert_eq!(src.string(SHORT).unwrap(), Some("x\"y"));
    }

    /// A string read in place (whole in the buffer, no escape) reads as one read a byte at a
    /// time does: its text, `None` past the cap, or the same error at the same place.
    #[test]
    fn strings_in_the_buffer_read_as_strings_across_refills() {
        let cases: &[&[u8]] = &[
            b"\"plain\" ",
            b"\"\" ",
            b"\"caf\xC3\xA9\" ",
            b"\"8 bytes!\" ",
            b"\"a bit longer than the cap\" ",
            b"\"bad \xFF byte\" ",
            b"\"with \\\"escape\\\"\" ",
            b"\"line\nbreak\" ",
        ];
        for &case in cases {
            for cap in [0, 8, SHORT] {
                let whole = {
                    let mut src = Source::new(case);
                    src.next().unwrap();
                    let got = format!("{:?}", src.string(cap).map(|t| t.map(str::to_string)));
                    (got, src.pos)
                };
                let bytewise = {
                    let mut src = Source::new(Trickle(case));
                    src.next().unwrap();
                    format!("{:?}", src.string(cap).map(|t| t.map(str::to_string)))
                };
                assert_eq!(
                    whole.0,
                    bytewise,
                    "{:?} cap {cap}",
                    String::from_utf8_lossy(case)
                );
                if whole.0.starts_with("Ok") {
                    assert_eq!(
                        whole.1,
                        case.len() - 1,
                        "{:?}",
                        String::from_utf8_lossy(case)
                    );
                }
            }
        }
    }

    /// Keys in one buffer take the fast path: ASCII and other valid UTF-8 are classified by
    /// their bytes, invalid UTF-8 is refused as serde_json refuses it.
    #[test]
    fn keys_in_the_buffer_are_checked_as_utf8() {
        let mut src = Source::new("\"type\" \"é\" ".as_bytes());
        src.next().unwrap();
        assert!(src.key(|k| k == b"type").unwrap());
        src.next_nonws("eof").unwrap();
        assert!(src.key(|k| k == "é".as_bytes()).unwrap());
        let mut src = Source::new(&b"\"t\xFFpe\" "[..]);
        src.next().unwrap();
        match src.key(|_| ()) {
            Err(ScanError::Syntax { reason, .. }) => assert_eq!(reason, INVALID_UNICODE),
            other => panic!("{other:?}"),
        }
    }
}
