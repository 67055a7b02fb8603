//! [`SiteServer`]: the site server on a thread of its own, for tests and for
//! crates that start it in-process instead of running the binary.

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use anyhow::{Context as _, Result, bail};
use tokio::sync::oneshot;

use crate::config::Config;
use crate::listener::{bind, serve};
use crate::load::{Load, LoadSummary};

/// A site server running on its own thread with its own Tokio runtime, so that
/// blocking clients (ureq, plain threads) and async tests alike can use it.
/// Stops when [`SiteServer::stop`] is called or when dropped.
#[derive(Debug)]
pub struct SiteServer {
    addr: SocketAddr,
    load: Arc<Load>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl SiteServer {
    /// Binds `config.addr` and starts serving on a new thread. Also raises this
    /// process's open files limit (best effort), as the benchmark clients do.
    pub fn spawn(config: Config) -> Result<SiteServer> {
        if config.workers == Some(0) {
            bail!("the site server needs at least one worker thread");
        }
        let _ = concur_shared::process::raise_open_files_limit();
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        if let Some(workers) = config.workers {
            builder.worker_threads(workers);
        }
        let runtime = builder
            .thread_name("concur-sites-worker")
            .enable_all()
            .build()
            .context("cannot start the site server's Tokio runtime")?;
        let listener = runtime.block_on(bind(config.addr))?;
        let addr = listener
            .local_addr()
            .context("cannot read the site server's address")?;
        let (stop, stopped) = oneshot::channel::<()>();
        let load = Arc::new(Load::default());
        let served = Arc::clone(&load);
        let thread = thread::Builder::new()
            .name("concur-sites".to_string())
            .spawn(move || {
                // A dropped sender (the handle is gone) also means stop.
                runtime.block_on(serve(listener, config, served, async {
                    let _ = stopped.await;
                }));
            })
            .context("cannot start the site server thread")?;
        Ok(SiteServer {
            addr,
            load,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The requests served so far and the most that were open at once.
    pub fn load(&self) -> LoadSummary {
        self.load.summary()
    }

    /// `http://ADDR`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The full URL of `path` (which starts with `/`) on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops the server and waits for its thread (at most about `shutdown_grace`).
    pub fn stop(mut self) -> Result<()> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            // Err: the server thread is already gone, which is what we want.
            let _ = stop.send(());
        }
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| anyhow::anyhow!("the site server thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for SiteServer {
    fn drop(&mut self) {
        // A panic on the server thread is reported by `stop`; a drop cannot report it.
        let _ = self.shutdown();
    }
}
