-- The tables of a Task Copilot project that supervise reads, with the columns
-- of LEGACY_CONTRACT.md section 2. The fixture builder creates test databases
-- from this file; tests never use a real user's databases.

-- @tasks.db
CREATE TABLE prds (
  id TEXT PRIMARY KEY,
  initiative_id TEXT NOT NULL,
  title TEXT,
  description TEXT,
  content TEXT,
  metadata TEXT,
  status TEXT DEFAULT 'active',
  created_at TEXT,
  updated_at TEXT
);

CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  prd_id TEXT NULL,
  parent_id TEXT NULL,
  title TEXT NOT NULL,
  description TEXT,
  assigned_agent TEXT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  blocked_reason TEXT,
  notes TEXT,
  metadata TEXT DEFAULT '{}',
  created_at TEXT,
  updated_at TEXT,
  archived INTEGER DEFAULT 0,
  archived_at TEXT,
  archived_by_initiative_id TEXT
);

CREATE TABLE agent_activity (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id TEXT,
  agent_id TEXT,
  last_heartbeat TEXT
);

-- @memory.db
CREATE TABLE initiatives (
  id TEXT PRIMARY KEY,
  project_id TEXT,
  name TEXT NOT NULL,
  goal TEXT,
  status TEXT,
  created_at TEXT,
  updated_at TEXT
);
