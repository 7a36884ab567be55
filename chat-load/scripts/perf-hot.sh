#!/usr/bin/env bash
# Where a running server's CPU goes, kernel included (JFR sees only the Java frames, and in the
# connect path half the CPU is the kernel's): records every thread of the given processes with
# Linux perf for a while, then prints the shares by thread, by object (kernel, JIT-compiled Java,
# libjvm, postgres, ...), the system calls, and the top symbols.
#   chat-load/scripts/perf-hot.sh <seconds> <pid>[,<pid>...] [rows]
# The first pid must be the JVM: its JIT symbols are written with `jcmd <pid> Compiler.perfmap`
# (JDK 17+) before the report. Add the embedded PostgreSQL's postmaster and its backends to count
# the database, e.g. pg=$(head -1 <CHAT_DATA_DIR>/pg/postmaster.pid); pids=$jvm,$pg,$(pgrep -d, -P $pg)
# Needs perf and permission to profile the processes (root, or kernel.perf_event_paranoid <= 1).
set -euo pipefail
seconds=$1; pids=$2; rows=${3:-30}
jvm=${pids%%,*}
out=$(mktemp /tmp/perf-hot.XXXXXX); trap 'rm -f "$out"' EXIT
perf record -q -F 499 -g -p "$pids" -o "$out" -- sleep "$seconds" 2>/dev/null
jcmd "$jvm" Compiler.perfmap >/dev/null
report() { perf report -i "$out" --stdio -g none "$@" 2>/dev/null | grep -E '^ +[0-9.]+%' ; }
echo "== by thread (digits folded) =="
report --no-children --sort comm | sed -E 's/[-#]?[0-9]+( *)$/\1/' \
  | awk '{ p = $1; sub(/%/, "", p); $1 = ""; s[$0] += p } END { for (k in s) printf "%6.2f%% %s\n", s[k], k }' \
  | sort -rn | head -15
echo; echo "== by object =="
report --no-children --sort dso | head -8
echo; echo "== system calls and scheduling (anywhere on the stack) =="
report --children --sort sym | grep -E '\[k\] (__x64_sys_[a-z0-9_]+|do_writev|schedule|do_softirq[a-z_.0-9]*)$' | head -15
echo; echo "== top symbols (self) =="
report --no-children --sort dso,sym | head -"$rows"
