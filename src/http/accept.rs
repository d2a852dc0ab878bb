//! Serving a router on a TCP listener, for every server of ours (MCP and web, the simulated org,
//! the terminal's OAuth callback): TCP_NODELAY on every accepted socket, a header-read timeout
//! (slowloris), an idle keep-alive timeout, a cap on open connections, `accept` errors backed off,
//! and a graceful stop. `axum::serve` cannot time out header reads, so this serves with hyper-util.
//!
//! Over the cap, new connections wait in the kernel's listen backlog, where they hold no file
//! descriptor of this process; the cap is lowered at start to fit the file-descriptor limit.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt as _;

/// File descriptors kept free of client connections (database files, logs, the runtime).
const RESERVED_FDS: u64 = 128;
/// The first wait after an `accept` error that is not about one connection (e.g. EMFILE).
const ACCEPT_BACKOFF_START: Duration = Duration::from_millis(10);
/// The longest wait between failing `accept` calls.
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// Limits and timeouts of a server's connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionSettings {
    /// A new connection must send a whole request head within this, and so must a keep-alive
    /// connection once it starts sending its next request; otherwise it is closed.
    pub header_read_timeout: Duration,
    /// A keep-alive connection with no request under way for this long is closed.
    pub idle_timeout: Duration,
    /// Most connections open at once (lowered to fit the file-descriptor limit).
    pub max_connections: usize,
    /// On stop, how long requests under way may take to finish.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Raises the soft file-descriptor limit to the hard one and returns `wanted` lowered to what
/// it leaves room for: each connection may need a second descriptor for its Salesforce call.
pub fn fit_to_fd_limit(wanted: usize) -> usize {
    let soft = rlimit::increase_nofile_limit(u64::MAX)
        .or_else(|_| rlimit::getrlimit(rlimit::Resource::NOFILE).map(|(soft, _)| soft));
    let Ok(soft) = soft else {
        return wanted.max(1);
    };
    let room = usize::try_from(soft.saturating_sub(RESERVED_FDS) / 2).unwrap_or(usize::MAX);
    if room < wanted {
        tracing::warn!(
            wanted,
            allowed = room.max(1),
            fd_limit = soft,
            "fewer connections allowed than configured: the file-descriptor limit is low (raise `ulimit -n`)"
        );
    }
    wanted.min(room).max(1)
}

/// Serves `router` on `listener` until `stop` completes, then lets requests under way finish
/// (up to the grace period).
pub async fn serve_until(
    listener: TcpListener,
    router: Router,
    settings: ConnectionSettings,
    stop: impl Future<Output = ()>,
) {
    let max = u32::try_from(fit_to_fd_limit(settings.max_connections)).unwrap_or(u32::MAX);
    let permits = Arc::new(Semaphore::new(max as usize));
    let (stopping, stop_rx) = watch::channel(false);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .keep_alive(true)
        // A backstop only: the watchdog below closes such connections sooner.
        .header_read_timeout(settings.header_read_timeout + settings.idle_timeout);
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    let mut stop = std::pin::pin!(stop);
    let mut backoff = ACCEPT_BACKOFF_START;
    loop {
        let permit = tokio::select! {
            biased;
            () = &mut stop => break,
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            biased;
            () = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                backoff = ACCEPT_BACKOFF_START;
                tokio::spawn(connection(
                    stream,
                    router.clone(),
                    Arc::clone(&builder),
                    settings,
                    stop_rx.clone(),
                    permit,
                ));
            }
            Err(e) if is_connection_error(&e) => {}
            Err(error) => {
                tracing::warn!(%error, wait_ms = backoff.as_millis() as u64, "accept failed; waiting before the next one");
                tokio::select! {
                    biased;
                    () = &mut stop => break,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
            }
        }
    }
    drop(listener);
    let _ = stopping.send(true);
    let _ = tokio::time::timeout(settings.shutdown_grace, permits.acquire_many(max)).await;
}

fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// One connection: hyper serves it while a watchdog closes it when its head is too slow or it
/// has been idle too long.
async fn connection(
    stream: TcpStream,
    router: Router,
    builder: Arc<auto::Builder<TokioExecutor>>,
    settings: ConnectionSettings,
    mut stop: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%error, "cannot set TCP_NODELAY");
    }
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Tracked {
        stream,
        activity: Arc::clone(&activity),
    });
    let on_request = Arc::clone(&activity);
    let service =
        hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
            let guard = RequestGuard::begin(&on_request);
            let router = router.clone();
            async move {
                let response = router.oneshot(request.map(Body::new)).await;
                response.map(|r| {
                    r.map(|body| Guarded {
                        body,
                        _guard: guard,
                    })
                })
            }
        });
    let conn = builder.serve_connection(io, service);
    let mut conn = std::pin::pin!(conn);
    let mut stopping = false;
    loop {
        let check_at = activity.next_check(&settings);
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "connection ended with an error");
                }
                return;
            }
            changed = stop.changed(), if !stopping => {
                stopping = true;
                if changed.is_ok() {
                    conn.as_mut().graceful_shutdown();
                }
            }
            () = tokio::time::sleep_until(check_at.into()) => {
                if activity.expired(&settings) {
                    return;
                }
            }
        }
    }
}

/// What a connection is doing, shared by its socket, its requests and its watchdog.
/// Times are milliseconds since the connection was accepted.
#[derive(Debug)]
struct Activity {
    born: Instant,
    in_flight: AtomicUsize,
    idle_since: AtomicU64,
    /// When the first byte of a request head arrived, plus one; 0 while no head is being read.
    head_since: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Self {
            born: Instant::now(),
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
            // A new connection owes its first request head from the start.
            head_since: AtomicU64::new(1),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.born.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn at(&self, ms: u64) -> Instant {
        self.born + Duration::from_millis(ms)
    }

    /// Bytes arrived: with no request under way, they start a request head.
    fn on_read(&self) {
        if self.in_flight.load(Ordering::Acquire) == 0 {
            let now = self.now_ms() + 1;
            let _ = self
                .head_since
                .compare_exchange(0, now, Ordering::AcqRel, Ordering::Acquire);
        }
    }

    /// When the current deadline (header or idle) passes, or no later than a short tick.
    fn next_check(&self, s: &ConnectionSettings) -> Instant {
        let tick = Instant::now() + s.header_read_timeout.min(s.idle_timeout);
        self.deadline(s).map_or(tick, |d| d.min(tick))
    }

    fn deadline(&self, s: &ConnectionSettings) -> Option<Instant> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        match self.head_since.load(Ordering::Acquire) {
            0 => Some(self.at(self.idle_since.load(Ordering::Acquire)) + s.idle_timeout),
            since => Some(self.at(since - 1) + s.header_read_timeout),
        }
    }

    fn expired(&self, s: &ConnectionSettings) -> bool {
        self.deadline(s).is_some_and(|d| d <= Instant::now())
    }
}

/// Marks a request under way from its head until its response body is dropped.
struct RequestGuard(Arc<Activity>);

impl RequestGuard {
    fn begin(activity: &Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::AcqRel);
        activity.head_since.store(0, Ordering::Release);
        Self(Arc::clone(activity))
    }
}

impl Drop for RequestGuard {
    fn drop(&mut self) {
        let now = self.0.now_ms();
        self.0.idle_since.store(now, Ordering::Release);
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that holds its request's guard.
struct Guarded {
    body: Body,
    _guard: RequestGuard,
}

impl http_body::Body for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// The socket, telling the watchdog when bytes arrive.
struct Tracked {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.on_read();
        }
        result
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ConnectionSettings {
        ConnectionSettings {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            ..ConnectionSettings::default()
        }
    }

    #[test]
    fn a_new_connection_owes_its_head_within_the_header_timeout() {
        let a = Activity::new();
        let d = a.deadline(&settings()).unwrap();
        assert!(d <= a.born + Duration::from_millis(10_001), "{d:?}");
    }

    #[test]
    fn a_request_under_way_has_no_deadline_and_then_the_idle_one() {
        let a = Arc::new(Activity::new());
        let guard = RequestGuard::begin(&a);
        a.on_read();
        assert_eq!(a.deadline(&settings()), None, "body bytes start no head");
        drop(guard);
        let idle = a.deadline(&settings()).unwrap();
        assert!(idle >= a.born + Duration::from_secs(60));
        a.on_read();
        let head = a.deadline(&settings()).unwrap();
        assert!(
            head < a.born + Duration::from_secs(11),
            "a started head: {head:?}"
        );
    }

    #[test]
    fn the_cap_is_never_zero() {
        assert!(fit_to_fd_limit(0) >= 1);
        assert!(fit_to_fd_limit(8) <= 8);
    }
}
