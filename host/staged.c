#include "staged.h"

#include <stdlib.h>
#include <string.h>

#include "compat.h"

#define PROBE_MS      300u  /* a STAGE_STATUS this often while the application comes back */
#define BOOT_SLACK_MS 5000u /* after the install: the bootloader's checks and the app's start */

static void note(struct iap_session *s, const char *msg)
{
    if (s->hooks && s->hooks->note)
        s->hooks->note(s->hooks->ctx, msg);
}

const char *iap_staged_status_name(int status)
{
    const char *n = proto_stage_status_name(status);
    return n ? n : iap_status_name(status);
}

static int8_t status_of(const struct iap_frame *f) { return (int8_t)f->payload[0]; }

/* The application refused a staged command: what happened and what to do. */
static int refused(struct iap_err *err, const char *what, int8_t st)
{
    const char *hint = "run iap flash --staged again";
    switch (st) {
    case PROTO_E_STAGE_TRIAL:
        hint = "the running image is on trial and the staging slot holds the way back: it "
               "confirms itself once healthy, then stage the next update";
        break;
    case PROTO_E_STAGE_MODE:
        hint = "this part has no room for two slots: iap flash (without --staged) updates it "
               "through the bootloader";
        break;
    case PROTO_E_IMAGE_CRC:
        hint = "the staging slot does not hold what was sent: run iap flash --staged again";
        break;
    case PROTO_E_VECTOR:
        hint = "the image's initial SP or reset vector does not fit the primary slot: is it "
               "linked for the application start the bootloader reports (iap info)?";
        break;
    case PROTO_E_RANGE:
    case PROTO_E_SIZE:
        hint = "the image does not fit the staging slot (iap info shows its size)";
        break;
    case PROTO_E_FLASH:
    case PROTO_E_NOT_ERASED:
    case PROTO_E_VERIFY:
        hint = "programming the staging slot failed: run iap flash --staged again; if it "
               "persists the flash may be worn";
        break;
    default: break;
    }
    if (err)
        err->status = st;
    return iap_fail(err, IAP_ERR_REFUSED, "the application refused %s: %s: %s", what,
                    iap_staged_status_name(st), hint);
}

/* A command with u32 arguments; a refusal is an error. */
static int cmd(struct iap_session *s, uint8_t type, const uint32_t *args, unsigned n,
               struct iap_frame *f, unsigned extra_ms, struct iap_err *err)
{
    uint8_t p[12];
    for (unsigned i = 0; i < n; i++)
        proto_put32(p + 4 * i, args[i]);
    int rc = iap_session_cmd(s, type, p, (uint16_t)(4 * n), f, extra_ms, err);
    if (rc == 0 && status_of(f) != PROTO_OK)
        rc = refused(err, proto_cmd_name(type), status_of(f));
    return rc;
}

int iap_staged_status(struct iap_session *s, struct proto_stage_status *st, struct iap_err *err)
{
    struct iap_frame f;
    s->t->discard(s->t);
    proto_rx_init(&s->rx, s->rx_buf, sizeof s->rx_buf);
    int rc = iap_session_cmd(s, PROTO_CMD_STAGE_STATUS, NULL, 0, &f, 0, err);
    if (rc == IAP_ERR_TRANSFER)
        return iap_fail(err, IAP_ERR_NO_ANSWER,
                        "no application answered STAGE_STATUS on %s: the running application "
                        "does not take staged updates (build it with the staged receiver, "
                        "examples/demo/stage_rx.c), or the board is not running; iap flash "
                        "(without --staged) updates it through the bootloader",
                        s->t->desc);
    if (rc)
        return rc;
    if (status_of(&f) == PROTO_E_CMD) {
        if (err)
            err->status = PROTO_E_CMD;
        return iap_fail(err, IAP_ERR_REFUSED,
                        "the bootloader on %s answered: the board is in IAP mode, and its "
                        "bootloader has no staged updates (a STAGED=1 build has): iap flash "
                        "(without --staged) updates it",
                        s->t->desc);
    }
    if (status_of(&f) != PROTO_OK)
        return refused(err, "STAGE_STATUS", status_of(&f));
    if (proto_stage_status_decode(st, f.payload + 1, f.len - 1u) != PROTO_OK)
        return iap_fail(err, IAP_ERR_PROTOCOL,
                        "the STAGE_STATUS answer has %u bytes, not %u: update iap or the firmware "
                        "so that they match",
                        f.len - 1u, PROTO_STAGE_STATUS_LEN);
    return 0;
}

/* A .bin placed at PROTO_APP_START goes to the primary slot (the image's one segment moves). */
static void place(struct image *img, uint32_t primary)
{
    uint64_t at = image_start(img);
    if (img->nseg == 0 || at == primary)
        return;
    for (size_t i = 0; i < img->nseg; i++)
        img->seg[i].addr = (uint32_t)(img->seg[i].addr - at + primary);
}

/* The session's geometry for the staging image area, as INFO gives it for the bootloader's. */
static void session_for(struct iap_session *s, const struct proto_stage_status *st)
{
    struct proto_info *i = &s->info;
    memset(i, 0, sizeof *i);
    i->proto_version = PROTO_VERSION;
    i->app_start = st->image;
    i->app_end = st->image + st->slot_size;
    i->page_size = (uint16_t)st->page_size;
    i->max_data = st->max_data > PROTO_MAX_DATA ? PROTO_MAX_DATA : st->max_data;
    i->max_data &= (uint16_t)~1u;
    i->rx_window = st->rx_window;
    i->erase_ms = st->erase_ms;
    i->prog_us = st->prog_us;
    i->sram_size = st->sram_size;
    i->features = PROTO_FEAT_PAGE_CRCS;
    s->window_frames = s->cfg.window ? s->cfg.window : PROTO_MAX_INFLIGHT;
    if (s->window_frames > PROTO_MAX_INFLIGHT)
        s->window_frames = PROTO_MAX_INFLIGHT;
    s->cfg.compress = false;
}

/* BEGIN, the pages that differ (all when full), the CRC compared; once more from a new BEGIN
 * writing everything if it differs (a refusal lost among cumulative acknowledgements). */
static int transfer(struct iap_session *s, const uint8_t *buf, uint32_t len,
                    const struct iap_staged_opts *o, struct iap_staged_result *r,
                    struct iap_err *err)
{
    struct iap_frame f;
    uint32_t page = s->info.page_size, npages = (len + page - 1) / page;
    uint8_t *want = NULL;
    bool full = o->full;
    int rc = 0;
    r->pages = npages;
    for (int pass = 0;; pass++) {
        uint32_t args[2] = {len, o->version}, dev = 0;
        /* BEGIN may erase the trailer page */
        rc = cmd(s, PROTO_CMD_STAGE_BEGIN, args, 2, &f, s->info.erase_ms, err);
        r->pages_written = npages;
        r->written = len;
        if (!rc && !full)
            rc = iap_session_changed_frames(s, buf, len, &want, &r->pages_written, &r->written,
                                            err); /* the staging slot: session_for's geometry */
        if (!rc && !full) {
            char m[160];
            snprintf(m, sizeof m, "%u of %u pages of the staging slot differ: writing %llu bytes",
                     r->pages_written, npages, (unsigned long long)r->written);
            note(s, m);
        }
        if (!rc && r->written)
            rc = iap_session_write_some(s, s->info.app_start, buf, len, want, err);
        free(want);
        want = NULL;
        if (!rc)
            rc = iap_session_crc(s, s->info.app_start, len, &dev, err);
        if (rc || dev == r->crc)
            return rc;
        if (pass == 1)
            return iap_fail(err, IAP_ERR_TRANSFER,
                            "the staging slot's CRC after writing (0x%08x) differs from the "
                            "image's (0x%08x) twice: check the line and run iap flash --staged "
                            "again",
                            dev, r->crc);
        note(s, "the staging slot's CRC differs after writing: writing everything again");
        full = true;
    }
}

/* How long the application may take to come back: the install swaps every page of the larger
 * image twice (erase + program each), then the trial boots of a failing image. */
static unsigned come_back_ms(const struct proto_stage_status *st, uint32_t len,
                             bool with_trial)
{
    uint32_t page = st->page_size ? st->page_size : 1024u;
    uint32_t n = (len > st->running.size ? len : st->running.size) / page + 1u;
    unsigned page_ms = st->erase_ms + (page / 2u * st->prog_us + 999u) / 1000u;
    unsigned ms = 2u * n * page_ms + BOOT_SLACK_MS;
    if (with_trial)
        ms += (st->trial_max ? st->trial_max : 8u) * (st->wdg_ms ? st->wdg_ms : 26000u) + ms;
    return ms;
}

/* STAGE_STATUS probes until an answer or the deadline: 1 answered, 0 not, < 0 a port error. */
static int probe(struct iap_session *s, uint64_t deadline, struct proto_stage_status *st,
                 struct iap_err *err)
{
    struct iap_session_cfg saved = s->cfg;
    int rc = 0, got = 0;
    s->cfg.retries = 0;
    s->cfg.timeout_ms = (int)PROBE_MS;
    while (!got && compat_now_ms() < deadline) {
        struct iap_err e = {0};
        rc = iap_staged_status(s, st, &e);
        got = rc == 0;
        if (rc && rc != IAP_ERR_NO_ANSWER && rc != IAP_ERR_PROTOCOL) {
            if (err)
                *err = e;
            break;
        }
        rc = 0;
    }
    s->cfg = saved;
    return rc < 0 ? rc : got;
}

/* The verdict on the application that answered after the install. */
static int verdict(struct iap_session *s, const struct iap_staged_result *r, struct iap_err *err)
{
    const struct proto_stage_status *a = &r->after;
    char m[200];
    if (a->role == PROTO_STAGE_ROLE_BOOT)
        return iap_fail(err, IAP_ERR_REFUSED,
                        "after the install request the bootloader answered, in IAP mode (%s): no "
                        "application runs; iap info shows the staged state, iap flash puts one "
                        "there",
                        proto_stage_state_name(a->state));
    bool runs = a->running.crc == r->crc && a->running.size == r->size;
    /* (a result mark cut short reads as some refusal: the running image tells) */
    if (!runs && a->staged == PROTO_STAGED_TAKEN && a->result != 0 &&
        a->staged_img.crc == r->crc) {
        if (err)
            err->status = a->result;
        return iap_fail(err, IAP_ERR_REFUSED,
                        "the bootloader refused the staged image: %s; version %u keeps running%s",
                        iap_staged_status_name(a->result), a->running.version,
                        a->result == PROTO_E_UNSIGNED || a->result == PROTO_E_SIG ||
                                a->result == PROTO_E_SIG_KEY
                            ? ": sign the image with iap sign (the device's key: iap info)"
                            : "");
    }
    if (a->state == PROTO_STAGE_ROLLED_BACK && a->previous.crc == r->crc)
        return iap_fail(err, IAP_ERR_REFUSED,
                        "version %u failed its trial (it reset %u times without confirming "
                        "itself, or hung and the watchdog reset it): the bootloader brought "
                        "version %u back",
                        a->previous.version, a->trial_max, a->running.version);
    if (!runs)
        return iap_fail(err, IAP_ERR_VERIFY,
                        "the application came back running CRC 0x%08x, not the staged image's "
                        "0x%08x (%s): iap info shows the staged state",
                        a->running.crc, r->crc, proto_stage_state_name(a->state));
    snprintf(m, sizeof m, "installed: version %u runs%s", a->running.version,
             a->state == PROTO_STAGE_TRIAL ? " on trial until it confirms itself"
             : a->state == PROTO_STAGE_CONFIRMED ? ", confirmed"
                                                  : "");
    note(s, m);
    return 0;
}

int iap_staged_flash(struct iap_session *s, struct image *img, bool rebase_bin,
                     const struct iap_staged_opts *o, struct iap_staged_result *r,
                     struct iap_err *err)
{
    struct iap_frame f;
    struct proto_stage_status *st = &r->before;
    uint8_t *buf = NULL;
    uint32_t len = 0;
    memset(r, 0, sizeof *r);
    int rc = iap_staged_status(s, st, err);
    if (rc)
        return rc;
    if (st->role == PROTO_STAGE_ROLE_BOOT)
        return iap_fail(err, IAP_ERR_REFUSED,
                        "the board on %s is in its bootloader (IAP mode), not running an "
                        "application: --staged needs a running application with the staged "
                        "receiver; iap flash (without --staged) updates it through the "
                        "bootloader",
                        s->t->desc);
    if (!st->mode)
        return refused(err, "the staged update", PROTO_E_STAGE_MODE);
    if (st->state == PROTO_STAGE_TRIAL)
        return refused(err, "the staged update", PROTO_E_STAGE_TRIAL);
    if (rebase_bin)
        place(img, st->primary);
    rc = image_check_fit(img, st->primary, st->primary + st->slot_size, err);
    if (!rc)
        rc = image_flatten(img, st->primary, &buf, &len, err);
    if (!rc && len > st->slot_size)
        rc = iap_fail(err, IAP_ERR_FIT, "image does not fit the staging slot");
    if (!rc)
        rc = image_check_vectors(buf, len, st->primary, st->sram_size, "the image", err);
    if (rc) {
        free(buf);
        return rc;
    }
    session_for(s, st);
    r->size = len;
    r->crc = proto_crc32(0, buf, len);
    if (st->running.crc == r->crc && st->running.size == len) {
        char m[160];
        snprintf(m, sizeof m, "the application already runs this image (CRC 0x%08x, version %u): "
                 "nothing to stage", r->crc, st->running.version);
        note(s, m);
        free(buf);
        r->after = *st;
        r->installed = true;
        r->confirmed = st->state != PROTO_STAGE_TRIAL;
        return 0;
    }
    rc = transfer(s, buf, len, o, r, err);
    free(buf);
    if (!rc) {
        uint32_t crc = r->crc;
        unsigned ms = len / 4096u + 5u + s->info.erase_ms; /* the CRC, the trailer */
        rc = cmd(s, PROTO_CMD_STAGE_FINISH, &crc, 1, &f, ms, err);
    }
    if (rc || o->no_install)
        return rc;
    rc = cmd(s, PROTO_CMD_STAGE_INSTALL, NULL, 0, &f, 0, err);
    if (rc)
        return rc;
    note(s, "staged; the application resets and the bootloader installs the image");
    unsigned wait = o->wait_ms ? o->wait_ms : come_back_ms(st, len, o->wait_confirm);
    uint64_t deadline = compat_now_ms() + wait;
    rc = probe(s, deadline, &r->after, err);
    if (rc <= 0)
        return rc < 0 ? rc
                      : iap_fail(err, IAP_ERR_NO_ANSWER,
                                 "the application did not answer within %u s of the install "
                                 "request: the bootloader may still be installing, or the new "
                                 "image fails its trial; iap info shows the staged state",
                                 (wait + 999u) / 1000u);
    rc = verdict(s, r, err);
    r->installed = rc == 0;
    while (rc == 0 && o->wait_confirm && r->after.state == PROTO_STAGE_TRIAL) {
        struct proto_stage_status a;
        if (probe(s, deadline, &a, err) <= 0)
            return iap_fail(err, IAP_ERR_NO_ANSWER,
                            "the new image did not confirm itself within %u s: iap info shows "
                            "where it stands",
                            (wait + 999u) / 1000u);
        r->after = a;
        if (a.state == PROTO_STAGE_TRIAL && a.running.crc == r->crc)
            continue;
        rc = verdict(s, r, err);
    }
    r->confirmed = rc == 0 && r->after.state == PROTO_STAGE_CONFIRMED;
    return rc;
}

static const char *role_name(uint8_t role)
{
    return role == PROTO_STAGE_ROLE_BOOT ? "bootloader" : role == PROTO_STAGE_ROLE_APP ? "application" : "?";
}

void iap_staged_print(FILE *f, const struct proto_stage_status *st, bool json)
{
    if (json) {
        fprintf(f,
                "{\"event\":\"staged\",\"role\":\"%s\",\"mode\":\"%s\",\"state\":\"%s\","
                "\"trial_boots\":%u,\"trial_max\":%u,\"staged\":\"%s\",\"result\":%d,"
                "\"primary\":%u,\"staging\":%u,\"slot_size\":%u,\"running_version\":%u,"
                "\"running_crc\":%u,\"previous_version\":%u,\"previous_crc\":%u,"
                "\"staged_version\":%u,\"staged_crc\":%u,\"wdg_ms\":%u,\"uptime_s\":%u}\n",
                role_name(st->role), st->mode ? "staged" : "direct",
                proto_stage_state_name(st->state), st->trial_boots, st->trial_max,
                proto_stage_staged_name(st->staged), st->result, st->primary, st->image,
                st->slot_size, st->running.version, st->running.crc, st->previous.version,
                st->previous.crc, st->staged_img.version, st->staged_img.crc, st->wdg_ms,
                st->uptime_s);
        return;
    }
    if (!st->mode) {
        fprintf(f, "staged:        no (the part has no room for two slots: direct updates)\n");
        return;
    }
    fprintf(f, "staged:        slots of %u bytes: primary 0x%08x, staging image 0x%08x\n",
            st->slot_size, st->primary, st->image);
    switch (st->state) {
    case PROTO_STAGE_TRIAL:
        fprintf(f, "trial:         version %u on trial, boot %u of %u (IWDG %u ms); version %u "
                   "kept as the way back\n",
                st->running.version, st->trial_boots, st->trial_max, st->wdg_ms,
                st->previous.version);
        break;
    case PROTO_STAGE_CONFIRMED:
        fprintf(f, "trial:         version %u confirmed (version %u was before it)\n",
                st->running.version, st->previous.version);
        break;
    case PROTO_STAGE_ROLLED_BACK:
        fprintf(f, "rejected:      version %u (CRC 0x%08x) failed its trial; version %u runs "
                   "again\n",
                st->previous.version, st->previous.crc, st->running.version);
        break;
    case PROTO_STAGE_INSTALLING:
    case PROTO_STAGE_ROLLING_BACK:
        fprintf(f, "trial:         %s stopped part-way: the next reset resumes it\n",
                st->state == PROTO_STAGE_INSTALLING ? "an install" : "a rollback");
        break;
    default:
        fprintf(f, "trial:         none\n");
        break;
    }
    if (st->staged == PROTO_STAGED_TAKEN && st->result != 0 &&
        st->staged_img.crc != st->running.crc)
        fprintf(f, "staged image:  version %u refused by the bootloader: %s\n",
                st->staged_img.version, iap_staged_status_name(st->result));
    else if (st->staged == PROTO_STAGED_READY || st->staged == PROTO_STAGED_REQUESTED)
        fprintf(f, "staged image:  version %u, %u bytes, CRC 0x%08x%s\n", st->staged_img.version,
                st->staged_img.size, st->staged_img.crc,
                st->staged == PROTO_STAGED_REQUESTED ? ", installed at the next reset" : "");
}

int iap_staged_info(struct iap_session *s, bool json, struct iap_err *err)
{
    struct proto_stage_status st;
    int rc = iap_staged_status(s, &st, err);
    if (!rc)
        iap_staged_print(stdout, &st, json);
    return rc;
}
