/* stm32emu: the virtual STM32F1 board from the command line (docs/EMULATOR.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: stm32emu --flash FILE [options]\n"
            "  --flash FILE          persistent flash image (created erased when missing)\n"
            "  --part NAME           the chip (default f103c8; the list below)\n"
            "  --flash-size 64|128   without --part: f103c8 (64 KB) or f103cb (128 KB)\n"
            "  --load FILE[@ADDR]    preload an ELF (PT_LOAD segments) or a binary (at ADDR,\n"
            "                        default 0x08000000) into the flash image; repeatable\n"
            "  --uart MODE           pty[:LINK] | stdio | tcp:PORT | none (default none)\n"
            "  --usart N[:PINS]      the USART the host is wired to: 1, 2 or 3 (default 1), at\n"
            "                        its default pins or PINS = remap (USART1/2), partial or\n"
            "                        full (USART3); also accepted as --uart N[:PINS]\n"
            "  --host-baud MODE      the host's rate, checked against the USART's: auto (default:\n"
            "                        the rate the host set on the pty, once it set one), strict\n"
            "                        (the pty's rate even if never set), any (never checked), or\n"
            "                        N baud (any bridge); default from $STM32EMU_LINE\n"
            "  --host-parity P       the host's framing: match (default: the USART's, no check),\n"
            "                        none, even or odd (8 data bits)\n"
            "  --realtime            emulated time never runs ahead of the wall clock\n"
            "  --stop-after MS       stop after MS milliseconds of emulated time\n"
            "  --stop-on-uart STR    stop (exit 0) once the host has received STR\n"
            "  --stop-on-bkpt        a bkpt instruction stops the board: exit status = r0 & 0xff\n"
            "  --pin PXn=L[@MS]      drive input pin (e.g. PA0=1, PE3=0): L = 1, 0 or z (released),\n"
            "                        at power-on or at MS milliseconds; repeatable\n"
            "  --power-cut N         cut power at the Nth flash erase/program operation\n"
            "  --seed S              what an interrupted operation leaves, and the sampling phases\n"
            "                        on a mismatched line, are drawn from S\n"
            "  --erase-ms MS         page/mass erase time (default 20)\n"
            "  --prog-us US          half-word program time (default 52.5)\n"
            "  -v, -vv               log events; -vv also every peripheral access\n"
            "exit status: 0 stop condition met, 1 setup error, 2 fault, 3 power cut,\n"
            "             4 time elapsed before --stop-on-uart, N bkpt with r0 = N\n");
    fprintf(out, "parts:");
    fflush(out);
    for (int i = 0; emu_part_name(i); i++)
        fprintf(out, " %s", emu_part_name(i));
    fprintf(out, "\n");
}

/* N[:PINS]: USART N at its default pins or remapped ones (AFIO_MAPR values, RM0008 9.3.8). */
static int parse_usart(const char *s, struct emu_config *cfg)
{
    static const struct { const char *name; int remap; } pins[] = {
        { "default", 0 }, { "remap", 1 }, { "partial", 1 }, { "full", 3 } };
    if (s[0] < '1' || s[0] > '3' || (s[1] != '\0' && s[1] != ':'))
        return -1;
    cfg->uart_index = s[0] - '0';
    cfg->uart_remap = 0;
    if (s[1] == '\0')
        return 0;
    for (unsigned i = 0; i < sizeof pins / sizeof pins[0]; i++)
        if (strcmp(s + 2, pins[i].name) == 0) {
            bool usart3_name = i >= 2, usart3 = cfg->uart_index == 3;
            if (i > 0 && usart3_name != usart3)
                return -1;
            cfg->uart_remap = pins[i].remap;
            return 0;
        }
    return -1;
}

static int parse_pin(const char *s, struct emu_pin_event *p)
{
    char port;
    int pin;
    char lvl[8];
    double ms = 0;
    int n = sscanf(s, "P%c%d=%7[^@]@%lf", &port, &pin, lvl, &ms);
    if (n < 3 || port < 'A' || port > 'G' || pin < 0 || pin > 15) /* the part may have fewer */
        return -1;
    p->port = (uint8_t)(port - 'A');
    p->pin = (uint8_t)pin;
    if (strcmp(lvl, "1") == 0)
        p->level = 1;
    else if (strcmp(lvl, "0") == 0)
        p->level = 0;
    else if (strcmp(lvl, "z") == 0 || strcmp(lvl, "Z") == 0)
        p->level = -1;
    else
        return -1;
    p->at_ns = (uint64_t)(ms * 1e6);
    return 0;
}

int main(int argc, char **argv)
{
    enum { O_FLASH = 256, O_PART, O_SIZE, O_LOAD, O_UART, O_USART, O_HBAUD, O_HPAR, O_RT, O_AFTER, O_UARTSTR, O_BKPT, O_PIN,
           O_CUT, O_SEED, O_ERASE, O_PROG, O_HELP };
    static const struct option opts[] = {
        {"flash", required_argument, 0, O_FLASH},     {"flash-size", required_argument, 0, O_SIZE},
        {"part", required_argument, 0, O_PART},
        {"load", required_argument, 0, O_LOAD},       {"uart", required_argument, 0, O_UART},
        {"usart", required_argument, 0, O_USART},
        {"host-baud", required_argument, 0, O_HBAUD}, {"host-parity", required_argument, 0, O_HPAR},
        {"realtime", no_argument, 0, O_RT},           {"stop-after", required_argument, 0, O_AFTER},
        {"stop-on-uart", required_argument, 0, O_UARTSTR},
        {"stop-on-bkpt", no_argument, 0, O_BKPT},     {"pin", required_argument, 0, O_PIN},
        {"power-cut", required_argument, 0, O_CUT},   {"seed", required_argument, 0, O_SEED},
        {"erase-ms", required_argument, 0, O_ERASE},  {"prog-us", required_argument, 0, O_PROG},
        {"help", no_argument, 0, O_HELP},             {0, 0, 0, 0}};
    struct emu_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.uart_mode = EMU_UART_NONE;
    int c;
    while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
        switch (c) {
        case O_FLASH: cfg.flash_file = optarg; break;
        case O_PART: cfg.part = optarg; break;
        case O_SIZE: cfg.flash_size = (uint32_t)strtoul(optarg, NULL, 0); break;
        case O_LOAD: {
            if (cfg.npreload >= EMU_MAX_PRELOAD) {
                fprintf(stderr, "stm32emu: at most %d --load\n", EMU_MAX_PRELOAD);
                return EMU_EXIT_SETUP;
            }
            char *at = strrchr(optarg, '@');
            cfg.preload[cfg.npreload].addr = 0;
            if (at) {
                *at = '\0';
                cfg.preload[cfg.npreload].addr = (uint32_t)strtoul(at + 1, NULL, 0);
            }
            cfg.preload[cfg.npreload++].path = optarg;
            break;
        }
        case O_USART:
            if (parse_usart(optarg, &cfg) != 0) {
                fprintf(stderr, "stm32emu: --usart %s: expected 1, 2 or 3, then :remap (USART1/2) "
                        "or :partial / :full (USART3) for remapped pins\n", optarg);
                return EMU_EXIT_SETUP;
            }
            break;
        case O_UART:
            if (optarg[0] >= '0' && optarg[0] <= '9') {
                if (parse_usart(optarg, &cfg) != 0) {
                    fprintf(stderr, "stm32emu: --uart %s: expected 1, 2 or 3 (the USART), then "
                            ":remap (USART1/2) or :partial / :full (USART3)\n", optarg);
                    return EMU_EXIT_SETUP;
                }
            } else if (strncmp(optarg, "pty", 3) == 0 && (optarg[3] == '\0' || optarg[3] == ':')) {
                cfg.uart_mode = EMU_UART_PTY;
                cfg.pty_link = optarg[3] == ':' ? optarg + 4 : NULL;
            } else if (strcmp(optarg, "stdio") == 0) {
                cfg.uart_mode = EMU_UART_STDIO;
            } else if (strncmp(optarg, "tcp:", 4) == 0) {
                cfg.uart_mode = EMU_UART_TCP;
                cfg.tcp_port = atoi(optarg + 4);
            } else if (strcmp(optarg, "none") == 0) {
                cfg.uart_mode = EMU_UART_NONE;
            } else {
                fprintf(stderr, "stm32emu: --uart %s: expected pty[:LINK], stdio, tcp:PORT, none, or "
                        "a USART number\n", optarg);
                return EMU_EXIT_SETUP;
            }
            break;
        case O_HBAUD: {
            static const struct { const char *name; enum emu_host_baud mode; } modes[] = {
                { "auto", EMU_HOST_BAUD_AUTO }, { "any", EMU_HOST_BAUD_ANY },
                { "strict", EMU_HOST_BAUD_STRICT } };
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);
            cfg.host_baud = EMU_HOST_BAUD_DEFAULT;
            for (unsigned i = 0; i < sizeof modes / sizeof modes[0]; i++)
                if (strcmp(optarg, modes[i].name) == 0)
                    cfg.host_baud = modes[i].mode;
            if (cfg.host_baud == EMU_HOST_BAUD_DEFAULT && *end == '\0' && v > 0 && v <= 10000000) {
                cfg.host_baud = EMU_HOST_BAUD_FIXED;
                cfg.host_baud_rate = (uint32_t)v;
            }
            if (cfg.host_baud == EMU_HOST_BAUD_DEFAULT) {
                fprintf(stderr, "stm32emu: --host-baud %s: expected auto, strict, any or a rate in "
                        "baud\n", optarg);
                return EMU_EXIT_SETUP;
            }
            break;
        }
        case O_HPAR: {
            static const char *const names[] = { "match", "none", "even", "odd" };
            unsigned i = 0;
            while (i < 4 && strcmp(optarg, names[i]) != 0)
                i++;
            if (i == 4) {
                fprintf(stderr, "stm32emu: --host-parity %s: expected match, none, even or odd\n",
                        optarg);
                return EMU_EXIT_SETUP;
            }
            cfg.host_parity = (enum emu_parity)i;
            break;
        }
        case O_RT: cfg.realtime = true; break;
        case O_AFTER: cfg.stop_after_ns = (uint64_t)(strtod(optarg, NULL) * 1e6); break;
        case O_UARTSTR: cfg.stop_on_uart = optarg; break;
        case O_BKPT: cfg.stop_on_bkpt = true; break;
        case O_PIN:
            if (cfg.npins >= EMU_MAX_PIN_EVENTS || parse_pin(optarg, &cfg.pins[cfg.npins]) != 0) {
                fprintf(stderr, "stm32emu: --pin %s: expected PXn=1|0|z[@MS] (X = A..G), at most %d\n",
                        optarg, EMU_MAX_PIN_EVENTS);
                return EMU_EXIT_SETUP;
            }
            cfg.npins++;
            break;
        case O_CUT: cfg.power_cut_at = strtol(optarg, NULL, 0); break;
        case O_SEED:
            cfg.power_cut_seed = cfg.line_seed = (uint32_t)strtoul(optarg, NULL, 0);
            break;
        case O_ERASE: cfg.flash_erase_ns = (uint32_t)(strtod(optarg, NULL) * 1e6); break;
        case O_PROG: cfg.flash_prog_ns = (uint32_t)(strtod(optarg, NULL) * 1e3); break;
        case 'v': cfg.verbose++; break;
        case O_HELP: usage(stdout); return 0;
        default: usage(stderr); return EMU_EXIT_SETUP;
        }
    }
    if (optind != argc || !cfg.flash_file) {
        usage(stderr);
        return EMU_EXIT_SETUP;
    }
    struct emu *e = emu_create(&cfg);
    if (!e)
        return EMU_EXIT_SETUP;
    int rc = emu_run(e);
    if (cfg.verbose)
        fprintf(stderr, "stm32emu: exit %d after %.6f ms emulated, %ld flash operations\n", rc,
                (double)emu_now_ns(e) / 1e6, emu_flash_ops(e));
    emu_destroy(e);
    return rc;
}
