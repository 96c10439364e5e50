#!/bin/bash
# Benchmark (not a test): CPU that `kbgen serve` spends idle, in 10 s after its first build.
#   kbgen/bench/serve_idle.sh target/release/kbgen KB_DIR   (e.g. a KB from gen_kb.py 10000)
# Reads utime+stime of /proc/PID/stat (Linux) around a 10 s sleep; prints ticks (1/100 s).
bin=$1; kb=$2
$bin serve $kb --port 0 > /tmp/idle.out 2> /tmp/idle.err &
pid=$!
for i in $(seq 600); do grep -q "^serving" /tmp/idle.out && break; sleep 0.5; done
sleep 2
t0=$(awk '{print $14+$15}' /proc/$pid/stat)
sleep 10
t1=$(awk '{print $14+$15}' /proc/$pid/stat)
echo "$(basename $bin): $(( t1 - t0 )) ticks (1/100 s) of CPU in 10 s idle"
kill $pid; wait $pid 2>/dev/null
