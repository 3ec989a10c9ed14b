-- wrk script: POST the TokenReview bodies of $BODIES, one line each, cycling (distinct tokens),
-- or only the first one when $REPEAT is set (one token again and again).
local bodies = {}
local n = 0
local i = 0
init = function(args)
  for line in io.lines(os.getenv("BODIES")) do
    n = n + 1
    bodies[n] = line
    if os.getenv("REPEAT") then break end
  end
  i = math.random(n) - 1
end
request = function()
  i = (i % n) + 1
  return wrk.format("POST", "/authenticate", {["Content-Type"] = "application/json"}, bodies[i])
end
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, '"authenticated":true', 1, true) then
    error("unexpected answer " .. status .. ": " .. string.sub(body, 1, 200))
  end
end
