// Package scenarios embeds the shipped scenario files, so the emulator runs
// with no files at all.
package scenarios

import "embed"

// FS holds the shipped scenarios (*.yaml) and their JSON Schema.
//
//go:embed *.yaml scenario.schema.json
var FS embed.FS
