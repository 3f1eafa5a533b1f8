# trustgate developer commands. `make ci` is what .ci/run runs on a fresh clone.
CARGO ?= cargo

.PHONY: build test lint fmt fmt-check ci demo bench fuzz clean

build:
	$(CARGO) build --release

test:
	$(CARGO) test --all-targets

lint:
	$(CARGO) clippy --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

ci: fmt-check lint test

demo:
	$(CARGO) run --quiet -- check testdata/plans/demo.json; \
	  echo "(exit code $$?)"

clean:
	$(CARGO) clean
