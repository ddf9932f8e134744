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

# Two nodes in the test's folder, jpn and kor, on 2019-09-01 with the
# example applied, each holding the other's public key.
two_nodes() {
	export LIAISON_PASSPHRASE="test passphrase"
	export LIAISON_NOW=2019-09-01
	unset LIAISON_HOME
	cd "$BATS_TEST_TMPDIR"
	for p in jpn kor; do
		"$L" --home $p init --party "${p^^}" >/dev/null
		"$L" --home $p config apply "$EXAMPLE" >/dev/null
	done
	"$L" --home jpn party key KOR kor/keys/KOR.pub >/dev/null
	"$L" --home kor party key JPN jpn/keys/JPN.pub >/dev/null
}
