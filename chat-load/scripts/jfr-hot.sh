#!/usr/bin/env bash
# Where a JFR recording's CPU samples go: the top frames (self time) and the top frames anywhere on
# the stack (total time), over the threads whose names match a pattern (default: all).
#   chat-load/scripts/jfr-hot.sh recording.jfr [thread-regex] [rows]
# JFR_FROM / JFR_TO (HH:MM:SS, the recording's clock) keep only the samples of that window, e.g.
# the measured phase of a run without its setup.
# Record one with the server's JVM option
#   -XX:StartFlightRecording=filename=server.jfr,settings=profile,dumponexit=true
set -euo pipefail
file=$1; threads=${2:-.}; rows=${3:-25}
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
jfr print --events jdk.ExecutionSample --stack-depth 64 "$file" | awk -v re="$threads" \
    -v from="${JFR_FROM:-00:00:00}" -v to="${JFR_TO:-99:99:99}" '
  /^jdk.ExecutionSample/ { inside = 1; keep = 0; n = 0; stack = 0; inwindow = 1; next }
  inside && /startTime = / { t = $3; inwindow = (t >= from && t <= to) }
  inside && /sampledThread = / { keep = inwindow && ($0 ~ re) }
  inside && /stackTrace = \[/ { stack = 1; next }
  inside && stack && /^  \]/ { stack = 0; next }
  inside && stack && !/^[ \t]+\.\.\./ {
    if (keep) { sub(/^[ \t]+/, ""); sub(/[ \t]+line:.*/, ""); frames[n++] = $0 }
  }
  inside && /^}/ {
    if (keep && n > 0) {
      print "S\t" frames[0]
      delete seen
      for (i = 0; i < n; i++) if (!(frames[i] in seen)) { seen[frames[i]] = 1; print "T\t" frames[i] }
      total++
    }
    inside = 0
  }
  END { print "N\t" total }' > "$tmp"
total=$(awk -F'\t' '$1 == "N" { print $2 }' "$tmp")
echo "samples: $total (threads matching '$threads')"
echo; echo "== self (top of stack) =="
awk -F'\t' '$1 == "S" { print $2 }' "$tmp" | sort | uniq -c | sort -rn | head -"$rows" \
  | awk -v t="$total" '{ c = $1; $1 = ""; printf "%5.1f%%  %s\n", 100 * c / t, $0 }' || true
echo; echo "== total (anywhere on the stack) =="
awk -F'\t' '$1 == "T" { print $2 }' "$tmp" | sort | uniq -c | sort -rn | head -"$rows" \
  | awk -v t="$total" '{ c = $1; $1 = ""; printf "%5.1f%%  %s\n", 100 * c / t, $0 }' || true
