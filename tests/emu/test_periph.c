/* Peripheral models on a fake board (no CPU): register behaviour and timing after RM0008. */
#include <fcntl.h>
#include <stdlib.h>
#include <termios.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fake_board.h"
#include "test.h"
#include "uart_line.h"

#define RCC 0x40021000u
#define RCC_CR (RCC + 0x00)
#define RCC_CFGR (RCC + 0x04)
#define RCC_APB2RSTR (RCC + 0x0C)
#define RCC_AHBENR (RCC + 0x14)
#define RCC_APB2ENR (RCC + 0x18)
#define RCC_APB1ENR (RCC + 0x1C)
#define RCC_BDCR (RCC + 0x20)
#define RCC_CSR (RCC + 0x24)
#define GPIOA 0x40010800u
#define GPIOB 0x40010C00u
#define AFIO 0x40010000u
#define USART1 0x40013800u
#define U_SR (USART1 + 0x00)
#define U_DR (USART1 + 0x04)
#define U_BRR (USART1 + 0x08)
#define U_CR1 (USART1 + 0x0C)
#define U_CR2 (USART1 + 0x10)
#define U_CR3 (USART1 + 0x14)
#define DMA1 0x40020000u
#define DMA_ISR (DMA1 + 0x00)
#define DMA_IFCR (DMA1 + 0x04)
#define CCR(x) (DMA1 + 0x08 + 20u * ((x) - 1u))
#define CNDTR(x) (CCR(x) + 4)
#define CPAR(x) (CCR(x) + 8)
#define CMAR(x) (CCR(x) + 12)
#define PWR_CR 0x40007000u
#define BKP_DR(n) (0x40006C00u + 4u * (n))
#define CRC_DR 0x40023000u
#define CRC_IDR 0x40023004u
#define CRC_CR 0x40023008u
#define IWDG_KR 0x40003000u
#define IWDG_PR 0x40003004u
#define IWDG_RLR 0x40003008u
#define IWDG_SR 0x4000300Cu

#define SR_ORE (1u << 3)
#define SR_IDLE (1u << 4)
#define SR_RXNE (1u << 5)
#define SR_TC (1u << 6)
#define SR_TXE (1u << 7)
#define UE (1u << 13)
#define TE (1u << 3)
#define RE (1u << 2)
#define US 1000u
#define MS 1000000u
#define CHAR_115200_8MHZ 86250u /* 10 bits * BRR 69 / 8 MHz */

static struct board *B;
static int host = -1; /* test side of the USART1 socketpair */

static void close_board(void);

/* A board of `part` (NULL: f103c8) whose host socket is wired to USART uart_index at the pins
 * of remap uart_remap (0, 0: USART1 on PA9/PA10). */
static void open_board_wired(const char *part, int uart_index, int uart_remap, int verbose)
{
    if (B)
        close_board(); /* a failed CHECK returned early */
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        abort();
    host = sv[1];
    fcntl(host, F_SETFL, O_NONBLOCK);
    struct emu_config cfg = { .uart_mode = EMU_UART_FD, .uart_fd = sv[0], .verbose = verbose,
                              .part = part, .uart_index = uart_index, .uart_remap = uart_remap };
    B = fake_create(&cfg);
}

static void open_board(int verbose)
{
    open_board_wired(NULL, 0, 0, verbose);
}

static void close_board(void)
{
    int fd = B->cfg.uart_fd;
    fake_destroy(B);
    if (fd >= 0)
        close(fd);
    if (host >= 0)
        close(host);
    host = -1;
    B = NULL;
}

static void host_send(const char *s, size_t n)
{
    if (write(host, s, n) != (ssize_t)n)
        abort();
    fake_poll(B);
}

static size_t host_recv(uint8_t *buf, size_t max)
{
    ssize_t n = read(host, buf, max);
    return n > 0 ? (size_t)n : 0;
}

/* USART1 on, 8N1, receiver and transmitter, past the idle preamble; PA9 (TX) an alternate-
 * function push-pull output, PA10 (RX) a floating input, as the host is wired to them. */
static void usart_on(uint32_t brr, uint32_t cr1_extra)
{
    WR32(B, RCC_APB2ENR, RD32(B, RCC_APB2ENR) | (1u << 14) | (1u << 2));
    WR32(B, GPIOA + 0x04, (RD32(B, GPIOA + 0x04) & ~0xFF0u) | (0xBu << 4) | (0x4u << 8));
    WR32(B, U_BRR, brr);
    WR32(B, U_CR1, UE | TE | RE | cr1_extra);
    fake_run_for(B, 200 * US);
}

/* ---- RCC ---- */

TEST(rcc_resets_to_hsi_8mhz)
{
    open_board(0);
    CHECK_EQ(RD32(B, RCC_CR) & 0xFFu, 0x83u);
    CHECK_EQ(RD32(B, RCC_CFGR), 0);
    CHECK_EQ(rcc_clock_hz(B, CLK_SYSCLK), 8000000);
    CHECK_EQ(rcc_clock_hz(B, CLK_PCLK2), 8000000);
    CHECK_EQ(RD32(B, RCC_AHBENR), 0x14u);
    close_board();
}

TEST(rcc_hse_ready_follows_enable_after_startup_delay)
{
    open_board(0);
    WR32(B, RCC_CR, RD32(B, RCC_CR) | (1u << 16));
    CHECK_EQ(RD32(B, RCC_CR) & (1u << 17), 0);
    fake_run_for(B, 1 * MS);
    CHECK(RD32(B, RCC_CR) & (1u << 17));
    WR32(B, RCC_CR, RD32(B, RCC_CR) & ~(1u << 16));
    CHECK_EQ(RD32(B, RCC_CR) & (1u << 17), 0);
    close_board();
}

static void pll_72mhz(void)
{
    WR32(B, RCC_CR, RD32(B, RCC_CR) | (1u << 16));
    while (!(RD32(B, RCC_CR) & (1u << 17)))
        fake_run_for(B, 10 * US);
    /* PLLSRC = HSE, PLLMUL x9, APB1 /2 */
    WR32(B, RCC_CFGR, (1u << 16) | (7u << 18) | (4u << 8));
    WR32(B, RCC_CR, RD32(B, RCC_CR) | (1u << 24));
    while (!(RD32(B, RCC_CR) & (1u << 25)))
        fake_run_for(B, 10 * US);
    WR32(B, RCC_CFGR, RD32(B, RCC_CFGR) | 2u);
}

TEST(rcc_pll_from_hse_reaches_72mhz)
{
    open_board(0);
    pll_72mhz();
    CHECK_EQ((RD32(B, RCC_CFGR) >> 2) & 3u, 2);
    CHECK_EQ(rcc_clock_hz(B, CLK_SYSCLK), 72000000);
    CHECK_EQ(rcc_clock_hz(B, CLK_HCLK), 72000000);
    CHECK_EQ(rcc_clock_hz(B, CLK_PCLK1), 36000000);
    CHECK_EQ(rcc_clock_hz(B, CLK_PCLK2), 72000000);
    close_board();
}

TEST(rcc_switch_waits_until_source_ready)
{
    open_board(0);
    WR32(B, RCC_CFGR, (14u << 18)); /* HSI/2 x16 = 64 MHz */
    WR32(B, RCC_CR, RD32(B, RCC_CR) | (1u << 24));
    WR32(B, RCC_CFGR, RD32(B, RCC_CFGR) | 2u);
    CHECK_EQ((RD32(B, RCC_CFGR) >> 2) & 3u, 0);
    CHECK_EQ(rcc_clock_hz(B, CLK_SYSCLK), 8000000);
    fake_run_for(B, 1 * MS);
    CHECK_EQ((RD32(B, RCC_CFGR) >> 2) & 3u, 2);
    CHECK_EQ(rcc_clock_hz(B, CLK_SYSCLK), 64000000);
    close_board();
}

TEST(rcc_sysclk_source_cannot_be_switched_off)
{
    open_board(0);
    WR32(B, RCC_CR, 0);
    CHECK(RD32(B, RCC_CR) & 1u);
    pll_72mhz();
    WR32(B, RCC_CR, 0);
    CHECK(RD32(B, RCC_CR) & (1u << 24));
    CHECK(RD32(B, RCC_CR) & (1u << 16));
    close_board();
}

TEST(rcc_pll_configuration_ignored_while_pll_on)
{
    open_board(0);
    WR32(B, RCC_CFGR, (7u << 18));
    WR32(B, RCC_CR, RD32(B, RCC_CR) | (1u << 24));
    WR32(B, RCC_CFGR, (14u << 18));
    CHECK_EQ((RD32(B, RCC_CFGR) >> 18) & 0xFu, 7);
    close_board();
}

TEST(rcc_reset_flags_por_software_and_rmvf)
{
    open_board(0);
    CHECK_EQ(RD32(B, RCC_CSR) & 0xFC000000u, 0x0C000000u);
    WR32(B, RCC_CSR, 1u << 24);
    CHECK_EQ(RD32(B, RCC_CSR) & 0xFC000000u, 0);
    fake_reset(B, RESET_SYSTEM);
    CHECK_EQ(RD32(B, RCC_CSR) & 0xFC000000u, (1u << 28) | (1u << 26));
    close_board();
}

TEST(rcc_apb2rstr_resets_usart1)
{
    open_board(0);
    usart_on(69, 0);
    WR32(B, RCC_APB2RSTR, 1u << 14);
    WR32(B, RCC_APB2RSTR, 0);
    CHECK_EQ(RD32(B, U_CR1), 0);
    CHECK_EQ(RD32(B, U_BRR), 0);
    close_board();
}

/* ---- GPIO ---- */

TEST(gpio_clock_off_reads_zero_and_ignores_writes)
{
    open_board(0);
    CHECK_EQ(RD32(B, GPIOA + 0x04), 0);
    WR32(B, GPIOA + 0x0C, 0xFFFF);
    WR32(B, RCC_APB2ENR, 1u << 2);
    CHECK_EQ(RD32(B, GPIOA + 0x0C), 0);
    CHECK_EQ(RD32(B, GPIOA + 0x04), 0x44444444u);
    close_board();
}

TEST(gpio_output_change_logged_with_emulated_time)
{
    open_board(1);
    WR32(B, RCC_APB2ENR, 1u << 2);
    WR32(B, GPIOA + 0x00, (RD32(B, GPIOA) & ~0xF0000u) | 0x30000u); /* PA4 push-pull 50 MHz */
    fake_run_to(B, 12345678);
    WR32(B, GPIOA + 0x10, 1u << 4);
    CHECK(strstr(B->log, "[  12.345678 ms] PA4 = 1") != NULL);
    CHECK_EQ(RD32(B, GPIOA + 0x08) & (1u << 4), 1u << 4);
    WR32(B, GPIOA + 0x14, 1u << 4);
    CHECK(strstr(B->log, "[  12.345678 ms] PA4 = 0") != NULL);
    close_board();
}

TEST(gpio_released_input_reads_its_pull_or_zero)
{
    open_board(0);
    WR32(B, RCC_APB2ENR, 1u << 2);
    CHECK_EQ(RD32(B, GPIOA + 0x08) & 1u, 0);                /* floating: 0 */
    WR32(B, GPIOA + 0x00, (RD32(B, GPIOA) & ~0xFu) | 0x8u); /* PA0 input with pull */
    WR32(B, GPIOA + 0x0C, 1u);                              /* pull-up */
    CHECK_EQ(RD32(B, GPIOA + 0x08) & 1u, 1);
    WR32(B, GPIOA + 0x0C, 0u); /* pull-down */
    CHECK_EQ(RD32(B, GPIOA + 0x08) & 1u, 0);
    gpio_set_input(B, 0, 0, 1); /* button to 3.3 V wins over the pull-down */
    CHECK_EQ(RD32(B, GPIOA + 0x08) & 1u, 1);
    gpio_set_input(B, 0, 0, -1);
    CHECK_EQ(RD32(B, GPIOA + 0x08) & 1u, 0);
    close_board();
}

TEST(gpio_pin_events_apply_at_power_on_and_at_their_time)
{
    if (B)
        close_board();
    struct emu_config cfg = { .npins = 2, .uart_fd = -1 };
    cfg.pins[0] = (struct emu_pin_event){ .at_ns = 0, .port = 1, .pin = 3, .level = 1 };
    cfg.pins[1] = (struct emu_pin_event){ .at_ns = 5 * MS, .port = 1, .pin = 3, .level = 0 };
    B = fake_create(&cfg);
    WR32(B, RCC_APB2ENR, 1u << 3);
    CHECK(RD32(B, GPIOB + 0x08) & (1u << 3));
    fake_run_to(B, 4 * MS);
    CHECK(RD32(B, GPIOB + 0x08) & (1u << 3));
    fake_run_to(B, 6 * MS);
    CHECK_EQ(RD32(B, GPIOB + 0x08) & (1u << 3), 0);
    fake_destroy(B);
    B = NULL;
}

TEST(gpio_bsrr_set_wins_over_reset)
{
    open_board(0);
    WR32(B, RCC_APB2ENR, 1u << 2);
    WR32(B, GPIOA + 0x10, (1u << 5) | (1u << 21) | (1u << 22));
    CHECK_EQ(RD32(B, GPIOA + 0x0C), 1u << 5);
    fake_wr(B, GPIOA + 0x12, 2, 1u << 5); /* half-word write to the reset half */
    CHECK_EQ(RD32(B, GPIOA + 0x0C), 0);
    close_board();
}

TEST(gpio_lock_sequence_freezes_configuration)
{
    open_board(0);
    WR32(B, RCC_APB2ENR, 1u << 2);
    uint32_t k = 1u << 16 | 1u << 1;
    WR32(B, GPIOA + 0x18, k);
    WR32(B, GPIOA + 0x18, k & 0xFFFFu);
    WR32(B, GPIOA + 0x18, k);
    CHECK_EQ(RD32(B, GPIOA + 0x18) & (1u << 16), 0);
    CHECK(RD32(B, GPIOA + 0x18) & (1u << 16));
    WR32(B, GPIOA + 0x00, 0x33333333u);
    CHECK_EQ(RD32(B, GPIOA + 0x00), 0x33333343u); /* PA1 kept its configuration */
    close_board();
}

TEST(gpio_unimplemented_offsets_are_refused)
{
    open_board(0);
    CHECK(!fake_access_ok(B, GPIOA + 0x1C, 4, false));
    CHECK(!fake_access_ok(B, AFIO + 0x1C, 4, true));
    CHECK(!fake_access_ok(B, USART1 + 0x1C, 4, false));
    CHECK(!fake_access_ok(B, RCC + 0x28, 4, false));
    CHECK(!fake_access_ok(B, DMA1 + 0x18, 4, false));
    CHECK(!fake_access_ok(B, BKP_DR(0), 4, false));
    CHECK(!fake_access_ok(B, 0x40006C40u, 4, false)); /* DR11: high-density only */
    close_board();
}

/* ---- USART1 ---- */

TEST(usart_bytes_arrive_one_character_time_apart)
{
    open_board(0);
    usart_on(69, 0);
    host_send("AB", 2);
    fake_run_for(B, CHAR_115200_8MHZ - 1000);
    CHECK_EQ(RD32(B, U_SR) & SR_RXNE, 0);
    fake_run_for(B, 1000);
    CHECK(RD32(B, U_SR) & SR_RXNE);
    CHECK_EQ(RD32(B, U_DR), 'A');
    CHECK_EQ(RD32(B, U_SR) & SR_RXNE, 0);
    fake_run_for(B, CHAR_115200_8MHZ);
    CHECK_EQ(RD32(B, U_DR), 'B');
    close_board();
}

TEST(usart_host_bytes_held_until_receiver_enabled)
{
    open_board(0);
    WR32(B, RCC_APB2ENR, 1u << 14);
    WR32(B, U_BRR, 69);
    host_send("xyz", 3);
    fake_run_for(B, 10 * MS);
    WR32(B, U_CR1, UE | RE);
    uint8_t got[3];
    for (int i = 0; i < 3; i++) {
        fake_run_for(B, CHAR_115200_8MHZ);
        CHECK(RD32(B, U_SR) & SR_RXNE);
        got[i] = (uint8_t)RD32(B, U_DR);
    }
    CHECK_MEM(got, "xyz", 3);
    CHECK_EQ(RD32(B, U_SR) & SR_ORE, 0);
    close_board();
}

TEST(usart_slow_reader_gets_ore_and_loses_bytes)
{
    open_board(0);
    usart_on(69, 0);
    host_send("ABC", 3);
    fake_run_for(B, 4 * CHAR_115200_8MHZ);
    uint32_t sr = RD32(B, U_SR);
    CHECK(sr & SR_ORE);
    CHECK(sr & SR_RXNE);
    CHECK_EQ(RD32(B, U_DR), 'A'); /* RDR keeps the first byte; B and C are lost */
    CHECK_EQ(RD32(B, U_SR) & (SR_ORE | SR_RXNE), 0);
    fake_run_for(B, 4 * CHAR_115200_8MHZ);
    CHECK_EQ(RD32(B, U_SR) & SR_RXNE, 0);
    close_board();
}

TEST(usart_ore_needs_sr_read_before_dr_read)
{
    open_board(0);
    usart_on(69, 0);
    host_send("AB", 2);
    fake_run_for(B, 3 * CHAR_115200_8MHZ);
    RD32(B, U_DR); /* DR read alone clears RXNE but not ORE */
    CHECK(RD32(B, U_SR) & SR_ORE);
    RD32(B, U_DR);
    CHECK_EQ(RD32(B, U_SR) & SR_ORE, 0);
    close_board();
}

TEST(usart_idle_set_one_character_after_the_last_byte)
{
    open_board(0);
    usart_on(69, 0);
    host_send("A", 1);
    fake_run_for(B, CHAR_115200_8MHZ);
    CHECK_EQ(RD32(B, U_SR) & SR_IDLE, 0);
    fake_run_for(B, CHAR_115200_8MHZ);
    CHECK(RD32(B, U_SR) & SR_IDLE);
    RD32(B, U_DR);
    CHECK_EQ(RD32(B, U_SR) & SR_IDLE, 0);
    close_board();
}

TEST(usart_tx_timing_txe_then_tc)
{
    open_board(0);
    usart_on(69, 0);
    CHECK_EQ(RD32(B, U_SR) & (SR_TXE | SR_TC), SR_TXE | SR_TC);
    WR32(B, U_DR, 'h'); /* into the idle shifter at once: TXE back to 1 */
    uint32_t sr = RD32(B, U_SR);
    CHECK(sr & SR_TXE);
    CHECK_EQ(sr & SR_TC, 0);
    WR32(B, U_DR, 'i'); /* waits in TDR */
    CHECK_EQ(RD32(B, U_SR) & SR_TXE, 0);
    fake_run_for(B, CHAR_115200_8MHZ);
    uint8_t buf[4];
    CHECK_EQ(host_recv(buf, sizeof buf), 1);
    CHECK_EQ(buf[0], 'h');
    CHECK(RD32(B, U_SR) & SR_TXE);
    CHECK_EQ(RD32(B, U_SR) & SR_TC, 0);
    fake_run_for(B, CHAR_115200_8MHZ);
    CHECK_EQ(host_recv(buf, sizeof buf), 1);
    CHECK_EQ(buf[0], 'i');
    CHECK(RD32(B, U_SR) & SR_TC);
    close_board();
}

TEST(usart_character_time_follows_pclk2_72mhz_brr_625)
{
    open_board(0);
    pll_72mhz();
    usart_on(625, 0); /* 72 MHz / 115200 */
    host_send("Z", 1);
    fake_run_for(B, 86700);
    CHECK_EQ(RD32(B, U_SR) & SR_RXNE, 0);
    fake_run_for(B, 200); /* 10 * 625 / 72 MHz = 86.806 us */
    CHECK(RD32(B, U_SR) & SR_RXNE);
    close_board();
}

TEST(usart_8e1_passes_bytes_unchanged_with_parity_in_bit8)
{
    open_board(0);
    usart_on(69, (1u << 12) | (1u << 10)); /* M = 1, PCE, even */
    host_send("\x55\x57", 2);
    fake_run_for(B, 11 * CHAR_115200_8MHZ / 10 + 1);
    CHECK_EQ(RD32(B, U_DR), 0x055); /* four ones: even parity bit 0 */
    fake_run_for(B, 11 * CHAR_115200_8MHZ / 10 + 1);
    CHECK_EQ(RD32(B, U_DR), 0x157);
    WR32(B, U_DR, 0xA7);
    fake_run_for(B, 2 * CHAR_115200_8MHZ);
    uint8_t c = 0;
    CHECK_EQ(host_recv(&c, 1), 1);
    CHECK_EQ(c, 0xA7);
    close_board();
}

TEST(usart_7e1_transmits_parity_in_the_msb)
{
    open_board(0);
    usart_on(69, (1u << 10) | (1u << 9)); /* M = 0, PCE, odd */
    WR32(B, U_DR, 0x41);                   /* 'A' has two ones: odd parity bit 1 */
    fake_run_for(B, 2 * CHAR_115200_8MHZ);
    uint8_t c = 0;
    CHECK_EQ(host_recv(&c, 1), 1);
    CHECK_EQ(c, 0xC1);
    close_board();
}

TEST(usart_rxne_interrupt_follows_flag_and_enable)
{
    open_board(0);
    usart_on(69, 1u << 5); /* RXNEIE */
    CHECK(!B->irq[37]);
    host_send("q", 1);
    fake_run_for(B, CHAR_115200_8MHZ);
    CHECK(B->irq[37]);
    RD32(B, U_DR);
    CHECK(!B->irq[37]);
    close_board();
}

TEST(usart_clock_off_reads_zero)
{
    open_board(0);
    CHECK_EQ(RD32(B, U_SR), 0);
    WR32(B, U_BRR, 69);
    WR32(B, RCC_APB2ENR, 1u << 14);
    CHECK_EQ(RD32(B, U_BRR), 0);
    CHECK_EQ(RD32(B, U_SR), 0xC0u);
    close_board();
}

TEST(usart_stop_string_in_tx_stream_stops_the_board)
{
    if (B)
        close_board();
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    struct emu_config cfg = { .uart_mode = EMU_UART_FD, .uart_fd = sv[0], .stop_on_uart = "OK" };
    B = fake_create(&cfg);
    host = sv[1];
    usart_on(69, 0);
    const char *s = "xOxOK";
    for (int i = 0; s[i]; i++) {
        CHECK(!B->stopped);
        while (!(RD32(B, U_SR) & SR_TXE))
            fake_run_for(B, 10 * US);
        WR32(B, U_DR, (uint8_t)s[i]);
    }
    fake_run_for(B, 3 * CHAR_115200_8MHZ);
    CHECK(B->stopped);
    CHECK_EQ(B->stop_code, EMU_EXIT_OK);
    close_board();
}


TEST(usart_tc_cleared_by_dr_write_racing_the_previous_character)
{
    open_board(0);
    usart_on(69, 0);
    RD32(B, U_SR);
    WR32(B, U_DR, 'x');
    fake_run_for(B, CHAR_115200_8MHZ - 10);
    CHECK_EQ(RD32(B, U_SR) & SR_TC, 0); /* SR read: 'x' still on the line */
    fake_run_for(B, 10);                /* 'x' ends between the SR read and the DR write */
    WR32(B, U_DR, '!');
    CHECK_EQ(RD32(B, U_SR) & SR_TC, 0); /* '!' is on its way: TC must not be left set */
    fake_run_for(B, CHAR_115200_8MHZ);
    CHECK(RD32(B, U_SR) & SR_TC);
    close_board();
}

TEST(usart_tc_not_cleared_by_dr_write_without_sr_read)
{
    open_board(0);
    usart_on(69, 0);
    RD32(B, U_DR); /* ends any SR-read sequence */
    WR32(B, U_DR, 'x');
    CHECK(RD32(B, U_SR) & SR_TC); /* DMA users clear TC by writing 0 to it */
    WR32(B, U_SR, ~SR_TC);
    CHECK_EQ(RD32(B, U_SR) & SR_TC, 0);
    close_board();
}

TEST(dma_half_transfer_flag_and_width_conversion)
{
    open_board(0);
    uint16_t src[4] = { 0x1111, 0x2222, 0x3333, 0x4444 };
    memcpy(B->sram, src, sizeof src);
    WR32(B, RCC_AHBENR, RD32(B, RCC_AHBENR) | 1u);
    WR32(B, CPAR(6), FAKE_SRAM);
    WR32(B, CMAR(6), FAKE_SRAM + 0x80);
    WR32(B, CNDTR(6), 4);
    /* MEM2MEM, 16-bit peripheral side -> 32-bit memory side, both incrementing */
    WR32(B, CCR(6), (1u << 14) | (2u << 10) | (1u << 8) | (1u << 7) | (1u << 6) | 1u);
    uint32_t dst[4];
    memcpy(dst, &B->sram[0x80], sizeof dst);
    CHECK_EQ(dst[0], 0x1111);
    CHECK_EQ(dst[3], 0x4444);
    CHECK(RD32(B, DMA_ISR) & (1u << 22)); /* HTIF6 */
    close_board();
}

TEST(rcc_ready_interrupt_flag_and_clear)
{
    open_board(0);
    WR32(B, RCC + 0x08, 1u << 11); /* HSERDYIE */
    WR32(B, RCC_CR, RD32(B, RCC_CR) | (1u << 16));
    fake_run_for(B, 1 * MS);
    CHECK(RD32(B, RCC + 0x08) & (1u << 3)); /* HSERDYF */
    CHECK(B->irq[5]);
    WR32(B, RCC + 0x08, (1u << 11) | (1u << 19)); /* HSERDYC */
    CHECK_EQ(RD32(B, RCC + 0x08) & (1u << 3), 0);
    CHECK(!B->irq[5]);
    close_board();
}

/* ---- DMA1 ---- */

static void dma_rx_ring(uint32_t ring, uint32_t n)
{
    WR32(B, RCC_AHBENR, RD32(B, RCC_AHBENR) | 1u);
    WR32(B, CPAR(5), U_DR);
    WR32(B, CMAR(5), ring);
    WR32(B, CNDTR(5), n);
    /* MINC CIRC TCIE HTIE EN */
    WR32(B, CCR(5), (1u << 7) | (1u << 5) | (1u << 1) | (1u << 2) | 1u);
    WR32(B, U_CR3, 1u << 6);                                            /* DMAR */
}

TEST(dma_circular_receive_keeps_every_byte)
{
    open_board(0);
    usart_on(69, 0);
    dma_rx_ring(FAKE_SRAM + 0x100, 8);
    host_send("0123456789abcdefghij", 20);
    fake_run_for(B, 10 * CHAR_115200_8MHZ); /* ten bytes in: first pass done, HT of the second */
    CHECK_EQ(RD32(B, CNDTR(5)), 6);
    CHECK(RD32(B, DMA_ISR) & (1u << 17)); /* TCIF5 */
    CHECK(B->irq[15]);
    fake_run_for(B, 10 * CHAR_115200_8MHZ + 1);
    CHECK_EQ(RD32(B, CNDTR(5)), 4);
    CHECK_MEM(&B->sram[0x100], "ghijcdef", 8);
    CHECK_EQ(RD32(B, U_SR) & SR_ORE, 0);
    WR32(B, DMA_IFCR, 1u << 16); /* CGIF5 */
    CHECK_EQ(RD32(B, DMA_ISR) & (0xFu << 16), 0);
    CHECK(!B->irq[15]);
    close_board();
}

TEST(dma_request_pending_when_channel_enabled_late_is_served)
{
    open_board(0);
    usart_on(69, 0);
    WR32(B, U_CR3, 1u << 6);
    host_send("k", 1);
    fake_run_for(B, CHAR_115200_8MHZ);
    CHECK(RD32(B, U_SR) & SR_RXNE);
    dma_rx_ring(FAKE_SRAM, 4);
    CHECK_EQ(B->sram[0], 'k');
    CHECK_EQ(RD32(B, U_SR) & SR_RXNE, 0);
    close_board();
}

TEST(dma_channel4_transmits_a_buffer)
{
    open_board(0);
    usart_on(69, 0);
    memcpy(B->sram, "hello", 5);
    WR32(B, RCC_AHBENR, RD32(B, RCC_AHBENR) | 1u);
    WR32(B, CPAR(4), U_DR);
    WR32(B, CMAR(4), FAKE_SRAM);
    WR32(B, CNDTR(4), 5);
    WR32(B, CCR(4), (1u << 7) | (1u << 4) | 1u); /* MINC DIR EN */
    WR32(B, U_SR, ~SR_TC);
    WR32(B, U_CR3, 1u << 7); /* DMAT */
    fake_run_for(B, 6 * CHAR_115200_8MHZ);
    uint8_t buf[8];
    CHECK_EQ(host_recv(buf, sizeof buf), 5);
    CHECK_MEM(buf, "hello", 5);
    CHECK_EQ(RD32(B, CNDTR(4)), 0);
    CHECK(RD32(B, DMA_ISR) & (1u << 13));
    CHECK(RD32(B, U_SR) & SR_TC);
    close_board();
}

TEST(dma_transfer_error_sets_teif_and_disables_channel)
{
    open_board(0);
    WR32(B, RCC_AHBENR, RD32(B, RCC_AHBENR) | 1u);
    WR32(B, CPAR(1), 0x60000000u);
    WR32(B, CMAR(1), FAKE_SRAM);
    WR32(B, CNDTR(1), 4);
    WR32(B, CCR(1), (1u << 14) | (1u << 3) | 1u); /* MEM2MEM TEIE EN */
    CHECK_EQ(RD32(B, DMA_ISR) & 0xFu, 0x9u);      /* TEIF1 | GIF1 */
    CHECK_EQ(RD32(B, CCR(1)) & 1u, 0);
    CHECK(B->irq[11]);
    close_board();
}

TEST(dma_mem2mem_copies_words_and_counts_down)
{
    open_board(0);
    for (int i = 0; i < 16; i++)
        B->sram[i] = (uint8_t)i;
    WR32(B, RCC_AHBENR, RD32(B, RCC_AHBENR) | 1u);
    WR32(B, CPAR(2), FAKE_SRAM);
    WR32(B, CMAR(2), FAKE_SRAM + 0x40);
    WR32(B, CNDTR(2), 4);
    WR32(B, CCR(2), (1u << 14) | (2u << 10) | (2u << 8) | (1u << 7) | (1u << 6) | 1u);
    CHECK_MEM(&B->sram[0x40], B->sram, 16);
    CHECK_EQ(RD32(B, CNDTR(2)), 0);
    CHECK_EQ((RD32(B, DMA_ISR) >> 4) & 0xFu, 0x7u); /* GIF TC HT */
    close_board();
}

TEST(dma_registers_locked_while_enabled)
{
    open_board(0);
    WR32(B, RCC_AHBENR, RD32(B, RCC_AHBENR) | 1u);
    WR32(B, CNDTR(3), 10);
    WR32(B, CCR(3), 1u);
    WR32(B, CNDTR(3), 20);
    CHECK_EQ(RD32(B, CNDTR(3)), 10);
    close_board();
}

/* ---- PWR / BKP ---- */

static void bkp_clocks(void)
{
    WR32(B, RCC_APB1ENR, (1u << 27) | (1u << 28));
}

TEST(bkp_write_ignored_until_dbp)
{
    open_board(0);
    bkp_clocks();
    WR32(B, BKP_DR(1), 0x1234);
    CHECK_EQ(RD32(B, BKP_DR(1)), 0);
    CHECK(!bkp_backup_writable(B));
    WR32(B, PWR_CR, 1u << 8);
    CHECK(bkp_backup_writable(B));
    WR32(B, BKP_DR(1), 0xABCD1234u);
    CHECK_EQ(RD32(B, BKP_DR(1)), 0x1234);
    close_board();
}

TEST(bkp_kept_across_system_reset_lost_at_power_on)
{
    open_board(0);
    bkp_clocks();
    WR32(B, PWR_CR, 1u << 8);
    WR32(B, BKP_DR(10), 0x5A5A);
    fake_reset(B, RESET_SYSTEM);
    CHECK_EQ(RD32(B, BKP_DR(10)), 0); /* clocks are off again after the reset */
    bkp_clocks();
    CHECK_EQ(RD32(B, BKP_DR(10)), 0x5A5A);
    CHECK_EQ(RD32(B, PWR_CR) & (1u << 8), 0);
    fake_reset(B, RESET_POWER);
    bkp_clocks();
    CHECK_EQ(RD32(B, BKP_DR(10)), 0);
    close_board();
}

TEST(bdcr_needs_dbp_and_bdrst_clears_backup_domain)
{
    open_board(0);
    bkp_clocks();
    WR32(B, RCC_BDCR, 1u); /* LSEON ignored: protected */
    CHECK_EQ(RD32(B, RCC_BDCR), 0);
    WR32(B, PWR_CR, 1u << 8);
    WR32(B, BKP_DR(3), 7);
    WR32(B, RCC_BDCR, 1u << 16);
    WR32(B, RCC_BDCR, 0);
    CHECK_EQ(RD32(B, BKP_DR(3)), 0);
    close_board();
}

/* ---- CRC ---- */

TEST(crc_unit_check_value)
{
    open_board(0);
    WR32(B, RCC_AHBENR, RD32(B, RCC_AHBENR) | (1u << 6));
    CHECK_EQ(RD32(B, CRC_DR), 0xFFFFFFFFu);
    WR32(B, CRC_DR, 0x12345678u);
    CHECK_EQ(RD32(B, CRC_DR), 0xDF8A8A2Bu);
    WR32(B, CRC_IDR, 0x1A5);
    CHECK_EQ(RD32(B, CRC_IDR), 0xA5);
    WR32(B, CRC_CR, 1);
    CHECK_EQ(RD32(B, CRC_DR), 0xFFFFFFFFu);
    CHECK(!fake_access_ok(B, CRC_DR, 1, true));
    close_board();
}

/* The reflected CRC-32 the image record uses, on the unit (what the bootloader's
 * boot/port/stm32f1/crc.c does): every little-endian word bit-reversed in, the state bit-reversed
 * and complemented out. The reference is proto_crc32 itself (tests/emu/emu.mk links no proto/). */
#include "../../proto/crc32.c"

static uint32_t rbit32(uint32_t v)
{
    uint32_t r = 0;
    for (int i = 0; i < 32; i++, v >>= 1)
        r = (r << 1) | (v & 1u);
    return r;
}

TEST(crc_unit_gives_proto_crc32_on_random_words_and_stalls_4_cycles_a_word)
{
    open_board(0);
    WR32(B, RCC_AHBENR, RD32(B, RCC_AHBENR) | (1u << 6));
    uint8_t data[4 * 300];
    srand(15);
    for (int trial = 0; trial < 50; trial++) {
        unsigned words = 1u + (unsigned)rand() % 300u;
        for (unsigned i = 0; i < 4u * words; i++)
            data[i] = (uint8_t)rand();
        WR32(B, CRC_CR, 1);
        uint64_t stall0 = B->stall_cycles;
        for (unsigned i = 0; i < words; i++) {
            uint32_t w;
            memcpy(&w, data + 4u * i, 4);
            WR32(B, CRC_DR, rbit32(w));
        }
        CHECK_EQ(~rbit32(RD32(B, CRC_DR)), proto_crc32(0, data, 4u * words));
        CHECK_EQ(B->stall_cycles - stall0, 4u * words); /* HCLK = SYSCLK after reset */
    }
    uint64_t stall0 = B->stall_cycles; /* reads, CR and IDR writes hold nothing */
    (void)RD32(B, CRC_DR);
    WR32(B, CRC_IDR, 1);
    WR32(B, CRC_CR, 1);
    CHECK_EQ(B->stall_cycles, stall0);
    close_board();
}

TEST(crc_unit_word_is_4_hclk_cycles_counted_in_sysclk_cycles)
{
    open_board(0);
    WR32(B, RCC_AHBENR, RD32(B, RCC_AHBENR) | (1u << 6));
    WR32(B, RCC_CFGR, 0x8u << 4); /* HPRE: SYSCLK / 2 */
    uint64_t stall0 = B->stall_cycles;
    WR32(B, CRC_DR, 0x12345678u);
    CHECK_EQ(B->stall_cycles - stall0, 8);
    CHECK_EQ(RD32(B, CRC_DR), 0xDF8A8A2Bu);
    close_board();
}

TEST(crc_unit_with_its_clock_off_neither_computes_nor_stalls)
{
    open_board(0);
    WR32(B, RCC_AHBENR, RD32(B, RCC_AHBENR) & ~(1u << 6));
    WR32(B, CRC_DR, 0x12345678u);
    CHECK_EQ(B->stall_cycles, 0);
    WR32(B, RCC_AHBENR, RD32(B, RCC_AHBENR) | (1u << 6));
    CHECK_EQ(RD32(B, CRC_DR), 0xFFFFFFFFu);
    close_board();
}

/* ---- IWDG ---- */

TEST(iwdg_timeout_resets_the_system_with_iwdgrstf)
{
    open_board(0);
    WR32(B, IWDG_KR, 0xCCCC); /* /4, 0xFFF: 409.6 ms */
    fake_run_to(B, 409 * MS);
    CHECK_EQ(B->reset_requests, 0);
    fake_run_to(B, 410 * MS);
    CHECK_EQ(B->reset_requests, 1);
    CHECK_EQ(B->last_reset_kind, RESET_SYSTEM);
    fake_reset(B, RESET_SYSTEM);
    CHECK(RD32(B, RCC_CSR) & (1u << 29));
    CHECK_EQ(RD32(B, RCC_CSR) & (1u << 28), 0);
    fake_run_to(B, 2000 * MS); /* stopped by the reset */
    CHECK_EQ(B->reset_requests, 1);
    close_board();
}

TEST(iwdg_hardware_watchdog_option_starts_it_at_every_reset)
{
    open_board(0);
    B->hw_watchdog = true;
    fake_reset(B, RESET_POWER); /* running from reset, nobody wrote KR: 409.6 ms */
    fake_run_to(B, 409 * MS);
    CHECK_EQ(B->reset_requests, 0);
    fake_run_to(B, 410 * MS);
    CHECK_EQ(B->reset_requests, 1);
    fake_reset(B, RESET_SYSTEM); /* and again after the reset it caused */
    fake_run_to(B, 819 * MS);
    CHECK_EQ(B->reset_requests, 1);
    fake_run_to(B, 821 * MS);
    CHECK_EQ(B->reset_requests, 2);
    close_board();
}

TEST(iwdg_reload_postpones_the_timeout)
{
    open_board(0);
    WR32(B, IWDG_KR, 0x5555);
    WR32(B, IWDG_PR, 0);
    WR32(B, IWDG_RLR, 99); /* 100 ticks of 100 us: 10 ms */
    CHECK_EQ(RD32(B, IWDG_SR), 3u);
    WR32(B, IWDG_KR, 0xCCCC);
    WR32(B, IWDG_KR, 0xAAAA);
    for (int i = 0; i < 10; i++) {
        fake_run_for(B, 8 * MS);
        WR32(B, IWDG_KR, 0xAAAA);
    }
    CHECK_EQ(B->reset_requests, 0);
    CHECK_EQ(RD32(B, IWDG_SR), 0);
    fake_run_for(B, 11 * MS);
    CHECK_EQ(B->reset_requests, 1);
    close_board();
}

TEST(iwdg_pr_rlr_write_protected_without_key)
{
    open_board(0);
    WR32(B, IWDG_RLR, 5);
    CHECK_EQ(RD32(B, IWDG_RLR), 0xFFF);
    WR32(B, IWDG_KR, 0x5555);
    WR32(B, IWDG_KR, 0x1234);
    WR32(B, IWDG_PR, 3);
    CHECK_EQ(RD32(B, IWDG_PR), 0);
    close_board();
}


/* ---- parts: USART2/3, GPIO ports, AFIO remaps, BKP, connectivity-line RCC ---- */

#define USART2 0x40004400u
#define USART3 0x40004800u
#define GPIO(p) (0x40010800u + 0x400u * (p))
#define AFIO_MAPR (AFIO + 0x04)
#define RCC_APB1RSTR (RCC + 0x10)
#define RCC_CFGR2 (RCC + 0x2C)

/* Configures pin (port, n) with the CNF:MODE nibble cfg, the port's clock on. */
static void pin_mode(int port, int n, uint32_t cfg)
{
    WR32(B, RCC_APB2ENR, RD32(B, RCC_APB2ENR) | (1u << (2 + port)));
    uint32_t reg = GPIO(port) + (n >= 8 ? 4u : 0u);
    unsigned sh = 4u * (unsigned)(n % 8);
    WR32(B, reg, (RD32(B, reg) & ~(0xFu << sh)) | (cfg << sh));
}

struct usart_case {
    uint32_t base;
    unsigned enr_bit; /* in RCC_APB1ENR */
    int tx_port, tx_pin, irq, dma_rx, dma_tx;
};

/* USART (bridged) on at 115200 from 8 MHz, its TX pin an AF output, RXNEIE. */
static void usartn_on(const struct usart_case *c)
{
    WR32(B, RCC_APB1ENR, RD32(B, RCC_APB1ENR) | (1u << c->enr_bit));
    pin_mode(c->tx_port, c->tx_pin, 0xBu);
    WR32(B, c->base + 0x08, 69);
    WR32(B, c->base + 0x0C, UE | TE | RE | (1u << 5));
    fake_run_for(B, 200 * US);
}

/* Host -> RX through DMA channel dma_rx, interrupt line irq, DMA channel dma_tx -> host. */
static int usartn_channels_and_irq(const struct usart_case *c)
{
    usartn_on(c);
    host_send("Q", 1);
    fake_run_for(B, CHAR_115200_8MHZ);
    if (!B->irq[c->irq] || RD32(B, c->base + 0x04) != 'Q' || B->irq[c->irq])
        return 1;
    WR32(B, RCC_AHBENR, RD32(B, RCC_AHBENR) | 1u);
    WR32(B, CPAR(c->dma_rx), c->base + 0x04);
    WR32(B, CMAR(c->dma_rx), FAKE_SRAM);
    WR32(B, CNDTR(c->dma_rx), 3);
    WR32(B, CCR(c->dma_rx), (1u << 7) | 1u); /* MINC EN */
    memcpy(B->sram + 0x40, "out", 3);
    WR32(B, CPAR(c->dma_tx), c->base + 0x04);
    WR32(B, CMAR(c->dma_tx), FAKE_SRAM + 0x40);
    WR32(B, CNDTR(c->dma_tx), 3);
    WR32(B, CCR(c->dma_tx), (1u << 7) | (1u << 4) | 1u); /* MINC DIR EN */
    WR32(B, c->base + 0x0C, UE | TE | RE);
    WR32(B, c->base + 0x14, (1u << 6) | (1u << 7)); /* DMAR DMAT */
    host_send("abc", 3);
    fake_run_for(B, 5 * CHAR_115200_8MHZ);
    uint8_t buf[8];
    if (memcmp(B->sram, "abc", 3) != 0 || RD32(B, CNDTR(c->dma_rx)) != 0)
        return 2;
    if (host_recv(buf, sizeof buf) != 3 || memcmp(buf, "out", 3) != 0)
        return 3;
    return 0;
}

TEST(usart2_irq_38_dma_channel_6_receives_7_transmits)
{
    open_board_wired(NULL, 2, 0, 0);
    struct usart_case c = { USART2, 17, 0, 2, 38, 6, 7 }; /* TX PA2 */
    CHECK_EQ(usartn_channels_and_irq(&c), 0);
    close_board();
}

TEST(usart3_irq_39_dma_channel_3_receives_2_transmits)
{
    open_board_wired(NULL, 3, 0, 0);
    struct usart_case c = { USART3, 18, 1, 10, 39, 3, 2 }; /* TX PB10 */
    CHECK_EQ(usartn_channels_and_irq(&c), 0);
    close_board();
}

TEST(usart2_and_usart3_gated_by_apb1enr_bits_17_and_18)
{
    open_board(0);
    WR32(B, USART2 + 0x08, 69);
    WR32(B, USART3 + 0x08, 69);
    CHECK_EQ(RD32(B, USART2 + 0x00), 0); /* clock off: SR reads 0, not TXE|TC */
    WR32(B, RCC_APB1ENR, 1u << 17);
    CHECK_EQ(RD32(B, USART2 + 0x00), 0xC0u);
    CHECK_EQ(RD32(B, USART2 + 0x08), 0); /* the write with the clock off was ignored */
    CHECK_EQ(RD32(B, USART3 + 0x00), 0);
    WR32(B, RCC_APB1ENR, 1u << 18);
    CHECK_EQ(RD32(B, USART3 + 0x00), 0xC0u);
    close_board();
}

TEST(usart2_character_time_follows_pclk1)
{
    open_board_wired(NULL, 2, 0, 0);
    pll_72mhz(); /* PCLK1 = 36 MHz */
    WR32(B, RCC_APB1ENR, 1u << 17);
    WR32(B, USART2 + 0x08, 313); /* 36 MHz / 115200 */
    WR32(B, USART2 + 0x0C, UE | RE);
    fake_run_for(B, 100 * US);
    host_send("z", 1);
    uint64_t t = 10ull * 313 * 1000000000ull / 36000000ull; /* 86944 ns */
    fake_run_for(B, t - 500);
    CHECK_EQ(RD32(B, USART2 + 0x00) & SR_RXNE, 0);
    fake_run_for(B, 1000);
    CHECK(RD32(B, USART2 + 0x00) & SR_RXNE);
    close_board();
}

TEST(apb1rstr_resets_usart2_and_usart3)
{
    open_board(0);
    WR32(B, RCC_APB1ENR, (1u << 17) | (1u << 18));
    WR32(B, USART2 + 0x08, 69);
    WR32(B, USART3 + 0x08, 70);
    WR32(B, RCC_APB1RSTR, 1u << 17);
    WR32(B, RCC_APB1RSTR, 0);
    CHECK_EQ(RD32(B, USART2 + 0x08), 0);
    CHECK_EQ(RD32(B, USART3 + 0x08), 70);
    WR32(B, RCC_APB1RSTR, 1u << 18);
    CHECK_EQ(RD32(B, USART3 + 0x08), 0);
    close_board();
}

TEST(usart_remapped_away_from_the_hosts_pins_is_cut)
{
    open_board(1);
    usart_on(69, 0); /* PA9 AF, host wired to PA9/PA10 */
    WR32(B, RCC_APB2ENR, RD32(B, RCC_APB2ENR) | 1u);
    WR32(B, AFIO_MAPR, 1u << 2); /* USART1 -> PB6/PB7 */
    pin_mode(1, 6, 0xBu);
    WR32(B, U_DR, 'x');
    fake_run_for(B, 2 * CHAR_115200_8MHZ);
    uint8_t buf[4];
    CHECK_EQ(host_recv(buf, sizeof buf), 0);
    CHECK(strstr(B->log, "USART1 TX is on PB6 (AFIO_MAPR), the host is wired to PA9") != NULL);
    host_send("y", 1);
    fake_run_for(B, 2 * CHAR_115200_8MHZ);
    CHECK_EQ(RD32(B, U_SR) & SR_RXNE, 0);
    close_board();
}

TEST(usart1_remap_reaches_a_host_wired_to_pb6_pb7)
{
    open_board_wired(NULL, 1, 1, 0);
    WR32(B, RCC_APB2ENR, RD32(B, RCC_APB2ENR) | (1u << 14) | 1u);
    WR32(B, AFIO_MAPR, 1u << 2);
    pin_mode(1, 6, 0xBu); /* PB6 TX; PB7 stays a floating input */
    WR32(B, U_BRR, 69);
    WR32(B, U_CR1, UE | TE | RE);
    fake_run_for(B, 200 * US);
    WR32(B, U_DR, 'r');
    host_send("s", 1);
    fake_run_for(B, 2 * CHAR_115200_8MHZ);
    uint8_t c = 0;
    CHECK_EQ(host_recv(&c, 1), 1);
    CHECK_EQ(c, 'r');
    CHECK_EQ(RD32(B, U_DR), 's');
    close_board();
}

TEST(usart_tx_pin_not_an_alternate_function_output_reaches_no_one)
{
    open_board(1);
    WR32(B, RCC_APB2ENR, RD32(B, RCC_APB2ENR) | (1u << 14) | (1u << 2));
    WR32(B, U_BRR, 69);
    WR32(B, U_CR1, UE | TE | RE); /* PA9 left a floating input */
    fake_run_for(B, 200 * US);
    WR32(B, U_DR, 'n');
    fake_run_for(B, 2 * CHAR_115200_8MHZ);
    uint8_t c;
    CHECK_EQ(host_recv(&c, 1), 0);
    CHECK(strstr(B->log, "USART1 TX pin PA9 is configured 0x4 (CNF:MODE)") != NULL);
    pin_mode(0, 9, 0xBu);
    WR32(B, U_DR, 'm');
    fake_run_for(B, 2 * CHAR_115200_8MHZ);
    CHECK_EQ(host_recv(&c, 1), 1);
    CHECK_EQ(c, 'm');
    close_board();
}

TEST(gpio_ports_d_e_on_every_part_f_g_on_high_density_only)
{
    open_board(0);
    CHECK(fake_access_ok(B, GPIO(3), 4, false));
    CHECK(fake_access_ok(B, GPIO(4), 4, false));
    CHECK(!fake_access_ok(B, GPIO(5), 4, false));
    close_board();
    open_board_wired("f103ze", 0, 0, 0);
    CHECK(fake_access_ok(B, GPIO(6), 4, false));
    close_board();
    open_board_wired("f107vc", 0, 0, 0);
    CHECK(!fake_access_ok(B, GPIO(5), 4, false));
    close_board();
}

TEST(gpio_port_e_output_log_input_drive_and_reset)
{
    open_board(1);
    pin_mode(4, 3, 0x3u); /* PE3 push-pull */
    WR32(B, GPIO(4) + 0x10, 1u << 3);
    CHECK(strstr(B->log, "] PE3 = 1") != NULL);
    gpio_set_input(B, 4, 12, 1); /* PE12, floating input */
    CHECK(RD32(B, GPIO(4) + 0x08) & (1u << 12));
    WR32(B, RCC + 0x0C, 1u << 6); /* IOPERST */
    CHECK_EQ(RD32(B, GPIO(4) + 0x00), 0x44444444u);
    close_board();
}

TEST(afio_mapr2_exists_on_xl_density_only)
{
    open_board_wired("f103ze", 0, 0, 0);
    CHECK(!fake_access_ok(B, AFIO + 0x1C, 4, false));
    close_board();
    open_board_wired("f103zg", 0, 0, 0);
    WR32(B, RCC_APB2ENR, 1u);
    WR32(B, AFIO + 0x1C, 0xFFFFFFFFu);
    CHECK_EQ(RD32(B, AFIO + 0x1C), 0x7E0u);
    close_board();
}

TEST(bkp_dr11_to_dr42_on_high_density_and_connectivity_line)
{
    open_board_wired("f103rc", 0, 0, 0);
    bkp_clocks();
    WR32(B, PWR_CR, 1u << 8); /* DBP */
    WR32(B, 0x40006CBCu, 0x4242); /* DR42 */
    CHECK_EQ(RD32(B, 0x40006CBCu), 0x4242);
    CHECK(!fake_access_ok(B, 0x40006C38u, 4, false)); /* reserved between DR10 block and DR11 */
    CHECK(!fake_access_ok(B, 0x40006CC0u, 4, false));
    close_board();
    open_board_wired("f107vc", 0, 0, 0);
    CHECK(fake_access_ok(B, 0x40006C40u, 4, false));
    close_board();
}

TEST(rcc_cfgr2_and_ahbrstr_exist_on_connectivity_line_only)
{
    open_board_wired("f103zg", 0, 0, 0);
    CHECK(!fake_access_ok(B, RCC_CFGR2, 4, false));
    close_board();
    open_board_wired("f107vc", 0, 0, 0);
    CHECK(fake_access_ok(B, RCC_CFGR2, 4, false));
    CHECK(fake_access_ok(B, RCC + 0x28, 4, false));
    close_board();
}

static void wait_bit(uint32_t reg, uint32_t bit)
{
    for (int i = 0; i < 1000 && !(RD32(B, reg) & bit); i++)
        fake_run_for(B, 10 * US);
}

TEST(rcc_connectivity_line_pll_from_pll2_through_prediv1)
{
    open_board_wired("f107vc", 0, 0, 0);
    WR32(B, RCC_CR, RD32(B, RCC_CR) | (1u << 16)); /* HSE 8 MHz */
    wait_bit(RCC_CR, 1u << 17);
    /* PREDIV2 /2, PLL2MUL x10: PLL2 40 MHz; PREDIV1 /5 from PLL2: 8 MHz */
    WR32(B, RCC_CFGR2, (1u << 4) | (8u << 8) | 4u | (1u << 16));
    WR32(B, RCC_CR, RD32(B, RCC_CR) | (1u << 26));
    wait_bit(RCC_CR, 1u << 27);
    CHECK(RD32(B, RCC_CR) & (1u << 27));
    WR32(B, RCC_CFGR, (1u << 16) | (7u << 18) | (4u << 8)); /* PLLSRC PREDIV1, x9, APB1 /2 */
    WR32(B, RCC_CR, RD32(B, RCC_CR) | (1u << 24));
    wait_bit(RCC_CR, 1u << 25);
    WR32(B, RCC_CFGR, RD32(B, RCC_CFGR) | 2u);
    CHECK_EQ(rcc_clock_hz(B, CLK_SYSCLK), 72000000);
    CHECK_EQ(rcc_clock_hz(B, CLK_PCLK1), 36000000);
    /* PLL2 feeds SYSCLK: it cannot be switched off, nor PREDIV1 changed */
    WR32(B, RCC_CR, RD32(B, RCC_CR) & ~(1u << 26));
    CHECK(RD32(B, RCC_CR) & (1u << 26));
    WR32(B, RCC_CFGR2, (1u << 4) | (8u << 8) | 1u | (1u << 16));
    CHECK_EQ(RD32(B, RCC_CFGR2) & 0xFu, 4);
    CHECK(!B->stopped);
    close_board();
}

TEST(rcc_connectivity_line_pll_x6_5_from_hsi)
{
    open_board_wired("f107vc", 0, 0, 0);
    WR32(B, RCC_CFGR, 13u << 18); /* HSI/2 x6.5 */
    WR32(B, RCC_CR, RD32(B, RCC_CR) | (1u << 24));
    wait_bit(RCC_CR, 1u << 25);
    WR32(B, RCC_CFGR, RD32(B, RCC_CFGR) | 2u);
    CHECK_EQ(rcc_clock_hz(B, CLK_SYSCLK), 26000000);
    close_board();
}

TEST(rcc_connectivity_line_reserved_pllmul_stops_the_board)
{
    open_board_wired("f107vc", 0, 0, 0);
    WR32(B, RCC_CFGR, 14u << 18); /* x16 on the F103, reserved here */
    CHECK(!B->stopped);
    WR32(B, RCC_CR, RD32(B, RCC_CR) | (1u << 24));
    CHECK(B->stopped);
    CHECK_EQ(B->stop_code, EMU_EXIT_FAULT);
    CHECK(strstr(B->fault, "PLLMUL = 0xe is reserved") != NULL);
    close_board();
    open_board(0); /* the same value on the F103 is x16 */
    WR32(B, RCC_CFGR, 14u << 18);
    WR32(B, RCC_CR, RD32(B, RCC_CR) | (1u << 24));
    CHECK(!B->stopped);
    close_board();
}

/* ---- a line the two sides disagree on (usart.c, uart_line.c) ---- */

#define SR_PE (1u << 0)
#define SR_FE (1u << 1)
#define SR_NE (1u << 2)
#define U_PCE (1u << 10)
#define U_PS (1u << 9)
#define U_M (1u << 12)

/* A board whose host (fd bridge) runs at host_baud (0: rate unknown) with host_parity. */
static void open_board_line(uint32_t host_baud, enum emu_parity host_parity, uint32_t seed,
                            int verbose)
{
    if (B)
        close_board();
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        abort();
    host = sv[1];
    fcntl(host, F_SETFL, O_NONBLOCK);
    struct emu_config cfg = { .uart_mode = EMU_UART_FD, .uart_fd = sv[0], .verbose = verbose,
                              .host_baud = host_baud ? EMU_HOST_BAUD_FIXED : EMU_HOST_BAUD_ANY,
                              .host_baud_rate = host_baud, .host_parity = host_parity,
                              .line_seed = seed };
    B = fake_create(&cfg);
}

/* Reads what the USART received (DR after SR, as firmware does) for `ns`; flags OR-ed. */
static size_t usart_drain(uint8_t *buf, size_t max, uint64_t ns, uint32_t *flags)
{
    size_t n = 0;
    *flags = 0;
    for (uint64_t t = 0; t < ns; t += 5 * US) {
        fake_run_for(B, 5 * US);
        uint32_t sr = RD32(B, U_SR);
        if (sr & SR_RXNE) {
            *flags |= sr & (SR_PE | SR_FE | SR_NE | SR_ORE);
            uint8_t c = (uint8_t)RD32(B, U_DR);
            if (n < max)
                buf[n++] = c;
        }
    }
    return n;
}

static void usart_send(const char *s)
{
    for (; *s; s++) {
        while (!(RD32(B, U_SR) & SR_TXE))
            fake_run_for(B, 1 * US);
        WR32(B, U_DR, (uint8_t)*s);
    }
}

TEST(line_host_rate_within_tolerance_is_clean_both_ways)
{
    open_board_line(115200, EMU_PARITY_MATCH, 0, 1); /* BRR 69: 115942 baud, +0.64 % */
    usart_on(69, 0);
    host_send("hello", 5);
    uint8_t buf[16];
    uint32_t flags;
    CHECK_EQ(usart_drain(buf, sizeof buf, 10 * CHAR_115200_8MHZ, &flags), 5);
    CHECK_MEM(buf, "hello", 5);
    CHECK_EQ(flags, 0);
    usart_send("world");
    fake_run_for(B, 10 * CHAR_115200_8MHZ);
    CHECK_EQ(host_recv(buf, sizeof buf), 5);
    CHECK_MEM(buf, "world", 5);
    CHECK(strstr(B->log, "line mismatch") == NULL);
    close_board();
}

TEST(line_host_at_57600_against_115200_garbles_received_bytes_with_fe)
{
    open_board_line(57600, EMU_PARITY_MATCH, 0, 1);
    usart_on(69, 0);
    const char *msg = "The quick brown fox";
    host_send(msg, strlen(msg));
    uint8_t buf[64];
    uint32_t flags;
    size_t n = usart_drain(buf, sizeof buf, 40 * CHAR_115200_8MHZ, &flags);
    CHECK(n > 0);
    CHECK(n != strlen(msg) || memcmp(buf, msg, n) != 0);
    CHECK(flags & SR_FE);
    CHECK(strstr(B->log, "line mismatch: host 57600 baud") != NULL);
    close_board();
}

TEST(line_device_output_at_a_mismatched_rate_reaches_the_host_garbled)
{
    open_board_line(57600, EMU_PARITY_MATCH, 0, 0);
    usart_on(69, 0);
    usart_send("hello world, hello world");
    fake_run_for(B, 60 * CHAR_115200_8MHZ);
    uint8_t buf[64];
    size_t n = host_recv(buf, sizeof buf);
    CHECK(n > 0);
    CHECK(n != 24 || memcmp(buf, "hello world, hello world", 24) != 0);
    close_board();
}

TEST(line_host_twice_as_fast_loses_bytes)
{
    open_board_line(230400, EMU_PARITY_MATCH, 0, 0);
    usart_on(69, 0);
    host_send("0123456789", 10);
    uint8_t buf[32];
    uint32_t flags;
    size_t n = usart_drain(buf, sizeof buf, 20 * CHAR_115200_8MHZ, &flags);
    CHECK(n < 10); /* two host frames fit in one of the USART's */
    CHECK(flags & (SR_FE | SR_NE));
    close_board();
}

static size_t garbled_run(uint32_t seed, uint8_t *buf, size_t max, uint8_t *out, size_t *nout)
{
    open_board_line(76800, EMU_PARITY_MATCH, seed, 0);
    usart_on(69, 0);
    host_send("garbling is deterministic", 25);
    uint32_t flags;
    size_t n = usart_drain(buf, max, 40 * CHAR_115200_8MHZ, &flags);
    usart_send("and so is the way back");
    fake_run_for(B, 40 * CHAR_115200_8MHZ);
    *nout = host_recv(out, 64);
    close_board();
    return n;
}

TEST(line_garbling_is_deterministic_for_a_seed)
{
    uint8_t a[64], b[64], oa[64], ob[64];
    size_t noa, nob;
    size_t na = garbled_run(7, a, sizeof a, oa, &noa);
    size_t nb = garbled_run(7, b, sizeof b, ob, &nob);
    CHECK_EQ(na, nb);
    CHECK_MEM(a, b, na);
    CHECK_EQ(noa, nob);
    CHECK_MEM(oa, ob, noa);
    int differs = 0;
    for (uint32_t seed = 8; seed < 16 && !differs; seed++) {
        size_t n = garbled_run(seed, b, sizeof b, ob, &nob);
        differs = n != na || memcmp(a, b, n) != 0 || nob != noa || memcmp(oa, ob, nob) != 0;
    }
    CHECK(differs); /* the phase of the sample clock matters */
}

TEST(line_tolerance_is_rm0008s_for_the_divider)
{
    /* BRR 0x40: integer divider, 125000 baud, 3.75 %; BRR 69 (fraction 5): 115942, 3.33 % */
    static const struct { uint32_t brr, host; bool garbled; } c[] = {
        { 0x40, 120500, false }, { 0x40, 120000, true }, { 0x40, 129600, false },
        { 0x40, 130000, true },  { 69, 112200, false },  { 69, 111900, true },
    };
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
        open_board_line(c[i].host, EMU_PARITY_MATCH, 0, 1);
        usart_on(c[i].brr, 0);
        host_send("x", 1);
        fake_run_for(B, 3 * CHAR_115200_8MHZ);
        CHECK_EQ(strstr(B->log, "line mismatch") != NULL, c[i].garbled);
        close_board();
    }
}

TEST(line_fe_ne_pe_cleared_by_sr_read_then_dr_read)
{
    open_board_line(57600, EMU_PARITY_MATCH, 0, 0);
    usart_on(69, U_M | U_PCE); /* 8E1 against a host at half the rate */
    host_send("\x55\x55\x55\x55", 4);
    uint32_t sr = 0;
    for (int i = 0; i < 40 && !(sr & (SR_FE | SR_PE | SR_NE)); i++) {
        fake_run_for(B, CHAR_115200_8MHZ / 2);
        sr = RD32(B, U_SR);
        if ((sr & SR_RXNE) && !(sr & (SR_FE | SR_PE | SR_NE)))
            (void)RD32(B, U_DR);
    }
    CHECK(sr & (SR_FE | SR_PE | SR_NE));
    CHECK(sr & SR_RXNE); /* the garbled word is in RDR with its flags */
    CHECK_EQ(RD32(B, U_SR) & (SR_FE | SR_PE | SR_NE), sr & (SR_FE | SR_PE | SR_NE));
    (void)RD32(B, U_DR);
    CHECK_EQ(RD32(B, U_SR) & (SR_FE | SR_PE | SR_NE | SR_RXNE), 0);
    close_board();
}

TEST(line_host_8e1_against_usart_8n1_sets_fe_when_the_parity_bit_is_0)
{
    open_board_line(0, EMU_PARITY_EVEN, 0, 1); /* rate unknown: framing only */
    usart_on(69, 0);
    uint8_t buf[8];
    uint32_t flags;
    host_send("C", 1); /* three ones: even parity bit 1, read as the stop bit: clean */
    CHECK_EQ(usart_drain(buf, sizeof buf, 3 * CHAR_115200_8MHZ, &flags), 1);
    CHECK_EQ(buf[0], 'C');
    CHECK_EQ(flags, 0);
    host_send("A", 1); /* two ones: parity bit 0 where the stop bit should be */
    CHECK_EQ(usart_drain(buf, sizeof buf, 3 * CHAR_115200_8MHZ, &flags), 1);
    CHECK_EQ(buf[0], 'A');
    CHECK(flags & SR_FE);
    CHECK(strstr(B->log, "host rate as the USART 8E1") != NULL);
    close_board();
}

TEST(line_usart_8e1_against_host_8n1_sets_pe)
{
    open_board_line(0, EMU_PARITY_NONE, 0, 0);
    usart_on(69, U_M | U_PCE); /* 8 data bits, even parity */
    uint8_t buf[8];
    uint32_t flags;
    host_send("A", 1); /* the host's stop bit (1) is read as parity: wrong for two ones */
    CHECK_EQ(usart_drain(buf, sizeof buf, 4 * CHAR_115200_8MHZ, &flags), 1);
    CHECK_EQ(buf[0], 'A');
    CHECK(flags & SR_PE);
    close_board();
}

TEST(line_host_framing_that_matches_the_usart_is_clean)
{
    open_board_line(115200, EMU_PARITY_EVEN, 0, 1);
    usart_on(69, U_M | U_PCE);
    host_send("AC", 2);
    uint8_t buf[8];
    uint32_t flags;
    CHECK_EQ(usart_drain(buf, sizeof buf, 4 * CHAR_115200_8MHZ, &flags), 2);
    CHECK_EQ(flags, 0);
    CHECK(strstr(B->log, "line mismatch") == NULL);
    close_board();
    open_board_line(0, EMU_PARITY_ODD, 0, 1);
    usart_on(69, U_M | U_PCE | U_PS);
    host_send("AC", 2);
    CHECK_EQ(usart_drain(buf, sizeof buf, 4 * CHAR_115200_8MHZ, &flags), 2);
    CHECK_EQ(flags, 0);
    close_board();
}

TEST(line_any_carries_bytes_at_any_rate_as_before)
{
    open_board_line(0, EMU_PARITY_MATCH, 0, 1); /* host_baud ANY */
    usart_on(69, 0);
    host_send("ok", 2);
    uint8_t buf[8];
    uint32_t flags;
    CHECK_EQ(usart_drain(buf, sizeof buf, 4 * CHAR_115200_8MHZ, &flags), 2);
    CHECK_MEM(buf, "ok", 2);
    CHECK_EQ(flags, 0);
    close_board();
}

/* The pty bridge reads the host's rate from the pty (tcgetattr on the master reports what the
 * host set on the slave): auto checks it once the host set one, strict always. */
static int pty_slave = -1;
static char pty_link[64];

static void open_board_pty(enum emu_host_baud mode, enum emu_parity parity)
{
    if (B)
        close_board();
    snprintf(pty_link, sizeof pty_link, "/tmp/emu-test-periph-%d.pty", (int)getpid());
    struct emu_config cfg = { .uart_mode = EMU_UART_PTY, .pty_link = pty_link,
                              .host_baud = mode, .host_parity = parity, .verbose = 1 };
    B = fake_create(&cfg);
    pty_slave = open(pty_link, O_RDWR | O_NOCTTY | O_NONBLOCK);
    host = -1;
}

static void close_board_pty(void)
{
    close(pty_slave);
    pty_slave = -1;
    fake_destroy(B);
    B = NULL;
}

static void pty_speed(speed_t sp)
{
    struct termios t;
    tcgetattr(pty_slave, &t);
    cfmakeraw(&t);
    cfsetispeed(&t, sp);
    cfsetospeed(&t, sp);
    tcsetattr(pty_slave, TCSANOW, &t);
}

/* The host writes s on the pty; the USART's reception is drained for n characters. */
static size_t pty_round(const char *s, uint8_t *buf, size_t max, uint32_t *flags)
{
    if (write(pty_slave, s, strlen(s)) != (ssize_t)strlen(s))
        abort();
    for (int i = 0; i < 100; i++) { /* the bridge notices the reader, then reads */
        usleep(1000);
        fake_run_for(B, 1 * US);
        fake_poll(B);
    }
    return usart_drain(buf, max, (strlen(s) + 4) * 2 * CHAR_115200_8MHZ, flags);
}

TEST(line_pty_rate_set_by_the_host_is_followed_at_run_time)
{
    open_board_pty(EMU_HOST_BAUD_AUTO, EMU_PARITY_MATCH);
    CHECK(pty_slave >= 0);
    usart_on(69, 0);
    uint8_t buf[32];
    uint32_t flags;
    /* never set: the pty's initial 38400, not checked in auto mode */
    CHECK_EQ(pty_round("abc", buf, sizeof buf, &flags), 3);
    CHECK_EQ(flags, 0);
    pty_speed(B115200);
    CHECK_EQ(pty_round("def", buf, sizeof buf, &flags), 3);
    CHECK_MEM(buf, "def", 3);
    CHECK_EQ(flags, 0);
    pty_speed(B57600);
    size_t n = pty_round("ghijkl", buf, sizeof buf, &flags);
    CHECK(flags & SR_FE);
    CHECK(n != 6 || memcmp(buf, "ghijkl", 6) != 0);
    pty_speed(B115200);
    CHECK_EQ(pty_round("mno", buf, sizeof buf, &flags), 3);
    CHECK_MEM(buf, "mno", 3);
    CHECK_EQ(flags, 0);
    close_board_pty();
}

TEST(line_pty_strict_checks_a_rate_never_set)
{
    open_board_pty(EMU_HOST_BAUD_STRICT, EMU_PARITY_MATCH);
    CHECK(pty_slave >= 0);
    usart_on(69, 0);
    uint8_t buf[32];
    uint32_t flags;
    pty_round("abcdef", buf, sizeof buf, &flags); /* 38400 against 115200 */
    CHECK(flags & (SR_FE | SR_NE));
    CHECK(strstr(B->log, "line mismatch: host 38400 baud") != NULL);
    close_board_pty();
}

TEST(line_host_parity_check_on_device_output_follows_its_inpck)
{
    /* A host expecting 8E1 reads an 8N1 USART: its parity bit is the USART's stop bit (1), so a
     * byte with an even number of ones has a parity error. With INPCK its tty makes it 0; without,
     * it passes as received. */
    open_board_pty(EMU_HOST_BAUD_ANY, EMU_PARITY_EVEN);
    CHECK(pty_slave >= 0);
    usart_on(69, 0);
    struct termios t;
    tcgetattr(pty_slave, &t);
    cfmakeraw(&t);
    t.c_iflag |= INPCK;
    tcsetattr(pty_slave, TCSANOW, &t);
    for (int i = 0; i < 50; i++) { /* the bridge notices the reader */
        usleep(1000);
        fake_run_for(B, 1 * US);
        fake_poll(B);
    }
    uint8_t buf[8];
    usart_send("C"); /* three ones */
    fake_run_for(B, 4 * CHAR_115200_8MHZ);
    usart_send("A"); /* two ones: parity error */
    fake_run_for(B, 4 * CHAR_115200_8MHZ);
    usleep(10000);
    CHECK_EQ(read(pty_slave, buf, sizeof buf), 2);
    CHECK_EQ(buf[0], 'C');
    CHECK_EQ(buf[1], 0);
    t.c_iflag &= ~(tcflag_t)INPCK;
    tcsetattr(pty_slave, TCSANOW, &t);
    usart_send("A");
    fake_run_for(B, 4 * CHAR_115200_8MHZ);
    usleep(10000);
    CHECK_EQ(read(pty_slave, buf, sizeof buf), 1);
    CHECK_EQ(buf[0], 'A');
    close_board_pty();
}

/* ---- the line sampler on its own (emu/uart_line.c) ---- */

/* Sends n words back to back at `tx` and receives them at `rx` (seed: the sampling phases). */
static size_t line_decode(const uint16_t *words, size_t n, const struct uart_fmt *tx,
                          const struct uart_fmt *rx, uint32_t seed, struct uart_char *out,
                          size_t max)
{
    static struct uart_line l;
    struct uart_rx r;
    uart_line_clear(&l);
    uint64_t t = 1000000;
    for (size_t i = 0; i < n; i++, t += uart_frame_ps(tx))
        uart_line_put(&l, t, words[i], tx);
    uart_rx_reset(&r, 0, seed);
    size_t got = 0;
    for (uint64_t next; (next = uart_rx_next(&r, &l, rx)) != UINT64_MAX && got < max;) {
        (void)next;
        if (uart_rx_step(&r, &l, rx, &out[got]))
            got++;
    }
    return got;
}

TEST(uart_line_same_rate_decodes_every_byte_at_every_phase)
{
    struct uart_fmt f = { 8680556, 8, 2 }; /* 115200 8N1 */
    uint16_t w[256];
    struct uart_char c[260];
    for (int i = 0; i < 256; i++)
        w[i] = (uint16_t)i;
    for (uint32_t seed = 1; seed < 20; seed++) {
        CHECK_EQ(line_decode(w, 256, &f, &f, seed, c, 260), 256);
        for (int i = 0; i < 256; i++)
            CHECK(c[i].word == i && !c[i].fe && !c[i].ne);
    }
}

TEST(uart_line_within_rm0008_tolerance_decodes_without_noise)
{
    /* RM0008 27.3.5: 3.75 % for 10-bit frames; back-to-back frames, either direction */
    struct uart_fmt rx = { 8680556, 8, 2 };
    uint16_t w[256];
    struct uart_char c[260];
    for (int i = 0; i < 256; i++)
        w[i] = (uint16_t)i;
    for (int sign = -1; sign <= 1; sign += 2) {
        struct uart_fmt tx = rx;
        tx.bit_ps = (uint64_t)((double)rx.bit_ps * (1.0 + sign * 0.0365));
        for (uint32_t seed = 1; seed < 10; seed++) {
            CHECK_EQ(line_decode(w, 256, &tx, &rx, seed, c, 260), 256);
            for (int i = 0; i < 256; i++)
                CHECK(c[i].word == i && !c[i].fe && !c[i].ne);
        }
    }
}

TEST(uart_line_beyond_tolerance_garbles_with_errors)
{
    struct uart_fmt rx = { 8680556, 8, 2 }, tx = rx;
    tx.bit_ps = rx.bit_ps * 106 / 100; /* 6 % slow */
    uint16_t w[64];
    struct uart_char c[80];
    for (int i = 0; i < 64; i++)
        w[i] = (uint16_t)(0x55 + 3 * i);
    size_t n = line_decode(w, 64, &tx, &rx, 3, c, 80);
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += c[i].fe || c[i].ne || i >= 64 || c[i].word != w[i];
    CHECK(bad > 0);
}

TEST(uart_line_0x7f_at_half_the_rate_reads_as_two_0xfe)
{
    /* What a BRR-trial auto-baud sees of AN3155's sync byte 0x7F sent at 57600 into a receiver
     * at 115200: every sender bit lasts two receiver bits. The receiver reads the first half of
     * the start bit as its start, the second half as data bit 0, then 1s: 0xFE, its stop bit on
     * the sender's 1s (no FE). The sender's 0 data bit 7 starts a second character: 0 (its
     * second half), then the stop bit and the idle line: 0xFE again, no FE. No error flag: the
     * value tells. */
    struct uart_fmt rx = { 8680556, 8, 2 }, tx = { 17361111, 8, 2 };
    uint16_t w = 0x7F;
    struct uart_char c[4];
    for (uint32_t seed = 1; seed < 10; seed++) {
        CHECK_EQ(line_decode(&w, 1, &tx, &rx, seed, c, 4), 2);
        CHECK(c[0].word == 0xFE && !c[0].fe);
        CHECK(c[1].word == 0xFE && !c[1].fe);
    }
}

TEST(uart_line_0x7f_at_stm32flash_rates_reads_as_its_start_bits_length)
{
    /* AN3155's sync byte from a host at rate R (8N1 or 8E1: the parity bit of 0x7F is 1, so
     * the line is the same until the stop bit), into a receiver at 115200 8N1: the start bit
     * lasts k = 115200 / R receiver bits and the receiver samples data bit j at about j + 1.5
     * bits, so data bits 0..m-1 read 0 with m = ceil(k - 1.5): 0xFF << m, no error while its
     * stop bit (9.5 bits in) falls on the host's 1s. From k = 10.5 on all eight and the stop bit
     * read 0: 0x00 with FE. The host's bit 7 (its second falling edge) starts a second
     * character, the same. The bootloader's auto-baud relies on exactly this (an3155.c). */
    static const struct { uint32_t baud; uint8_t byte; bool fe; } want[] = {
        { 57600, 0xFE, false }, { 38400, 0xFC, false }, { 28800, 0xF8, false },
        { 19200, 0xE0, false }, { 14400, 0x80, false }, { 9600, 0x00, true },
        { 4800, 0x00, true },
    };
    struct uart_fmt rx = { 8680556, 8, 2 };
    struct uart_char c[4];
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        for (int parity = 0; parity <= 1; parity++) {
            struct uart_fmt tx = { 1000000000000ull / want[i].baud, (uint8_t)(8 + parity), 2 };
            uint16_t w = parity ? 0x17F : 0x7F; /* 8E1: 0x7F has seven 1s, parity bit 1 */
            for (uint32_t seed = 1; seed < 10; seed++) {
                CHECK_EQ(line_decode(&w, 1, &tx, &rx, seed, c, 4), 2);
                for (int k = 0; k < 2; k++) {
                    CHECK_EQ(c[k].word, want[i].byte);
                    CHECK_EQ(c[k].fe, want[i].fe);
                    CHECK(!c[k].ne);
                }
            }
        }
    }
}

int main(void)
{
    RUN(rcc_resets_to_hsi_8mhz);
    RUN(rcc_hse_ready_follows_enable_after_startup_delay);
    RUN(rcc_pll_from_hse_reaches_72mhz);
    RUN(rcc_switch_waits_until_source_ready);
    RUN(rcc_sysclk_source_cannot_be_switched_off);
    RUN(rcc_pll_configuration_ignored_while_pll_on);
    RUN(rcc_reset_flags_por_software_and_rmvf);
    RUN(rcc_apb2rstr_resets_usart1);
    RUN(gpio_clock_off_reads_zero_and_ignores_writes);
    RUN(gpio_output_change_logged_with_emulated_time);
    RUN(gpio_released_input_reads_its_pull_or_zero);
    RUN(gpio_pin_events_apply_at_power_on_and_at_their_time);
    RUN(gpio_bsrr_set_wins_over_reset);
    RUN(gpio_lock_sequence_freezes_configuration);
    RUN(gpio_unimplemented_offsets_are_refused);
    RUN(usart_bytes_arrive_one_character_time_apart);
    RUN(usart_host_bytes_held_until_receiver_enabled);
    RUN(usart_slow_reader_gets_ore_and_loses_bytes);
    RUN(usart_ore_needs_sr_read_before_dr_read);
    RUN(usart_idle_set_one_character_after_the_last_byte);
    RUN(usart_tx_timing_txe_then_tc);
    RUN(usart_character_time_follows_pclk2_72mhz_brr_625);
    RUN(usart_8e1_passes_bytes_unchanged_with_parity_in_bit8);
    RUN(usart_7e1_transmits_parity_in_the_msb);
    RUN(usart_rxne_interrupt_follows_flag_and_enable);
    RUN(usart_clock_off_reads_zero);
    RUN(usart_stop_string_in_tx_stream_stops_the_board);
    RUN(usart_tc_cleared_by_dr_write_racing_the_previous_character);
    RUN(usart_tc_not_cleared_by_dr_write_without_sr_read);
    RUN(dma_half_transfer_flag_and_width_conversion);
    RUN(rcc_ready_interrupt_flag_and_clear);
    RUN(dma_circular_receive_keeps_every_byte);
    RUN(dma_request_pending_when_channel_enabled_late_is_served);
    RUN(dma_channel4_transmits_a_buffer);
    RUN(dma_transfer_error_sets_teif_and_disables_channel);
    RUN(dma_mem2mem_copies_words_and_counts_down);
    RUN(dma_registers_locked_while_enabled);
    RUN(bkp_write_ignored_until_dbp);
    RUN(bkp_kept_across_system_reset_lost_at_power_on);
    RUN(bdcr_needs_dbp_and_bdrst_clears_backup_domain);
    RUN(crc_unit_check_value);
    RUN(crc_unit_gives_proto_crc32_on_random_words_and_stalls_4_cycles_a_word);
    RUN(crc_unit_word_is_4_hclk_cycles_counted_in_sysclk_cycles);
    RUN(crc_unit_with_its_clock_off_neither_computes_nor_stalls);
    RUN(iwdg_timeout_resets_the_system_with_iwdgrstf);
    RUN(iwdg_hardware_watchdog_option_starts_it_at_every_reset);
    RUN(iwdg_reload_postpones_the_timeout);
    RUN(iwdg_pr_rlr_write_protected_without_key);
    RUN(usart2_irq_38_dma_channel_6_receives_7_transmits);
    RUN(usart3_irq_39_dma_channel_3_receives_2_transmits);
    RUN(usart2_and_usart3_gated_by_apb1enr_bits_17_and_18);
    RUN(usart2_character_time_follows_pclk1);
    RUN(apb1rstr_resets_usart2_and_usart3);
    RUN(usart_remapped_away_from_the_hosts_pins_is_cut);
    RUN(usart1_remap_reaches_a_host_wired_to_pb6_pb7);
    RUN(usart_tx_pin_not_an_alternate_function_output_reaches_no_one);
    RUN(gpio_ports_d_e_on_every_part_f_g_on_high_density_only);
    RUN(gpio_port_e_output_log_input_drive_and_reset);
    RUN(afio_mapr2_exists_on_xl_density_only);
    RUN(bkp_dr11_to_dr42_on_high_density_and_connectivity_line);
    RUN(rcc_cfgr2_and_ahbrstr_exist_on_connectivity_line_only);
    RUN(rcc_connectivity_line_pll_from_pll2_through_prediv1);
    RUN(rcc_connectivity_line_pll_x6_5_from_hsi);
    RUN(rcc_connectivity_line_reserved_pllmul_stops_the_board);
    RUN(uart_line_same_rate_decodes_every_byte_at_every_phase);
    RUN(uart_line_within_rm0008_tolerance_decodes_without_noise);
    RUN(uart_line_beyond_tolerance_garbles_with_errors);
    RUN(uart_line_0x7f_at_half_the_rate_reads_as_two_0xfe);
    RUN(uart_line_0x7f_at_stm32flash_rates_reads_as_its_start_bits_length);
    RUN(line_host_rate_within_tolerance_is_clean_both_ways);
    RUN(line_host_at_57600_against_115200_garbles_received_bytes_with_fe);
    RUN(line_device_output_at_a_mismatched_rate_reaches_the_host_garbled);
    RUN(line_host_twice_as_fast_loses_bytes);
    RUN(line_garbling_is_deterministic_for_a_seed);
    RUN(line_tolerance_is_rm0008s_for_the_divider);
    RUN(line_fe_ne_pe_cleared_by_sr_read_then_dr_read);
    RUN(line_host_8e1_against_usart_8n1_sets_fe_when_the_parity_bit_is_0);
    RUN(line_usart_8e1_against_host_8n1_sets_pe);
    RUN(line_host_framing_that_matches_the_usart_is_clean);
    RUN(line_host_parity_check_on_device_output_follows_its_inpck);
    RUN(line_any_carries_bytes_at_any_rate_as_before);
    RUN(line_pty_rate_set_by_the_host_is_followed_at_run_time);
    RUN(line_pty_strict_checks_a_rate_never_set);
    if (B)
        close_board();
    return test_summary();
}
