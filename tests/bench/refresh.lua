-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk script: refresh-token rotation at /token (tests/bench/README.md).
--
-- Every request is `grant_type=refresh_token&refresh_token=<current>&client_id=<id>`; the
-- refresh_token of each 200 answer is the one sent next. wrk's Lua state is per thread, not per
-- connection, so each thread owns a queue of live refresh tokens, one per connection: request()
-- takes one out, response() puts the rotated one back. Without pipelining (a request() function
-- turns it off) a connection has at most one request in flight and its response() runs before
-- its next request(), so the queue never runs dry and no token is ever sent twice.
--
-- A non-200 answer (or a 200 without a refresh_token) is counted and the first one is kept for
-- the report; its token family is gone, so the thread stops at its next request() instead of
-- reusing a token. The caller (bench.mjs) fails the run on any error of any kind.
--
-- Environment (read in setup(), in wrk's main Lua state):
--   BENCH_TOKENS      file with one refresh token per line (at least threads x per-thread)
--   BENCH_PER_THREAD  connections per thread (wrk gives each thread connections / threads)
--   BENCH_CLIENT_ID   client_id to send
--   BENCH_OUT         file done() writes its results to, as key=value lines

local function urlencode(s)
   return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

-- Main state -------------------------------------------------------------------------------
local threads = {}
local all_tokens = nil

function setup(thread)
   if not all_tokens then
      all_tokens = {}
      local path = assert(os.getenv("BENCH_TOKENS"), "BENCH_TOKENS is not set")
      for line in io.lines(path) do
         if #line > 0 then all_tokens[#all_tokens + 1] = line end
      end
   end
   local per = tonumber(os.getenv("BENCH_PER_THREAD") or "")
   assert(per and per > 0, "BENCH_PER_THREAD is not set")
   local index = #threads
   local mine = {}
   for i = 1, per do
      local t = all_tokens[index * per + i]
      assert(t, "not enough refresh tokens in BENCH_TOKENS for " .. per .. " connections per thread")
      mine[i] = t
   end
   thread:set("seed_tokens", mine)
   thread:set("thread_index", index)
   local client_id = os.getenv("BENCH_CLIENT_ID")
   assert(client_id, "BENCH_CLIENT_ID is not set")
   thread:set("client_id", client_id) -- exactly two arguments: set() copies the last one
   threads[#threads + 1] = thread
end

-- Thread states ----------------------------------------------------------------------------
local queue, head, tail
local prefix, headers
ok, bad, starved, first_error = 0, 0, 0, ""

function init(args)
   -- wrk calls request() of the first thread once right after its init(), to check that the
   -- script makes a parseable request; that request is never sent, so it must not take a token.
   verifying = (thread_index == 0)
   queue, head, tail = {}, 1, 0
   for _, t in ipairs(seed_tokens) do
      tail = tail + 1
      queue[tail] = urlencode(t)
   end
   prefix = "grant_type=refresh_token&client_id=" .. urlencode(client_id) .. "&refresh_token="
   headers = { ["Content-Type"] = "application/x-www-form-urlencoded", ["Accept"] = "application/json" }
end

function request()
   if verifying then
      verifying = false
      return wrk.format("POST", wrk.path, headers, prefix .. (queue[head] or ""))
   end
   if head > tail then
      -- A token family died (an error answer): stop this thread rather than reuse a token, and
      -- send one request that cannot touch any token (an empty refresh_token is invalid_request).
      starved = starved + 1
      wrk.thread:stop()
      return wrk.format("POST", wrk.path, headers, "grant_type=refresh_token&refresh_token=")
   end
   local token = queue[head]
   queue[head] = nil
   head = head + 1
   return wrk.format("POST", wrk.path, headers, prefix .. token)
end

function response(status, hdrs, body)
   if status == 200 then
      local rt = body:match('"refresh_token"%s*:%s*"([^"]+)"')
      if rt then
         tail = tail + 1
         queue[tail] = urlencode(rt)
         ok = ok + 1
         return
      end
   end
   bad = bad + 1
   if first_error == "" then
      first_error = tostring(status) .. " " .. body:sub(1, 300):gsub("[\r\n]", " ")
   end
end

-- Main state, after the run ----------------------------------------------------------------
function done(summary, latency, requests)
   local ok_total, bad_total, starved_total, first = 0, 0, 0, ""
   for _, t in ipairs(threads) do
      ok_total = ok_total + (t:get("ok") or 0)
      bad_total = bad_total + (t:get("bad") or 0)
      starved_total = starved_total + (t:get("starved") or 0)
      local fe = t:get("first_error") or ""
      if first == "" and fe ~= "" then first = fe end
   end
   local e = summary.errors
   local secs = summary.duration / 1e6
   local out = {
      requests = summary.requests,
      duration_us = summary.duration,
      rps = string.format("%.1f", summary.requests / secs),
      ok = ok_total,
      bad = bad_total,
      starved = starved_total,
      err_connect = e.connect,
      err_read = e.read,
      err_write = e.write,
      err_status = e.status,
      err_timeout = e.timeout,
      lat_min_us = latency.min,
      lat_mean_us = string.format("%.1f", latency.mean),
      lat_p50_us = latency:percentile(50),
      lat_p90_us = latency:percentile(90),
      lat_p99_us = latency:percentile(99),
      lat_p999_us = latency:percentile(99.9),
      lat_max_us = latency.max,
   }
   io.write(string.format(
      "  %d requests in %.2f s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms; " ..
      "non-200 %d, socket errors %d/%d/%d, timeouts %d\n",
      summary.requests, secs, summary.requests / secs, latency:percentile(50) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000, bad_total, e.connect, e.read, e.write, e.timeout))
   if first ~= "" then io.write("  first error response: " .. first .. "\n") end
   local path = os.getenv("BENCH_OUT")
   if path then
      local f = assert(io.open(path, "w"))
      for k, v in pairs(out) do f:write(k, "=", tostring(v), "\n") end
      f:write("first_error=", first, "\n")
      f:close()
   end
end
