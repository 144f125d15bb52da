#!/usr/bin/env bash
# A stand-in for the coding agent: works through its stream's tasks by
# updating Task Copilot's tasks.db, as a real agent does through the Task
# Copilot server. The shim runs it in the stream's work dir with the prompt as
# the last argument; supervise tells it its stream and database:
#   SUPERVISE_STREAM_ID, SUPERVISE_TASKS_DB
# DEMO_CRASH_ONCE=<stream id>: that stream's agent dies of SIGKILL after its
# first task, the first time only (a marker file remembers), to show a restart.
# DEMO_TASK_SECONDS: how long one task takes (default 0.4).
set -euo pipefail
stream=${SUPERVISE_STREAM_ID:?}
db=${SUPERVISE_TASKS_DB:?}
task_seconds=${DEMO_TASK_SECONDS:-0.4}

sql() { sqlite3 -cmd '.timeout 5000' "$db" "$@"; }

echo "agent for $stream: starting in $PWD"
while :; do
  task=$(sql "SELECT id FROM tasks WHERE archived = 0 AND status IN ('pending','in_progress')
              AND json_extract(metadata, '$.streamId') = '$stream' ORDER BY created_at, id LIMIT 1")
  [[ -n $task ]] || break
  sql "UPDATE tasks SET status = 'in_progress', updated_at = datetime('now') WHERE id = '$task'"
  echo "agent for $stream: working on $task"
  sleep "$task_seconds"
  echo "$task done" >> "work-$stream.txt"
  sql "UPDATE tasks SET status = 'completed', updated_at = datetime('now') WHERE id = '$task'"
  marker="${db%/*}/.crashed-$stream"
  if [[ ${DEMO_CRASH_ONCE:-} == "$stream" && ! -e $marker ]]; then
    touch "$marker"
    echo "agent for $stream: crashing on purpose (the demo's one crash)"
    kill -KILL $$
  fi
done
echo "agent for $stream: all tasks completed"
