//! Reading ahead on a second thread: the kernel's copy of the next chunk, and the count of
//! its newlines, overlap the scan of this one. Chunks are handed over whole (the scanner
//! swaps its buffer for the new one, never copies) and recycled, so memory stays about a MiB
//! whatever the input.

use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, SyncSender};

use super::scan::{Chunks, Lines, CHUNK};

/// A buffer, how many of its bytes were read, and their newlines.
type Chunk = io::Result<(Vec<u8>, usize, Lines)>;

/// Chunks of `inner` read by another thread, after `head` (bytes already read from it).
pub(super) struct ReadAhead {
    head: Option<Vec<u8>>,
    full: Receiver<Chunk>,
    empty: SyncSender<Vec<u8>>,
    done: bool,
}

impl ReadAhead {
    /// The thread is detached: it ends when the input ends or this reader is dropped (its
    /// next send fails), and a process that stops early (an error) does not wait for a
    /// stream that may never end.
    pub fn new<R: Read + Send + 'static>(head: Vec<u8>, mut inner: R) -> ReadAhead {
        let (full_tx, full) = mpsc::sync_channel::<Chunk>(2);
        let (empty, empty_rx) = mpsc::sync_channel::<Vec<u8>>(4);
        std::thread::spawn(move || loop {
            // Buffers stay full length, so each is zeroed once (by the allocator, lazily),
            // not on every chunk; the count of bytes read travels with it.
            let mut buf = empty_rx
                .try_recv()
                .ok()
                .filter(|b| b.len() == CHUNK)
                .unwrap_or_else(|| vec![0; CHUNK]);
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
                let lines = Lines::of(buf.get(..n).unwrap_or_default());
                (buf, n, lines)
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
    fn next_chunk(&mut self, buf: &mut Vec<u8>) -> io::Result<(usize, Lines)> {
        let next = match self.head.take() {
            Some(head) => head,
            None if self.done => return Ok((0, Lines::default())),
            None => match self.full.recv() {
                Ok(chunk) => {
                    let (chunk, n, lines) = chunk?;
                    if n == 0 {
                        self.done = true;
                    }
                    let old = std::mem::replace(buf, chunk);
                    let _ = self.empty.try_send(old);
                    return Ok((n, lines));
                }
                // The thread ended without a last, empty chunk: only after an error it sent.
                Err(_) => {
                    self.done = true;
                    return Ok((0, Lines::default()));
                }
            },
        };
        let lines = Lines::of(&next);
        let old = std::mem::replace(buf, next);
        let _ = self.empty.try_send(old);
        Ok((buf.len(), lines))
    }
}
