-- One page, over and over, as a signed-in user: wrk ... -s bench/bench.lua URL -- PATH COOKIE
-- The request is built once in init() and there is no request() or response() callback, so
-- wrk sends it without calling Lua per request and counts non-2xx/3xx answers itself
-- (errors.status): the load generator takes as little CPU as it can from this 2-core machine.

function init(args)
  wrk.path = args[1]
  wrk.headers["Cookie"] = args[2]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
