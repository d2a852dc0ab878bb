-- wrk script for scripts/bench-http: POSTs one stateless (2026-07-28) MCP tools/call of get_record
-- over keep-alive connections. BENCH_TOKEN (optional) is sent as the bearer API token. Any
-- answer that is not HTTP 200 with a successful tool result counts as a failure.
local token = os.getenv("BENCH_TOKEN")
wrk.method = "POST"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_record",'
  .. '"arguments":{"object":"Account","id":"001Dx0000000001IAA","fields":["Name","Phone"]},'
  .. '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
  .. '"io.modelcontextprotocol/clientCapabilities":{},'
  .. '"io.modelcontextprotocol/clientInfo":{"name":"bench-http","version":"1"}}}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
wrk.headers["Mcp-Method"] = "tools/call"
wrk.headers["Mcp-Name"] = "get_record"
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  failed = 0
  sample = nil
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"isError":false', 1, true) then
    failed = failed + 1
    if sample == nil then sample = status .. " " .. string.sub(body, 1, 300) end
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + t:get("failed")
    local s = t:get("sample")
    if s then io.write("sample failure: ", s, "\n") end
  end
  io.write(string.format("BENCH requests=%d failed=%d p50_us=%d p99_us=%d\n",
    summary.requests, total, latency:percentile(50), latency:percentile(99)))
end
