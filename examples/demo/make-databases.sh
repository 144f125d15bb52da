#!/usr/bin/env bash
# Builds the demo's Task Copilot databases from streams.txt:
#   make-databases.sh <tasks.db> <memory.db>
# Existing files are replaced. Needs the sqlite3 command.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tasks_db=$1
memory_db=$2
rm -f "$tasks_db" "$tasks_db"-wal "$tasks_db"-shm "$memory_db"
mkdir -p "$(dirname "$tasks_db")" "$(dirname "$memory_db")"

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }
quote() { printf "'%s'" "${1//\'/\'\'}"; }

tasks_sql=$(cat "$here/task-copilot-schema.sql")
memory_sql=$(cat "$here/memory-schema.sql")
initiative=""
number=0
while IFS='|' read -r kind a b c d e; do
  kind=$(trim "$kind")
  case $kind in
    initiative)
      initiative=$(trim "$a")
      memory_sql+=$'\n'"INSERT INTO initiatives (id, name, status, created_at, updated_at) VALUES ($(quote "$initiative"), $(quote "$(trim "$b")"), 'IN PROGRESS', datetime('now'), datetime('now'));"
      tasks_sql+=$'\n'"INSERT INTO prds (id, initiative_id, title, status, created_at, updated_at) VALUES ('PRD-demo', $(quote "$initiative"), 'Demo PRD', 'active', datetime('now'), datetime('now'));"
      ;;
    task)
      number=$((number + 1))
      stream=$(trim "$a")
      name=$(trim "$b")
      deps_json=""
      IFS=',' read -ra deps <<< "$c"
      for dep in "${deps[@]}"; do
        dep=$(trim "$dep")
        [[ -n $dep ]] && deps_json+="${deps_json:+,}\"$dep\""
      done
      metadata="{\"streamId\":\"$stream\",\"streamName\":\"$name\",\"dependencies\":[$deps_json],\"phase\":\"$(trim "$d")\"}"
      id=$(printf 'TASK-%03d' "$number")
      # created_at spaced by a second keeps the file's task order.
      tasks_sql+=$'\n'"INSERT INTO tasks (id, prd_id, title, status, metadata, created_at, updated_at) VALUES ('$id', 'PRD-demo', $(quote "$(trim "$e")"), 'pending', $(quote "$metadata"), datetime('now', '+$number seconds'), datetime('now'));"
      ;;
  esac
done < <(grep -v '^\s*#' "$here/streams.txt" | sed '/^\s*$/d')

[[ -n $initiative ]] || { echo "make-databases.sh: streams.txt names no initiative" >&2; exit 2; }
sqlite3 "$memory_db" <<< "$memory_sql"
sqlite3 "$tasks_db" <<< "PRAGMA journal_mode = WAL;"$'\n'"$tasks_sql" > /dev/null
echo "made $tasks_db ($number tasks) and $memory_db"
