//! The one job runner: work that must not hold up a frame (password checks with argon2, an
//! import, printing letters, writing the release files and reports, a purge) runs on a thread
//! of its own. The screen shows that it is busy, with the progress the work reports and a
//! button to stop it where the work can stop cleanly, and takes the result when it is there.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use totsugo_core::session::Session;

/// What the work sees of its job: where to report progress, and whether it was asked to stop.
pub struct Control {
    done: AtomicU64,
    total: AtomicU64,
    cancel: AtomicBool,
    note: Mutex<String>,
    waker: Box<dyn Fn() + Send + Sync>,
}

impl Control {
    /// Reports `done` of `total` steps (the screen redraws).
    pub fn progress(&self, done: u64, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(done, Ordering::Relaxed);
        (self.waker)();
    }

    /// A few words on the step under way, for the screen.
    pub fn note(&self, text: impl Into<String>) {
        *self.note.lock().expect("note lock") = text.into();
        (self.waker)();
    }

    /// The flag the core's long operations read to stop (`&AtomicBool`).
    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.cancel
    }
}

/// One piece of work on its own thread, with its progress, its stop button and its result.
pub struct Job<T> {
    handle: Option<JoinHandle<T>>,
    control: Arc<Control>,
    started: Instant,
}

impl<T: Send + 'static> Job<T> {
    /// Runs `work` on a new thread; `waker` is called when it reports progress and when it
    /// ends (the app repaints).
    pub fn spawn(
        waker: impl Fn() + Send + Sync + 'static,
        work: impl FnOnce(&Control) -> T + Send + 'static,
    ) -> Job<T> {
        let control = Arc::new(Control {
            done: AtomicU64::new(0),
            total: AtomicU64::new(0),
            cancel: AtomicBool::new(false),
            note: Mutex::new(String::new()),
            waker: Box::new(waker),
        });
        let c = control.clone();
        let handle = std::thread::spawn(move || {
            let out = work(&c);
            (c.waker)();
            out
        });
        Job {
            handle: Some(handle),
            control,
            started: Instant::now(),
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

    /// Asks the work to stop (it stops where it can leave everything as it was).
    pub fn cancel(&self) {
        self.control.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether stopping was asked for.
    pub fn cancelling(&self) -> bool {
        self.control.cancel.load(Ordering::Relaxed)
    }

    /// Steps done and the total, once the work has reported any.
    pub fn progress(&self) -> Option<(u64, u64)> {
        let total = self.control.total.load(Ordering::Relaxed);
        (total > 0).then(|| (self.control.done.load(Ordering::Relaxed), total))
    }

    /// The step under way, as the work last said it.
    pub fn note(&self) -> String {
        self.control.note.lock().expect("note lock").clone()
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// What the app does with a finished piece of work: applied to the app after the frame, like a
/// screen's action.
pub type Then<A> = Box<dyn FnOnce(&mut A) + Send>;

/// Work that needs the session (printing letters, writing files): the session goes into the job
/// and comes back with what to do next; meanwhile every screen shows the job and nothing else
/// can use the session.
pub struct SessionWork<A> {
    /// What is being done, for the screen (「通知文を印刷用 PDF に保存しています」).
    pub label: String,
    /// Whether the work can stop cleanly (nothing written until it has all).
    pub cancellable: bool,
    /// The job: the session back, and what to apply.
    pub job: Job<(Session, Then<A>)>,
}
