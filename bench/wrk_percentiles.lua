-- Prints p50/p95/p99 latency (ms), request rate and non-2xx count as one line of JSON.
local non2xx = 0
response = function(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format(
    '{"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "requests": %d, "rps": %.1f, "errors": %d}\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
