/* Main flash as a persistent file, and its controller (FPEC, RM0008 3.3 and PM0075), with the
 * part's geometry: page size, and on XL-density parts two banks, each with its own controller
 * registers (bank 2: FLASH_KEYR2/SR2/CR2/AR2), busy state and read-while-write.
 *
 * Two copies: img is the file (mmap MAP_SHARED, written through on every program and erase, so
 * a killed emulator leaves what the flash held), view is what Unicorn maps read+execute at
 * 0x08000000 and at its alias 0. CPU stores into view are caught (UC_HOOK_MEM_WRITE_PROT), go
 * through the controller into img, and view is refreshed from img. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

#define FLASH_REGS 0x40022000u
#define FLASH_IRQ 4

#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu

#define SR_BSY (1u << 0)
#define SR_PGERR (1u << 2)
#define SR_WRPRTERR (1u << 4)
#define SR_EOP (1u << 5)
#define CR_PG (1u << 0)
#define CR_PER (1u << 1)
#define CR_MER (1u << 2)
#define CR_OPTPG (1u << 4)
#define CR_OPTER (1u << 5)
#define CR_STRT (1u << 6)
#define CR_LOCK (1u << 7)
#define CR_OPTWRE (1u << 9)
#define CR_ERRIE (1u << 10)
#define CR_EOPIE (1u << 12)

#define PROG_NS_TYP 52500u      /* tPROG 52.5 us typ. (DS5319 table "Flash memory characteristics") */
#define ERASE_NS_TYP 20000000u  /* tERASE 20 ms min / 40 ms max: page */
#define MASS_NS_TYP 20000000u   /* tME 20 ms min / 40 ms max */

/* One bank's controller: KEYR, SR, CR, AR and the operation in progress. */
struct bank {
    uint32_t lo, hi;             /* flash offsets it controls */
    const char *name;            /* for logs: "" or "bank 2 " */
    uint32_t sr, cr, ar;
    int key_state;               /* 1 after KEY1 */
    bool locked_until_reset;
    bool busy;
    uint64_t busy_until;
};

struct flash {
    struct board *b;
    uint32_t size, page;
    unsigned wrp_pages;          /* pages per WRP bit */
    int nbank;
    struct bank bank[2];
    int fd;
    uint8_t *img, *view;
    uint8_t opt[16];
    uint32_t acr;
    int optkey_state;
    /* raw CPU stores to undo in view */
    bool fixup;
    uint32_t fix_lo, fix_hi;
    uint32_t dirty_lo, dirty_hi; /* translated code to drop */
    long ops;
    uint32_t rng;
    uint32_t prog_ns, erase_ns;
};

static const uint8_t factory_opt[16] = {0xA5, 0x5A, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00,
                                        0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00};

uint32_t flash_size(struct flash *f)
{
    return f->size;
}

uint8_t *flash_view(struct flash *f)
{
    return f->view;
}

long flash_ops(struct flash *f)
{
    return f->ops;
}

static struct bank *bank_of(struct flash *f, uint32_t off)
{
    return off >= f->bank[0].hi && f->nbank > 1 ? &f->bank[1] : &f->bank[0];
}

uint64_t flash_fetch_stall(struct flash *f, uint32_t pc)
{
    uint32_t off;
    if (pc < f->size)
        off = pc;
    else if (pc >= FLASH_BASE && pc - FLASH_BASE < f->size)
        off = pc - FLASH_BASE;
    else
        return 0;
    struct bank *k = bank_of(f, off);
    return k->busy ? k->busy_until : 0;
}

uint8_t flash_option_byte(struct flash *f, unsigned idx)
{
    return idx < 16 ? f->opt[idx] : 0xFF;
}

/* Option byte USER bit 0, WDG_SW (RM0008 3.3.6): 0 selects the hardware watchdog, which the
 * IWDG model starts at every reset. */
bool flash_hw_watchdog(struct board *b)
{
    return b->flash && !(b->flash->opt[2] & 1u);
}

static uint32_t wrpr(struct flash *f)
{
    return (uint32_t)f->opt[8] | (uint32_t)f->opt[10] << 8 | (uint32_t)f->opt[12] << 16 |
           (uint32_t)f->opt[14] << 24;
}

static uint32_t obr(struct flash *f)
{
    return (f->opt[0] != 0xA5 ? 1u << 1 : 0u) | (uint32_t)f->opt[2] << 2 |
           (uint32_t)f->opt[4] << 10 | (uint32_t)f->opt[6] << 18;
}

/* One WRP bit protects 4 pages on medium density, 2 pages on high/XL density and connectivity
 * line, where bit 31 also protects every page from 62 on (PM0075 2.4.2, RM0008 3.3.6). */
static bool page_protected(struct flash *f, uint32_t off)
{
    unsigned bit = (off / f->page) / f->wrp_pages;
    return !((wrpr(f) >> (bit < 31 ? bit : 31)) & 1u);
}

static bool range_protected(struct flash *f, uint32_t lo, uint32_t hi)
{
    for (uint32_t a = lo; a < hi; a += f->page)
        if (page_protected(f, a))
            return true;
    return false;
}

/* img changed in [off, off+len): show it to the CPU. Translated code is dropped later, in
 * flash_sync_code(): Unicorn crashes when a hook removes the block it is executing. */
static void publish(struct flash *f, uint32_t off, uint32_t len)
{
    memcpy(f->view + off, f->img + off, len);
    if (f->dirty_hi <= f->dirty_lo) {
        f->dirty_lo = off;
        f->dirty_hi = off + len;
    } else {
        if (off < f->dirty_lo)
            f->dirty_lo = off;
        if (off + len > f->dirty_hi)
            f->dirty_hi = off + len;
    }
}

void flash_sync_code(struct flash *f)
{
    if (f->dirty_hi > f->dirty_lo)
        m3_invalidate(f->b, f->dirty_lo, f->dirty_hi - f->dirty_lo);
    f->dirty_lo = f->dirty_hi = 0;
}

bool flash_fixup_pending(struct flash *f)
{
    return f->fixup;
}

void flash_fixup(struct flash *f)
{
    if (!f || !f->fixup)
        return;
    f->fixup = false;
    publish(f, f->fix_lo, f->fix_hi - f->fix_lo);
}

/* One FLASH interrupt line for both banks. */
static void update_irq(struct flash *f)
{
    bool lvl = false;
    for (int i = 0; i < f->nbank; i++) {
        const struct bank *k = &f->bank[i];
        lvl |= ((k->cr & CR_EOPIE) && (k->sr & SR_EOP)) ||
               ((k->cr & CR_ERRIE) && (k->sr & (SR_PGERR | SR_WRPRTERR)));
    }
    board_irq(f->b, FLASH_IRQ, lvl);
}

static uint32_t rnd(struct flash *f)
{
    uint32_t x = f->rng; /* xorshift32 */
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return f->rng = x;
}

/* One more erase/program operation starts. Returns false when power is cut here: the partial
 * effect is applied by the caller through cut_program/cut_erase. */
static bool op_starts(struct flash *f)
{
    f->ops++;
    return !(f->b->cfg.power_cut_at > 0 && f->ops == f->b->cfg.power_cut_at);
}

static void power_cut(struct flash *f, const char *what, uint32_t off)
{
    char why[96];
    msync(f->img, f->size, MS_SYNC);
    snprintf(why, sizeof why, "power cut during flash operation %ld (%s at 0x%08x)", f->ops, what,
             FLASH_BASE + off);
    fprintf(stderr, "emu: %s\n", why);
    board_stop(f->b, EMU_EXIT_POWER_CUT, why);
}

static void start_busy(struct flash *f, struct bank *k, uint32_t ns)
{
    k->busy = true;
    k->busy_until = board_now_ns(f->b) + ns;
    k->sr |= SR_BSY;
    board_kick(f->b);
}

static void complete(struct flash *f, struct bank *k)
{
    if (!k->busy)
        return;
    k->busy = false;
    k->sr = (k->sr & ~SR_BSY) | SR_EOP;
    k->cr &= ~CR_STRT;
    update_irq(f);
}

uint64_t flash_advance(struct flash *f, uint64_t now)
{
    uint64_t next = UINT64_MAX;
    for (int i = 0; i < f->nbank; i++) {
        struct bank *k = &f->bank[i];
        if (k->busy && now >= k->busy_until)
            complete(f, k);
        if (k->busy && k->busy_until < next)
            next = k->busy_until;
    }
    return next;
}

/* The bus stalls while a bank's controller is busy: an access to that bank waits for the end of
 * its operation. */
static void stall(struct flash *f, struct bank *k)
{
    if (!k->busy)
        return;
    uint64_t now = board_now_ns(f->b);
    if (k->busy_until > now)
        f->b->base_ns += k->busy_until - now;
    complete(f, k);
}

static void erase_range(struct flash *f, uint32_t off, uint32_t len, const char *what)
{
    if (!op_starts(f)) {
        for (uint32_t i = 0; i < len; i++) /* cells erased at random, others keep old bits */
            f->img[off + i] |= (uint8_t)rnd(f);
        publish(f, off, len);
        power_cut(f, what, off);
        return;
    }
    memset(f->img + off, 0xFF, len);
    publish(f, off, len);
    board_log(f->b, 1, "flash: %s at 0x%08x", what, FLASH_BASE + off);
}

void flash_cpu_store(struct flash *f, uint32_t addr, unsigned size, uint32_t val)
{
    uint32_t off = addr >= FLASH_BASE ? addr - FLASH_BASE : addr;
    if (!f->fixup) {
        f->fix_lo = off;
        f->fix_hi = off + size;
    } else {
        if (off < f->fix_lo)
            f->fix_lo = off;
        if (off + size > f->fix_hi)
            f->fix_hi = off + size;
    }
    f->fixup = true;
    struct bank *k = bank_of(f, off);
    stall(f, k);
    if (!(k->cr & CR_PG)) {
        /* On XL parts this includes PG set in the other bank's FLASH_CR: each controller
         * programs its own bank only. */
        board_log(f->b, 1, "flash: %u-byte store to 0x%08x without %sPG ignored (PC 0x%08x)",
                  size, addr, k->name, board_pc(f->b));
        return;
    }
    if (size != 2 || (off & 1u)) {
        /* The F1 programs half-words only; we reject other widths with PGERR. */
        board_log(f->b, 1, "flash: %u-byte store to 0x%08x while PG: PGERR", size, addr);
        k->sr |= SR_PGERR;
        update_irq(f);
        return;
    }
    if (page_protected(f, off)) {
        k->sr |= SR_WRPRTERR;
        update_irq(f);
        return;
    }
    uint16_t old, v = (uint16_t)val;
    memcpy(&old, f->img + off, 2);
    if (old != 0xFFFFu && v != 0) {
        board_log(f->b, 1, "flash: program 0x%04x over 0x%04x at 0x%08x: PGERR", v, old, addr);
        k->sr |= SR_PGERR;
        update_irq(f);
        return;
    }
    k->ar = FLASH_BASE + off;
    if (!op_starts(f)) {
        uint16_t clear = old & (uint16_t)~v, done = clear & (uint16_t)rnd(f);
        uint16_t partial = old & (uint16_t)~done;
        memcpy(f->img + off, &partial, 2);
        publish(f, off, 2);
        power_cut(f, "half-word program", off);
        return;
    }
    v &= old;
    memcpy(f->img + off, &v, 2);
    publish(f, off, 2);
    start_busy(f, k, f->prog_ns);
}

/* STRT in bank k's CR: page erase of the page holding its AR, or mass erase of the bank. */
static void start(struct flash *f, struct bank *k)
{
    if (k->cr & (CR_OPTER | CR_OPTPG)) {
        board_fault(f->b, "flash: option byte erase/program is not modelled (PC 0x%08x)",
                    board_pc(f->b));
        return;
    }
    if (k->cr & CR_PER) {
        uint32_t a = k->ar >= FLASH_BASE ? k->ar - FLASH_BASE : k->ar;
        if (a >= f->size) {
            board_fault(f->b, "flash: page erase of 0x%08x, outside the %u KB flash", k->ar,
                        f->size / 1024u);
            return;
        }
        if (a < k->lo || a >= k->hi) {
            /* We chose: a controller ignores a page of the other bank (RM0008 gives each bank
             * its own registers and says nothing of crossing over). */
            board_log(f->b, 1, "flash: %spage erase of 0x%08x ignored: that page is in the other "
                      "bank (PC 0x%08x)", k->name, k->ar, board_pc(f->b));
            return;
        }
        a &= ~(f->page - 1u);
        if (page_protected(f, a)) {
            k->sr |= SR_WRPRTERR;
            update_irq(f);
            return;
        }
        k->cr |= CR_STRT;
        start_busy(f, k, f->erase_ns);
        erase_range(f, a, f->page, "page erase");
    } else if (k->cr & CR_MER) {
        if (range_protected(f, k->lo, k->hi)) {
            k->sr |= SR_WRPRTERR;
            update_irq(f);
            return;
        }
        k->cr |= CR_STRT;
        start_busy(f, k, f->erase_ns);
        erase_range(f, k->lo, k->hi - k->lo, f->nbank > 1 ? "bank mass erase" : "mass erase");
    }
}

/* Register offsets: bank 1 (every part) and bank 2 (XL density). */
enum { R_ACR = 0x00, R_KEYR = 0x04, R_OPTKEYR = 0x08, R_SR = 0x0C, R_CR = 0x10, R_AR = 0x14,
       R_OBR = 0x1C, R_WRPR = 0x20, R_KEYR2 = 0x44, R_SR2 = 0x4C, R_CR2 = 0x50, R_AR2 = 0x54 };

/* The bank whose KEYR/SR/CR/AR sits at off (bank 2's at 0x40 higher), NULL for the others. */
static struct bank *bank_reg(struct flash *f, uint32_t off, uint32_t *reg)
{
    if (off == R_KEYR || off == R_SR || off == R_CR || off == R_AR) {
        *reg = off;
        return &f->bank[0];
    }
    if (f->nbank > 1 && (off == R_KEYR2 || off == R_SR2 || off == R_CR2 || off == R_AR2)) {
        *reg = off - 0x40u;
        return &f->bank[1];
    }
    return NULL;
}

static bool regs_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct flash *f = ctx;
    if (size != 4 || (off & 3u))
        return false;
    flash_advance(f, board_now_ns(f->b));
    uint32_t reg;
    struct bank *k = bank_reg(f, off, &reg);
    if (k) {
        *val = reg == R_SR ? k->sr : reg == R_CR ? k->cr : reg == R_AR ? k->ar : 0; /* KEYR: w/o */
        return true;
    }
    switch (off) {
    case R_ACR: *val = f->acr; return true;
    case R_OPTKEYR: *val = 0; return true; /* write-only */
    case R_OBR: *val = obr(f); return true;
    case R_WRPR: *val = wrpr(f); return true;
    default: return false;
    }
}

static void write_keyr(struct flash *f, struct bank *k, uint32_t val)
{
    struct board *b = f->b;
    if (k->locked_until_reset || !(k->cr & CR_LOCK)) {
        board_log(b, 1, "flash: %sKEYR write 0x%08x ignored (%s)", k->name, val,
                  k->locked_until_reset ? "locked until reset" : "already unlocked");
        return;
    }
    if (k->key_state == 0 && val == KEY1) {
        k->key_state = 1;
    } else if (k->key_state == 1 && val == KEY2) {
        k->key_state = 0;
        k->cr &= ~CR_LOCK;
        board_log(b, 2, "flash: %sunlocked", k->name);
    } else {
        k->locked_until_reset = true;
        board_log(b, 1, "flash: wrong %skey sequence (0x%08x): FPEC locked until reset", k->name, val);
    }
}

static void write_cr(struct flash *f, struct bank *k, uint32_t val)
{
    if (k->cr & CR_LOCK)
        return; /* only LOCK itself can be written while locked, and it is set */
    if (k->busy && (val & CR_STRT))
        stall(f, k);
    /* Bank 2's CR has no option-byte bits. */
    uint32_t opt = k == &f->bank[0] ? CR_OPTPG | CR_OPTER : 0;
    k->cr = (k->cr & (CR_OPTWRE | CR_STRT)) |
            (val & (CR_PG | CR_PER | CR_MER | CR_LOCK | CR_ERRIE | CR_EOPIE | opt));
    if (!(val & CR_OPTWRE))
        k->cr &= ~CR_OPTWRE;
    if (k->cr & CR_LOCK)
        k->cr &= ~CR_OPTWRE;
    update_irq(f);
    if ((val & CR_STRT) && !(k->cr & CR_LOCK))
        start(f, k);
}

static bool regs_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct flash *f = ctx;
    if (size != 4 || (off & 3u))
        return false;
    flash_advance(f, board_now_ns(f->b));
    uint32_t reg;
    struct bank *k = bank_reg(f, off, &reg);
    if (k) {
        switch (reg) {
        case R_KEYR: write_keyr(f, k, val); break;
        case R_SR:
            k->sr &= ~(val & (SR_PGERR | SR_WRPRTERR | SR_EOP));
            update_irq(f);
            break;
        case R_CR: write_cr(f, k, val); break;
        default:
            if (!k->busy)
                k->ar = val;
            break;
        }
        return true;
    }
    switch (off) {
    case R_ACR:
        f->acr = (val & 0x1Fu) | ((val & 0x10u) << 1); /* PRFTBS follows PRFTBE */
        return true;
    case R_OPTKEYR: {
        struct bank *b1 = &f->bank[0];
        if (b1->cr & CR_LOCK)
            return true;
        if (f->optkey_state == 0 && val == KEY1) {
            f->optkey_state = 1;
        } else if (f->optkey_state == 1 && val == KEY2) {
            f->optkey_state = 0;
            b1->cr |= CR_OPTWRE;
        } else {
            f->optkey_state = 0;
        }
        return true;
    }
    case R_OBR: case R_WRPR: return true; /* read-only */
    default: return false;
    }
}

void flash_reset(struct flash *f, enum reset_kind kind)
{
    (void)kind;
    for (int i = 0; i < f->nbank; i++) {
        struct bank *k = &f->bank[i];
        complete(f, k);
        k->sr = 0;
        k->cr = CR_LOCK;
        k->ar = 0;
        k->key_state = 0;
        k->locked_until_reset = false;
    }
    f->acr = 0x30u;
    f->optkey_state = 0;
    f->fixup = false;
    board_irq(f->b, FLASH_IRQ, false);
}

bool flash_read(struct flash *f, uint32_t addr, unsigned size, uint32_t *val)
{
    uint32_t off;
    if (addr < f->size)
        off = addr;
    else if (addr >= FLASH_BASE && addr - FLASH_BASE < f->size)
        off = addr - FLASH_BASE;
    else
        return false;
    if (off + size > f->size)
        return false;
    uint32_t v = 0;
    memcpy(&v, f->img + off, size);
    *val = v;
    return true;
}

/* ---- preload: ELF (PT_LOAD at physical addresses) or raw binary ---- */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static int put(struct flash *f, const char *path, uint32_t addr, const uint8_t *data, uint32_t len)
{
    uint32_t off = addr >= FLASH_BASE ? addr - FLASH_BASE : addr;
    if ((addr < FLASH_BASE && addr >= f->size) || off > f->size || len > f->size - off) {
        fprintf(stderr, "emu: %s: 0x%08x..0x%08x is outside the %u KB flash\n", path, addr,
                addr + len, f->size / 1024u);
        return -1;
    }
    memcpy(f->img + off, data, len);
    publish(f, off, len);
    return 0;
}

int flash_preload(struct flash *f, const char *path, uint32_t addr)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        perror(path);
        return -1;
    }
    uint8_t *buf = malloc(4u << 20);
    size_t n = buf ? fread(buf, 1, 4u << 20, fp) : 0;
    fclose(fp);
    int rc = 0;
    if (!buf) {
        rc = -1;
    } else if (n >= 52 && memcmp(buf, "\177ELF", 4) == 0) {
        uint32_t phoff = le32(buf + 28);
        unsigned phentsize = le16(buf + 42), phnum = le16(buf + 44);
        if (buf[4] != 1 || buf[5] != 1 || le16(buf + 18) != 40) {
            fprintf(stderr, "emu: %s: not a 32-bit little-endian ARM ELF\n", path);
            rc = -1;
        }
        for (unsigned i = 0; rc == 0 && i < phnum; i++) {
            const uint8_t *ph = buf + phoff + (size_t)i * phentsize;
            if ((size_t)(ph - buf) + 32 > n) {
                fprintf(stderr, "emu: %s: truncated program headers\n", path);
                rc = -1;
                break;
            }
            uint32_t type = le32(ph), foff = le32(ph + 4), paddr = le32(ph + 12),
                     filesz = le32(ph + 16);
            if (type != 1 || filesz == 0) /* PT_LOAD with bytes in the file */
                continue;
            if ((size_t)foff + filesz > n) {
                fprintf(stderr, "emu: %s: segment %u past the end of the file\n", path, i);
                rc = -1;
                break;
            }
            rc = put(f, path, paddr, buf + foff, filesz);
        }
    } else {
        rc = put(f, path, addr ? addr : FLASH_BASE, buf, (uint32_t)n);
    }
    free(buf);
    return rc;
}

/* ---- setup ---- */

static void load_option_bytes(struct flash *f, const char *flash_path)
{
    char path[4096];
    memcpy(f->opt, factory_opt, sizeof f->opt);
    snprintf(path, sizeof path, "%s.opt", flash_path);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return;
    if (fread(f->opt, 1, sizeof f->opt, fp) != sizeof f->opt) {
        fprintf(stderr, "emu: %s: short option-byte file, using factory values\n", path);
        memcpy(f->opt, factory_opt, sizeof f->opt);
    }
    fclose(fp);
}

struct flash *flash_create(struct board *b)
{
    const struct emu_config *cfg = &b->cfg;
    if (!cfg->flash_file) {
        fprintf(stderr, "emu: no flash image file given (--flash FILE)\n");
        return NULL;
    }
    struct flash *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->b = b;
    f->fd = -1;
    const struct part *pt = b->part;
    f->size = pt->flash_kb * 1024u;
    f->page = pt->page_size;
    f->wrp_pages = pt->wrp_pages;
    f->nbank = pt->bank1_kb ? 2 : 1;
    f->bank[0] = (struct bank){ .lo = 0, .hi = pt->bank1_kb ? pt->bank1_kb * 1024u : f->size,
                                .name = "" };
    f->bank[1] = (struct bank){ .lo = f->bank[0].hi, .hi = f->size, .name = "bank 2 " };
    f->rng = cfg->power_cut_seed ? cfg->power_cut_seed : 0x9E3779B9u;
    f->prog_ns = cfg->flash_prog_ns ? cfg->flash_prog_ns : PROG_NS_TYP;
    f->erase_ns = cfg->flash_erase_ns ? cfg->flash_erase_ns : ERASE_NS_TYP;
    f->fd = open(cfg->flash_file, O_RDWR | O_CREAT, 0644);
    struct stat st;
    if (f->fd < 0 || fstat(f->fd, &st) != 0) {
        perror(cfg->flash_file);
        goto fail;
    }
    if ((uint64_t)st.st_size > f->size) {
        fprintf(stderr, "emu: %s is %lld bytes, larger than the %u KB flash of the %s (--part)\n",
                cfg->flash_file, (long long)st.st_size, f->size / 1024u, pt->chip);
        goto fail;
    }
    if ((uint64_t)st.st_size < f->size && ftruncate(f->fd, f->size) != 0) {
        perror(cfg->flash_file);
        goto fail;
    }
    f->img = mmap(NULL, f->size, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
    if (f->img == MAP_FAILED) {
        f->img = NULL;
        perror(cfg->flash_file);
        goto fail;
    }
    if ((uint64_t)st.st_size < f->size) /* new or shorter file: the rest is erased */
        memset(f->img + st.st_size, 0xFF, f->size - (uint32_t)st.st_size);
    f->view = aligned_alloc(4096, f->size);
    if (!f->view)
        goto fail;
    memcpy(f->view, f->img, f->size);
    load_option_bytes(f, cfg->flash_file);
    if (uc_mem_map_ptr(b->uc, FLASH_BASE, f->size, UC_PROT_READ | UC_PROT_EXEC, f->view) !=
            UC_ERR_OK ||
        uc_mem_map_ptr(b->uc, 0, f->size, UC_PROT_READ | UC_PROT_EXEC, f->view) != UC_ERR_OK) {
        fprintf(stderr, "emu: cannot map flash\n");
        goto fail;
    }
    struct periph p = {.name = "FLASH", .base = FLASH_REGS, .size = 0x400, .ctx = f,
                       .read = regs_read, .write = regs_write};
    board_add_periph(b, &p);
    return f;
fail:
    flash_destroy(f);
    return NULL;
}

void flash_destroy(struct flash *f)
{
    if (!f)
        return;
    if (f->img) {
        msync(f->img, f->size, MS_SYNC);
        munmap(f->img, f->size);
    }
    if (f->fd >= 0)
        close(f->fd);
    free(f->view);
    free(f);
}
