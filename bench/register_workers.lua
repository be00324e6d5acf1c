-- wrk script of bench/bench_api.py: POST /api/workers, each request a new worker with a valid, unique identity
-- number (GB 11643: region 440106, a birth date from 1966 on — one a thousand numbers —, a serial, the check digit).
-- Arguments: the first number to use, and the JSON body with "%ID%" and "%MOBILE%" in it.
-- Thread k of n takes numbers start + k, start + k + n, …: unique across threads and, with a new start, across runs.

local threads = {}

function setup(thread)
   thread:set("thread_index", #threads)
   table.insert(threads, thread)
end

local weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local check_digits = "10X98765432"

local function identity_number(n)
   local birth = os.date("!%Y%m%d", -126230400 + math.floor(n / 1000) * 86400)  -- 1966-01-01
   local body = "440106" .. birth .. string.format("%03d", n % 1000)
   local sum = 0
   for i = 1, 17 do
      sum = sum + tonumber(body:sub(i, i)) * weights[i]
   end
   local r = sum % 11 + 1
   return body .. check_digits:sub(r, r)
end

function init(args)
   next_number = tonumber(args[1]) + thread_index
   step = tonumber(args[3])
   template = args[2]
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   local n = next_number
   next_number = next_number + step
   local body = template:gsub("%%ID%%", identity_number(n)):gsub("%%MOBILE%%", string.format("139%08d", n))
   return wrk.format(nil, nil, nil, body)
end
