#include "rboard.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sign.h"
#include "transports/fdio.h"

struct rb_image rb_app[4];
char rb_boot_elf[512];
struct rb_geo rb_geo;

double rb_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int load_bin(const char *path, struct rb_image *img)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s (run make first)\n", path);
        return -1;
    }
    memset(img->data, 0xFF, sizeof img->data);
    img->size = (uint32_t)fread(img->data, 1, sizeof img->data, f);
    fclose(f);
    img->size = (img->size + 1u) & ~1u; /* flashed in half-words, padded with 0xFF as iap does */
    img->crc = proto_crc32(0, img->data, img->size);
    return img->size ? 0 : -1;
}

/* KEY=value lines of board.env (boot/port/stm32f1/boardinfo.c); the f103c8 seed board without it. */
static uint32_t env_app_start; /* board.env's BOARD_APP_START, checked against INFO's */

static int load_geo(const char *build_dir)
{
    char p[600], line[300], glob[32] = "f103c8";
    struct rb_geo g = {"seed", NULL, 1, 0, RB_FLASH_SIZE, RB_PAGE_SIZE, 0, 20u * 1024u, 1, "PA4",
                       '1', 0, 0, 0};
    snprintf(p, sizeof p, "%s/board.env", build_dir);
    FILE *f = fopen(p, "r");
    while (f && fgets(line, sizeof line, f)) {
        char *v = strchr(line, '=');
        if (!v)
            continue;
        *v++ = 0;
        v += strspn(v, "'\""); /* quoted or not, up to the end of the line */
        v[strcspn(v, "'\"\n")] = 0;
        if (!strcmp(line, "BOARD"))
            snprintf(g.name, sizeof g.name, "%s", v);
        else if (!strcmp(line, "BOARD_EMU_PART_GLOB"))
            snprintf(glob, sizeof glob, "%s", v);
        else if (!strcmp(line, "BOARD_EMU_USART")) {
            g.uart_index = atoi(v);
            g.uart_remap = strstr(v, ":full") ? 3 : strchr(v, ':') ? 1 : 0;
        } else if (!strcmp(line, "BOARD_FLASH_KB"))
            g.flash_size = (uint32_t)atoi(v) * 1024u;
        else if (!strcmp(line, "BOARD_PAGE_SIZE"))
            g.page_size = (uint32_t)atoi(v);
        else if (!strcmp(line, "BOARD_SRAM_KB"))
            g.sram_size = (uint32_t)atoi(v) * 1024u;
        else if (!strcmp(line, "BOARD_BANKS"))
            g.banks = (unsigned)atoi(v);
        else if (!strcmp(line, "BOARD_LED"))
            snprintf(g.led, sizeof g.led, "%s", v);
        else if (!strcmp(line, "BOARD_LED_ON"))
            g.led_on = v[0];
        else if (!strcmp(line, "BOARD_APP_START"))
            env_app_start = (uint32_t)strtoul(v, NULL, 0);
    }
    if (f)
        fclose(f);
    /* the virtual board's part of the same die (stm32emu --help lists them) */
    for (int i = 0; emu_part_name(i) && !g.part; i++)
        if (fnmatch(glob, emu_part_name(i), 0) == 0)
            g.part = emu_part_name(i);
    if (!g.part || g.flash_size > RB_FLASH_MAX || !g.page_size) {
        fprintf(stderr, "%s: no part of the virtual board matches %s\n", p, glob);
        return -1;
    }
    g.record = PROTO_RECORD_ADDR(g.flash_size, g.page_size);
    rb_geo = g;
    return 0;
}

static int host_info(struct rb_board *b, void *arg)
{
    struct iap_session s;
    rb_session(b, &s);
    int rc = iap_session_connect(&s, &b->err);
    if (!rc)
        *(struct proto_info *)arg = s.info;
    return rc;
}

/* The application area as the real binary reports it: INFO from a board with blank flash (IAP
 * mode at once), in real time for long enough that the host thread gets its turn (longer again
 * if a loaded machine kept it waiting). */
static int probe_app_area(void)
{
    char img[300];
    struct proto_info info;
    struct rb_board b;
    int rc = -1;
    snprintf(img, sizeof img, "%s/rb-probe-%d.img",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (int)getpid());
    memset(&info, 0, sizeof info);
    for (uint64_t ms = 700; rc && ms <= 6000; ms *= 3) {
        unlink(img); /* the board creates it erased */
        struct rb_opts o = {img, true, 0, 0, NULL, ms, 0, true};
        rc = rb_open(&b, &o);
        if (!rc) {
            rb_run(&b, host_info, &info);
            rc = b.host_rc;
            rb_close(&b);
        }
    }
    unlink(img);
    if (rc || info.app_start < PROTO_FLASH_BASE || info.app_end <= info.app_start ||
        info.app_end > rb_geo.record) {
        fprintf(stderr, "%s: no INFO with an application area from the bootloader (%s)\n",
                rb_boot_elf, rc ? b.err.msg : "implausible");
        return -1;
    }
    if (env_app_start && env_app_start != info.app_start) {
        fprintf(stderr, "%s: INFO says the application starts at 0x%08x, board.env 0x%08x\n",
                rb_boot_elf, info.app_start, env_app_start);
        return -1;
    }
    rb_geo.app_start = info.app_start;
    rb_geo.app_end = info.app_end;
    rb_geo.features = info.features;
    return 0;
}

int rb_load(const char *build_dir)
{
    char p[600];
    signal(SIGPIPE, SIG_IGN); /* a host writing after the board stopped gets EPIPE, not death */
    if (load_geo(build_dir))
        return -1;
    snprintf(rb_boot_elf, sizeof rb_boot_elf, "%s/boot.elf", build_dir);
    if (access(rb_boot_elf, R_OK) != 0) {
        fprintf(stderr, "cannot open %s (run make first)\n", rb_boot_elf);
        return -1;
    }
    if (probe_app_area())
        return -1;
    for (int v = 1; v <= 2; v++) {
        snprintf(p, sizeof p, "%s/app-v%d.bin", build_dir, v);
        if (load_bin(p, &rb_app[v]))
            return -1;
    }
    snprintf(p, sizeof p, "%s/app-xl.bin", build_dir); /* XL boards: v2 across the banks */
    if (access(p, R_OK) == 0 && load_bin(p, &rb_app[3]))
        return -1;
    return 0;
}

int rb_sign(struct rb_image *out, const struct rb_image *img, const char *key, uint32_t version,
            struct iap_err *err)
{
    uint8_t *buf;
    uint32_t len;
    int rc = sign_image(key, version, img->data, img->size, rb_geo.app_start, &buf, &len, err);
    if (rc)
        return rc;
    if (len > sizeof out->data) {
        free(buf);
        return iap_fail(err, IAP_ERR_FIT, "the signed image is too large");
    }
    memset(out->data, 0xFF, sizeof out->data);
    memcpy(out->data, buf, len);
    free(buf);
    out->size = len;
    out->crc = proto_crc32(0, out->data, out->size);
    return 0;
}

/* ---- transport over the socketpair, keeping a copy of what the board sent ---- */

static void keep(struct rb_board *b, const uint8_t *p, size_t n)
{
    pthread_mutex_lock(&b->lock);
    if (n > sizeof b->out - 1 - b->out_n)
        n = sizeof b->out - 1 - b->out_n;
    memcpy(b->out + b->out_n, p, n);
    b->out_n += n;
    b->out[b->out_n] = 0;
    pthread_mutex_unlock(&b->lock);
}

static int t_write(struct iap_transport *t, const uint8_t *buf, size_t len, struct iap_err *err)
{
    struct rb_board *b = (struct rb_board *)((char *)t - offsetof(struct rb_board, t));
    return fdio_write(b->fd, buf, len, "board line closed", err);
}

static int t_read(struct iap_transport *t, uint8_t *buf, size_t max, int timeout_ms,
                  struct iap_err *err)
{
    struct rb_board *b = (struct rb_board *)((char *)t - offsetof(struct rb_board, t));
    int n = fdio_read(b->fd, buf, max, timeout_ms, "board line closed", err);
    if (n > 0)
        keep(b, buf, (size_t)n);
    return n;
}

void rb_drain(struct rb_board *b)
{
    uint8_t buf[1024];
    ssize_t n;
    while ((n = read(b->fd, buf, sizeof buf)) > 0)
        keep(b, buf, (size_t)n);
}

static void t_discard(struct iap_transport *t)
{
    rb_drain((struct rb_board *)((char *)t - offsetof(struct rb_board, t)));
}

static void t_close(struct iap_transport *t) { (void)t; }

bool rb_saw(struct rb_board *b, const char *s)
{
    pthread_mutex_lock(&b->lock);
    /* the output holds binary frames: search past NULs */
    bool found = false;
    size_t k = strlen(s);
    for (size_t i = 0; !found && i + k <= b->out_n; i++)
        found = memcmp(b->out + i, s, k) == 0;
    pthread_mutex_unlock(&b->lock);
    return found;
}

int rb_open(struct rb_board *b, const struct rb_opts *o)
{
    int sv[2];
    memset(b, 0, sizeof *b);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return -1;
    b->fd = sv[0];
    b->board_fd = sv[1];
    fcntl(b->fd, F_SETFL, fcntl(b->fd, F_GETFL) | O_NONBLOCK);
    pthread_mutex_init(&b->lock, NULL);
    b->t.write = t_write;
    b->t.read = t_read;
    b->t.discard = t_discard;
    b->t.close = t_close;
    snprintf(b->t.desc, sizeof b->t.desc, "the virtual board");
    struct emu_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.flash_file = o->flash_file;
    cfg.part = rb_geo.part;
    cfg.uart_index = rb_geo.uart_index;
    cfg.uart_remap = rb_geo.uart_remap;
    if (o->load_boot) {
        cfg.preload[0].path = rb_boot_elf;
        cfg.npreload = 1;
    }
    cfg.uart_mode = EMU_UART_FD;
    cfg.uart_fd = b->board_fd;
    cfg.power_cut_at = o->power_cut_at;
    cfg.power_cut_seed = o->seed;
    cfg.stop_on_uart = o->stop_on_uart;
    cfg.stop_after_ns = o->stop_after_ms * 1000000u;
    cfg.verbose = o->verbose;
    cfg.realtime = o->realtime;
    b->e = emu_create(&cfg);
    if (!b->e) {
        close(b->fd);
        close(b->board_fd);
        return -1;
    }
    return 0;
}

static void *host_main(void *arg)
{
    struct rb_board *b = arg;
    b->host_rc = b->host(b, b->host_arg);
    return NULL;
}

int rb_run(struct rb_board *b, rb_host_fn host, void *arg)
{
    b->host = host;
    b->host_arg = arg;
    b->host_rc = 0;
    if (host) {
        /* A SYNC already on the line at power-on, as from a host that keeps probing while the
         * board resets: the 300 ms listening window is then met however late the host thread
         * gets the CPU on a loaded machine (the board runs ahead in fast mode). */
        uint8_t sync[PROTO_HDR_LEN + PROTO_CRC_LEN];
        struct iap_err err;
        size_t n = proto_frame_encode(sync, PROTO_CMD_SYNC, 0xF0, NULL, 0);
        if (b->t.write(&b->t, sync, n, &err))
            return -1;
        pthread_create(&b->th, NULL, host_main, b);
        b->th_started = true;
    }
    int rc = emu_run(b->e);
    shutdown(b->board_fd, SHUT_RDWR); /* a host still waiting sees the line go */
    if (b->th_started) {
        pthread_join(b->th, NULL);
        b->th_started = false;
    }
    return rc;
}

void rb_close(struct rb_board *b)
{
    if (b->e)
        emu_destroy(b->e);
    b->e = NULL;
    close(b->fd);
    close(b->board_fd);
    pthread_mutex_destroy(&b->lock);
}

/* ---- flash files ---- */

void rb_flash_blank(uint8_t *flash) { memset(flash, 0xFF, rb_geo.flash_size); }

void rb_flash_put_app(uint8_t *flash, const struct rb_image *img, uint32_t version)
{
    struct proto_record r = {PROTO_RECORD_MAGIC, img->size, img->crc, version, 0, 0};
    r.rec_crc = proto_crc32(0, &r, 20);
    memcpy(flash + (rb_geo.app_start - PROTO_FLASH_BASE), img->data, img->size);
    memcpy(flash + (rb_geo.record - PROTO_FLASH_BASE), &r, sizeof r);
}

int rb_flash_write(const char *path, const uint8_t *flash)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = fwrite(flash, 1, rb_geo.flash_size, f);
    return fclose(f) == 0 && n == rb_geo.flash_size ? 0 : -1;
}

int rb_flash_read(const char *path, uint8_t *flash)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(flash, 1, rb_geo.flash_size, f);
    fclose(f);
    return n == rb_geo.flash_size ? 0 : -1;
}

/* docs/DESIGN.md, image validity rule (the vector checks are the bootloader's business: our
 * images pass them, and a record over a different image is caught by the CRC). */
bool rb_record_valid(const uint8_t *flash, struct proto_record *out)
{
    struct proto_record r;
    memcpy(&r, flash + (rb_geo.record - PROTO_FLASH_BASE), sizeof r);
    if (r.magic != PROTO_RECORD_MAGIC || proto_crc32(0, &r, 20) != r.rec_crc || r.size == 0 ||
        r.size > rb_geo.app_end - rb_geo.app_start ||
        proto_crc32(0, flash + (rb_geo.app_start - PROTO_FLASH_BASE), r.size) != r.image_crc)
        return false;
    if (out)
        *out = r;
    return true;
}

static bool holds(const uint8_t *flash, const struct proto_record *r, const struct rb_image *img)
{
    return img && r->size == img->size && r->image_crc == img->crc &&
           memcmp(flash + (rb_geo.app_start - PROTO_FLASH_BASE), img->data, img->size) == 0;
}

enum rb_state rb_classify(const uint8_t *flash, const struct rb_image *old_img,
                          const struct rb_image *new_img)
{
    struct proto_record r;
    if (!rb_record_valid(flash, &r))
        return RB_NO_APP;
    if (holds(flash, &r, new_img))
        return RB_NEW;
    if (holds(flash, &r, old_img))
        return RB_OLD;
    return RB_MIX;
}

/* ---- host side ---- */

void rb_session(struct rb_board *b, struct iap_session *s)
{
    /* Fast mode: the board's time runs at its own pace, so wall-clock slack is generous. */
    struct iap_session_cfg cfg = {115200, 2000, 30, 0, true, false};
    iap_session_init(s, &b->t, &cfg, NULL);
}

bool rb_page_blank(const struct rb_image *img, uint32_t off)
{
    uint32_t start = off - off % rb_geo.page_size, end = start + rb_geo.page_size;
    for (uint32_t i = start; i < end && i < img->size; i++)
        if (img->data[i] != 0xFF)
            return false;
    return true;
}

int rb_update(struct rb_board *b, const struct rb_image *img, uint32_t version, bool reset)
{
    struct iap_session s;
    uint32_t crc = 0;
    rb_session(b, &s);
    int rc = iap_session_connect(&s, &b->err);
    /* runs of pages that hold data, each written whole; blank pages are skipped */
    uint32_t ps = rb_geo.page_size, off = 0;
    while (!rc && off < img->size) {
        uint32_t end = off;
        while (end < img->size && !rb_page_blank(img, end))
            end = end - end % ps + ps < img->size ? end - end % ps + ps : img->size;
        if (end > off)
            rc = iap_session_write(&s, rb_geo.app_start + off, img->data + off, end - off,
                                   &b->err);
        off = end;
        while (off < img->size && rb_page_blank(img, off))
            off = off - off % ps + ps;
    }
    if (!rc)
        rc = iap_session_crc(&s, rb_geo.app_start, img->size, &crc, &b->err);
    if (!rc && crc != img->crc)
        rc = iap_fail(&b->err, IAP_ERR_VERIFY, "device CRC 0x%08x, image 0x%08x", crc, img->crc);
    if (!rc)
        rc = iap_session_commit(&s, img->size, img->crc, version, &b->err);
    if (!rc && reset)
        rc = iap_session_reset(&s, &b->err);
    return rc;
}

int rb_flash(struct rb_board *b, const struct rb_image *img, uint32_t version, bool full,
             bool reset)
{
    struct iap_session s;
    struct iap_flash_result res;
    struct iap_flash_opts fo = {full, -1, version}; /* iap flash's defaults, or --full */
    rb_session(b, &s);
    int rc = iap_session_connect(&s, &b->err);
    if (!rc && (s.info.app_start != rb_geo.app_start || img->size > s.info.app_end - s.info.app_start))
        rc = iap_fail(&b->err, IAP_ERR_FIT, "the device's application area moved");
    if (!rc)
        rc = iap_session_flash(&s, img->data, img->size, &fo, &res, &b->err);
    if (!rc && reset)
        rc = iap_session_reset(&s, &b->err);
    return rc;
}

int rb_raw_cmd(struct rb_board *b, uint8_t type, uint8_t seq, const uint8_t *payload,
               uint16_t len, struct iap_frame *rsp)
{
    uint8_t buf[PROTO_MAX_FRAME];
    static uint8_t rx_buf[2 * PROTO_MAX_FRAME];
    struct proto_rx rx;
    struct iap_err err;
    size_t n = proto_frame_encode(buf, type, seq, payload, len);
    if (b->t.write(&b->t, buf, n, &err))
        return 1000;
    proto_rx_init(&rx, rx_buf, sizeof rx_buf);
    double end = rb_now() + 5.0;
    while (rb_now() < end) {
        while (iap_frame_next(&rx, rsp))
            if (rsp->type == PROTO_RSP && rsp->seq == seq && rsp->len >= 1)
                return (int8_t)rsp->payload[0];
        uint8_t in[512];
        size_t room = proto_rx_room(&rx) < sizeof in ? proto_rx_room(&rx) : sizeof in;
        int r = b->t.read(&b->t, in, room, 100, &err);
        if (r < 0)
            return 1000;
        proto_rx_push(&rx, in, (size_t)r);
    }
    return 1000;
}

int rb_log_begin(struct rb_log *l)
{
    fflush(stderr);
    l->f = tmpfile();
    l->saved = dup(2);
    if (!l->f || l->saved < 0)
        return -1;
    dup2(fileno(l->f), 2);
    return 0;
}

FILE *rb_log_end(struct rb_log *l)
{
    fflush(stderr);
    dup2(l->saved, 2);
    close(l->saved);
    rewind(l->f);
    return l->f;
}

int rb_log_count(FILE *f, const char *s)
{
    char line[512];
    int n = 0;
    rewind(f);
    while (fgets(line, sizeof line, f))
        n += strstr(line, s) != NULL;
    return n;
}

/* ---- compatibility protocols ---- */

/* Reads until one of the two bytes arrives: 1 for a, 0 for b, -1 on timeout or a closed line. */
static int await(struct rb_board *b, uint8_t a, int other, double seconds)
{
    double end = rb_now() + seconds;
    struct iap_err err;
    while (rb_now() < end) {
        uint8_t c;
        int r = b->t.read(&b->t, &c, 1, 100, &err);
        if (r < 0)
            return -1;
        if (r == 1 && c == a)
            return 1;
        if (r == 1 && other >= 0 && c == (uint8_t)other)
            return 0;
    }
    return -1;
}

static int xmit(struct rb_board *b, const uint8_t *p, size_t n)
{
    struct iap_err err;
    return b->t.write(&b->t, p, n, &err) ? -1 : 0;
}

/* The SYNC rb_run sent at power-on made the board enter IAP mode; take its answer off the line
 * (its bytes could look like the ACKs and Cs below). */
static int settle(struct rb_board *b)
{
    struct iap_frame rsp;
    for (int i = 0; i < 10; i++)
        if (rb_raw_cmd(b, PROTO_CMD_SYNC, 1, NULL, 0, &rsp) == PROTO_OK)
            return 0;
    return -1;
}

#define ACK3155 0x79
#define NACK3155 0x1F

static int an_cmd(struct rb_board *b, uint8_t cmd)
{
    uint8_t c[2] = {cmd, (uint8_t)~cmd};
    return xmit(b, c, 2) == 0 && await(b, ACK3155, NACK3155, 5) == 1 ? 0 : -1;
}

static int an_block(struct rb_board *b, const uint8_t *p, size_t n, double seconds)
{
    uint8_t buf[2 + 2 * 512 + 1], x = 0;
    for (size_t i = 0; i < n; i++)
        x ^= buf[i] = p[i];
    buf[n] = n == 1 ? (uint8_t)~p[0] : x;
    return xmit(b, buf, n + 1) == 0 && await(b, ACK3155, NACK3155, seconds) == 1 ? 0 : -1;
}

static int an_addr(struct rb_board *b, uint32_t a)
{
    uint8_t p[4] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a};
    return an_block(b, p, 4, 5);
}

int rb_an3155_update(struct rb_board *b, const struct rb_image *img)
{
    uint8_t x7f = 0x7F;
    if (settle(b) || xmit(b, &x7f, 1) || await(b, ACK3155, NACK3155, 5) != 1)
        return -1;
    /* Erase: N-1, the pages with data, checksum over all of them; on a dual-bank part Extended
     * Erase (0x44), N and the pages two bytes each, most significant first */
    uint8_t list[2 + 2 * 512];
    uint32_t ps = rb_geo.page_size, first = (rb_geo.app_start - PROTO_FLASH_BASE) / ps;
    size_t w = rb_geo.banks > 1 ? 2 : 1, n_list = 0;
    for (uint32_t off = 0; off < img->size; off += ps)
        if (!rb_page_blank(img, off)) {
            uint32_t page = first + off / ps;
            list[w * (n_list + 1) - (w - 1)] = (uint8_t)(page >> 8);
            list[w * (n_list + 1)] = (uint8_t)page;
            n_list++;
        }
    list[0] = (uint8_t)((n_list - 1) >> 8);
    list[w - 1] = (uint8_t)(n_list - 1);
    if (an_cmd(b, w == 2 ? 0x44 : 0x43) || an_block(b, list, w * (n_list + 1), 10))
        return -1;
    for (uint32_t off = 0; off < img->size; off += 256) {
        uint32_t n = img->size - off < 256 ? img->size - off : 256;
        if (rb_page_blank(img, off))
            continue;
        uint8_t blk[257];
        blk[0] = (uint8_t)(n - 1);
        memcpy(blk + 1, img->data + off, n);
        if (an_cmd(b, 0x31) || an_addr(b, rb_geo.app_start + off) || an_block(b, blk, n + 1, 5))
            return -1;
    }
    return an_cmd(b, 0x21) || an_addr(b, rb_geo.app_start) ? -1 : 0;
}

static uint16_t crc16(const uint8_t *p, size_t n)
{
    uint16_t c = 0;
    while (n--) {
        c ^= (uint16_t)(*p++ << 8);
        for (int k = 0; k < 8; k++)
            c = (uint16_t)(c & 0x8000 ? c << 1 ^ 0x1021 : c << 1);
    }
    return c;
}

static int ym_block(struct rb_board *b, uint8_t num, const uint8_t *data, size_t n)
{
    uint8_t blk[3 + 1024 + 2];
    blk[0] = n == 1024 ? 0x02 : 0x01; /* STX, SOH */
    blk[1] = num;
    blk[2] = (uint8_t)~num;
    memcpy(blk + 3, data, n);
    uint16_t c = crc16(data, n);
    blk[3 + n] = (uint8_t)(c >> 8);
    blk[4 + n] = (uint8_t)c;
    for (int tries = 0; tries < 3; tries++)
        if (xmit(b, blk, n + 5) == 0 && await(b, 0x06, 0x15, 5) == 1) /* ACK, NAK */
            return 0;
    return -1;
}

int rb_ymodem_update(struct rb_board *b, const struct rb_image *img)
{
    uint8_t one = '1', eot = 0x04, hdr[128], blk[1024];
    if (settle(b) || xmit(b, &one, 1) || await(b, 'C', -1, 5) != 1)
        return -1;
    memset(hdr, 0, sizeof hdr);
    int n = snprintf((char *)hdr, sizeof hdr, "app.bin");
    snprintf((char *)hdr + n + 1, sizeof hdr - (size_t)n - 1, "%u", img->size);
    if (ym_block(b, 0, hdr, 128) || await(b, 'C', -1, 5) != 1)
        return -1;
    uint8_t num = 1;
    for (uint32_t off = 0; off < img->size; off += 1024, num++) {
        uint32_t k = img->size - off < 1024 ? img->size - off : 1024;
        memset(blk, 0x1A, sizeof blk);
        memcpy(blk, img->data + off, k);
        if (ym_block(b, num, blk, 1024))
            return -1;
    }
    if (xmit(b, &eot, 1) || await(b, 0x15, 0x06, 5) < 0 || xmit(b, &eot, 1) ||
        await(b, 0x06, 0x18, 10) != 1) /* ACK after the commit; CAN if it failed */
        return -1;
    memset(hdr, 0, sizeof hdr);
    return ym_block(b, 0, hdr, 128);
}
