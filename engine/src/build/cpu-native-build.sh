#!/usr/bin/env bash
# cpu-native-build.sh: the CPU encoder's native kernels (src/main/native/*.cpp), compiled by g++ into
#   target/classes/native/linux-x86_64/libstreambert_cpu.so, run by Maven (exec-maven-plugin, phase compile)
# from the module root. Each instruction-set specific function carries its own target attribute, so the library
# is built for plain x86-64 and loads anywhere; the Java side calls a kernel only when CPUID reports it.
# Without g++ (or on another platform) it prints why and exits 0: the encoder then uses its Java kernels.
set -euo pipefail
root=$(pwd)
src=$root/src/main/native
out=$root/target/classes/native/linux-x86_64/libstreambert_cpu.so
say() { echo "[streambert-cpu-native] $*"; }
CXX=${CXX:-g++}
shopt -s nullglob
sources=("$src"/*.cpp)
[ ${#sources[@]} -gt 0 ] || { say "no sources in src/main/native"; exit 0; }
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then say "not linux-x86_64: no native CPU kernels (Java kernels only)"; exit 0; fi
if ! command -v "$CXX" >/dev/null; then say "$CXX not found: no native CPU kernels (Java kernels only)"; exit 0; fi
stale=0
[ -e "$out" ] || stale=1
for f in "${sources[@]}" "$src"/*.h "$0"; do [ -e "$f" ] && [ "$f" -nt "$out" ] && stale=1; done
[ "$stale" = 1 ] || exit 0
mkdir -p "$(dirname "$out")"
rm -f "$out"
"$CXX" -O3 -std=c++17 -fPIC -shared -fvisibility=hidden -fno-strict-aliasing -Wall -Wextra -Wno-unused-parameter -Wno-uninitialized -Wno-maybe-uninitialized \
    -Wl,-z,noexecstack -Wl,--no-undefined -o "$out" "${sources[@]}"
say "built $(realpath --relative-to="$root" "$out") from ${#sources[@]} file(s)"
