# Staged updates (docs/STAGED.md): the STAGED=1 core on the sim port (unit tests and power-cut
# sweeps), the application's library against it, the power-cut sweep of the install and the
# rollback on the real binary, and the end-to-end tests on the virtual board.
# unit.mk's wildcard lists tests/unit/test_boot_stage*.c among the unit tests (TESTS, TESTS_BUILD);
# the explicit rules here build them with the staged core (a rule with a recipe wins over the
# pattern rule).
STAGED_TEST_CFLAGS := $(TEST_CFLAGS) $(BOOT_CORE_INC) -Iboot/port/sim -DBOOT_SIZE=0x4000u \
                      -DSTAGE_TEST_BUILD
STAGED_SIM_SRC := $(BOOT_STAGED_SRC) $(BOOT_SIM_SRC) boot/port/sim/stage_sim.c $(TEST_LIB_SRC)
STAGED_TEST_DEPS := $(STAGED_SIM_SRC) $(wildcard boot/core/*.h boot/port/*.h boot/port/sim/*.h \
                    proto/*.h tests/lib/*.h) tests/test.h tests/staged.mk boot/staged.mk

$(BUILD)/tests/test_boot_stage $(BUILD)/tests/test_boot_stage_powercut: \
  $(BUILD)/tests/%: tests/unit/%.c $(STAGED_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(STAGED_TEST_CFLAGS) -o $@ $< $(STAGED_SIM_SRC)

# The application's library, the demo's receiver and iap's side against the staged core.
STAGED_APP_TEST_SRC := examples/template/app_stage.c examples/demo/stage_rx.c host/staged.c \
                       $(filter-out $(PROTO_SRC) host/staged.c proto/stage.c,$(HOST_LIB_SRC))
$(BUILD)/tests/test_boot_stage_app: tests/unit/test_boot_stage_app.c $(STAGED_TEST_DEPS) \
                                    $(STAGED_APP_TEST_SRC) $(wildcard host/*.h examples/*/*.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(STAGED_TEST_CFLAGS) -Iexamples/template -Iexamples/demo -Ihost -o $@ $< \
	  $(STAGED_SIM_SRC) $(STAGED_APP_TEST_SRC) $(HOST_LIBS)

# host/staged.c on the command line for the end-to-end tests (until iap's main.c has --staged).
$(STAGED_DIR)/iap-staged: tests/e2e/staged_cli.c host/staged.c proto/stage.c $(HOST_SRC) $(HOST_DEPS) \
                          tests/staged.mk
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(WARN_STRICT) -Ihost -o $@ $< host/staged.c proto/stage.c \
	  $(filter-out host/main.c host/staged.c proto/stage.c,$(HOST_SRC)) $(HOST_LIBS)

# The power-cut sweep of the install and the rollback on the real binaries (make test: a slice;
# make stage-sweep: every operation, and the sim's full sweep).
STAGED_ROBUST := $(BUILD)/tests/test_stage_powercut
$(STAGED_ROBUST): tests/robust/test_stage_powercut.c proto/stage.c $(PROTO_SRC) $(BUILD)/libemu.a \
                  $(wildcard proto/*.h emu/emu.h) tests/test.h tests/staged.mk
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(WARN_STRICT) -Iemu -Itests -o $@ $< proto/stage.c $(PROTO_SRC) \
	  $(BUILD)/libemu.a $(EMU_LIBS)

# ---- registration ----------------------------------------------------------------------------
# The sim tests run by unit.mk's registration (above). The real binary's sweep: a slice (the first
# and last 40 operations of each story and every 199th); make stage-sweep: every operation, here
# and on the sim.
TESTS_BUILD += $(STAGED_FILES) $(STAGED_DIR)/iap-staged $(STAGED_ROBUST) $(BUILD)/iap \
               $(BUILD)/stm32emu $(BUILD)/boot.elf $(BUILD)/app-v1.bin \
               $(BUILD)/keys/other-key.pub.pem
TESTS       += "$(STAGED_ROBUST) $(BUILD) --stride 199" \
               "tests/e2e/test_staged.sh $(BUILD)" "tests/e2e/test_staged_secure.sh $(BUILD)"

.PHONY: stage-sweep
stage-sweep: deps
	@$(MAKE) --no-print-directory all $(TESTS_BUILD)
	@tests/run.sh "$(BUILD)/tests/test_boot_stage_powercut --full" "$(STAGED_ROBUST) $(BUILD) --full"
