-- Mixed load for bench/load.py: list pages, creates, toggles and edits by many signed-in users.
-- Every request carries an X-Request-ID naming its kind; the app echoes it back, so response()
-- knows which create was acknowledged (302) and writes its title down for the durability check.

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local counter = 0
local edit_cursor = {}
statuses = {}
local acked

function init(args)
  dofile(args[1]) -- USERS, RUN_ID, ACK_DIR, LIST_PATHS, THREADS
  acked = io.open(ACK_DIR .. "/acked-" .. id .. ".txt", "w")
  math.randomseed(4242 + id)
end

local function form(body_fields)
  local parts = {}
  for _, pair in ipairs(body_fields) do
    table.insert(parts, pair[1] .. "=" .. pair[2])
  end
  return table.concat(parts, "&")
end

local function next_edit_id(user_index, user)
  -- Threads take disjoint positions; each todo is edited once, from the version it was seeded with.
  local cursor = edit_cursor[user_index] or (id + 1)
  if cursor > #user.edits then
    return nil
  end
  edit_cursor[user_index] = cursor + THREADS
  return user.edits[cursor]
end

function request()
  counter = counter + 1
  local user_index = (counter * 7 + id) % #USERS + 1
  local user = USERS[user_index]
  local tag = RUN_ID .. "-" .. id .. "-" .. counter
  local headers = { Cookie = user.cookie, ["X-CSRFToken"] = user.csrf }
  local post = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  for k, v in pairs(headers) do post[k] = v end
  local roll = math.random(100)
  if roll <= 50 then
    headers["X-Request-ID"] = "list-" .. tag
    return wrk.format("GET", LIST_PATHS[math.random(#LIST_PATHS)], headers)
  elseif roll <= 70 then
    post["X-Request-ID"] = "create-load-" .. tag
    return wrk.format("POST", "/todos/new/", post, form({ { "title", "load-" .. tag } }))
  elseif roll <= 85 then
    post["X-Request-ID"] = "toggle-" .. tag
    local todo = user.toggle_ids[math.random(#user.toggle_ids)]
    return wrk.format("POST", "/todos/" .. todo .. "/toggle/", post)
  end
  local edit = next_edit_id(user_index, user)
  if edit == nil then
    headers["X-Request-ID"] = "detail-" .. tag
    return wrk.format("GET", "/todos/" .. user.toggle_ids[1] .. "/", headers)
  end
  post["X-Request-ID"] = "edit-" .. tag
  local body = form({
    { "title", "edited-" .. tag }, { "description", "" }, { "due_date", "" },
    { "priority", "3" }, { "tags", "load" }, { "version", edit[2] },
  })
  return wrk.format("POST", "/todos/" .. edit[1] .. "/edit/", post, body)
end

function response(status, headers, body)
  local request_id = headers["X-Request-ID"] or headers["x-request-id"] or "unknown-"
  local kind = request_id:match("^([a-z]+)-") or "unknown"
  local key = kind .. ":" .. status
  statuses[key] = (statuses[key] or 0) + 1
  if kind == "create" and status == 302 then
    acked:write(request_id:sub(8), "\n")
    acked:flush()
  end
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("statuses")) do
      merged[key] = (merged[key] or 0) + count
    end
  end
  local parts = {}
  for key, count in pairs(merged) do
    table.insert(parts, string.format('"%s": %d', key, count))
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}, ' ..
    '"statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    table.concat(parts, ", ")))
end
