--- orrery.store: the planet's SQLite database — schema, feed state, entries.
---
--- Entries are keyed by (feed, guid): a re-run updates an entry only when its content
--- changed (compared by hash) and never duplicates it.  first_seen is kept forever: it is
--- the date of entries that have none, so an undated entry does not come back as new.
local cdb = require('orrery._db')
local cfeed = require('orrery._feed')
local cutil = require('orrery._util')
local json = require('orrery.json')
local shown = require('orrery.shown')

local M = {}
M.__index = M

local migrations = {
  -- 1: the initial schema
  [[
  CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY,
    url           TEXT NOT NULL UNIQUE,     -- as configured: the feed's identity
    fetch_url     TEXT,                     -- where it is fetched now (after 301/308)
    name          TEXT,
    title         TEXT,
    link          TEXT,
    subtitle      TEXT,
    icon          TEXT,
    etag          TEXT,
    last_modified TEXT,
    last_attempt  INTEGER,
    last_success  INTEGER,
    last_status   INTEGER,
    last_error    TEXT,
    errors        INTEGER NOT NULL DEFAULT 0,  -- consecutive failures
    next_attempt  INTEGER,
    gone          INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE entries (
    id            INTEGER PRIMARY KEY,
    feed_id       INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    guid          TEXT NOT NULL,
    link          TEXT,
    title         TEXT,
    author        TEXT,
    summary       TEXT,
    content       TEXT,
    content_type  TEXT,
    published     INTEGER,
    updated       INTEGER,
    first_seen    INTEGER NOT NULL,
    date          INTEGER NOT NULL,          -- shown and sorted by; see M:save_entries
    tags          TEXT NOT NULL DEFAULT '[]',
    enclosures    TEXT NOT NULL DEFAULT '[]',
    hash          TEXT NOT NULL,
    UNIQUE (feed_id, guid)
  );
  CREATE INDEX entries_by_date ON entries(date DESC);
  CREATE INDEX entries_by_feed ON entries(feed_id, date DESC);
  ]],
  -- 2: full-text search, the last fetched document of each feed, the fetch log
  [[
  CREATE VIRTUAL TABLE entries_fts USING fts5(title, author, body,
    tokenize = 'unicode61 remove_diacritics 2');
  -- a title match weighs more than an author match, which weighs more than the text
  INSERT INTO entries_fts (entries_fts, rank) VALUES ('rank', 'bm25(5.0, 2.0, 1.0)');
  INSERT INTO entries_fts (rowid, title, author, body)
    SELECT id, title, author, html_text(coalesce(content, summary)) FROM entries;
  CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts (rowid, title, author, body)
      VALUES (new.id, new.title, new.author, html_text(coalesce(new.content, new.summary)));
  END;
  CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
    DELETE FROM entries_fts WHERE rowid = old.id;
  END;
  CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, author, summary, content ON entries BEGIN
    DELETE FROM entries_fts WHERE rowid = old.id;
    INSERT INTO entries_fts (rowid, title, author, body)
      VALUES (new.id, new.title, new.author, html_text(coalesce(new.content, new.summary)));
  END;
  CREATE TABLE documents (
    feed_id       INTEGER PRIMARY KEY REFERENCES feeds(id) ON DELETE CASCADE,
    fetched_at    INTEGER NOT NULL,
    url           TEXT,
    status        INTEGER,
    content_type  TEXT,
    body          BLOB NOT NULL
  );
  CREATE TABLE fetch_log (
    id            INTEGER PRIMARY KEY,
    feed_id       INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    time          INTEGER NOT NULL,
    status        INTEGER,
    error         TEXT,
    bytes         INTEGER,
    seconds       REAL,
    new           INTEGER,
    changed       INTEGER
  );
  CREATE INDEX fetch_log_by_feed ON fetch_log(feed_id, id DESC);
  ]],
  -- 3: the search index reads its text from the entries (external content) instead of
  -- keeping a second copy, html_text became a scan of stored HTML, and new or changed
  -- entries are indexed in bulk (M:index) rather than one by one: FTS5 flushes its
  -- pending rows at every savepoint, so a per-row trigger cost a segment per feed.
  [[
  DROP TRIGGER entries_fts_insert;
  DROP TRIGGER entries_fts_delete;
  DROP TRIGGER entries_fts_update;
  DROP TABLE entries_fts;
  CREATE VIEW entries_text AS
    SELECT id, title, author, html_text(coalesce(content, summary)) AS body FROM entries;
  CREATE VIRTUAL TABLE entries_fts USING fts5(title, author, body,
    content = 'entries_text', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
  INSERT INTO entries_fts (entries_fts, rank) VALUES ('rank', 'bm25(5.0, 2.0, 1.0)');
  INSERT INTO entries_fts (entries_fts) VALUES ('rebuild');
  -- what the feed's last stored document and recipe were: an identical one is not re-parsed
  ALTER TABLE feeds ADD COLUMN doc_key TEXT;
  -- entries written since the index last caught up
  CREATE TABLE fts_pending (id INTEGER PRIMARY KEY);
  CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
    INSERT OR IGNORE INTO fts_pending (id) VALUES (new.id);
  END;
  -- an external-content index forgets a row only when told the values it indexed
  CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, author, body)
      SELECT 'delete', old.id, old.title, old.author, html_text(coalesce(old.content, old.summary))
      WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE id = old.id);
    DELETE FROM fts_pending WHERE id = old.id;
  END;
  CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, author, summary, content ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, author, body)
      SELECT 'delete', old.id, old.title, old.author, html_text(coalesce(old.content, old.summary))
      WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE id = old.id);
    INSERT OR IGNORE INTO fts_pending (id) VALUES (new.id);
  END;
  ]],
  -- 4: full articles fetched for teaser feeds (orrery.article), by the entry's link
  [[
  CREATE TABLE articles (
    url      TEXT PRIMARY KEY,
    fetched  INTEGER NOT NULL,
    status   INTEGER,
    content  TEXT,               -- the sanitized article; NULL while it could not be had
    error    TEXT,
    tries    INTEGER NOT NULL DEFAULT 0
  );
  ]],
}

-- Entries stored before the feed model had its URL policy and read authors into name and
-- email: each stored URL goes through the policy now (a refused one is dropped, and the
-- entry's notes say so), and "jo@example.com (Jo)" becomes the name with the address apart.
local function upgrade_entries(db)
  local function checked(v, notes, what)
    if v == nil then return nil, notes end
    local u, why = cfeed.url(v)
    if u then return u, notes end
    local line = string.format('%s dropped: %s ("%s")', what, why, v:sub(1, 60):gsub('%c', ' '))
    return nil, notes and (notes .. '\n' .. line) or line
  end
  local rows = {}
  for row in db:rows('SELECT id, link, author, enclosures FROM entries') do rows[#rows + 1] = row end
  for _, row in ipairs(rows) do
    local link, notes = checked(row.link, nil, 'link')
    local name, email
    if row.author then name, email = cfeed.author(row.author) end
    local enc = json.decode(row.enclosures or '[]')
    local kept = json.array()
    for _, x in ipairs(enc) do
      x.href, notes = checked(x.href, notes, 'enclosure')
      if x.href then kept[#kept + 1] = x end
    end
    assert(db:run('UPDATE entries SET link = ?, author = ?, author_email = ?, notes = ?, enclosures = ? WHERE id = ?',
      link, name, email, notes, json.encode(kept), row.id))
  end
  local feeds = {}
  for row in db:rows('SELECT id, link, icon FROM feeds') do feeds[#feeds + 1] = row end
  for _, row in ipairs(feeds) do
    local link, notes = checked(row.link, nil, 'site link')
    local icon
    icon, notes = checked(row.icon, notes, 'icon')
    assert(db:run('UPDATE feeds SET link = ?, icon = ?, notes = ? WHERE id = ?', link, icon, notes, row.id))
  end
end

-- 5: authors as name, email and URI; what the model's rules dropped, per entry and feed
migrations[5] = {
  [[
  ALTER TABLE entries ADD COLUMN author_email TEXT;
  ALTER TABLE entries ADD COLUMN author_uri TEXT;
  ALTER TABLE entries ADD COLUMN notes TEXT;
  ALTER TABLE feeds ADD COLUMN notes TEXT;
  ALTER TABLE feeds ADD COLUMN format TEXT;     -- rss20, atom10, ..., scraped: what it was last
  ALTER TABLE feeds ADD COLUMN derived_with TEXT;  -- the recipe, options and orrery its entries came from
  UPDATE feeds SET derived_with = substr(doc_key, 18) WHERE doc_key IS NOT NULL;
  ALTER TABLE fetch_log ADD COLUMN wait REAL;   -- seconds in orrery's queue before the transfer
  ALTER TABLE feeds ADD COLUMN failing_since INTEGER;  -- the first failure of the current run of them
  ALTER TABLE feeds ADD COLUMN recovered TEXT;  -- last parse: ill-formed, recovered (libxml2's reason)
  UPDATE feeds SET failing_since = coalesce((SELECT min(l.time) FROM fetch_log l WHERE l.feed_id = feeds.id
    AND l.error IS NOT NULL AND l.time > coalesce(feeds.last_success, 0)), last_attempt) WHERE errors > 0;
  UPDATE feeds SET recovered = substr(last_error, 32), last_error = NULL
    WHERE errors = 0 AND last_error LIKE 'recovered from ill-formed XML: %';
  -- the documents entries were derived from: several per feed, compressed, so that a changed
  -- recipe or parser can derive them again without the network (M:save_document)
  ALTER TABLE documents RENAME TO documents_4;
  CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    feed_id       INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    fetched_at    INTEGER NOT NULL,
    url           TEXT,
    status        INTEGER,
    content_type  TEXT,
    hash          TEXT,                      -- of the body as fetched
    size          INTEGER NOT NULL,          -- of the body as fetched
    deflated      INTEGER NOT NULL DEFAULT 0, -- body is zlib-compressed
    body          BLOB NOT NULL
  );
  CREATE INDEX documents_by_feed ON documents(feed_id, id);
  INSERT INTO documents (feed_id, fetched_at, url, status, content_type, size, body)
    SELECT feed_id, fetched_at, url, status, content_type, length(body), body FROM documents_4;
  DROP TABLE documents_4;
  -- one row per refresh: the planet's history for the health page (pruned after 400 days)
  CREATE TABLE runs (
    id        INTEGER PRIMARY KEY,
    time      INTEGER NOT NULL,
    feeds     INTEGER, failed INTEGER, new INTEGER, changed INTEGER, seconds REAL
  );
  ]],
  upgrade_entries,
}

-- Entries stored before dedupe: their link and text keys.
local function add_keys(db)
  local rows = {}
  for row in db:rows('SELECT id, link, title, summary, content FROM entries') do rows[#rows + 1] = row end
  for _, row in ipairs(rows) do
    assert(db:run('UPDATE entries SET link_key = ?, text_key = ? WHERE id = ?', shown.link_key(row.link),
      shown.text_key(row), row.id))
  end
end

-- 6: what dedupe compares (orrery.shown), what retention removed and what recipes dropped
-- (for `orrery why`), hosts that asked us to wait
migrations[6] = {
  [[
  ALTER TABLE entries ADD COLUMN link_key TEXT;   -- the link as dedupe compares it
  ALTER TABLE entries ADD COLUMN text_key TEXT;   -- a hash of title and text (enough text only)
  CREATE INDEX entries_by_guid ON entries(guid);
  CREATE INDEX entries_by_link_key ON entries(link_key) WHERE link_key IS NOT NULL;
  CREATE INDEX entries_by_text_key ON entries(text_key) WHERE text_key IS NOT NULL;
  -- entries removed by retention: the feed still carrying one must not bring it back
  CREATE TABLE expunged (
    feed_id     INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    guid        TEXT NOT NULL,
    link        TEXT,
    title       TEXT,
    date        INTEGER,
    removed_at  INTEGER NOT NULL,
    rule        TEXT NOT NULL,       -- which setting removed it
    last_seen   INTEGER NOT NULL,    -- the last time its feed still carried it
    PRIMARY KEY (feed_id, guid)
  );
  -- entries a recipe left out, the last time each feed was derived
  CREATE TABLE dropped (
    feed_id     INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    guid        TEXT NOT NULL,
    link        TEXT,
    title       TEXT,
    reason      TEXT NOT NULL,
    time        INTEGER NOT NULL,
    PRIMARY KEY (feed_id, guid)
  );
  -- the full-text index is brought up to date when it is searched, not at every commit (a
  -- cold refresh spent half its storing time indexing entries nobody searched): new entries
  -- are those above indexed_upto; changed ones already indexed wait in fts_pending
  DROP TRIGGER entries_fts_insert;
  DROP TRIGGER entries_fts_delete;
  DROP TRIGGER entries_fts_update;
  CREATE TABLE fts_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_upto INTEGER NOT NULL);
  INSERT INTO fts_state (id, indexed_upto) VALUES (1, (SELECT coalesce(max(id), 0) FROM entries));
  CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries
    WHEN old.id <= (SELECT indexed_upto FROM fts_state) BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, author, body)
      SELECT 'delete', old.id, old.title, old.author, html_text(coalesce(old.content, old.summary))
      WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE id = old.id);
    DELETE FROM fts_pending WHERE id = old.id;
  END;
  CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, author, summary, content ON entries
    WHEN old.id <= (SELECT indexed_upto FROM fts_state) BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, author, body)
      SELECT 'delete', old.id, old.title, old.author, html_text(coalesce(old.content, old.summary))
      WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE id = old.id);
    INSERT OR IGNORE INTO fts_pending (id) VALUES (new.id);
  END;
  -- how each article was found (the recipe's hook or readability scoring), and its length
  ALTER TABLE articles ADD COLUMN method TEXT;
  ALTER TABLE articles ADD COLUMN chars INTEGER;
  -- a host that answered 429 or 503: none of its feeds is fetched before hold_until
  CREATE TABLE hosts (
    host        TEXT PRIMARY KEY,
    hold_until  INTEGER NOT NULL,
    reason      TEXT
  );
  ]],
  add_keys,
}

-- 7: the language a feed says it is written in (its <language>, xml:lang or JSON Feed's
-- language): the pages give its entries lang="..." (fonts for Han characters, hyphenation,
-- a screen reader's voice)
migrations[7] = [[
  ALTER TABLE feeds ADD COLUMN language TEXT;
]]

-- 8: what each archive month's pages were last rendered from (orrery.layout): a month
-- whose inputs are the same is not rendered again
migrations[8] = [[
  CREATE TABLE rendered (
    path   TEXT PRIMARY KEY,    -- the real path of the month's first page
    key    TEXT NOT NULL,       -- a digest of everything its pages were made from
    pages  TEXT NOT NULL,       -- its pages' sizes and modification times: each must still be as written
    reads  TEXT NOT NULL        -- what the template read, one name a line (see layout.lua)
  );
]]

-- 9: a render reads every entry's few small columns several times (which are shown, the
-- months and what changed in each, the duplicates, the counts, the health page's days):
-- with them in the indexes it reads the indexes, not the whole table of entries' HTML
-- (a render of 20,000 entries read 140 MB of table for them; dedupe's query alone read
-- it for each row's feed)
migrations[9] = [[
  DROP INDEX entries_by_guid;
  CREATE INDEX entries_by_guid ON entries(guid, feed_id);
  DROP INDEX entries_by_link_key;
  CREATE INDEX entries_by_link_key ON entries(link_key, feed_id) WHERE link_key IS NOT NULL;
  DROP INDEX entries_by_text_key;
  CREATE INDEX entries_by_text_key ON entries(text_key, feed_id) WHERE text_key IS NOT NULL;
  DROP INDEX entries_by_date;
  CREATE INDEX entries_by_date ON entries(date DESC, feed_id, first_seen, hash);
  DROP INDEX entries_by_feed;
  CREATE INDEX entries_by_feed ON entries(feed_id, date DESC, first_seen);
  CREATE INDEX entries_noted ON entries(feed_id) WHERE notes IS NOT NULL;
]]

-- 10: the characters XML does not allow (C0 controls but tab, newline and carriage
-- return; U+FFFE, U+FFFF), which a JSON Feed's "\u0008" brought into entries and feeds
-- stored before they were dropped as a feed enters orrery (docs/security.md): written raw
-- into the pages' HTML, they left atom.xml and the RSS files not well-formed for every
-- reader of them.  Only the rows that have one are written; xml_chars (api/db.c) is the
-- C rule the parser's own output keeps.
local function drop_not_xml(db)
  for _, t in ipairs({ { 'entries', { 'title', 'author', 'summary', 'content' } },
      { 'feeds', { 'title', 'subtitle', 'name' } } }) do
    local sets, where = {}, {}
    for i, col in ipairs(t[2]) do
      sets[i] = string.format('%s = xml_chars(%s)', col, col)
      where[i] = string.format('%s IS NOT xml_chars(%s)', col, col)
    end
    assert(db:exec('UPDATE ' .. t[1] .. ' SET ' .. table.concat(sets, ', ') .. ' WHERE '
      .. table.concat(where, ' OR ')))
  end
end
migrations[10] = { '', drop_not_xml }

-- 11: text keys (orrery.shown.text_key) as a digest: the stored ones were FNV-1a, whose
-- multiply a byte was most of what keying an entry cost at every refresh.  Every entry's is
-- made again, a thousand rows at a time (a planet's whole HTML is never in memory at once);
-- old and new keys cannot be mistaken for each other (a new one starts with '#').
local function rekey_text(db)
  local last = 0
  while true do
    local rows = {}
    for row in db:rows('SELECT id, title, summary, content FROM entries WHERE id > ? ORDER BY id LIMIT 1000', last) do
      rows[#rows + 1] = row
    end
    if #rows == 0 then return end
    for _, row in ipairs(rows) do
      assert(db:run('UPDATE entries SET text_key = ? WHERE id = ?', shown.text_key(row), row.id))
    end
    last = rows[#rows].id
  end
end
migrations[11] = { '', rekey_text }

M.LOG_KEEP = 100   -- fetch log rows kept per feed
M.PAGE_SIZE = 16384   -- bytes a database page, for new databases (see M.open)
M.SCHEMA = #migrations   -- the schema version this orrery writes (PRAGMA user_version)

--- Open (and create or migrate) a database.  Returns a store or nil, err.
---@param path string
function M.open(path)
  local db, err = cdb.open(path)
  if not db then return nil, err end
  -- A new database gets 16 KB pages (SQLite's default is 4 KB): a planet stores a few KB of
  -- HTML per entry, and every page goes through the WAL and back in its own system calls.
  -- Measured on make bench's cold refresh: commits 0.26 -> 0.16 s, refresh CPU -11 %.  (The
  -- size of an existing file stays: changing it means rewriting the whole file.)
  if db:one('PRAGMA page_count').page_count == 0 then db:exec('PRAGMA page_size=' .. M.PAGE_SIZE) end
  local ok, e = db:exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;')
  if not ok then db:close() return nil, path .. ': ' .. e end
  local version = db:one('PRAGMA user_version').user_version
  if version > #migrations then
    db:close()
    return nil, string.format('%s: schema version %d is newer than this orrery (%d)', path, version, #migrations)
  end
  for v = version + 1, #migrations do
    -- each migration in one transaction: SQL, then (for some) a Lua step over the rows; a
    -- failure leaves the file as it was
    local m = migrations[v]
    local sql, step = m, nil
    if type(m) == 'table' then sql, step = m[1], m[2] end
    local ok2, e2 = db:exec('BEGIN;' .. sql .. ';PRAGMA user_version=' .. v .. ';')
    if ok2 and step then ok2, e2 = pcall(step, db) end
    if ok2 then ok2, e2 = db:exec('COMMIT') end
    if not ok2 then db:exec('ROLLBACK') db:close() return nil, path .. ': migration ' .. v .. ': ' .. tostring(e2) end
  end
  return setmetatable({ db = db, path = path }, M)
end

function M:close()
  if self.db then
    if self.batch_started then self:commit() end
    self.db:close()
    self.db = nil
  end
end

-- Bring the full-text index up to date: the changed entries it had, then every entry above
-- the mark.  Run when the index is asked (a search), not at commits: a planet that is never
-- searched never pays for it, and one that is pays once for all that came in meanwhile.
local INDEX_CATCH_UP = [[
  INSERT INTO entries_fts (rowid, title, author, body)
    SELECT t.id, t.title, t.author, t.body FROM fts_pending p JOIN entries_text t ON t.id = p.id;
  DELETE FROM fts_pending;
  INSERT INTO entries_fts (rowid, title, author, body)
    SELECT id, title, author, body FROM entries_text WHERE id > (SELECT indexed_upto FROM fts_state);
  UPDATE fts_state SET indexed_upto = (SELECT coalesce(max(id), 0) FROM entries);]]

--- Run fn inside a transaction (a savepoint inside a batch, see M:begin); everything fn
--- wrote is undone if it fails.  Returns fn's result, or nil, err.
function M:transaction(fn, ...)
  local nested = self.batch_started ~= nil
  assert(self.db:exec(nested and 'SAVEPOINT one' or 'BEGIN IMMEDIATE'))
  local ok, res, err = pcall(fn, ...)
  if ok and res ~= nil then
    local c, e = self.db:exec(nested and 'RELEASE one' or 'COMMIT')
    if c then return res end
    err = e
  else
    err = ok and err or res
  end
  self.db:exec(nested and 'ROLLBACK TO one; RELEASE one' or 'ROLLBACK')
  return nil, err
end

--- Bring the full-text index up to date with the entries written since it last was (a
--- search does, first).
function M:index()
  if self.batch_started then return self.db:exec(INDEX_CATCH_UP) end
  return self:transaction(function()
    local ok, err = self.db:exec(INDEX_CATCH_UP)
    if not ok then error(err, 0) end
    return true
  end)
end

--- Start a batch: the writes of many feeds share one transaction, committed by M:commit
--- (each feed's own writes still go all or nothing: M:feed_transaction).  A commit per feed
--- would cost a WAL sync each: most of a cold refresh.
function M:begin()
  if self.batch_started then return end
  assert(self.db:exec('BEGIN IMMEDIATE'))
  self.batch_started = cutil.clock()
end

--- Abandon the batch (if one is open): nothing it wrote is kept.
function M:rollback()
  if not self.batch_started then return end
  self.batch_started = nil
  self.db:exec('ROLLBACK')
end

--- Commit the batch (if one is open); with `age`, only if it has been open that many
--- seconds.  Returns true, or nil, err when the commit failed (the batch is rolled back).
function M:commit(age)
  local t = self.batch_started
  if not t or (age and cutil.clock() - t < age) then return true end
  self.batch_started = nil
  local ok, err = self.db:exec('COMMIT')
  if ok then return true end
  self.db:exec('ROLLBACK')
  return nil, err
end

--- The feed row for a configured URL, created when missing.
function M:feed(url, name)
  local row = self.db:one('SELECT * FROM feeds WHERE url = ?', url)
  if row then
    if name and row.name ~= name then
      self.db:run('UPDATE feeds SET name = ? WHERE id = ?', name, row.id)
      row.name = name
    end
    return row
  end
  assert(self.db:run('INSERT INTO feeds (url, name) VALUES (?, ?)', url, name))
  return self.db:one('SELECT * FROM feeds WHERE url = ?', url)
end

--- A feed's entries that have notes (what the model's rules dropped), newest first.
function M:noted_entries(feed_id, limit)
  local out = {}
  for row in self.db:rows([[SELECT guid, title, link, notes, date FROM entries WHERE feed_id = ? AND notes IS NOT NULL
      ORDER BY date DESC LIMIT ?]], feed_id, limit or 50) do
    out[#out + 1] = row
  end
  return out
end

--- Every feed row, by name.
function M:feeds()
  local out = {}
  for row in self.db:rows('SELECT * FROM feeds ORDER BY lower(coalesce(name, title, url))') do
    out[#out + 1] = row
  end
  return out
end

local feed_columns = {
  'fetch_url', 'name', 'title', 'link', 'subtitle', 'icon', 'etag', 'last_modified', 'last_attempt',
  'last_success', 'last_status', 'last_error', 'errors', 'next_attempt', 'gone', 'doc_key', 'notes', 'format',
  'failing_since', 'recovered', 'derived_with', 'language',
}
local feed_column_set = {}
for _, c in ipairs(feed_columns) do feed_column_set[c] = true end

--- Update columns of a feed row: fields = { column = value | json.null }.
function M:update_feed(id, fields)
  local sets, vals, n = {}, {}, 0
  for _, c in ipairs(feed_columns) do
    local v = fields[c]
    if v ~= nil then
      n = n + 1
      sets[n] = c .. ' = ?'
      if v ~= json.null then vals[n] = v end   -- a hole binds NULL
    end
  end
  for k in pairs(fields) do assert(feed_column_set[k], 'store: unknown feed column ' .. tostring(k)) end
  if n == 0 then return 0 end
  vals[n + 1] = id
  return assert(self.db:run('UPDATE feeds SET ' .. table.concat(sets, ', ') .. ' WHERE id = ?',
    table.unpack(vals, 1, n + 1)))
end

--- Run fn, which writes one feed's entries, dropped entries and feed row, all or nothing, as
--- M:transaction does.  In a batch, a feed with nothing stored (no entry, no dropped entry,
--- no tombstone: its first fetch) is written without a savepoint and, should fn fail, undone
--- by deleting what it can have written and putting its feed row back: a savepoint keeps a
--- copy of every page it changes that existed before it (16 KB each, copied into SQLite's
--- statement journal), and in a cold refresh that was a fifth of storing (1.21-1.39 s ->
--- 0.95-1.06 s on make bench's 1,000 feeds, three alternating pairs).  Returns fn's result,
--- or nil, err.
function M:feed_transaction(feed_id, fn, ...)
  local db = self.db
  if not self.batch_started or db:one([[SELECT 1 AS x FROM entries WHERE feed_id = ?1
      UNION ALL SELECT 1 FROM dropped WHERE feed_id = ?1 UNION ALL SELECT 1 FROM expunged WHERE feed_id = ?1
      LIMIT 1]], feed_id) then
    return self:transaction(fn, ...)
  end
  local before = db:one('SELECT * FROM feeds WHERE id = ?', feed_id)
  local ok, res, err = pcall(fn, ...)
  if ok and res ~= nil then return res end
  err = ok and err or res
  local row = {}
  for _, c in ipairs(feed_columns) do row[c] = before[c] == nil and json.null or before[c] end
  local undone, uerr = pcall(function()
    assert(db:run('DELETE FROM entries WHERE feed_id = ?', feed_id))
    assert(db:run('DELETE FROM dropped WHERE feed_id = ?', feed_id))
    self:update_feed(feed_id, row)
  end)
  if not undone then
    -- what the feed wrote cannot be taken back: nothing of the batch may be kept
    self:rollback()
    return nil, tostring(err) .. '; and undoing its writes failed (the batch was rolled back): ' .. tostring(uerr)
  end
  return nil, err
end

-- What a stored entry's hash is made of: when it differs, the entry changed.
local function entry_hash(e, tags, enc)
  return cutil.digest(e.link, e.title, e.author, e.summary, e.content, e.content_type, e.published, e.updated,
    tags, enc, e.author_email, e.author_uri, e.notes)
end

-- The same, as orrery 0.2 computed it before digest existed (FNV-1a over the fields joined):
-- an entry stored then is compared by it, so an upgrade does not count every entry changed.
local function legacy_entry_hash(e, tags, enc)
  return cutil.hash(table.concat({
    e.link or '', e.title or '', e.author or '', e.summary or '', e.content or '',
    e.content_type or '', tostring(e.published or ''), tostring(e.updated or ''), tags, enc,
    e.author_email or '', e.author_uri or '', e.notes or '',
  }, '\0'))
end

local function same_hash(stored, e, tags, enc, hash)
  if stored == hash then return true end
  return #stored == 16 and stored == legacy_entry_hash(e, tags, enc)
end

-- The stored row of an entry known by an id its feed shares with a hash of its link
-- (parse.identify), stored by an older orrery under the shared id alone: it takes its new
-- id, so that an upgrade neither stores the entry a second time nor shows it twice.
local function rekey_shared(db, feed_id, e)
  local base, h = e.guid:match('^(.+)#(%x+)$')
  if not base or not e.link or h ~= cutil.hash(e.link) then return nil end
  local old = db:one('SELECT id, hash, first_seen, date FROM entries WHERE feed_id = ? AND guid = ? AND link = ?',
    feed_id, base, e.link)
  if old then assert(db:run('UPDATE entries SET guid = ? WHERE id = ?', e.guid, old.id)) end
  return old
end

--- Store a feed's entries.  Returns counts { new =, changed =, same = }.
--- The shown date is published, else updated, else first seen; a date further in the
--- future than `future_tolerance` seconds is clamped to first seen, so a wrong clock cannot
--- pin an entry to the top.  A stored entry's date never moves later: a feed that
--- re-stamps its old posts (a site rebuild, an edit) does not float them to the top of
--- the planet (python/planet#97, #570); a correction to an earlier date is taken.
---@param feed_id integer
---@param entries table[] with guid set (orrery.parse)
---@param now integer
---@param future_tolerance integer
function M:save_entries(feed_id, entries, now, future_tolerance)
  local db = self.db
  local counts = { new = 0, changed = 0, same = 0, expunged = 0 }
  -- entries retention removed stay removed while the feed still carries them
  local tombs = db:one('SELECT 1 AS x FROM expunged WHERE feed_id = ? LIMIT 1', feed_id) ~= nil
  -- a feed with nothing stored yet (its first fetch) has no entry to look up
  local empty = db:one('SELECT 1 AS x FROM entries WHERE feed_id = ? LIMIT 1', feed_id) == nil
  local empty_tags, seen = '[]', {}
  for _, e in ipairs(entries) do
    local tags = e.tags and #e.tags > 0 and json.encode_strings(e.tags) or empty_tags
    local enc = e.enclosures and #e.enclosures > 0 and json.encode(json.array(e.enclosures)) or empty_tags
    local hash = entry_hash(e, tags, enc)
    local old = (not empty or seen[e.guid]) and db:one(
      'SELECT id, hash, first_seen, date FROM entries WHERE feed_id = ? AND guid = ?', feed_id, e.guid) or nil
    if not old and not empty and not seen[e.guid] then old = rekey_shared(db, feed_id, e) end
    seen[e.guid] = true
    if not old and tombs and db:one('SELECT 1 AS x FROM expunged WHERE feed_id = ? AND guid = ?', feed_id, e.guid) then
      assert(db:run('UPDATE expunged SET last_seen = ? WHERE feed_id = ? AND guid = ?', now, feed_id, e.guid))
      counts.expunged = counts.expunged + 1
    elseif old and same_hash(old.hash, e, tags, enc, hash) then
      counts.same = counts.same + 1
    else
      local first_seen = old and old.first_seen or now
      local date = e.published or e.updated or first_seen
      if date > now + future_tolerance then date = first_seen end
      if old and date > old.date then date = old.date end
      local link_key, text_key = shown.link_key(e.link), shown.text_key(e)
      if old then
        assert(db:run([[UPDATE entries SET link = ?, title = ?, author = ?, summary = ?, content = ?,
          content_type = ?, published = ?, updated = ?, date = ?, tags = ?, enclosures = ?, hash = ?,
          author_email = ?, author_uri = ?, notes = ?, link_key = ?, text_key = ? WHERE id = ?]], e.link, e.title,
          e.author, e.summary, e.content, e.content_type, e.published, e.updated, date, tags, enc, hash,
          e.author_email, e.author_uri, e.notes, link_key, text_key, old.id))
        counts.changed = counts.changed + 1
      else
        assert(db:run([[INSERT INTO entries (feed_id, guid, link, title, author, summary, content,
          content_type, published, updated, first_seen, date, tags, enclosures, hash, author_email,
          author_uri, notes, link_key, text_key)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)]], feed_id, e.guid, e.link, e.title,
          e.author, e.summary, e.content, e.content_type, e.published, e.updated, first_seen, date,
          tags, enc, hash, e.author_email, e.author_uri, e.notes, link_key, text_key))
        counts.new = counts.new + 1
      end
    end
  end
  return counts
end

--- Record the entries a recipe left out of a feed ({ guid, link, title, reason }), in
--- place of those of its previous derivation.
function M:save_dropped(feed_id, dropped, now)
  assert(self.db:run('DELETE FROM dropped WHERE feed_id = ?', feed_id))
  for _, d in ipairs(dropped or {}) do
    assert(self.db:run([[INSERT OR REPLACE INTO dropped (feed_id, guid, link, title, reason, time)
      VALUES (?, ?, ?, ?, ?, ?)]], feed_id, d.guid, d.link, d.title, d.reason, now))
  end
end

--- Remove entries for good (retention): each row { id, feed_id, guid, link, title, date }
--- leaves a record that keeps its feed from bringing it back, and says why (rule).
function M:expunge(rows, rule_of, now)
  for _, r in ipairs(rows) do
    assert(self.db:run([[INSERT OR REPLACE INTO expunged (feed_id, guid, link, title, date, removed_at, rule,
      last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)]], r.feed_id, r.guid, r.link, r.title, r.date, now, rule_of(r), now))
    assert(self.db:run('DELETE FROM entries WHERE id = ?', r.id))
  end
end

--- The cached article for a link, or nil.
function M:article(url)
  return self.db:one('SELECT * FROM articles WHERE url = ?', url)
end

--- Record a fetched article page: its article (html, and how = { method, chars }: who found
--- it, how long it is), or the error that kept it out.
function M:save_article(url, now, status, html, err, how)
  how = how or {}
  assert(self.db:run([[INSERT INTO articles (url, fetched, status, content, error, tries, method, chars)
    VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (url) DO UPDATE SET fetched = excluded.fetched,
    status = excluded.status, content = excluded.content, error = excluded.error,
    tries = articles.tries + 1, method = excluded.method, chars = excluded.chars]], url, now, status, html, err,
    how.method, how.chars))
end

--- A feed's entries with what became of their article pages, newest first: rows with
--- title, link, date, and the page's fetched, status, method, chars, error, tries (nil when
--- it was not fetched yet).
function M:article_states(feed_id, limit)
  local out = {}
  for row in self.db:rows([[SELECT e.title, e.link, e.date, e.summary, e.content, a.fetched, a.status, a.method,
      a.chars, a.error, a.tries,
      a.content IS NOT NULL AS found FROM entries e LEFT JOIN articles a ON a.url = e.link
      WHERE e.feed_id = ? ORDER BY e.date DESC LIMIT ?]], feed_id, limit or 20) do
    out[#out + 1] = row
  end
  return out
end

--- Entries of a feed whose article is not cached yet (or failed fewer than `retries`
--- times), newest first.
function M:articles_missing(feed_id, retries, limit)
  local out = {}
  for row in self.db:rows([[SELECT e.* FROM entries e LEFT JOIN articles a ON a.url = e.link
      WHERE e.feed_id = ? AND e.link IS NOT NULL AND e.link LIKE 'http%'
        AND (a.url IS NULL OR (a.content IS NULL AND a.tries < ?))
      ORDER BY e.date DESC LIMIT ?]], feed_id, retries, limit) do
    out[#out + 1] = row
  end
  return out
end

--- A feed's stored entries that link to url.
function M:entries_linking(feed_id, url)
  local out = {}
  for row in self.db:rows('SELECT * FROM entries WHERE feed_id = ? AND link = ?', feed_id, url) do
    out[#out + 1] = row
  end
  return out
end

--- Write back a stored entry row whose summary, content or content_type were changed,
--- with its hash recomputed (as save_entries would compute it for the same entry).
function M:rewrite_entry(row)
  assert(self.db:run('UPDATE entries SET summary = ?, content = ?, content_type = ?, hash = ? WHERE id = ?',
    row.summary, row.content, row.content_type, entry_hash(row, row.tags, row.enclosures), row.id))
end

--- Keep a document a feed's entries were derived from (what `reprocess` and `try` run on
--- again), compressed; the feed keeps its newest `per_feed` (the same bytes again only
--- refresh the newest one's time).
function M:save_document(feed_id, now, res, per_feed)
  local body = res.body
  local hash = res.body_hash or cutil.digest(body)
  local newest = self.db:one('SELECT id, hash FROM documents WHERE feed_id = ? ORDER BY id DESC LIMIT 1', feed_id)
  if newest and newest.hash == hash then
    assert(self.db:run('UPDATE documents SET fetched_at = ?, status = ? WHERE id = ?', now, res.status, newest.id))
    return
  end
  -- the server's own gzip of the body when it sent one (compressing it again was a third of
  -- a cold refresh's CPU); else zlib's, level 1
  assert(self.db:run([[INSERT INTO documents (feed_id, fetched_at, url, status, content_type, hash, size,
    deflated, body) VALUES (?, ?, ?, ?, ?, ?, ?, 1, CAST(? AS BLOB))]], feed_id, now, res.final_url or res.url,
    res.status, res.content_type, hash, #body, res.body_gzip or cutil.deflate(body)))
  assert(self.db:run([[DELETE FROM documents WHERE feed_id = ? AND id <= (SELECT id FROM documents
    WHERE feed_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)]], feed_id, feed_id, per_feed or 5))
end

local stored_size = "CASE typeof(body) WHEN 'blob' THEN length(body) ELSE length(CAST(body AS BLOB)) END"

--- Keep the documents under max_bytes in all (compressed): the oldest go first.
function M:prune_documents(max_bytes)
  -- a body is a blob, whose length SQLite knows without reading it (one stored as text by
  -- orrery 0.2 is read: length() of text would stop at its first NUL byte)
  local total = self.db:one('SELECT coalesce(sum(' .. stored_size .. '), 0) AS n FROM documents').n
  if total <= max_bytes then return 0 end
  local victims = {}
  for row in self.db:rows('SELECT id, ' .. stored_size .. ' AS n FROM documents ORDER BY fetched_at, id') do
    if total <= max_bytes then break end
    total = total - row.n
    victims[#victims + 1] = row.id
  end
  for _, id in ipairs(victims) do assert(self.db:run('DELETE FROM documents WHERE id = ?', id)) end
  return #victims
end

local function decoded(row)
  if row and row.deflated == 1 then
    local body, err = cutil.inflate(row.body, row.size)
    row.body = body or ''
    row.error = err
  end
  return row
end

--- The newest document kept for a feed, or nil.
function M:document(feed_id)
  return decoded(self.db:one('SELECT * FROM documents WHERE feed_id = ? ORDER BY id DESC LIMIT 1', feed_id))
end

--- Every document kept for a feed, oldest first.
function M:documents(feed_id)
  local out = {}
  for row in self.db:rows('SELECT * FROM documents WHERE feed_id = ? ORDER BY id', feed_id) do
    out[#out + 1] = decoded(row)
  end
  return out
end

--- Hold a host: none of its feeds is fetched before `until` (a later hold wins).
function M:hold_host(host, until_, reason)
  assert(self.db:run([[INSERT INTO hosts (host, hold_until, reason) VALUES (?, ?, ?) ON CONFLICT (host)
    DO UPDATE SET hold_until = max(hold_until, excluded.hold_until), reason = excluded.reason]], host, until_, reason))
end

--- The hosts held now: { [host] = { hold_until, reason } }; past holds are forgotten.
function M:held_hosts(now)
  local out = {}
  for row in self.db:rows('SELECT * FROM hosts WHERE hold_until > ?', now) do out[row.host] = row end
  return out
end

--- Append to the fetch log (seconds: the transfer's own time; wait: its time in the queue
--- before it started); the oldest rows beyond LOG_KEEP per feed go.
function M:log_fetch(feed_id, now, s, bytes, seconds, wait)
  assert(self.db:run([[INSERT INTO fetch_log (feed_id, time, status, error, bytes, seconds, new, changed, wait)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)]], feed_id, now, s.status, s.err, bytes, seconds, s.new, s.changed, wait))
  assert(self.db:run([[DELETE FROM fetch_log WHERE feed_id = ? AND id <= (SELECT id FROM fetch_log
    WHERE feed_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)]], feed_id, feed_id, M.LOG_KEEP))
end

--- Record a refresh in the planet's history (runs), forgetting runs older than 400 days.
function M:log_run(now, summary)
  assert(self.db:run('INSERT INTO runs (time, feeds, failed, new, changed, seconds) VALUES (?, ?, ?, ?, ?, ?)',
    now, summary.total, summary.failing or summary.failed, summary.new, summary.changed, summary.seconds))
  assert(self.db:run('DELETE FROM runs WHERE time < ?', now - 400 * 86400))
end

--- What the archive pages under a directory were rendered from: { [path] = { key, pages,
--- reads } } (pages: each page's "size mtime", one a line).
function M:rendered(dir)
  local out = {}
  for row in self.db:rows("SELECT path, key, pages, reads FROM rendered WHERE substr(path, 1, ?) = ?",
      #dir + 1, dir .. '/') do
    out[row.path] = row
  end
  return out
end

--- Record what archive pages were rendered from (rows { path, key, pages, reads }).
--- Returns true, or nil, err.
function M:save_rendered(rows)
  if #rows == 0 then return true end
  return self:transaction(function()
    for _, r in ipairs(rows) do
      assert(self.db:run('INSERT OR REPLACE INTO rendered (path, key, pages, reads) VALUES (?, ?, ?, ?)',
        r.path, r.key, r.pages, r.reads))
    end
    return true
  end)
end

--- Per feed id: entries (n), the newest entry's date, entries with notes (noted), entries
--- retention removed (expunged).
function M:counts()
  local out = {}
  for row in self.db:rows('SELECT feed_id, count(*) AS n, max(date) AS newest FROM entries GROUP BY feed_id') do
    row.expunged, row.noted = 0, 0
    out[row.feed_id] = row
  end
  -- (apart: each query reads an index only, not the entries)
  for row in self.db:rows('SELECT feed_id, count(*) AS n FROM entries WHERE notes IS NOT NULL GROUP BY feed_id') do
    out[row.feed_id].noted = row.n
  end
  for row in self.db:rows('SELECT feed_id, count(*) AS n FROM expunged GROUP BY feed_id') do
    out[row.feed_id] = out[row.feed_id] or { feed_id = row.feed_id, n = 0, noted = 0 }
    out[row.feed_id].expunged = row.n
  end
  return out
end

return M
