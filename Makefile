# Tally — the two commands a new machine needs:
#   make demo   build, make a demo workspace, open the dashboard on it
#   make test   install what is missing, start PostgreSQL and tmux, run every test
SWIFT ?= swift
DEMO_DIR ?= $(CURDIR)/.demo
PREFIX ?= /usr/local

.PHONY: all deps build release demo test bench install clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product tally --scratch-path .build-static
	$(SWIFT) build -c release --static-swift-stdlib --product tally-mcp --scratch-path .build-static

demo: build
	.build/debug/tally demo --dir $(DEMO_DIR)

test:
	scripts/test.sh

bench: deps
	bench/run.sh

# Stripped: the symbols and debug information are most of a release binary (about half its size).
install: release
	install -d $(PREFIX)/bin $(PREFIX)/share/tally/themes
	install -m 755 -s .build-static/release/tally $(PREFIX)/bin/tally
	install -m 755 -s .build-static/release/tally-mcp $(PREFIX)/bin/tally-mcp
	install -m 644 Themes/*.toml $(PREFIX)/share/tally/themes/

clean:
	rm -rf .build .demo
