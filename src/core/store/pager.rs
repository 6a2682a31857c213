//! The mismatch list's pages, read on a thread of their own with a second (read-only)
//! connection, so that a screen never waits for a query: the screen sends what it wants and
//! draws the rows when they arrive.
//!
//! Each request carries a generation. A new filter or search starts a new generation: requests
//! of older generations still waiting are skipped, a query still running is interrupted, and
//! answers that arrive late are marked stale for the screen to drop.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::InterruptHandle;

use super::{MismatchFilter, MismatchRow, PageCursor, Store};

/// One page the screen asks for.
#[derive(Clone, Debug)]
pub struct PageRequest {
    /// The generation (see the module's documentation).
    pub generation: u64,
    /// The list's filter and order.
    pub filter: MismatchFilter,
    /// After this row (`None`: from the start).
    pub after: Option<PageCursor>,
    /// Rows wanted.
    pub limit: usize,
}

/// One page as read.
#[derive(Debug)]
pub struct PageAnswer {
    /// The generation of its request.
    pub generation: u64,
    /// The rows, or the error in words for the user.
    pub rows: Result<Vec<MismatchRow>, String>,
    /// Fewer rows than asked for: the list is complete.
    pub last: bool,
    /// Time the query took.
    pub took: Duration,
    /// The first page of its filter (asked with no cursor): a list or search opened, which the
    /// session audits (see [`crate::session::Session::list_answers`]).
    pub first: bool,
    /// The filter it was read with.
    pub filter: MismatchFilter,
}

/// The list reader: a thread with its own connection to the store.
pub struct ListPager {
    requests: Option<Sender<PageRequest>>,
    answers: Receiver<PageAnswer>,
    latest: Arc<AtomicU64>,
    interrupt: Arc<InterruptHandle>,
    handle: Option<JoinHandle<()>>,
}

impl ListPager {
    /// Starts the reader on `store` (a second connection: see
    /// [`crate::session::Session::list_reader`]); `waker` is called after every answer (the
    /// app repaints).
    pub(crate) fn start(store: Store, waker: impl Fn() + Send + 'static) -> ListPager {
        let (req_tx, req_rx) = channel::<PageRequest>();
        let (ans_tx, ans_rx) = channel::<PageAnswer>();
        let latest = Arc::new(AtomicU64::new(0));
        let interrupt = Arc::new(store.conn.get_interrupt_handle());
        let seen = latest.clone();
        let handle = std::thread::Builder::new()
            .name("list-pager".into())
            .spawn(move || {
                while let Ok(first) = req_rx.recv() {
                    // Take everything waiting; keep the requests of the newest generation only.
                    let mut pending = vec![first];
                    loop {
                        match req_rx.try_recv() {
                            Ok(r) => pending.push(r),
                            Err(TryRecvError::Empty) => break,
                            Err(TryRecvError::Disconnected) => return,
                        }
                    }
                    for req in pending {
                        if req.generation < seen.load(Ordering::Acquire) {
                            continue;
                        }
                        let started = Instant::now();
                        let rows =
                            store.page_mismatches(&req.filter, req.after.as_ref(), req.limit);
                        let answer = PageAnswer {
                            generation: req.generation,
                            last: rows.as_ref().is_ok_and(|r| r.len() < req.limit),
                            rows: rows.map_err(|e| e.to_string()),
                            took: started.elapsed(),
                            first: req.after.is_none(),
                            filter: req.filter,
                        };
                        if ans_tx.send(answer).is_err() {
                            return;
                        }
                        waker();
                    }
                }
            })
            .expect("the list reader's thread starts");
        ListPager {
            requests: Some(req_tx),
            answers: ans_rx,
            latest,
            interrupt,
            handle: Some(handle),
        }
    }

    /// Starts a new generation (a new filter, search or order): what is waiting or running for
    /// the old one is dropped. Returns the new generation.
    pub fn new_generation(&self) -> u64 {
        let g = self.latest.fetch_add(1, Ordering::AcqRel) + 1;
        self.interrupt.interrupt();
        g
    }

    /// The current generation.
    pub fn generation(&self) -> u64 {
        self.latest.load(Ordering::Acquire)
    }

    /// Asks for a page of the current generation.
    pub fn request(&self, filter: &MismatchFilter, after: Option<PageCursor>, limit: usize) {
        let req = PageRequest {
            generation: self.generation(),
            filter: filter.clone(),
            after,
            limit,
        };
        if let Some(tx) = &self.requests {
            // A send fails only when the thread has ended; the screen then shows no new rows.
            let _ = tx.send(req);
        }
    }

    /// The answers that have arrived, of the current generation only. The screens take them
    /// through [`crate::session::Session::list_answers`], which audits each list opened.
    pub(crate) fn answers(&self) -> Vec<PageAnswer> {
        let now = self.generation();
        self.answers
            .try_iter()
            .filter(|a| a.generation == now)
            .collect()
    }
}

impl Drop for ListPager {
    fn drop(&mut self) {
        self.interrupt.interrupt();
        self.requests = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
