#!/usr/bin/env bash
# Tests 'salmon audit --slurm --submit' on a real Slurm (run by .ci/run; also by hand, as root or
# with sudo). It installs slurmctld, slurmd, slurm-client and munge from the distribution's packages
# (Debian/Ubuntu) when missing, starts munged if none runs, configures a one-node cluster of this
# machine on the loopback interface in a temporary directory (its own slurm.conf through SLURM_CONF
# and its own ports: an existing Slurm configuration is neither read nor touched), and then:
#   1. runs Tests/Slurm/spec.yaml locally (salmon audit --out local);
#   2. submits it as a job array of 4 shards and its merge (salmon audit --slurm --array 4 --submit),
#      waits for both jobs, and checks that results.csv, results.json, report.md and junit.xml are
#      byte-identical to the local run;
#   3. removes one shard's manifest and half of its records, resubmits, and checks that the array
#      holds that shard alone, that the other shards' files are untouched and the reports are
#      byte-identical again.
# The daemons it started are stopped on exit. Exit 0 when every check passes.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
salmon=${SALMON:-$root/.build/release/salmon}
if [ ! -x "$salmon" ]; then swift build -c release --product salmon; fi
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
say() { printf 'slurm test: %s\n' "$*"; }
fail() { printf 'slurm test: FAILED: %s\n' "$*" >&2; exit 1; }

missing=()
for p in slurmctld slurmd slurm-client munge; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt-get)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=$(mktemp -d /tmp/salmon-slurm.XXXXXX)
chmod 755 "$work"
started=()
cleanup() {
  for pidfile in "${started[@]}"; do
    [ -f "$pidfile" ] && $SUDO kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  sleep 1
  $SUDO rm -rf "$work"
}
trap cleanup EXIT

# munge: the packages create the key; start the daemon unless one answers already.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  $SUDO mkdir -p /run/munge /var/log/munge /var/lib/munge
  $SUDO chown munge:munge /run/munge /var/log/munge /var/lib/munge
  [ -f /etc/munge/munge.key ] || $SUDO runuser -u munge -- /usr/sbin/mungekey --create
  $SUDO runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/salmon-test.pid
  started+=(/run/munge/salmon-test.pid)
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n | unmunge >/dev/null || fail "munged does not answer"

node=$(hostname -s)
cpus=$(nproc)
export SLURM_CONF=$work/slurm.conf
mkdir -p "$work/state" "$work/spool"
cat > "$SLURM_CONF" <<CONF
ClusterName=salmon-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MinJobAge=3600
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=salmon Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
$SUDO env SLURM_CONF="$SLURM_CONF" slurmctld -i
started+=("$work/slurmctld.pid")
$SUDO env SLURM_CONF="$SLURM_CONF" slurmd -N "$node"
started+=("$work/slurmd.pid")
for _ in $(seq 100); do
  state=$(sinfo -h -N -o '%t' 2>/dev/null | head -1 || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
[ "$state" = idle ] || { tail -5 "$work/slurmctld.log" "$work/slurmd.log" >&2 || true; fail "the node is '$state', not idle"; }
say "one-node cluster up: node $node, $cpus CPUs, $(sinfo --version)"

spec=$root/Tests/Slurm/spec.yaml
set +e
"$salmon" audit "$spec" --out "$work/local" --jobs "$cpus" >"$work/local.txt" 2>&1
local_exit=$?
set -e
[ "$local_exit" -le 1 ] || { cat "$work/local.txt" >&2; fail "the local run exited with $local_exit"; }
expected_state=COMPLETED
[ "$local_exit" = 0 ] || expected_state=FAILED

# Waits for job $1 to end and prints its state.
wait_job() {
  local state=
  for _ in $(seq 1800); do
    state=$(scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1)
    case "$state" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE) echo "$state"; return 0;; esac
    sleep 0.2
  done
  echo "TIMEOUT-WAITING"
}
# The job ids in salmon's "submitted job array A (...) and merge job M" line.
submit() {
  "$salmon" audit "$spec" --out "$work/cluster" --slurm --array 4 --submit > "$work/submit.txt"
  cat "$work/submit.txt"
  array_job=$(sed -n 's/.*submitted job array \([0-9]*\) .*/\1/p' "$work/submit.txt")
  merge_job=$(sed -n 's/.* merge job \([0-9]*\) .*/\1/p' "$work/submit.txt")
  [ -n "$array_job" ] && [ -n "$merge_job" ] || fail "no job ids in salmon's output"
}
compare() {
  for f in results.csv results.json report.md junit.xml; do
    cmp "$work/local/$f" "$work/cluster/$f" || fail "$f differs between the local run and the Slurm run"
  done
  say "results.csv ($(wc -c < "$work/cluster/results.csv") bytes), results.json, report.md and junit.xml byte-identical to the local run"
}

submit
# While the merge is held (queued), a second submission is refused and rewrites nothing.
scontrol hold "$merge_job"
before_scripts=$(cat "$work/cluster/slurm/shards.sbatch" "$work/cluster/slurm/merge.sbatch" | md5sum)
if "$salmon" audit "$spec" --out "$work/cluster" --slurm --array 4 --submit > "$work/again.txt" 2>&1; then
  fail "a second submission was accepted while merge job $merge_job was queued"
fi
grep -q "still queued or running, found .*$merge_job" "$work/again.txt" || fail "the refused submission said: $(cat "$work/again.txt")"
[ "$(cat "$work/cluster/slurm/shards.sbatch" "$work/cluster/slurm/merge.sbatch" | md5sum)" = "$before_scripts" ] || fail "the refused submission rewrote the scripts"
say "a second --submit while merge job $merge_job was queued: refused ($(head -c 160 "$work/again.txt"))"
scontrol release "$merge_job"
merge_state=$(wait_job "$merge_job")
[ "$merge_state" = "$expected_state" ] || { tail -n 20 "$work"/cluster/slurm/logs/* >&2 || true; fail "merge job $merge_job ended $merge_state, expected $expected_state (the local run exited with $local_exit)"; }
tasks=()
for i in 0 1 2 3; do
  [ -f "$work/cluster/shards/$i/shard.json" ] || fail "shard $i has no shard.json"
  state=$(scontrol show job "${array_job}_$i" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1)
  [ "$state" = COMPLETED ] || fail "array task ${array_job}_$i ended '$state'"
  tasks+=("${array_job}_$i")
done
say "array job $array_job ($(grep -- '--array=' "$work/cluster/slurm/shards.sbatch")): tasks ${tasks[*]} COMPLETED; merge job $merge_job (afterok:$array_job): $merge_state"
compare

# A failed task, resubmitted: shard 2 loses its manifest and half its records.
rm "$work/cluster/shards/2/shard.json"
records=( "$work"/cluster/shards/2/records/*.json )
removed=$(( ${#records[@]} / 2 ))
[ "$removed" -ge 1 ] || fail "shard 2 has ${#records[@]} records, too few to remove half"
rm "${records[@]:0:$removed}"
sleep 1
touch "$work/marker"
submit
grep -q -- '--array=2$' "$work/cluster/slurm/shards.sbatch" || fail "the resubmitted array is not shard 2 alone: $(grep -- '--array=' "$work/cluster/slurm/shards.sbatch")"
merge_state=$(wait_job "$merge_job")
[ "$merge_state" = "$expected_state" ] || fail "resubmitted merge job $merge_job ended $merge_state"
changed=$(cd "$work/cluster/shards" && find 0 1 3 -type f -newer "$work/marker" | wc -l)
[ "$changed" = 0 ] || fail "$changed files of shards 0, 1, 3 were rewritten by the resubmission"
recomputed=$(grep -o 'computed [0-9]*' "$work"/cluster/slurm/logs/shard-2-job"$array_job".out | tail -1 || true)
say "resubmitted: array job $array_job = shard 2 alone (${#records[@]} records, $removed removed; log: '$recomputed'), merge job $merge_job: $merge_state; shards 0, 1, 3 untouched"
compare
say "passed"
