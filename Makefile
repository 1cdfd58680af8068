# DeadSalmon: two commands on a fresh machine.
#   make demo   builds the release binary and runs the main job (installs GSL/OpenBLAS if missing)
#   make test   runs the whole test suite (installs GSL/OpenBLAS if missing)

SWIFT ?= swift

.PHONY: demo test gate deps build release bench clean

demo: deps
	$(SWIFT) build -c release --product salmon
	./.build/release/salmon demo

test: deps
	$(SWIFT) test

# The CI gate: this project's own claims, tested against the null distributions committed in
# Baselines/ci-probe (exit 1 if a claim fails or leaves its baseline interval).
gate: deps
	$(SWIFT) build -c release --product salmon
	./.build/release/salmon audit Baselines/ci-probe.yaml --baseline Baselines/ci-probe --out Reports/ci-gate

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Release-mode benchmarks against scipy/statsmodels, measured in the same run (not part of CI).
bench: deps
	./Benchmarks/run.sh

# System libraries: GSL (random variates, distributions, special functions) and OpenBLAS.
# Debian/Ubuntu: installed with apt-get (sudo when not root). macOS: prints the Homebrew line.
deps:
	@if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists gsl openblas; then \
	  :; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing GSL and OpenBLAS with apt-get (libgsl-dev libopenblas-dev pkg-config)..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libgsl-dev libopenblas-dev pkg-config >/dev/null && \
	  echo "Installed."; \
	elif command -v brew >/dev/null 2>&1; then \
	  echo "GSL and OpenBLAS are missing. Install them with:"; \
	  echo "  brew install gsl openblas pkg-config"; \
	  echo "and make openblas visible to pkg-config:"; \
	  echo "  export PKG_CONFIG_PATH=\"$$(brew --prefix openblas)/lib/pkgconfig:$$PKG_CONFIG_PATH\""; \
	  exit 1; \
	else \
	  echo "GSL and OpenBLAS are missing and no apt-get or brew was found: install GSL (libgsl-dev) and OpenBLAS (libopenblas-dev) and pkg-config."; \
	  exit 1; \
	fi

clean:
	rm -rf .build Benchmarks/.build
