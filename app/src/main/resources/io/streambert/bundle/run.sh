#!/usr/bin/env bash
# StreamBERT GPU acceptance run. Needs no Maven, no Java (it brings its own runtime) and no network.
#   ./run.sh [--device cuda|emulated] [--no-bench] OUTDIR
# Writes OUTDIR/report.json (every step, its outcome and figures) and OUTDIR/run.log (everything printed), nothing else
# (NVRTC's cubins go to a temporary folder unless STREAMBERT_CUBIN_CACHE names one).
# Exit status 0 only when every step passed. docs/GPU.md ("The GPU acceptance bundle") says what each figure means.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
device=cuda
extra=()
out=
while [ $# -gt 0 ]; do
    case "$1" in
        --device) device=${2:?--device needs cuda or emulated}; shift 2 ;;
        --no-bench) extra+=(--no-bench); shift ;;
        -h|--help) sed -n 2,5p "$0"; exit 0 ;;
        -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
        *) out=$1; shift ;;
    esac
done
[ -n "$out" ] || { echo "usage: run.sh [--device cuda|emulated] [--no-bench] OUTDIR" >&2; exit 2; }
mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/streambert-bundle.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
exec > >(tee "$out/run.log") 2>&1
echo "streambert acceptance run: device $device, bundle $here, output $out, $(date -u +%FT%TZ)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
if ! tar -xJf "$here/runtime.tar.xz" -C "$work"; then echo "run.sh: cannot unpack the Java runtime" >&2; exit 3; fi
# the DJL tokenizer unpacks its native library under the home folder: keep that inside the run
export DJL_CACHE_DIR="$work/djl" HOME="${HOME:-$work}"
timeout --signal=TERM --kill-after=20 "${STREAMBERT_RUN_TIMEOUT:-470}" \
  "$work/runtime/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m \
  -Dstreambert.cubinCache="${STREAMBERT_CUBIN_CACHE:-$work/cubin-cache}" -cp "$here/lib/*:$here/data" \
  io.streambert.gpu.acceptance.AcceptanceRun --device "$device" --out "$out" "${extra[@]}"
rc=$?
[ $rc -eq 124 ] && echo "run.sh: the run passed its time limit (${STREAMBERT_RUN_TIMEOUT:-470} s) and was stopped"
echo "run.sh: exit $rc; report: $out/report.json"
exit $rc
