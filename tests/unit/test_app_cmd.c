/* Host tests of the application's update-command matcher (app_cmd.c). */
#include <stdlib.h>

#include "app_iap.h"
#include "proto.h"
#include "test.h"

static const char cmd[] = PROTO_APP_UPDATE_CMD;

/* Feeds s, returns how many times the command was recognised. */
static int feed(struct app_cmd_matcher *m, const char *s, size_t n)
{
    int hits = 0;
    for (size_t i = 0; i < n; i++)
        hits += app_cmd_feed(m, (uint8_t)s[i]);
    return hits;
}
#define FEED(m, s) feed((m), (s), sizeof(s) - 1u)

TEST(command_alone_is_recognised_on_its_last_byte)
{
    struct app_cmd_matcher m = {0};
    CHECK_EQ(feed(&m, cmd, sizeof cmd - 2u), 0);
    CHECK(app_cmd_feed(&m, '\r'));
}

TEST(command_after_log_noise_is_recognised)
{
    struct app_cmd_matcher m = {0};
    CHECK_EQ(FEED(&m, "hello\r\nworld#iap-upd\r" PROTO_APP_UPDATE_CMD), 1);
}

TEST(extra_carriage_return_before_the_command_still_matches)
{
    struct app_cmd_matcher m = {0};
    CHECK_EQ(FEED(&m, "\r\r\r" PROTO_APP_UPDATE_CMD), 1);
}

TEST(interrupted_command_restarts_at_its_carriage_return)
{
    struct app_cmd_matcher m = {0};
    CHECK_EQ(FEED(&m, "\r#iap-up\r#iap-update\r"), 1);
}

TEST(partial_or_misspelt_commands_do_not_match)
{
    struct app_cmd_matcher m = {0};
    CHECK_EQ(FEED(&m, "\r#iap-update"), 0);
    m.matched = 0;
    CHECK_EQ(FEED(&m, "#iap-update\r\r#IAP-UPDATE\r\r#iap-updates\r"), 0);
}

TEST(command_sent_twice_matches_twice)
{
    struct app_cmd_matcher m = {0};
    CHECK_EQ(FEED(&m, PROTO_APP_UPDATE_CMD PROTO_APP_UPDATE_CMD), 2);
}

TEST(random_streams_agree_with_a_naive_search)
{
    const size_t len = sizeof cmd - 1u;
    const char alphabet[] = "\r#iap-update";
    srand(1);
    for (int t = 0; t < 20000; t++) {
        char buf[48];
        size_t n = (size_t)rand() % sizeof buf, last = 0;
        for (size_t i = 0; i < n; i++)
            buf[i] = alphabet[rand() % (int)(sizeof alphabet - 1u)];
        if (n >= len && rand() % 2)
            memcpy(buf + (size_t)rand() % (n - len + 1u), cmd, len);
        struct app_cmd_matcher m = {0};
        for (size_t i = 0; i < n; i++) {
            int want = i + 1u >= len + last && memcmp(buf + i + 1u - len, cmd, len) == 0;
            if (want)
                last = i + 1u;
            CHECK_EQ(app_cmd_feed(&m, (uint8_t)buf[i]), want);
        }
    }
}

int main(void)
{
    RUN(command_alone_is_recognised_on_its_last_byte);
    RUN(command_after_log_noise_is_recognised);
    RUN(extra_carriage_return_before_the_command_still_matches);
    RUN(interrupted_command_restarts_at_its_carriage_return);
    RUN(partial_or_misspelt_commands_do_not_match);
    RUN(command_sent_twice_matches_twice);
    RUN(random_streams_agree_with_a_naive_search);
    return test_summary();
}
