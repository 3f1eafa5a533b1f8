# trustgate developer commands. `make ci` is what .ci/run runs on a fresh clone.
CARGO ?= cargo

.PHONY: build test lint fmt fmt-check ci demo bench fuzz clean screenshot

build:
	$(CARGO) build --release

test:
	@[ -f ../shared/SPEC.md ] || echo "note: ../shared is not beside this checkout: the tests that read its plan corpus and IAM vectors skip (in CI, .ci/run makes that a failure)"
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

# Generates 1k/10k/100k-resource plans in a temp dir and prints wall time, MB/s and peak RSS
# of trustgate (file and stdin) next to the serde_json floor, with their ratio (benches/).
bench:
	$(CARGO) build --release --bin trustgate --example gen_plan --example floor --example bench
	$(CARGO) run --quiet --release --example bench

clean:
	$(CARGO) clean

# The demo plan's PR comment rendered as GFM and photographed at PR width (800 px) by a headless
# Chromium (Debian: `apt-get install chromium`): docs/pr-comment.png as posted (details
# collapsed) and docs/pr-comment-open.png with every role's details open. Not part of `ci`.
CHROMIUM ?= chromium
SHOT_DIR ?= target/screenshot

screenshot:
	@command -v $(CHROMIUM) >/dev/null 2>&1 || { echo "make screenshot: needs $(CHROMIUM) (apt-get install chromium)"; exit 2; }
	mkdir -p $(SHOT_DIR)
	$(CARGO) build --quiet --bin trustgate --example comment_html
	./target/debug/trustgate check testdata/plans/demo.json --format markdown > $(SHOT_DIR)/comment.md; test $$? -le 1
	./target/debug/examples/comment_html < $(SHOT_DIR)/comment.md > $(SHOT_DIR)/comment.html
	./target/debug/examples/comment_html --open < $(SHOT_DIR)/comment.md > $(SHOT_DIR)/comment-open.html
	$(CHROMIUM) --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=802,420 \
	  --screenshot=$(CURDIR)/docs/pr-comment.png file://$(CURDIR)/$(SHOT_DIR)/comment.html 2>/dev/null
	$(CHROMIUM) --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=802,2080 \
	  --screenshot=$(CURDIR)/docs/pr-comment-open.png file://$(CURDIR)/$(SHOT_DIR)/comment-open.html 2>/dev/null

# Fuzzing (issue 8): each cargo-fuzz target for FUZZ_SECONDS, corpora seeded from testdata/ and
# ../shared. Needs a nightly toolchain (libFuzzer's sanitizer flags); installs cargo-fuzz from
# crates.io when missing. Not part of `ci`. A crash leaves its input in fuzz/artifacts/TARGET/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= policy_parser compare_pair plan_reader check_pipeline
FUZZ_TOOLCHAIN ?= nightly

fuzz:
	@rustup toolchain list 2>/dev/null | grep -q '^$(FUZZ_TOOLCHAIN)' || { \
	  echo "make fuzz: needs the $(FUZZ_TOOLCHAIN) Rust toolchain (rustup toolchain install $(FUZZ_TOOLCHAIN))"; exit 2; }
	@command -v cargo-fuzz >/dev/null 2>&1 || $(CARGO) install cargo-fuzz
	fuzz/seed.sh
	@for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz $$t for $(FUZZ_SECONDS)s"; \
	  (cd fuzz && $(CARGO) +$(FUZZ_TOOLCHAIN) fuzz run -O -a $$t corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1) \
	    2>&1 | grep -E '^(stat::|Done|==|SUMMARY|.*panicked)' || true; \
	  if ls fuzz/artifacts/$$t/* >/dev/null 2>&1; then echo "make fuzz: $$t found failures in fuzz/artifacts/$$t"; fail=1; fi; \
	done; exit $${fail:-0}
