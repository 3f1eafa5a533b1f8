//! Reading ahead on a second thread: the kernel's copy of the next chunk, and the count of
//! its newlines, overlap the scan of this one. Chunks are handed over whole (the scanner
//! swaps its buffer for the new one, never copies) and recycled, so memory stays a few MiB
//! whatever the input.

use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, SyncSender};

use super::scan::{Chunks, Lines, CHUNK};

type Chunk = io::Result<(Vec<u8>, Lines)>;

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
            let mut buf = empty_rx
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(CHUNK));
            buf.clear();
            // `read_to_end` fills spare capacity without zeroing it first, and `take` stops
            // it at one chunk; several reads may go into one chunk (a slow pipe).
            let read = loop {
                match (&mut inner).take(CHUNK as u64).read_to_end(&mut buf) {
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                    other => break other,
                }
            };
            let end = matches!(read, Ok(0) | Err(_));
            let sent = full_tx.send(read.map(|_| {
                let lines = Lines::of(&buf);
                (buf, lines)
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
                    let (chunk, lines) = chunk?;
                    if chunk.is_empty() {
                        self.done = true;
                    }
                    let old = std::mem::replace(buf, chunk);
                    let _ = self.empty.try_send(old);
                    return Ok((buf.len(), lines));
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
