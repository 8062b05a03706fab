-- wrk script for bench/signing_load.py.
--   wrk ... -s bench/wrk_load.lua <url> -- <bodies file or "-"> <expected status> <result file>
-- With a bodies file (one urlencoded body per line), every request POSTs the next body of this
-- thread's own share, so each signature is a different person. With "-", requests are GETs.
-- Every request carries its own X-Forwarded-For, as signers behind the reverse proxy would.
-- At the end it writes one line to the result file:
--   requests, socket errors, unexpected statuses, p50 (us), p99 (us), duration (us)

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
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
  out:write(string.format("%d %d %d %d %d %d\n",
    summary.requests,
    errors.connect + errors.read + errors.write + errors.timeout,
    bad,
    latency:percentile(50),
    latency:percentile(99),
    summary.duration))
  out:close()
end
