# Tally — the two commands a new machine needs:
#   make demo   build, make a demo workspace, open the dashboard on it
#   make test   install what is missing, start PostgreSQL and tmux, run every test
SWIFT ?= swift
DEMO_DIR ?= $(CURDIR)/.demo
PREFIX ?= /usr/local
# Staged installs for packagers: everything lands under $(DESTDIR)$(PREFIX).
DESTDIR ?=
# Install binaries already built there instead of building the release first (the tests:
# make install PREFIX=/tmp/x BUILT=.build/debug).
BUILT ?=

.PHONY: all deps build release demo test bench install clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	SWIFT=$(SWIFT) scripts/build-release.sh tally tally-mcp

demo: build
	.build/debug/tally demo --dir $(DEMO_DIR)

test:
	scripts/test.sh

bench: deps
	bench/run.sh

# The binaries (stripped: the symbols and debug information are about half a release binary),
# the themes, bash/zsh/fish completions and the man page: scripts/install.sh says where.
install: $(if $(BUILT),,release)
	scripts/install.sh "$(DESTDIR)$(PREFIX)" "$(or $(BUILT),.build-static/release)"

clean:
	rm -rf .build .demo
