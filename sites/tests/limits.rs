//! Integration tests of what the site server refuses to be held by: heads sent
//! too slowly, idle connections, more connections than it may open, accept
//! errors, and a listening address beyond loopback. Servers are started here on
//! 127.0.0.1:0 (in-process, or the `concur-sites` binary as a child, under a
//! small open-files limit where a test needs one); every wait is bounded.

use std::io::{BufRead as _, BufReader, ErrorKind, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use concur_sites::{self as sites, SiteServer};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// Longest any single step may take before the test gives up (a hung server).
const GIVE_UP: Duration = Duration::from_secs(5);

/// Sends `GET /site/dice` with `query` on a connection, without reading the answer.
fn send_get(stream: &mut TcpStream, query: &str) -> Result<()> {
    write!(
        stream,
        "GET /site/dice?{query} HTTP/1.1\r\nHost: sites\r\n\r\n"
    )?;
    Ok(())
}

/// Reads exactly one answer to `GET /site/dice` from a kept-alive connection.
fn read_dice(stream: &mut TcpStream) -> Result<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).context("reading an answer")?;
        head.push(byte[0]);
        assert!(head.len() < 4096, "response head too long");
    }
    let head = String::from_utf8(head)?;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let mut body = vec![0u8; 276];
    stream.read_exact(&mut body)?;
    assert_eq!(body, sites::page_body(276));
    Ok(())
}

/// A new connection to `addr` that has been answered one `GET /site/dice`.
fn answered_connection(addr: SocketAddr) -> Result<TcpStream> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(GIVE_UP))?;
    send_get(&mut stream, "")?;
    read_dice(&mut stream)?;
    Ok(stream)
}

/// Whether the server has closed `stream`, waiting at most its read timeout:
/// `Ok(false)` if the timeout passed with the connection still open.
fn closed_by_server(stream: &mut TcpStream) -> Result<bool> {
    let mut buf = [0u8; 64];
    match stream.read(&mut buf) {
        Ok(0) => Ok(true),
        Ok(n) => bail!("unexpected data from the server: {:?}", &buf[..n]),
        Err(error) if error.kind() == ErrorKind::ConnectionReset => Ok(true),
        Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
            Ok(false)
        }
        Err(error) => Err(error.into()),
    }
}

/// A head sent one byte per 100 ms is cut at the header timeout, long before
/// its end: the server is not held by a slowloris client.
#[test]
fn a_head_sent_too_slowly_is_cut_at_the_header_timeout() -> Result<()> {
    let timeout = Duration::from_millis(300);
    let server = SiteServer::spawn(sites::Config {
        latency_ms: 0,
        header_read_timeout: timeout,
        ..sites::Config::default()
    })?;
    let mut stream = TcpStream::connect(server.addr())?;
    // The read timeout paces the bytes: one per 100 ms, ~4 s for the whole head.
    stream.set_read_timeout(Some(Duration::from_millis(100)))?;
    let head = b"GET /site/dice HTTP/1.1\r\nHost: sites\r\n\r\n";
    let started = Instant::now();
    for (sent, byte) in head.iter().enumerate() {
        if stream.write_all(&[*byte]).is_err() || closed_by_server(&mut stream)? {
            let took = started.elapsed();
            assert!(took >= timeout, "closed after {took:?}");
            assert!(sent + 1 < head.len(), "closed only after the whole head");
            return Ok(());
        }
    }
    bail!(
        "the server waited {:?} for a head sent byte by byte",
        started.elapsed()
    )
}

/// A connection with no request in progress is closed after the idle timeout,
/// whether it never sent anything or was answered; a request that waits its
/// latency for three idle timeouts is in progress, not idle, and is answered.
#[test]
fn idle_connections_are_closed_but_waiting_requests_are_answered() -> Result<()> {
    let timeout = Duration::from_millis(300);
    let server = SiteServer::spawn(sites::Config {
        latency_ms: 0,
        idle_timeout: timeout,
        ..sites::Config::default()
    })?;
    let mut silent = TcpStream::connect(server.addr())?;
    silent.set_read_timeout(Some(GIVE_UP))?;
    let mut kept = TcpStream::connect(server.addr())?;
    kept.set_read_timeout(Some(GIVE_UP))?;

    send_get(&mut kept, "latency_ms=900")?;
    read_dice(&mut kept)?;
    let answered = Instant::now();
    assert!(
        closed_by_server(&mut kept)?,
        "an idle connection stayed open"
    );
    // Idle from the end of the answer, give or take its trip to the client.
    let idle = answered.elapsed();
    assert!(idle >= timeout / 2, "closed after {idle:?} idle");
    assert!(
        closed_by_server(&mut silent)?,
        "a silent connection stayed open"
    );
    Ok(())
}

/// The `concur-sites` binary as a child process; its stderr is read on a
/// thread (so the child can never block on a full pipe), and it is killed by
/// its pid and reaped if a test fails midway.
struct Binary {
    child: Child,
    stderr: Option<JoinHandle<String>>,
}

impl Binary {
    /// Starts `command` (the binary, possibly behind `prlimit`) and returns it
    /// with the address from its first stdout line.
    fn start(mut command: Command) -> Result<(Binary, SocketAddr)> {
        let mut child = command
            .env_remove("RUST_BACKTRACE")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot start the binary")?;
        let stdout = child.stdout.take().context("no stdout pipe")?;
        let mut stderr = child.stderr.take().context("no stderr pipe")?;
        let mut binary = Binary {
            child,
            stderr: Some(thread::spawn(move || {
                let mut text = String::new();
                let _ = stderr.read_to_string(&mut text);
                text
            })),
        };
        let (sent, first_line) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sent.send(line);
        });
        let line = match first_line.recv_timeout(GIVE_UP) {
            Ok(line) => line,
            Err(_) => bail!("no first line; stderr: {}", binary.stop()?),
        };
        let addr = line
            .trim_end()
            .strip_prefix("listening on http://")
            .with_context(|| format!("unexpected first line {line:?}"))?
            .parse()?;
        Ok((binary, addr))
    }

    /// Sends SIGTERM, waits for the exit, and returns everything written on stderr.
    fn stop(&mut self) -> Result<String> {
        kill(
            Pid::from_raw(i32::try_from(self.child.id())?),
            Signal::SIGTERM,
        )?;
        let deadline = Instant::now() + GIVE_UP;
        while self.child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                bail!("the binary did not exit within {GIVE_UP:?}");
            }
            thread::sleep(Duration::from_millis(20));
        }
        match self.stderr.take() {
            Some(reader) => reader
                .join()
                .map_err(|_| anyhow::anyhow!("stderr reader panicked")),
            None => Ok(String::new()),
        }
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_concur-sites"));
    command.args(args);
    command
}

/// The binary under `prlimit --nofile=N:N`, or `None` where util-linux's
/// `prlimit` is not installed.
fn binary_with_open_files(limit: u32, args: &[&str]) -> Option<Command> {
    let prlimit = ["/usr/bin/prlimit", "/bin/prlimit"]
        .into_iter()
        .find(|path| Path::new(path).exists())?;
    let mut command = Command::new(prlimit);
    command
        .arg(format!("--nofile={limit}:{limit}"))
        .arg(env!("CARGO_BIN_EXE_concur-sites"))
        .args(args);
    Some(command)
}

/// Lines of `stderr` that contain `needle`.
fn lines_with(stderr: &str, needle: &str) -> usize {
    stderr.lines().filter(|line| line.contains(needle)).count()
}

/// With `--max-connections 4` and four idle connections, a fifth client is
/// answered at once: the connection idle longest is closed to make room, the
/// other three stay open, and one line on stderr says so.
#[test]
fn at_the_cap_the_connection_idle_longest_makes_room() -> Result<()> {
    let (mut server, addr) =
        Binary::start(binary(&["--max-connections", "4", "--latency-ms", "0"]))?;
    let mut open = (0..4)
        .map(|_| answered_connection(addr))
        .collect::<Result<Vec<_>>>()?;
    answered_connection(addr).context("the fifth client was not answered")?;
    assert!(closed_by_server(&mut open[0])?, "the oldest stayed open");
    for stream in &mut open[1..] {
        stream.set_read_timeout(Some(Duration::from_millis(100)))?;
        assert!(!closed_by_server(stream)?, "a newer idle one was closed");
    }
    let stderr = server.stop()?;
    assert_eq!(
        lines_with(&stderr, "closed the connection idle longest"),
        1,
        "{stderr}"
    );
    Ok(())
}

/// With `--max-connections 4` and a request in progress on each connection, a
/// 5th and 6th connection are held unanswered until those requests end, then
/// answered; one line on stderr says why they wait.
#[test]
fn connections_past_the_cap_wait_while_every_one_is_busy() -> Result<()> {
    let (mut server, addr) =
        Binary::start(binary(&["--max-connections", "4", "--latency-ms", "0"]))?;
    let mut busy = Vec::new();
    for _ in 0..4 {
        let mut stream = answered_connection(addr)?;
        send_get(&mut stream, "latency_ms=1000")?;
        busy.push(stream);
    }
    // A request still in the socket buffer is not in progress yet: give the
    // server time to read the four heads before anyone knocks.
    thread::sleep(Duration::from_millis(200));
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(addr)?;
        send_get(&mut stream, "")?;
        stream.set_read_timeout(Some(Duration::from_millis(150)))?;
        assert!(!closed_by_server(&mut stream)?, "refused instead of held");
        held.push(stream);
    }
    for stream in &mut busy {
        read_dice(stream)?;
    }
    for stream in &mut held {
        stream.set_read_timeout(Some(GIVE_UP))?;
        read_dice(stream)?;
    }
    let stderr = server.stop()?;
    assert_eq!(
        lines_with(&stderr, "each with a request in progress"),
        1,
        "{stderr}"
    );
    Ok(())
}

/// Under a 64-file limit (a cap of 16), 100 connections that send nothing do
/// not lock a real client out until their idle timeout: it is answered while
/// they are still open, and the closings are logged at most once a second.
#[test]
fn silent_connections_do_not_lock_out_a_real_client() -> Result<()> {
    let Some(command) = binary_with_open_files(64, &["--latency-ms", "0"]) else {
        eprintln!("skipped: prlimit is not installed");
        return Ok(());
    };
    let (mut server, addr) = Binary::start(command)?;
    let silent = (0..100)
        .map(|_| TcpStream::connect(addr))
        .collect::<std::io::Result<Vec<_>>>()?;
    answered_connection(addr).context("a real client was locked out")?;
    drop(silent);
    let stderr = server.stop()?;
    let lines = lines_with(&stderr, "closed the connection idle longest");
    assert!((1..=2).contains(&lines), "{lines} lines: {stderr}");
    Ok(())
}

/// Starts the binary with `args` under a 64-file limit, holds 100 client
/// connections open for `hold`, lets them go, checks that a new client is
/// answered, and returns the server's stderr; `None` (skipped) without prlimit.
fn flood_under_64_files(args: &[&str], hold: Duration) -> Result<Option<String>> {
    let Some(command) = binary_with_open_files(64, args) else {
        eprintln!("skipped: prlimit is not installed");
        return Ok(None);
    };
    let (mut server, addr) = Binary::start(command)?;
    let clients = (0..100)
        .map(|_| TcpStream::connect(addr))
        .collect::<std::io::Result<Vec<_>>>()?;
    thread::sleep(hold);
    drop(clients);
    answered_connection(addr).context("no answer once the clients left")?;
    Ok(Some(server.stop()?))
}

/// Under a 64-file limit and a cap above it, accept fails for want of file
/// descriptors; the server pauses instead of spinning, logs about once a
/// second, and serves again once clients leave.
#[test]
fn accept_errors_back_off_and_are_logged_rarely() -> Result<()> {
    let args = ["--max-connections", "1000", "--latency-ms", "0"];
    let Some(stderr) = flood_under_64_files(&args, Duration::from_millis(1500))? else {
        return Ok(());
    };
    let failures = lines_with(&stderr, "accept failed");
    assert!((1..=3).contains(&failures), "{failures} lines: {stderr}");
    Ok(())
}

/// Under a 64-file limit, the default cap (derived from the limit) holds
/// connections before accept can fail, and the server keeps serving.
#[test]
fn the_default_cap_keeps_accept_from_failing() -> Result<()> {
    let Some(stderr) = flood_under_64_files(&["--latency-ms", "0"], Duration::from_millis(500))?
    else {
        return Ok(());
    };
    assert_eq!(lines_with(&stderr, "accept failed"), 0, "{stderr}");
    assert!(lines_with(&stderr, "--max-connections") >= 1, "{stderr}");
    Ok(())
}

/// Listening on every interface prints one warning that the fault routes are
/// reachable from the network; listening on loopback prints none.
#[test]
fn binary_warns_when_listening_beyond_loopback() -> Result<()> {
    for (addr, warnings) in [("0.0.0.0:0", 1), ("127.0.0.1:0", 0)] {
        let (mut server, _) = Binary::start(binary(&["--addr", addr]))?;
        let stderr = server.stop()?;
        assert_eq!(lines_with(&stderr, "warning"), warnings, "{addr}: {stderr}");
        if warnings > 0 {
            assert!(stderr.contains("/fault/hang"), "{stderr}");
        }
    }
    Ok(())
}

/// The new options are documented in `--help`, and zero is refused with status 2.
#[test]
fn binary_documents_and_checks_the_limits() -> Result<()> {
    let help = String::from_utf8(binary(&["--help"]).output()?.stdout)?;
    for option in [
        "--header-timeout-ms",
        "--idle-timeout-ms",
        "--max-connections",
    ] {
        assert!(help.contains(option), "--help lacks {option}");
        let output = binary(&[option, "0"]).output()?;
        assert_eq!(output.status.code(), Some(2), "{option} 0");
    }
    Ok(())
}
