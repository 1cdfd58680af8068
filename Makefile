# DeadSalmon: two commands on a fresh machine.
#   make demo   builds the release binary and runs the main job (installs GSL/OpenBLAS if missing)
#   make test   runs the whole test suite, optimized (installs GSL/OpenBLAS if missing)
#   make slurm-test  submits an audit to a one-node Slurm cluster it sets up here (root or sudo)

SWIFT ?= swift

.PHONY: demo test gate slurm-test deps build release bench clean

demo: deps
	$(SWIFT) build -c release --product salmon
	./.build/release/salmon demo

# Optimized (-c release, with testable imports): the calibration suites draw thousands of null
# models and run about 8x faster than in a debug build. 'swift test' (debug) runs the same tests.
test: deps
	$(SWIFT) test -c release

# 'salmon audit --slurm --submit' on a real Slurm: installs slurmctld, slurmd, slurm-client and munge
# (apt-get) if missing, runs a one-node cluster on the loopback interface, and checks the merged
# reports byte for byte against a local run (Tests/Slurm/run.sh).
slurm-test: deps
	$(SWIFT) build -c release --product salmon
	./Tests/Slurm/run.sh

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
