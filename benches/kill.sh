#!/usr/bin/env bash
# Kill tests, the long run (issue 17): the same harness as CI (tests/cli/kill.rs) with more kill
# points per operation. Each point starts a real process that logs in and does one operation
# (import, decision, approval, send-back, letters, release request, password change, re-key,
# backup, purge), kills it with SIGKILL at a moment spread over the operation's length, and
# checks the store: it opens, the audit chain verifies, no tampering is reported, and the
# operation is whole or absent.
#
#     KILL_POINTS=200 bash benches/kill.sh      # 2,000 kills
set -euo pipefail
cd "$(dirname "$0")/.."
export KILL_POINTS="${KILL_POINTS:-200}"
cargo test --release --locked --workspace --test cli kill:: -- --nocapture 2>&1 |
  grep -E "kill points tried|kills over|test result|panicked|half|killed at"
