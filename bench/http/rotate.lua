-- wrk script for bench/bench_http.py: each request may carry a token from WRK_TOKENS (one per
-- line), taken in turn; with WRK_ONCE=1 every token is used once (a survey answer per person).
-- The method, body and content type come from WRK_METHOD, WRK_BODY and WRK_TYPE. At the end it
-- prints one JSON line the benchmark reads.
local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  thread:set("nthreads", tonumber(os.getenv("WRK_THREADS") or "1"))
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  local path = os.getenv("WRK_TOKENS")
  if path and path ~= "" then
    local index = 0
    for line in io.lines(path) do
      if index % nthreads == id - 1 then tokens[#tokens + 1] = line end
      index = index + 1
    end
  end
  next_token = 1
  once = os.getenv("WRK_ONCE") == "1"
  method = os.getenv("WRK_METHOD") or "GET"
  body = os.getenv("WRK_BODY")
  ctype = os.getenv("WRK_TYPE") or "application/json"
  exhausted = 0
end

function request()
  local headers = { ["X-Forwarded-Proto"] = "https", ["Accept"] = "application/json" }
  if #tokens > 0 then
    if next_token > #tokens then
      if once then exhausted = exhausted + 1 end
      next_token = 1
    end
    headers["Authorization"] = "Token " .. tokens[next_token]
    next_token = next_token + 1
  end
  if body and body ~= "" then headers["Content-Type"] = ctype end
  return wrk.format(method, nil, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
