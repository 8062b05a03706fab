-- wrk script for bench/signing_load.py.
--   wrk ... -s bench/wrk_load.lua <url> -- <bodies file or "-"> <expected status> <result file>
-- With a bodies file (one urlencoded body per line), every request POSTs the next body of this
-- thread's own share, so each signature is a different person. With "-", requests are GETs.
-- Every request carries its own X-Forwarded-For, as signers behind the reverse proxy would.
-- With WRK_THREAD_RATE set in the environment (requests/s for each wrk thread), requests leave at
-- random times (a Poisson process of that rate, per thread) instead of as fast as the server
-- answers: a paced load, as many independent visitors make, whatever the answer time.
-- At the end it writes one line to the result file:
--   requests, socket errors, unexpected statuses, p50 (us), p99 (us), duration (us),
--   then the requests each thread sent (answered or still in flight at the end), in thread order;
--   the first thread's count includes the call wrk makes to check request(), which sends nothing

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

local thread_rate = tonumber(os.getenv("WRK_THREAD_RATE") or "")
if thread_rate then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock, bench_timespec *now);
  ]]
  local clock = ffi.new("bench_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
    return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
  end
  local next_at = nil
  -- wrk paces requests only if the script defines delay() when it is loaded; it calls it before
  -- each request of each connection: each takes the thread's next departure time.
  function delay()
    local now = now_ms()
    next_at = math.max(next_at or now, now - 1000)  -- a late server gets no burst of arrears
    next_at = next_at - math.log(1 - math.random()) * 1000 / thread_rate
    return math.max(0, math.floor(next_at - now))
  end
end

function init(args)
  math.randomseed(os.time() + index)
  bodies_file, expected = args[1], tonumber(args[2])
  result_file = args[3]
  bodies, sent, unexpected = {}, 0, 0
  if bodies_file ~= "-" then
    -- threads are numbered 0..n-1; wrk does not tell a thread how many there are, so the
    -- parent writes one file per thread: <bodies file>.<index>
    for line in io.lines(bodies_file .. "." .. index) do
      table.insert(bodies, line)
    end
  end
  headers = {}
  if #bodies > 0 then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
end

function request()
  sent = sent + 1
  headers["X-Forwarded-For"] = string.format(
    "10.%d.%d.%d", index % 250, math.floor(sent / 250) % 250, sent % 250 + 1)
  if #bodies > 0 then
    return wrk.format("POST", nil, headers, bodies[(sent - 1) % #bodies + 1])
  end
  return wrk.format("GET", nil, headers)
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
  end
  local errors = summary.errors
  local out = io.open(threads[1]:get("result_file"), "w")
  out:write(string.format("%d %d %d %d %d %d",
    summary.requests,
    errors.connect + errors.read + errors.write + errors.timeout,
    bad,
    latency:percentile(50),
    latency:percentile(99),
    summary.duration))
  for _, thread in ipairs(threads) do
    out:write(string.format(" %d", thread:get("sent")))
  end
  out:write("\n")
  out:close()
end
