/* The Cortex-M3 on Unicorn: memory map, instruction counting, exception entry and return
 * (Unicorn has no M-profile exception model), faults. */
#include <stdio.h>
#include <string.h>

#include "core.h"

/* Unicorn/QEMU exception numbers seen by UC_HOOK_INTR (target/arm/cpu.h). */
enum { QEMU_EXCP_UDEF = 1, QEMU_EXCP_SWI = 2, QEMU_EXCP_PREFETCH_ABORT = 3,
       QEMU_EXCP_DATA_ABORT = 4, QEMU_EXCP_BKPT = 7, QEMU_EXCP_EXCEPTION_EXIT = 8,
       QEMU_EXCP_NOCP = 17, QEMU_EXCP_INVSTATE = 18 };

#define CFSR_UNDEFINSTR (1u << 16)
#define CFSR_INVSTATE (1u << 17)
#define CFSR_INVPC (1u << 18)
#define CFSR_NOCP (1u << 19)
#define HFSR_VECTTBL (1u << 1)
#define HFSR_FORCED (1u << 30)

/* Instructions per translated block, cached by start address (Thumb-2: a half-word whose top
 * five bits are 0b11101, 0b11110 or 0b11111 starts a 32-bit instruction). */

static bool fetch16(struct board *b, uint32_t a, uint16_t *hw)
{
    uint32_t fs = flash_size(b->flash);
    if (a < fs) {
        memcpy(hw, flash_view(b->flash) + a, 2);
    } else if (a >= FLASH_BASE && a - FLASH_BASE < fs) {
        memcpy(hw, flash_view(b->flash) + (a - FLASH_BASE), 2);
    } else if (a >= SRAM_BASE && a - SRAM_BASE < b->sram_size - 1) {
        memcpy(hw, b->sram + (a - SRAM_BASE), 2);
    } else {
        return false;
    }
    return true;
}

static uint32_t insns_in_block(struct board *b, uint32_t addr, uint32_t size)
{
    struct icache_entry *c = &b->icache[(addr >> 1) & (ICACHE - 1)];
    if (c->addr == addr && c->size == size && c->n)
        return c->n;
    uint32_t n = 0;
    for (uint32_t a = addr; a < addr + size; n++) {
        uint16_t hw = 0;
        if (!fetch16(b, a, &hw))
            break;
        a += (hw >> 11) >= 0x1D ? 4u : 2u;
    }
    if (n == 0)
        n = 1;
    c->addr = addr;
    c->size = size;
    c->n = n;
    return n;
}

void m3_invalidate(struct board *b, uint32_t addr, uint32_t len)
{
    memset(b->icache, 0, sizeof b->icache);
    uc_ctl_remove_cache(b->uc, FLASH_BASE + addr, FLASH_BASE + addr + len);
    uc_ctl_remove_cache(b->uc, addr, addr + len);
}

static uint32_t reg(struct board *b, int r)
{
    uint32_t v = 0;
    uc_reg_read(b->uc, r, &v);
    return v;
}

/* Note: writing PC selects the instruction set from bit 0 (Unicorn), so PC values carry it. */
static void set_reg(struct board *b, int r, uint32_t v)
{
    uc_reg_write(b->uc, r, &v);
}

/* Runs before each translated block: counts it, and ends the slice here (where the PC is exact)
 * when the budget is spent or something asked for the run loop. A block at which we stop is not
 * executed; m3_run_slice takes its count back. */
static void hook_block(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    struct board *b = user;
    uint32_t n = insns_in_block(b, (uint32_t)addr, size);
    if (flash_fixup_pending(b->flash))
        flash_fixup(b->flash);
    if (b->irq_masked_wait &&
        scs_next_exception(b->scs, reg(b, UC_ARM_REG_PRIMASK), reg(b, UC_ARM_REG_BASEPRI),
                           reg(b, UC_ARM_REG_FAULTMASK), false))
        b->kick = true;
    if (b->kick || b->stopped || b->reset_pending || b->slice_cycles >= b->slice_budget) {
        b->stop_block = (uint32_t)addr;
        b->stop_block_n = n;
        uc_emu_stop(uc);
        return;
    }
    b->slice_cycles += n;
}

/* A slave that holds the bus (board.h): the cycles count as executed, so emulated time, the slice
 * budget and DWT_CYCCNT see them. Outside uc_emu_start the access is DMA's: not timed. */
void board_stall(struct board *b, uint32_t cycles)
{
    if (b->in_uc)
        b->slice_cycles += cycles;
}

/* ---- faults ---- */


void m3_dump(struct board *b)
{
    static const int r[] = {UC_ARM_REG_R0,  UC_ARM_REG_R1, UC_ARM_REG_R2,  UC_ARM_REG_R3,
                            UC_ARM_REG_R4,  UC_ARM_REG_R5, UC_ARM_REG_R6,  UC_ARM_REG_R7,
                            UC_ARM_REG_R8,  UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
                            UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR,  UC_ARM_REG_PC};
    static const char *const n[] = {"r0", "r1", "r2",  "r3",  "r4", "r5", "r6", "r7",
                                    "r8", "r9", "r10", "r11", "r12", "sp", "lr", "pc"};
    fprintf(stderr, "emu: cpu:");
    for (int i = 0; i < 16; i++)
        fprintf(stderr, "%s %s=%08x", i % 4 == 0 ? "\nemu:  " : "", n[i], reg(b, r[i]));
    fprintf(stderr, "\nemu:   xpsr=%08x primask=%u CFSR=%08x HFSR=%08x\n",
            reg(b, UC_ARM_REG_XPSR), reg(b, UC_ARM_REG_PRIMASK), scs_cfsr(b->scs),
            scs_hfsr(b->scs));
}

/* A synchronous fault (UsageFault class): UsageFault is disabled after reset, so it escalates
 * to HardFault (HFSR.FORCED). A fault in the HardFault or NMI handler is a lockup: stop. */
static void m3_fault(struct board *b, uint32_t cfsr_bit, const char *what)
{
    uint32_t ipsr = reg(b, UC_ARM_REG_IPSR) & 0x1FFu;
    scs_fault_status(b->scs, cfsr_bit, HFSR_FORCED);
    if (ipsr == EXC_HARDFAULT || ipsr == EXC_NMI) {
        board_fault(b, "lockup: %s in the %s handler", what, ipsr == EXC_NMI ? "NMI" : "HardFault");
        return;
    }
    fprintf(stderr, "emu: HardFault: %s at PC 0x%08x; registers being stacked:\n", what,
            reg(b, UC_ARM_REG_PC));
    m3_dump(b);
    scs_set_pending(b->scs, EXC_HARDFAULT);
    board_kick(b);
}

/* ---- exception entry and return ---- */

static void m3_enter(struct board *b, int exc)
{
    static const int fr[] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3,
                             UC_ARM_REG_R12, UC_ARM_REG_LR, UC_ARM_REG_PC, UC_ARM_REG_XPSR};
    uint32_t frame[8];
    for (int i = 0; i < 8; i++)
        frame[i] = reg(b, fr[i]);
    uint32_t ipsr = frame[7] & 0x1FFu;
    if (ipsr == 0 && (reg(b, UC_ARM_REG_CONTROL) & 2u)) {
        board_fault(b, "exception %d from thread mode on the process stack (PSP): not modelled", exc);
        return;
    }
    uint32_t sp = reg(b, UC_ARM_REG_SP);
    bool align = scs_stkalign(b->scs) && (sp & 4u);
    sp = (sp - 32u) & ~(align ? 4u : 0u);
    frame[7] = (frame[7] & ~(1u << 9)) | (align ? 1u << 9 : 0u);
    for (int i = 0; i < 8; i++)
        if (!board_mem_write(b, sp + 4u * (unsigned)i, 4, frame[i])) {
            board_fault(b, "stacking for exception %d failed: SP 0x%08x is not in SRAM", exc, sp);
            return;
        }
    uint32_t vec = 0;
    if (!board_mem_read(b, scs_vtor(b->scs) + 4u * (unsigned)exc, 4, &vec)) {
        board_fault(b, "vector fetch for exception %d at 0x%08x failed", exc,
                    scs_vtor(b->scs) + 4u * (unsigned)exc);
        return;
    }
    if (!(vec & 1u)) {
        board_fault(b, "vector of exception %d at 0x%08x is 0x%08x: not a Thumb address", exc,
                    scs_vtor(b->scs) + 4u * (unsigned)exc, vec);
        return;
    }
    board_log(b, 2, "exception %d entry, handler 0x%08x, return to 0x%08x", exc, vec, frame[6]);
    scs_activate(b->scs, exc);
    set_reg(b, UC_ARM_REG_SP, sp);
    set_reg(b, UC_ARM_REG_LR, ipsr ? 0xFFFFFFF1u : 0xFFFFFFF9u);
    set_reg(b, UC_ARM_REG_XPSR, 0x01000000u | (unsigned)exc);
    set_reg(b, UC_ARM_REG_PC, vec | 1u);
}

static void m3_return(struct board *b, uint32_t excret)
{
    uint32_t ipsr = reg(b, UC_ARM_REG_IPSR) & 0x1FFu;
    if (excret == 0xFFFFFFFDu) {
        board_fault(b, "exception return to the process stack (PSP): not modelled");
        return;
    }
    if ((excret != 0xFFFFFFF1u && excret != 0xFFFFFFF9u) || ipsr == 0 ||
        !scs_deactivate(b->scs, (int)ipsr)) {
        board_fault(b, "bad exception return 0x%08x in exception %u", excret, ipsr);
        return;
    }
    uint32_t sp = reg(b, UC_ARM_REG_SP), frame[8];
    for (int i = 0; i < 8; i++)
        if (!board_mem_read(b, sp + 4u * (unsigned)i, 4, &frame[i])) {
            board_fault(b, "unstacking failed: SP 0x%08x is not in SRAM", sp);
            return;
        }
    sp += 32u + ((frame[7] & (1u << 9)) ? 4u : 0u);
    static const int fr[] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3,
                             UC_ARM_REG_R12, UC_ARM_REG_LR};
    for (int i = 0; i < 6; i++)
        set_reg(b, fr[i], frame[i]);
    set_reg(b, UC_ARM_REG_SP, sp);
    set_reg(b, UC_ARM_REG_XPSR, (frame[7] & ~(1u << 9)) | 0x01000000u);
    set_reg(b, UC_ARM_REG_PC, frame[6] | 1u);
    board_log(b, 2, "exception %u return to 0x%08x", ipsr, frame[6]);
    if ((excret == 0xFFFFFFF9u) != ((frame[7] & 0x1FFu) == 0))
        board_log(b, 1, "exception return 0x%08x to a frame with IPSR %u", excret,
                  frame[7] & 0x1FFu);
    /* Something pending may now preempt the code we return to (tail-chaining, in effect). */
    if (scs_next_exception(b->scs, reg(b, UC_ARM_REG_PRIMASK), reg(b, UC_ARM_REG_BASEPRI),
                           reg(b, UC_ARM_REG_FAULTMASK), false))
        board_kick(b);
}

void m3_take_exceptions(struct board *b)
{
    uint32_t pm = reg(b, UC_ARM_REG_PRIMASK), bp = reg(b, UC_ARM_REG_BASEPRI),
             fm = reg(b, UC_ARM_REG_FAULTMASK);
    int exc = scs_next_exception(b->scs, pm, bp, fm, false);
    if (exc) {
        b->sleeping = false;
        m3_enter(b, exc);
        pm = reg(b, UC_ARM_REG_PRIMASK);
    } else if (b->sleeping && scs_next_exception(b->scs, pm, bp, fm, true)) {
        b->sleeping = false; /* WFI wakes on a pending interrupt even when PRIMASK masks it */
    }
    b->irq_masked_wait = scs_any_waiting(b->scs);
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *user)
{
    struct board *b = user;
    uint32_t pc = reg(b, UC_ARM_REG_PC);
    if (intno == QEMU_EXCP_EXCEPTION_EXIT) {
        /* Unstack and go on at the new PC; the block hook stops if something must preempt. */
        m3_return(b, pc | 1u);
        return;
    }
    switch (intno) {
    case QEMU_EXCP_BKPT: {
        uint32_t r0 = reg(b, UC_ARM_REG_R0);
        if (b->cfg.stop_on_bkpt) {
            char why[64];
            snprintf(why, sizeof why, "bkpt at 0x%08x, r0 = %u", pc, r0);
            board_stop(b, (int)(r0 & 0xFFu), why);
        } else {
            board_fault(b, "bkpt at PC 0x%08x (r0 = %u) and no debugger (--stop-on-bkpt)", pc, r0);
        }
        break;
    }
    case QEMU_EXCP_SWI:
        /* SVC: PC is past the instruction, which is the return address. */
        scs_set_pending(b->scs, EXC_SVCALL);
        board_kick(b);
        break;
    case QEMU_EXCP_UDEF:
        m3_fault(b, CFSR_UNDEFINSTR, "undefined instruction");
        break;
    case QEMU_EXCP_INVSTATE:
        m3_fault(b, CFSR_INVSTATE, "branch to an ARM-state (even) address");
        break;
    case QEMU_EXCP_NOCP:
        m3_fault(b, CFSR_NOCP, "coprocessor instruction");
        break;
    default:
        board_fault(b, "CPU exception %u (Unicorn) at PC 0x%08x", intno, pc);
        break;
    }
    b->intr_stop = true;
    uc_emu_stop(uc);
}

static bool hook_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t val,
                          void *user)
{
    struct board *b = user;
    const char *what = type == UC_MEM_READ_UNMAPPED    ? "read of unmapped"
                       : type == UC_MEM_WRITE_UNMAPPED ? "write to unmapped"
                       : type == UC_MEM_FETCH_UNMAPPED ? "instruction fetch from unmapped"
                       : type == UC_MEM_FETCH_PROT     ? "instruction fetch from non-executable"
                       : type == UC_MEM_READ_PROT      ? "read of unreadable"
                                                       : "write to read-only";
    (void)uc;
    (void)val;
    board_fault(b, "%d-byte %s address 0x%08x, PC 0x%08x (block start), LR 0x%08x", size, what,
                (uint32_t)addr, reg(b, UC_ARM_REG_PC), reg(b, UC_ARM_REG_LR));
    return false;
}

/* Stores into flash: the FPEC decides what lands. Unicorn performs the raw store when the hook
 * returns true; flash_fixup() puts the real content back before anything else reads it (next
 * block, next peripheral access, end of slice). */
static bool hook_write_prot(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t val,
                            void *user)
{
    struct board *b = user;
    uint32_t a = (uint32_t)addr, fs = flash_size(b->flash);
    if (a < fs || (a >= FLASH_BASE && a - FLASH_BASE < fs)) {
        flash_cpu_store(b->flash, a, (unsigned)size, (uint32_t)val);
        board_kick(b);
        return true;
    }
    return hook_unmapped(uc, type, addr, size, val, user);
}

/* uc_hook_add takes its callback as void *; ISO C has no cast from a function pointer to an
 * object pointer, so the bits are copied (POSIX guarantees they fit, as dlsym relies on). */
typedef void (*hook_fn)(void);
_Static_assert(sizeof(hook_fn) == sizeof(void *), "function and object pointers differ in size");
static void *hook_ptr(hook_fn f)
{
    void *p;
    memcpy(&p, &f, sizeof p);
    return p;
}
#define HOOK(fn) hook_ptr((hook_fn)(fn))

int m3_init(struct board *b)
{
    uc_hook h;
    if (uc_open(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &b->uc) != UC_ERR_OK ||
        uc_ctl_set_cpu_model(b->uc, UC_CPU_ARM_CORTEX_M3) != UC_ERR_OK) {
        fprintf(stderr, "emu: cannot create the Unicorn Cortex-M3\n");
        return -1;
    }
    if (uc_mem_map_ptr(b->uc, SRAM_BASE, b->sram_size, UC_PROT_ALL, b->sram) != UC_ERR_OK ||
        uc_hook_add(b->uc, &h, UC_HOOK_BLOCK, HOOK(hook_block), b, 1, 0) != UC_ERR_OK ||
        uc_hook_add(b->uc, &h, UC_HOOK_INTR, HOOK(hook_intr), b, 1, 0) != UC_ERR_OK ||
        uc_hook_add(b->uc, &h, UC_HOOK_MEM_WRITE_PROT, HOOK(hook_write_prot), b, 1, 0) !=
            UC_ERR_OK ||
        uc_hook_add(b->uc, &h,
                    UC_HOOK_MEM_UNMAPPED | UC_HOOK_MEM_FETCH_PROT | UC_HOOK_MEM_READ_PROT,
                    HOOK(hook_unmapped), b, 1, 0) != UC_ERR_OK) {
        fprintf(stderr, "emu: cannot set up the Unicorn memory map and hooks\n");
        return -1;
    }
    return 0;
}

void m3_reset(struct board *b)
{
    static const int gp[] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2,  UC_ARM_REG_R3,
                             UC_ARM_REG_R4, UC_ARM_REG_R5, UC_ARM_REG_R6,  UC_ARM_REG_R7,
                             UC_ARM_REG_R8, UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
                             UC_ARM_REG_R12};
    for (unsigned i = 0; i < sizeof gp / sizeof gp[0]; i++)
        set_reg(b, gp[i], 0);
    set_reg(b, UC_ARM_REG_CONTROL, 0);
    set_reg(b, UC_ARM_REG_PRIMASK, 0);
    set_reg(b, UC_ARM_REG_BASEPRI, 0);
    set_reg(b, UC_ARM_REG_FAULTMASK, 0);
    set_reg(b, UC_ARM_REG_XPSR, 0x01000000u);
    set_reg(b, UC_ARM_REG_LR, 0xFFFFFFFFu);
    /* Boot from main flash (BOOT0 = 0): it is aliased at 0. */
    uint32_t sp = 0, pc = 0;
    flash_read(b->flash, 0, 4, &sp);
    flash_read(b->flash, 4, 4, &pc);
    set_reg(b, UC_ARM_REG_MSP, sp & ~3u);
    set_reg(b, UC_ARM_REG_SP, sp & ~3u);
    set_reg(b, UC_ARM_REG_PC, pc | 1u);
    if (!(pc & 1u))
        board_log(b, 1, "reset vector 0x%08x is not a Thumb address: the core will lock up", pc);
    memset(b->icache, 0, sizeof b->icache);
}

int m3_run_slice(struct board *b)
{
    uint32_t pc = reg(b, UC_ARM_REG_PC);
    flash_sync_code(b->flash);
    b->kick = false;
    b->in_uc = true;
    b->stop_block = 1; /* odd: no block */
    b->intr_stop = false;
    uc_err err = uc_emu_start(b->uc, pc | 1u, 0xFFFFFFFEull, 0, 0);
    b->in_uc = false;
    flash_fixup(b->flash);
    flash_sync_code(b->flash);
    if (b->stop_block != 1 && (reg(b, UC_ARM_REG_PC) & ~1u) != b->stop_block)
        b->slice_cycles += b->stop_block_n; /* the block ran before the stop took effect */
    flash_fixup(b->flash);
    if (b->stopped || b->reset_pending)
        return 0;
    if (err == UC_ERR_INSN_INVALID) {
        m3_fault(b, CFSR_UNDEFINSTR, "undefined or unsupported instruction");
        return 0;
    }
    if (err != UC_ERR_OK) {
        board_fault(b, "CPU stopped: %s", uc_strerror(err));
        return -1;
    }
    /* Neither hook stopped it: Unicorn returns by itself after WFI/WFE (EXCP_HLT). */
    if (b->stop_block == 1 && !b->intr_stop) {
        uint16_t hw = 0;
        pc = reg(b, UC_ARM_REG_PC);
        if (fetch16(b, pc - 2u, &hw) && (hw == 0xBF30u || hw == 0xBF20u))
            b->sleeping = true;
    }
    return 0;
}
