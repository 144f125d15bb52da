-- The table of Memory Copilot's memory.db that supervise reads.
CREATE TABLE IF NOT EXISTS initiatives (
  id TEXT PRIMARY KEY,
  project_id TEXT,
  name TEXT NOT NULL,
  goal TEXT,
  status TEXT DEFAULT 'IN PROGRESS',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
