//! Integration tests of the site server: started in-process on 127.0.0.1:0 (and
//! the `concur-sites` binary as a child process), queried with a blocking ureq
//! client with proxies disabled. No test asserts an upper bound on latency; the
//! only time limits are generous ones that keep a broken server from hanging the suite.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use concur_sites::{self as sites, SITES, SiteServer};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// Longest any single step may take before the test gives up (a hung server).
const GIVE_UP: Duration = Duration::from_secs(10);

fn start(latency_ms: u64) -> Result<SiteServer> {
    SiteServer::spawn(sites::Config {
        latency_ms,
        body_bytes: 1024,
        ..sites::Config::default()
    })
}

/// A client that ignores proxy variables, returns non-2xx answers as answers,
/// and gives up after `timeout`.
fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .proxy(None)
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

/// GETs `url` and returns the status and the whole body.
fn get(agent: &ureq::Agent, url: &str) -> Result<(u16, Vec<u8>)> {
    let mut response = agent
        .get(url)
        .call()
        .with_context(|| format!("GET {url}"))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .read_to_vec()
        .with_context(|| format!("reading the body of {url}"))?;
    Ok((status, body))
}

/// Every preset answers 200 with exactly its documented size and the formula's bytes.
#[test]
fn presets_return_their_documented_bodies() -> Result<()> {
    let server = start(0)?;
    let agent = agent(GIVE_UP);
    for site in SITES {
        let (status, body) = get(&agent, &server.url(&site.path()))?;
        assert_eq!(status, 200, "{}", site.name);
        assert_eq!(body.len(), site.bytes, "{}", site.name);
        assert_eq!(body, sites::page_body(site.bytes), "{}", site.name);
    }
    assert_eq!(sites::site("jython").map(|site| site.bytes), Some(10_966));
    assert_eq!(sites::site("dice").map(|site| site.bytes), Some(276));
    Ok(())
}

/// `/page` has the configured default size; `size=` overrides it, on presets too,
/// including 0 and bodies larger than the server's 1 MiB pattern chunk.
#[test]
fn size_query_sets_the_body_length() -> Result<()> {
    let server = start(0)?;
    let agent = agent(GIVE_UP);
    assert_eq!(get(&agent, &server.url("/page"))?.1, sites::page_body(1024));
    for size in [0, 1, 37, 100_000, 3_000_017] {
        let (status, body) = get(&agent, &server.url(&format!("/page?size={size}")))?;
        assert_eq!(status, 200);
        assert_eq!(body, sites::page_body(size), "size {size}");
    }
    let (_, body) = get(&agent, &server.url("/site/jython?size=5&latency_ms=0"))?;
    assert_eq!(body, b"abcde");
    Ok(())
}

/// The server-wide latency delays every answer, and `latency_ms=` overrides it.
#[test]
fn latency_is_applied_before_answering() -> Result<()> {
    let server = start(150)?;
    let agent = agent(GIVE_UP);
    for (path, at_least_ms) in [
        ("/page", 150),
        ("/site/dice", 150),
        ("/page?latency_ms=300", 300),
        ("/fault/status/500?latency_ms=200", 200),
    ] {
        let started = Instant::now();
        let (status, _) = get(&agent, &server.url(path))?;
        let took = started.elapsed();
        assert!(status == 200 || status == 500, "{path}: {status}");
        assert!(
            took >= Duration::from_millis(at_least_ms),
            "{path} took {took:?}"
        );
    }
    // Zero latency is allowed (no upper bound asserted: machines are noisy).
    assert_eq!(get(&agent, &server.url("/page?latency_ms=0"))?.0, 200);
    Ok(())
}

/// Unknown routes and sites are 404, bad query values and status codes 400, other methods 405.
#[test]
fn bad_requests_are_refused_with_a_reason() -> Result<()> {
    let server = start(0)?;
    let agent = agent(GIVE_UP);
    for path in [
        "/",
        "/site/nope",
        "/sites/dice",
        "/page/extra",
        "/fault/other",
    ] {
        let (status, body) = get(&agent, &server.url(path))?;
        assert_eq!(status, 404, "{path}");
        assert!(
            body.ends_with(b"\n") && !body.is_empty(),
            "{path}: one-line reason"
        );
    }
    for path in [
        "/page?latency_ms=abc",
        "/page?latency_ms=-5",
        "/page?size=1.5",
        "/page?size=99999999999",
        "/page?sise=10",
        "/page?size=1&size=2",
        "/site/dice?latency_ms=",
        "/fault/status/99",
        "/fault/status/600",
        "/fault/status/abc",
        "/fault/reset?size=0",
        "/fault/truncate?size=0",
    ] {
        let (status, body) = get(&agent, &server.url(path))?;
        assert_eq!(status, 400, "{path}");
        assert!(!body.is_empty(), "{path}: a reason is given");
    }
    let response = agent.post(server.url("/page")).send("")?;
    assert_eq!(response.status().as_u16(), 405);
    Ok(())
}

/// `/fault/status/CODE` answers with that status and a small pattern body.
#[test]
fn status_fault_answers_the_given_code() -> Result<()> {
    let server = start(0)?;
    let agent = agent(GIVE_UP);
    for code in [200, 404, 418, 500, 503] {
        let (status, body) = get(&agent, &server.url(&format!("/fault/status/{code}")))?;
        assert_eq!(status, code);
        assert_eq!(body, sites::page_body(16));
    }
    Ok(())
}

/// `/fault/hang` never answers: the client's own timeout is what ends the request.
#[test]
fn hang_fault_ends_in_a_client_timeout() -> Result<()> {
    let server = start(0)?;
    let timeout = Duration::from_millis(300);
    let started = Instant::now();
    let outcome = agent(timeout).get(server.url("/fault/hang")).call();
    let took = started.elapsed();
    assert!(
        matches!(outcome, Err(ureq::Error::Timeout(_))),
        "expected a timeout, got {outcome:?}"
    );
    assert!(took >= timeout && took < GIVE_UP, "took {took:?}");
    Ok(())
}

/// Stopping the server ends a `/fault/hang` request at once and drops a slow
/// request after the grace period, instead of waiting for either.
#[test]
fn stop_does_not_wait_for_hanging_or_slow_requests() -> Result<()> {
    let server = SiteServer::spawn(sites::Config {
        latency_ms: 0,
        shutdown_grace: Duration::from_millis(200),
        ..sites::Config::default()
    })?;
    let (sent, outcomes) = mpsc::channel();
    let clients: Vec<_> = ["/fault/hang", "/page?latency_ms=600000"]
        .into_iter()
        .map(|path| {
            let (url, sent) = (server.url(path), sent.clone());
            thread::spawn(move || {
                let _ = sent.send(agent(GIVE_UP).get(&url).call().map(|_| ()));
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    server.stop()?;
    assert!(
        started.elapsed() < GIVE_UP,
        "stop took {:?}",
        started.elapsed()
    );
    for _ in &clients {
        let outcome = outcomes
            .recv_timeout(GIVE_UP)
            .context("a client never returned")?;
        assert!(
            outcome.is_err(),
            "a dropped request must not turn into an answer"
        );
    }
    for client in clients {
        client
            .join()
            .map_err(|_| anyhow::anyhow!("client thread panicked"))?;
    }
    Ok(())
}

/// Sends one raw GET over a fresh connection and reads until the connection
/// ends; returns the bytes received and how the stream ended (`Ok` for a normal
/// close, FIN; the read error otherwise). ureq cannot tell these apart: it reports
/// a reset and a close mid-body alike, as `UnexpectedEof`.
fn raw_get(server: &SiteServer, path: &str) -> Result<(Vec<u8>, std::io::Result<()>)> {
    let mut stream = TcpStream::connect(server.addr())?;
    stream.set_read_timeout(Some(GIVE_UP))?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: sites\r\n\r\n")?;
    let mut received = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    // Bounded: the server announces at most 100 000 bytes in these tests.
    while received.len() < 1 << 20 {
        match stream.read(&mut buf) {
            Ok(0) => return Ok((received, Ok(()))),
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(error) => return Ok((received, Err(error))),
        }
    }
    bail!("{path}: more data than the server should send")
}

/// Splits a raw answer into its head and body.
fn split_head(answer: &[u8]) -> Result<(String, &[u8])> {
    let end = answer
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .context("no end of headers")?;
    Ok((
        String::from_utf8(answer[..end].to_vec())?,
        &answer[end + 4..],
    ))
}

/// `/fault/reset` sends headers and half the body, then resets the connection (RST).
#[test]
fn reset_fault_resets_mid_body() -> Result<()> {
    let server = start(0)?;
    let mut response = agent(GIVE_UP)
        .get(server.url("/fault/reset?size=100000"))
        .call()?;
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.body_mut().read_to_vec().is_err(),
        "a cut body must be an error"
    );

    let (answer, ending) = raw_get(&server, "/fault/reset?size=100000")?;
    let error = ending.expect_err("the connection must not close normally");
    assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset, "{error}");
    let (head, body) = split_head(&answer)?;
    assert!(head.contains("content-length: 100000"), "{head}");
    assert_eq!(body, sites::page_body(50_000));
    Ok(())
}

/// `/fault/truncate` announces N bytes, sends N/2 and closes normally (FIN).
#[test]
fn truncate_fault_closes_before_content_length() -> Result<()> {
    let server = start(0)?;
    let mut response = agent(GIVE_UP)
        .get(server.url("/fault/truncate?size=100000"))
        .call()?;
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.body_mut().read_to_vec().is_err(),
        "a cut body must be an error"
    );

    let (answer, ending) = raw_get(&server, "/fault/truncate?size=100000")?;
    assert!(ending.is_ok(), "expected a normal close, got {ending:?}");
    let (head, body) = split_head(&answer)?;
    assert!(head.contains("content-length: 100000"), "{head}");
    assert_eq!(body, sites::page_body(50_000));
    Ok(())
}

/// Two requests travel over one TCP connection: HTTP/1.1 keep-alive is on.
#[test]
fn connections_are_kept_alive() -> Result<()> {
    let server = start(0)?;
    let mut stream = TcpStream::connect(server.addr())?;
    stream.set_read_timeout(Some(GIVE_UP))?;
    for _ in 0..2 {
        get_dice(&mut stream)?;
    }
    Ok(())
}

/// Sends `GET /site/dice` on a kept-alive connection and reads exactly its answer.
fn get_dice(stream: &mut TcpStream) -> Result<()> {
    stream.write_all(b"GET /site/dice HTTP/1.1\r\nHost: sites\r\n\r\n")?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte)?;
        head.push(byte[0]);
        assert!(head.len() < 4096, "response head too long");
    }
    let head = String::from_utf8(head)?;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("content-length: 276"), "{head}");
    let mut body = vec![0u8; 276];
    stream.read_exact(&mut body)?;
    assert_eq!(body, sites::page_body(276));
    Ok(())
}

/// A connection the client closes is released with RST, not FIN: the client's
/// sockets do not linger in TIME_WAIT (60 s each), which 10 000-request runs
/// would pile up by the ten thousand.
#[test]
fn closed_connections_leave_no_time_wait() -> Result<()> {
    let server = start(0)?;
    let mut ports = Vec::new();
    for _ in 0..10 {
        let mut stream = TcpStream::connect(server.addr())?;
        stream.set_read_timeout(Some(GIVE_UP))?;
        get_dice(&mut stream)?;
        ports.push(stream.local_addr()?.port());
    }
    // Until the server's answer to each close arrives, a client socket waits
    // in FIN_WAIT2; then it is gone (RST) or in TIME_WAIT (FIN).
    let deadline = Instant::now() + GIVE_UP;
    loop {
        let states = tcp_states(&ports, server.addr().port())?;
        if !states.contains(&FIN_WAIT2) || Instant::now() > deadline {
            assert!(
                !states.contains(&TIME_WAIT),
                "client sockets in TIME_WAIT: {states:?}"
            );
            assert!(
                !states.contains(&FIN_WAIT2),
                "the server never answered a close"
            );
            return Ok(());
        }
        thread::sleep(Duration::from_millis(10));
    }
}

const FIN_WAIT2: u8 = 0x05;
const TIME_WAIT: u8 = 0x06;

/// The kernel's TCP states (`/proc/net/tcp`) of the IPv4 sockets from these
/// local ports to `remote_port`. The remote port matters: a local port names
/// a socket only together with its peer, and a server another test stopped
/// leaves TIME_WAIT sockets on its own port, which the kernel may hand out
/// again as a client's ephemeral port.
fn tcp_states(local_ports: &[u16], remote_port: u16) -> Result<Vec<u8>> {
    let table = std::fs::read_to_string("/proc/net/tcp")?;
    let port_of =
        |address: &str| u16::from_str_radix(address.rsplit(':').next().unwrap_or_default(), 16);
    let mut states = Vec::new();
    for line in table.lines().skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (Some(local), Some(remote), Some(state)) =
            (fields.get(1), fields.get(2), fields.get(3))
        else {
            continue;
        };
        if local_ports.contains(&port_of(local)?) && port_of(remote)? == remote_port {
            states.push(u8::from_str_radix(state, 16)?);
        }
    }
    Ok(states)
}

/// Many requests at once all get their full, correct bodies.
#[test]
fn concurrent_requests_all_succeed() -> Result<()> {
    let server = start(100)?;
    let clients: Vec<_> = (0..64)
        .map(|i| {
            let site = SITES[i % SITES.len()];
            let url = server.url(&site.path());
            thread::spawn(move || -> Result<bool> {
                let (status, body) = get(&agent(GIVE_UP), &url)?;
                Ok(status == 200 && body == sites::page_body(site.bytes))
            })
        })
        .collect();
    for client in clients {
        let ok = client
            .join()
            .map_err(|_| anyhow::anyhow!("client thread panicked"))??;
        assert!(ok);
    }
    Ok(())
}

/// The load counts every request, and as open at once only those that were:
/// six clients waiting out 1 s together, then two answered one after another.
#[test]
fn load_counts_requests_open_at_once() -> Result<()> {
    let server = start(1000)?;
    let clients: Vec<_> = (0..6)
        .map(|_| {
            let url = server.url("/site/dice");
            thread::spawn(move || get(&agent(GIVE_UP), &url).map(|(status, _)| status))
        })
        .collect();
    for client in clients {
        let status = client
            .join()
            .map_err(|_| anyhow::anyhow!("client thread panicked"))??;
        assert_eq!(status, 200);
    }
    for _ in 0..2 {
        assert_eq!(
            get(&agent(GIVE_UP), &server.url("/page?latency_ms=0"))?.0,
            200
        );
    }
    let load = server.load();
    assert_eq!((load.requests, load.peak_open), (8, 6));
    assert_eq!(load.to_string(), "8 requests, at most 6 open at once");
    Ok(())
}

/// Dropping the handle stops the server: its port no longer accepts connections.
#[test]
fn drop_stops_the_server() -> Result<()> {
    let server = start(0)?;
    let addr = server.addr();
    assert_eq!(get(&agent(GIVE_UP), &server.url("/site/dice"))?.0, 200);
    drop(server);
    assert!(
        TcpStream::connect(addr).is_err(),
        "still listening on {addr}"
    );
    Ok(())
}

/// The `concur-sites` binary as a child process, killed if a test fails midway.
struct Binary(Child);

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_concur-sites"));
    command.env_remove("RUST_BACKTRACE");
    command
}

/// Waits up to `GIVE_UP` for the child to exit and returns its exit code.
fn wait_for_exit(child: &mut Child) -> Result<Option<i32>> {
    let deadline = Instant::now() + GIVE_UP;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait()? {
            return Ok(status.code());
        }
        thread::sleep(Duration::from_millis(20));
    }
    bail!("the binary did not exit within {GIVE_UP:?}")
}

/// The binary prints `listening on http://ADDR` first, serves there, and exits 0 on SIGTERM.
#[test]
fn binary_announces_its_address_and_exits_0_on_sigterm() -> Result<()> {
    let mut child = Binary(
        binary()
            .args(["--addr", "127.0.0.1:0", "--latency-ms", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?,
    );
    let stdout = child.0.stdout.take().context("no stdout pipe")?;
    let (sent, first_line) = mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sent.send(line);
    });
    let line = first_line
        .recv_timeout(GIVE_UP)
        .context("no first line from the binary")?;
    let base_url = line
        .trim_end()
        .strip_prefix("listening on ")
        .with_context(|| format!("unexpected first line {line:?}"))?
        .to_string();
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    let (status, body) = get(&agent(GIVE_UP), &format!("{base_url}/site/dice"))?;
    assert_eq!((status, body), (200, sites::page_body(276).to_vec()));

    kill(Pid::from_raw(i32::try_from(child.0.id())?), Signal::SIGTERM)?;
    assert_eq!(wait_for_exit(&mut child.0)?, Some(0));
    let mut stderr = String::new();
    child
        .0
        .stderr
        .take()
        .context("no stderr pipe")?
        .read_to_string(&mut stderr)?;
    assert_eq!(
        stderr,
        "concur-sites: served 1 request, at most 1 open at once\n"
    );
    Ok(())
}

/// A bad option exits 2 with a one-line message on stderr.
#[test]
fn binary_rejects_bad_options_with_status_2() -> Result<()> {
    for args in [
        &["--bogus"][..],
        &["--latency-ms", "abc"],
        &["--latency-ms", "-1"],
        &["--body-bytes", "99999999999"],
        &["--workers", "0"],
        &["--addr", "not-an-address"],
    ] {
        let output = binary().args(args).output()?;
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr)?;
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    Ok(())
}

/// A negative number is a value out of range, as the models say it, not an unknown option.
#[test]
fn binary_says_a_negative_latency_is_out_of_range() -> Result<()> {
    let output = binary().args(["--latency-ms", "-1"]).output()?;
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr)?;
    assert!(stderr.contains("-1 is not in 0..="), "{stderr}");
    assert!(!stderr.contains("unexpected argument"), "{stderr}");
    Ok(())
}

/// An address that cannot be bound exits 1 with a message naming it.
#[test]
fn binary_reports_bind_failure_with_status_1() -> Result<()> {
    let taken = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = taken.local_addr()?.to_string();
    let output = binary().args(["--addr", &addr]).output()?;
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr)?;
    assert!(stderr.contains(&format!("cannot bind {addr}")), "{stderr}");
    Ok(())
}

/// `--help` exits 0 and documents the routes, the presets and the body formula.
#[test]
fn binary_help_documents_routes_and_bodies() -> Result<()> {
    let output = binary().arg("--help").output()?;
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8(output.stdout)?;
    for needle in [
        "/site/jython",
        "10966",
        "/fault/hang",
        "latency_ms=N",
        "abcdefghijklmnopqrstuvwxyz0123456789",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}");
    }
    Ok(())
}

/// `GET /stats` answers at once with the server's settings, and counts the
/// requests served and the CPU spent, without counting itself.
#[test]
fn stats_report_settings_requests_and_cpu() -> Result<()> {
    let server = SiteServer::spawn(sites::Config {
        latency_ms: 700,
        body_bytes: 123,
        ..sites::Config::default()
    })?;
    let agent: ureq::Agent = ureq::Agent::config_builder().proxy(None).build().into();
    let stats = |agent: &ureq::Agent| -> Result<serde_json::Value> {
        let text = agent
            .get(server.url("/stats"))
            .call()?
            .body_mut()
            .read_to_string()?;
        Ok(serde_json::from_str(&text)?)
    };
    let before = stats(&agent)?;
    assert_eq!(before["server"], "concur-sites");
    assert_eq!(before["latency_ms"], 700);
    assert_eq!(before["body_bytes"], 123);
    assert_eq!(before["requests"], 0, "{before}");
    for _ in 0..3 {
        agent.get(server.url("/page?latency_ms=0")).call()?;
    }
    let after = stats(&agent)?;
    assert_eq!(after["requests"], 3, "{after}");
    let cpu = |stats: &serde_json::Value| {
        stats["cpu_ms"]["user"].as_f64().unwrap_or(-1.0)
            + stats["cpu_ms"]["sys"].as_f64().unwrap_or(-1.0)
    };
    assert!(
        cpu(&after) >= cpu(&before) && cpu(&before) >= 0.0,
        "{before} {after}"
    );
    Ok(())
}
