//! Reading ahead on a second thread: the kernel's copy of the next chunk, the count of its
//! newlines and the index of its string-special bytes overlap the scan of this one. Chunks
//! are handed over whole (the scanner swaps its buffer and index for the new ones, never
//! copies) and recycled, so memory stays about a MiB whatever the input.

use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, SyncSender};

use super::scan::{specials_of, Chunks, Lines, CHUNK};

/// A buffer, how many of its bytes were read, their newlines and their specials index.
type Chunk = io::Result<(Vec<u8>, usize, Lines, Vec<u64>)>;

/// A buffer and an index, to be filled again.
type Empty = (Vec<u8>, Vec<u64>);

/// Chunks of `inner` read by another thread, after `head` (bytes already read from it).
pub(super) struct ReadAhead {
    head: Option<Vec<u8>>,
    full: Receiver<Chunk>,
    empty: SyncSender<Empty>,
    done: bool,
}

impl ReadAhead {
    /// The thread is detached: it ends when the input ends or this reader is dropped (its
    /// next send fails), and a process that stops early (an error) does not wait for a
    /// stream that may never end.
    pub fn new<R: Read + Send + 'static>(head: Vec<u8>, mut inner: R) -> ReadAhead {
        let (full_tx, full) = mpsc::sync_channel::<Chunk>(2);
        let (empty, empty_rx) = mpsc::sync_channel::<Empty>(4);
        std::thread::spawn(move || loop {
            // Buffers stay full length, so each is zeroed once (by the allocator, lazily),
            // not on every chunk; the count of bytes read travels with it.
            let (mut buf, mut specials) = empty_rx
                .try_recv()
                .ok()
                .filter(|(b, _)| b.len() == CHUNK)
                .unwrap_or_else(|| (vec![0; CHUNK], Vec::new()));
            // One `read` per chunk: a pipe hands over what it has, so the scanner sees the
            // first bytes (and any error in them) without waiting for a whole chunk.
            let read = loop {
                match inner.read(&mut buf) {
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                    other => break other,
                }
            };
            let end = matches!(read, Ok(0) | Err(_));
            let sent = full_tx.send(read.map(|n| {
                let n = n.min(buf.len());
                let bytes = buf.get(..n).unwrap_or_default();
                let lines = Lines::of(bytes);
                specials_of(bytes, &mut specials);
                (buf, n, lines, specials)
            }));
            if sent.is_err() || end {
                return;
            }
        });
        ReadAhead {
            head: Some(head).filter(|h| !h.is_empty()),
            full,
            empty,
            done: false,
        }
    }
}

impl Chunks for ReadAhead {
    fn next_chunk(
        &mut self,
        buf: &mut Vec<u8>,
        specials: &mut Vec<u64>,
    ) -> io::Result<(usize, Lines)> {
        let next = match self.head.take() {
            Some(head) => head,
            None if self.done => return Ok((0, Lines::default())),
            None => match self.full.recv() {
                Ok(chunk) => {
                    let (chunk, n, lines, index) = chunk?;
                    if n == 0 {
                        self.done = true;
                    }
                    let old = std::mem::replace(buf, chunk);
                    let old_index = std::mem::replace(specials, index);
                    let _ = self.empty.try_send((old, old_index));
                    return Ok((n, lines));
                }
                // The thread ended without a last, empty chunk: only after an error it sent.
                Err(_) => {
                    self.done = true;
                    return Ok((0, Lines::default()));
                }
            },
        };
        // The few bytes read before this thread started: not indexed.
        let lines = Lines::of(&next);
        specials.clear();
        let old = std::mem::replace(buf, next);
        let _ = self.empty.try_send((old, Vec::new()));
        Ok((buf.len(), lines))
    }
}
