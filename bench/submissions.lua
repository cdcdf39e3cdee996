-- wrk script for bench/submissions.py: POST the body template with a fresh
-- submission id each time, and count the answers by status code.
local template, placeholder = nil, "00000000-0000-4000-8000-000000000000"
counts = {}  -- global: done() reads it from each thread
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(args[1], "rb"))
  template = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if args[2] and args[2] ~= "" then wrk.headers["Authorization"] = "Bearer " .. args[2] end
  math.randomseed(os.time() + tonumber(tostring(counts):match("0x(%x+)") or "0", 16) % 100000)
end

local function uuid4()
  local r = math.random
  return string.format("%08x-%04x-4%03x-%04x-%04x%08x",
    r(0, 0xffffffff), r(0, 0xffff), r(0, 0xfff), 0x8000 + r(0, 0x3fff), r(0, 0xffff), r(0, 0xffffffff))
end

function request()
  local at = template:find(placeholder, 1, true)  -- plain: "-" is magic in Lua patterns
  local body = template:sub(1, at - 1) .. uuid4() .. template:sub(at + #placeholder)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for status, n in pairs(c) do total[status] = (total[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, string.format('"%d": %d', status, n)) end
  io.write(string.format('WRK-RESULT {"statuses": {%s}, "p50_us": %d, "p99_us": %d, "seconds": %f, "errors": %d}\n',
    table.concat(parts, ", "), latency:percentile(50), latency:percentile(99),
    summary.duration / 1e6, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
