#!/usr/bin/env bash
# native-build.sh: the native half of module gpu's build, run by Maven (exec-maven-plugin) from the module root.
#   native-build.sh main  (phase compile)      src/main/cuda/*.cu + the emulator runtime, compiled as C++ by g++
#                                              -> target/classes/native/linux-x86_64/libstreambert_emu.so
#                                              and, when nvcc exists, one fatbin per .cu (sm_80/86/89/90 cubins +
#                                              compute_80 PTX) -> target/classes/cuda/<name>.fatbin, listed in
#                                              target/classes/cuda/fatbins.txt, with ptxas -v figures in
#                                              target/ptxas-report.tsv (raw output: target/ptxas-report.txt)
#   native-build.sh test  (phase test-compile) src/test/cuda/*.cu + the runtime
#                                              -> target/test-classes/native/linux-x86_64/libstreambert_emu_test.so
# Every .cu file is picked up by itself. Work is redone only for files older than their inputs.
# SB_NVCC: "auto" (default: nvcc on PATH or /usr/local/cuda/bin), "none" (build as if there were no nvcc), or a path.
set -euo pipefail

mode=${1:?usage: native-build.sh main|test}
root=$(pwd)
src_main=$root/src/main/cuda
src_emu=$root/src/main/emu
tgt=$root/target
obj=$tgt/native-obj
jobs=${SB_BUILD_JOBS:-2}
say() { echo "[streambert-native] $*"; }

CXX=${CXX:-g++}
# -fno-strict-aliasing: kernels reinterpret bf16 pairs as 32-bit words, as CUDA code does (nvcc tolerates it).
# -mtls-dialect=gnu2: __shared__ arrays are thread_local in a dlopen'ed library; TLS descriptors make that cheap.
CXXFLAGS=(-O2 -std=c++17 -fPIC -fno-strict-aliasing -mtls-dialect=gnu2 -pthread -Wall -Wno-unused-parameter -Wno-unknown-pragmas
          -Wno-unused-function -I "$src_main" -I "$src_emu")
shopt -s nullglob
# What every object depends on besides its source: the g++ build sees the emulator headers too, nvcc does not.
cuda_headers=("$src_main"/*.cuh "$src_main"/*.h)
[ -f "$0" ] && cuda_headers+=("$0")
headers=("$src_emu"/*.h "${cuda_headers[@]}")

# stale OUT INPUTS...: true when OUT is missing or older than any input
stale() {
    local out=$1; shift
    [ -e "$out" ] || return 0
    local f
    for f in "$@"; do [ "$f" -nt "$out" ] && return 0; done
    return 1
}

compile_objects() {  # compile_objects OBJDIR SOURCES... ; sets OBJS to the object paths, exits on a compile error
    local dir=$1; shift
    mkdir -p "$dir"
    local todo=() s o
    OBJS=()
    for s in "$@"; do
        o=$dir/$(basename "${s%.*}").o
        OBJS+=("$o")
        if stale "$o" "$s" "${headers[@]}"; then todo+=("$s"); fi
    done
    if [ ${#todo[@]} -gt 0 ]; then
        say "g++: compiling ${#todo[@]} file(s): $(printf '%s ' "${todo[@]##*/}")"
        # a failed compile must not leave the previous object behind to be linked silently
        if ! printf '%s\n' "${todo[@]}" | xargs -P "$jobs" -I{} bash -c '
            s={}; o='"$dir"'/$(basename "${s%.*}").o
            rm -f "$o"
            case "$s" in *.cu) lang=c++ ;; *) lang=none ;; esac
            exec '"$CXX"' "$@" -x $lang -c "$s" -o "$o"' _ "${CXXFLAGS[@]}"; then
            say "g++ failed (see the errors above): the emulation library was not built"
            exit 1
        fi
    fi
}

link_library() {  # link_library OUT OBJECTS...
    local out=$1; shift
    mkdir -p "$(dirname "$out")"
    if stale "$out" "$@"; then
        "$CXX" -shared -pthread -Wl,-z,noexecstack -Wl,--no-undefined -o "$out" "$@"
        say "built $(realpath --relative-to="$root" "$out") from $# object(s)"
    fi
}

find_nvcc() {
    case "${SB_NVCC:-auto}" in
        none) return 1 ;;
        auto) command -v nvcc 2>/dev/null || { [ -x /usr/local/cuda/bin/nvcc ] && echo /usr/local/cuda/bin/nvcc; } || return 1 ;;
        *) echo "$SB_NVCC" ;;
    esac
}

# ptxas -v output -> TSV rows: kernel arch registers stack_bytes spill_store_bytes spill_load_bytes static_smem_bytes file
ptxas_rows() {  # ptxas_rows FILE LOG
    awk -v file="$1" '
        /Compiling entry function/ { split($0, q, "\047"); kernel = q[2]; arch = q[4]; props = 0; next }
        /Function properties for/  { split($0, w, "for "); props = (w[2] == kernel); next }
        /bytes stack frame/ && props { stack = $1; stores = $5; loads = $9; next }
        /Used [0-9]+ registers/ && kernel != "" {
            regs = ""; smem = 0
            for (i = 1; i <= NF; i++) {
                if ($i == "Used") regs = $(i + 1)
                if ($i ~ /^smem,?$/) smem = $(i - 2)
            }
            printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", kernel, arch, regs, stack + 0, stores + 0, loads + 0, smem + 0, file
            kernel = ""; stack = stores = loads = 0
        }' "$2"
}

build_fatbins() {
    local report=$tgt/ptxas-report.tsv raw=$tgt/ptxas-report.txt outdir=$tgt/classes/cuda
    local nvcc
    if ! nvcc=$(find_nvcc); then
        rm -f "$outdir"/*.fatbin "$outdir/fatbins.txt"   # not cuda/src: the sources ship either way
        mkdir -p "$tgt"
        printf '# nvcc not found (SB_NVCC=%s): the GPU kernels were NOT built; no fatbin, no ptxas figures.\n' \
            "${SB_NVCC:-auto}" > "$report"
        cp "$report" "$raw"
        say "nvcc not found: the GPU kernels were NOT built (no fatbin, no ptxas report). The emulation library was built."
        return 0
    fi
    local gencode=(-gencode arch=compute_80,code=sm_80 -gencode arch=compute_86,code=sm_86
                   -gencode arch=compute_89,code=sm_89 -gencode arch=compute_90,code=sm_90
                   -gencode arch=compute_80,code=compute_80)
    mkdir -p "$outdir" "$obj/ptxas"
    local s name fb log built=0
    for s in "$src_main"/*.cu; do
        name=$(basename "${s%.cu}")
        fb=$outdir/$name.fatbin
        log=$obj/ptxas/$name.log
        if stale "$fb" "$s" "${cuda_headers[@]}" || [ ! -e "$log" ]; then
            say "nvcc: $name.cu -> cuda/$name.fatbin (sm_80 sm_86 sm_89 sm_90 + compute_80 PTX)"
            if ! "$nvcc" -fatbin -O3 -std=c++17 --threads "$jobs" "${gencode[@]}" -Xptxas -v -I "$src_main" \
                    -o "$fb.tmp" "$s" > "$log.tmp" 2>&1; then
                cat "$log.tmp" >&2
                rm -f "$fb.tmp"
                say "nvcc failed on $name.cu"
                exit 1
            fi
            mv "$log.tmp" "$log"
            mv "$fb.tmp" "$fb"
            built=$((built + 1))
        fi
    done
    # Drop outputs of .cu files that no longer exist, then write the index and the report from all logs.
    for fb in "$outdir"/*.fatbin; do
        [ -e "$fb" ] || continue
        name=$(basename "${fb%.fatbin}")
        [ -e "$src_main/$name.cu" ] || rm -f "$fb" "$obj/ptxas/$name.log"
    done
    (cd "$outdir" && for f in *.fatbin; do echo "$f"; done) > "$outdir/fatbins.txt"
    {
        printf '# ptxas -v figures per kernel and target, from %s (%s)\n' "$nvcc" "$("$nvcc" --version | tail -n 2 | head -n 1)"
        printf 'kernel\tarch\tregisters\tstack_bytes\tspill_store_bytes\tspill_load_bytes\tstatic_smem_bytes\tfile\n'
        for log in "$obj"/ptxas/*.log; do ptxas_rows "$(basename "${log%.log}").cu" "$log"; done
    } > "$report"
    for log in "$obj"/ptxas/*.log; do printf '==> %s.cu\n' "$(basename "${log%.log}")"; cat "$log"; done > "$raw"
    say "fatbins: $(wc -l < "$outdir/fatbins.txt") file(s) in target/classes/cuda ($built rebuilt); ptxas report: target/ptxas-report.tsv"
    grep -v '^#' "$report" | column -t -s $'\t' 2>/dev/null | sed 's/^/[streambert-native]   /' || true
}

# NVRTC rules: CudaDevice compiles the bundled sources (classpath cuda/src/, listed in cuda/src/sources.txt) with
# NVRTC when the driver refuses the fatbins. NVRTC has no host headers and finds an include only among the headers
# it is handed by name. So, for every .cu: (1) includes are quoted plain names of files in src/main/cuda; (2) the
# preprocessor, with no system include path at all (-nostdinc) and NVRTC's macros, reaches every include it needs;
# (3) when nvcc exists, each file compiles in that mode (-DSB_NVRTC selects sb_rtc.cuh) to an sm_90 cubin that holds
# the same kernels as its fatbin. Any failure fails the build. Report: target/nvrtc-check/report.txt.
nvrtc_check() {
    local dir=$tgt/nvrtc-check s name bad=0 nvcc
    mkdir -p "$dir" "$tgt/classes/cuda/src"
    (cd "$src_main" && ls *.cu *.cuh) > "$tgt/classes/cuda/src/sources.txt"
    for s in "$src_main"/*.cu "$src_main"/*.cuh; do
        while IFS= read -r inc; do
            local f=${inc#*\"}; f=${f%%\"*}
            if [[ "$inc" == *'<'* ]]; then
                # an angle include is allowed only in sb_portable.cuh's non-NVRTC branches
                [ "$(basename "$s")" = sb_portable.cuh ] || { say "NVRTC rules: $(basename "$s"): host header: $inc"; bad=1; }
            elif [[ "$f" == */* ]] && [ "$(basename "$s")" != sb_portable.cuh ]; then
                say "NVRTC rules: $(basename "$s"): include by path, NVRTC matches plain names only: $inc"; bad=1
            elif [[ "$f" != */* ]] && [ ! -e "$src_main/$f" ]; then
                say "NVRTC rules: $(basename "$s"): $inc is not a file of src/main/cuda"; bad=1
            fi
        done < <(grep -E '^[[:space:]]*#[[:space:]]*include' "$s" || true)
    done
    for s in "$src_main"/*.cu; do
        if ! "$CXX" -E -nostdinc -x c++ -D__CUDACC__ -D__CUDACC_RTC__ -I "$src_main" "$s" -o /dev/null 2> "$dir/$(basename "$s").pp.log"; then
            cat "$dir/$(basename "$s").pp.log" >&2
            say "NVRTC rules: $(basename "$s") needs a header that is not bundled (preprocessed with no system include path)"
            bad=1
        fi
    done
    [ $bad -eq 0 ] || { say "NVRTC rules broken: see above"; exit 1; }
    if ! nvcc=$(find_nvcc); then
        echo "includes checked; nvcc absent: the NVRTC-mode compile was NOT checked" > "$dir/report.txt"
        return 0
    fi
    for s in "$src_main"/*.cu; do
        name=$(basename "${s%.cu}")
        if stale "$dir/$name.cubin" "$s" "${cuda_headers[@]}"; then
            if ! "$nvcc" -cubin -arch=sm_90 -O3 -std=c++17 -DSB_NVRTC -Xptxas -v -I "$src_main" -o "$dir/$name.cubin" "$s" \
                    > "$dir/$name.log" 2>&1; then
                cat "$dir/$name.log" >&2; rm -f "$dir/$name.cubin"
                say "NVRTC rules: $name.cu does not compile in NVRTC mode (nvcc -DSB_NVRTC)"
                exit 1
            fi
        fi
        local want got
        want=$(grep -o "Compiling entry function '[^']*' for 'sm_90'" "$obj/ptxas/$name.log" | sort -u | cut -d"'" -f2 | tr '\n' ' ')
        got=$(grep -o "Compiling entry function '[^']*' for 'sm_90'" "$dir/$name.log" | sort -u | cut -d"'" -f2 | tr '\n' ' ')
        if [ "$want" != "$got" ]; then
            say "NVRTC rules: $name.cu in NVRTC mode has kernels [$got], its fatbin [$want]"; exit 1
        fi
    done
    { echo "includes checked; every .cu compiled in NVRTC mode (nvcc -DSB_NVRTC, sm_90) with the fatbin's kernels"
      cat "$dir"/*.log | grep -E "Compiling entry|Used" ; } > "$dir/report.txt"
    say "NVRTC rules: $(ls "$src_main"/*.cu | wc -l) .cu file(s) keep to them (target/nvrtc-check/report.txt)"
}

case "$mode" in
    main)
        compile_objects "$obj/main" "$src_main"/*.cu "$src_emu"/*.cpp
        link_library "$tgt/classes/native/linux-x86_64/libstreambert_emu.so" "${OBJS[@]}"
        build_fatbins
        nvrtc_check
        ;;
    test)
        tests=("$root"/src/test/cuda/*.cu)
        if [ ${#tests[@]} -eq 0 ]; then say "no test kernels in src/test/cuda"; exit 0; fi
        compile_objects "$obj/test" "${tests[@]}" "$src_emu"/*.cpp
        link_library "$tgt/test-classes/native/linux-x86_64/libstreambert_emu_test.so" "${OBJS[@]}"
        ;;
    *) echo "usage: native-build.sh main|test" >&2; exit 2 ;;
esac
