-- The tables of Task Copilot's tasks.db that supervise reads, with their real
-- column set (LEGACY_CONTRACT.md section 2). Used to build the demo database.
CREATE TABLE IF NOT EXISTS prds (
  id TEXT PRIMARY KEY,
  initiative_id TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT,
  content TEXT,
  metadata TEXT DEFAULT '{}',
  status TEXT DEFAULT 'active',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY,
  prd_id TEXT,
  parent_id TEXT,
  title TEXT NOT NULL,
  description TEXT,
  assigned_agent TEXT,
  status TEXT NOT NULL DEFAULT 'pending',
  blocked_reason TEXT,
  notes TEXT,
  metadata TEXT DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  archived INTEGER DEFAULT 0,
  archived_at TEXT,
  archived_by_initiative_id TEXT
);
