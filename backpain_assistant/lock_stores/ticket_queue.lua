-- One change to a conversation's ticket queue, done inside Redis in one step.
-- The queue is stored as Rasa's TicketLock stores it: {"conversation_id": ..., "tickets":
-- ["{\"number\": 0, \"expires\": 1764520000.5}", ...]}, oldest first; an empty queue is deleted.
-- KEYS[1]: the queue's key. KEYS[2]: the conversation's count of tickets ever issued, which
--          outlives the queue: a ticket number is never given twice, so a server whose ticket
--          expired cannot finish the next holder's ticket by finishing its own number.
-- ARGV[1]: "issue" (a new ticket, ARGV[4] seconds long), "finish" (remove ticket ARGV[4]) or
--          "expire" (only drop expired tickets).
-- ARGV[2]: the caller's clock (time.time()): a ticket has expired when it is past `expires`,
--          as in Rasa's Ticket.has_expired.
-- ARGV[3]: the conversation id, for a new queue.
-- Returns, for "issue", {the new ticket's number, the queue as stored}; otherwise the queue as
-- stored, or false when there is none.
-- Far longer than any ticket lives (Rasa's longest lock lifetime is a minute).
local ISSUED_COUNT_SECONDS = 86400
local key, operation, now = KEYS[1], ARGV[1], tonumber(ARGV[2])
local stored = redis.call("GET", key)
if not stored and operation ~= "issue" then
  return false
end
local queue = stored and cjson.decode(stored) or {conversation_id = ARGV[3], tickets = {}}
local finished = operation == "finish" and tonumber(ARGV[4]) or nil
local tickets = {}
for _, text in ipairs(queue.tickets or {}) do
  local ticket = cjson.decode(text)
  if now <= ticket.expires and ticket.number ~= finished then
    tickets[#tickets + 1] = ticket
  end
end
local issued = nil
if operation == "issue" then
  -- After every number issued before, and after the queue's last (a queue Rasa's store wrote).
  local after_queue = #tickets > 0 and tickets[#tickets].number + 1 or 0
  issued = math.max(tonumber(redis.call("GET", KEYS[2]) or "0"), after_queue)
  redis.call("SET", KEYS[2], issued + 1, "EX", ISSUED_COUNT_SECONDS)
  tickets[#tickets + 1] = {number = issued, expires = now + tonumber(ARGV[4])}
end
local text = false
if #tickets == 0 then
  redis.call("DEL", key)
else
  local texts = {}
  for index, ticket in ipairs(tickets) do
    texts[index] = cjson.encode({number = ticket.number, expires = ticket.expires})
  end
  text = cjson.encode({conversation_id = queue.conversation_id, tickets = texts})
  redis.call("SET", key, text)
end
if operation == "issue" then
  return {issued, text}
end
return text
