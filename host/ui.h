/* What the user sees: progress (a bar on a terminal, plain lines otherwise), the frame trace
 * (--verbose), one JSON object per line (--json), errors and the final summary. The settings here
 * are the tool's only global state. Human output goes to stderr, results (info, json) to stdout. */
#ifndef IAP_UI_H
#define IAP_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "frame.h"
#include "proto.h"

struct ui_settings {
    bool quiet, verbose, json;
    bool tty; /* stderr is a terminal: progress bar */
};
extern struct ui_settings ui;

void ui_init(bool quiet, bool verbose, bool json);
void ui_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ui_progress_start(const char *what, uint64_t total);
void ui_progress(uint64_t done, uint64_t total);
void ui_progress_end(void);
void ui_trace(bool tx, const struct proto_frame *f);
void ui_error(const struct iap_err *err);
void ui_info(const char *port, const struct proto_info *info);
/* "flashed 32768 bytes in 3.4 s (9.6 KB/s), line-rate limit 2.8 s at 115200 baud: 83% efficiency" */
void ui_summary(const char *verb, uint64_t bytes, double seconds, unsigned baud);
/* A JSON event with preformatted members (`"a":1,"b":"x"`), or a human line when not --json. */
void ui_event(const char *event, const char *json_members, const char *human_fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes s as a JSON string literal (with quotes) into out. */
void ui_json_str(char *out, size_t size, const char *s);
double ui_now(void);

#endif
