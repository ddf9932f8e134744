# helpers.bash - shared by the CLI tests: a fresh node folder per test.
L="${LIAISON_BIN:-$BATS_TEST_DIRNAME/../../build/liaison}"
EXAMPLE="$BATS_TEST_DIRNAME/../../examples/gsomia-2019.json"
G=JPN-KOR-GSOMIA

setup() {
	export LIAISON_HOME="$BATS_TEST_TMPDIR/node"
	export LIAISON_PASSPHRASE="test passphrase"
	unset LIAISON_NOW
}

# A node of JPN with the example applied.
example_node() {
	"$L" init --party JPN >/dev/null
	"$L" config apply "$EXAMPLE" >/dev/null
}

# The example without its events after 2016 (for recording them one by one).
early_config() {
	jq '.agreements[0].events |= map(select(.date < "2017-01-01"))' "$EXAMPLE" \
		>"$BATS_TEST_TMPDIR/early.json"
	echo "$BATS_TEST_TMPDIR/early.json"
}

# Counts the rows of a table in the node's store.
rows() {
	sqlite3 "$LIAISON_HOME/node.db" "SELECT count(*) FROM $1"
}
