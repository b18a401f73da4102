# overcap: the two commands a newcomer types are `make run` and `make test`.
# Both install missing Debian packages first (scripts/install-deps.sh), then
# configure and build with CMake + Ninja.

BUILD          ?= build
ASAN_BUILD     ?= build-asan
TSAN_BUILD     ?= build-tsan
OVERCAP_WERROR ?= OFF
JOBS           ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE          ?= cmake

.PHONY: all deps deps-test build run test test-release test-asan test-tsan bench asan-build \
        tsan-build clean format

all: build

deps:
	@scripts/install-deps.sh build

# What the tests add: Chromium, Node.js and the browser tests' npm packages.
deps-test:
	@scripts/install-deps.sh test

build: deps
	@$(CMAKE) -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DOVERCAP_WERROR=$(OVERCAP_WERROR) >/dev/null
	@$(CMAKE) --build $(BUILD) -j $(JOBS)

# The default job: the built-in model, its baseline scenario, its verdict.
run: build
	./$(BUILD)/overcap run

# The whole suite twice: an optimised build, then an address + undefined-
# behaviour sanitizer build, so memory errors fail the run; then the
# parallel paths under the thread sanitizer, so data races fail it too.
test: test-release test-asan test-tsan

test-release: deps-test build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan-build: deps
	@$(CMAKE) -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DOVERCAP_SANITIZE=ON -DOVERCAP_WERROR=$(OVERCAP_WERROR) >/dev/null
	@$(CMAKE) --build $(ASAN_BUILD) -j $(JOBS)

test-asan: deps-test asan-build
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

tsan-build: deps
	@$(CMAKE) -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DOVERCAP_TSAN=ON -DOVERCAP_MPI=OFF -DOVERCAP_WERROR=$(OVERCAP_WERROR) >/dev/null
	@$(CMAKE) --build $(TSAN_BUILD) -j $(JOBS) --target overcap

test-tsan: deps-test tsan-build
	cd $(TSAN_BUILD) && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -L threads

bench: build
	@scripts/install-deps.sh bench
	bench/run.sh $(BUILD)

format:
	clang-format -i include/*.h src/*/*.c src/*/*.h tests/*.c tests/*/*.c bench/*.c tools/*.c

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
