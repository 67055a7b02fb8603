"""concur's `convert` workload in Python: the request stream, the input
validation, the conversion rule and the outcome checksum, ported line by line
from shared/src/workload/convert/{stream,rules,answer,job}.rs so that the
seed's convert_points sees exactly the requests concur's models see, and its
answers are checked by the same checksum.

concur has no option that writes its generated stream out, so the generator
is ported (SplitMix64, the Zipf-like draw from integer weights, the invalid
requests); test_programs.py checks it against the concur binaries' checksums.
`--requests-file` replays a file the way concur does.
"""

import bisect

import concur

U64 = 2**64
MASK = U64 - 1
GOLDEN = 0x9E3779B97F4A7C15

# rules.rs
MAX_AMOUNT = 1_000_000_000
BONUS_THRESHOLD = 10_000
BASIS_POINTS = 10_000
BASE_RATE_BP = 7_500
BONUS_RATE_BP = 500
# Reject reasons in concur's order (`Reject::ALL`): the index is the code.
REASONS = ["format", "non-negative", "range"]

# stream.rs: invalid requests that are not numbers at all.
MALFORMED = ["", "abc", "12.5", "1e3", "+5", " 42", "42 ", "0x1F", "--7", "1_000", "12a", "NaN", "-", "\u0661\u0662\u0663"]
DIGITS = frozenset("0123456789")


class Rejected(ValueError):
    """A request that failed validation (the seed's "raise ValueError"), with
    concur's reason: format, non-negative or range."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def validate(request):
    """The amount of A points a request asks for; raises Rejected (format,
    then non-negative, then range), as rules.rs `validate`."""
    negative = request.startswith("-")
    digits = request[1:] if negative else request
    if not digits or not set(digits) <= DIGITS:
        raise Rejected("format")
    value = int(digits)
    if negative and value != 0:
        raise Rejected("non-negative")
    if value > MAX_AMOUNT:
        raise Rejected("range")
    return value


def convert(a):
    """B points for a valid amount: 0.75 each, 0.05 more above 10 000, rounded
    down once (rules.rs `Amount::convert`)."""
    return (a * BASE_RATE_BP + max(0, a - BONUS_THRESHOLD) * BONUS_RATE_BP) // BASIS_POINTS


# --- the generated stream (stream.rs) ----------------------------------------


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next_u64(self):
        self.state = (self.state + GOLDEN) & MASK
        return mix64(self.state)

    def below(self, n):
        """A number in 0..n by multiply-high."""
        return (self.next_u64() * n) >> 64


def popular_amounts(distinct, rng):
    boundaries = [0, BONUS_THRESHOLD - 1, BONUS_THRESHOLD, BONUS_THRESHOLD + 1, MAX_AMOUNT]
    tail = boundaries if distinct >= len(boundaries) else []
    seen = set(tail)
    amounts = []
    while len(amounts) < distinct - len(tail):
        if rng.below(2) == 0:
            amount = rng.below(BONUS_THRESHOLD)
        else:
            amount = BONUS_THRESHOLD + rng.below(MAX_AMOUNT - BONUS_THRESHOLD + 1)
        if amount not in seen:
            seen.add(amount)
            amounts.append(amount)
    return amounts + tail


def zipf_table(n):
    cumulative, total = [], 0
    for rank in range(1, n + 1):
        total += (1 << 40) // rank
        cumulative.append(total)
    return cumulative


def invalid_positions(count, per_mille, rng):
    wanted = count * per_mille // 1000
    order = list(range(count))
    marked = [False] * count
    for i in range(wanted):
        j = i + rng.below(count - i)
        order[i], order[j] = order[j], order[i]
        marked[order[i]] = True
    return marked


def invalid_request(rng):
    kind = rng.below(3)
    if kind == 0:
        return f"-{1 + rng.below(MAX_AMOUNT)}"
    if kind == 1:
        if rng.below(2) == 0:
            return str(MAX_AMOUNT + 1 + rng.below(MAX_AMOUNT))
        return "9" * (20 + rng.below(20))
    return MALFORMED[rng.below(len(MALFORMED))]


def generate(requests, distinct, seed, invalid_per_mille):
    """The request lines concur generates for the same options."""
    rng = SplitMix64(seed)
    amounts = popular_amounts(distinct, rng)
    cumulative = zipf_table(len(amounts))
    total = max(cumulative[-1], 1)
    invalid = invalid_positions(requests, invalid_per_mille, rng)
    out = []
    for i in range(requests):
        if invalid[i]:
            out.append(invalid_request(rng))
        else:
            out.append(str(amounts[bisect.bisect_right(cumulative, rng.below(total))]))
    return out


def parse_lines(data):
    """A requests file's lines, as stream.rs `parse_lines`."""
    if not data:
        return []
    if data.endswith(b"\n"):
        data = data[:-1]
    return [line.removesuffix(b"\r").decode("utf-8", "replace") for line in data.split(b"\n")]


# --- options, checksum, record ------------------------------------------------


GENERATED = {"requests": 20_000, "distinct": 1_000, "seed": 42, "invalid_per_mille": 5}


def add_options(p):
    g = p.add_argument_group("convert options (as concur's convert)")
    g.add_argument("--requests", type=lambda t: concur.count(t, 1, 1_000_000), metavar="N",
                   help="requests in the generated stream [default: 20000]")
    g.add_argument("--distinct", type=lambda t: concur.count(t, 1, 1_000_000), metavar="K",
                   help="distinct valid amounts the stream draws from, the r-th most popular "
                        "with probability proportional to 1/r [default: 1000]")
    g.add_argument("--seed", type=lambda t: concur.count(t, 0, MASK), metavar="N",
                   help="seed of the generated stream [default: 42]")
    g.add_argument("--invalid-per-mille", type=lambda t: concur.count(t, 0, 1000), metavar="N",
                   help="invalid requests per 1000 [default: 5]")
    g.add_argument("--requests-file", metavar="PATH",
                   help="replay requests from a file, one per line, instead of generating them")
    g.add_argument("--cost-us", type=lambda t: concur.count(t, 0, 10_000_000), default=1_000, metavar="US",
                   help="cost of one rate lookup in microseconds, paid with time.sleep [default: 1000]")


def requests_of(p, args):
    """The job's request lines: generated, or read from --requests-file."""
    given = [name for name in GENERATED if getattr(args, name) is not None]
    if args.requests_file is None:
        spec = {name: GENERATED[name] if getattr(args, name) is None else getattr(args, name) for name in GENERATED}
        return generate(**spec)
    if given:
        p.error(f"--requests-file cannot be used with --{given[0].replace('_', '-')}")
    try:
        with open(args.requests_file, "rb") as f:
            lines = parse_lines(f.read())
    except OSError as error:
        p.error(f"--requests-file {args.requests_file}: {error.strerror}")
    if not lines:
        p.error(f"--requests-file {args.requests_file}: the file holds no requests")
    return lines


def checksum(outcomes):
    """answer.rs `checksum`: an order-sensitive hash of every outcome, the B
    points or the reason a request was rejected."""
    h = len(outcomes)
    for outcome in outcomes:
        code = MASK - REASONS.index(outcome.reason) if isinstance(outcome, Rejected) else outcome
        h = (mix64(h ^ code) + GOLDEN) & MASK
    return h


def describe(index, request, outcome):
    """A line for -v, like concur's: `request 17 "1234": 925 B points`."""
    if isinstance(outcome, Rejected):
        return f"request {index} {request!r}: rejected ({outcome.reason})"
    return f"request {index} {request!r}: {outcome} B points"


def finish(model, requests, outcomes, lookups, elapsed_s, *, workers, concurrency, cache, cost_us):
    """The record of a convert job, with concur's counters: `conversions` are
    the lookups run, `duplicates` the lookups of a key already looked up
    (conversions minus distinct keys looked up), `hits` the conversions
    answered from the cache."""
    keys = set()
    for request in requests:
        try:
            keys.add(validate(request))
        except Rejected:
            pass
    rejects = {reason: 0 for reason in REASONS}
    for outcome in outcomes:
        if isinstance(outcome, Rejected):
            rejects[outcome.reason] += 1
    rejected = sum(rejects.values())
    converted = len(outcomes) - rejected
    conversions, keys_looked_up = len(lookups), len(set(lookups))
    # concur's bound for one shared locked cache: every key looked up in turn;
    # a racy cache has none (its duplicates depend on timing).
    ideal = {"ideal_ms": round(len(keys) * cost_us / 1e3, 3)} if cache == "locked" else {}
    problems = []
    if keys_looked_up != len(keys):
        problems.append(f"{len(keys) - keys_looked_up} of {len(keys)} keys were answered without a lookup")
    concur.finish(
        model, "convert", workers=workers, concurrency=concurrency, tasks=len(requests),
        checksum=checksum(outcomes), elapsed_s=elapsed_s, errors=len(problems), problems=problems,
        cache=cache, capacity=0, conversions=conversions, converted=converted, cost_kind="sleep",
        cost_us=cost_us, duplicates=conversions - keys_looked_up, evictions=0,
        hits=converted - conversions, keys=len(keys), rejected=rejected, rejects=rejects,
        requests=len(requests), **ideal,
    )
