//! The watchdog: one thread that notices a Lua call running past its CPU-time limit and
//! signals the Lua thread to arm its hook.
//!
//! A [`Watch`] is one Lua thread's registration. The Lua thread marks each budgeted call
//! and each frame with a few atomic stores (no clock read, no syscall); the watchdog
//! wakes every [`TICK`], reads that thread's CPU clock (`pthread_getcpuclockid`) and, once
//! a call or the frame has run past its limit, sends the arming signal. CPU time, not wall
//! time: a handler descheduled on a loaded machine has not used its budget.
//!
//! Limits count from the tick a call was first seen running, so a call may run up to one
//! tick past its limit before the hook is armed.

use std::{
    sync::{
        Arc, Condvar, Mutex, OnceLock, Weak,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

/// How often the watchdog looks at the registered threads.
pub const TICK: Duration = Duration::from_millis(1);

/// Why a [`Watch`] could not be made.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// This platform has no per-thread CPU clock the watchdog can read.
    #[error("the time budget's watchdog is not supported on this platform")]
    Unsupported,
    /// The OS refused (the CPU clock, the signal handler or the thread).
    #[error("the time budget's watchdog could not start: {0}")]
    Os(#[from] std::io::Error),
}

/// One Lua thread's registration with the watchdog; unregistered on drop.
///
/// ```
/// # #[cfg(target_os = "linux")] {
/// use std::time::Duration;
/// let watch = crescent_lua::Watch::new(Duration::from_millis(50), None).unwrap();
/// watch.begin_call();
/// // ... run Lua ...
/// watch.end_call();
/// # }
/// ```
#[derive(Debug)]
pub struct Watch {
    shared: Arc<Shared>,
}

/// What the Lua thread and the watchdog share. The Lua thread writes the flags and
/// epochs; the watchdog writes the rest.
#[derive(Debug)]
struct Shared {
    target: os::Target,
    call_limit_ns: u64,
    /// 0: no frame limit.
    frame_limit_ns: u64,
    /// Bumped by every `begin_call`: the watchdog tells calls apart by it.
    call_epoch: AtomicU64,
    in_call: AtomicBool,
    /// Bumped by every `begin_frame`.
    frame_epoch: AtomicU64,
    /// The running call's start (thread CPU ns), as the watchdog first saw it.
    call_start_ns: AtomicU64,
    frame_over: AtomicBool,
    /// What only the watchdog thread reads and writes.
    seen: Mutex<Seen>,
}

/// The watchdog's observations of one thread.
#[derive(Debug, Default)]
struct Seen {
    /// The call seen running: its epoch and the CPU time it was first seen at.
    call: Option<(u64, u64)>,
    /// The frame's script time so far: its epoch and the nanoseconds counted.
    frame: (u64, u64),
    /// The last look that found a call running: the frame epoch and CPU time then. The
    /// time between two such looks counts as the frame's script time.
    last: Option<(u64, u64)>,
    /// CPU time of the last signal, so an overrun is re-signalled once per limit.
    signalled_ns: Option<u64>,
}

impl Watch {
    /// Registers the calling thread (the one that will run Lua): calls get `call_limit`
    /// of CPU time each, frames `frame_limit` for all their calls together.
    pub fn new(call_limit: Duration, frame_limit: Option<Duration>) -> Result<Watch, WatchError> {
        let target = os::Target::current()?;
        let shared = Arc::new(Shared {
            target,
            call_limit_ns: nanos(call_limit).max(1),
            frame_limit_ns: frame_limit.map_or(0, |limit| nanos(limit).max(1)),
            call_epoch: AtomicU64::new(0),
            in_call: AtomicBool::new(false),
            frame_epoch: AtomicU64::new(0),
            call_start_ns: AtomicU64::new(0),
            frame_over: AtomicBool::new(false),
            seen: Mutex::new(Seen::default()),
        });
        watchdog()?.add(Arc::downgrade(&shared));
        Ok(Watch { shared })
    }

    /// A budgeted call starts.
    pub fn begin_call(&self) {
        self.shared.call_epoch.fetch_add(1, Ordering::Relaxed);
        self.shared.in_call.store(true, Ordering::Release);
    }

    /// The budgeted call ended.
    pub fn end_call(&self) {
        self.shared.in_call.store(false, Ordering::Release);
    }

    /// A new frame starts: the calls from now on count against a fresh frame limit.
    pub fn begin_frame(&self) {
        self.shared.frame_epoch.fetch_add(1, Ordering::Relaxed);
        self.shared.frame_over.store(false, Ordering::Release);
    }

    /// Whether this frame has run past its limit.
    pub fn frame_over(&self) -> bool {
        self.shared.frame_over.load(Ordering::Acquire)
    }

    /// The CPU time a frame may use, if limited.
    pub fn frame_limit(&self) -> Option<Duration> {
        (self.shared.frame_limit_ns > 0).then(|| Duration::from_nanos(self.shared.frame_limit_ns))
    }

    /// The running call's start on this thread's CPU clock, as the watchdog saw it
    /// (`None` before it has looked).
    pub fn call_start(&self) -> Option<Duration> {
        match self.shared.call_start_ns.load(Ordering::Acquire) {
            0 => None,
            ns => Some(Duration::from_nanos(ns)),
        }
    }
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

impl Shared {
    /// One look: signals the thread if its call or frame is over its limit.
    fn check(&self) {
        let Ok(mut seen) = self.seen.lock() else {
            return;
        };
        if !self.in_call.load(Ordering::Acquire) {
            seen.last = None;
            return;
        }
        let Some(now) = self.target.cpu_ns() else {
            return;
        };
        let call_epoch = self.call_epoch.load(Ordering::Relaxed);
        let frame_epoch = self.frame_epoch.load(Ordering::Relaxed);
        let mut over = false;
        match seen.call {
            Some((epoch, start)) if epoch == call_epoch => {
                over |= now.saturating_sub(start) >= self.call_limit_ns;
            }
            _ => {
                seen.call = Some((call_epoch, now));
                seen.signalled_ns = None;
                self.call_start_ns.store(now.max(1), Ordering::Release);
            }
        }
        if seen.frame.0 != frame_epoch {
            seen.frame = (frame_epoch, 0);
        }
        if let Some((epoch, at)) = seen.last
            && epoch == frame_epoch
        {
            seen.frame.1 = seen.frame.1.saturating_add(now.saturating_sub(at));
        }
        seen.last = Some((frame_epoch, now));
        if self.frame_limit_ns > 0 && seen.frame.1 >= self.frame_limit_ns {
            self.frame_over.store(true, Ordering::Release);
            over = true;
        }
        let due = seen
            .signalled_ns
            .is_none_or(|at| now.saturating_sub(at) >= self.call_limit_ns);
        if over && due {
            seen.signalled_ns = Some(now);
            self.target.signal();
        }
    }
}

/// The one watchdog thread and its registrations.
struct Watchdog {
    watched: Mutex<Vec<Weak<Shared>>>,
    wake: Condvar,
}

impl Watchdog {
    fn add(&self, shared: Weak<Shared>) {
        if let Ok(mut watched) = self.watched.lock() {
            watched.push(shared);
            self.wake.notify_one();
        }
    }

    fn run(&self) {
        let Ok(mut watched) = self.watched.lock() else {
            return;
        };
        loop {
            watched.retain(|shared| shared.strong_count() > 0);
            if watched.is_empty() {
                // Nothing to watch: sleep until a registration.
                match self.wake.wait(watched) {
                    Ok(guard) => watched = guard,
                    Err(_) => return,
                }
                continue;
            }
            let live: Vec<Arc<Shared>> = watched.iter().filter_map(Weak::upgrade).collect();
            drop(watched);
            for shared in &live {
                shared.check();
            }
            drop(live);
            std::thread::sleep(TICK);
            watched = match self.watched.lock() {
                Ok(guard) => guard,
                Err(_) => return,
            };
        }
    }
}

fn watchdog() -> Result<&'static Watchdog, WatchError> {
    static WATCHDOG: OnceLock<Result<&'static Watchdog, String>> = OnceLock::new();
    let started = WATCHDOG.get_or_init(|| {
        os::install_signal().map_err(|error| error.to_string())?;
        let watchdog: &'static Watchdog = Box::leak(Box::new(Watchdog {
            watched: Mutex::new(Vec::new()),
            wake: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("crescent-watchdog".into())
            .spawn(|| watchdog.run())
            .map_err(|error| error.to_string())?;
        Ok(watchdog)
    });
    started
        .as_ref()
        .copied()
        .map_err(|error| WatchError::Os(std::io::Error::other(error.clone())))
}

#[cfg(target_os = "linux")]
mod os {
    //! Linux: a per-thread CPU clock and `pthread_kill`.

    use super::WatchError;

    /// The signal that arms a Lua thread. `SIGURG`, as Go's runtime uses for preemption:
    /// ignored by default and used by little else; a handler installed before crescent's
    /// is still called.
    const ARM_SIGNAL: i32 = libc::SIGURG;

    /// A thread to watch: its handle and CPU clock.
    #[derive(Debug)]
    pub(super) struct Target {
        thread: libc::pthread_t,
        clock: libc::clockid_t,
    }

    impl Target {
        pub(super) fn current() -> Result<Target, WatchError> {
            // SAFETY: `pthread_self` has no preconditions.
            let thread = unsafe { libc::pthread_self() };
            let mut clock: libc::clockid_t = 0;
            // SAFETY: `thread` is the calling (live) thread and `clock` a valid out-pointer.
            match unsafe { libc::pthread_getcpuclockid(thread, &mut clock) } {
                0 => Ok(Target { thread, clock }),
                code => Err(std::io::Error::from_raw_os_error(code).into()),
            }
        }

        /// The thread's CPU time in nanoseconds; `None` if the clock cannot be read.
        pub(super) fn cpu_ns(&self) -> Option<u64> {
            read_clock(self.clock)
        }

        pub(super) fn signal(&self) {
            // SAFETY: the thread is live: its `Watch` (which owns this target) is dropped
            // on it, and the watchdog only holds it through that `Watch`'s `Arc`.
            unsafe {
                libc::pthread_kill(self.thread, ARM_SIGNAL);
            }
        }
    }

    fn read_clock(clock: libc::clockid_t) -> Option<u64> {
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `now` is a valid out-pointer; an invalid clock only returns an error.
        if unsafe { libc::clock_gettime(clock, &mut now) } != 0 {
            return None;
        }
        let secs = u64::try_from(now.tv_sec).ok()?;
        let nanos = u64::try_from(now.tv_nsec).ok()?;
        Some(secs.saturating_mul(1_000_000_000).saturating_add(nanos))
    }

    /// The calling thread's CPU time.
    pub(crate) fn thread_cpu_ns() -> Option<u64> {
        read_clock(libc::CLOCK_THREAD_CPUTIME_ID)
    }

    pub(super) fn install_signal() -> std::io::Result<()> {
        crate::native::install_signal(ARM_SIGNAL)
    }
}

#[cfg(not(target_os = "linux"))]
mod os {
    //! Elsewhere: no watchdog (the budget falls back to counting instructions).

    use super::WatchError;

    #[derive(Debug)]
    pub(super) enum Target {}

    impl Target {
        pub(super) fn current() -> Result<Target, WatchError> {
            Err(WatchError::Unsupported)
        }
        pub(super) fn cpu_ns(&self) -> Option<u64> {
            match *self {}
        }
        pub(super) fn signal(&self) {
            match *self {}
        }
    }

    pub(crate) fn thread_cpu_ns() -> Option<u64> {
        None
    }

    pub(super) fn install_signal() -> std::io::Result<()> {
        Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
    }
}

/// The calling thread's CPU time, where the platform can tell.
pub fn thread_cpu_time() -> Option<Duration> {
    os::thread_cpu_ns().map(Duration::from_nanos)
}
