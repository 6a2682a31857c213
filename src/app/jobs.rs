//! Work that must not hold up a frame (password checks with argon2, which take a good part of
//! a second by design), run on a thread of its own: the screen shows that it is busy and takes
//! the result when it is there.

use std::thread::JoinHandle;

/// One piece of work on its own thread, with its result for the screen.
pub struct Job<T> {
    handle: Option<JoinHandle<T>>,
}

impl<T: Send + 'static> Job<T> {
    /// Runs `work` on a new thread; `waker` is called when it ends (the app repaints).
    pub fn spawn(
        waker: impl Fn() + Send + 'static,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Job<T> {
        let handle = std::thread::spawn(move || {
            let out = work();
            waker();
            out
        });
        Job {
            handle: Some(handle),
        }
    }

    /// Whether the work has ended.
    pub fn finished(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_finished())
    }

    /// The result once [`Job::finished`]; `Err` if the work panicked.
    pub fn take(&mut self) -> Option<std::thread::Result<T>> {
        if !self.finished() {
            return None;
        }
        self.handle.take().map(|h| h.join())
    }
}
