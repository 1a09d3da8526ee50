# Developer entry points. Every target bootstraps .venv (scripts/bootstrap.sh) as needed.
.PHONY: help bootstrap demo try test build importer sanity units lint changelog docs ee integration integration-cloud sweep matrix matrix-full bench pytest clean

help:
	@echo "make demo       run the end-to-end demo against the local emulator"
	@echo "make try        start the local emulator and print what to export to try any example against it"
	@echo "make test       run every quality gate (build, importer, sanity, units, lint, changelog, docs, ee, integration, matrix, bench, pytest)"
	@echo "make importer   galaxy-importer (Galaxy's upload check, flake8 on) on the built tarball; fails on any warning"
	@echo "make sanity     ansible-test sanity on a staged copy of the collection"
	@echo "make units      ansible-test units on a staged copy of the collection"
	@echo "make lint       ansible-lint --profile production"
	@echo "make docs       the docs site (antsibull-docs lint-collection-docs, then the HTML build): build/docs/html/index.html"
	@echo "make integration        the ansible-test integration targets against the emulator (TARGETS=\"ddm_schema ...\" for some)"
	@echo "make integration-cloud  the same targets against a real account: billable, refused without HUAWEICLOUD_IT_BILLABLE=yes"
	@echo "                        (docs/integration-tests.md: the settings, what a run costs)"
	@echo "make sweep              list what interrupted real-account runs left behind; make sweep ARGS=--yes deletes it"
	@echo "make matrix     tox-ansible (tox-ansible.ini): units and matrix_smoke on ansible-core 2.16 to 2.21, sanity and every target on 2.16"
	@echo "make matrix-full        every tox-ansible environment: sanity, units and integration on each Python each minor supports"
	@echo "make pytest     pytest over tests/unit, tests/emulator, tests/matrix and tests/integration (PYTEST_ARGS=..., PYTEST_WORKERS=N)"
	@echo "make bench      the full benchmark (about 22 minutes; bench/run.sh --quick is the smoke in make test)"
	@echo "make clean      remove build output and caches (keeps .venv, ~/.cache/huaweicloud-cloud-tox and ~/.cache/huaweicloud-cloud-importer)"

bootstrap:
	@scripts/bootstrap.sh

demo:
	@scripts/demo.sh

try:
	@scripts/try.sh

test:
	@scripts/test.sh

build importer sanity units lint changelog docs ee matrix:
	@scripts/test.sh $@

# Every environment of tox-ansible.ini's full label (48; its 16 sanity environments take most of the time).
matrix-full:
	@MATRIX_LABEL=full scripts/test.sh matrix

integration:
	@scripts/integration.sh emulator $(TARGETS)

integration-cloud:
	@scripts/integration.sh cloud $(TARGETS)

sweep:
	@scripts/integration.sh sweep $(ARGS)

# The full benchmark (about 22 minutes); docs/performance.md has its results.
bench:
	@bench/run.sh

# Extra pytest arguments: make pytest PYTEST_ARGS="-k waiter -x"; pytest-xdist workers: PYTEST_WORKERS=N (0: none).
pytest:
	@scripts/test.sh pytest -- $(PYTEST_ARGS)

clean:
	rm -rf build tests/output .pytest_cache
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
