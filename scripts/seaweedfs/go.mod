module kataven.local/seaweedfs

go 1.26.6

require github.com/seaweedfs/seaweedfs v0.0.0-20261109003541-7506e5f91cd6

// SeaweedFS's own go.mod has this replace; a dependency's replaces don't apply, so the wrapper repeats it.
replace github.com/tyler-smith/go-bip39 => github.com/cosmos/go-bip39 v1.0.0
