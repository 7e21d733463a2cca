// sb_emu_runtime.cpp: the runtime behind sb_emu.h. Launches run blocks on a pool of worker threads; the threads of
// a block are fibers on one worker, switched by a small hand-written x86-64 context switch (only callee-saved
// registers and the stack pointer move, so a switch costs a few nanoseconds, unlike swapcontext's signal-mask
// system call). Fibers switch only at barriers and warp exchanges; a block whose fibers all wait with none
// runnable is a deadlock and ends the launch with a description of who waits where.
#include "sb_emu.h"

#include <atomic>
#include <condition_variable>
#include <cstdarg>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <sys/mman.h>
#include <unistd.h>

#if !defined(__x86_64__)
#error "the emulator's fiber switch is written for x86-64 (System V ABI)"
#endif

extern "C" {
// Saves the callee-saved registers on the current stack, stores the stack pointer in *save, continues on `to`.
void sb_emu_switch(void** save, void* to) __attribute__((visibility("hidden")));
void sb_emu_trampoline() __attribute__((visibility("hidden")));
void sb_emu_fiber_main(sb_emu::Fiber* f) __attribute__((visibility("hidden"), used));
}

asm(R"(
    .text
    .globl sb_emu_switch
    .hidden sb_emu_switch
    .type sb_emu_switch,@function
sb_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size sb_emu_switch, .-sb_emu_switch

    .globl sb_emu_trampoline
    .hidden sb_emu_trampoline
    .type sb_emu_trampoline,@function
sb_emu_trampoline:
    movq %r12, %rdi
    call sb_emu_fiber_main
    ud2
    .size sb_emu_trampoline, .-sb_emu_trampoline
)");

namespace sb_emu {


namespace {

enum State { RUNNABLE = 0, AT_BARRIER, AT_WARP, DONE };
constexpr unsigned kMaxThreads = 1024;
// Shared memory a block may use on every target: sm_86 and sm_89 allow 99 KiB per block (opt-in above 48 KiB).
constexpr size_t kMaxDynamicShared = 99 * 1024;

const char* op_name(int op) {
    switch (op) {
        case OP_SYNCWARP: return "__syncwarp";
        case OP_SHFL_IDX: return "__shfl_sync";
        case OP_SHFL_UP: return "__shfl_up_sync";
        case OP_SHFL_DOWN: return "__shfl_down_sync";
        case OP_SHFL_XOR: return "__shfl_xor_sync";
        case OP_BALLOT: return "__ballot_sync";
        case OP_ALL: return "__all_sync";
        case OP_ANY: return "__any_sync";
        case OP_MMA: return "sb_mma_m16n8k16_bf16";
    }
    return "?";
}

struct Worker {
    int index = 0;
    Fiber fibers[kMaxThreads];
    void* mapping = nullptr;  // kMaxThreads + 1 slots, so that kMaxThreads aligned ones fit
    char* stacks = nullptr;   // slot i: its Slot header page, a guard page, then the stack (growing down)
    BlockCoords coords;
    void* sched_sp = nullptr;
    // the block being run
    Thunk thunk = nullptr;
    void** params = nullptr;
    unsigned nthreads = 0, barrier_arrived = 0, done = 0;
    int barrier_count = 0;       // predicates counted by __syncthreads_count at the barrier being filled
    int barrier_result = 0;      // ... and at the last released one (read by threads after they wake)
    unsigned lanes_exist[kMaxThreads / 32] = {};
    unsigned warp_arrived[kMaxThreads / 32] = {};
    unsigned char* dyn = nullptr;
    size_t dyn_capacity = 0, dyn_size = 0;
    bool failed = false;
    std::string error;
    unsigned long long blocks_run = 0;

    void map_stacks() {
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        void* m = mmap(nullptr, kSlotBytes * (kMaxThreads + 1), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED) { perror("sb_emu: mmap fiber stacks"); abort(); }
        mapping = m;
        stacks = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(m) + kSlotBytes - 1) & ~(kSlotBytes - 1));
        // A guard page between the header and the stack: an overflow faults instead of silently corrupting.
        for (unsigned i = 0; i < kMaxThreads; i++) {
            Slot* s = reinterpret_cast<Slot*>(stacks + i * kSlotBytes);
            s->fiber = &fibers[i];
            s->block = &coords;
            s->worker = this;
            mprotect(stacks + i * kSlotBytes + page, page, PROT_NONE);
        }
    }
};

thread_local Worker* tl_worker = nullptr;

// The next runnable fiber after f in round-robin order, or null when none can run.
Fiber* next_runnable(Worker* w, const Fiber* f) {
    const unsigned n = w->nthreads;
    unsigned j = f->linear;
    for (unsigned k = 1; k < n; k++) {
        if (++j == n) j = 0;
        if (w->fibers[j].state == RUNNABLE) return &w->fibers[j];
    }
    return nullptr;
}

// Switches straight to the next runnable fiber (one switch, not two through the scheduler); to the scheduler
// only when no fiber can run, which ends the block: all done, or a deadlock.
void yield(Fiber* f, Worker* w) {
    Fiber* g = next_runnable(w, f);
    sb_emu_switch(&f->sp, g ? g->sp : w->sched_sp);
}

[[noreturn]] void yield_forever(Fiber* f, Worker* w) {
    yield(f, w);
    __builtin_unreachable();
}

std::string vformat(const char* fmt, va_list ap) {
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    return buf;
}

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::string s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

std::string where(const Worker* w, const Fiber* f) {
    const BlockCoords& b = w->coords;
    std::string s = format("block (%u,%u,%u)", b.idx.x, b.idx.y, b.idx.z);
    if (f) s += format(" thread (%u,%u,%u)", f->tid.x, f->tid.y, f->tid.z);
    return s;
}

void resolve_shuffle(Worker* w, unsigned warp, unsigned mask, int op) {
    Fiber* lanes = &w->fibers[warp * 32];
    for (unsigned l = 0; l < 32; l++) {
        if (!(mask & (1u << l))) continue;
        Fiber* f = &lanes[l];
        int width = f->width;
        if (width < 1 || width > 32 || (width & (width - 1)))
            fail("%s: width %d is not a power of two in 1..32", op_name(op), width);
        // PTX ISA, shfl.sync: segmask selects the lane's segment of `width` lanes; maxLane/minLane bound it.
        int segmask = 32 - width;
        int lane = (int)l, b = f->arg & 31;
        int cval = op == OP_SHFL_UP ? 0 : 31;
        int maxLane = (lane & segmask) | (cval & ~segmask);
        int minLane = lane & segmask;
        int j = lane;
        bool p = false;
        switch (op) {
            case OP_SHFL_UP: j = lane - b; p = j >= maxLane; break;
            case OP_SHFL_DOWN: j = lane + b; p = j <= maxLane; break;
            case OP_SHFL_XOR: j = lane ^ b; p = j <= maxLane; break;
            case OP_SHFL_IDX: j = minLane | (b & ~segmask); p = j <= maxLane; break;
        }
        if (!p) j = lane;
        if (!(mask & (1u << j)))
            fail("%s: lane %d reads lane %d, which is not in the mask 0x%08x (undefined on a GPU)", op_name(op), lane,
                 j, mask);
        f->out = lanes[j].in;
    }
}

// PTX ISA 9.7.14.5.8 "Matrix Fragments for mma.m16n8k16 with floating point type" (.bf16):
//   groupID = laneid >> 2, threadID_in_group = laneid % 4; each .b32 register holds two elements, the lower
//   index in the low 16 bits.
//   A (16x16, a0..a7 in 4 registers): row = groupID for ai with 0 <= i < 2 || 4 <= i < 6, else groupID + 8;
//                                     col = threadID_in_group * 2 + (i & 1), + 8 for i >= 4.
//   B (16x8, b0..b3 in 2 registers):  row = threadID_in_group * 2 + (i & 1), + 8 for i >= 2; col = groupID.
//   C, D (16x8, c0..c3 fp32):         row = groupID for i < 2, else groupID + 8; col = threadID_in_group * 2 + (i & 1).
inline float lo_bf16(uint32_t r) { return u2f(r << 16); }
inline float hi_bf16(uint32_t r) { return u2f(r & 0xffff0000u); }

void resolve_mma(Worker* w, unsigned warp) {
    Fiber* lanes = &w->fibers[warp * 32];
    alignas(16) float A[16][16], B[16][8], C[16][8];
    for (int l = 0; l < 32; l++) {
        const Fiber& f = lanes[l];
        const int g = l >> 2, c = 2 * (l & 3);  // groupID, 2 * threadID_in_group
        // a0,a1 (g, c..c+1)   a2,a3 (g+8, c..c+1)   a4,a5 (g, c+8..c+9)   a6,a7 (g+8, c+8..c+9)
        A[g][c] = lo_bf16(f.mma_a[0]);         A[g][c + 1] = hi_bf16(f.mma_a[0]);
        A[g + 8][c] = lo_bf16(f.mma_a[1]);     A[g + 8][c + 1] = hi_bf16(f.mma_a[1]);
        A[g][c + 8] = lo_bf16(f.mma_a[2]);     A[g][c + 9] = hi_bf16(f.mma_a[2]);
        A[g + 8][c + 8] = lo_bf16(f.mma_a[3]); A[g + 8][c + 9] = hi_bf16(f.mma_a[3]);
        // b0,b1 (k = c..c+1, n = g)   b2,b3 (k = c+8..c+9, n = g)
        B[c][g] = lo_bf16(f.mma_b[0]);     B[c + 1][g] = hi_bf16(f.mma_b[0]);
        B[c + 8][g] = lo_bf16(f.mma_b[1]); B[c + 9][g] = hi_bf16(f.mma_b[1]);
        // c0,c1 (g, c..c+1)   c2,c3 (g+8, c..c+1)
        C[g][c] = f.mma_c[0];     C[g][c + 1] = f.mma_c[1];
        C[g + 8][c] = f.mma_c[2]; C[g + 8][c + 1] = f.mma_c[3];
    }
    // bf16 x bf16 products are exact in fp32; they are accumulated in fp32 in k order onto C. (The tensor core's
    // internal summation order and rounding are not documented; results can differ in the last bits.)
    // A row times B as two 4-wide vectors of accumulators (SSE, the x86-64 baseline): each of the eight sums is
    // still formed in k order with a separate multiply and add, exactly as the scalar loop would.
    // Two rows at a time: four independent add chains hide the add latency.
    typedef float v4 __attribute__((vector_size(16)));
    for (int r = 0; r < 16; r += 2) {
        v4 lo0, hi0, lo1, hi1;
        memcpy(&lo0, &C[r][0], 16);
        memcpy(&hi0, &C[r][4], 16);
        memcpy(&lo1, &C[r + 1][0], 16);
        memcpy(&hi1, &C[r + 1][4], 16);
        for (int k = 0; k < 16; k++) {
            v4 bl, bh;
            memcpy(&bl, &B[k][0], 16);
            memcpy(&bh, &B[k][4], 16);
            const float a0 = A[r][k], a1 = A[r + 1][k];
            const v4 av0 = {a0, a0, a0, a0}, av1 = {a1, a1, a1, a1};
            lo0 += av0 * bl;
            hi0 += av0 * bh;
            lo1 += av1 * bl;
            hi1 += av1 * bh;
        }
        memcpy(&C[r][0], &lo0, 16);  // C now holds D
        memcpy(&C[r][4], &hi0, 16);
        memcpy(&C[r + 1][0], &lo1, 16);
        memcpy(&C[r + 1][4], &hi1, 16);
    }
    for (int l = 0; l < 32; l++) {
        const int g = l >> 2, c = 2 * (l & 3);
        float* d = lanes[l].mma_d;
        d[0] = C[g][c];
        d[1] = C[g][c + 1];
        d[2] = C[g + 8][c];
        d[3] = C[g + 8][c + 1];
    }
}

void resolve(Worker* w, unsigned warp, unsigned mask, int op) {
    Fiber* lanes = &w->fibers[warp * 32];
    switch (op) {
        case OP_SYNCWARP: return;
        case OP_BALLOT: case OP_ALL: case OP_ANY: {
            unsigned bits = 0;
            for (unsigned l = 0; l < 32; l++)
                if ((mask & (1u << l)) && lanes[l].arg) bits |= 1u << l;
            unsigned long long r = op == OP_BALLOT ? bits : op == OP_ALL ? (bits == mask) : (bits != 0);
            for (unsigned l = 0; l < 32; l++)
                if (mask & (1u << l)) lanes[l].out = r;
            return;
        }
        case OP_MMA:
            if (mask != 0xffffffffu)
                fail("sb_mma_m16n8k16_bf16 needs all 32 lanes of the warp, got mask 0x%08x", mask);
            resolve_mma(w, warp);
            return;
        default: resolve_shuffle(w, warp, mask, op); return;
    }
}

std::string describe_deadlock(Worker* w) {
    unsigned at_barrier = 0, at_warp = 0, done = 0;
    for (unsigned i = 0; i < w->nthreads; i++) {
        int s = w->fibers[i].state;
        at_barrier += s == AT_BARRIER;
        at_warp += s == AT_WARP;
        done += s == DONE;
    }
    std::string s = format("deadlock in %s: of %u threads, %u wait at __syncthreads, %u wait at a warp exchange, %u exited",
                           where(w, nullptr).c_str(), w->nthreads, at_barrier, at_warp, done);
    if (at_barrier) s += " (a __syncthreads must be reached by every thread of the block)";
    for (unsigned warp = 0; warp * 32 < w->nthreads; warp++) {
        unsigned waiting = 0, exited = 0, mask = 0;
        int op = 0;
        for (unsigned l = 0; l < 32 && warp * 32 + l < w->nthreads; l++) {
            const Fiber& f = w->fibers[warp * 32 + l];
            if (f.state == AT_WARP) { waiting |= 1u << l; mask = f.mask; op = f.op; }
            if (f.state == DONE) exited |= 1u << l;
        }
        if (waiting) {
            s += format("; warp %u: lanes 0x%08x wait at %s for mask 0x%08x, lanes 0x%08x exited", warp, waiting,
                        op_name(op), mask, exited);
            break;
        }
    }
    return s;
}

void run_block(Worker* w, uint3 block_idx) {
    w->coords.idx = block_idx;
    const uint3 bd = w->coords.dim;
    unsigned n = bd.x * bd.y * bd.z;
    w->nthreads = n;
    w->barrier_arrived = 0;
    w->barrier_count = 0;
    w->done = 0;
    for (unsigned i = 0; i < (n + 31) / 32; i++) {
        unsigned lanes = n - i * 32 >= 32 ? 32 : n - i * 32;
        w->lanes_exist[i] = lanes == 32 ? 0xffffffffu : ((1u << lanes) - 1u);
        w->warp_arrived[i] = 0;
    }
    // Uninitialised shared memory reads as NaN (all-ones bytes) rather than as the previous block's values.
    if (w->dyn_size) memset(w->dyn, 0xff, w->dyn_size);
    for (unsigned i = 0; i < n; i++) {
        Fiber* f = &w->fibers[i];
        f->tid = uint3{i % bd.x, (i / bd.x) % bd.y, i / (bd.x * bd.y)};
        f->linear = i;
        f->lane = i % 32;
        f->warp = i / 32;
        f->state = RUNNABLE;
        // Initial frame, as sb_emu_switch leaves one: r15 r14 r13 r12 rbx rbp, return address. `ret` lands in the
        // trampoline with a 16-byte aligned stack; r12 carries the fiber.
        // Stack tops staggered by 17 cache lines per fiber (wrapping at 64 KiB): with every slot 256 KiB-aligned,
        // equal offsets would put all fibers' hot frames in the same cache sets and evict each other.
        char* top = w->stacks + (size_t)(i + 1) * kSlotBytes - (size_t)i * 1088 % 65536;
        uint64_t* sp = reinterpret_cast<uint64_t*>(top - 24);
        sp[0] = reinterpret_cast<uint64_t>(&sb_emu_trampoline);
        sp -= 6;
        for (int r = 0; r < 6; r++) sp[r] = 0;
        sp[3] = reinterpret_cast<uint64_t>(f);  // r12
        f->sp = sp;
    }
    // Fibers hand over to each other; control comes back here when none can run or one failed.
    sb_emu_switch(&w->sched_sp, w->fibers[0].sp);
    if (!w->failed && w->done < n) {
        w->failed = true;
        w->error = describe_deadlock(w);
    }
    w->blocks_run++;
}

// ---- the pool -------------------------------------------------------------------------------------------------
struct Launch {
    Thunk thunk;
    void** params;
    dim3 grid, block;
    size_t dyn;
    unsigned long long total;
    std::atomic<unsigned long long> next{0};
    std::atomic<bool> failed{false};
    std::mutex error_mutex;
    std::string error;
};

struct Pool {
    std::mutex m;
    std::condition_variable cv_work, cv_done;
    std::vector<std::thread> threads;
    std::vector<Worker*> workers;
    Launch* launch = nullptr;
    unsigned long long generation = 0;
    unsigned busy = 0;
    bool stopping = false;

    void worker_loop(Worker* w) {
        tl_worker = w;
        w->map_stacks();
        unsigned long long seen = 0;
        for (;;) {
            Launch* l;
            {
                std::unique_lock<std::mutex> lk(m);
                cv_work.wait(lk, [&] { return stopping || generation != seen; });
                if (stopping) return;
                seen = generation;
                l = launch;
            }
            run_launch(w, l);
            {
                std::lock_guard<std::mutex> lk(m);
                if (--busy == 0) cv_done.notify_all();
            }
        }
    }

    void run_launch(Worker* w, Launch* l) {
        if (l->dyn > w->dyn_capacity) {
            free(w->dyn);
            w->dyn_capacity = (l->dyn + 127) & ~(size_t)127;
            w->dyn = static_cast<unsigned char*>(aligned_alloc(128, w->dyn_capacity));
        }
        w->dyn_size = l->dyn;
        w->thunk = l->thunk;
        w->params = l->params;
        w->coords.dim = l->block;
        w->coords.grid = l->grid;
        // Worker i starts with block i, so every worker runs at least one block when the grid has as many; the
        // rest are taken first come, first served.
        unsigned long long b = (unsigned long long)w->index;
        unsigned long long nworkers = workers.size();
        bool first = true;
        for (;;) {
            if (!first) b = l->next.fetch_add(1) + nworkers;
            first = false;
            if (b >= l->total || l->failed.load()) break;
            uint3 idx{(unsigned)(b % l->grid.x), (unsigned)((b / l->grid.x) % l->grid.y),
                      (unsigned)(b / ((unsigned long long)l->grid.x * l->grid.y))};
            w->failed = false;
            run_block(w, idx);
            if (w->failed) {
                std::lock_guard<std::mutex> lk(l->error_mutex);
                if (!l->failed.exchange(true)) l->error = w->error;
                break;
            }
        }
    }

    void start(unsigned n) {
        for (unsigned i = 0; i < n; i++) {
            Worker* w = new Worker();
            w->index = (int)i;
            workers.push_back(w);
            threads.emplace_back([this, w] { worker_loop(w); });
        }
    }

    void stop() {
        {
            std::lock_guard<std::mutex> lk(m);
            stopping = true;
        }
        cv_work.notify_all();
        for (auto& t : threads) t.join();
        for (Worker* w : workers) {
            munmap(w->mapping, kSlotBytes * (kMaxThreads + 1));
            free(w->dyn);
            delete w;
        }
        threads.clear();
        workers.clear();
        stopping = false;
    }

    void run(Launch* l) {
        std::unique_lock<std::mutex> lk(m);
        launch = l;
        busy = (unsigned)workers.size();
        generation++;
        cv_work.notify_all();
        cv_done.wait(lk, [&] { return busy == 0; });
        launch = nullptr;
    }
};

std::mutex g_launch_mutex;  // one launch at a time; guards the pool
Pool* g_pool = nullptr;
unsigned g_workers = 0;
thread_local std::string tl_last_error;

unsigned default_workers() {
    const char* env = getenv("SB_EMU_WORKERS");
    long n = env ? atol(env) : (long)std::thread::hardware_concurrency();
    if (n < 1) n = 1;
    if (n > 64) n = 64;
    return (unsigned)n;
}

Pool* pool() {
    if (!g_pool) {
        if (!g_workers) g_workers = default_workers();
        g_pool = new Pool();
        g_pool->start(g_workers);
    }
    return g_pool;
}

struct KernelEntry { Thunk thunk; std::string signature; };
std::map<std::string, KernelEntry>& registry() {
    static std::map<std::string, KernelEntry> r;
    return r;
}

int set_error(int code, std::string msg) {
    tl_last_error = std::move(msg);
    return code;
}

}  // namespace

Registrar::Registrar(const char* name, Thunk thunk, const char* signature) {
    auto& r = registry();
    if (r.count(name)) fprintf(stderr, "sb_emu: kernel %s registered twice; keeping the first\n", name);
    else r[name] = KernelEntry{thunk, signature};
}

void* dynamic_shared() { return static_cast<Worker*>(slot()->worker)->dyn; }

unsigned active_mask() {
    Slot* s = slot();
    Worker* w = static_cast<Worker*>(s->worker);
    Fiber* f = s->fiber;
    unsigned m = w->lanes_exist[f->warp];
    for (unsigned l = 0; l < 32; l++)
        if ((m & (1u << l)) && w->fibers[f->warp * 32 + l].state == DONE) m &= ~(1u << l);
    return m;
}

int syncthreads_count(int predicate) {
    Slot* s = slot();
    Worker* w = static_cast<Worker*>(s->worker);
    Fiber* f = s->fiber;
    w->barrier_count += predicate != 0;
    if (++w->barrier_arrived == w->nthreads) {
        // barrier_result is next written when every thread has arrived at the next barrier, so after each
        // woken thread has read it below.
        w->barrier_result = w->barrier_count;
        w->barrier_count = 0;
        w->barrier_arrived = 0;
        for (unsigned i = 0; i < w->nthreads; i++)
            if (w->fibers[i].state == AT_BARRIER) w->fibers[i].state = RUNNABLE;
        return w->barrier_result;
    }
    f->state = AT_BARRIER;
    yield(f, w);
    return w->barrier_result;
}

void syncthreads() { syncthreads_count(0); }

void warp_exchange(int op, unsigned mask) {
    Slot* s = slot();
    Worker* w = static_cast<Worker*>(s->worker);
    Fiber* f = s->fiber;
    unsigned warp = f->warp, bit = 1u << f->lane;
    unsigned m = mask & w->lanes_exist[warp];  // lanes past the end of a partial last warp do not exist
    if (!(m & bit)) fail("%s: the calling lane %u is not in its mask 0x%08x", op_name(op), f->lane, mask);
    f->op = op;
    f->mask = m;
    w->warp_arrived[warp] |= bit;
    if ((w->warp_arrived[warp] & m) != m) {
        f->state = AT_WARP;
        yield(f, w);
        return;  // the last lane to arrive resolved the exchange for this one
    }
    Fiber* lanes = &w->fibers[warp * 32];
    for (unsigned l = 0; l < 32; l++) {
        if (!(m & (1u << l))) continue;
        if (lanes[l].op != op || lanes[l].mask != m)
            fail("warp %u: lane %u is at %s with mask 0x%08x while lane %u is at %s with mask 0x%08x "
                 "(lanes of one mask must meet at the same primitive)",
                 warp, f->lane, op_name(op), m, l, op_name(lanes[l].op), lanes[l].mask);
    }
    resolve(w, warp, m, op);
    w->warp_arrived[warp] &= ~m;
    for (unsigned l = 0; l < 32; l++)
        if ((m & (1u << l)) && l != f->lane) lanes[l].state = RUNNABLE;
}

void fail(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::string msg = vformat(fmt, ap);
    va_end(ap);
    if (!tl_worker) {  // not on a worker thread, so not in a kernel: there is no launch to fail
        fprintf(stderr, "sb_emu: %s (outside a kernel)\n", msg.c_str());
        abort();
    }
    Slot* s = slot();
    Worker* w = static_cast<Worker*>(s->worker);
    Fiber* f = s->fiber;
    w->failed = true;
    w->error = where(w, f) + ": " + msg;
    f->state = DONE;
    sb_emu_switch(&f->sp, w->sched_sp);  // straight to the scheduler, which abandons the block
    __builtin_unreachable();
}

}  // namespace sb_emu

extern "C" void sb_emu_fiber_main(sb_emu::Fiber* f) {
    sb_emu::Worker* w = sb_emu::tl_worker;
    w->thunk(w->params);
    f->state = sb_emu::DONE;
    w->done++;
    sb_emu::yield_forever(f, w);
}

// ---- C API (FFM / JNI) ----------------------------------------------------------------------------------------
extern "C" {

__attribute__((visibility("default"))) const char* sb_emu_last_error() { return sb_emu::tl_last_error.c_str(); }

__attribute__((visibility("default"))) int sb_emu_has_kernel(const char* name) {
    return sb_emu::registry().count(name) ? 1 : 0;
}

// The kernel's parameter codes ('p' pointer, 'i' int, 'l' 8-byte integer, 'f' float, 'd' double), or NULL.
__attribute__((visibility("default"))) const char* sb_emu_kernel_signature(const char* name) {
    auto& r = sb_emu::registry();
    auto it = r.find(name);
    return it == r.end() ? nullptr : it->second.signature.c_str();
}

__attribute__((visibility("default"))) int sb_emu_kernel_count() { return (int)sb_emu::registry().size(); }

__attribute__((visibility("default"))) const char* sb_emu_kernel_name(int i) {
    auto& r = sb_emu::registry();
    if (i < 0 || i >= (int)r.size()) return nullptr;
    auto it = r.begin();
    std::advance(it, i);
    return it->first.c_str();
}

// Sets the number of worker threads for later launches (0: SB_EMU_WORKERS or the number of cores).
__attribute__((visibility("default"))) void sb_emu_set_workers(int n) {
    std::lock_guard<std::mutex> lk(sb_emu::g_launch_mutex);
    if (sb_emu::g_pool) {
        sb_emu::g_pool->stop();
        delete sb_emu::g_pool;
        sb_emu::g_pool = nullptr;
    }
    sb_emu::g_workers = n > 0 ? (unsigned)(n > 64 ? 64 : n) : 0;
}

__attribute__((visibility("default"))) int sb_emu_workers() {
    std::lock_guard<std::mutex> lk(sb_emu::g_launch_mutex);
    return (int)sb_emu::pool()->workers.size();
}

// Error codes: 1 unknown kernel, 2 launch configuration out of CUDA's limits, 3 the kernel failed (deadlock,
// misuse of a warp primitive, __trap). The message is in sb_emu_last_error() on the calling thread.
__attribute__((visibility("default"))) int sb_emu_launch(const char* kernel, unsigned gx, unsigned gy, unsigned gz,
                                                         unsigned bx, unsigned by, unsigned bz,
                                                         unsigned long dynamicSharedBytes, void** params) {
    using namespace sb_emu;
    auto& r = registry();
    auto it = r.find(kernel ? kernel : "");
    if (it == r.end()) {
        std::string known;
        for (auto& e : r) known += (known.empty() ? "" : ", ") + e.first;
        return set_error(1, format("unknown kernel '%s' (this library has: %s)", kernel ? kernel : "(null)",
                                   known.c_str()));
    }
    if (!gx || !gy || !gz || gy > 65535 || gz > 65535 || gx > 2147483647u)
        return set_error(2, format("grid (%u,%u,%u) is outside CUDA's limits (x 1..2^31-1, y and z 1..65535)", gx,
                                   gy, gz));
    unsigned long long threads = (unsigned long long)bx * by * bz;
    if (!bx || !by || !bz || bz > 64 || threads > kMaxThreads)
        return set_error(2, format("block (%u,%u,%u) has %llu threads; CUDA allows 1..1024 (z at most 64)", bx, by,
                                   bz, threads));
    if (dynamicSharedBytes > kMaxDynamicShared)
        return set_error(2, format("%lu bytes of dynamic shared memory; sm_86/sm_89 allow at most %zu per block",
                                   dynamicSharedBytes, kMaxDynamicShared));
    std::lock_guard<std::mutex> lk(g_launch_mutex);
    Launch l;
    l.thunk = it->second.thunk;
    l.params = params;
    l.grid = dim3(gx, gy, gz);
    l.block = dim3(bx, by, bz);
    l.dyn = dynamicSharedBytes;
    l.total = (unsigned long long)gx * gy * gz;
    pool()->run(&l);
    if (l.failed.load()) return set_error(3, l.error);
    tl_last_error.clear();
    return 0;
}

// Which worker runs the calling fiber (0-based); lets tests see that blocks really spread over the workers.
__attribute__((visibility("default"))) int sb_emu_worker_index() {
    return sb_emu::tl_worker ? sb_emu::tl_worker->index : -1;
}

}  // extern "C"
