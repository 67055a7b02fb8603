"""Tests of the seeds' Python programs against concur's binaries, on a real
concur-sites server at small sizes. Run by scripts/python/test.sh (which
provides the venv); needs target/release built.

Every row of experiments.tsv is run as written, only shrunk (fewer pages,
smaller numbers, a shorter convert stream) the same way on both sides: the
Python program's record must be the last stdout line, carry the contract's
fields, and give the checksum of the concur command it is paired with; so is
every row of blocking.tsv, the --blocking-ms variants.
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")).resolve() / "release"
sys.path.insert(0, str(HERE))
import concur  # noqa: E402  (after the path: the modules under test)
import concur_convert  # noqa: E402

CONTRACT = {
    "model": str, "workload": str, "workers": int, "concurrency": int, "tasks": int,
    "checksum": str, "elapsed_ms": (int, float), "peak_rss_kib": int, "errors": int,
}
DOWNLOAD_PROGRAMS = [
    "seed000_download_seq.py", "seed000_download_threads.py", "seed000_download_asyncio.py",
    "seed000_download_procs.py", "seed002_io_0basic.py", "seed002_io_1thread.py", "seed002_io_2asyncio.py",
]
# The programs with a --blocking-ms task; the other download programs refuse it.
BLOCKING_PROGRAMS = ["seed000_download_seq.py", "seed000_download_threads.py", "seed000_download_asyncio.py"]
LATENCY_KEYS = ["p50", "p90", "p99", "p999", "max"]
# The seed sizes in experiments.tsv and the small sizes the tests use instead.
SHRINK = [("--repeat 80", "--repeat 3"), ("--repeat 10", "--repeat 2"), ("--start 5000000", "--start 3000"),
          ("--count 20", "--count 4"), ("--end 100000000", "--end 100001"), ("--blocking-ms 500", "--blocking-ms 50")]
SITES_LATENCY_MS = 5
CONVERT_SMALL = " --requests 1500 --distinct 150 --cost-us 200"
TIMEOUT_S = 120
server = None
base = ""


def start_sites(latency_ms):
    """A concur-sites on a free loopback port: (process, base URL)."""
    sites = subprocess.Popen([str(BIN / "concur-sites"), "--addr", "127.0.0.1:0", "--latency-ms", str(latency_ms)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = sites.stdout.readline().strip()
    if not line.startswith("listening on http://"):
        stop_sites(sites)
        raise RuntimeError(f"concur-sites did not start: {line!r}")
    return sites, line.removeprefix("listening on ")


def stop_sites(sites):
    if sites is None:
        return
    if sites.poll() is None:
        sites.terminate()
        try:
            sites.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sites.kill()
            sites.wait()
    sites.stdout.close()


def setUpModule():
    global server, base
    server, base = start_sites(SITES_LATENCY_MS)


def tearDownModule():
    stop_sites(server)


def run(command):
    """Runs a command line from the checkout root: (status, stdout, stderr)."""
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S)
    return done.returncode, done.stdout, done.stderr


def python(program, *args):
    return run([sys.executable, str(HERE / program), *args])


def expand(template, at=None):
    return template.format(py=sys.executable, base=at or base, bin=BIN).split()


def shrink(template, workload):
    for seed_size, small in SHRINK:
        template = template.replace(seed_size, small)
    return template + (CONVERT_SMALL if workload == "convert" else "")


def table(name):
    """The rows of a tab-separated table of this directory, as dicts."""
    lines = (HERE / name).read_text().splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


def experiments():
    return table("experiments.tsv")


def blocking_variants():
    return table("blocking.tsv")


def unused_port():
    """A loopback port nobody listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Records(unittest.TestCase):
    def record(self, status, stdout, stderr, want_status=0):
        """The record on the last stdout line, checked against the contract."""
        self.assertEqual(status, want_status, stderr)
        lines = stdout.splitlines()
        self.assertTrue(lines, f"no stdout; stderr: {stderr}")
        record = json.loads(lines[-1])
        for field, kind in CONTRACT.items():
            self.assertIsInstance(record.get(field), kind, f"{field} in {lines[-1]}")
        self.assertRegex(record["checksum"], r"^[0-9]+$")
        self.assertGreater(record["peak_rss_kib"], 0)
        self.assertGreaterEqual(record["elapsed_ms"], 0)
        cpu = record.get("cpu_ms")
        self.assertEqual(sorted(cpu or {}), ["sys", "user"], lines[-1])
        self.assertGreater(cpu["user"] + cpu["sys"], 0, lines[-1])
        if record["workload"] == "download":
            self.assertIn("blocking_ms", record)
            latency = record.get("latency_ms")
            self.assertIsInstance(latency, dict, lines[-1])
            self.assertEqual(sorted(latency), sorted(LATENCY_KEYS), lines[-1])
            values = [latency[key] for key in LATENCY_KEYS]
            for value in values:
                self.assertIsInstance(value, (int, float), lines[-1])
            self.assertEqual(values, sorted(values), f"p50 <= p90 <= p99 <= p999 <= max in {lines[-1]}")
        return record

    def assert_latency_at_least(self, record, ms):
        """Every request took the server's latency at least: so does the median."""
        self.assertGreaterEqual(record["latency_ms"]["p50"], ms, record)


class Experiments(Records):
    def test_table_is_well_formed(self):
        """Every row of experiments.tsv names an existing program, the model its
        record will carry and a concur binary, with no empty column."""
        rows = experiments()
        self.assertEqual(len(rows), 14)
        self.assertEqual(len({row["id"] for row in rows}), len(rows))
        for row in rows:
            self.assertTrue(all(row.values()), row)
            program = re.search(r"scripts/python/(\S+\.py)", row["python"]).group(1)
            self.assertTrue((HERE / program).is_file(), program)
            self.assertTrue(row["python"].startswith("{py} "), row["id"])
            self.assertRegex(row["concur"], r"^\{bin\}/concur-(seq|threads|async|procs) " + row["workload"] + " ")
            self.assertEqual("{base}" in row["python"], row["workload"] == "download", row["id"])
            self.assertEqual(row["latency_ms"] != "-", row["workload"] == "download", row["id"])
            self.assertRegex(row["seed_seconds"], r"^([0-9.]+|-)$")

    def test_readme_shows_the_table_s_commands(self):
        """README.md's command table has each row's two commands verbatim."""
        readme = (HERE / "README.md").read_text()
        for row in experiments():
            self.assertIn(f"| {row['id']} | `{row['python']}` | `{row['concur']}` |", readme)

    def test_every_experiment_matches_its_concur_command(self):
        """Each row, shrunk: the Python record is valid, its checksum equals the
        paired concur command's, and so does every row's of the same group."""
        by_group = {}
        for row in experiments():
            with self.subTest(row["id"]):
                mine = self.record(*run(expand(shrink(row["python"], row["workload"]))))
                theirs = self.record(*run(expand(shrink(row["concur"], row["workload"]))))
                self.assertEqual(mine["model"], row["model"])
                self.assertEqual(mine["workload"], row["workload"])
                self.assertEqual(mine["checksum"], theirs["checksum"])
                self.assertEqual(mine["tasks"], theirs["tasks"])
                if row["workload"] == "download":
                    self.assert_latency_at_least(mine, SITES_LATENCY_MS)
                    self.assertIsNone(mine["blocking_ms"])
                same = {"download": ["requests", "bytes", "blocking_ms"],
                        "convert": ["requests", "converted", "rejected", "rejects", "keys"]}
                for field in same.get(row["workload"], []):
                    self.assertEqual(mine[field], theirs[field], field)
                if row["workload"] == "convert":
                    self.assertEqual(mine["cache"], theirs["cache"])
                    self.assertEqual(mine["duplicates"], mine["conversions"] - mine["keys"])
                    if mine["cache"] == "locked":
                        self.assertEqual(mine["duplicates"], 0)
                by_group.setdefault(row["group"], set()).add(mine["checksum"])
        for group, checksums in by_group.items():
            self.assertEqual(len(checksums), 1, group)


class Blocking(Records):
    def test_blocking_table_is_well_formed(self):
        """blocking.tsv: the --blocking-ms variants of the asyncio and threads
        programs and their twins without it, each with its concur pair; the
        variant without is the experiment of experiments.tsv, word for word."""
        rows = blocking_variants()
        self.assertEqual([row["name"] for row in rows], ["python-asyncio", "python-asyncio no blocking",
                                                         "python-threads", "python-threads no blocking"])
        # The seed's threads program has --workers 5 by default; the rows leave it out.
        seeds = {row["python"].replace(" --workers 5", ""): row["concur"] for row in experiments()}
        for row in rows:
            self.assertTrue(all(row.values()), row)
            self.assertTrue(row["python"].startswith(f"{{py}} scripts/python/seed000_download_{row['model'][7:]}.py "))
            self.assertEqual(row["group"], "download-realpython-80")
            if row["blocking_ms"] == "-":
                self.assertEqual(seeds.get(row["python"]), row["concur"])
            else:
                for command in (row["python"], row["concur"]):
                    self.assertTrue(command.endswith(f" --blocking-ms {row['blocking_ms']}"), command)

    def test_readme_shows_the_blocking_commands(self):
        readme = (HERE / "README.md").read_text()
        for row in blocking_variants():
            self.assertIn(f"| {row['name']} | `{row['python']}` | `{row['concur']}` |", readme)

    def test_blocking_variants_match_their_concur_commands(self):
        """Each row of blocking.tsv, shrunk: a valid record with the blocking
        task's length, the checksum of its concur pair, and of its group: the
        blocking task changes no answer."""
        checksums = set()
        for row in blocking_variants():
            with self.subTest(row["name"]):
                mine = self.record(*run(expand(shrink(row["python"], "download"))))
                theirs = self.record(*run(expand(shrink(row["concur"], "download"))))
                self.assertEqual(mine["model"], row["model"])
                want = None if row["blocking_ms"] == "-" else 50
                self.assertEqual(mine["blocking_ms"], want)
                for field in ["checksum", "tasks", "requests", "bytes", "blocking_ms"]:
                    self.assertEqual(mine[field], theirs[field], field)
                self.assert_latency_at_least(mine, SITES_LATENCY_MS)
                checksums.add(mine["checksum"])
        self.assertEqual(len(checksums), 1)

    def test_blocking_keeps_the_checksum(self):
        """Every program with a blocking task gives the same answer with it,
        records its length and takes at least that long (CPU time cannot
        exceed wall time)."""
        args = ["--preset", "realpython", "--base", base, "--repeat", "2"]
        for program in BLOCKING_PROGRAMS:
            with self.subTest(program):
                plain = self.record(*python(program, *args))
                blocked = self.record(*python(program, *args, "--blocking-ms", "80"))
                self.assertEqual(plain["blocking_ms"], None)
                self.assertEqual(blocked["blocking_ms"], 80)
                for field in ["checksum", "requests", "bytes"]:
                    self.assertEqual(plain[field], blocked[field], field)
                self.assertGreaterEqual(blocked["elapsed_ms"], 80)
                self.assert_latency_at_least(blocked, SITES_LATENCY_MS)

    def test_a_coroutine_that_does_not_yield_holds_every_request(self):
        """asyncio, 300 ms of blocking coroutine, pages at 10 ms: the requests
        start first, then wait for the coroutine, so even the median request
        takes most of the 300 ms; threads take the 300 ms too, in their
        blocking thread, and keep their answer."""
        sites, at = start_sites(10)
        try:
            args = ["--preset", "realpython", "--base", at, "--repeat", "3", "--blocking-ms", "300"]
            record = self.record(*python("seed000_download_asyncio.py", *args))
            self.assertGreaterEqual(record["latency_ms"]["p50"], 250, record)
            self.assertGreaterEqual(record["elapsed_ms"], 300, record)
            threads = self.record(*python("seed000_download_threads.py", *args))
            self.assertGreaterEqual(threads["elapsed_ms"], 300, threads)
            self.assert_latency_at_least(threads, 10)
            self.assertEqual(threads["checksum"], record["checksum"])
        finally:
            stop_sites(sites)

    def test_bad_blocking_values_exit_2(self):
        """--blocking-ms is 1-60000; the programs without a blocking task
        refuse the option, any value, with one line."""
        url = f"{base}/site/dice"
        for program in BLOCKING_PROGRAMS:
            for value in ["0", "60001", "-5", "1.5", "abc", ""]:
                with self.subTest(program=program, value=value):
                    status, stdout, stderr = python(program, "--url", url, "--blocking-ms", value)
                    self.assertEqual(status, 2, stderr)
                    self.assertEqual(stdout, "")
                    self.assertIn("--blocking-ms", stderr)
        for program in sorted(set(DOWNLOAD_PROGRAMS) - set(BLOCKING_PROGRAMS)):
            for value in ["100", "0"]:
                with self.subTest(program=program, value=value):
                    status, stdout, stderr = python(program, "--url", url, "--blocking-ms", value)
                    self.assertEqual(status, 2, stderr)
                    self.assertEqual(stdout, "")
                    self.assertEqual(len(stderr.splitlines()), 1, stderr)
                    self.assertRegex(stderr, r"^\S+: error: --blocking-ms: ")
                    self.assertNotIn("--blocking-ms", python(program, "--help")[1])


class Latency(unittest.TestCase):
    def test_percentiles_are_concur_s(self):
        """concur's own cases (shared/src/workload/latency.rs): nearest rank,
        1..100 gives the percentile itself, ten values the 5th, 9th and 10th,
        one value every percentile, none None; microsecond resolution,
        rounded half away from zero."""
        of = concur.latency_percentiles
        hundred = [ms / 1e3 for ms in range(100, 0, -1)]
        self.assertEqual(of(hundred), {"p50": 50.0, "p90": 90.0, "p99": 99.0, "p999": 100.0, "max": 100.0})
        self.assertEqual(of([v * 10 / 1e3 for v in range(1, 11)]),
                         {"p50": 50.0, "p90": 90.0, "p99": 100.0, "p999": 100.0, "max": 100.0})
        self.assertEqual(of([0.007]), {"p50": 7.0, "p90": 7.0, "p99": 7.0, "p999": 7.0, "max": 7.0})
        self.assertEqual(of([v / 1e3 for v in range(1, 2001)])["p999"], 1998.0)
        self.assertIsNone(of([]))
        self.assertEqual(of([0.020123])["max"], 20.123)
        self.assertEqual(concur.millis(0.0574994), 57.499)
        self.assertEqual(concur.millis(0.0574996), 57.5)
        # A whole half of a microsecond goes up, as Rust's f64::round, where
        # Python's round() would go to the even one.
        halves = [k + 0.5 for k in range(64) if (k + 0.5) / 1e6 * 1e6 == k + 0.5]
        self.assertTrue(halves)
        for micros in halves:
            self.assertEqual(concur.millis(micros / 1e6), (micros + 0.5) / 1e3, micros)

    def test_measured_times_and_keeps_failures(self):
        """A measured fetch returns its body or its failure with its latency,
        and under --rate its latency and lag from when it was due."""
        import asyncio

        @concur.measured
        def slow(seconds):
            time.sleep(seconds)
            return b"body"

        @concur.measured
        def broken():
            raise ValueError("no  such\npage")

        @concur.measured
        async def queued():
            await asyncio.sleep(0.05)
            concur.restart_clock()  # as after aiohttp's wait for a connection
            await asyncio.sleep(0.01)
            return b"x"

        @concur.measured
        def late(due):
            concur.clock_from(due)  # as under --rate
            return b"y"

        body, latency, lag = slow(0.02)
        self.assertEqual((body, lag), (b"body", 0.0))
        self.assertGreaterEqual(latency, 0.02)
        failure, latency, _ = broken()
        self.assertEqual(failure, concur.Failure("no such page"))
        self.assertGreaterEqual(latency, 0)
        outcome, latency, _ = asyncio.run(queued())
        self.assertEqual(outcome, b"x")
        self.assertGreaterEqual(latency, 0.01)
        self.assertLess(latency, 0.05)
        concur.restart_clock()  # outside a fetch: nothing to restart
        # Sent 50 ms after it was due: its latency and its lag count them.
        outcome, latency, lag = late(time.perf_counter() - 0.05)
        self.assertEqual(outcome, b"y")
        self.assertGreaterEqual(min(latency, lag), 0.05)

    def test_spin_cpu_takes_its_cpu_time(self):
        start = time.thread_time()
        concur.spin_cpu(30)
        self.assertGreaterEqual(time.thread_time() - start, 0.030)


class Failures(Records):
    def test_failed_requests_fail_the_job_naming_the_url(self):
        """A 500 and a refused connection: every download program exits 1, names
        both URLs on stderr, prints no record on stdout and its partial record
        on stderr, counting 2 errors and the one page it got."""
        failing = [f"{base}/fault/status/500", f"http://127.0.0.1:{unused_port()}/refused"]
        args = ["--url", failing[0], "--url", f"{base}/site/dice", "--url", failing[1], "--repeat", "1"]
        for program in DOWNLOAD_PROGRAMS:
            with self.subTest(program):
                status, stdout, stderr = python(program, *args)
                self.assertEqual((status, stdout), (1, ""), stderr)
                partial = [line for line in stderr.splitlines() if line.startswith(concur.PARTIAL_RECORD)]
                self.assertEqual(len(partial), 1, stderr)
                record = json.loads(partial[0][len(concur.PARTIAL_RECORD):])
                self.assertEqual((record["errors"], record["requests"], record["bytes"]), (2, 3, 276))
                self.assertIsNone(record["blocking_ms"])
                for url in failing:
                    self.assertRegex(stderr, f"(?m)^error: request failed: GET {re.escape(url)}: .+")

    def test_usage_errors_exit_2(self):
        """Bad options are usage errors (exit 2, a message); --help exits 0."""
        for program in sorted(p.name for p in HERE.glob("seed*.py")):
            with self.subTest(program):
                status, stdout, _ = python(program, "--help")
                self.assertEqual(status, 0)
                self.assertIn("result record", stdout)
                status, _, stderr = python(program, "--no-such-option")
                self.assertEqual(status, 2)
                self.assertIn("error:", stderr)
        bad = [["--preset", "realpython"], ["--url", "https://example.com/"], ["--base", base],
               ["--url", "http://127.0.0.1:99999/"], [], ["--url", f"{base}/page", "--repeat", "0"]]
        for args in bad:
            with self.subTest(args=args):
                self.assertEqual(python("seed000_download_seq.py", *args)[0], 2)
        self.assertEqual(python("seed000_convert.py", "--requests", "10")[0], 2, "--cache is required")
        self.assertEqual(python("seed002_cpu_1thread.py", "--end", "1")[0], 2)


class Rate(Records):
    def test_latency_counts_from_when_a_request_was_due(self):
        """--rate in the threads program with one worker, 20 ms a request,
        due every 5 ms: it falls behind, and the last request's latency from
        due is over 200 ms; the record has concur's open-loop fields."""
        url = f"{base}/page?latency_ms=20&size=100"
        status, stdout, stderr = python("seed000_download_threads.py", "--url", url, "--repeat", "20",
                                        "--rate", "200", "--workers", "1")
        record = self.record(status, stdout, stderr)
        self.assertGreater(record["latency_ms"]["max"], 200, record)
        self.assertEqual(record["offered_rps"], 200.0)
        self.assertGreaterEqual(record["late_starts"], 10, record)
        self.assertLess(record["achieved_rps"], 60, record)

    def test_asyncio_keeps_a_rate_on_either_event_loop(self):
        """The asyncio program at 50/s for a second, on asyncio's loop and on
        uvloop's: 50 requests, the same checksum, every latency at least the
        server's."""
        url = f"{base}/page?latency_ms=20&size=100"
        checksums = set()
        for loop in ("asyncio", "uvloop"):
            with self.subTest(loop):
                status, stdout, stderr = python("seed000_download_asyncio.py", "--url", url, "--rate", "50",
                                                "--duration-s", "1", "--loop", loop)
                record = self.record(status, stdout, stderr)
                self.assertEqual((record["requests"], record["offered_rps"]), (50, 50.0))
                self.assertGreaterEqual(record["latency_ms"]["p50"], 20, record)
                self.assertEqual(record["model"], f"python-{loop}")
                checksums.add(record["checksum"])
        self.assertEqual(len(checksums), 1, checksums)

    def test_bad_rates_exit_2(self):
        """Rates that are not positive, a duration without a rate, --rate with
        --blocking-ms: one usage error each."""
        url = f"{base}/page"
        for args in (["--rate", "0"], ["--rate", "x"], ["--duration-s", "3"],
                     ["--rate", "5", "--blocking-ms", "10"]):
            with self.subTest(args):
                status, stdout, stderr = python("seed000_download_asyncio.py", "--url", url, *args)
                self.assertEqual(status, 2, stderr)
                self.assertEqual(stdout, "")


class Programs(Records):
    def test_verbose_lines_go_to_stderr(self):
        """-v prints the seed's lines on stderr; stdout stays the record alone."""
        status, stdout, stderr = python("seed000_download_procs.py", "-v", "--preset", "realpython",
                                        "--base", base, "--repeat", "2")
        self.record(status, stdout, stderr)
        self.assertEqual(len(stdout.splitlines()), 1)
        self.assertRegex(stderr, r"ForkPoolWorker-\d+:Read 10966 from .*/site/jython")
        self.assertIn("Downloaded 4 in ", stderr)
        status, stdout, stderr = python("seed002_io_2asyncio.py", "-v", "--url", f"{base}/page", "--repeat", "1")
        self.record(status, stdout, stderr)
        self.assertIn("Start with", stderr)
        self.assertIn("duration(s):", stderr)

    def test_requests_file_replays_like_concur(self):
        """A requests file with CRLF line ends, blank and malformed lines and
        overlong numbers gives concur's checksum and counts."""
        lines = ["5", "10001", "", "-0", "-3", "abc", "1000000001", "9" * 30, "\u0661", "10001", " 7"]
        with tempfile.NamedTemporaryFile("wb", suffix=".txt", delete=False) as f:
            f.write("\r\n".join(lines).encode() + b"\r\n\xff\n")
        try:
            mine = self.record(*python("seed000_convert.py", "--cache", "locked", "--requests-file", f.name))
            theirs = self.record(*run([str(BIN / "concur-seq"), "convert", "--requests-file", f.name]))
        finally:
            os.unlink(f.name)
        self.assertEqual(mine["tasks"], len(lines) + 1)
        for field in ["checksum", "tasks", "converted", "rejects", "keys", "conversions"]:
            self.assertEqual(mine[field], theirs[field], field)
        self.assertEqual(python("seed000_convert.py", "--cache", "racy", "--requests-file", "x", "--seed", "1")[0], 2)

    def test_generator_is_concur_s(self):
        """The ported generator gives the stream concur pins in its own tests,
        and the rule its boundary values."""
        self.assertEqual(concur_convert.generate(2_000, 100, 42, 5)[:3], ["6889", "3706", "4954"])
        self.assertEqual(concur_convert.SplitMix64(0).next_u64(), 0xE220A8397B1DCDAF)
        convert = concur_convert.convert
        self.assertEqual([convert(a) for a in (0, 1, 9_999, 10_000, 10_001, 10_020, 10**9)],
                         [0, 0, 7_499, 7_500, 7_500, 7_516, 799_999_500])


if __name__ == "__main__":
    missing = [b for b in ("concur-seq", "concur-threads", "concur-async", "concur-procs", "concur-sites")
               if not (BIN / b).is_file()]
    if missing:
        sys.exit(f"test_programs.py: {', '.join(missing)} missing in {BIN}: cargo build --release")
    unittest.main(verbosity=2)
