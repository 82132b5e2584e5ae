// Package api holds the API's contract as an OpenAPI 3 document, embedded so
// the emulator serves it (GET /_mock/openapi.yaml) byte for byte.
package api

import _ "embed"

// OpenAPI is openapi.yaml: the Workspace API as its reference page
// describes it, the IAM call the SDKs make, the health check and the admin API.
//
//go:embed openapi.yaml
var OpenAPI []byte
