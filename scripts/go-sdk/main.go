// Generates the Go SDK of the kataven package with Pulumi's own Go code generator (pkg/v3/codegen/go, the
// one `pulumi package gen-sdk --language go` runs), from the schema that `pulumi package get-schema
// bin/pulumi-resource-kataven` prints. scripts/gen-go-sdk.sh runs it; its go.mod pins the generator's version.
//
//	go run . SCHEMA.json OUT_DIR   (OUT_DIR is replaced: sdk/go)
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// The SDK is a Go module of its own in OUT_DIR; programs reach it through a replace directive.
const (
	modulePath = "pulumi-kataven-widget/sdk/go"
	sdkVersion = "v3.259.0" // github.com/pulumi/pulumi/sdk/v3, the version this generator belongs to
	goVersion  = "1.25"
	// The version sdk/v3 requires.
	semverVersion = "v3.5.1+incompatible"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go-sdk SCHEMA.json OUT_DIR")
		os.Exit(2)
	}
	if err := generate(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "go-sdk:", err)
		os.Exit(1)
	}
}

func generate(schemaFile, outDir string) error {
	raw, err := os.ReadFile(schemaFile)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("reading %s: %w", schemaFile, err)
	}
	// The schema carries no Go settings: the import path, and the schema's version as the plugin version the
	// SDK asks the engine for.
	goInfo, err := json.Marshal(map[string]any{
		"importBasePath":       modulePath + "/" + spec.Name,
		"respectSchemaVersion": true,
	})
	if err != nil {
		return err
	}
	spec.Language = map[string]schema.RawMessage{"go": goInfo}
	pkg, diags, err := schema.BindSpec(spec, schema.NewNullLoader(), schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	files, err := gogen.GeneratePackage("pulumi-kataven-widget", pkg, nil)
	if err != nil {
		return err
	}
	// What the generated code imports (the SDK, and semver in internal/).
	files["go.mod"] = []byte(fmt.Sprintf("module %s\n\ngo %s\n\nrequire (\n\tgithub.com/blang/semver %s\n\tgithub.com/pulumi/pulumi/sdk/v3 %s\n)\n",
		modulePath, goVersion, semverVersion, sdkVersion))
	if err := os.RemoveAll(outDir); err != nil {
		return err
	}
	for name, content := range files {
		file := filepath.Join(outDir, name)
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(file, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
