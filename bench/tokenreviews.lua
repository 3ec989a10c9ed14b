-- wrk script: POST the TokenReview bodies of $BODIES, one line each, cycling (distinct tokens), or only
-- the first one when $REPEAT is set, to /authenticate (or to $REVIEW_PATH, for the no-op floor). Requests
-- are formatted once at start so wrk's own cost stays low; load.sh checks the answers with curl before
-- measuring, and wrk counts any non-2xx.
local reqs = {}
local n = 0
local i = 0
init = function(args)
  local path = os.getenv("REVIEW_PATH") or "/authenticate"
  for line in io.lines(os.getenv("BODIES")) do
    n = n + 1
    reqs[n] = wrk.format("POST", path, {["Content-Type"] = "application/json"}, line)
    if os.getenv("REPEAT") then break end
  end
  i = math.random(n) - 1
end
request = function()
  i = (i % n) + 1
  return reqs[i]
end
