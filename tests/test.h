/* Minimal test harness: one behaviour per test, named after it.
 *   TEST(crc_of_check_string) { CHECK_EQ(proto_crc32(0, "123456789", 9), 0xCBF43926u); }
 *   int main(void) { RUN(crc_of_check_string); return test_summary(); }
 * Prints "ok NAME" or "FAIL NAME: file:line: what", then "N passed, N failed". */
#ifndef TEST_H
#define TEST_H

#include <stdio.h>
#include <string.h>

static int test_passed, test_failed, test_cur_failed;
static const char *test_cur;

#define TEST(name) static void name(void)

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            printf("FAIL %s: %s:%d: %s\n", test_cur, __FILE__, __LINE__, #cond);           \
            test_cur_failed = 1;                                                           \
            return;                                                                        \
        }                                                                                  \
    } while (0)

#define CHECK_EQ(a, b)                                                                     \
    do {                                                                                   \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                    \
        if (check_a_ != check_b_) {                                                        \
            printf("FAIL %s: %s:%d: %s == %s (%lld != %lld, 0x%llx != 0x%llx)\n", test_cur, \
                   __FILE__, __LINE__, #a, #b, check_a_, check_b_,                         \
                   (unsigned long long)check_a_, (unsigned long long)check_b_);            \
            test_cur_failed = 1;                                                           \
            return;                                                                        \
        }                                                                                  \
    } while (0)

#define CHECK_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)

#define RUN(name)                                                                          \
    do {                                                                                   \
        test_cur = #name;                                                                  \
        test_cur_failed = 0;                                                               \
        name();                                                                            \
        if (test_cur_failed) {                                                             \
            test_failed++;                                                                 \
        } else {                                                                           \
            test_passed++;                                                                 \
            printf("ok %s\n", #name);                                                      \
        }                                                                                  \
        fflush(stdout);                                                                    \
    } while (0)

static inline int test_summary(void)
{
    printf("%d passed, %d failed\n", test_passed, test_failed);
    return test_failed ? 1 : 0;
}

#endif
