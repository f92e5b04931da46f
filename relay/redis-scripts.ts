/**
 * The Redis store's Lua scripts (see redis-store.ts for the keys). Redis runs a script alone,
 * so each checks and writes in one step: concurrent relay nodes neither race nor overshoot.
 */
export const SCRIPTS = {
  /** KEYS ws, log, ids, seq, counts · ARGV quotaEvents, quotaBytes, now, (id, sealed)… */
  append: `
    if redis.call('EXISTS', KEYS[1]) == 0 then return {'unknown'} end
    local events = tonumber(redis.call('HGET', KEYS[1], 'events'))
    local bytes = tonumber(redis.call('HGET', KEYS[1], 'bytes'))
    local fresh, seen, addBytes = {}, {}, 0
    for i = 4, #ARGV, 2 do
      local id = ARGV[i]
      if not seen[id] and not redis.call('ZSCORE', KEYS[3], id) then
        seen[id] = true
        fresh[#fresh + 1] = i
        addBytes = addBytes + #id + #ARGV[i + 1]
      end
    end
    if #fresh == 0 then return {'ok'} end
    if events + #fresh > tonumber(ARGV[1]) or bytes + addBytes > tonumber(ARGV[2]) then
      return {'quota'}
    end
    local out = {'ok'}
    for _, i in ipairs(fresh) do
      local seq = redis.call('INCR', KEYS[4])
      redis.call('XADD', KEYS[2], seq .. '-0', 'i', ARGV[i], 's', ARGV[i + 1], 'r', ARGV[3])
      redis.call('ZADD', KEYS[3], 'inf', ARGV[i])
      out[#out + 1] = i
      out[#out + 1] = seq
    end
    redis.call('HINCRBY', KEYS[1], 'events', #fresh)
    redis.call('HINCRBY', KEYS[1], 'bytes', addBytes)
    redis.call('HINCRBY', KEYS[5], 'events', #fresh)
    redis.call('HINCRBY', KEYS[5], 'bytes', addBytes)
    return out`,
  /** KEYS ws, widCounter, counts · ARGV id, hash, prefix */
  register: `
    local known = redis.call('HGET', KEYS[1], 'hash')
    if known then
      if known == ARGV[2] then return 'exists' end
      return 'conflict'
    end
    local wid = redis.call('INCR', KEYS[2])
    redis.call('HSET', KEYS[1], 'wid', wid, 'hash', ARGV[2], 'events', 0, 'bytes', 0,
      'trimmed', 0, 'epoch', 1)
    redis.call('SET', ARGV[3] .. 'wsid:' .. wid, ARGV[1])
    redis.call('HINCRBY', KEYS[3], 'workspaces', 1)
    return 'created'`,
  /** KEYS snap, ws, trimmable · ARGV ifMatch ('' for none), covers, data, wid */
  snapshot: `
    local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
    if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= current then return {'conflict', current} end
    local trimmed = tonumber(redis.call('HGET', KEYS[2], 'trimmed') or '0')
    if tonumber(ARGV[2]) < trimmed then return {'behind', trimmed} end
    redis.call('HSET', KEYS[1], 'v', current + 1, 'd', ARGV[3], 'c', ARGV[2])
    if tonumber(ARGV[2]) > trimmed then redis.call('SADD', KEYS[3], ARGV[4]) end
    return {'ok', current + 1}`,
  /** KEYS ws, rot · ARGV fromEpoch, toHash, toEpoch, oldHash, chain */
  rotate: `
    if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
    redis.call('HSET', KEYS[1], 'hash', ARGV[2], 'epoch', ARGV[3])
    redis.call('HSET', KEYS[2], ARGV[4], ARGV[3] .. '\\n' .. ARGV[5])
    return 1`,
  /** KEYS ws, log, ids, snap, trimmable, counts · ARGV chunk, now, forgetBefore, wid */
  trim: `
    local chunk = tonumber(ARGV[1])
    local old = redis.call('ZRANGE', KEYS[3], '-inf', '(' .. ARGV[3], 'BYSCORE', 'LIMIT', 0, chunk)
    if #old > 0 then redis.call('ZREM', KEYS[3], unpack(old)) end
    local forgotMore = #old == chunk
    local through = tonumber(redis.call('HGET', KEYS[1], 'trimmed') or '0')
    local covers = tonumber(redis.call('HGET', KEYS[4], 'c') or '0')
    local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)[1]
    local target = math.min(covers, last and tonumber(string.match(last[1], '^%d+')) or 0)
    if target <= through then
      redis.call('SREM', KEYS[5], ARGV[4])
      return forgotMore and 1 or 0
    end
    local entries = redis.call('XRANGE', KEYS[2], '(' .. through .. '-0', target .. '-0',
      'COUNT', chunk)
    local upTo, n, bytes = target, 0, 0
    if #entries == chunk then upTo = tonumber(string.match(entries[#entries][1], '^%d+')) end
    for _, e in ipairs(entries) do
      local f = e[2]
      n = n + 1
      bytes = bytes + #f[2] + #f[4]
      redis.call('ZADD', KEYS[3], ARGV[2], f[2])
    end
    redis.call('XTRIM', KEYS[2], 'MINID', (upTo + 1) .. '-0')
    redis.call('HSET', KEYS[1], 'trimmed', upTo)
    redis.call('HINCRBY', KEYS[1], 'events', -n)
    redis.call('HINCRBY', KEYS[1], 'bytes', -bytes)
    redis.call('HINCRBY', KEYS[6], 'events', -n)
    redis.call('HINCRBY', KEYS[6], 'bytes', -bytes)
    if upTo >= target then redis.call('SREM', KEYS[5], ARGV[4]) end
    return (upTo < target or forgotMore) and 1 or 0`,
  /** KEYS mail, mailids, seq · ARGV max, id, sealed, now */
  mail: `
    if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 1 then return 0 end
    if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return -1 end
    local seq = redis.call('INCR', KEYS[3])
    redis.call('XADD', KEYS[1], seq .. '-0', 'i', ARGV[2], 's', ARGV[3], 'r', ARGV[4])
    redis.call('SADD', KEYS[2], ARGV[2])
    return seq`,
} as const;
