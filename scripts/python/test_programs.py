"""Tests of the seeds' Python programs against concur's binaries, on a real
concur-sites server at small sizes. Run by scripts/python/test.sh (which
provides the venv); needs target/release built.

Every row of experiments.tsv is run as written, only shrunk (fewer pages,
smaller numbers, a shorter convert stream) the same way on both sides: the
Python program's record must be the last stdout line, carry the contract's
fields, and give the checksum of the concur command it is paired with.
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")).resolve() / "release"
sys.path.insert(0, str(HERE))
import concur_convert  # noqa: E402  (after the path: the module under test)

CONTRACT = {
    "model": str, "workload": str, "workers": int, "concurrency": int, "tasks": int,
    "checksum": str, "elapsed_ms": (int, float), "peak_rss_kib": int, "errors": int,
}
DOWNLOAD_PROGRAMS = [
    "seed000_download_seq.py", "seed000_download_threads.py", "seed000_download_asyncio.py",
    "seed000_download_procs.py", "seed002_io_0basic.py", "seed002_io_1thread.py", "seed002_io_2asyncio.py",
]
# The seed sizes in experiments.tsv and the small sizes the tests use instead.
SHRINK = [("--repeat 80", "--repeat 3"), ("--repeat 10", "--repeat 2"), ("--start 5000000", "--start 3000"),
          ("--count 20", "--count 4"), ("--end 100000000", "--end 100001")]
CONVERT_SMALL = " --requests 1500 --distinct 150 --cost-us 200"
TIMEOUT_S = 120
server = None
base = ""


def setUpModule():
    global server, base
    server = subprocess.Popen([str(BIN / "concur-sites"), "--addr", "127.0.0.1:0", "--latency-ms", "5"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline().strip()
    if not line.startswith("listening on http://"):
        tearDownModule()
        raise RuntimeError(f"concur-sites did not start: {line!r}")
    base = line.removeprefix("listening on ")


def tearDownModule():
    if server is not None and server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def run(command):
    """Runs a command line from the checkout root: (status, stdout, stderr)."""
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S)
    return done.returncode, done.stdout, done.stderr


def python(program, *args):
    return run([sys.executable, str(HERE / program), *args])


def expand(template):
    return template.format(py=sys.executable, base=base, bin=BIN).split()


def shrink(template, workload):
    for seed_size, small in SHRINK:
        template = template.replace(seed_size, small)
    return template + (CONVERT_SMALL if workload == "convert" else "")


def experiments():
    lines = (HERE / "experiments.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


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
        return record


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
                same = {"download": ["requests", "bytes"],
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


class Failures(Records):
    def test_failed_requests_fail_the_job_naming_the_url(self):
        """A 500 and a refused connection: every download program exits 1, names
        both URLs on stderr, and still prints its record, counting 2 errors
        and the one page it got."""
        failing = [f"{base}/fault/status/500", f"http://127.0.0.1:{unused_port()}/refused"]
        args = ["--url", failing[0], "--url", f"{base}/site/dice", "--url", failing[1], "--repeat", "1"]
        for program in DOWNLOAD_PROGRAMS:
            with self.subTest(program):
                status, stdout, stderr = python(program, *args)
                record = self.record(status, stdout, stderr, want_status=1)
                self.assertEqual((record["errors"], record["requests"], record["bytes"]), (2, 3, 276))
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
