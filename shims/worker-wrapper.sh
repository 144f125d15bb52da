#!/usr/bin/env bash
# worker-wrapper.sh: runs one stream worker (an agent) and reports on it.
#
#   worker-wrapper.sh <stream-id> <pid-file> <log-dir> <work-dir> <initiative-id> <prompt>
#
# Same interface, files and banners as the orchestrator's shim, so that
# orchestrate.py and supervise can run beside each other:
#   - prepends /opt/homebrew/bin:/usr/local/bin:$HOME/.local/bin to PATH;
#   - moves this stream's logs of other initiatives into <log-dir>/archive/;
#   - writes its own PID ($$) to <pid-file>;
#   - appends a start banner to <log-dir>/<stream-id>_<first 8 chars of initiative>.log,
#     runs the agent in <work-dir> with its output appended to that log
#     (with SUPERVISE_LOG_TO_STDOUT=1, which supervise sets when its log relay
#     reads this shim's stdout and writes and rotates that log, banners and
#     output go to stdout instead);
#   - when the agent exited 0 and <work-dir> (a git work tree of its own) has
#     changes, commits them as "feat(<stream-id>): Complete stream tasks";
#   - appends an exit banner and removes the PID file if it still holds $$.
#
# Exit status: the agent's (128+N when a signal N killed it); 128+N when this
# shim got SIGTERM/SIGINT/SIGHUP (N), after forwarding it to the agent and
# waiting for it; 2 for a usage error or a missing work dir.
#
# The agent command is $SUPERVISE_AGENT when set, else
#   claude --print --dangerously-skip-permissions -p
# and the prompt is appended as its last argument. $SUPERVISE_AGENT is split
# into words at spaces and tabs (bash `read -r -a`): no quoting, no variable or
# glob expansion, only its first line counts. So a program path or argument
# cannot contain a space; wrap such a command in a script.
#
# $SUPERVISE_LOG_TO_STDOUT: 1 sends what would be appended to the log to
# stdout instead (the caller's relay writes the log); anything else, or
# unset, appends to the log file as the orchestrator's shim does.
#
# $SUPERVISE_SHIM_GRACE (seconds, default 10): after forwarding a stop signal,
# how long to wait before killing the agent with SIGKILL.

set -u

readonly default_agent='claude --print --dangerously-skip-permissions -p'

usage() {
  echo "usage: worker-wrapper.sh <stream-id> <pid-file> <log-dir> <work-dir> <initiative-id> <prompt>" >&2
  exit 2
}

[ "$#" -eq 6 ] || usage
stream_id=$1
pid_file=$2
log_dir=$3
work_dir=$4
initiative_id=$5
prompt=$6

# Stream ids become file names: supervise's rule (1 to 64 of [A-Za-z0-9._-],
# starting with a letter or digit), so that `../x` cannot escape the log and
# PID directories.
if ! [[ $stream_id =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]]; then
  echo "worker-wrapper.sh: unsafe stream id '$stream_id'" >&2
  exit 2
fi
# A missing work dir is refused: creating a plain directory here would put it
# inside the main checkout, and the commit step would then commit the user's
# own uncommitted edits. Worktrees are created by whoever starts the shim.
if [ ! -d "$work_dir" ]; then
  echo "worker-wrapper.sh: work dir '$work_dir' does not exist; refusing to start $stream_id" >&2
  exit 2
fi
grace=${SUPERVISE_SHIM_GRACE:-10}
if ! [[ $grace =~ ^[0-9]+$ ]]; then
  echo "worker-wrapper.sh: SUPERVISE_SHIM_GRACE must be a whole number of seconds" >&2
  exit 2
fi

export PATH="/opt/homebrew/bin:/usr/local/bin:${HOME:-}/.local/bin:$PATH"

log_name="${stream_id}_${initiative_id:0:8}.log"
log_file="$log_dir/$log_name"
# Where banners and the agent's output go: the log itself, or stdout when a
# log relay reads it (bash opens /dev/stdout as the descriptor it names, so
# the relay's pipe; appending to a pipe is writing to it).
log_sink=$log_file
if [ "${SUPERVISE_LOG_TO_STDOUT:-}" = 1 ]; then
  log_sink=/dev/stdout
fi
unset SUPERVISE_LOG_TO_STDOUT  # not the agent's business
mkdir -p "$log_dir/archive" "$(dirname "$pid_file")" || exit 2

# --- archive this stream's logs of other initiatives -----------------------
# Only "<stream-id>_<up to 8 chars without '_'>.log": "Stream-A_*" alone would
# also take the logs of a stream "Stream-A_x", and the old "Stream-A*" took
# "Stream-AB_...".
shopt -s nullglob
for old_log in "$log_dir/${stream_id}"_*.log; do
  name=${old_log##*/}
  rest=${name#"${stream_id}_"}
  rest=${rest%.log}
  if [ "$name" = "$log_name" ] || [ ! -f "$old_log" ] || [ -L "$old_log" ] ||
    ! [[ $rest =~ ^[^_/]{1,8}$ ]]; then
    continue
  fi
  stamp=$(date -r "$old_log" +%Y%m%d_%H%M%S)
  target="$log_dir/archive/${name%.log}_${stamp}.log"
  [ -e "$target" ] && target="$log_dir/archive/${name%.log}_${stamp}_$$.log"
  mv -- "$old_log" "$target"
  # Its rotated files (<name>.1, .2, ...) go with it.
  for rotated in "$old_log".[0-9]*; do
    [ -f "$rotated" ] && [ ! -L "$rotated" ] && mv -- "$rotated" "${target}.${rotated##*.}"
  done
done
shopt -u nullglob

# --- PID file: written atomically, removed only while it is still ours -------
pid_tmp=$(mktemp "${pid_file}.XXXXXX") || exit 2
if ! { printf '%s\n' "$$" >"$pid_tmp" && chmod 644 "$pid_tmp" && mv -fT -- "$pid_tmp" "$pid_file"; }; then
  rm -f -- "$pid_tmp"
  echo "worker-wrapper.sh: cannot write PID file '$pid_file'" >&2
  exit 2
fi

agent_pid=
agent_reaped=
exit_banner_written=

# shellcheck disable=SC2317  # called by the EXIT trap
on_exit() {
  local status=$?
  if [ -z "$exit_banner_written" ]; then
    exit_banner_written=1
    {
      echo "========================================"
      echo "Worker exited: $(date -Iseconds)"
      echo "Stream: $stream_id"
      echo "Exit code: $status"
      echo "========================================"
    } >>"$log_sink"
  fi
  if [ -f "$pid_file" ] && [ ! -L "$pid_file" ] && [ "$(cat -- "$pid_file" 2>/dev/null)" = "$$" ]; then
    rm -f -- "$pid_file"
  fi
}
trap on_exit EXIT

# Stop the agent on SIGTERM/SIGINT/SIGHUP: forward the signal, wait for the
# agent (SIGKILL after the grace period), exit 128+N. The agent runs in the
# background so that bash handles the signal at once instead of after the
# agent ends. SIGINT is forwarded as SIGTERM: bash starts background commands
# with SIGINT ignored, so many agents would not see it.
# shellcheck disable=SC2317  # called by the signal traps
stop_agent() {
  local signal=$1 number=$2
  trap '' TERM INT HUP
  # A signal between starting the agent and storing its PID: $! has it.
  # Once the agent has been reaped its PID may belong to anyone: no signal.
  local pid=
  [ -z "$agent_reaped" ] && pid=${agent_pid:-${!:-}}
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    echo "[worker-wrapper] SIG$signal received, stopping the agent (PID $pid)" >>"$log_sink"
    [ "$signal" = INT ] && signal=TERM
    kill -s "$signal" "$pid" 2>/dev/null
    sleep "$grace" &
    local timer=$!
    wait -n "$pid" "$timer" 2>/dev/null
    if kill -0 "$pid" 2>/dev/null; then
      echo "[worker-wrapper] agent did not stop within ${grace}s, killing it" >>"$log_sink"
      kill -s KILL "$pid" 2>/dev/null
    fi
    kill -s KILL "$timer" 2>/dev/null  # it ignores SIGTERM, like this trap
    wait "$pid" 2>/dev/null
    wait "$timer" 2>/dev/null
  fi
  exit $((128 + number))
}
trap 'stop_agent TERM 15' TERM
trap 'stop_agent INT 2' INT
trap 'stop_agent HUP 1' HUP

{
  echo "========================================"
  echo "Worker started: $(date -Iseconds)"
  echo "Stream: $stream_id"
  echo "Initiative: $initiative_id"
  echo "PID: $$"
  echo "Work dir: $work_dir"
  echo "Log file: $log_file"
  echo "========================================"
} >>"$log_sink"

cd -- "$work_dir" || exit 2

if [ -n "${SUPERVISE_AGENT:-}" ]; then
  read -r -a agent_command <<<"$SUPERVISE_AGENT"
else
  read -r -a agent_command <<<"$default_agent"
fi
if [ "${#agent_command[@]}" -eq 0 ]; then
  echo "[worker-wrapper] SUPERVISE_AGENT is blank" >>"$log_sink"
  exit 2
fi

"${agent_command[@]}" "$prompt" >>"$log_sink" 2>&1 </dev/null &
agent_pid=$!
# `wait` returns early (status > 128) when a trapped signal arrives; the trap
# then exits, so reaching the next line means the agent ended.
wait "$agent_pid"
agent_status=$?
agent_reaped=1

# --- commit the stream's work -------------------------------------------------
# Only in a work tree of its own: a directory inside another checkout (left by
# the old shim) must not commit that checkout's changes.
if [ "$agent_status" -eq 0 ]; then
  top=$(git rev-parse --show-toplevel 2>/dev/null) || top=
  if [ -n "$top" ] && [ "$(cd -- "$top" && pwd -P)" = "$(pwd -P)" ]; then
    if [ -n "$(git status --porcelain 2>/dev/null)" ]; then
      echo "[worker-wrapper] committing changes of $stream_id" >>"$log_sink"
      { git add -A && git commit -q -m "feat(${stream_id}): Complete stream tasks"; } >>"$log_sink" 2>&1 ||
        echo "[worker-wrapper] commit failed" >>"$log_sink"
    fi
  elif [ -n "$top" ]; then
    echo "[worker-wrapper] $work_dir is not the top of its work tree ($top): not committing" >>"$log_sink"
  fi
fi

exit "$agent_status"
